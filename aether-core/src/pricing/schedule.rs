//! One price list of a model: context tiers, cache prices per TTL and a per-request price.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MAX_PRICE, MAX_SCALE, PriceError};
use crate::Timestamp;

/// Prices of one context tier, in the table's currency per million tokens.
///
/// A tier applies to requests whose total input (uncached input, cache reads and cache writes:
/// [`Usage::total_input`](crate::Usage::total_input)) is at most `up_to`. A cache price left out is
/// charged at the `input` price, what the upstream would charge for the same tokens without a cache.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The most total input tokens this tier covers (inclusive); `None` for no bound, only on the last tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<u64>,
    /// Uncached input tokens.
    #[serde(with = "super::money")]
    pub input: Decimal,
    /// Output tokens, reasoning included.
    #[serde(with = "super::money")]
    pub output: Decimal,
    /// Input tokens read from a cache (default: `input`).
    #[serde(default, with = "super::money::option", skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<Decimal>,
    /// Input tokens written to a 5-minute cache (default: `input`).
    #[serde(default, with = "super::money::option", skip_serializing_if = "Option::is_none")]
    pub cache_write_5m: Option<Decimal>,
    /// Input tokens written to a 1-hour cache (default: `input`).
    #[serde(default, with = "super::money::option", skip_serializing_if = "Option::is_none")]
    pub cache_write_1h: Option<Decimal>,
}

impl Tier {
    /// A tier with these input and output prices and no cache prices of its own.
    pub fn new(up_to: Option<u64>, input: Decimal, output: Decimal) -> Self {
        Tier { up_to, input, output, cache_read: None, cache_write_5m: None, cache_write_1h: None }
    }

    /// The cache read price in force (`input` when not set).
    pub fn cache_read_price(&self) -> Decimal {
        self.cache_read.unwrap_or(self.input)
    }

    /// The 5-minute cache write price in force (`input` when not set).
    pub fn cache_write_5m_price(&self) -> Decimal {
        self.cache_write_5m.unwrap_or(self.input)
    }

    /// The 1-hour cache write price in force (`input` when not set).
    pub fn cache_write_1h_price(&self) -> Decimal {
        self.cache_write_1h.unwrap_or(self.input)
    }

    /// Whether a request with `total_input` tokens of input falls within this tier's bound.
    fn covers(&self, total_input: u64) -> bool {
        self.up_to.is_none_or(|up_to| total_input <= up_to)
    }
}

/// A model's prices from `effective_from` until the next schedule of the same model takes effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSchedule {
    /// When these prices take effect (inclusive).
    pub effective_from: Timestamp,
    /// A flat price per successful request (default 0); failed requests never pay it.
    #[serde(default, with = "super::money", skip_serializing_if = "Decimal::is_zero")]
    pub per_request: Decimal,
    /// Context tiers, by ascending `up_to`: the first that covers a request's total input applies, else
    /// the last.
    pub tiers: Vec<Tier>,
}

impl PriceSchedule {
    /// The tier for a request with `total_input` tokens of input, and its index: the first whose
    /// `up_to` covers it, else the last. `None` only for a schedule without tiers, which validation
    /// rejects.
    pub fn tier_for(&self, total_input: u64) -> Option<(usize, &Tier)> {
        self.tiers.iter().enumerate().find(|(_, tier)| tier.covers(total_input)).or_else(|| {
            let last = self.tiers.len().checked_sub(1)?;
            Some((last, &self.tiers[last]))
        })
    }

    /// Checks tiers (at least one, `up_to` strictly ascending, only the last unbounded) and prices
    /// (0 to [`MAX_PRICE`], at most [`MAX_SCALE`] decimal places); `index` is the schedule's position, for the error.
    pub(crate) fn validate(&self, index: usize) -> Result<(), PriceError> {
        if self.tiers.is_empty() {
            return Err(PriceError::NoTiers { schedule: index });
        }
        check_price(index, "per_request".into(), self.per_request)?;
        let mut previous: Option<u64> = None;
        for (i, tier) in self.tiers.iter().enumerate() {
            match (tier.up_to, previous) {
                (None, _) if i + 1 < self.tiers.len() => {
                    return Err(PriceError::UnboundedTierNotLast { schedule: index, tier: i });
                }
                (Some(up_to), Some(prev)) if up_to <= prev => {
                    return Err(PriceError::TiersNotAscending {
                        schedule: index,
                        tier: i,
                        up_to,
                        previous: prev,
                    });
                }
                _ => previous = tier.up_to,
            }
            let prices = [
                ("input", Some(tier.input)),
                ("output", Some(tier.output)),
                ("cache_read", tier.cache_read),
                ("cache_write_5m", tier.cache_write_5m),
                ("cache_write_1h", tier.cache_write_1h),
            ];
            for (field, price) in prices {
                if let Some(price) = price {
                    check_price(index, format!("tiers[{i}].{field}"), price)?;
                }
            }
        }
        Ok(())
    }
}

fn check_price(schedule: usize, field: String, value: Decimal) -> Result<(), PriceError> {
    if value < Decimal::ZERO || value > Decimal::from(MAX_PRICE) || value.normalize().scale() > MAX_SCALE {
        return Err(PriceError::PriceOutOfRange { schedule, field, value });
    }
    Ok(())
}
