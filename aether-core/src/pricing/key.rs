//! A provider key's terms: its rate multiplier and its free tier, which turn list cost into the
//! operator's actual cost.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MAX_MULTIPLIER, MAX_SCALE, PriceError};
use crate::Timestamp;

/// How one provider key's bill differs from list price, at the moment a request is settled.
///
/// - The **rate multiplier** scales every list price (a reseller key at 0.8, a premium route at 1.2).
/// - The **free allowance** is what is left of the key's [`FreeTier`] in the current period, read
///   from the shared counters by the caller; the cost tells how much of it the request used
///   ([`Cost::free_used`](super::Cost::free_used)), for the caller to take off.
///
/// ```
/// use aether_core::pricing::{FreeAllowance, KeyTerms};
/// use aether_core::pricing::Decimal;
///
/// let key = KeyTerms::new(Decimal::new(8, 1))?.with_free(FreeAllowance { requests: 0, tokens: 1_000_000 });
/// assert_eq!(key.rate_multiplier().to_string(), "0.8");
/// # Ok::<(), aether_core::pricing::PriceError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyTerms {
    rate_multiplier: Decimal,
    free: FreeAllowance,
}

impl KeyTerms {
    /// List price: multiplier 1, no free allowance.
    pub const LIST: KeyTerms = KeyTerms { rate_multiplier: Decimal::ONE, free: FreeAllowance::NONE };

    /// Terms with this rate multiplier (0 to [`MAX_MULTIPLIER`], at most [`MAX_SCALE`] decimal places)
    /// and no free allowance.
    pub fn new(rate_multiplier: Decimal) -> Result<Self, PriceError> {
        if rate_multiplier < Decimal::ZERO
            || rate_multiplier > Decimal::from(MAX_MULTIPLIER)
            || rate_multiplier.normalize().scale() > MAX_SCALE
        {
            return Err(PriceError::MultiplierOutOfRange(rate_multiplier));
        }
        Ok(KeyTerms { rate_multiplier, free: FreeAllowance::NONE })
    }

    /// The same terms with `free` left of the key's free tier.
    pub fn with_free(self, free: FreeAllowance) -> Self {
        KeyTerms { free, ..self }
    }

    /// The multiplier applied to list prices.
    pub fn rate_multiplier(&self) -> Decimal {
        self.rate_multiplier
    }

    /// What is left of the free tier.
    pub fn free(&self) -> FreeAllowance {
        self.free
    }
}

impl Default for KeyTerms {
    fn default() -> Self {
        KeyTerms::LIST
    }
}

/// An amount of a free tier: whole requests and tokens the provider does not bill.
///
/// How a request uses it, in this order:
/// 1. If `requests` is above zero, the request costs the operator nothing at all and uses one free
///    request.
/// 2. Otherwise free `tokens` cover the request's tokens in the order the provider meters them:
///    uncached input, cache reads, 5-minute cache writes, 1-hour cache writes, then output. Covered
///    tokens cost nothing; the per-request price is still paid.
///
/// A request that would cost the operator nothing anyway (a zero multiplier, no tokens) uses none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeAllowance {
    /// Whole requests.
    #[serde(default)]
    pub requests: u64,
    /// Tokens of any kind.
    #[serde(default)]
    pub tokens: u64,
}

impl FreeAllowance {
    /// Nothing free.
    pub const NONE: FreeAllowance = FreeAllowance { requests: 0, tokens: 0 };

    /// What is left after `used` (never below zero).
    pub fn minus(self, used: FreeAllowance) -> FreeAllowance {
        FreeAllowance {
            requests: self.requests.saturating_sub(used.requests),
            tokens: self.tokens.saturating_sub(used.tokens),
        }
    }
}

/// A provider key's free tier as configured: an allowance renewed at the start of every period.
///
/// ```
/// use aether_core::Timestamp;
/// use aether_core::pricing::{FreePeriod, FreeTier};
///
/// let tier: FreeTier = serde_json::from_str(r#"{"tokens": 1000000, "period": "day"}"#)?;
/// assert_eq!(tier.allowance().tokens, 1_000_000);
/// let now: Timestamp = "2025-06-01T15:30:00Z".parse()?;
/// assert_eq!(tier.period.start(now), "2025-06-01".parse()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeTier {
    /// Free requests per period (default 0).
    #[serde(default)]
    pub requests: u64,
    /// Free tokens per period (default 0).
    #[serde(default)]
    pub tokens: u64,
    /// How often the allowance is renewed.
    pub period: FreePeriod,
}

impl FreeTier {
    /// The whole allowance, as it stands at the start of a period.
    pub fn allowance(&self) -> FreeAllowance {
        FreeAllowance { requests: self.requests, tokens: self.tokens }
    }
}

/// When a free tier renews: at the start of each UTC calendar day or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreePeriod {
    /// Every day at 00:00 UTC.
    Day,
    /// On the first of every month at 00:00 UTC.
    Month,
}

impl FreePeriod {
    /// The start of the period that contains `at`: the key under which its usage is counted.
    pub fn start(self, at: Timestamp) -> Timestamp {
        match self {
            FreePeriod::Day => at.start_of_day(),
            FreePeriod::Month => {
                let (year, month, _) = at.date();
                Timestamp::from_date(year, month, 1).unwrap_or_else(|| at.start_of_day())
            }
        }
    }
}
