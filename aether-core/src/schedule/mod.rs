//! The scheduler: which provider, endpoint and key serve a request, in what order, and what each
//! attempt's outcome means for the keys. Pure decision logic; shared state sits behind traits with
//! in-memory implementations here and shared (Redis) ones elsewhere.
//!
//! ```
//! use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
//! use aether_core::Timestamp;
//! use aether_core::schedule::{InMemoryHealth, InMemoryLimits, Mode, Principal, RouteRequest, SkipReason, Snapshot, View};
//! use aether_core::WireFormat;
//!
//! let mut catalogue = Catalogue::default();
//! catalogue.providers.push(Provider::new(1, "anthropic"));
//! catalogue.providers.push(Provider { priority: 1, ..Provider::new(2, "openai") });
//! catalogue.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, "https://api.anthropic.com"));
//! catalogue.endpoints.push(Endpoint::new(20, 2, WireFormat::OpenAiChat, "https://api.openai.com"));
//! catalogue.keys.push(ProviderKey::new(100, 1, "sk-ant"));
//! catalogue.keys.push(ProviderKey::new(200, 2, "sk-oai"));
//! catalogue.global_models.push(GlobalModel::new("gpt-5"));
//! // Provider 2 serves gpt-5 natively; provider 1 through a mapping onto its Anthropic endpoint.
//! catalogue.models.push(Model::new("gpt-5", 2, "gpt-5"));
//! catalogue.models.push(Model::new("gpt-5", 1, "gpt-5-via-proxy").with_endpoint(10));
//! let snapshot = Snapshot::compile(&catalogue, Mode::Provider)?;
//!
//! let (health, limits) = (InMemoryHealth::default(), InMemoryLimits::default());
//! let view = View { now: Timestamp(0), affinity: None, health: &health, spend: &limits };
//! let request = RouteRequest::new(WireFormat::OpenAiChat, "gpt-5");
//! let first = snapshot.candidates(&Principal::new(1), &request, view)?.next().expect("a candidate");
//! assert_eq!((first.key.id.0, first.upstream_model, first.cross_format), (100, "gpt-5-via-proxy", true));
//!
//! let mut principal = Principal::new(1);
//! principal.key.formats = Some(vec![WireFormat::OpenAiChat]);
//! let first = snapshot.candidates(&principal, &request, view)?.next().expect("a candidate");
//! assert_eq!(first.skip, Some(SkipReason::FormatNotAllowed(WireFormat::Anthropic)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - [`Snapshot`] compiles a [`crate::catalogue::Catalogue`]; [`Snapshot::candidates`] orders and judges.
//! - `spread`: the per-client tie-break; `order`: lazy ordering of tied routes.
//! - [`Capabilities`], [`Needs`]: what keys can do and requests need; [`Principal`]: who may use what.
//! - [`Breaker`], [`Adaptive`]: pure per-key state machines; [`Health`] keeps them per key.
//! - [`Limiter`]: RPM, TPM and concurrency leases; [`SpendView`]: monthly budgets.
//! - [`Affinity`]: cache affinity; [`classify`]: the error policy; [`TraceSink`]: the record.

mod adaptive;
mod affinity;
mod breaker;
mod candidate;
mod capability;
mod classify;
mod health;
mod limits;
mod order;
mod principal;
mod snapshot;
mod spread;
mod trace;

#[cfg(test)]
mod tests;

use crate::Timestamp;

pub use adaptive::{Adaptive, AdaptiveConfig};
pub use affinity::{Affinity, AffinityKey, InMemoryAffinity, session_id};
pub use breaker::{Breaker, BreakerConfig, BreakerState};
pub use candidate::{
    Candidate, Candidates, Feature, RouteError, RouteRequest, SkipReason, Target, View, wait_for,
};
pub use capability::{Capabilities, Needs};
pub use classify::{Class, Observation, classify, parse_retry_after};
pub use health::{Health, HealthConfig, HealthView, InMemoryHealth, KeyHealth, Report};
pub(crate) use limits::Counter;
pub use limits::{Acquire, InMemoryLimits, Lease, LimitExceeded, Limiter, SpendView};
pub use principal::{Principal, Restrictions};
pub use snapshot::{CatalogueError, Snapshot};
pub use spread::tie_hash;
pub use trace::{InMemoryTraces, Outcome, Trace, TraceEntry, TraceSink};

use crate::catalogue::{KeyId, ProviderId};

/// How candidates are ranked before the per-client tie-break.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Provider priority, then the key's priority within its provider.
    #[default]
    Provider,
    /// The key's global priority, across all providers.
    GlobalKey,
}

/// State that is always fine: every key healthy, nothing spent. For tools, examples and benches.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoState;

impl HealthView for NoState {
    fn key_health(&self, _: KeyId, _: Timestamp) -> KeyHealth {
        KeyHealth::Healthy
    }
}

impl SpendView for NoState {
    fn month_spend_micros(&self, _: ProviderId, _: Timestamp) -> u64 {
        0
    }
}

/// How far failover goes for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailoverPolicy {
    /// The most candidates attempted (skipped ones do not count).
    pub max_attempts: usize,
    /// Extra attempts on the affinity candidate after a transient failure before moving on.
    pub affinity_retries: u32,
}

impl Default for FailoverPolicy {
    fn default() -> Self {
        FailoverPolicy { max_attempts: 3, affinity_retries: 1 }
    }
}
