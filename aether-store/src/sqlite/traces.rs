//! [`TraceStore`] on SQLite: one row per request, the candidates as JSON.

use aether_core::Timestamp;
use aether_core::catalogue::ClientKeyId;
use aether_core::schedule::Trace;
use aether_core::store::{RequestId, StoreError, TraceRecord, TraceStore};
use async_trait::async_trait;
use sqlx::AssertSqlSafe;

use super::SqliteStore;
use super::codec::{db, insert_sql, int, parse_format, runs, uint};
use super::trace_json::{entries_from_json, entries_to_json};

const COLUMNS: &str = "request_id, at, client_key_id, format, model, entries";

#[async_trait]
impl TraceStore for SqliteStore {
    /// One multi-row `INSERT` per 1,000 traces, in one transaction.
    async fn append(&self, traces: &[TraceRecord]) -> Result<(), StoreError> {
        if traces.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin().await.map_err(db)?;
        for chunk in runs(traces, 1_024) {
            let sql = insert_sql("traces", COLUMNS, chunk.len(), " ON CONFLICT (request_id) DO NOTHING");
            let mut insert = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                insert = insert
                    .bind(r.request_id.to_string())
                    .bind(int(r.at.0)?)
                    .bind(int(r.trace.client_key.0)?)
                    .bind(r.trace.format.as_str())
                    .bind(r.trace.model.as_str())
                    .bind(entries_to_json(&r.trace.entries)?);
            }
            insert.execute(&mut *tx).await.map_err(db)?;
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
                entries: entries_from_json(&entries)?,
            },
        }))
    }
}
