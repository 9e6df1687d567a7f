//! Effective-dated prices per model, and the table of every priced model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Charge, KeyTerms, Outcome, PriceError, PriceSchedule};
use crate::Timestamp;
use crate::Usage;

/// A model's price schedules, validated: at least one, in strictly ascending `effective_from` order,
/// each with valid tiers and prices. It (de)serialises as the list of schedules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<PriceSchedule>", into = "Vec<PriceSchedule>")]
pub struct ModelPrices {
    schedules: Vec<PriceSchedule>,
}

impl ModelPrices {
    /// Validates `schedules` (see [`PriceError`] for what is checked).
    pub fn new(schedules: Vec<PriceSchedule>) -> Result<Self, PriceError> {
        if schedules.is_empty() {
            return Err(PriceError::NoSchedules);
        }
        for (i, schedule) in schedules.iter().enumerate() {
            if let Some(previous) = i.checked_sub(1).map(|p| &schedules[p])
                && schedule.effective_from <= previous.effective_from
            {
                return Err(PriceError::SchedulesNotAscending {
                    schedule: i,
                    previous: previous.effective_from,
                    current: schedule.effective_from,
                });
            }
            schedule.validate(i)?;
        }
        Ok(ModelPrices { schedules })
    }

    /// The schedules, oldest first.
    pub fn schedules(&self) -> &[PriceSchedule] {
        &self.schedules
    }

    /// The schedule in force at `at`: the latest that took effect at or before it. `None` before the
    /// first one.
    pub fn at(&self, at: Timestamp) -> Option<&PriceSchedule> {
        let in_force = self.schedules.partition_point(|s| s.effective_from <= at);
        in_force.checked_sub(1).map(|i| &self.schedules[i])
    }

    /// What `usage` costs under the schedule in force at `at` ([`Charge::Unpriced`] before the first).
    pub fn cost(&self, at: Timestamp, usage: &Usage, outcome: Outcome, key: &KeyTerms) -> Charge {
        match self.at(at) {
            Some(schedule) => super::cost::compute(schedule, usage, outcome, key),
            None => Charge::Unpriced,
        }
    }
}

impl TryFrom<Vec<PriceSchedule>> for ModelPrices {
    type Error = PriceError;

    fn try_from(schedules: Vec<PriceSchedule>) -> Result<Self, Self::Error> {
        ModelPrices::new(schedules)
    }
}

impl From<ModelPrices> for Vec<PriceSchedule> {
    fn from(prices: ModelPrices) -> Self {
        prices.schedules
    }
}

/// Prices of every priced model, by exact model name. A model that is not in the table is unpriced.
///
/// It (de)serialises as an object from model name to that model's list of schedules, validated on
/// the way in; an invalid entry fails with the model's name and the schedule and tier at fault.
///
/// ```
/// use aether_core::Usage;
/// use aether_core::Timestamp;
/// use aether_core::pricing::{Charge, KeyTerms, Outcome, PriceTable};
/// use aether_core::pricing::Decimal;
///
/// let table: PriceTable = serde_json::from_str(r#"{
///     "claude-sonnet-4-5": [{
///         "effective_from": "2025-09-29",
///         "tiers": [
///             {"up_to": 200000, "input": "3", "output": "15",
///              "cache_read": "0.30", "cache_write_5m": "3.75", "cache_write_1h": "6"},
///             {"input": "6", "output": "22.50",
///              "cache_read": "0.60", "cache_write_5m": "7.50", "cache_write_1h": "12"}
///         ]
///     }]
/// }"#)?;
/// let usage = Usage { input: 1_000, cache_read: 100_000, output: 2_000, ..Usage::default() };
/// let at: Timestamp = "2025-10-01".parse()?;
/// let charge = table.cost("claude-sonnet-4-5", at, &usage, Outcome::Success, &KeyTerms::LIST);
/// // 1,000 × $3 + 100,000 × $0.30 + 2,000 × $15, per million tokens.
/// assert_eq!(charge.list_total(), Some(Decimal::new(63, 3))); // $0.063
/// assert_eq!(charge.cost().map(|c| c.tier), Some(0)); // 101,000 input tokens: the ≤ 200k tier
/// assert_eq!(table.cost("gpt-5", at, &usage, Outcome::Success, &KeyTerms::LIST), Charge::Unpriced);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BTreeMap<String, Vec<PriceSchedule>>")]
pub struct PriceTable {
    models: BTreeMap<String, ModelPrices>,
}

impl PriceTable {
    /// An empty table: every model is unpriced.
    pub fn new() -> Self {
        PriceTable::default()
    }

    /// Sets `model`'s prices, returning the ones it replaces.
    pub fn insert(&mut self, model: impl Into<String>, prices: ModelPrices) -> Option<ModelPrices> {
        self.models.insert(model.into(), prices)
    }

    /// `model`'s prices, if it is priced.
    pub fn get(&self, model: &str) -> Option<&ModelPrices> {
        self.models.get(model)
    }

    /// Every priced model and its prices, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ModelPrices)> {
        self.models.iter().map(|(model, prices)| (model.as_str(), prices))
    }

    /// What `usage` of `model` costs at `at`: [`Charge::Unpriced`] if the model has no price in force
    /// then, never zero.
    pub fn cost(
        &self,
        model: &str,
        at: Timestamp,
        usage: &Usage,
        outcome: Outcome,
        key: &KeyTerms,
    ) -> Charge {
        match self.get(model) {
            Some(prices) => prices.cost(at, usage, outcome, key),
            None => Charge::Unpriced,
        }
    }
}

impl Serialize for PriceTable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(&self.models)
    }
}

impl TryFrom<BTreeMap<String, Vec<PriceSchedule>>> for PriceTable {
    type Error = PriceError;

    fn try_from(models: BTreeMap<String, Vec<PriceSchedule>>) -> Result<Self, Self::Error> {
        let models = models
            .into_iter()
            .map(|(model, schedules)| match ModelPrices::new(schedules) {
                Ok(prices) => Ok((model, prices)),
                Err(error) => Err(error.in_model(&model)),
            })
            .collect::<Result<_, _>>()?;
        Ok(PriceTable { models })
    }
}
