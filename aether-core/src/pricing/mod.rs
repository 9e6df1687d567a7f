//! Price tables and the cost of a request.
//!
//! - A [`PriceTable`] maps a model name to its [`ModelPrices`]: effective-dated [`PriceSchedule`]s,
//!   the one in force at the request's [`Timestamp`] applies.
//! - A schedule has context [`Tier`]s (the first whose `up_to` covers the request's total input
//!   tokens applies, else the last; a 1M-context tier is just a tier), each with input, output, cache
//!   read and cache write (5 m, 1 h) prices per million tokens, and a per-request price paid only on
//!   [`Outcome::Success`].
//! - [`KeyTerms`] (the provider key's rate multiplier and what is left of its [`FreeTier`]) turn the
//!   **list** cost, which users are charged, into the operator's **actual** cost.
//! - The result is a [`Charge`]: a [`Cost`] with a [`CostBreakdown`] for each of list and actual, or
//!   [`Charge::Unpriced`] when the model has no price then, never $0.
//!
//! Money is [`Decimal`] (re-exported from `rust_decimal`), exact throughout: no float is ever involved, and serialised
//! amounts are strings (`"0.30"`); a float in a price file is refused with a message saying so.
//!
//! ```
//! use aether_core::Usage;
//! use aether_core::Timestamp;
//! use aether_core::pricing::{FreeAllowance, KeyTerms, ModelPrices, Outcome, PriceSchedule, Tier};
//! use aether_core::pricing::Decimal;
//!
//! let prices = ModelPrices::new(vec![PriceSchedule {
//!     effective_from: Timestamp(0),
//!     per_request: Decimal::new(1, 2), // $0.01 per successful request
//!     tiers: vec![Tier::new(None, Decimal::from(2), Decimal::from(8))],
//! }])?;
//! let usage = Usage { input: 500_000, output: 100_000, ..Usage::default() };
//! // The operator's key bills at 50% of list and has 200,000 free tokens left today.
//! let key = KeyTerms::new(Decimal::new(5, 1))?.with_free(FreeAllowance { requests: 0, tokens: 200_000 });
//!
//! let charge = prices.cost(Timestamp::from_secs(1_750_000_000), &usage, Outcome::Success, &key);
//! let cost = charge.cost().expect("priced");
//! assert_eq!(cost.list.total, Decimal::new(181, 2)); // $1.00 + $0.80 + $0.01
//! assert_eq!(cost.actual.total, Decimal::new(705, 3)); // (300k × $2/M + $0.80 + $0.01) × 0.5
//! assert_eq!(cost.free_used, FreeAllowance { requests: 0, tokens: 200_000 });
//! # Ok::<(), aether_core::pricing::PriceError>(())
//! ```

mod cost;
mod error;
mod key;
mod money;
mod schedule;
mod table;

pub use cost::{Charge, Cost, CostBreakdown, Outcome};
pub use error::PriceError;
pub use key::{FreeAllowance, FreePeriod, FreeTier, KeyTerms};
pub use money::{MoneyText, text as money_text};
pub use rust_decimal::Decimal;
pub use schedule::{PriceSchedule, Tier};
pub use table::{ModelPrices, PriceTable};

/// The highest price accepted, per million tokens or per request. Bounding prices (and
/// [`MAX_MULTIPLIER`]) keeps every cost computation within `Decimal`'s range.
pub const MAX_PRICE: u64 = 1_000_000;

/// The highest rate multiplier a provider key may have.
pub const MAX_MULTIPLIER: u64 = 1_000;

/// The most decimal places a price or a multiplier may have: a price's 10 places, 6 more for "per
/// million" and the multiplier's 10 stay within `Decimal`'s 28, so costs are exact (only a product
/// beyond 28 significant digits, far past any real request, would round).
pub const MAX_SCALE: u32 = 10;

#[cfg(test)]
mod tests;
