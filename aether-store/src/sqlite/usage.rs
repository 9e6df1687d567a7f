//! [`UsageSink`] on SQLite: one row per request; the cost breakdown as JSON beside its two totals.

use aether_core::Timestamp;
use aether_core::Usage;
use aether_core::catalogue::{ClientKeyId, EndpointId, KeyId, ProviderId};
use aether_core::estimate::EstimatedUsage;
use std::collections::{BTreeMap, HashSet};

use aether_core::pricing::{Charge, Cost, Decimal, money_text};
use aether_core::schedule::Target;
use aether_core::store::{RequestId, StoreError, UsagePage, UsageQuery, UsageRecord, UsageSink, UserId};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, QueryBuilder, Row, Sqlite, Transaction};

use super::SqliteStore;
use super::codec::{
    corrupt, db, insert_sql, int, opt_int, opt_narrow, opt_uint, parse_decimal, parse_format, runs, uint,
};

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

/// Most records per `INSERT`: 26 columns each stays well under SQLite's 32,766 bound parameters.
const ROWS_PER_INSERT: usize = 256;

/// One record's column values, converted (fallibly) before they are bound.
struct Values {
    request_id: String,
    at: i64,
    user: Option<i64>,
    client_key: Option<i64>,
    target: [Option<i64>; 3],
    client_format: &'static str,
    upstream_format: Option<&'static str>,
    tokens: [i64; 6],
    list_total: Option<String>,
    actual_total: Option<String>,
    cost: Option<String>,
    latency_ms: i64,
    first_byte_ms: Option<i64>,
}

impl Values {
    fn of(r: &UsageRecord) -> Result<Values, StoreError> {
        let u = &r.usage.usage;
        let cost = r.charge.cost().map(serde_json::to_string).transpose();
        Ok(Values {
            request_id: r.request_id.to_string(),
            at: int(r.at.0)?,
            user: opt_int(r.user.map(|u| u.0))?,
            client_key: opt_int(r.client_key.map(|k| k.0))?,
            target: [
                opt_int(r.target.map(|t| t.provider.0))?,
                opt_int(r.target.map(|t| t.endpoint.0))?,
                opt_int(r.target.map(|t| t.key.0))?,
            ],
            client_format: r.client_format.as_str(),
            upstream_format: r.upstream_format.map(|f| f.as_str()),
            tokens: [
                int(u.input)?,
                int(u.output)?,
                int(u.cache_read)?,
                int(u.cache_write_5m)?,
                int(u.cache_write_1h)?,
                int(u.reasoning)?,
            ],
            list_total: r.charge.list_total().as_ref().map(|total| money_text(total).to_string()),
            actual_total: r.charge.actual_total().as_ref().map(|total| money_text(total).to_string()),
            cost: cost.map_err(|e| StoreError::Invalid(e.to_string()))?,
            latency_ms: int(r.latency_ms)?,
            first_byte_ms: opt_int(r.first_byte_ms)?,
        })
    }
}

#[async_trait]
impl UsageSink for SqliteStore {
    /// One multi-row `INSERT` per run of up to 256 records, then one charge per key and user of the batch, all in
    /// one transaction: a batch costs a handful of statements, not several per record.
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin().await.map_err(db)?;
        let mut stored = HashSet::new();
        for chunk in runs(records, ROWS_PER_INSERT) {
            let sql = insert_sql(
                "usage_records",
                COLUMNS,
                chunk.len(),
                " ON CONFLICT (request_id) DO NOTHING RETURNING request_id",
            );
            let mut insert = sqlx::query_scalar(AssertSqlSafe(sql));
            for r in chunk {
                let v = Values::of(r)?;
                insert = insert.bind(v.request_id).bind(v.at).bind(v.user).bind(v.client_key);
                for id in v.target {
                    insert = insert.bind(id);
                }
                insert = insert
                    .bind(v.client_format)
                    .bind(v.upstream_format)
                    .bind(r.model.as_str())
                    .bind(r.upstream_model.as_deref());
                for tokens in v.tokens {
                    insert = insert.bind(tokens);
                }
                insert = insert
                    .bind(r.usage.estimated)
                    .bind(v.list_total)
                    .bind(v.actual_total)
                    .bind(v.cost)
                    .bind(i64::from(r.status))
                    .bind(r.error_kind.as_deref())
                    .bind(v.latency_ms)
                    .bind(v.first_byte_ms)
                    .bind(r.stream);
            }
            let ids: Vec<String> = insert.fetch_all(&mut *tx).await.map_err(db)?;
            for id in ids {
                stored.insert(id.parse::<RequestId>().map_err(|_| corrupt(format!("request id `{id}`")))?);
            }
        }
        // Only records stored now are charged: a retried batch must not charge twice.
        let new = records.iter().filter(|r| stored.contains(&r.request_id));
        for (table, id, amount) in charges(new) {
            charge(&mut tx, table, id, amount).await?;
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

/// The list cost of `records`, summed per client key and per user.
fn charges<'a>(records: impl Iterator<Item = &'a UsageRecord>) -> Vec<(&'static str, u64, Decimal)> {
    let mut sums: BTreeMap<(&'static str, u64), Decimal> = BTreeMap::new();
    for record in records {
        let Some(cost) = record.charge.list_total().filter(|cost| !cost.is_zero()) else { continue };
        if let Some(key) = record.client_key {
            *sums.entry(("client_keys", key.0)).or_default() += cost;
        }
        if let Some(user) = record.user {
            *sums.entry(("users", user.0)).or_default() += cost;
        }
    }
    sums.into_iter().map(|((table, id), amount)| (table, id, amount)).collect()
}

/// Adds `amount` to the `spent` of row `id` of `table`, in the batch's transaction. A key or user
/// deleted since keeps its usage history, and there is nothing left to charge.
async fn charge(
    tx: &mut Transaction<'_, Sqlite>,
    table: &str,
    id: u64,
    amount: Decimal,
) -> Result<(), StoreError> {
    let select = format!("SELECT spent FROM {table} WHERE id = ?");
    let spent: Option<String> = sqlx::query_scalar(AssertSqlSafe(select.as_str()))
        .bind(int(id)?)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    let Some(spent) = spent else { return Ok(()) };
    let update = format!("UPDATE {table} SET spent = ? WHERE id = ?");
    sqlx::query(AssertSqlSafe(update.as_str()))
        .bind((parse_decimal(&spent)? + amount).to_string())
        .bind(int(id)?)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}
