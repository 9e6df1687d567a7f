//! Configured limits: RPM, TPM and concurrency per key and per endpoint, as leases released on drop;
//! and providers' monthly spend.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use crate::Timestamp;
use crate::catalogue::{EndpointId, KeyId, Limits, ProviderId};
use crate::fast_map::FastMap;
use crate::schedule::{Adaptive, AdaptiveConfig, Candidate, Health, SkipReason};

/// Which limit refused an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// Requests per minute.
    #[error("requests-per-minute limit reached")]
    Rpm,
    /// Tokens per minute.
    #[error("tokens-per-minute limit reached")]
    Tpm,
    /// Requests in flight.
    #[error("no free concurrency slot")]
    Concurrency,
}

impl From<LimitExceeded> for SkipReason {
    fn from(limit: LimitExceeded) -> SkipReason {
        match limit {
            LimitExceeded::Rpm => SkipReason::RpmLimit,
            LimitExceeded::Tpm => SkipReason::TpmLimit,
            LimitExceeded::Concurrency => SkipReason::Concurrency,
        }
    }
}

/// What one attempt asks the limiter for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acquire {
    /// The key.
    pub key: KeyId,
    /// The key's limits, `max_concurrency` being the slots this attempt may use.
    pub key_limits: Limits,
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The endpoint's limits.
    pub endpoint_limits: Limits,
    /// Tokens to reserve against TPM (the estimated input; settled later).
    pub tokens: u64,
}

impl Acquire {
    /// The acquisition for `candidate`: the key's concurrency is its configured limit lowered by
    /// what `health` learnt, less the share reserved for affinity traffic unless this is it.
    pub fn new(
        candidate: &Candidate<'_>,
        health: &dyn Health,
        adaptive: &AdaptiveConfig,
        tokens: u64,
    ) -> Acquire {
        let key = candidate.key;
        let limit = health.concurrency_limit(key.id, key.limits.max_concurrency);
        let slots = limit.map(|limit| Adaptive::slots(limit, candidate.affinity, adaptive));
        Acquire {
            key: key.id,
            key_limits: Limits { max_concurrency: slots, ..key.limits },
            endpoint: candidate.endpoint.id,
            endpoint_limits: candidate.endpoint.limits,
            tokens,
        }
    }
}

/// Held while an attempt's response is in use, body included; dropping it frees the concurrency slot.
pub struct Lease {
    in_flight: u32,
    release: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl Lease {
    /// A lease that runs `release` when dropped; `in_flight` is the key's count including it.
    pub fn new(in_flight: u32, release: impl FnOnce() + Send + Sync + 'static) -> Lease {
        Lease { in_flight, release: Some(Box::new(release)) }
    }

    /// Requests in flight on the key when it was taken, itself included.
    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease").field("in_flight", &self.in_flight).finish_non_exhaustive()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

/// Rate and concurrency counters, shared by every replica.
#[async_trait]
pub trait Limiter: Send + Sync {
    /// Checks every limit of `request` and, if all pass, counts the request, reserves its tokens and
    /// takes a concurrency slot on key and endpoint, atomically.
    async fn acquire(&self, request: &Acquire, now: Timestamp) -> Result<Lease, LimitExceeded>;
    /// Corrects the token reservation of `request` to the `actual` count once known.
    async fn settle(&self, request: &Acquire, actual: u64, now: Timestamp);
}

/// The synchronous read of providers' spend that selection calls (budgets).
pub trait SpendView: Send + Sync {
    /// What `provider` has cost in the calendar month (UTC) of `now`, in millionths.
    fn month_spend_micros(&self, provider: ProviderId, now: Timestamp) -> u64;
}

const MINUTE_MS: u64 = 60_000;

/// A sliding one-minute count, approximated from two fixed minutes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Window {
    minute: u64,
    current: u64,
    previous: u64,
}

impl Window {
    fn roll(&mut self, now: Timestamp) {
        let minute = now.0 / MINUTE_MS;
        if minute != self.minute {
            self.previous = if minute == self.minute + 1 { self.current } else { 0 };
            self.current = 0;
            self.minute = minute;
        }
    }

    fn used(&self, now: Timestamp) -> u64 {
        let elapsed = now.0 % MINUTE_MS;
        self.current + self.previous * (MINUTE_MS - elapsed) / MINUTE_MS
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counter {
    pub(crate) in_flight: u32,
    requests: Window,
    tokens: Window,
}

impl Counter {
    pub(crate) fn check(
        &mut self,
        limits: &Limits,
        tokens: u64,
        now: Timestamp,
    ) -> Result<(), LimitExceeded> {
        self.requests.roll(now);
        self.tokens.roll(now);
        if limits.rpm.is_some_and(|rpm| self.requests.used(now) >= u64::from(rpm)) {
            return Err(LimitExceeded::Rpm);
        }
        if limits.tpm.is_some_and(|tpm| {
            let used = self.tokens.used(now);
            used >= tpm || used + tokens > tpm
        }) {
            return Err(LimitExceeded::Tpm);
        }
        if limits.max_concurrency.is_some_and(|max| self.in_flight >= max) {
            return Err(LimitExceeded::Concurrency);
        }
        Ok(())
    }

    pub(crate) fn take(&mut self, tokens: u64) {
        self.in_flight += 1;
        self.requests.current += 1;
        self.tokens.current += tokens;
    }

    pub(crate) fn adjust(&mut self, reserved: u64, actual: u64, now: Timestamp) {
        self.tokens.roll(now);
        self.tokens.current = (self.tokens.current + actual).saturating_sub(reserved);
    }
}

#[derive(Debug, Default)]
struct Counters {
    keys: FastMap<KeyId, Counter>,
    endpoints: FastMap<EndpointId, Counter>,
    spend: FastMap<ProviderId, (u32, u64)>,
}

/// [`Limiter`] and [`SpendView`] in process memory, for a single replica and for tests.
///
/// ```
/// use aether_core::catalogue::{EndpointId, KeyId, Limits};
/// use aether_core::Timestamp;
/// use aether_core::schedule::{Acquire, InMemoryLimits, LimitExceeded, Limiter};
///
/// let limits = InMemoryLimits::default();
/// let one_at_a_time = Limits { max_concurrency: Some(1), ..Limits::default() };
/// let request = Acquire { key: KeyId(1), key_limits: one_at_a_time, endpoint: EndpointId(1), endpoint_limits: Limits::default(), tokens: 0 };
/// let lease = block_on(limits.acquire(&request, Timestamp(0))).expect("a free slot");
/// assert_eq!(block_on(limits.acquire(&request, Timestamp(0))).err(), Some(LimitExceeded::Concurrency));
/// drop(lease); // e.g. when the streamed body ends
/// assert!(block_on(limits.acquire(&request, Timestamp(0))).is_ok());
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct InMemoryLimits {
    counters: Arc<Mutex<Counters>>,
}

impl InMemoryLimits {
    /// Adds `micros` to what `provider` spent in the month of `now`.
    pub fn add_spend(&self, provider: ProviderId, micros: u64, now: Timestamp) {
        let month = now.month();
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let spend = counters.spend.entry(provider).or_default();
        if spend.0 != month {
            *spend = (month, 0);
        }
        spend.1 = spend.1.saturating_add(micros);
    }

    /// Requests in flight on `key` now.
    pub fn in_flight(&self, key: KeyId) -> u32 {
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        counters.keys.get(&key).map_or(0, |c| c.in_flight)
    }
}

#[async_trait]
impl Limiter for InMemoryLimits {
    async fn acquire(&self, request: &Acquire, now: Timestamp) -> Result<Lease, LimitExceeded> {
        let mut guard = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let counters = &mut *guard;
        let key = counters.keys.entry(request.key).or_default();
        key.check(&request.key_limits, request.tokens, now)?;
        let endpoint = counters.endpoints.entry(request.endpoint).or_default();
        endpoint.check(&request.endpoint_limits, request.tokens, now)?;
        endpoint.take(request.tokens);
        let key = counters.keys.entry(request.key).or_default();
        key.take(request.tokens);
        let in_flight = key.in_flight;
        let (shared, key_id, endpoint_id) = (Arc::clone(&self.counters), request.key, request.endpoint);
        Ok(Lease::new(in_flight, move || {
            let mut counters = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(key) = counters.keys.get_mut(&key_id) {
                key.in_flight = key.in_flight.saturating_sub(1);
            }
            if let Some(endpoint) = counters.endpoints.get_mut(&endpoint_id) {
                endpoint.in_flight = endpoint.in_flight.saturating_sub(1);
            }
        }))
    }

    async fn settle(&self, request: &Acquire, actual: u64, now: Timestamp) {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = counters.keys.get_mut(&request.key) {
            key.adjust(request.tokens, actual, now);
        }
        if let Some(endpoint) = counters.endpoints.get_mut(&request.endpoint) {
            endpoint.adjust(request.tokens, actual, now);
        }
    }
}

impl SpendView for InMemoryLimits {
    fn month_spend_micros(&self, provider: ProviderId, now: Timestamp) -> u64 {
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        counters
            .spend
            .get(&provider)
            .filter(|(month, _)| *month == now.month())
            .map_or(0, |(_, micros)| *micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn ready<T>(future: impl Future<Output = T>) -> T {
        let mut future = pin!(future);
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("in-memory limits never wait"),
        }
    }

    fn request(key: Limits, endpoint: Limits, tokens: u64) -> Acquire {
        Acquire { key: KeyId(1), key_limits: key, endpoint: EndpointId(9), endpoint_limits: endpoint, tokens }
    }

    #[test]
    fn rpm_is_a_sliding_minute() {
        let limits = InMemoryLimits::default();
        let r = request(Limits { rpm: Some(2), ..Limits::default() }, Limits::default(), 0);
        let t = Timestamp(600_000);
        drop(ready(limits.acquire(&r, t)));
        drop(ready(limits.acquire(&r, t)));
        assert_eq!(ready(limits.acquire(&r, t)).err(), Some(LimitExceeded::Rpm));
        let half_later = Timestamp(600_000 + 90_000);
        drop(ready(limits.acquire(&r, half_later)).expect("half of the last minute's 2 counts: 1 of 2 used"));
        assert_eq!(ready(limits.acquire(&r, half_later)).err(), Some(LimitExceeded::Rpm));
        assert!(ready(limits.acquire(&r, Timestamp(600_000 + 120_000))).is_ok());
    }

    #[test]
    fn tpm_reserves_then_settles() {
        let limits = InMemoryLimits::default();
        let r = request(Limits { tpm: Some(1_000), ..Limits::default() }, Limits::default(), 800);
        let t = Timestamp(0);
        drop(ready(limits.acquire(&r, t)));
        assert_eq!(ready(limits.acquire(&r, t)).err(), Some(LimitExceeded::Tpm));
        ready(limits.settle(&r, 100, t));
        assert!(ready(limits.acquire(&r, t)).is_ok(), "100 used + 800 reserved fits in 1000");
    }

    #[test]
    fn endpoint_limits_apply_across_keys_and_refusals_take_nothing() {
        let limits = InMemoryLimits::default();
        let endpoint = Limits { max_concurrency: Some(1), ..Limits::default() };
        let first = request(Limits::default(), endpoint, 0);
        let second = Acquire { key: KeyId(2), ..first };
        let lease = ready(limits.acquire(&first, Timestamp(0))).expect("first slot");
        assert_eq!(ready(limits.acquire(&second, Timestamp(0))).err(), Some(LimitExceeded::Concurrency));
        assert_eq!(limits.in_flight(KeyId(2)), 0);
        drop(lease);
        assert_eq!(limits.in_flight(KeyId(1)), 0);
        assert!(ready(limits.acquire(&second, Timestamp(0))).is_ok());
    }

    #[test]
    fn spend_resets_each_month() {
        let limits = InMemoryLimits::default();
        let january = Timestamp(1_767_225_600_000 + 86_400_000); // 2026-01-02
        limits.add_spend(ProviderId(1), 500, january);
        assert_eq!(limits.month_spend_micros(ProviderId(1), january), 500);
        let february = Timestamp(1_767_225_600_000 + 32 * 86_400_000);
        assert_eq!(limits.month_spend_micros(ProviderId(1), february), 0);
    }
}
