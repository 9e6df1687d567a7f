//! [`Accounts`] on SQLite.

use aether_core::Timestamp;
use aether_core::catalogue::ClientKeyId;
use aether_core::pricing::Decimal;
use aether_core::store::{Accounts, ClientKey, KeyHash, Role, StoreError, User, UserId};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};

use super::SqliteStore;
use super::codec::{
    RestrictionColumns, capabilities_json, corrupt, db, int, limits, opt_int, parse_capabilities,
    parse_decimal, uint,
};
use crate::secrets::{hex, unhex};

/// How many times a spend update is retried when another writer changed the row in between.
const SPEND_RETRIES: usize = 16;

const USER_COLUMNS: &str = "id, name, email, password_hash, role, allowed_providers, allowed_models, \
    allowed_formats, rpm, tpm, max_concurrency, quota, spent, enabled, created_at";
const KEY_COLUMNS: &str = "id, user_id, name, key_hash, prefix, allowed_providers, allowed_models, \
    allowed_formats, rpm, tpm, max_concurrency, model_capabilities, quota, spent, expires_at, enabled, created_at";

fn restrictions(row: &SqliteRow) -> Result<aether_core::schedule::Restrictions, StoreError> {
    RestrictionColumns {
        providers: row.try_get("allowed_providers").map_err(db)?,
        models: row.try_get("allowed_models").map_err(db)?,
        formats: row.try_get("allowed_formats").map_err(db)?,
    }
    .into_restrictions()
}

fn opt_decimal(text: Option<String>) -> Result<Option<Decimal>, StoreError> {
    text.as_deref().map(parse_decimal).transpose()
}

fn user_from_row(row: &SqliteRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role").map_err(db)?;
    Ok(User {
        id: UserId(uint(row.try_get("id").map_err(db)?)?),
        name: row.try_get("name").map_err(db)?,
        email: row.try_get("email").map_err(db)?,
        password_hash: row.try_get("password_hash").map_err(db)?,
        role: Role::from_name(&role).ok_or_else(|| corrupt(format!("unknown role `{role}`")))?,
        restrictions: restrictions(row)?,
        limits: limits(row)?,
        quota: opt_decimal(row.try_get("quota").map_err(db)?)?,
        spent: parse_decimal(row.try_get("spent").map_err(db)?)?,
        enabled: row.try_get("enabled").map_err(db)?,
        created_at: Timestamp(uint(row.try_get("created_at").map_err(db)?)?),
    })
}

fn key_from_row(row: &SqliteRow) -> Result<ClientKey, StoreError> {
    let hash: String = row.try_get("key_hash").map_err(db)?;
    let hash =
        unhex(&hash).and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()).ok_or_else(|| corrupt("key hash"))?;
    let user: Option<i64> = row.try_get("user_id").map_err(db)?;
    let expires_at: Option<i64> = row.try_get("expires_at").map_err(db)?;
    Ok(ClientKey {
        id: ClientKeyId(uint(row.try_get("id").map_err(db)?)?),
        user: user.map(uint).transpose()?.map(UserId),
        name: row.try_get("name").map_err(db)?,
        hash: KeyHash(hash),
        prefix: row.try_get("prefix").map_err(db)?,
        restrictions: restrictions(row)?,
        limits: limits(row)?,
        model_capabilities: parse_capabilities(row.try_get("model_capabilities").map_err(db)?)?,
        quota: opt_decimal(row.try_get("quota").map_err(db)?)?,
        spent: parse_decimal(row.try_get("spent").map_err(db)?)?,
        expires_at: expires_at.map(uint).transpose()?.map(Timestamp),
        enabled: row.try_get("enabled").map_err(db)?,
        created_at: Timestamp(uint(row.try_get("created_at").map_err(db)?)?),
    })
}

impl SqliteStore {
    /// Adds `amount` to `table`'s `spent` of row `id` by compare-and-swap: decimals are TEXT, so the
    /// sum is computed here, and a concurrent change makes the update match no row and try again.
    async fn add_spent(
        &self,
        table: &str,
        what: &'static str,
        id: u64,
        amount: Decimal,
    ) -> Result<Decimal, StoreError> {
        let select = format!("SELECT spent FROM {table} WHERE id = ?");
        let update = format!("UPDATE {table} SET spent = ? WHERE id = ? AND spent = ?");
        for _ in 0..SPEND_RETRIES {
            let spent: Option<String> = sqlx::query_scalar(AssertSqlSafe(select.as_str()))
                .bind(int(id)?)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
            let spent = spent.ok_or_else(|| StoreError::not_found(what, id))?;
            let total = parse_decimal(&spent)? + amount;
            let done = sqlx::query(AssertSqlSafe(update.as_str()))
                .bind(total.to_string())
                .bind(int(id)?)
                .bind(&spent)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            if done.rows_affected() == 1 {
                return Ok(total);
            }
        }
        Err(StoreError::Conflict(format!("{what} `{id}`: spend changed concurrently {SPEND_RETRIES} times")))
    }
}

fn not_found_if_none(
    done: sqlx::sqlite::SqliteQueryResult,
    what: &'static str,
    id: u64,
) -> Result<(), StoreError> {
    match done.rows_affected() {
        0 => Err(StoreError::not_found(what, id)),
        _ => Ok(()),
    }
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn create_user(&self, user: &User) -> Result<UserId, StoreError> {
        let r = RestrictionColumns::from_restrictions(&user.restrictions);
        let done = sqlx::query(
            "INSERT INTO users (name, email, password_hash, role, allowed_providers, allowed_models, \
             allowed_formats, rpm, tpm, max_concurrency, quota, spent, enabled, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&user.name)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(r.providers)
        .bind(r.models)
        .bind(r.formats)
        .bind(user.limits.rpm.map(i64::from))
        .bind(opt_int(user.limits.tpm)?)
        .bind(user.limits.max_concurrency.map(i64::from))
        .bind(user.quota.map(|q| q.to_string()))
        .bind(user.spent.to_string())
        .bind(user.enabled)
        .bind(int(user.created_at.0)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(UserId(uint(done.last_insert_rowid())?))
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let r = RestrictionColumns::from_restrictions(&user.restrictions);
        let done = sqlx::query(
            "UPDATE users SET name = ?, email = ?, password_hash = ?, role = ?, allowed_providers = ?, \
             allowed_models = ?, allowed_formats = ?, rpm = ?, tpm = ?, max_concurrency = ?, quota = ?, \
             enabled = ? WHERE id = ?",
        )
        .bind(&user.name)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(r.providers)
        .bind(r.models)
        .bind(r.formats)
        .bind(user.limits.rpm.map(i64::from))
        .bind(opt_int(user.limits.tpm)?)
        .bind(user.limits.max_concurrency.map(i64::from))
        .bind(user.quota.map(|q| q.to_string()))
        .bind(user.enabled)
        .bind(int(user.id.0)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        not_found_if_none(done, "user", user.id.0)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(int(id.0)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = ? OR email = ? ORDER BY id LIMIT 1");
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(login)
            .bind(login)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql.as_str())).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn delete_user(&self, id: UserId) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM users WHERE id = ?")
            .bind(int(id.0)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        not_found_if_none(done, "user", id.0)
    }

    async fn add_user_spent(&self, id: UserId, amount: Decimal) -> Result<Decimal, StoreError> {
        self.add_spent("users", "user", id.0, amount).await
    }

    async fn create_key(&self, key: &ClientKey) -> Result<ClientKeyId, StoreError> {
        let r = RestrictionColumns::from_restrictions(&key.restrictions);
        let done = sqlx::query(
            "INSERT INTO client_keys (user_id, name, key_hash, prefix, allowed_providers, allowed_models, \
             allowed_formats, rpm, tpm, max_concurrency, model_capabilities, quota, spent, expires_at, enabled, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(opt_int(key.user.map(|u| u.0))?)
        .bind(&key.name)
        .bind(hex(&key.hash.0))
        .bind(&key.prefix)
        .bind(r.providers)
        .bind(r.models)
        .bind(r.formats)
        .bind(key.limits.rpm.map(i64::from))
        .bind(opt_int(key.limits.tpm)?)
        .bind(key.limits.max_concurrency.map(i64::from))
        .bind(capabilities_json(&key.model_capabilities))
        .bind(key.quota.map(|q| q.to_string()))
        .bind(key.spent.to_string())
        .bind(opt_int(key.expires_at.map(|t| t.0))?)
        .bind(key.enabled)
        .bind(int(key.created_at.0)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(ClientKeyId(uint(done.last_insert_rowid())?))
    }

    async fn update_key(&self, key: &ClientKey) -> Result<(), StoreError> {
        let r = RestrictionColumns::from_restrictions(&key.restrictions);
        let done = sqlx::query(
            "UPDATE client_keys SET user_id = ?, name = ?, key_hash = ?, prefix = ?, allowed_providers = ?, \
             allowed_models = ?, allowed_formats = ?, rpm = ?, tpm = ?, max_concurrency = ?, \
             model_capabilities = ?, quota = ?, expires_at = ?, enabled = ? WHERE id = ?",
        )
        .bind(opt_int(key.user.map(|u| u.0))?)
        .bind(&key.name)
        .bind(hex(&key.hash.0))
        .bind(&key.prefix)
        .bind(r.providers)
        .bind(r.models)
        .bind(r.formats)
        .bind(key.limits.rpm.map(i64::from))
        .bind(opt_int(key.limits.tpm)?)
        .bind(key.limits.max_concurrency.map(i64::from))
        .bind(capabilities_json(&key.model_capabilities))
        .bind(key.quota.map(|q| q.to_string()))
        .bind(opt_int(key.expires_at.map(|t| t.0))?)
        .bind(key.enabled)
        .bind(int(key.id.0)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        not_found_if_none(done, "client key", key.id.0)
    }

    async fn key(&self, id: ClientKeyId) -> Result<Option<ClientKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM client_keys WHERE id = ?");
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(int(id.0)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(key_from_row).transpose()
    }

    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<ClientKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM client_keys WHERE key_hash = ?");
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(hex(&hash.0))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(key_from_row).transpose()
    }

    async fn keys_of(&self, user: Option<UserId>) -> Result<Vec<ClientKey>, StoreError> {
        let rows = match user {
            Some(user) => {
                let sql = format!("SELECT {KEY_COLUMNS} FROM client_keys WHERE user_id = ? ORDER BY id");
                sqlx::query(AssertSqlSafe(sql.as_str())).bind(int(user.0)?).fetch_all(&self.pool).await
            }
            None => {
                let sql = format!("SELECT {KEY_COLUMNS} FROM client_keys WHERE user_id IS NULL ORDER BY id");
                sqlx::query(AssertSqlSafe(sql.as_str())).fetch_all(&self.pool).await
            }
        };
        rows.map_err(db)?.iter().map(key_from_row).collect()
    }

    async fn delete_key(&self, id: ClientKeyId) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM client_keys WHERE id = ?")
            .bind(int(id.0)?)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        not_found_if_none(done, "client key", id.0)
    }

    async fn add_key_spent(&self, id: ClientKeyId, amount: Decimal) -> Result<Decimal, StoreError> {
        self.add_spent("client_keys", "client key", id.0, amount).await
    }
}
