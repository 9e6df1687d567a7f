//! `[[users]]` with their `[[users.keys]]`, and standalone prepaid `[[keys]]`.

use std::collections::BTreeMap;

use aether_core::Timestamp;
use aether_core::catalogue::Limits;
use serde::Deserialize;

use super::values::{Capability, Format, SecretString, Usd};

const fn yes() -> bool {
    true
}

/// What a user may administer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleConfig {
    /// Everything.
    Admin,
    /// Their own keys and usage.
    #[default]
    User,
}

/// `[[users]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// The login name (required, unique): how the stored user is matched.
    pub name: String,
    /// A unique email (default none).
    #[serde(default)]
    pub email: Option<String>,
    /// A password for the admin and user API; at most one of `password` and `password_env` (default:
    /// no password login). Stored as an argon2id hash.
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// `admin` or `user` (default `user`).
    #[serde(default)]
    pub role: RoleConfig,
    /// The most the user may spend, in USD (default: no quota).
    #[serde(default)]
    pub quota_usd: Option<Usd>,
    /// Requests per minute over all the user's keys (default unlimited).
    #[serde(default)]
    pub rpm: Option<u32>,
    /// Tokens per minute over all the user's keys (default unlimited).
    #[serde(default)]
    pub tpm: Option<u64>,
    /// Requests in flight over all the user's keys (default unlimited).
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// Provider names the user's requests may go to (default: all).
    #[serde(default)]
    pub providers: Option<Vec<String>>,
    /// Model names (canonical or alias) the user may ask for (default: all).
    #[serde(default)]
    pub models: Option<Vec<String>>,
    /// Endpoint formats the user's requests may go to (default: all).
    #[serde(default)]
    pub formats: Option<Vec<Format>>,
    /// Whether the user may use the gateway (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The user's keys.
    #[serde(default)]
    pub keys: Vec<ClientKeyConfig>,
}

impl UserConfig {
    /// Its limits.
    pub fn limits(&self) -> Limits {
        Limits { rpm: self.rpm, tpm: self.tpm, max_concurrency: self.max_concurrency }
    }
}

/// `[[users.keys]]` and `[[keys]]`: a client key whose plaintext the operator chose.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyConfig {
    /// A display name (required).
    pub name: String,
    /// The key as clients send it; exactly one of `key` and `key_env`. Only its SHA-256 and display
    /// prefix are stored.
    #[serde(default)]
    pub key: Option<SecretString>,
    /// The environment variable holding the key.
    #[serde(default)]
    pub key_env: Option<String>,
    /// The most the key may spend, in USD (default: no quota). Not for standalone keys: see `balance_usd`.
    #[serde(default)]
    pub quota_usd: Option<Usd>,
    /// A standalone key's prepaid balance, in USD (required for `[[keys]]`, refused on user keys).
    #[serde(default)]
    pub balance_usd: Option<Usd>,
    /// When it stops being valid, RFC 3339 (default never).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Requests per minute (default unlimited).
    #[serde(default)]
    pub rpm: Option<u32>,
    /// Tokens per minute (default unlimited).
    #[serde(default)]
    pub tpm: Option<u64>,
    /// Requests in flight (default unlimited).
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// Provider names its requests may go to (default: all).
    #[serde(default)]
    pub providers: Option<Vec<String>>,
    /// Model names it may ask for (default: all).
    #[serde(default)]
    pub models: Option<Vec<String>>,
    /// Endpoint formats its requests may go to (default: all).
    #[serde(default)]
    pub formats: Option<Vec<Format>>,
    /// Capabilities its requests require per canonical model name (default none), e.g.
    /// `{ "claude-opus-4-8" = ["context_1m"] }`.
    #[serde(default)]
    pub model_capabilities: BTreeMap<String, Vec<Capability>>,
    /// Whether it may be used (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl ClientKeyConfig {
    /// Its limits.
    pub fn limits(&self) -> Limits {
        Limits { rpm: self.rpm, tpm: self.tpm, max_concurrency: self.max_concurrency }
    }
}
