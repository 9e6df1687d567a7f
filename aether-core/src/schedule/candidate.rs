//! Selection: the ordered candidates for one request, each usable or skipped with a reason.

use std::fmt;
use std::time::Duration;

use crate::Timestamp;
use crate::WireFormat;
use crate::catalogue::{Endpoint, EndpointId, KeyId, Provider, ProviderId, ProviderKey};
use crate::schedule::order::LazyOrder;
use crate::schedule::snapshot::{Route, Table};
use crate::schedule::spread::{client_seed, score, weighted_score};
use crate::schedule::{Capabilities, HealthView, KeyHealth, Needs, Principal, Snapshot, SpendView};

/// What the scheduler needs to know about a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRequest {
    /// The client's wire format.
    pub format: WireFormat,
    /// The model as the client named it.
    pub model: String,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// What the candidate must be able to do.
    pub needs: Needs,
    /// A session id that refines cache affinity (see [`crate::schedule::session_id`]).
    pub session: Option<String>,
}

impl RouteRequest {
    /// A non-streaming request for `model` in `format` with no special needs.
    pub fn new(format: WireFormat, model: impl Into<String>) -> Self {
        RouteRequest { format, model: model.into(), stream: false, needs: Needs::default(), session: None }
    }
}

/// Where a request went: the affinity value, and the identity of a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// The provider.
    pub provider: ProviderId,
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The provider key.
    pub key: KeyId,
}

/// The live state a selection reads, all as of `now`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The current time.
    pub now: Timestamp,
    /// Where this client's cache is warm, if anywhere (from [`crate::schedule::Affinity::get`]).
    pub affinity: Option<Target>,
    /// Key health (circuit breakers, cool-downs, disabled keys).
    pub health: &'a dyn HealthView,
    /// Providers' spend this month.
    pub spend: &'a dyn SpendView,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("View")
            .field("now", &self.now)
            .field("affinity", &self.affinity)
            .finish_non_exhaustive()
    }
}

/// A feature of a request that a candidate cannot express.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Image input.
    Images,
    /// Reasoning settings.
    Reasoning,
    /// Built-in tools of this format.
    NativeTools(WireFormat),
    /// The 1M-token context window.
    LongContext,
}

/// Why a candidate is not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The principal may not use this provider.
    ProviderNotAllowed,
    /// The principal may not use endpoints of this format.
    FormatNotAllowed(WireFormat),
    /// The request needs capabilities the key lacks.
    MissingCapability(Capabilities),
    /// The key is reserved for requests needing these (exclusive) capabilities.
    ReservedCapability(Capabilities),
    /// The model, on this endpoint, cannot express a feature of the request.
    Unsupported(Feature),
    /// The request is larger than the model's context window.
    ContextTooLong {
        /// The request's estimated input tokens.
        tokens: u64,
        /// The window.
        window: u64,
    },
    /// The key has expired.
    Expired,
    /// The provider has spent its monthly budget.
    OverBudget,
    /// The key's circuit breaker is open.
    CircuitOpen {
        /// When it half-opens.
        until: Timestamp,
    },
    /// The key's breaker is half-open and its probe is already out.
    ProbeInFlight,
    /// The key is cooling down after a 429 or 529.
    CoolingDown {
        /// When it may be used again.
        until: Timestamp,
    },
    /// The key failed authentication and awaits an admin or a probe.
    Disabled,
    /// The key or endpoint is at its requests-per-minute limit.
    RpmLimit,
    /// The key or endpoint is at its tokens-per-minute limit.
    TpmLimit,
    /// The key or endpoint has no free concurrency slot (for this kind of traffic).
    Concurrency,
}

impl SkipReason {
    /// Whether waiting cannot help: the candidate cannot serve this request as it stands (not allowed,
    /// lacking a capability or feature, too small a window, expired or disabled), as opposed to one
    /// that is busy, cooling down or over a limit for now.
    pub const fn is_lasting(&self) -> bool {
        matches!(
            self,
            SkipReason::ProviderNotAllowed
                | SkipReason::FormatNotAllowed(_)
                | SkipReason::MissingCapability(_)
                | SkipReason::ReservedCapability(_)
                | SkipReason::Unsupported(_)
                | SkipReason::ContextTooLong { .. }
                | SkipReason::Expired
                | SkipReason::Disabled
        )
    }

    /// A short, stable label for metrics and traces.
    pub const fn as_str(&self) -> &'static str {
        match self {
            SkipReason::ProviderNotAllowed => "provider_not_allowed",
            SkipReason::FormatNotAllowed(_) => "format_not_allowed",
            SkipReason::MissingCapability(_) => "missing_capability",
            SkipReason::ReservedCapability(_) => "reserved_capability",
            SkipReason::Unsupported(_) => "unsupported_feature",
            SkipReason::ContextTooLong { .. } => "context_too_long",
            SkipReason::Expired => "key_expired",
            SkipReason::OverBudget => "over_budget",
            SkipReason::CircuitOpen { .. } => "circuit_open",
            SkipReason::ProbeInFlight => "probe_in_flight",
            SkipReason::CoolingDown { .. } => "cooling_down",
            SkipReason::Disabled => "key_disabled",
            SkipReason::RpmLimit => "rpm_limit",
            SkipReason::TpmLimit => "tpm_limit",
            SkipReason::Concurrency => "concurrency",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::FormatNotAllowed(format) => write!(f, "format_not_allowed: {format}"),
            SkipReason::MissingCapability(c) | SkipReason::ReservedCapability(c) => {
                write!(f, "{}: {c}", self.as_str())
            }
            SkipReason::Unsupported(feature) => write!(f, "unsupported_feature: {feature:?}"),
            SkipReason::ContextTooLong { tokens, window } => {
                write!(f, "context_too_long: {tokens} > {window}")
            }
            _ => f.write_str(self.as_str()),
        }
    }
}

/// Why a request has no candidates at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// No global model has this name or alias.
    #[error("model `{0}` is not configured")]
    UnknownModel(String),
    /// The principal may not use this model.
    #[error("model `{0}` is not allowed for this key")]
    ModelNotAllowed(String),
}

/// One way to serve the request, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate<'a> {
    /// The provider.
    pub provider: &'a Provider,
    /// The endpoint (its format may differ from the client's: see `cross_format`).
    pub endpoint: &'a Endpoint,
    /// The key.
    pub key: &'a ProviderKey,
    /// The model's name on this endpoint.
    pub upstream_model: &'a str,
    /// The endpoint speaks another format than the client: the request is translated.
    pub cross_format: bool,
    /// Promoted by cache affinity.
    pub affinity: bool,
    /// Capabilities to turn on upstream (required by the request or forced by the key).
    pub capabilities: Capabilities,
    /// Why it is skipped; `None` if usable.
    pub skip: Option<SkipReason>,
}

impl Candidate<'_> {
    /// Whether it may be tried.
    pub fn is_usable(&self) -> bool {
        self.skip.is_none()
    }

    /// Its identity.
    pub fn target(&self) -> Target {
        Target { provider: self.provider.id, endpoint: self.endpoint.id, key: self.key.id }
    }
}

impl Snapshot {
    /// The candidates for `request` from `principal`, best first: the affinity target (if it still
    /// serves the request), then by rank (provider and key priority, or global key priority; the
    /// client's own format before translation), ties spread by the client key. Lazy: each step costs
    /// only what it yields.
    ///
    /// ```
    /// use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
    /// use aether_core::Timestamp;
    /// use aether_core::schedule::{Mode, NoState, Principal, RouteRequest, Snapshot, View};
    /// use aether_core::WireFormat;
    ///
    /// let mut catalogue = Catalogue::default();
    /// catalogue.providers.push(Provider::new(1, "anthropic"));
    /// catalogue.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, "https://api.anthropic.com"));
    /// catalogue.keys.push(ProviderKey::new(100, 1, "sk-1"));
    /// catalogue.keys.push(ProviderKey { priority: 1, ..ProviderKey::new(101, 1, "sk-2") });
    /// catalogue.global_models.push(GlobalModel::new("claude-opus-4-8"));
    /// catalogue.models.push(Model::new("claude-opus-4-8", 1, "claude-opus-4-8"));
    /// let snapshot = Snapshot::compile(&catalogue, Mode::Provider)?;
    ///
    /// let request = RouteRequest::new(WireFormat::Anthropic, "claude-opus-4-8");
    /// let view = View { now: Timestamp(0), affinity: None, health: &NoState, spend: &NoState };
    /// let keys: Vec<u64> = snapshot.candidates(&Principal::new(7), &request, view)?.map(|c| c.key.id.0).collect();
    /// assert_eq!(keys, [100, 101]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn candidates<'s, 'r>(
        &'s self,
        principal: &'r Principal,
        request: &'r RouteRequest,
        view: View<'r>,
    ) -> Result<Candidates<'s, 'r>, RouteError> {
        let entry =
            self.entry(&request.model).ok_or_else(|| RouteError::UnknownModel(request.model.clone()))?;
        let names = |name: &str| self.canonical_model(name) == Some(entry.name.as_str());
        if !principal.allows_model(names) {
            return Err(RouteError::ModelNotAllowed(request.model.clone()));
        }
        let table = entry.table(request.format);
        let promoted = view.affinity.and_then(|t| table.by_target.get(&(t.endpoint, t.key)).copied());
        Ok(Candidates {
            snapshot: self,
            table,
            principal,
            needs: request.needs,
            required: request.needs.capabilities | principal.capabilities_for(&entry.name),
            view,
            seed: client_seed(principal.client_key),
            promoted,
            promoted_pending: promoted.is_some(),
            tier: 0,
            order: LazyOrder::default(),
        })
    }
}

/// The lazy iterator [`Snapshot::candidates`] returns.
pub struct Candidates<'s, 'r> {
    snapshot: &'s Snapshot,
    table: &'s Table,
    principal: &'r Principal,
    needs: Needs,
    required: Capabilities,
    view: View<'r>,
    seed: u64,
    promoted: Option<u32>,
    promoted_pending: bool,
    tier: usize,
    order: LazyOrder,
}

impl fmt::Debug for Candidates<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Candidates")
            .field("tier", &self.tier)
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

impl<'s> Candidates<'s, '_> {
    fn next_index(&mut self) -> Option<u32> {
        if self.promoted_pending {
            self.promoted_pending = false;
            return self.promoted;
        }
        loop {
            if let Some(index) = self.order.pop() {
                if Some(index) != self.promoted {
                    return Some(index);
                }
                continue;
            }
            let tier = self.table.tiers.get(self.tier)?;
            self.tier += 1;
            let spread = &self.table.spread[tier.range.start as usize..tier.range.end as usize];
            let (seed, start) = (self.seed, tier.range.start);
            if tier.weighted {
                self.order
                    .reset(spread.iter().zip(start..).map(|(&(k, w), i)| (weighted_score(seed, k, w), i)));
            } else {
                self.order.reset(spread.iter().zip(start..).map(|(&(k, _), i)| (score(seed, k), i)));
            }
        }
    }

    fn judge(&self, route: &'s Route, affinity: bool) -> Candidate<'s> {
        let snapshot = self.snapshot;
        let provider = &snapshot.providers[route.provider as usize];
        let endpoint = &snapshot.endpoints[route.endpoint as usize];
        let key = &snapshot.keys[route.key as usize];
        let capabilities = self.required | key.force;
        Candidate {
            provider,
            endpoint,
            key,
            upstream_model: &route.upstream_model,
            cross_format: route.cross_format,
            affinity,
            capabilities,
            skip: self.skip_reason(route, provider, endpoint, key, capabilities),
        }
    }

    fn skip_reason(
        &self,
        route: &Route,
        provider: &Provider,
        endpoint: &Endpoint,
        key: &ProviderKey,
        enabled: Capabilities,
    ) -> Option<SkipReason> {
        let (needs, now) = (&self.needs, self.view.now);
        if !self.principal.allows_provider(provider.id) {
            return Some(SkipReason::ProviderNotAllowed);
        }
        if !self.principal.allows_format(endpoint.format) {
            return Some(SkipReason::FormatNotAllowed(endpoint.format));
        }
        let missing = self.required & !key.capabilities;
        if !missing.is_empty() {
            return Some(SkipReason::MissingCapability(missing));
        }
        let reserved = key.capabilities & Capabilities::EXCLUSIVE & !self.required;
        if !reserved.is_empty() {
            return Some(SkipReason::ReservedCapability(reserved));
        }
        let features = &route.features;
        if let Some(format) = needs.native_tools.filter(|&f| f != endpoint.format) {
            return Some(SkipReason::Unsupported(Feature::NativeTools(format)));
        }
        if needs.images && !features.vision {
            return Some(SkipReason::Unsupported(Feature::Images));
        }
        if needs.reasoning && !features.reasoning {
            return Some(SkipReason::Unsupported(Feature::Reasoning));
        }
        let long = enabled.contains(Capabilities::CONTEXT_1M);
        if self.required.contains(Capabilities::CONTEXT_1M) && features.long_context_window.is_none() {
            return Some(SkipReason::Unsupported(Feature::LongContext));
        }
        let window = features.long_context_window.filter(|_| long).unwrap_or(features.context_window);
        if let Some(tokens) = needs.input_tokens.filter(|&t| t > window) {
            return Some(SkipReason::ContextTooLong { tokens, window });
        }
        if key.expires_at.is_some_and(|at| at <= now) {
            return Some(SkipReason::Expired);
        }
        if provider
            .monthly_budget_micros
            .is_some_and(|budget| self.view.spend.month_spend_micros(provider.id, now) >= budget)
        {
            return Some(SkipReason::OverBudget);
        }
        match self.view.health.key_health(key.id, now) {
            KeyHealth::Healthy | KeyHealth::Probe => None,
            KeyHealth::Open { until } => Some(SkipReason::CircuitOpen { until }),
            KeyHealth::ProbeInFlight => Some(SkipReason::ProbeInFlight),
            KeyHealth::CoolingDown { until } => Some(SkipReason::CoolingDown { until }),
            KeyHealth::Disabled => Some(SkipReason::Disabled),
        }
    }
}

impl<'s> Iterator for Candidates<'s, '_> {
    type Item = Candidate<'s>;

    fn next(&mut self) -> Option<Candidate<'s>> {
        let affinity = self.promoted_pending;
        let index = self.next_index()?;
        let table: &'s Table = self.table;
        Some(self.judge(&table.routes[index as usize], affinity))
    }
}

/// How long a cool-down or an open breaker has left, for `Retry-After` on a request that found no key.
pub fn wait_for(reason: &SkipReason, now: Timestamp) -> Option<Duration> {
    match reason {
        SkipReason::CircuitOpen { until } | SkipReason::CoolingDown { until } => Some(until.since(now)),
        _ => None,
    }
}
