//! Failover against mock upstreams (`tower::service_fn`, no network): every outcome class, limits,
//! affinity and the trace.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use aether_core::Timestamp;
use aether_core::catalogue::{
    Catalogue, Endpoint, GlobalModel, KeyId, Limits, Model, Provider, ProviderKey, Timeouts,
};
use aether_core::schedule::{
    Class, FailoverPolicy, Health, HealthView, InMemoryHealth, InMemoryTraces, KeyHealth, Mode, Outcome,
    Principal, RouteRequest, SkipReason, Snapshot, Trace,
};
use aether_core::{ApiError, ErrorKind, WireFormat};
use aether_tower::failover::{Attempt, FailoverError, FailoverLayer, Routing, Stores};
use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use tower::{Layer, Service, ServiceExt, service_fn};

const MODEL: &str = "claude-opus-4-8";

/// What the mock upstream does for a key secret.
#[derive(Clone)]
enum Behaviour {
    Status(u16, &'static [(&'static str, &'static str)]),
    Refuse,
    Stall,
    Body(&'static str),
}

type Seen = Arc<Mutex<Vec<(String, String, String)>>>;

/// Provider 1 (Anthropic endpoint 10, keys 11 then 12) before provider 2 (OpenAI Chat endpoint 20,
/// key 21, serving the model by mapping).
fn catalogue() -> Catalogue {
    let mut c = Catalogue::default();
    c.providers.push(Provider::new(1, "p1"));
    c.providers.push(Provider { priority: 1, ..Provider::new(2, "p2") });
    c.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, "https://p1.test"));
    c.endpoints.push(Endpoint::new(20, 2, WireFormat::OpenAiChat, "https://p2.test/v1"));
    c.keys.push(ProviderKey::new(11, 1, "sk-11"));
    c.keys.push(ProviderKey { priority: 1, ..ProviderKey::new(12, 1, "sk-12") });
    c.keys.push(ProviderKey::new(21, 2, "sk-21"));
    c.global_models.push(GlobalModel::new(MODEL));
    c.models.push(Model::new(MODEL, 1, MODEL));
    c.models.push(Model::new(MODEL, 2, "opus-at-p2").with_endpoint(20));
    c
}

struct Harness {
    health: Arc<InMemoryHealth>,
    traces: Arc<InMemoryTraces>,
    seen: Seen,
    stores: Stores,
}

impl Harness {
    fn new(catalogue: &Catalogue) -> Harness {
        let snapshot = Arc::new(Snapshot::compile(catalogue, Mode::Provider).expect("compiles"));
        let health = Arc::new(InMemoryHealth::default());
        let traces = Arc::new(InMemoryTraces::default());
        let stores = Stores { health: health.clone(), traces: traces.clone(), ..Stores::in_memory(snapshot) };
        Harness { health, traces, seen: Seen::default(), stores }
    }

    fn upstream(
        &self,
        behaviours: &[(&str, Behaviour)],
    ) -> impl Service<
        Request<Bytes>,
        Response = Response<BoxBody<Bytes, Infallible>>,
        Error = std::io::Error,
        Future = impl Send,
    > + Clone
    + Send
    + 'static {
        let behaviours: Arc<HashMap<String, Behaviour>> =
            Arc::new(behaviours.iter().map(|(k, b)| (k.to_string(), b.clone())).collect());
        let seen = self.seen.clone();
        service_fn(move |request: Request<Bytes>| {
            let (behaviours, seen) = (behaviours.clone(), seen.clone());
            async move {
                let header =
                    |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
                let secret = match header("x-api-key") {
                    "" => header("authorization").trim_start_matches("Bearer ").to_owned(),
                    key => key.to_owned(),
                };
                let attempt = request
                    .extensions()
                    .get::<Attempt>()
                    .map(|a| a.upstream_model.clone())
                    .unwrap_or_default();
                seen.lock().expect("not poisoned").push((secret.clone(), request.uri().to_string(), attempt));
                let ok = |status: u16, body: BoxBody<Bytes, Infallible>| {
                    let mut response = Response::new(body);
                    *response.status_mut() = http::StatusCode::from_u16(status).expect("valid status");
                    response
                };
                match behaviours.get(&secret).cloned().unwrap_or(Behaviour::Status(200, &[])) {
                    Behaviour::Status(status, headers) => {
                        let mut response = ok(status, Full::new(Bytes::from_static(b"{}")).boxed());
                        for (name, value) in headers {
                            response.headers_mut().insert(*name, value.parse().expect("valid header"));
                        }
                        Ok(response)
                    }
                    Behaviour::Refuse => {
                        Err(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"))
                    }
                    Behaviour::Stall => Ok(ok(200, BoxBody::new(Stalled))),
                    Behaviour::Body(text) => {
                        Ok(ok(200, Full::new(Bytes::from_static(text.as_bytes())).boxed()))
                    }
                }
            }
        })
    }

    fn secrets_tried(&self) -> Vec<String> {
        self.seen.lock().expect("not poisoned").iter().map(|(secret, _, _)| secret.clone()).collect()
    }

    fn trace(&self) -> Vec<(u64, Outcome)> {
        let traces: Vec<Trace> = self.traces.take();
        assert_eq!(traces.len(), 1, "one trace per request");
        traces[0].entries.iter().map(|e| (e.target.key.0, e.outcome.clone())).collect()
    }
}

/// A body whose first bytes never come.
struct Stalled;

impl Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

fn request(client: u64) -> Request<Bytes> {
    let mut request = Request::post("/v1/messages").body(Bytes::from_static(b"{}")).expect("valid request");
    request.headers_mut().insert("x-api-key", "client-secret".parse().expect("valid"));
    let route = RouteRequest { stream: true, ..RouteRequest::new(WireFormat::Anthropic, MODEL) };
    request.extensions_mut().insert(Routing { principal: Principal::new(client), request: route });
    request
}

fn class_of(outcome: &Outcome) -> Option<Class> {
    match outcome {
        Outcome::Attempted { class, .. } => Some(*class),
        Outcome::Skipped(_) => None,
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

#[tokio::test]
async fn fails_over_across_keys_and_providers_rewriting_each_attempt() {
    let h = Harness::new(&catalogue());
    let upstream = h.upstream(&[("sk-11", Behaviour::Status(500, &[])), ("sk-12", Behaviour::Refuse)]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let response = service.oneshot(request(1)).await.expect("answered");
    assert_eq!(response.status(), 200);
    let seen = h.seen.lock().expect("not poisoned").clone();
    assert_eq!(
        seen,
        [
            ("sk-11".into(), "https://p1.test/v1/messages".into(), MODEL.into()),
            ("sk-12".into(), "https://p1.test/v1/messages".into(), MODEL.into()),
            ("sk-21".into(), "https://p2.test/v1/chat/completions".into(), "opus-at-p2".into()),
        ],
        "the client's own credential never reaches an upstream"
    );
    let classes: Vec<(u64, Option<Class>)> = h.trace().iter().map(|(k, o)| (*k, class_of(o))).collect();
    assert_eq!(
        classes,
        [(11, Some(Class::Transient)), (12, Some(Class::Transient)), (21, Some(Class::Success))]
    );
}

#[tokio::test]
async fn an_unauthorised_key_is_disabled_until_restored() {
    let h = Harness::new(&catalogue());
    let upstream = h.upstream(&[("sk-11", Behaviour::Status(401, &[]))]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let response = service.clone().oneshot(request(1)).await.expect("answered");
    assert_eq!(response.status(), 200);
    assert_eq!(h.secrets_tried(), ["sk-11", "sk-12"]);
    assert_eq!(h.health.key_health(KeyId(11), now()), KeyHealth::Disabled);
    h.traces.take();

    service.clone().oneshot(request(2)).await.expect("answered");
    assert_eq!(h.trace()[0], (11, Outcome::Skipped(SkipReason::Disabled)), "another client, no affinity");
    h.health.restore(KeyId(11)).await;
    assert_eq!(h.health.key_health(KeyId(11), now()), KeyHealth::Healthy);
}

#[tokio::test]
async fn a_429_cools_the_key_for_its_retry_after() {
    let h = Harness::new(&catalogue());
    let upstream = h.upstream(&[("sk-11", Behaviour::Status(429, &[("retry-after", "30")]))]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let before = now();
    let response = service.clone().oneshot(request(1)).await.expect("answered");
    assert_eq!(response.status(), 200);
    match h.health.key_health(KeyId(11), now()) {
        KeyHealth::CoolingDown { until } => {
            let cooling = until.since(before);
            assert!(cooling >= Duration::from_secs(30) && cooling < Duration::from_secs(32), "{cooling:?}");
        }
        other => panic!("expected a cool-down, got {other:?}"),
    }
    h.traces.take();
    service.oneshot(request(2)).await.expect("answered");
    assert!(matches!(h.trace()[0], (11, Outcome::Skipped(SkipReason::CoolingDown { .. }))));
}

#[tokio::test]
async fn a_client_error_goes_straight_back() {
    let h = Harness::new(&catalogue());
    let upstream = h.upstream(&[("sk-11", Behaviour::Status(400, &[]))]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let response = service.oneshot(request(1)).await.expect("answered");
    assert_eq!(response.status(), 400);
    assert_eq!(h.secrets_tried(), ["sk-11"]);
    assert_eq!(h.health.key_health(KeyId(11), now()), KeyHealth::Healthy, "the key did nothing wrong");
    assert_eq!(class_of(&h.trace()[0].1), Some(Class::ClientError));
}

#[tokio::test]
async fn attempts_stop_at_the_limit_and_the_last_answer_is_returned() {
    let h = Harness::new(&catalogue());
    let overloaded = Behaviour::Status(529, &[]);
    let upstream = h.upstream(&[
        ("sk-11", Behaviour::Status(503, &[])),
        ("sk-12", overloaded.clone()),
        ("sk-21", overloaded),
    ]);
    let policy = FailoverPolicy { max_attempts: 2, ..FailoverPolicy::default() };
    let service = FailoverLayer::new(h.stores.clone()).policy(policy).layer(upstream);
    let response = service.oneshot(request(1)).await.expect("the last upstream answer");
    assert_eq!(response.status(), 529);
    assert_eq!(h.secrets_tried(), ["sk-11", "sk-12"]);
}

#[tokio::test]
async fn nothing_usable_is_an_error_with_the_soonest_retry() {
    let h = Harness::new(&catalogue());
    let retry = Behaviour::Status(429, &[("retry-after", "20")]);
    let upstream = h.upstream(&[("sk-11", retry.clone()), ("sk-12", retry.clone()), ("sk-21", retry)]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let response = service.clone().oneshot(request(1)).await.expect("the last 429");
    assert_eq!(response.status(), 429);
    match service.oneshot(request(1)).await {
        Err(FailoverError::NoCandidate { skipped: 3, lasting: false, retry_after: Some(wait) }) => {
            assert!(wait <= Duration::from_secs(20) && wait > Duration::from_secs(18), "{wait:?}");
        }
        other => panic!("expected no candidate, got {:?}", other.map(|r| r.status())),
    }
}

#[tokio::test(start_paused = true)]
async fn a_first_byte_timeout_moves_on() {
    let mut c = catalogue();
    c.endpoints[0].timeouts = Timeouts { first_byte: Some(Duration::from_secs(5)), ..Timeouts::default() };
    let h = Harness::new(&c);
    let upstream = h.upstream(&[("sk-11", Behaviour::Stall)]);
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    let response = service.oneshot(request(1)).await.expect("answered");
    assert_eq!(response.status(), 200);
    assert_eq!(h.secrets_tried(), ["sk-11", "sk-12"]);
    match &h.trace()[0].1 {
        Outcome::Attempted { class: Class::Transient, status: None, latency, .. } => {
            assert_eq!(*latency, Duration::from_secs(5));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_in_the_first_events_fails_over_and_the_body_is_replayed() {
    let h = Harness::new(&catalogue());
    let upstream = h.upstream(&[
        ("sk-11", Behaviour::Body("event: error\ndata: {\"type\":\"overloaded_error\"}\n\n")),
        ("sk-12", Behaviour::Body("event: message_start\ndata: {}\n\n")),
    ]);
    let inspect = |_: &Attempt, bytes: &[u8]| {
        bytes.starts_with(b"event: error").then(|| ApiError::new(ErrorKind::Overloaded, "overloaded"))
    };
    let service = FailoverLayer::new(h.stores.clone()).inspect(inspect).layer(upstream);
    let response = service.oneshot(request(1)).await.expect("answered");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, "event: message_start\ndata: {}\n\n", "the bytes read to commit are not lost");
    assert!(matches!(h.health.key_health(KeyId(11), now()), KeyHealth::CoolingDown { .. }));
}

#[tokio::test]
async fn the_concurrency_lease_lasts_as_long_as_the_body() {
    let mut c = catalogue();
    c.keys[0].limits = Limits { max_concurrency: Some(1), ..Limits::default() };
    let h = Harness::new(&c);
    let service = FailoverLayer::new(h.stores.clone()).layer(h.upstream(&[]));
    let streaming = service.clone().oneshot(request(1)).await.expect("answered");
    h.traces.take();
    service.clone().oneshot(request(2)).await.expect("answered");
    assert_eq!(
        h.trace()[0],
        (11, Outcome::Skipped(SkipReason::Concurrency)),
        "the first body still holds the slot"
    );
    drop(streaming);
    service.oneshot(request(3)).await.expect("answered");
    assert_eq!(class_of(&h.trace()[0].1), Some(Class::Success));
}

#[tokio::test]
async fn success_builds_affinity_and_the_affinity_key_gets_a_retry() {
    let mut c = catalogue();
    c.keys[1].priority = 0; // keys 11 and 12 tie: the client's hash decides
    let h = Harness::new(&c);
    let service = FailoverLayer::new(h.stores.clone()).layer(h.upstream(&[]));
    service.clone().oneshot(request(42)).await.expect("answered");
    let first = h.trace()[0].0;
    let other = if first == 11 { "sk-12" } else { "sk-11" };
    let sticky = format!("sk-{first}");

    // The affinity key fails once (retried on the same key), while the other key would answer.
    let flaky = Arc::new(Mutex::new(1));
    let inner = h.upstream(&[]);
    let upstream = service_fn(move |request: Request<Bytes>| {
        let fail = request.headers().get("x-api-key").is_some_and(|v| v == sticky.as_str())
            && std::mem::replace(&mut *flaky.lock().expect("not poisoned"), 0) == 1;
        let inner = inner.clone();
        async move {
            if fail {
                return Err(std::io::Error::other("reset"));
            }
            inner.oneshot(request).await
        }
    });
    let service = FailoverLayer::new(h.stores.clone()).layer(upstream);
    service.oneshot(request(42)).await.expect("answered");
    let trace = h.traces.take();
    let entries: Vec<(u64, bool, Option<Class>)> =
        trace[0].entries.iter().map(|e| (e.target.key.0, e.affinity, class_of(&e.outcome))).collect();
    assert_eq!(entries, [(first, true, Some(Class::Transient)), (first, true, Some(Class::Success))]);
    assert!(!h.secrets_tried().contains(&other.to_owned()));
}

#[tokio::test]
async fn a_request_without_routing_is_refused() {
    let h = Harness::new(&catalogue());
    let service = FailoverLayer::new(h.stores.clone()).layer(h.upstream(&[]));
    let request = Request::post("/v1/messages").body(Bytes::new()).expect("valid");
    assert!(matches!(service.oneshot(request).await, Err(FailoverError::MissingRouting)));
}
