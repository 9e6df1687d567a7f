//! [`TraceStore`] on SQLite: one row per request, the candidates as JSON.

use aether_core::Timestamp;
use aether_core::catalogue::ClientKeyId;
use aether_core::schedule::Trace;
use aether_core::store::{RequestId, StoreError, TraceRecord, TraceStore};
use async_trait::async_trait;

use super::SqliteStore;
use super::codec::{db, int, json_text, parse_format, parse_json, uint};
use super::trace_json::{entries_from_json, entries_to_json};

#[async_trait]
impl TraceStore for SqliteStore {
    async fn append(&self, traces: &[TraceRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for record in traces {
            let trace = &record.trace;
            sqlx::query(
                "INSERT INTO traces (request_id, at, client_key_id, format, model, entries) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (request_id) DO NOTHING",
            )
            .bind(record.request_id.to_string())
            .bind(int(record.at.0)?)
            .bind(int(trace.client_key.0)?)
            .bind(trace.format.as_str())
            .bind(&trace.model)
            .bind(json_text(&entries_to_json(&trace.entries)))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn trace(&self, request_id: RequestId) -> Result<Option<TraceRecord>, StoreError> {
        let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT at, client_key_id, format, model, entries FROM traces WHERE request_id = ?",
        )
        .bind(request_id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some((at, client_key, format, model, entries)) = row else { return Ok(None) };
        Ok(Some(TraceRecord {
            request_id,
            at: Timestamp(uint(at)?),
            trace: Trace {
                client_key: ClientKeyId(uint(client_key)?),
                format: parse_format(&format)?,
                model,
                entries: entries_from_json(&parse_json(&entries)?)?,
            },
        }))
    }
}
