//! Key health shared by replicas: circuit breakers, cool-downs, disabled keys and learnt concurrency.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::Timestamp;
use crate::catalogue::KeyId;
use crate::fast_map::FastMap;
use crate::schedule::{Adaptive, AdaptiveConfig, Breaker, BreakerConfig, BreakerState, Class};

/// A key's health, as selection sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyHealth {
    /// Usable.
    Healthy,
    /// Half-open, and this request may be its probe.
    Probe,
    /// Half-open, and a probe is already out.
    ProbeInFlight,
    /// The breaker is open.
    Open {
        /// When it half-opens.
        until: Timestamp,
    },
    /// Throttled by the upstream.
    CoolingDown {
        /// When it may be used again.
        until: Timestamp,
    },
    /// Refused by the upstream; waits for [`Health::restore`].
    Disabled,
}

/// The synchronous read side of key health that selection calls per candidate. A shared (Redis)
/// implementation answers it from a local mirror.
pub trait HealthView: Send + Sync {
    /// The health of `key` at `now`.
    fn key_health(&self, key: KeyId, now: Timestamp) -> KeyHealth;
}

/// The outcome of one attempt, reported to [`Health::report`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// What it meant.
    pub class: Class,
    /// Requests in flight on the key when it started, this one included.
    pub in_flight: u32,
    /// The key's configured concurrency limit.
    pub configured_concurrency: Option<u32>,
}

/// Key health, shared by every replica.
#[async_trait]
pub trait Health: HealthView {
    /// An attempt on `key` starts (in half-open, it becomes the probe).
    async fn begin(&self, key: KeyId, now: Timestamp);
    /// Records an attempt's outcome.
    async fn report(&self, key: KeyId, report: Report, now: Timestamp);
    /// Re-enables a disabled key and forgets its history (an admin's action, or a successful probe).
    async fn restore(&self, key: KeyId);
    /// The key's concurrency limit: the configured one, lowered by what 429s taught.
    fn concurrency_limit(&self, key: KeyId, configured: Option<u32>) -> Option<u32>;
}

/// How health reacts to outcomes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HealthConfig {
    /// The circuit breaker.
    pub breaker: BreakerConfig,
    /// Adaptive concurrency.
    pub adaptive: AdaptiveConfig,
    /// The cool-down after a 429 without `Retry-After`.
    pub cooldown_429: Duration,
    /// The cool-down after a 529 without `Retry-After`.
    pub cooldown_529: Duration,
    /// The longest cool-down a `Retry-After` may ask for.
    pub max_cooldown: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            breaker: BreakerConfig::default(),
            adaptive: AdaptiveConfig::default(),
            cooldown_429: Duration::from_secs(10),
            cooldown_529: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(600),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct KeyState {
    breaker: Breaker,
    adaptive: Adaptive,
    cool_until: Option<Timestamp>,
    disabled: bool,
}

/// [`Health`] in process memory, for a single replica and for tests.
///
/// ```
/// use std::time::Duration;
/// use aether_core::catalogue::KeyId;
/// use aether_core::Timestamp;
/// use aether_core::schedule::{Class, Health, HealthView, InMemoryHealth, KeyHealth, Report};
///
/// # block_on(async {
/// let health = InMemoryHealth::default();
/// let limited = Class::Throttled { status: 429, retry_after: Some(Duration::from_secs(30)) };
/// let t = Timestamp(1_000);
/// health.report(KeyId(1), Report { class: limited, in_flight: 1, configured_concurrency: None }, t).await;
/// assert_eq!(health.key_health(KeyId(1), t), KeyHealth::CoolingDown { until: t + Duration::from_secs(30) });
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// ```
#[derive(Debug, Default)]
pub struct InMemoryHealth {
    config: HealthConfig,
    keys: Mutex<FastMap<KeyId, KeyState>>,
}

impl InMemoryHealth {
    /// Health with `config`.
    pub fn new(config: HealthConfig) -> Self {
        InMemoryHealth { config, keys: Mutex::default() }
    }

    fn with<T>(&self, key: KeyId, f: impl FnOnce(&mut KeyState) -> T) -> T {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        f(keys.entry(key).or_default())
    }
}

impl HealthView for InMemoryHealth {
    fn key_health(&self, key: KeyId, now: Timestamp) -> KeyHealth {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(state) = keys.get(&key) else { return KeyHealth::Healthy };
        if state.disabled {
            return KeyHealth::Disabled;
        }
        if let Some(until) = state.cool_until.filter(|&until| now < until) {
            return KeyHealth::CoolingDown { until };
        }
        match state.breaker.state(now) {
            BreakerState::Closed => KeyHealth::Healthy,
            BreakerState::Open { until } => KeyHealth::Open { until },
            BreakerState::HalfOpen { probe_ready: true } => KeyHealth::Probe,
            BreakerState::HalfOpen { probe_ready: false } => KeyHealth::ProbeInFlight,
        }
    }
}

#[async_trait]
impl Health for InMemoryHealth {
    async fn begin(&self, key: KeyId, now: Timestamp) {
        self.with(key, |state| state.breaker.on_attempt(&self.config.breaker, now));
    }

    async fn report(&self, key: KeyId, report: Report, now: Timestamp) {
        let config = &self.config;
        self.with(key, |state| match report.class {
            Class::Success => {
                state.breaker.on_success(&config.breaker, now);
                state.adaptive.on_success(
                    &config.adaptive,
                    report.in_flight,
                    report.configured_concurrency,
                    now,
                );
            }
            Class::ClientError => state.breaker.on_success(&config.breaker, now),
            Class::KeyRejected => state.disabled = true,
            Class::Throttled { status, retry_after } => {
                let default = if status == 429 { config.cooldown_429 } else { config.cooldown_529 };
                state.cool_until = Some(now + retry_after.unwrap_or(default).min(config.max_cooldown));
                if status == 429 {
                    state.adaptive.on_429(&config.adaptive, report.in_flight, now);
                }
            }
            Class::Transient => state.breaker.on_failure(&config.breaker, now),
        });
    }

    async fn restore(&self, key: KeyId) {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner).remove(&key);
    }

    fn concurrency_limit(&self, key: KeyId, configured: Option<u32>) -> Option<u32> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.get(&key).map_or(configured, |state| state.adaptive.limit(configured))
    }
}
