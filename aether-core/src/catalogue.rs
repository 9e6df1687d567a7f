//! What the gateway can route to: providers, their endpoints and keys, and the models they serve.
//!
//! Plain data with numeric ids, so that a store can persist it row for row. The scheduler never reads a
//! [`Catalogue`] on the hot path: it compiles one into a [`crate::schedule::Snapshot`] first.
//!
//! ```
//! use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
//! use aether_core::WireFormat;
//!
//! let mut catalogue = Catalogue::default();
//! catalogue.providers.push(Provider::new(1, "anthropic"));
//! catalogue.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, "https://api.anthropic.com"));
//! catalogue.keys.push(ProviderKey::new(100, 1, "sk-ant-…"));
//! catalogue.global_models.push(GlobalModel::new("claude-opus-4-8"));
//! catalogue.models.push(Model::new("claude-opus-4-8", 1, "claude-opus-4-8"));
//! assert_eq!(format!("{:?}", catalogue.keys[0].secret), "Secret(***)");
//! ```

use std::fmt;
use std::time::Duration;

use crate::Timestamp;
use crate::WireFormat;
use crate::schedule::Capabilities;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// Identifies a [`Provider`].
    ProviderId
);
id!(
    /// Identifies an [`Endpoint`].
    EndpointId
);
id!(
    /// Identifies a [`ProviderKey`] (an upstream credential).
    KeyId
);
id!(
    /// Identifies a client API key (the gateway's own credential, held by a user).
    ClientKeyId
);

/// Everything the gateway can route to.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    /// Upstream providers.
    pub providers: Vec<Provider>,
    /// Their endpoints, one wire format each.
    pub endpoints: Vec<Endpoint>,
    /// Their credentials.
    pub keys: Vec<ProviderKey>,
    /// The canonical models clients ask for.
    pub global_models: Vec<GlobalModel>,
    /// Which provider serves which global model, and under what name.
    pub models: Vec<Model>,
}

/// An upstream vendor or account (Anthropic, an OpenAI organisation, a reseller).
#[derive(Clone, Debug, PartialEq)]
pub struct Provider {
    /// Its id.
    pub id: ProviderId,
    /// A display name.
    pub name: String,
    /// Order in `provider` scheduling mode: lower goes first.
    pub priority: i32,
    /// The most this provider may cost per calendar month, in millionths of the billing currency
    /// (`None`: no budget).
    pub monthly_budget_micros: Option<u64>,
    /// Whether it may be scheduled at all.
    pub enabled: bool,
}

impl Provider {
    /// An enabled provider of priority 0 with no budget.
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        Provider {
            id: ProviderId(id),
            name: name.into(),
            priority: 0,
            monthly_budget_micros: None,
            enabled: true,
        }
    }
}

/// Per-attempt time limits of an endpoint (`None`: no limit of that kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the connection.
    pub connect: Option<Duration>,
    /// From sending the request to the first byte of the body; past it the attempt fails over.
    pub first_byte: Option<Duration>,
    /// Between two body chunks once streaming.
    pub idle: Option<Duration>,
    /// The whole exchange.
    pub total: Option<Duration>,
}

/// Rate and concurrency limits (`None`: unlimited).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Requests per minute.
    pub rpm: Option<u32>,
    /// Tokens (input + output) per minute.
    pub tpm: Option<u64>,
    /// Requests in flight at once (a streamed response counts until its last byte).
    pub max_concurrency: Option<u32>,
}

impl Limits {
    /// Whether no limit is set.
    pub const fn is_unlimited(&self) -> bool {
        self.rpm.is_none() && self.tpm.is_none() && self.max_concurrency.is_none()
    }
}

/// One API surface of a provider, speaking one wire format.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// Its id.
    pub id: EndpointId,
    /// The provider it belongs to.
    pub provider: ProviderId,
    /// The wire format it speaks.
    pub format: WireFormat,
    /// The URL the format's path is appended to (`https://api.anthropic.com`).
    pub base_url: String,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Per-attempt time limits.
    pub timeouts: Timeouts,
    /// An HTTP proxy URL to reach it through.
    pub proxy: Option<String>,
    /// Limits shared by every key of this endpoint.
    pub limits: Limits,
    /// Whether it may be scheduled.
    pub enabled: bool,
}

impl Endpoint {
    /// An enabled endpoint with no headers, proxy, timeouts or limits.
    pub fn new(id: u64, provider: u64, format: WireFormat, base_url: impl Into<String>) -> Self {
        Endpoint {
            id: EndpointId(id),
            provider: ProviderId(provider),
            format,
            base_url: base_url.into(),
            headers: Vec::new(),
            timeouts: Timeouts::default(),
            proxy: None,
            limits: Limits::default(),
            enabled: true,
        }
    }
}

/// A credential; its `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl Secret {
    /// The value, for the auth header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A price multiplier in millionths (`1_000_000` is ×1): what the operator actually pays relative to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Multiplier(pub u64);

impl Multiplier {
    /// ×1.
    pub const ONE: Multiplier = Multiplier(1_000_000);
}

impl Default for Multiplier {
    fn default() -> Self {
        Multiplier::ONE
    }
}

/// How long a key's prompt cache stays warm when nothing says otherwise (the affinity TTL).
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);

/// An upstream credential of a provider.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderKey {
    /// Its id.
    pub id: KeyId,
    /// The provider it belongs to.
    pub provider: ProviderId,
    /// The one endpoint it is valid for; `None`: every endpoint of the provider.
    pub endpoint: Option<EndpointId>,
    /// The credential.
    pub secret: Secret,
    /// Order among the provider's keys in `provider` mode: lower goes first.
    pub priority: i32,
    /// Order among all keys in `global_key` mode: lower goes first.
    pub global_priority: i32,
    /// Share of tied traffic relative to the other tied keys (`None` counts as 1; 0 takes none).
    pub weight: Option<u32>,
    /// Its rate and concurrency limits.
    pub limits: Limits,
    /// What it can do ([`Capabilities::CACHE_1H`] makes it serve only requests that need it).
    pub capabilities: Capabilities,
    /// Capabilities turned on for every request it serves (e.g. always use the 1M context).
    pub force: Capabilities,
    /// What it costs relative to list price.
    pub rate_multiplier: Multiplier,
    /// How long its prompt cache stays warm: the cache-affinity TTL.
    pub cache_ttl: Duration,
    /// When it stops being valid.
    pub expires_at: Option<Timestamp>,
    /// Whether it may be scheduled.
    pub enabled: bool,
}

impl ProviderKey {
    /// An enabled key valid on every endpoint of `provider`, priority 0, no limits or capabilities.
    pub fn new(id: u64, provider: u64, secret: impl Into<String>) -> Self {
        ProviderKey {
            id: KeyId(id),
            provider: ProviderId(provider),
            endpoint: None,
            secret: Secret(secret.into()),
            priority: 0,
            global_priority: 0,
            weight: None,
            limits: Limits::default(),
            capabilities: Capabilities::NONE,
            force: Capabilities::NONE,
            rate_multiplier: Multiplier::ONE,
            cache_ttl: DEFAULT_CACHE_TTL,
            expires_at: None,
            enabled: true,
        }
    }
}

/// What a model can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// Image input.
    pub vision: bool,
    /// Reasoning (thinking) settings.
    pub reasoning: bool,
    /// The context window in tokens.
    pub context_window: u64,
    /// The context window when the 1M-context capability is on (`None`: it is not offered).
    pub long_context_window: Option<u64>,
}

impl Default for Features {
    fn default() -> Self {
        Features { vision: true, reasoning: true, context_window: 200_000, long_context_window: None }
    }
}

/// A model as clients name it.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalModel {
    /// The canonical name.
    pub name: String,
    /// Other names clients may use for it.
    pub aliases: Vec<String>,
    /// What it can take.
    pub features: Features,
}

impl GlobalModel {
    /// A model with no aliases and default features.
    pub fn new(name: impl Into<String>) -> Self {
        GlobalModel { name: name.into(), aliases: Vec::new(), features: Features::default() }
    }
}

/// An extra endpoint that serves a [`Model`], possibly of another wire format, possibly under another name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The model's name there (`None`: the model's `upstream_name`).
    pub upstream_name: Option<String>,
}

/// A provider's offer of a global model.
///
/// Every endpoint of the provider whose format is the request's serves it under `upstream_name`; the
/// `mappings` add endpoints of other formats (cross-format candidates) or rename it on one endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The [`GlobalModel::name`] it provides.
    pub global: String,
    /// The provider.
    pub provider: ProviderId,
    /// The provider's name for it.
    pub upstream_name: String,
    /// Endpoints beyond the same-format ones, or other names on one endpoint.
    pub mappings: Vec<Mapping>,
    /// This provider's features for the model, where they differ from the global model's.
    pub features: Option<Features>,
}

impl Model {
    /// `provider` serves `global` as `upstream_name` on its endpoints of the request's format.
    pub fn new(global: impl Into<String>, provider: u64, upstream_name: impl Into<String>) -> Self {
        Model {
            global: global.into(),
            provider: ProviderId(provider),
            upstream_name: upstream_name.into(),
            mappings: Vec::new(),
            features: None,
        }
    }

    /// Adds `endpoint` (of any format) under the model's upstream name.
    pub fn with_endpoint(mut self, endpoint: u64) -> Self {
        self.mappings.push(Mapping { endpoint: EndpointId(endpoint), upstream_name: None });
        self
    }
}
