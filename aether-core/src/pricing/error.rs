//! Why a price table, a schedule or a key's terms were rejected.

use rust_decimal::Decimal;

use crate::Timestamp;

/// A price table (or a provider key's pricing terms) that cannot be used, and where the problem is.
///
/// Tables are validated when they are built or deserialised, so a table in hand is always usable.
///
/// ```
/// use aether_core::pricing::PriceTable;
///
/// let err = serde_json::from_str::<PriceTable>(r#"{"gpt-5": []}"#).unwrap_err();
/// assert!(err.to_string().starts_with("model `gpt-5`: no price schedules"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// A model's prices are invalid; `error` says why.
    #[error("model `{model}`: {error}")]
    Model {
        /// The model whose prices were rejected.
        model: String,
        /// What is wrong with them.
        error: Box<PriceError>,
    },
    /// A priced model has an empty list of schedules.
    #[error("no price schedules (leave the model out to make it unpriced)")]
    NoSchedules,
    /// Schedules are not in strictly ascending `effective_from` order.
    #[error(
        "schedule {schedule}: effective from {current}, which is not after the previous schedule's {previous}"
    )]
    SchedulesNotAscending {
        /// The schedule's index in the list.
        schedule: usize,
        /// The previous schedule's start.
        previous: Timestamp,
        /// This schedule's start.
        current: Timestamp,
    },
    /// A schedule has no tier.
    #[error("schedule {schedule}: no tiers")]
    NoTiers {
        /// The schedule's index in the list.
        schedule: usize,
    },
    /// A tier's `up_to` is not above the previous tier's.
    #[error("schedule {schedule}: tier {tier}: up_to {up_to} is not above the previous tier's {previous}")]
    TiersNotAscending {
        /// The schedule's index in the list.
        schedule: usize,
        /// The tier's index in the schedule.
        tier: usize,
        /// Its `up_to`.
        up_to: u64,
        /// The previous tier's `up_to`.
        previous: u64,
    },
    /// A tier without `up_to` (unbounded) is followed by another tier, which could never apply.
    #[error("schedule {schedule}: tier {tier} has no up_to but is not the last tier")]
    UnboundedTierNotLast {
        /// The schedule's index in the list.
        schedule: usize,
        /// The tier's index in the schedule.
        tier: usize,
    },
    /// A price is negative, implausibly large or finer than [`MAX_SCALE`](super::MAX_SCALE) decimal places.
    #[error(
        "schedule {schedule}: {field} price {value} is out of range (0 to {max}, at most {scale} decimal places)",
        max = super::MAX_PRICE, scale = super::MAX_SCALE
    )]
    PriceOutOfRange {
        /// The schedule's index in the list.
        schedule: usize,
        /// The price's field, e.g. `tiers[1].cache_read` or `per_request`.
        field: String,
        /// The rejected price.
        value: Decimal,
    },
    /// A provider key's rate multiplier is negative, implausibly large or finer than
    /// [`MAX_SCALE`](super::MAX_SCALE) decimal places.
    #[error(
        "rate multiplier {0} is out of range (0 to {max}, at most {scale} decimal places)",
        max = super::MAX_MULTIPLIER, scale = super::MAX_SCALE
    )]
    MultiplierOutOfRange(Decimal),
}

impl PriceError {
    /// Tags the error with the model it was found in.
    pub(crate) fn in_model(self, model: &str) -> Self {
        PriceError::Model { model: model.to_owned(), error: Box::new(self) }
    }
}
