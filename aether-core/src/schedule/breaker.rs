//! A per-key circuit breaker: an error-rate window, open with exponential back-off, half-open probes.

use std::time::Duration;

use crate::Timestamp;

/// When a breaker opens and how it recovers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakerConfig {
    /// The sliding window the error rate is measured over.
    pub window: Duration,
    /// Fewer attempts than this in the window never open the breaker.
    pub min_requests: u32,
    /// The failure share (0–1) at or above which it opens.
    pub failure_rate: f64,
    /// How long it stays open the first time; each re-open doubles it.
    pub open_for: Duration,
    /// The longest it stays open.
    pub max_open_for: Duration,
    /// Successful probes that close it again.
    pub probes_to_close: u32,
    /// While half-open, at most one probe per this interval.
    pub probe_interval: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            window: Duration::from_secs(60),
            min_requests: 5,
            failure_rate: 0.5,
            open_for: Duration::from_secs(5),
            max_open_for: Duration::from_secs(300),
            probes_to_close: 2,
            probe_interval: Duration::from_secs(5),
        }
    }
}

/// The state of a breaker, as selection sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Traffic flows.
    Closed,
    /// No traffic until `until`.
    Open {
        /// When it half-opens.
        until: Timestamp,
    },
    /// One probe at a time may pass.
    HalfOpen {
        /// Whether a probe may go now.
        probe_ready: bool,
    },
}

const BUCKETS: usize = 10;

/// One key's breaker. Pure: every method takes the time.
///
/// ```
/// use std::time::Duration;
/// use aether_core::Timestamp;
/// use aether_core::schedule::{Breaker, BreakerConfig, BreakerState};
///
/// let config = BreakerConfig { min_requests: 2, ..BreakerConfig::default() };
/// let mut breaker = Breaker::default();
/// let t = Timestamp(1_000_000);
/// breaker.on_failure(&config, t);
/// breaker.on_failure(&config, t);
/// assert_eq!(breaker.state(t), BreakerState::Open { until: t + Duration::from_secs(5) });
/// let later = t + Duration::from_secs(5);
/// assert_eq!(breaker.state(later), BreakerState::HalfOpen { probe_ready: true });
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breaker {
    /// `(bucket number, successes, failures)` per slot of the window.
    buckets: [(u64, u32, u32); BUCKETS],
    open_until: Option<Timestamp>,
    /// Successful probes since half-opening.
    probes_ok: u32,
    next_probe: Timestamp,
    /// How many times it opened in a row without closing.
    reopened: u32,
}

impl Breaker {
    /// Its state at `now`.
    pub fn state(&self, now: Timestamp) -> BreakerState {
        match self.open_until {
            None => BreakerState::Closed,
            Some(until) if now < until => BreakerState::Open { until },
            Some(_) => BreakerState::HalfOpen { probe_ready: now >= self.next_probe },
        }
    }

    /// An attempt starts: in half-open, it is the probe, and the next must wait.
    pub fn on_attempt(&mut self, config: &BreakerConfig, now: Timestamp) {
        if let BreakerState::HalfOpen { .. } = self.state(now) {
            self.next_probe = now + config.probe_interval;
        }
    }

    /// An attempt succeeded.
    pub fn on_success(&mut self, config: &BreakerConfig, now: Timestamp) {
        match self.state(now) {
            BreakerState::Closed => self.count(config, now, true),
            BreakerState::HalfOpen { .. } => {
                self.probes_ok += 1;
                self.next_probe = now;
                if self.probes_ok >= config.probes_to_close {
                    *self = Breaker::default();
                }
            }
            BreakerState::Open { .. } => {}
        }
    }

    /// An attempt failed in a way that counts against the key (5xx, timeout, connection error).
    pub fn on_failure(&mut self, config: &BreakerConfig, now: Timestamp) {
        match self.state(now) {
            BreakerState::Closed => {
                self.count(config, now, false);
                let (ok, failed) = self.totals(config, now);
                let total = ok + failed;
                if total >= config.min_requests && f64::from(failed) >= config.failure_rate * f64::from(total)
                {
                    self.open(config, now);
                }
            }
            BreakerState::HalfOpen { .. } => self.open(config, now),
            BreakerState::Open { .. } => {}
        }
    }

    fn open(&mut self, config: &BreakerConfig, now: Timestamp) {
        let factor = 1u32.checked_shl(self.reopened.min(16)).unwrap_or(u32::MAX);
        let open_for = config.open_for.saturating_mul(factor).min(config.max_open_for);
        self.open_until = Some(now + open_for);
        self.next_probe = now + open_for;
        self.probes_ok = 0;
        self.reopened += 1;
        self.buckets = Default::default();
    }

    fn bucket_len(config: &BreakerConfig) -> u64 {
        (config.window.as_millis() as u64 / BUCKETS as u64).max(1)
    }

    fn count(&mut self, config: &BreakerConfig, now: Timestamp, ok: bool) {
        let number = now.0 / Self::bucket_len(config);
        let slot = &mut self.buckets[(number % BUCKETS as u64) as usize];
        if slot.0 != number {
            *slot = (number, 0, 0);
        }
        if ok { slot.1 += 1 } else { slot.2 += 1 }
    }

    fn totals(&self, config: &BreakerConfig, now: Timestamp) -> (u32, u32) {
        let current = now.0 / Self::bucket_len(config);
        self.buckets
            .iter()
            .filter(|(number, _, _)| current.saturating_sub(*number) < BUCKETS as u64 && *number <= current)
            .fold((0, 0), |(ok, failed), (_, o, f)| (ok + o, failed + f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn config() -> BreakerConfig {
        BreakerConfig { min_requests: 4, ..BreakerConfig::default() }
    }

    #[test]
    fn stays_closed_below_the_minimum_or_the_rate() {
        let (c, t) = (config(), Timestamp(10_000_000));
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_failure(&c, t);
        }
        assert_eq!(b.state(t), BreakerState::Closed);
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_success(&c, t);
        }
        b.on_failure(&c, t);
        b.on_failure(&c, t);
        assert_eq!(b.state(t), BreakerState::Closed, "2 failures of 5 is under 50 %");
        b.on_failure(&c, t);
        assert_eq!(b.state(t), BreakerState::Open { until: t + 5 * S }, "3 of 6 is 50 %");
    }

    #[test]
    fn old_failures_leave_the_window() {
        let (c, t) = (config(), Timestamp(10_000_000));
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.on_failure(&c, t);
        }
        let later = t + 61 * S;
        b.on_failure(&c, later);
        assert_eq!(b.state(later), BreakerState::Closed);
    }

    #[test]
    fn half_open_probes_close_it_or_reopen_with_back_off() {
        let (c, t) = (config(), Timestamp(10_000_000));
        let mut b = Breaker::default();
        for _ in 0..4 {
            b.on_failure(&c, t);
        }
        let t1 = t + 5 * S;
        assert_eq!(b.state(t1), BreakerState::HalfOpen { probe_ready: true });
        b.on_attempt(&c, t1);
        assert_eq!(b.state(t1), BreakerState::HalfOpen { probe_ready: false });
        b.on_failure(&c, t1);
        assert_eq!(b.state(t1), BreakerState::Open { until: t1 + 10 * S }, "back-off doubles");
        let t2 = t1 + 10 * S;
        b.on_attempt(&c, t2);
        b.on_success(&c, t2);
        assert_eq!(b.state(t2), BreakerState::HalfOpen { probe_ready: true });
        b.on_success(&c, t2);
        assert_eq!(b.state(t2), BreakerState::Closed);
        assert_eq!(b, Breaker::default(), "closing resets the back-off");
    }
}
