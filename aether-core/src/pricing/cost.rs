//! The cost of one request: list (what users are charged) and actual (what the operator pays).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{FreeAllowance, KeyTerms, PriceSchedule, Tier};
use crate::Timestamp;
use crate::Usage;

/// Whether the request succeeded; only a successful request pays the per-request price. Tokens are
/// paid either way (a stream cut half-way still consumed them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The upstream answered in full.
    Success,
    /// The request failed or was cut short.
    Failure,
}

/// Money per component of a request, in the price table's currency: exact, never rounded.
/// Amounts serialise as strings without trailing zeros.
/// `total` is the sum of the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostBreakdown {
    /// Uncached input tokens.
    #[serde(with = "super::money")]
    pub input: Decimal,
    /// Output tokens.
    #[serde(with = "super::money")]
    pub output: Decimal,
    /// Cache reads.
    #[serde(with = "super::money")]
    pub cache_read: Decimal,
    /// 5-minute cache writes.
    #[serde(with = "super::money")]
    pub cache_write_5m: Decimal,
    /// 1-hour cache writes.
    #[serde(with = "super::money")]
    pub cache_write_1h: Decimal,
    /// The per-request price.
    #[serde(with = "super::money")]
    pub per_request: Decimal,
    /// All of the above.
    #[serde(with = "super::money")]
    pub total: Decimal,
}

impl CostBreakdown {
    fn new(parts: [Decimal; 5], per_request: Decimal) -> Self {
        let total = parts.iter().sum::<Decimal>() + per_request;
        let [input, output, cache_read, cache_write_5m, cache_write_1h] = parts;
        CostBreakdown { input, output, cache_read, cache_write_5m, cache_write_1h, per_request, total }
    }
}

/// The priced cost of one request, as a usage record stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// At list price: what the user is charged.
    pub list: CostBreakdown,
    /// After the key's rate multiplier and free tier: what the operator pays.
    pub actual: CostBreakdown,
    /// How much of the key's free allowance the request used.
    pub free_used: FreeAllowance,
    /// The schedule that priced it.
    pub effective_from: Timestamp,
    /// The index of the tier that priced it.
    pub tier: usize,
}

/// The outcome of pricing a request: a cost, or no price at all (which is never reported as zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[expect(
    clippy::large_enum_variant,
    reason = "nearly every charge is priced; boxing would cost an allocation each"
)]
pub enum Charge {
    /// The model had a price in force.
    Priced(Cost),
    /// The model has no price at the request's time; budgets must treat it by policy, not as free.
    Unpriced,
}

impl Charge {
    /// The cost, if priced.
    pub fn cost(&self) -> Option<&Cost> {
        match self {
            Charge::Priced(cost) => Some(cost),
            Charge::Unpriced => None,
        }
    }

    /// What the user is charged, if priced.
    pub fn list_total(&self) -> Option<Decimal> {
        self.cost().map(|cost| cost.list.total)
    }

    /// What the operator pays, if priced.
    pub fn actual_total(&self) -> Option<Decimal> {
        self.cost().map(|cost| cost.actual.total)
    }
}

const PER_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Prices `usage` with `schedule`. Amounts cannot overflow: tokens are at most `u64::MAX`, prices at
/// most [`super::MAX_PRICE`] and the multiplier at most [`super::MAX_MULTIPLIER`].
pub(super) fn compute(schedule: &PriceSchedule, usage: &Usage, outcome: Outcome, key: &KeyTerms) -> Charge {
    let total_input = [usage.input, usage.cache_read, usage.cache_write_5m, usage.cache_write_1h]
        .into_iter()
        .fold(0u64, u64::saturating_add);
    let Some((tier_index, tier)) = schedule.tier_for(total_input) else {
        return Charge::Unpriced;
    };
    let tokens = [usage.input, usage.output, usage.cache_read, usage.cache_write_5m, usage.cache_write_1h];
    let prices = unit_prices(tier);
    let per_request = match outcome {
        Outcome::Success => schedule.per_request,
        Outcome::Failure => Decimal::ZERO,
    };
    let list = CostBreakdown::new(std::array::from_fn(|i| per_million(tokens[i], prices[i])), per_request);

    let multiplier = key.rate_multiplier();
    let scaled = |amount: Decimal| amount * multiplier;
    let full_actual = CostBreakdown::new(
        [list.input, list.output, list.cache_read, list.cache_write_5m, list.cache_write_1h].map(scaled),
        scaled(list.per_request),
    );
    let free = key.free();
    let (actual, free_used) = if full_actual.total.is_zero() {
        (full_actual, FreeAllowance::NONE)
    } else if free.requests > 0 {
        (CostBreakdown::default(), FreeAllowance { requests: 1, tokens: 0 })
    } else {
        // Free tokens cover input, cache reads, cache writes (5m, 1h), then output.
        let mut left = free.tokens;
        let mut billed = tokens;
        for i in [0, 2, 3, 4, 1] {
            let covered = billed[i].min(left);
            billed[i] -= covered;
            left -= covered;
        }
        let actual = CostBreakdown::new(
            std::array::from_fn(|i| scaled(per_million(billed[i], prices[i]))),
            full_actual.per_request,
        );
        (actual, FreeAllowance { requests: 0, tokens: free.tokens - left })
    };
    Charge::Priced(Cost {
        list,
        actual,
        free_used,
        effective_from: schedule.effective_from,
        tier: tier_index,
    })
}

/// `tokens × price / 1,000,000`, exactly: shifting the scale by six digits where it fits, which is
/// several times faster than a decimal division.
fn per_million(tokens: u64, price: Decimal) -> Decimal {
    let product = Decimal::from(tokens) * price;
    let mut shifted = product;
    match shifted.set_scale(product.scale() + 6) {
        Ok(()) => shifted,
        Err(_) => product / PER_MILLION,
    }
}

/// The tier's prices in [`CostBreakdown`] order: input, output, cache read, cache writes 5m and 1h.
fn unit_prices(tier: &Tier) -> [Decimal; 5] {
    [
        tier.input,
        tier.output,
        tier.cache_read_price(),
        tier.cache_write_5m_price(),
        tier.cache_write_1h_price(),
    ]
}
