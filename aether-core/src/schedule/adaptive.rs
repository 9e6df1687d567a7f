//! Adaptive concurrency: a per-key limit learnt from 429s, probed upwards when calm, with a share of
//! the slots kept for cache-affinity traffic.

use std::time::Duration;

use crate::Timestamp;

/// How the learnt limit moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveConfig {
    /// A 429 arriving with at least this many requests in flight on the key is read as a concurrency
    /// limit; fewer means a rate limit, which only cools the key.
    pub min_in_flight: u32,
    /// How long without a 429 before the limit is raised by one.
    pub calm: Duration,
    /// The share of slots (percent, rounded down) only affinity traffic may take.
    pub affinity_reserve_percent: u32,
}

impl Default for AdaptiveConfig {
    fn default() -> Self {
        AdaptiveConfig { min_in_flight: 2, calm: Duration::from_secs(60), affinity_reserve_percent: 20 }
    }
}

/// One key's learnt concurrency limit. Pure: every method takes the time.
///
/// ```
/// use std::time::Duration;
/// use aether_core::Timestamp;
/// use aether_core::schedule::{Adaptive, AdaptiveConfig};
///
/// let config = AdaptiveConfig::default();
/// let mut adaptive = Adaptive::default();
/// assert!(adaptive.on_429(&config, 5, Timestamp(0)), "a 429 with 5 in flight is a concurrency limit");
/// assert_eq!(adaptive.limit(Some(10)), Some(4));
/// adaptive.on_success(&config, 4, Some(10), Timestamp(61_000));
/// assert_eq!(adaptive.limit(Some(10)), Some(5), "probed upwards after a calm minute");
/// assert_eq!(Adaptive::slots(5, false, &config), 4, "one slot of five kept for affinity traffic");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Adaptive {
    learnt: Option<u32>,
    last_change: Timestamp,
}

impl Adaptive {
    /// A 429 arrived with `in_flight` requests out on the key (this one included). Returns whether it
    /// was read as a concurrency limit (and the limit lowered).
    pub fn on_429(&mut self, config: &AdaptiveConfig, in_flight: u32, now: Timestamp) -> bool {
        if in_flight < config.min_in_flight {
            return false;
        }
        let lowered = in_flight - 1;
        self.learnt = Some(self.learnt.map_or(lowered, |l| l.min(lowered)).max(1));
        self.last_change = now;
        true
    }

    /// A request succeeded with `in_flight` out: when the key runs at its learnt limit and has been
    /// calm, raise the limit by one (and forget it once it passes the configured maximum).
    pub fn on_success(
        &mut self,
        config: &AdaptiveConfig,
        in_flight: u32,
        configured: Option<u32>,
        now: Timestamp,
    ) {
        let Some(learnt) = self.learnt else { return };
        if in_flight >= learnt && now.since(self.last_change) >= config.calm {
            let raised = learnt + 1;
            self.learnt = if configured.is_some_and(|max| raised >= max) { None } else { Some(raised) };
            self.last_change = now;
        }
    }

    /// The effective limit: the configured one, lowered by what was learnt.
    pub fn limit(&self, configured: Option<u32>) -> Option<u32> {
        match (configured, self.learnt) {
            (Some(c), Some(l)) => Some(c.min(l)),
            (c, l) => c.or(l),
        }
    }

    /// How many of `limit` slots a request may fill: all for affinity traffic, the unreserved share
    /// (at least one) otherwise.
    pub fn slots(limit: u32, affinity: bool, config: &AdaptiveConfig) -> u32 {
        if affinity {
            return limit;
        }
        let reserved = limit.saturating_mul(config.affinity_reserve_percent) / 100;
        limit.saturating_sub(reserved).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_429_does_not_lower_the_limit() {
        let mut a = Adaptive::default();
        assert!(!a.on_429(&AdaptiveConfig::default(), 1, Timestamp(0)));
        assert_eq!(a.limit(Some(8)), Some(8));
        assert_eq!(a.limit(None), None);
    }

    #[test]
    fn repeated_429s_only_lower_and_never_below_one() {
        let c = AdaptiveConfig::default();
        let mut a = Adaptive::default();
        a.on_429(&c, 6, Timestamp(0));
        a.on_429(&c, 9, Timestamp(1));
        assert_eq!(a.limit(None), Some(5));
        a.on_429(&c, 2, Timestamp(2));
        assert_eq!(a.limit(None), Some(1));
    }

    #[test]
    fn no_raise_while_not_calm_or_not_at_the_limit() {
        let c = AdaptiveConfig::default();
        let mut a = Adaptive::default();
        a.on_429(&c, 4, Timestamp(0));
        a.on_success(&c, 3, None, Timestamp(30_000));
        a.on_success(&c, 1, None, Timestamp(90_000));
        assert_eq!(a.limit(None), Some(3));
        a.on_success(&c, 3, Some(4), Timestamp(90_000));
        assert_eq!(a.limit(Some(4)), Some(4), "reaching the configured limit forgets the learnt one");
        assert_eq!(a, Adaptive { learnt: None, last_change: Timestamp(90_000) });
    }

    #[test]
    fn the_reserve_never_starves_other_traffic() {
        let c = AdaptiveConfig::default();
        assert_eq!(Adaptive::slots(1, false, &c), 1);
        assert_eq!(Adaptive::slots(10, false, &c), 8);
        assert_eq!(Adaptive::slots(10, true, &c), 10);
    }
}
