//! Effective-dated model prices.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::StoreError;
use super::error::lock;
use crate::Timestamp;
use crate::pricing::{ModelPrices, PriceSchedule, PriceTable};

/// Price schedules per model name, each keyed by when it takes effect.
#[async_trait]
pub trait PriceStore: Send + Sync {
    /// Every model's schedules, as a table.
    async fn load(&self) -> Result<PriceTable, StoreError>;
    /// Adds `schedule` to `model`'s prices, replacing one with the same `effective_from`; an invalid
    /// schedule (no tier, a price out of range, …) is [`StoreError::Invalid`].
    async fn put_schedule(&self, model: &str, schedule: &PriceSchedule) -> Result<(), StoreError>;
    /// Deletes the schedule of `model` that takes effect at `effective_from`.
    async fn delete_schedule(&self, model: &str, effective_from: Timestamp) -> Result<(), StoreError>;
}

/// Checks one schedule as [`ModelPrices::new`] does.
pub fn validate_schedule(model: &str, schedule: &PriceSchedule) -> Result<(), StoreError> {
    ModelPrices::new(vec![schedule.clone()])
        .map(drop)
        .map_err(|error| StoreError::Invalid(error.in_model(model).to_string()))
}

/// Builds a table from `(model, schedule)` rows, oldest schedule first per model.
pub fn table_from_rows(
    rows: impl IntoIterator<Item = (String, PriceSchedule)>,
) -> Result<PriceTable, StoreError> {
    let mut models: BTreeMap<String, Vec<PriceSchedule>> = BTreeMap::new();
    for (model, schedule) in rows {
        models.entry(model).or_default().push(schedule);
    }
    let mut table = PriceTable::new();
    for (model, mut schedules) in models {
        schedules.sort_by_key(|schedule| schedule.effective_from);
        let prices = ModelPrices::new(schedules)
            .map_err(|error| StoreError::Corrupt(error.in_model(&model).to_string()))?;
        table.insert(model, prices);
    }
    Ok(table)
}

/// [`PriceStore`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemoryPrices {
    schedules: Mutex<BTreeMap<(String, Timestamp), PriceSchedule>>,
}

#[async_trait]
impl PriceStore for InMemoryPrices {
    async fn load(&self) -> Result<PriceTable, StoreError> {
        let schedules = lock(&self.schedules);
        table_from_rows(schedules.iter().map(|((model, _), schedule)| (model.clone(), schedule.clone())))
    }

    async fn put_schedule(&self, model: &str, schedule: &PriceSchedule) -> Result<(), StoreError> {
        validate_schedule(model, schedule)?;
        lock(&self.schedules).insert((model.to_owned(), schedule.effective_from), schedule.clone());
        Ok(())
    }

    async fn delete_schedule(&self, model: &str, effective_from: Timestamp) -> Result<(), StoreError> {
        let removed = lock(&self.schedules).remove(&(model.to_owned(), effective_from));
        removed
            .map(drop)
            .ok_or_else(|| StoreError::not_found("price schedule", format!("{model}@{effective_from}")))
    }
}
