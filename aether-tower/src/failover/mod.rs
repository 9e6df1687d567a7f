//! Failover over the scheduler's candidates.
//!
//! [`Failover`] wraps the upstream transport (any `Service<http::Request<B>>`). Per request it takes
//! the [`Routing`] an earlier layer put in the extensions, loads the catalogue [`Snapshot`], looks up
//! cache affinity and walks the candidates: each usable one gets a concurrency lease, a request
//! rewritten for its endpoint (URI, credential, then the caller's [`Prepare`]) and a deadline; the
//! outcome is classified ([`classify`]), reported to health and affinity, and recorded in a
//! [`Trace`]. The first response that commits (a success, or an error about the request itself) is
//! returned; a 2xx commits only once its first body bytes came in time and carry no error.
//!
//! ```
//! use std::sync::Arc;
//! use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
//! use aether_core::schedule::{InMemoryTraces, Mode, Principal, RouteRequest, Snapshot};
//! use aether_core::WireFormat;
//! use aether_tower::failover::{FailoverLayer, Routing, Stores};
//! use http::{Request, Response};
//! use tower::{Layer, Service, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut catalogue = Catalogue::default();
//! catalogue.providers.push(Provider::new(1, "anthropic"));
//! catalogue.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, "https://api.anthropic.com"));
//! catalogue.keys.push(ProviderKey::new(100, 1, "sk-broken"));
//! catalogue.keys.push(ProviderKey { priority: 1, ..ProviderKey::new(101, 1, "sk-good") });
//! catalogue.global_models.push(GlobalModel::new("claude-opus-4-8"));
//! catalogue.models.push(Model::new("claude-opus-4-8", 1, "claude-opus-4-8"));
//! let snapshot = Arc::new(Snapshot::compile(&catalogue, Mode::Provider)?);
//!
//! // A mock upstream: the first key is overloaded, the second answers.
//! let upstream = service_fn(|request: Request<String>| async move {
//!     let status = if request.headers()["x-api-key"] == "sk-broken" { 529 } else { 200 };
//!     Response::builder().status(status).body("{}".to_owned())
//! });
//! let traces = Arc::new(InMemoryTraces::default());
//! let stores = Stores { traces: traces.clone(), ..Stores::in_memory(snapshot) };
//! let failover = FailoverLayer::new(stores).layer(upstream);
//!
//! let mut request = Request::post("/v1/messages").body("{}".to_owned())?;
//! let route = RouteRequest::new(WireFormat::Anthropic, "claude-opus-4-8");
//! request.extensions_mut().insert(Routing { principal: Principal::new(7), request: route });
//! let response = failover.oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(traces.take()[0].entries.len(), 2, "the 529 and the success");
//! # Ok(()) }
//! ```

mod attempt;
mod body;

pub use attempt::{Attempt, Prepare, Unchanged};
pub use body::FailoverBody;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use aether_core::ApiError;
use aether_core::Timestamp;
use aether_core::catalogue::ProviderKey;
use aether_core::schedule::{
    Acquire, AdaptiveConfig, Affinity, AffinityKey, Class, FailoverPolicy, Health, InMemoryAffinity,
    InMemoryHealth, InMemoryLimits, InMemoryTraces, Lease, Limiter, Observation, Outcome, Principal, Report,
    RouteError, RouteRequest, SkipReason, Snapshot, SpendView, Trace, TraceEntry, TraceSink, View, classify,
    parse_retry_after, wait_for,
};
use aether_core::store::RequestId;
use bytes::Buf;
use futures_util::FutureExt;
use http::{Request, Response};
use http_body::{Body, Frame};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use crate::transport::TransportError;
use crate::{BoxError, Inbound};

/// What the scheduler needs to know about a request, put in its extensions by the layers before
/// failover (authentication and routing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routing {
    /// Who is asking.
    pub principal: Principal,
    /// What for.
    pub request: RouteRequest,
}

/// Where the current catalogue snapshot comes from (refreshed by the server on change).
pub trait SnapshotSource: Send + Sync + 'static {
    /// The snapshot to schedule this request with.
    fn load(&self) -> Arc<Snapshot>;
}

impl SnapshotSource for Arc<Snapshot> {
    fn load(&self) -> Arc<Snapshot> {
        Arc::clone(self)
    }
}

impl SnapshotSource for RwLock<Arc<Snapshot>> {
    fn load(&self) -> Arc<Snapshot> {
        Arc::clone(&self.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The shared state failover reads and reports to.
#[derive(Clone)]
pub struct Stores {
    /// The catalogue.
    pub snapshot: Arc<dyn SnapshotSource>,
    /// Key health.
    pub health: Arc<dyn Health>,
    /// Cache affinity.
    pub affinity: Arc<dyn Affinity>,
    /// Rate and concurrency limits.
    pub limiter: Arc<dyn Limiter>,
    /// Providers' spend, for budgets.
    pub spend: Arc<dyn SpendView>,
    /// Where traces go.
    pub traces: Arc<dyn TraceSink>,
}

impl Stores {
    /// In-memory stores around `snapshot`: one replica, or tests.
    pub fn in_memory(snapshot: impl SnapshotSource) -> Stores {
        let limits = Arc::new(InMemoryLimits::default());
        Stores {
            snapshot: Arc::new(snapshot),
            health: Arc::new(InMemoryHealth::default()),
            affinity: Arc::new(InMemoryAffinity::default()),
            limiter: limits.clone(),
            spend: limits,
            traces: Arc::new(InMemoryTraces::default()),
        }
    }
}

impl fmt::Debug for Stores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stores").finish_non_exhaustive()
    }
}

/// Reads the first body bytes of a 2xx answer for an error the upstream embedded in its stream
/// (e.g. an SSE `error` event): such an answer fails over instead of committing.
pub type Inspect = Arc<dyn Fn(&Attempt, &[u8]) -> Option<ApiError> + Send + Sync>;

/// Why failover produced no response.
#[derive(Debug, thiserror::Error)]
pub enum FailoverError {
    /// The request carries no [`Routing`] extension.
    #[error("the request has no routing information")]
    MissingRouting,
    /// The model is unknown or not allowed.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Every candidate was skipped (or none exists): nothing was sent.
    #[error("{}", no_candidate(*skipped, *lasting))]
    NoCandidate {
        /// How many candidates were skipped.
        skipped: usize,
        /// Whether every skip was for a reason waiting cannot change ([`SkipReason::is_lasting`]).
        lasting: bool,
        /// When the soonest cooling or open key is usable again.
        retry_after: Option<Duration>,
    },
    /// Every attempt failed without an HTTP answer (connection errors, timeouts).
    #[error("every upstream attempt failed; the last: {last}")]
    Exhausted {
        /// The last failure.
        last: String,
    },
    /// The request could not be rewritten for an endpoint.
    #[error("could not prepare the upstream request: {0}")]
    Prepare(BoxError),
}

fn no_candidate(skipped: usize, lasting: bool) -> String {
    match (skipped, lasting) {
        (0, _) => "no provider serves this model".to_owned(),
        (_, true) => {
            format!("none of the {skipped} upstreams for this model can serve this request (see its trace)")
        }
        (_, false) => format!(
            "no upstream is available for this model now ({skipped} busy, cooling down or over a limit)"
        ),
    }
}

/// Applies [`Failover`] to a service.
#[derive(Clone)]
pub struct FailoverLayer<P = Unchanged> {
    stores: Stores,
    policy: FailoverPolicy,
    adaptive: AdaptiveConfig,
    prepare: Arc<P>,
    inspect: Option<Inspect>,
}

impl FailoverLayer {
    /// Failover over `stores`, with the default policy and the body left unchanged.
    pub fn new(stores: Stores) -> Self {
        FailoverLayer {
            stores,
            policy: FailoverPolicy::default(),
            adaptive: AdaptiveConfig::default(),
            prepare: Arc::new(Unchanged),
            inspect: None,
        }
    }
}

impl<P> FailoverLayer<P> {
    /// Sets the attempt limits.
    pub fn policy(mut self, policy: FailoverPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the affinity reserve (must match the health store's adaptive settings).
    pub fn adaptive(mut self, adaptive: AdaptiveConfig) -> Self {
        self.adaptive = adaptive;
        self
    }

    /// Sets the per-attempt body rewrite.
    pub fn prepare<Q>(self, prepare: Q) -> FailoverLayer<Q> {
        FailoverLayer {
            stores: self.stores,
            policy: self.policy,
            adaptive: self.adaptive,
            prepare: Arc::new(prepare),
            inspect: self.inspect,
        }
    }

    /// Sets the check of a 2xx answer's first bytes for an embedded error.
    pub fn inspect(
        mut self,
        inspect: impl Fn(&Attempt, &[u8]) -> Option<ApiError> + Send + Sync + 'static,
    ) -> Self {
        self.inspect = Some(Arc::new(inspect));
        self
    }
}

impl<P> fmt::Debug for FailoverLayer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailoverLayer").field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl<S, P> Layer<S> for FailoverLayer<P> {
    type Service = Failover<S, P>;

    fn layer(&self, inner: S) -> Failover<S, P> {
        Failover { inner, shared: Arc::new(self.clone_parts()) }
    }
}

impl<P> FailoverLayer<P> {
    fn clone_parts(&self) -> Shared<P> {
        Shared {
            stores: self.stores.clone(),
            policy: self.policy,
            adaptive: self.adaptive,
            prepare: Arc::clone(&self.prepare),
            inspect: self.inspect.clone(),
        }
    }
}

struct Shared<P> {
    stores: Stores,
    policy: FailoverPolicy,
    adaptive: AdaptiveConfig,
    prepare: Arc<P>,
    inspect: Option<Inspect>,
}

/// Walks a request's candidates over the upstream service `S` until one commits.
pub struct Failover<S, P = Unchanged> {
    inner: S,
    shared: Arc<Shared<P>>,
}

impl<S: Clone, P> Clone for Failover<S, P> {
    fn clone(&self) -> Self {
        Failover { inner: self.inner.clone(), shared: Arc::clone(&self.shared) }
    }
}

impl<S: fmt::Debug, P> fmt::Debug for Failover<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failover").field("inner", &self.inner).finish_non_exhaustive()
    }
}

/// The response future of [`Failover`]. The walk awaits the shared stores (dyn async traits, boxed
/// per call anyway), so it is one boxed future per request.
pub struct ResponseFuture<RB: Body> {
    inner: Pin<Box<dyn Future<Output = Answered<RB>> + Send>>,
}

/// What a [`Failover`] call resolves to.
type Answered<RB> = Result<Response<FailoverBody<RB>>, FailoverError>;

impl<RB: Body> Future for ResponseFuture<RB> {
    type Output = Result<Response<FailoverBody<RB>>, FailoverError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<RB: Body> fmt::Debug for ResponseFuture<RB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<S, P, B, RB> Service<Request<B>> for Failover<S, P>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError> + Send,
    P: Prepare<B>,
    B: Clone + Send + Sync + 'static,
    RB: Body + Send + Unpin + 'static,
    RB::Data: Send,
    RB::Error: fmt::Display,
{
    type Response = Response<FailoverBody<RB>>;
    type Error = FailoverError;
    type Future = ResponseFuture<RB>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), FailoverError>> {
        // Each attempt waits for the upstream's readiness itself.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture<RB> {
        let (inner, shared) = (self.inner.clone(), Arc::clone(&self.shared));
        ResponseFuture { inner: Box::pin(walk(inner, shared, request)) }
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// An HTTP answer, committed or not; `first` is the body frame read to decide.
struct Answer<RB: Body> {
    response: Response<RB>,
    first: Option<Frame<RB::Data>>,
    embedded: Option<ApiError>,
}

/// No answer.
struct Failed {
    observation: Observation<'static>,
    error: String,
}

/// How one attempt ended.
type Ended<RB> = Result<Answer<RB>, Failed>;

async fn walk<S, P, B, RB>(
    inner: S,
    shared: Arc<Shared<P>>,
    request: Request<B>,
) -> Result<Response<FailoverBody<RB>>, FailoverError>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError> + Send,
    P: Prepare<B>,
    B: Clone + Send + Sync + 'static,
    RB: Body + Send + Unpin + 'static,
    RB::Data: Send,
    RB::Error: fmt::Display,
{
    let stores = &shared.stores;
    let (mut parts, body) = request.into_parts();
    let Routing { principal, request: route } =
        parts.extensions.remove().ok_or(FailoverError::MissingRouting)?;
    let inbound = parts.extensions.get::<Inbound>().map(|inbound| (inbound.id, inbound.at));
    let snapshot = stores.snapshot.load();
    let now = now();
    let (request_id, arrived) = inbound.unwrap_or((RequestId::default(), now));
    let model = snapshot.canonical_model(&route.model).unwrap_or(&route.model).to_owned();
    let affinity_key = AffinityKey {
        client: principal.client_key,
        format: route.format,
        model,
        session: route.session.clone(),
    };
    let affinity = stores.affinity.get(&affinity_key, now).await;
    let view = View { now, affinity, health: &*stores.health, spend: &*stores.spend };
    let candidates = snapshot.candidates(&principal, &route, view)?;

    let mut trace = Trace {
        client_key: principal.client_key,
        format: route.format,
        model: route.model.clone(),
        entries: Vec::new(),
    };
    let (mut attempts, mut skipped, mut soonest, mut lasting) = (0, 0, None::<Duration>, true);
    let mut upstream_time = Duration::ZERO;
    let mut last: Option<Result<(Response<RB>, Attempt), String>> = None;
    for candidate in candidates {
        if attempts >= shared.policy.max_attempts {
            break;
        }
        if let Some(reason) = candidate.skip {
            lasting &= reason.is_lasting();
            record_skip(&mut trace, &candidate, reason, now, &mut skipped, &mut soonest);
            continue;
        }
        let tries = if candidate.affinity { 1 + shared.policy.affinity_retries } else { 1 };
        for try_number in 0..tries {
            if attempts >= shared.policy.max_attempts {
                break;
            }
            let tokens = route.needs.input_tokens.unwrap_or(0);
            let acquire = Acquire::new(&candidate, &*stores.health, &shared.adaptive, tokens);
            let lease = match stores.limiter.acquire(&acquire, now).await {
                Ok(lease) => lease,
                Err(limit) => {
                    lasting = false;
                    record_skip(&mut trace, &candidate, limit.into(), now, &mut skipped, &mut soonest);
                    break;
                }
            };
            attempts += 1;
            let attempt = Attempt::new(&candidate, &affinity_key.model, route.format, route.stream);
            let upstream =
                build(&parts, &body, candidate.endpoint, candidate.key, &attempt, &*shared.prepare)?;
            stores.health.begin(candidate.key.id, now).await;
            let started = Instant::now();
            let ended = send(inner.clone(), upstream, &attempt, shared.inspect.as_ref()).await;
            let latency = started.elapsed();
            upstream_time += latency;
            let (class, status, error) = judge(&ended);
            let report = Report {
                class,
                in_flight: lease.in_flight(),
                configured_concurrency: candidate.key.limits.max_concurrency,
            };
            let finished = now + latency;
            stores.health.report(candidate.key.id, report, finished).await;
            trace.entries.push(TraceEntry {
                target: candidate.target(),
                upstream_model: candidate.upstream_model.to_owned(),
                affinity: candidate.affinity,
                cross_format: candidate.cross_format,
                outcome: Outcome::Attempted { status, latency, class, error: error.clone() },
            });
            if !class.fails_over() {
                let reservation = TokenReservation::of(&stores.limiter, acquire);
                if class == Class::Success {
                    let ttl = candidate.key.cache_ttl;
                    stores.affinity.remember(affinity_key.clone(), candidate.target(), ttl, finished).await;
                }
                stores.traces.record(request_id, arrived, trace);
                return match ended {
                    Ok(Answer { response, first, .. }) => {
                        let mut response = commit(response, first, Some(lease), Some(attempt), upstream_time);
                        if let Some(reservation) = reservation {
                            response.extensions_mut().insert(reservation);
                        }
                        Ok(response)
                    }
                    Err(Failed { error, .. }) => Err(FailoverError::Exhausted { last: error }),
                };
            }
            if candidate.affinity {
                stores.affinity.forget(&affinity_key).await;
            }
            last = Some(match ended {
                Ok(Answer { response, .. }) => Ok((response, attempt)),
                Err(Failed { error, .. }) => Err(error),
            });
            let retry_same = class == Class::Transient && try_number + 1 < tries;
            if !retry_same {
                break;
            }
        }
    }
    stores.traces.record(request_id, arrived, trace);
    match last {
        Some(Ok((response, attempt))) => Ok(commit(response, None, None, Some(attempt), upstream_time)),
        Some(Err(last)) => Err(FailoverError::Exhausted { last }),
        None => Err(FailoverError::NoCandidate { skipped, lasting, retry_after: soonest }),
    }
}

fn record_skip(
    trace: &mut Trace,
    candidate: &aether_core::schedule::Candidate<'_>,
    reason: SkipReason,
    now: Timestamp,
    skipped: &mut usize,
    soonest: &mut Option<Duration>,
) {
    *skipped += 1;
    if let Some(wait) = wait_for(&reason, now) {
        *soonest = Some(soonest.map_or(wait, |s| s.min(wait)));
    }
    trace.entries.push(TraceEntry {
        target: candidate.target(),
        upstream_model: candidate.upstream_model.to_owned(),
        affinity: candidate.affinity,
        cross_format: candidate.cross_format,
        outcome: Outcome::Skipped(reason),
    });
}

/// The upstream request of one attempt: the client's method, headers and body, the endpoint's URI,
/// the key's credential, then the caller's rewrite.
fn build<B: Clone, P: Prepare<B> + ?Sized>(
    parts: &http::request::Parts,
    body: &B,
    endpoint: &aether_core::catalogue::Endpoint,
    key: &ProviderKey,
    attempt: &Attempt,
    prepare: &P,
) -> Result<Request<B>, FailoverError> {
    let mut request = Request::new(body.clone());
    *request.method_mut() = parts.method.clone();
    *request.headers_mut() = parts.headers.clone();
    *request.extensions_mut() = parts.extensions.clone();
    *request.uri_mut() = attempt::upstream_uri(endpoint, attempt).map_err(FailoverError::Prepare)?;
    attempt::set_headers(request.headers_mut(), endpoint, key.secret.expose(), attempt)
        .map_err(FailoverError::Prepare)?;
    request.extensions_mut().insert(attempt.clone());
    prepare.prepare(&mut request, attempt).map_err(FailoverError::Prepare)?;
    Ok(request)
}

/// Sends one attempt and waits for its answer and, for a 2xx, its first body frame, within the
/// endpoint's first-byte deadline.
async fn send<S, B, RB>(
    inner: S,
    request: Request<B>,
    attempt: &Attempt,
    inspect: Option<&Inspect>,
) -> Ended<RB>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
    RB: Body + Unpin,
    RB::Error: fmt::Display,
{
    let deadline = attempt.timeouts.first_byte.map(|limit| Instant::now() + limit);
    let call = inner.oneshot(request);
    let answer = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, call).await {
            Ok(answer) => answer,
            Err(_) => {
                return failed(Observation::Timeout, "no response headers before the first-byte timeout");
            }
        },
        None => call.await,
    };
    let mut response = match answer {
        Ok(response) => response,
        Err(error) => {
            let error = error.into();
            // The transport says which of its limits fired; anything else broke the connection.
            let timed_out = error.downcast_ref::<TransportError>().is_some_and(TransportError::is_timeout);
            let observation = if timed_out { Observation::Timeout } else { Observation::Connect };
            return failed(observation, &error.to_string());
        }
    };
    if !response.status().is_success() || response.body().is_end_stream() {
        return Ok(Answer { response, first: None, embedded: None });
    }
    let first = std::future::poll_fn(|cx| Pin::new(response.body_mut()).poll_frame(cx));
    let first = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, first).await {
            Ok(first) => first,
            Err(_) => {
                return failed(Observation::FirstByteTimeout, "no body bytes before the first-byte timeout");
            }
        },
        None => first.await,
    };
    let first = match first.transpose() {
        Ok(first) => first,
        Err(error) => {
            return failed(Observation::Connect, &format!("the body failed before its first bytes: {error}"));
        }
    };
    let embedded = match (&first, inspect) {
        (Some(frame), Some(inspect)) => frame.data_ref().and_then(|data| inspect(attempt, data.chunk())),
        _ => None,
    };
    Ok(Answer { response, first, embedded })
}

fn failed<RB: Body>(observation: Observation<'static>, error: &str) -> Ended<RB> {
    Err(Failed { observation, error: error.to_owned() })
}

/// Classifies an attempt: its class, the status it had and what went wrong.
fn judge<RB: Body>(ended: &Ended<RB>) -> (Class, Option<u16>, Option<String>) {
    match ended {
        Ok(Answer { response, embedded: Some(error), .. }) => {
            let class = classify(Observation::EmbeddedError(Some(error)));
            (
                class,
                Some(response.status().as_u16()),
                Some(format!("error in the first events: {}", error.message)),
            )
        }
        Ok(Answer { response, .. }) => {
            let status = response.status().as_u16();
            let class =
                classify(Observation::Response { status, retry_after: retry_after(response), error: None });
            let error = (class != Class::Success).then(|| format!("upstream answered {status}"));
            (class, Some(status), error)
        }
        Err(Failed { observation, error }) => (classify(*observation), None, Some(error.clone())),
    }
}

/// The `Retry-After` (or `retry-after-ms`) an answer asked for.
fn retry_after<RB>(response: &Response<RB>) -> Option<Duration> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    header("retry-after-ms")
        .and_then(|v| parse_retry_after(v, true))
        .or_else(|| header("retry-after").and_then(|v| parse_retry_after(v, false)))
}

/// The response handed back: its body replays `first` and holds `lease`; its extensions say which
/// attempt answered and how long the upstreams took.
fn commit<RB: Body>(
    response: Response<RB>,
    first: Option<Frame<RB::Data>>,
    lease: Option<Lease>,
    attempt: Option<Attempt>,
    upstream_time: Duration,
) -> Response<FailoverBody<RB>> {
    let mut response = response.map(|body| FailoverBody::new(body, first, lease));
    if let Some(attempt) = attempt {
        response.extensions_mut().insert(attempt);
    }
    response.extensions_mut().insert(UpstreamTime(upstream_time));
    response
}

/// The tokens an attempt reserved against its provider key's and endpoint's tokens-per-minute limits,
/// in the response's extensions when either has one, for the meter to correct with the tokens used.
#[derive(Clone)]
pub struct TokenReservation {
    limiter: Arc<dyn Limiter>,
    acquire: Acquire,
}

impl TokenReservation {
    /// The reservation of `acquire`, if a tokens-per-minute limit counts it.
    fn of(limiter: &Arc<dyn Limiter>, acquire: Acquire) -> Option<TokenReservation> {
        let counted = acquire.key_limits.tpm.is_some() || acquire.endpoint_limits.tpm.is_some();
        counted.then(|| TokenReservation { limiter: Arc::clone(limiter), acquire })
    }

    /// Replaces the estimate reserved with the `used` count: at once when the limiter can (in memory),
    /// else as a task of the current runtime, for a limiter that answers over the network (outside a
    /// runtime, the estimate stands).
    pub fn settle(self, used: u64, at: Timestamp) {
        let mut settling = Box::pin(async move { self.limiter.settle(&self.acquire, used, at).await });
        if (&mut settling).now_or_never().is_none()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(settling);
        }
    }
}

impl fmt::Debug for TokenReservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenReservation").field("acquire", &self.acquire).finish_non_exhaustive()
    }
}

/// How long the upstreams took to answer a request, over all its attempts (up to the first body
/// bytes of the one that committed), in the response's extensions: the rest is the gateway's own time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpstreamTime(pub Duration);
