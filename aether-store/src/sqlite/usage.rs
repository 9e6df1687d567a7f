//! [`UsageSink`] on SQLite: one row per request; the cost breakdown as JSON beside its two totals.

use aether_core::Timestamp;
use aether_core::Usage;
use aether_core::catalogue::{ClientKeyId, EndpointId, KeyId, ProviderId};
use aether_core::estimate::EstimatedUsage;
use aether_core::pricing::{Charge, Cost};
use aether_core::schedule::Target;
use aether_core::store::{StoreError, UsagePage, UsageQuery, UsageRecord, UsageSink, UserId};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, QueryBuilder, Row, Sqlite, Transaction};

use super::SqliteStore;
use super::codec::{corrupt, db, int, opt_int, opt_narrow, opt_uint, parse_decimal, parse_format, uint};

const COLUMNS: &str = "request_id, at, user_id, client_key_id, provider_id, endpoint_id, provider_key_id, \
    client_format, upstream_format, model, upstream_model, input_tokens, output_tokens, cache_read_tokens, \
    cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, estimated, list_total, actual_total, cost, \
    status, error_kind, latency_ms, first_byte_ms, stream";

fn record_from_row(row: &SqliteRow) -> Result<UsageRecord, StoreError> {
    let get_u64 = |column: &str| -> Result<u64, StoreError> { uint(row.try_get(column).map_err(db)?) };
    let get_opt =
        |column: &str| -> Result<Option<u64>, StoreError> { opt_uint(row.try_get(column).map_err(db)?) };
    let target = match (get_opt("provider_id")?, get_opt("endpoint_id")?, get_opt("provider_key_id")?) {
        (Some(provider), Some(endpoint), Some(key)) => {
            Some(Target { provider: ProviderId(provider), endpoint: EndpointId(endpoint), key: KeyId(key) })
        }
        _ => None,
    };
    let cost: Option<String> = row.try_get("cost").map_err(db)?;
    let charge = match cost {
        Some(cost) => Charge::Priced(
            serde_json::from_str::<Cost>(&cost).map_err(|e| corrupt(format!("usage cost: {e}")))?,
        ),
        None => Charge::Unpriced,
    };
    let request_id: String = row.try_get("request_id").map_err(db)?;
    let upstream_format: Option<String> = row.try_get("upstream_format").map_err(db)?;
    Ok(UsageRecord {
        request_id: request_id.parse().map_err(|_| corrupt(format!("request id `{request_id}`")))?,
        at: Timestamp(get_u64("at")?),
        user: get_opt("user_id")?.map(UserId),
        client_key: get_opt("client_key_id")?.map(ClientKeyId),
        target,
        client_format: parse_format(row.try_get("client_format").map_err(db)?)?,
        upstream_format: upstream_format.as_deref().map(parse_format).transpose()?,
        model: row.try_get("model").map_err(db)?,
        upstream_model: row.try_get("upstream_model").map_err(db)?,
        usage: EstimatedUsage {
            usage: Usage {
                input: get_u64("input_tokens")?,
                output: get_u64("output_tokens")?,
                cache_read: get_u64("cache_read_tokens")?,
                cache_write_5m: get_u64("cache_write_5m_tokens")?,
                cache_write_1h: get_u64("cache_write_1h_tokens")?,
                reasoning: get_u64("reasoning_tokens")?,
            },
            estimated: row.try_get("estimated").map_err(db)?,
        },
        charge,
        status: opt_narrow(Some(row.try_get("status").map_err(db)?))?.ok_or_else(|| corrupt("status"))?,
        error_kind: row.try_get("error_kind").map_err(db)?,
        latency_ms: get_u64("latency_ms")?,
        first_byte_ms: get_opt("first_byte_ms")?,
        stream: row.try_get("stream").map_err(db)?,
    })
}

#[async_trait]
impl UsageSink for SqliteStore {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO usage_records ({COLUMNS}) VALUES \
             (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (request_id) DO NOTHING"
        );
        let mut tx = self.pool.begin().await.map_err(db)?;
        for r in records {
            let u = &r.usage.usage;
            let cost = r
                .charge
                .cost()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let done = sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(r.request_id.to_string())
                .bind(int(r.at.0)?)
                .bind(opt_int(r.user.map(|u| u.0))?)
                .bind(opt_int(r.client_key.map(|k| k.0))?)
                .bind(opt_int(r.target.map(|t| t.provider.0))?)
                .bind(opt_int(r.target.map(|t| t.endpoint.0))?)
                .bind(opt_int(r.target.map(|t| t.key.0))?)
                .bind(r.client_format.as_str())
                .bind(r.upstream_format.map(|f| f.as_str()))
                .bind(&r.model)
                .bind(&r.upstream_model)
                .bind(int(u.input)?)
                .bind(int(u.output)?)
                .bind(int(u.cache_read)?)
                .bind(int(u.cache_write_5m)?)
                .bind(int(u.cache_write_1h)?)
                .bind(int(u.reasoning)?)
                .bind(r.usage.estimated)
                .bind(r.charge.list_total().map(|d| d.to_string()))
                .bind(r.charge.actual_total().map(|d| d.to_string()))
                .bind(cost)
                .bind(i64::from(r.status))
                .bind(&r.error_kind)
                .bind(int(r.latency_ms)?)
                .bind(opt_int(r.first_byte_ms)?)
                .bind(r.stream)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            // Only a record stored now is charged: a retried batch must not charge twice.
            if done.rows_affected() == 1 {
                charge(&mut tx, r).await?;
            }
        }
        tx.commit().await.map_err(db)
    }

    async fn query(&self, query: &UsageQuery) -> Result<UsagePage, StoreError> {
        let mut sql: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("SELECT {COLUMNS} FROM usage_records WHERE 1 = 1"));
        if let Some(user) = query.user {
            sql.push(" AND user_id = ").push_bind(int(user.0)?);
        }
        if let Some(key) = query.client_key {
            sql.push(" AND client_key_id = ").push_bind(int(key.0)?);
        }
        if let Some(from) = query.from {
            sql.push(" AND at >= ").push_bind(int(from.0)?);
        }
        if let Some(until) = query.until {
            sql.push(" AND at < ").push_bind(int(until.0)?);
        }
        if let Some(after) = query.after {
            let at = int(after.at.0)?;
            sql.push(" AND (at < ").push_bind(at).push(" OR (at = ").push_bind(at);
            sql.push(" AND request_id < ").push_bind(after.request_id.to_string()).push("))");
        }
        sql.push(" ORDER BY at DESC, request_id DESC LIMIT ").push_bind(i64::from(query.limit) + 1);
        let rows = sql.build().fetch_all(&self.pool).await.map_err(db)?;
        let records = rows.iter().map(record_from_row).collect::<Result<_, _>>()?;
        Ok(UsagePage::from_overfetch(records, query.limit))
    }
}

/// Adds a record's list cost to its key's and its user's `spent`, in the record's transaction.
async fn charge(tx: &mut Transaction<'_, Sqlite>, record: &UsageRecord) -> Result<(), StoreError> {
    let Some(cost) = record.charge.list_total().filter(|cost| !cost.is_zero()) else { return Ok(()) };
    let rows = [("client_keys", record.client_key.map(|k| k.0)), ("users", record.user.map(|u| u.0))];
    for (table, id) in rows {
        let Some(id) = id else { continue };
        let select = format!("SELECT spent FROM {table} WHERE id = ?");
        let spent: Option<String> = sqlx::query_scalar(AssertSqlSafe(select.as_str()))
            .bind(int(id)?)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
        // A key or user deleted since keeps its usage history, and there is nothing to charge.
        let Some(spent) = spent else { continue };
        let update = format!("UPDATE {table} SET spent = ? WHERE id = ?");
        sqlx::query(AssertSqlSafe(update.as_str()))
            .bind((parse_decimal(&spent)? + cost).to_string())
            .bind(int(id)?)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}
