//! [`SettingsStore`] on SQLite: one row per setting.

use aether_core::store::{Settings, SettingsStore, StoreError};
use async_trait::async_trait;

use super::SqliteStore;
use super::codec::db;

#[async_trait]
impl SettingsStore for SqliteStore {
    async fn settings(&self) -> Result<Settings, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, value FROM settings").fetch_all(&self.pool).await.map_err(db)?;
        Settings::from_pairs(rows)
    }

    async fn put_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for (name, value) in settings.to_pairs() {
            sqlx::query("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }
}
