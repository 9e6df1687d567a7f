//! The server's configuration: typed sections of a TOML file, then environment variables on top,
//! then validation that names the failing path (`providers[1].endpoints[0].format: …`).
//!
//! Every field and its default is documented in `examples/aether.toml`. Secrets are
//! [`SecretString`]s, whose `Debug` prints `***`; `*_env` fields name an environment variable to read
//! the secret from instead.
//!
//! ```
//! use aether_server::config::Config;
//!
//! let env = |name: &str| (name == "APP_PORT").then(|| "9000".to_owned());
//! let config = Config::from_toml_str("[server]\nport = 8000\n", &env)?;
//! assert_eq!(config.server.port, 9000); // the environment wins
//! assert_eq!(config.server.host, "0.0.0.0");
//! # Ok::<(), aether_server::config::ConfigError>(())
//! ```
//!
//! # Layout
//! - this file: the sections `[server]`, `[secrets]`, `[admin]`, `[scheduling]` and loading.
//! - `catalogue`: `[[providers]]` and `[[models]]`; `accounts`: `[[users]]` and `[[keys]]`.
//! - `env`: environment overrides and `*_env` secrets; `validate`: checks across fields.
//! - `values`: secrets, money, formats, capabilities.

mod accounts;
mod catalogue;
mod env;
mod validate;
mod values;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use aether_core::schedule::Mode;
use aether_core::store::{LogLevel, SchedulingMode};
use serde::Deserialize;

pub use accounts::{ClientKeyConfig, RoleConfig, UserConfig};
pub(crate) use catalogue::resolve_endpoint;
pub use catalogue::{
    EndpointConfig, ModelConfig, ProviderConfig, ProviderKeyConfig, ProviderModelConfig, TimeoutsConfig,
};
pub use env::process_env;
pub(crate) use validate::micros;
pub use values::{Capability, EndpointRef, Format, SecretString, Usd, capabilities};

/// Why the configuration cannot be used. The message starts with where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for the schema (a wrong type, an unknown field, …).
    #[error("{path}: {message}")]
    Parse {
        /// Where, as `section[index].field`.
        path: String,
        /// What is wrong, with the line.
        message: String,
    },
    /// A value is out of range or inconsistent with another.
    #[error("{path}: {message}")]
    Invalid {
        /// Where, as `section[index].field` or the environment variable's name.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid { path: path.into(), message: message.into() }
    }
}

/// The whole configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[server]`: where to listen and store, and how to log.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[secrets]`: generated into the data directory when not given.
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// `[admin]`: the first administrator, created at start.
    #[serde(default)]
    pub admin: AdminConfig,
    /// `[scheduling]`: how candidates are ordered.
    #[serde(default)]
    pub scheduling: SchedulingConfig,
    /// `[[providers]]`: upstreams.
    #[serde(default)]
    pub providers: Vec<ProviderConfig>,
    /// `[[models]]`: global models and their prices.
    #[serde(default)]
    pub models: Vec<ModelConfig>,
    /// `[[users]]`: people or teams and their keys.
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// `[[keys]]`: standalone prepaid keys.
    #[serde(default)]
    pub keys: Vec<ClientKeyConfig>,
}

/// How much of each request the request log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestLog {
    /// Method, path, status, latency, request id.
    #[default]
    Basic,
    /// Also the request headers, credentials masked.
    Headers,
    /// Also the request body, up to 64 KiB.
    Full,
    /// No request log.
    Off,
}

impl RequestLog {
    /// The stored setting it stands for (`None`: off).
    pub fn level(self) -> Option<LogLevel> {
        match self {
            RequestLog::Basic => Some(LogLevel::Basic),
            RequestLog::Headers => Some(LogLevel::Headers),
            RequestLog::Full => Some(LogLevel::Full),
            RequestLog::Off => None,
        }
    }
}

/// `[server]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The port to listen on (default 8084; env `APP_PORT`).
    pub port: u16,
    /// The address to listen on (default `0.0.0.0`; env `APP_HOST`).
    pub host: String,
    /// Where the database and generated secrets live (default `./data`; env `DATA_DIR`).
    pub data_dir: PathBuf,
    /// The database (default `sqlite://<data_dir>/aether.db?mode=rwc`; env `DATABASE_URL`).
    pub database_url: Option<String>,
    /// Redis for counters shared by replicas (default none; env `REDIS_URL`). Stored, not used yet.
    pub redis_url: Option<String>,
    /// What generated client keys start with, before a `-` (default `sk`; env `API_KEY_PREFIX`).
    pub api_key_prefix: String,
    /// The tracing filter, e.g. `info` or `aether_server=debug,info` (default `info`; env `LOG_LEVEL`).
    pub log_level: String,
    /// The request log: `basic`, `headers`, `full` or `off` (default: the stored setting, `basic`
    /// until set). When given, it is written to the settings at start.
    pub request_log: Option<RequestLog>,
    /// The largest request body accepted, in bytes (default 32 MiB).
    pub max_body_bytes: usize,
    /// How often the catalogue, prices and settings are reloaded from the store, in seconds
    /// (default 5).
    pub catalogue_refresh_secs: u64,
    /// The serving threads, each with its own runtime, listener and upstream connections (default:
    /// one per core).
    pub threads: Option<NonZeroUsize>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: 8084,
            host: "0.0.0.0".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            api_key_prefix: "sk".into(),
            log_level: "info".into(),
            request_log: None,
            max_body_bytes: 32 * 1024 * 1024,
            catalogue_refresh_secs: 5,
            threads: None,
        }
    }
}

impl ServerConfig {
    /// The database URL: the configured one, else a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("aether.db").display()),
        }
    }

    /// The serving threads: as configured, else one per core.
    pub fn threads(&self) -> NonZeroUsize {
        self.threads.or_else(|| std::thread::available_parallelism().ok()).unwrap_or(NonZeroUsize::MIN)
    }

    /// `host:port`.
    pub fn listen_addr(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]:{}", self.host, self.port),
            false => format!("{}:{}", self.host, self.port),
        }
    }
}

/// `[secrets]`: each one generated into `<data_dir>/secrets.toml` on first run when not given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Signs session tokens of the admin and user API (env `JWT_SECRET_KEY`).
    #[serde(default)]
    pub jwt_secret_key: Option<SecretString>,
    /// Encrypts provider keys at rest: 32 bytes as 64 hex characters or base64 (env `ENCRYPTION_KEY`).
    #[serde(default)]
    pub encryption_key: Option<SecretString>,
}

/// `[admin]`: an administrator created (or updated) at start when `username` is set.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// The admin's email (env `ADMIN_EMAIL`).
    #[serde(default)]
    pub email: Option<String>,
    /// The admin's login name (env `ADMIN_USERNAME`); no admin is created without it.
    #[serde(default)]
    pub username: Option<String>,
    /// The admin's password (env `ADMIN_PASSWORD`).
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The environment variable holding the password, instead of `password`.
    #[serde(default)]
    pub password_env: Option<String>,
}

/// Candidate ranking, [`Mode`] by its config name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityMode {
    /// Provider priority, then key priority.
    Provider,
    /// Key global priority across providers.
    GlobalKey,
}

impl From<PriorityMode> for Mode {
    fn from(mode: PriorityMode) -> Mode {
        match mode {
            PriorityMode::Provider => Mode::Provider,
            PriorityMode::GlobalKey => Mode::GlobalKey,
        }
    }
}

/// Whether cache affinity promotes a candidate, [`SchedulingMode`] by its config name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AffinityMode {
    /// Promote the key the client's prompt cache is warm on.
    CacheAffinity,
    /// Spread ties per client only.
    LoadBalance,
}

impl From<AffinityMode> for SchedulingMode {
    fn from(mode: AffinityMode) -> SchedulingMode {
        match mode {
            AffinityMode::CacheAffinity => SchedulingMode::CacheAffinity,
            AffinityMode::LoadBalance => SchedulingMode::LoadBalance,
        }
    }
}

/// `[scheduling]`: written to the stored settings at start; a field left out keeps the stored value
/// (which an admin may have changed).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulingConfig {
    /// `provider` or `global_key` (default: stored, `provider` until set).
    #[serde(default)]
    pub mode: Option<PriorityMode>,
    /// `cache_affinity` or `load_balance` (default: stored, `cache_affinity` until set).
    #[serde(default)]
    pub scheduling_mode: Option<AffinityMode>,
}

/// What `config check` prints: how much the configuration declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// `[[providers]]`.
    pub providers: usize,
    /// Their endpoints.
    pub endpoints: usize,
    /// Their keys.
    pub provider_keys: usize,
    /// `[[models]]`.
    pub models: usize,
    /// `[[users]]` (the admin from `[admin]` not included).
    pub users: usize,
    /// Client keys: the users' and the standalone ones.
    pub client_keys: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} providers, {} endpoints, {} provider keys, {} models, {} users, {} client keys",
            self.providers, self.endpoints, self.provider_keys, self.models, self.users, self.client_keys
        )
    }
}

impl Config {
    /// Reads `file` (none: every default), applies the environment, resolves `*_env` secrets and
    /// validates.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?,
            None => String::new(),
        };
        Config::from_toml_str(&text, env)
    }

    /// [`Config::load`] from TOML text.
    pub fn from_toml_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::parse(text)?;
        config.apply_env(env)?;
        config.resolve_secrets(env)?;
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text into the schema, without the environment or validation.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let deserializer = toml::de::Deserializer::parse(text).map_err(|e| parse_error(text, "", &e))?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            parse_error(text, &path, e.inner())
        })
    }

    /// How much it declares.
    pub fn summary(&self) -> Summary {
        let user_keys: usize = self.users.iter().map(|u| u.keys.len()).sum();
        Summary {
            providers: self.providers.len(),
            endpoints: self.providers.iter().map(|p| p.endpoints.len()).sum(),
            provider_keys: self.providers.iter().map(|p| p.keys.len()).sum(),
            models: self.models.len(),
            users: self.users.len(),
            client_keys: user_keys + self.keys.len(),
        }
    }
}

fn parse_error(text: &str, path: &str, error: &toml::de::Error) -> ConfigError {
    let line =
        error.span().and_then(|span| text.get(..span.start)).map(|before| before.matches('\n').count() + 1);
    let message = match line {
        Some(line) => format!("{} (line {line})", error.message().trim_end()),
        None => error.message().trim_end().to_owned(),
    };
    let path = if path.is_empty() || path == "." { "config".to_owned() } else { path.to_owned() };
    ConfigError::Parse { path, message }
}
