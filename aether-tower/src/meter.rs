//! Metering: every admitted request ends as one usage record (tokens, list and actual cost, status,
//! latencies), written when the last part of the exchange lets go of its [`Tally`]: the response
//! body when it ends, or the request when it is dropped half-way (the client went away: 499).
//!
//! ```
//! use std::convert::Infallible;
//! use std::sync::{Arc, Mutex};
//! use aether_core::WireFormat;
//! use aether_core::pricing::PriceTable;
//! use aether_core::store::UsageRecord;
//! use aether_tower::meter::{MeterLayer, Recorder};
//! use aether_tower::{Inbound, full_body};
//! use http::{Request, Response};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! #[derive(Default)]
//! struct Records(Mutex<Vec<UsageRecord>>);
//! impl Recorder for Records {
//!     fn record(&self, record: UsageRecord) { self.0.lock().unwrap().push(record) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let records = Arc::new(Records::default());
//! let ok = service_fn(|_: Request<()>| async { Ok::<_, Infallible>(Response::new(full_body("{}"))) });
//! let prices = Arc::new(PriceTable::new());
//! let service = MeterLayer::new(records.clone(), Arc::new(prices)).layer(ok);
//! let mut request = Request::new(());
//! request.extensions_mut().insert(Inbound::new(WireFormat::OpenAiChat));
//! let response = service.oneshot(request).await?;
//! assert!(response.headers().contains_key("x-request-id"));
//! drop(response);
//! assert_eq!(records.0.lock().unwrap()[0].status, 200);
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, SystemTime};

use aether_core::Timestamp;
use aether_core::Usage;
use aether_core::admission::{Pass, Settlement};
use aether_core::catalogue::Multiplier;
use aether_core::estimate;
use aether_core::pricing::{Charge, Decimal, KeyTerms, Outcome, PriceTable};
use aether_core::store::{UsageRecord, UserId};
use http::{HeaderValue, Request, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::admission::Admitted;
use crate::auth::Identity;
use crate::error::ErrorKindName;
use crate::failover::{Attempt, Routing, TokenReservation, UpstreamTime};
use crate::route::Parsed;
use crate::{Body, Inbound};

/// Where usage records go. Must not block: it is called on the request path (a batched writer).
pub trait Recorder: Send + Sync + 'static {
    /// Takes one request's record.
    fn record(&self, record: UsageRecord);
}

/// Where the current price table comes from (refreshed by the server on change).
pub trait PriceSource: Send + Sync + 'static {
    /// The prices to charge with.
    fn load(&self) -> Arc<PriceTable>;
}

/// A fixed price table.
impl PriceSource for Arc<PriceTable> {
    fn load(&self) -> Arc<PriceTable> {
        Arc::clone(self)
    }
}

/// The response header carrying the time spent inside the gateway, in microseconds: from arrival
/// to the response head, less the time the upstreams took.
pub const OVERHEAD_HEADER: &str = "x-aether-overhead-us";

/// What the response body saw, reported to the [`Tally`] as it goes.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Tokens so far (a stream reports them as it goes).
    pub usage: Usage,
    /// The body ended normally.
    pub completed: bool,
    /// The upstream failed in the middle of the body, or its stream carried an error.
    pub error: Option<String>,
    /// When the first body bytes went out, from arrival.
    pub first_byte: Option<Duration>,
}

/// One request's record in the making, shared by whatever part of the exchange is still alive.
#[derive(Clone)]
pub struct Tally(Arc<Mutex<Record>>);

impl Tally {
    /// Updates what the body saw.
    pub fn seen<T>(&self, update: impl FnOnce(&mut Seen) -> T) -> T {
        update(&mut self.lock().seen)
    }

    fn lock(&self) -> MutexGuard<'_, Record> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tally").finish_non_exhaustive()
    }
}

/// Everything a usage record needs; written when dropped.
struct Record {
    inbound: Inbound,
    user: Option<UserId>,
    client_key: Option<aether_core::catalogue::ClientKeyId>,
    model: String,
    stream: bool,
    parsed: Option<Parsed>,
    pass: Option<Pass>,
    attempt: Option<Attempt>,
    reservation: Option<TokenReservation>,
    status: Option<u16>,
    error_kind: Option<&'static str>,
    seen: Seen,
    recorder: Arc<dyn Recorder>,
    prices: Arc<dyn PriceSource>,
}

impl Drop for Record {
    fn drop(&mut self) {
        let latency = self.inbound.started.elapsed();
        // No head, or a body that never ended: the client went away first.
        let status = match self.status {
            Some(status) if self.seen.completed || self.seen.error.is_some() => status,
            _ => 499,
        };
        let success = (200..300).contains(&status) && self.seen.completed && self.seen.error.is_none();
        let usage = self.usage();
        let charge = match &self.attempt {
            Some(attempt) => {
                let terms = terms(attempt.rate_multiplier);
                let outcome = if success { Outcome::Success } else { Outcome::Failure };
                self.prices.load().cost(&attempt.model, self.inbound.at, &usage.usage, outcome, &terms)
            }
            None => Charge::Unpriced,
        };
        let tokens = usage.usage.total_input() + usage.usage.output;
        let at = Timestamp::from_system_time(SystemTime::now());
        if let Some(pass) = self.pass.take() {
            pass.settle(Settlement { cost: charge.list_total().unwrap_or_default(), tokens, at });
        }
        if let Some(reservation) = self.reservation.take() {
            reservation.settle(tokens, at);
        }
        let error_kind = self
            .error_kind
            .map(str::to_owned)
            .or_else(|| self.seen.error.as_ref().map(|_| "upstream_stream_error".to_owned()))
            .or_else(|| (status == 499).then(|| "client_disconnected".to_owned()))
            .or_else(|| (status >= 400).then(|| "upstream_error".to_owned()));
        self.recorder.record(UsageRecord {
            request_id: self.inbound.id,
            at: self.inbound.at,
            user: self.user,
            client_key: self.client_key,
            target: self.attempt.as_ref().map(|a| a.target),
            client_format: self.inbound.format,
            upstream_format: self.attempt.as_ref().map(|a| a.format),
            model: std::mem::take(&mut self.model),
            upstream_model: self.attempt.as_ref().map(|a| a.upstream_model.clone()),
            usage,
            charge,
            status,
            error_kind,
            latency_ms: millis(latency),
            first_byte_ms: self.seen.first_byte.map(millis),
            stream: self.stream,
        });
    }
}

impl Record {
    /// What the upstream reported; when it reported nothing for a request that reached it, the
    /// input estimated from the request (flagged as an estimate).
    fn usage(&self) -> estimate::EstimatedUsage {
        let reported = self.seen.usage;
        match &self.parsed {
            Some(Parsed(request)) if reported == Usage::default() && self.attempt.is_some() => {
                estimate::usage(request, "")
            }
            _ => estimate::EstimatedUsage { usage: reported, estimated: false },
        }
    }
}

/// The pricing terms of a key with this multiplier (the list price if the stored multiplier is
/// out of range, which the catalogue's validation prevents).
fn terms(multiplier: Multiplier) -> KeyTerms {
    let rate = Decimal::new(i64::try_from(multiplier.0).unwrap_or(i64::MAX), 6);
    KeyTerms::new(rate).unwrap_or_default()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Applies [`Meter`].
#[derive(Clone)]
pub struct MeterLayer {
    recorder: Arc<dyn Recorder>,
    prices: Arc<dyn PriceSource>,
}

impl MeterLayer {
    /// Metering into `recorder`, charging by `prices`.
    pub fn new(recorder: Arc<dyn Recorder>, prices: Arc<dyn PriceSource>) -> Self {
        MeterLayer { recorder, prices }
    }
}

impl fmt::Debug for MeterLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeterLayer").finish_non_exhaustive()
    }
}

impl<S> Layer<S> for MeterLayer {
    type Service = Meter<S>;

    fn layer(&self, inner: S) -> Meter<S> {
        Meter { inner, layer: self.clone() }
    }
}

/// Puts a [`Tally`] in each request's extensions for the layers below to report to, stamps the
/// response with `x-request-id` and [`OVERHEAD_HEADER`], and records the request's usage when the
/// exchange ends.
#[derive(Clone, Debug)]
pub struct Meter<S> {
    inner: S,
    layer: MeterLayer,
}

impl<S, B> Service<Request<B>> for Meter<S>
where
    S: Service<Request<B>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let extensions = request.extensions();
        let Some(inbound) = extensions.get::<Inbound>().cloned() else {
            return ResponseFuture { inner: None, tally: None };
        };
        let identity = extensions.get::<Identity>();
        let routing = extensions.get::<Routing>();
        let record = Record {
            user: identity.and_then(|i| i.user.as_ref().map(|u| u.id)),
            client_key: identity.map(|i| i.key.id),
            model: routing.map(|r| r.request.model.clone()).unwrap_or_default(),
            stream: routing.is_some_and(|r| r.request.stream),
            parsed: extensions.get::<Parsed>().cloned(),
            pass: extensions.get::<Admitted>().and_then(Admitted::take),
            inbound,
            attempt: None,
            reservation: None,
            status: None,
            error_kind: None,
            seen: Seen::default(),
            recorder: Arc::clone(&self.layer.recorder),
            prices: Arc::clone(&self.layer.prices),
        };
        let tally = Tally(Arc::new(Mutex::new(record)));
        request.extensions_mut().insert(tally.clone());
        ResponseFuture { inner: Some(self.inner.call(request)), tally: Some(tally) }
    }
}

pin_project! {
    /// The response future of [`Meter`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: Option<F>,
        tally: Option<Tally>,
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            return Poll::Ready(Ok(crate::route::missing("Inbound")));
        };
        let Ok(mut response) = ready!(inner.poll(cx));
        if let Some(tally) = this.tally.take() {
            stamp(&tally, &mut response);
        }
        Poll::Ready(Ok(response))
    }
}

/// Notes the response head in the tally and stamps the request id and overhead headers.
fn stamp(tally: &Tally, response: &mut Response<Body>) {
    let mut record = tally.lock();
    record.status = Some(response.status().as_u16());
    record.attempt = response.extensions().get::<Attempt>().cloned();
    record.reservation = response.extensions_mut().remove::<TokenReservation>();
    record.error_kind = response.extensions().get::<ErrorKindName>().map(|kind| kind.0);
    if response.extensions().get::<Attempt>().is_none() {
        // Answered by the gateway itself: nothing more will come.
        record.seen.completed = true;
    }
    let upstream = response.extensions().get::<UpstreamTime>().map(|t| t.0).unwrap_or_default();
    let overhead = record.inbound.started.elapsed().saturating_sub(upstream);
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(record.inbound.id.hyphenated().as_str()) {
        headers.insert("x-request-id", id);
    }
    headers
        .insert(OVERHEAD_HEADER, HeaderValue::from(u64::try_from(overhead.as_micros()).unwrap_or(u64::MAX)));
}
