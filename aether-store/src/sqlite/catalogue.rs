//! [`CatalogueStore`] on SQLite; provider key secrets are encrypted with the store's [`Cipher`](crate::Cipher).

use std::collections::BTreeMap;
use std::time::Duration;

use aether_core::Timestamp;
use aether_core::catalogue::{
    Catalogue, Endpoint, EndpointId, Features, GlobalModel, KeyId, Mapping, Model, Multiplier, Provider,
    ProviderId, ProviderKey, Secret, Timeouts,
};
use aether_core::store::{CatalogueStore, StoreError};
use async_trait::async_trait;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};

use super::SqliteStore;
use super::codec::{
    capabilities, corrupt, db, int, json_text, limits, opt_int, opt_narrow, opt_uint, parse_format,
    parse_json, uint,
};

fn millis(duration: Option<Duration>) -> Result<Option<i64>, StoreError> {
    opt_int(duration.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
}

fn duration(row: &SqliteRow, column: &str) -> Result<Option<Duration>, StoreError> {
    Ok(opt_uint(row.try_get(column).map_err(db)?)?.map(Duration::from_millis))
}

fn id(row: &SqliteRow, column: &str) -> Result<u64, StoreError> {
    uint(row.try_get(column).map_err(db)?)
}

fn provider_from_row(row: &SqliteRow) -> Result<Provider, StoreError> {
    Ok(Provider {
        id: ProviderId(id(row, "id")?),
        name: row.try_get("name").map_err(db)?,
        priority: row.try_get("priority").map_err(db)?,
        monthly_budget_micros: opt_uint(row.try_get("monthly_budget_micros").map_err(db)?)?,
        enabled: row.try_get("enabled").map_err(db)?,
    })
}

fn endpoint_from_row(row: &SqliteRow) -> Result<Endpoint, StoreError> {
    let headers = parse_json(row.try_get("headers").map_err(db)?)?;
    let headers = headers
        .as_array()
        .ok_or_else(|| corrupt("endpoint headers"))?
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(name), Value::String(value)]) => Ok((name.clone(), value.clone())),
            _ => Err(corrupt("an endpoint header is malformed")),
        })
        .collect::<Result<_, _>>()?;
    Ok(Endpoint {
        id: EndpointId(id(row, "id")?),
        provider: ProviderId(id(row, "provider_id")?),
        format: parse_format(row.try_get("format").map_err(db)?)?,
        base_url: row.try_get("base_url").map_err(db)?,
        headers,
        timeouts: Timeouts {
            connect: duration(row, "connect_timeout_ms")?,
            first_byte: duration(row, "first_byte_timeout_ms")?,
            idle: duration(row, "idle_timeout_ms")?,
            total: duration(row, "total_timeout_ms")?,
        },
        proxy: row.try_get("proxy").map_err(db)?,
        limits: limits(row)?,
        enabled: row.try_get("enabled").map_err(db)?,
    })
}

impl SqliteStore {
    fn key_from_row(&self, row: &SqliteRow) -> Result<ProviderKey, StoreError> {
        let expires_at: Option<i64> = row.try_get("expires_at").map_err(db)?;
        Ok(ProviderKey {
            id: KeyId(id(row, "id")?),
            provider: ProviderId(id(row, "provider_id")?),
            endpoint: opt_uint(row.try_get("endpoint_id").map_err(db)?)?.map(EndpointId),
            secret: Secret(self.cipher.decrypt(row.try_get("secret").map_err(db)?)?),
            priority: row.try_get("priority").map_err(db)?,
            global_priority: row.try_get("global_priority").map_err(db)?,
            weight: opt_narrow(row.try_get("weight").map_err(db)?)?,
            limits: limits(row)?,
            capabilities: capabilities(row.try_get("capabilities").map_err(db)?)?,
            force: capabilities(row.try_get("force_capabilities").map_err(db)?)?,
            rate_multiplier: Multiplier(uint(row.try_get("rate_multiplier_micros").map_err(db)?)?),
            cache_ttl: Duration::from_millis(uint(row.try_get("cache_ttl_ms").map_err(db)?)?),
            expires_at: expires_at.map(uint).transpose()?.map(Timestamp),
            enabled: row.try_get("enabled").map_err(db)?,
        })
    }

    /// Inserts (`key.id` ignored) or updates a provider key.
    async fn write_key(&self, key: &ProviderKey, insert: bool) -> Result<u64, StoreError> {
        let sql = match insert {
            true => {
                "INSERT INTO provider_keys (provider_id, endpoint_id, secret, priority, global_priority, weight, \
                 rpm, tpm, max_concurrency, capabilities, force_capabilities, rate_multiplier_micros, cache_ttl_ms, \
                 expires_at, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            }
            false => {
                "UPDATE provider_keys SET provider_id = ?, endpoint_id = ?, secret = ?, priority = ?, \
                 global_priority = ?, weight = ?, rpm = ?, tpm = ?, max_concurrency = ?, capabilities = ?, \
                 force_capabilities = ?, rate_multiplier_micros = ?, cache_ttl_ms = ?, expires_at = ?, enabled = ? \
                 WHERE id = ?"
            }
        };
        let query = sqlx::query(sql)
            .bind(int(key.provider.0)?)
            .bind(opt_int(key.endpoint.map(|e| e.0))?)
            .bind(self.cipher.encrypt(key.secret.expose())?)
            .bind(key.priority)
            .bind(key.global_priority)
            .bind(key.weight.map(i64::from))
            .bind(key.limits.rpm.map(i64::from))
            .bind(opt_int(key.limits.tpm)?)
            .bind(key.limits.max_concurrency.map(i64::from))
            .bind(i64::from(key.capabilities.bits()))
            .bind(i64::from(key.force.bits()))
            .bind(int(key.rate_multiplier.0)?)
            .bind(millis(Some(key.cache_ttl))?)
            .bind(opt_int(key.expires_at.map(|t| t.0))?)
            .bind(key.enabled);
        let query = if insert { query } else { query.bind(int(key.id.0)?) };
        let done = query.execute(&self.pool).await.map_err(db)?;
        written(done, insert, "provider key", key.id.0)
    }

    async fn write_endpoint(&self, endpoint: &Endpoint, insert: bool) -> Result<u64, StoreError> {
        let sql = match insert {
            true => {
                "INSERT INTO endpoints (provider_id, format, base_url, headers, connect_timeout_ms, \
                 first_byte_timeout_ms, idle_timeout_ms, total_timeout_ms, proxy, rpm, tpm, max_concurrency, enabled) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            }
            false => {
                "UPDATE endpoints SET provider_id = ?, format = ?, base_url = ?, headers = ?, connect_timeout_ms = ?, \
                 first_byte_timeout_ms = ?, idle_timeout_ms = ?, total_timeout_ms = ?, proxy = ?, rpm = ?, tpm = ?, \
                 max_concurrency = ?, enabled = ? WHERE id = ?"
            }
        };
        let headers: Vec<Value> =
            endpoint.headers.iter().map(|(n, v)| Value::from(vec![n.as_str(), v.as_str()])).collect();
        let t = &endpoint.timeouts;
        let query = sqlx::query(sql)
            .bind(int(endpoint.provider.0)?)
            .bind(endpoint.format.as_str())
            .bind(&endpoint.base_url)
            .bind(json_text(&Value::Array(headers)))
            .bind(millis(t.connect)?)
            .bind(millis(t.first_byte)?)
            .bind(millis(t.idle)?)
            .bind(millis(t.total)?)
            .bind(&endpoint.proxy)
            .bind(endpoint.limits.rpm.map(i64::from))
            .bind(opt_int(endpoint.limits.tpm)?)
            .bind(endpoint.limits.max_concurrency.map(i64::from))
            .bind(endpoint.enabled);
        let query = if insert { query } else { query.bind(int(endpoint.id.0)?) };
        let done = query.execute(&self.pool).await.map_err(db)?;
        written(done, insert, "endpoint", endpoint.id.0)
    }

    async fn delete_by_id(&self, table: &str, what: &'static str, id: u64) -> Result<(), StoreError> {
        let done = sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE id = ?")))
            .bind(int(id)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        written(done, false, what, id).map(drop)
    }
}

/// The new row's id after an insert; after an update, `id`, or not found if no row matched.
fn written(
    done: sqlx::sqlite::SqliteQueryResult,
    insert: bool,
    what: &'static str,
    id: u64,
) -> Result<u64, StoreError> {
    match (insert, done.rows_affected()) {
        (true, _) => uint(done.last_insert_rowid()),
        (false, 0) => Err(StoreError::not_found(what, id)),
        (false, _) => Ok(id),
    }
}

fn features_from_row(row: &SqliteRow) -> Result<Option<Features>, StoreError> {
    let Some(context_window) = opt_uint(row.try_get("context_window").map_err(db)?)? else { return Ok(None) };
    let flag = |column: &str| -> Result<bool, StoreError> {
        let value: Option<bool> = row.try_get(column).map_err(db)?;
        value.ok_or_else(|| corrupt(format!("model feature `{column}` is NULL")))
    };
    Ok(Some(Features {
        vision: flag("vision")?,
        reasoning: flag("reasoning")?,
        context_window,
        long_context_window: opt_uint(row.try_get("long_context_window").map_err(db)?)?,
    }))
}

async fn insert_mappings(tx: &mut Transaction<'_, Sqlite>, model: &Model) -> Result<(), StoreError> {
    for (position, mapping) in model.mappings.iter().enumerate() {
        sqlx::query(
            "INSERT INTO model_mappings (global_name, provider_id, position, endpoint_id, upstream_name) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&model.global)
        .bind(int(model.provider.0)?)
        .bind(int(position as u64)?)
        .bind(int(mapping.endpoint.0)?)
        .bind(&mapping.upstream_name)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl CatalogueStore for SqliteStore {
    async fn load(&self) -> Result<Catalogue, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let providers =
            sqlx::query("SELECT * FROM providers ORDER BY id").fetch_all(&mut *tx).await.map_err(db)?;
        let endpoints =
            sqlx::query("SELECT * FROM endpoints ORDER BY id").fetch_all(&mut *tx).await.map_err(db)?;
        let keys =
            sqlx::query("SELECT * FROM provider_keys ORDER BY id").fetch_all(&mut *tx).await.map_err(db)?;
        let globals =
            sqlx::query("SELECT * FROM global_models ORDER BY name").fetch_all(&mut *tx).await.map_err(db)?;
        let models = sqlx::query("SELECT * FROM models ORDER BY global_name, provider_id")
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let mappings =
            sqlx::query("SELECT * FROM model_mappings ORDER BY global_name, provider_id, position")
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        tx.commit().await.map_err(db)?;

        let mut mappings_of: BTreeMap<(String, u64), Vec<Mapping>> = BTreeMap::new();
        for row in &mappings {
            let owner = (row.try_get("global_name").map_err(db)?, id(row, "provider_id")?);
            let mapping = Mapping {
                endpoint: EndpointId(id(row, "endpoint_id")?),
                upstream_name: row.try_get("upstream_name").map_err(db)?,
            };
            mappings_of.entry(owner).or_default().push(mapping);
        }
        Ok(Catalogue {
            providers: providers.iter().map(provider_from_row).collect::<Result<_, _>>()?,
            endpoints: endpoints.iter().map(endpoint_from_row).collect::<Result<_, _>>()?,
            keys: keys.iter().map(|row| self.key_from_row(row)).collect::<Result<_, _>>()?,
            global_models: globals
                .iter()
                .map(|row| {
                    let aliases = parse_json(row.try_get("aliases").map_err(db)?)?;
                    Ok(GlobalModel {
                        name: row.try_get("name").map_err(db)?,
                        aliases: serde_json::from_value(aliases)
                            .map_err(|e| corrupt(format!("aliases: {e}")))?,
                        features: features_from_row(row)?.ok_or_else(|| corrupt("global model features"))?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            models: models
                .iter()
                .map(|row| {
                    let global: String = row.try_get("global_name").map_err(db)?;
                    let provider = id(row, "provider_id")?;
                    Ok(Model {
                        mappings: mappings_of.remove(&(global.clone(), provider)).unwrap_or_default(),
                        global,
                        provider: ProviderId(provider),
                        upstream_name: row.try_get("upstream_name").map_err(db)?,
                        features: features_from_row(row)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    async fn create_provider(&self, provider: &Provider) -> Result<ProviderId, StoreError> {
        let done = sqlx::query(
            "INSERT INTO providers (name, priority, monthly_budget_micros, enabled) VALUES (?, ?, ?, ?)",
        )
        .bind(&provider.name)
        .bind(provider.priority)
        .bind(opt_int(provider.monthly_budget_micros)?)
        .bind(provider.enabled)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(ProviderId(uint(done.last_insert_rowid())?))
    }

    async fn update_provider(&self, provider: &Provider) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE providers SET name = ?, priority = ?, monthly_budget_micros = ?, enabled = ? WHERE id = ?")
            .bind(&provider.name)
            .bind(provider.priority)
            .bind(opt_int(provider.monthly_budget_micros)?)
            .bind(provider.enabled)
            .bind(int(provider.id.0)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        written(done, false, "provider", provider.id.0).map(drop)
    }

    async fn delete_provider(&self, id: ProviderId) -> Result<(), StoreError> {
        self.delete_by_id("providers", "provider", id.0).await
    }

    async fn create_endpoint(&self, endpoint: &Endpoint) -> Result<EndpointId, StoreError> {
        self.write_endpoint(endpoint, true).await.map(EndpointId)
    }

    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        self.write_endpoint(endpoint, false).await.map(drop)
    }

    async fn delete_endpoint(&self, id: EndpointId) -> Result<(), StoreError> {
        self.delete_by_id("endpoints", "endpoint", id.0).await
    }

    async fn create_key(&self, key: &ProviderKey) -> Result<KeyId, StoreError> {
        self.write_key(key, true).await.map(KeyId)
    }

    async fn update_key(&self, key: &ProviderKey) -> Result<(), StoreError> {
        self.write_key(key, false).await.map(drop)
    }

    async fn delete_key(&self, id: KeyId) -> Result<(), StoreError> {
        self.delete_by_id("provider_keys", "provider key", id.0).await
    }

    async fn put_global_model(&self, model: &GlobalModel) -> Result<(), StoreError> {
        let f = &model.features;
        sqlx::query(
            "INSERT INTO global_models (name, aliases, vision, reasoning, context_window, long_context_window) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET aliases = excluded.aliases, \
             vision = excluded.vision, reasoning = excluded.reasoning, context_window = excluded.context_window, \
             long_context_window = excluded.long_context_window",
        )
        .bind(&model.name)
        .bind(json_text(&Value::from(model.aliases.clone())))
        .bind(f.vision)
        .bind(f.reasoning)
        .bind(int(f.context_window)?)
        .bind(opt_int(f.long_context_window)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn delete_global_model(&self, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM global_models WHERE name = ?")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::not_found("global model", name)),
            _ => Ok(()),
        }
    }

    async fn put_model(&self, model: &Model) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("DELETE FROM models WHERE global_name = ? AND provider_id = ?")
            .bind(&model.global)
            .bind(int(model.provider.0)?)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let f = model.features.as_ref();
        sqlx::query(
            "INSERT INTO models (global_name, provider_id, upstream_name, vision, reasoning, context_window, \
             long_context_window) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&model.global)
        .bind(int(model.provider.0)?)
        .bind(&model.upstream_name)
        .bind(f.map(|f| f.vision))
        .bind(f.map(|f| f.reasoning))
        .bind(opt_int(f.map(|f| f.context_window))?)
        .bind(opt_int(f.and_then(|f| f.long_context_window))?)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        insert_mappings(&mut tx, model).await?;
        tx.commit().await.map_err(db)
    }

    async fn delete_model(&self, global: &str, provider: ProviderId) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM models WHERE global_name = ? AND provider_id = ?")
            .bind(global)
            .bind(int(provider.0)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::not_found("model", format!("{global}@{provider}"))),
            _ => Ok(()),
        }
    }
}
