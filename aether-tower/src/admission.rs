//! Admission: the key's and its user's rate limits, concurrency and quota, before anything is sent
//! upstream.
//!
//! ```
//! use std::convert::Infallible;
//! use std::sync::Arc;
//! use aether_core::WireFormat;
//! use aether_core::admission::InMemoryAdmission;
//! use aether_core::catalogue::Limits;
//! use aether_core::store::{ClientKey, KeyHash};
//! use aether_tower::admission::AdmissionLayer;
//! use aether_tower::auth::Identity;
//! use aether_tower::{Inbound, full_body};
//! use http::{Request, Response};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ok = service_fn(|_: Request<()>| async { Ok::<_, Infallible>(Response::new(full_body(""))) });
//! let service = AdmissionLayer::new(Arc::new(InMemoryAdmission::default())).layer(ok);
//! let key = ClientKey { limits: Limits { rpm: Some(1), ..Limits::default() }, ..ClientKey::new("k", KeyHash::of("sk-1"), "sk-1") };
//! let identity = Identity::new(key, None);
//! let request = || {
//!     let mut request = Request::new(());
//!     request.extensions_mut().insert(Inbound::new(WireFormat::OpenAiChat));
//!     request.extensions_mut().insert(identity.clone());
//!     request
//! };
//! assert_eq!(service.clone().oneshot(request()).await?.status(), 200);
//! assert_eq!(service.oneshot(request()).await?.status(), 429, "one request per minute");
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use aether_core::Timestamp;
use aether_core::admission::{Admission, Admit, Budget, Gate, Pass, Refusal, Scope};
use aether_core::pricing::{Decimal, KeyTerms, Outcome, PriceTable};
use aether_core::schedule::LimitExceeded;
use aether_core::{Usage, estimate, ir};
use http::{Request, Response};
use tower::{Layer, Service};

use crate::auth::Identity;
use crate::failover::Routing;
use crate::meter::PriceSource;
use crate::route::Parsed;
use crate::route::missing;
use crate::{Body, GatewayError, Inbound};

/// An admitted request's [`Pass`], in its extensions until the meter settles it with the actual
/// cost (or it is dropped with the request).
#[derive(Clone, Debug)]
pub struct Admitted(Arc<Mutex<Option<Pass>>>);

impl Admitted {
    /// Takes the pass, to settle it.
    pub fn take(&self) -> Option<Pass> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Applies [`AdmissionService`] against shared counters.
#[derive(Clone)]
pub struct AdmissionLayer {
    admission: Arc<dyn Admission>,
    prices: Option<Arc<dyn PriceSource>>,
}

impl AdmissionLayer {
    /// Admission against `admission`'s counters; budgets are checked, and nothing is reserved.
    pub fn new(admission: Arc<dyn Admission>) -> Self {
        AdmissionLayer { admission, prices: None }
    }

    /// Also reserves, for a key or user with a quota, the request's list cost at most: its input
    /// (estimated) and all the output it allows (`max_tokens`), priced by `prices`. Concurrent
    /// requests then overshoot a quota by no more than their actual cost beyond that reservation.
    pub fn reserving(mut self, prices: Arc<dyn PriceSource>) -> Self {
        self.prices = Some(prices);
        self
    }
}

impl std::fmt::Debug for AdmissionLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdmissionLayer").finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = AdmissionService<S>;

    fn layer(&self, inner: S) -> AdmissionService<S> {
        AdmissionService { inner, admission: Arc::clone(&self.admission), prices: self.prices.clone() }
    }
}

/// Checks and reserves the key's and the user's limits and quota for each request, and answers 429
/// or 403 in the client's format when one is reached.
#[derive(Clone)]
pub struct AdmissionService<S> {
    inner: S,
    admission: Arc<dyn Admission>,
    prices: Option<Arc<dyn PriceSource>>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for AdmissionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdmissionService").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for AdmissionService<S>
where
    S: Service<Request<B>, Response = Response<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let mut inner = crate::take_ready(&mut self.inner);
        let admission = Arc::clone(&self.admission);
        let prices = self.prices.clone();
        Box::pin(async move {
            let extensions = request.extensions();
            let (Some(inbound), Some(identity)) = (extensions.get::<Inbound>(), extensions.get::<Identity>())
            else {
                return Ok(missing("Inbound and Identity"));
            };
            let format = inbound.format;
            let tokens = extensions.get::<Routing>().and_then(|r| r.request.needs.input_tokens).unwrap_or(0);
            let now = Timestamp::from_system_time(SystemTime::now());
            let gates = gates(identity);
            let budgeted = gates.iter().any(|gate| gate.budget.is_some());
            let reserve = match (prices, extensions.get::<Parsed>()) {
                (Some(prices), Some(Parsed(parsed))) if budgeted => most(&prices.load(), parsed, now),
                _ => Decimal::ZERO,
            };
            let admit = Admit { gates, tokens, reserve };
            match admission.admit(&admit, now).await {
                Ok(pass) => {
                    request.extensions_mut().insert(Admitted(Arc::new(Mutex::new(Some(pass)))));
                    inner.call(request).await
                }
                Err(refusal) => Ok(refused(refusal, now).to_response(format)),
            }
        })
    }
}

/// The key's gate, then its user's.
fn gates(identity: &Identity) -> Vec<Gate> {
    let key = &identity.key;
    let budget = |quota: Option<Decimal>, spent| quota.map(|quota| Budget { quota, spent });
    let mut gates =
        vec![Gate { scope: Scope::Key(key.id), limits: key.limits, budget: budget(key.quota, key.spent) }];
    if let Some(user) = &identity.user {
        gates.push(Gate {
            scope: Scope::User(user.id),
            limits: user.limits,
            budget: budget(user.quota, user.spent),
        });
    }
    gates
}

/// The most a request can cost at list price: its estimated input and all the output it allows
/// (64k tokens when it sets no limit); nothing for a model without a price (reported unpriced later).
fn most(prices: &PriceTable, request: &ir::Request, now: Timestamp) -> Decimal {
    const UNBOUNDED_OUTPUT: u64 = 64_000;
    let usage = Usage {
        input: estimate::request(request).tokens,
        output: request.max_output_tokens.unwrap_or(UNBOUNDED_OUTPUT),
        ..Usage::default()
    };
    prices
        .cost(&request.model, now, &usage, Outcome::Success, &KeyTerms::default())
        .list_total()
        .unwrap_or_default()
}

fn refused(refusal: Refusal, now: Timestamp) -> GatewayError {
    match refusal {
        Refusal::Budget { scope } => GatewayError::QuotaExhausted(scope.noun()),
        Refusal::Limit { which, .. } => {
            // Minute windows free up at the next minute; a concurrency slot, any moment.
            let retry_after = match which {
                LimitExceeded::Rpm | LimitExceeded::Tpm => {
                    Some(Duration::from_millis(60_000 - now.0 % 60_000))
                }
                LimitExceeded::Concurrency => Some(Duration::from_secs(1)),
            };
            GatewayError::RateLimited { what: refusal.to_string(), retry_after }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use aether_core::WireFormat;
    use aether_core::admission::InMemoryAdmission;
    use aether_core::pricing::{ModelPrices, PriceSchedule, Tier};
    use aether_core::store::{ClientKey, KeyHash};
    use tower::{Layer, ServiceExt, service_fn};

    use super::*;

    #[tokio::test]
    async fn requests_in_flight_hold_their_worst_case_cost_against_the_quota() {
        let mut prices = PriceTable::new();
        let tier = Tier::new(None, Decimal::ZERO, Decimal::from(15));
        let schedule =
            PriceSchedule { effective_from: Timestamp(0), per_request: Decimal::ZERO, tiers: vec![tier] };
        prices.insert("m", ModelPrices::new(vec![schedule]).expect("valid"));
        // Holds each admitted request's pass, as a request still streaming would.
        let held = Arc::new(Mutex::new(Vec::new()));
        let hold = {
            let held = Arc::clone(&held);
            service_fn(move |request: Request<()>| {
                held.lock().expect("lock").push(request.extensions().get::<Admitted>().cloned());
                std::future::ready(Ok::<_, Infallible>(Response::new(crate::full_body(""))))
            })
        };
        let layer =
            AdmissionLayer::new(Arc::new(InMemoryAdmission::default())).reserving(Arc::new(Arc::new(prices)));
        let service = layer.layer(hold);
        // $0.01 of quota; each request may write 512 tokens at $15 per million: $0.00768.
        let key = ClientKey {
            quota: Some("0.01".parse().expect("decimal")),
            ..ClientKey::new("k", KeyHash::of("sk"), "sk")
        };
        let identity = Identity::new(key, None);
        let parsed = Parsed(Arc::new(ir::Request {
            model: "m".into(),
            max_output_tokens: Some(512),
            ..ir::Request::default()
        }));
        let mut statuses = Vec::new();
        for _ in 0..3 {
            let mut request = Request::new(());
            request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
            request.extensions_mut().insert(identity.clone());
            request.extensions_mut().insert(parsed.clone());
            statuses.push(service.clone().oneshot(request).await.expect("infallible").status().as_u16());
        }
        assert_eq!(statuses, [200, 200, 403], "the third would overshoot with the two in flight");
        held.lock().expect("lock").clear(); // both settle at no cost
        let mut request = Request::new(());
        request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
        request.extensions_mut().insert(identity);
        request.extensions_mut().insert(parsed);
        assert_eq!(service.oneshot(request).await.expect("infallible").status(), 200);
    }
}
