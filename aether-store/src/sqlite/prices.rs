//! [`PriceStore`] on SQLite: one row per (model, schedule), tiers as JSON.

use aether_core::Timestamp;
use aether_core::pricing::{PriceSchedule, PriceTable};
use aether_core::store::{PriceStore, StoreError, table_from_rows, validate_schedule};
use async_trait::async_trait;

use super::SqliteStore;
use super::codec::{corrupt, db, int, parse_decimal, uint};

#[async_trait]
impl PriceStore for SqliteStore {
    async fn load(&self) -> Result<PriceTable, StoreError> {
        let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
            "SELECT model, effective_from, per_request, tiers FROM price_schedules ORDER BY model, effective_from",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let rows = rows
            .into_iter()
            .map(|(model, effective_from, per_request, tiers)| {
                let schedule = PriceSchedule {
                    effective_from: Timestamp(uint(effective_from)?),
                    per_request: parse_decimal(&per_request)?,
                    tiers: serde_json::from_str(&tiers)
                        .map_err(|e| corrupt(format!("price tiers of `{model}`: {e}")))?,
                };
                Ok((model, schedule))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        table_from_rows(rows)
    }

    async fn put_schedule(&self, model: &str, schedule: &PriceSchedule) -> Result<(), StoreError> {
        validate_schedule(model, schedule)?;
        let tiers = serde_json::to_string(&schedule.tiers).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO price_schedules (model, effective_from, per_request, tiers) VALUES (?, ?, ?, ?) \
             ON CONFLICT (model, effective_from) DO UPDATE SET per_request = excluded.per_request, tiers = excluded.tiers",
        )
        .bind(model)
        .bind(int(schedule.effective_from.0)?)
        .bind(schedule.per_request.to_string())
        .bind(tiers)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn delete_schedule(&self, model: &str, effective_from: Timestamp) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM price_schedules WHERE model = ? AND effective_from = ?")
            .bind(model)
            .bind(int(effective_from.0)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::not_found("price schedule", format!("{model}@{effective_from}"))),
            _ => Ok(()),
        }
    }
}
