//! `[[providers]]` (with their endpoints, keys and models) and `[[models]]`: what the gateway routes to.

use std::collections::BTreeMap;

use aether_core::catalogue::{Limits, Timeouts};
use aether_core::pricing::PriceSchedule;
use aether_core::{Timestamp, WireFormat};
use serde::Deserialize;
use std::time::Duration;

use super::values::{Capability, EndpointRef, Format, SecretString, Usd};

const fn yes() -> bool {
    true
}

/// An upstream provider: `[[providers]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Its name, unique among providers; it is how the store row is matched on the next start.
    pub name: String,
    /// Order in `provider` scheduling mode, lower first (default 0).
    #[serde(default)]
    pub priority: i32,
    /// The most it may cost per calendar month, in USD (default: no budget).
    #[serde(default)]
    pub monthly_budget_usd: Option<Usd>,
    /// Whether it may be scheduled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Its API surfaces, one wire format each.
    #[serde(default)]
    pub endpoints: Vec<EndpointConfig>,
    /// Its credentials.
    #[serde(default)]
    pub keys: Vec<ProviderKeyConfig>,
    /// The global models it serves.
    #[serde(default)]
    pub models: Vec<ProviderModelConfig>,
}

/// `[[providers.endpoints]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// The wire format it speaks (required).
    pub format: Format,
    /// The URL the format's path is appended to (required), e.g. `https://api.anthropic.com`.
    pub base_url: String,
    /// Extra headers sent with every request (default none).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// An HTTP proxy to reach it through (default none).
    #[serde(default)]
    pub proxy: Option<String>,
    /// Per-attempt time limits (default: none of them).
    #[serde(default)]
    pub timeouts: TimeoutsConfig,
    /// Requests per minute over all its keys (default unlimited).
    #[serde(default)]
    pub rpm: Option<u32>,
    /// Tokens per minute over all its keys (default unlimited).
    #[serde(default)]
    pub tpm: Option<u64>,
    /// Requests in flight over all its keys (default unlimited).
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// Whether it may be scheduled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl EndpointConfig {
    /// Its limits.
    pub fn limits(&self) -> Limits {
        Limits { rpm: self.rpm, tpm: self.tpm, max_concurrency: self.max_concurrency }
    }
}

/// `timeouts = { connect_ms, first_byte_ms, idle_ms, total_ms }`, each in milliseconds (default: no limit).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsConfig {
    /// Establishing the connection.
    #[serde(default)]
    pub connect_ms: Option<u64>,
    /// From sending the request to the first body byte.
    #[serde(default)]
    pub first_byte_ms: Option<u64>,
    /// Between two body chunks.
    #[serde(default)]
    pub idle_ms: Option<u64>,
    /// The whole exchange.
    #[serde(default)]
    pub total_ms: Option<u64>,
}

impl TimeoutsConfig {
    /// As the catalogue's timeouts.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.connect_ms.map(Duration::from_millis),
            first_byte: self.first_byte_ms.map(Duration::from_millis),
            idle: self.idle_ms.map(Duration::from_millis),
            total: self.total_ms.map(Duration::from_millis),
        }
    }
}

/// `[[providers.keys]]`: an upstream credential.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderKeyConfig {
    /// A label for messages (required; not stored: a stored key is matched by its secret).
    pub name: String,
    /// The credential; exactly one of `secret` and `secret_env`.
    #[serde(default)]
    pub secret: Option<SecretString>,
    /// The environment variable holding the credential.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Pin to one endpoint (its index in `endpoints`, or its format); default: every endpoint.
    #[serde(default)]
    pub endpoint: Option<EndpointRef>,
    /// Order among the provider's keys in `provider` mode, lower first (default 0).
    #[serde(default)]
    pub priority: i32,
    /// Order among all keys in `global_key` mode, lower first (default 0).
    #[serde(default)]
    pub global_priority: i32,
    /// Share of tied traffic (default 1; 0 takes none).
    #[serde(default)]
    pub weight: Option<u32>,
    /// Requests per minute (default unlimited).
    #[serde(default)]
    pub rpm: Option<u32>,
    /// Tokens per minute (default unlimited).
    #[serde(default)]
    pub tpm: Option<u64>,
    /// Requests in flight (default unlimited).
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// What it can do: `cache_1h` (exclusive), `context_1m` (default none).
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// Capabilities turned on for every request it serves (default none; must be among `capabilities`).
    #[serde(default)]
    pub force: Vec<Capability>,
    /// What it costs relative to list price, as a decimal string (default "1.0").
    #[serde(default = "one")]
    pub rate_multiplier: Usd,
    /// How long its prompt cache stays warm, in seconds: the affinity TTL (default 300).
    #[serde(default = "default_cache_ttl")]
    pub cache_ttl_secs: u64,
    /// When it stops being valid, RFC 3339 (default never).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Whether it may be scheduled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn one() -> Usd {
    Usd(rust_decimal::Decimal::ONE)
}

const fn default_cache_ttl() -> u64 {
    aether_core::catalogue::DEFAULT_CACHE_TTL.as_secs()
}

impl ProviderKeyConfig {
    /// Its limits.
    pub fn limits(&self) -> Limits {
        Limits { rpm: self.rpm, tpm: self.tpm, max_concurrency: self.max_concurrency }
    }
}

/// `[[providers.models]]`: the provider serves a global model.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderModelConfig {
    /// The global model's name (a `[[models]]` entry or one already stored).
    pub model: String,
    /// The provider's name for it (default: the same).
    #[serde(default)]
    pub upstream: Option<String>,
    /// Also serve clients of other formats through every endpoint of the provider, translating
    /// (default true; false: only clients whose format an endpoint speaks).
    #[serde(default = "yes")]
    pub cross_format: bool,
}

impl ProviderModelConfig {
    /// The provider's name for the model.
    pub fn upstream_name(&self) -> &str {
        self.upstream.as_deref().unwrap_or(&self.model)
    }
}

/// `[[models]]`: a global model, as clients name it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The canonical name (required, unique with the aliases).
    pub name: String,
    /// Other names clients may use (default none).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Takes images (default true).
    #[serde(default = "yes")]
    pub vision: bool,
    /// Takes reasoning settings (default true).
    #[serde(default = "yes")]
    pub reasoning: bool,
    /// The context window in tokens (default 200000).
    #[serde(default = "default_context")]
    pub context_window: u64,
    /// The window with the 1M-context capability on (default: not offered).
    #[serde(default)]
    pub long_context_window: Option<u64>,
    /// Effective-dated prices, USD per million tokens (default: unpriced).
    #[serde(default)]
    pub prices: Vec<PriceSchedule>,
}

const fn default_context() -> u64 {
    200_000
}

/// The wire format an `EndpointRef` names among `endpoints`, if any.
pub(crate) fn resolve_endpoint(endpoints: &[EndpointConfig], reference: EndpointRef) -> Option<usize> {
    match reference {
        EndpointRef::Index(i) => (i < endpoints.len()).then_some(i),
        EndpointRef::Format(format) => endpoints.iter().position(|e| e.format.0 == format),
    }
}

/// Formats that appear more than once among `endpoints` (a format reference to them is ambiguous).
pub(crate) fn repeated_format(endpoints: &[EndpointConfig], format: WireFormat) -> bool {
    endpoints.iter().filter(|e| e.format.0 == format).count() > 1
}
