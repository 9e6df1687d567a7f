//! Gateway-wide settings an admin changes at run time.

use std::sync::Mutex;

use async_trait::async_trait;

use super::StoreError;
use super::error::lock;
use crate::schedule::Mode;

/// Whether the scheduler promotes the key a client's prompt cache is warm on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchedulingMode {
    /// Promote the cache-affinity target, then spread ties per client.
    #[default]
    CacheAffinity,
    /// Spread ties per client only, ignoring affinity.
    LoadBalance,
}

/// How much of each request the request log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    /// Method, path, status, model, latency.
    #[default]
    Basic,
    /// Also the headers, credentials masked.
    Headers,
    /// Also the bodies.
    Full,
}

/// The settings, stored as `name = value` pairs (see [`Settings::to_pairs`]).
///
/// ```
/// use aether_core::store::{LogLevel, Settings};
///
/// let settings = Settings { log_level: LogLevel::Full, ..Settings::default() };
/// let pairs = settings.to_pairs();
/// assert!(pairs.contains(&("log_level", "full")));
/// assert_eq!(Settings::from_pairs(pairs)?, settings);
/// # Ok::<(), aether_core::store::StoreError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Settings {
    /// How candidates are ranked (`provider` or `global_key` priority).
    pub priority_mode: Mode,
    /// Whether cache affinity promotes a candidate.
    pub scheduling_mode: SchedulingMode,
    /// The request log's detail.
    pub log_level: LogLevel,
}

const PRIORITY: [(Mode, &str); 2] = [(Mode::Provider, "provider"), (Mode::GlobalKey, "global_key")];
const SCHEDULING: [(SchedulingMode, &str); 2] =
    [(SchedulingMode::CacheAffinity, "cache_affinity"), (SchedulingMode::LoadBalance, "load_balance")];
const LOG_LEVEL: [(LogLevel, &str); 3] =
    [(LogLevel::Basic, "basic"), (LogLevel::Headers, "headers"), (LogLevel::Full, "full")];

fn name_of<T: PartialEq>(table: &[(T, &'static str)], value: &T) -> &'static str {
    table.iter().find(|(v, _)| v == value).map_or("", |(_, name)| name)
}

fn value_of<T: Copy>(table: &[(T, &'static str)], setting: &str, name: &str) -> Result<T, StoreError> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(value, _)| *value)
        .ok_or_else(|| StoreError::Corrupt(format!("setting `{setting}` has an unknown value `{name}`")))
}

impl Settings {
    /// The settings as `(name, value)` pairs, for a key-value table.
    pub fn to_pairs(&self) -> [(&'static str, &'static str); 3] {
        [
            ("priority_mode", name_of(&PRIORITY, &self.priority_mode)),
            ("scheduling_mode", name_of(&SCHEDULING, &self.scheduling_mode)),
            ("log_level", name_of(&LOG_LEVEL, &self.log_level)),
        ]
    }

    /// Reads pairs back; a missing setting keeps its default, an unknown name is ignored (a newer
    /// version may have written it), an unknown value is [`StoreError::Corrupt`].
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Settings, StoreError> {
        let mut settings = Settings::default();
        for (name, value) in pairs {
            let (name, value) = (name.as_ref(), value.as_ref());
            match name {
                "priority_mode" => settings.priority_mode = value_of(&PRIORITY, name, value)?,
                "scheduling_mode" => settings.scheduling_mode = value_of(&SCHEDULING, name, value)?,
                "log_level" => settings.log_level = value_of(&LOG_LEVEL, name, value)?,
                _ => {}
            }
        }
        Ok(settings)
    }
}

/// The gateway's [`Settings`]; defaults until first written.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The current settings.
    async fn settings(&self) -> Result<Settings, StoreError>;
    /// Replaces them.
    async fn put_settings(&self, settings: &Settings) -> Result<(), StoreError>;
}

/// [`SettingsStore`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemorySettings {
    settings: Mutex<Settings>,
}

#[async_trait]
impl SettingsStore for InMemorySettings {
    async fn settings(&self) -> Result<Settings, StoreError> {
        Ok(*lock(&self.settings))
    }

    async fn put_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        *lock(&self.settings) = *settings;
        Ok(())
    }
}
