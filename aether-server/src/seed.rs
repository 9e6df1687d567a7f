//! Applies the config's declarations to the stores at start, idempotently: a second run with the
//! same config changes nothing.
//!
//! How rows are matched (the store's ids are never written in the config):
//! - settings: the fields `[scheduling]` and `server.request_log` set overwrite the stored ones;
//! - global models by name, price schedules by (model, `effective_from`);
//! - providers by name. A provider the config declares is owned by it: its endpoints (matched by
//!   format and base URL), keys (by secret) and models (by global name) are made to match the config
//!   exactly, extra ones deleted. Providers the config does not name are left alone.
//! - users by name, client keys by the SHA-256 of the key. Accounts are created and updated, never
//!   deleted (keys made with `keys create` or the user API survive). A password left out keeps the
//!   stored one; a given password is re-hashed only when it no longer verifies.
//! - provider names in allow-lists become the stored providers' ids.

use std::collections::HashMap;
use std::fmt;
use std::time::SystemTime;

use aether_core::Timestamp;
use aether_core::catalogue::{
    self as core, Endpoint, EndpointId, GlobalModel, Mapping, Model, Multiplier, Provider, ProviderId,
    ProviderKey, Secret,
};
use aether_core::pricing::PriceTable;
use aether_core::schedule::Restrictions;
use aether_core::store::{ClientKey, Role, User, UserId};
use rust_decimal::Decimal;

use crate::Error;
use crate::config::{
    self, ClientKeyConfig, Config, ModelConfig, ProviderConfig, RoleConfig, UserConfig, capabilities,
};
use crate::secrets::{display_prefix, hash_password, password_matches};
use crate::state::Stores;

/// What a seed run changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows created.
    pub created: usize,
    /// Rows updated.
    pub updated: usize,
    /// Rows deleted.
    pub deleted: usize,
}

impl SeedReport {
    /// Whether nothing changed.
    pub fn is_unchanged(&self) -> bool {
        *self == SeedReport::default()
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} created, {} updated, {} deleted", self.created, self.updated, self.deleted)
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// Applies `config` to `stores`.
pub async fn seed(config: &Config, stores: &Stores) -> Result<SeedReport, Error> {
    let mut report = SeedReport::default();
    seed_settings(config, stores, &mut report).await?;
    let (catalogue, prices) = (stores.catalogue.load().await?, stores.prices.load().await?);
    for model in &config.models {
        seed_model(model, &catalogue.global_models, &prices, stores, &mut report).await?;
    }
    for provider in &config.providers {
        seed_provider(provider, stores, &mut report).await?;
    }
    let catalogue = stores.catalogue.load().await?;
    let provider_ids: HashMap<&str, ProviderId> =
        catalogue.providers.iter().rev().map(|p| (p.name.as_str(), p.id)).collect();
    seed_admin(config, stores, &mut report).await?;
    for user in &config.users {
        seed_user(user, &provider_ids, stores, &mut report).await?;
    }
    for key in &config.keys {
        seed_key(key, None, &provider_ids, stores, &mut report).await?;
    }
    Ok(report)
}

async fn seed_settings(config: &Config, stores: &Stores, report: &mut SeedReport) -> Result<(), Error> {
    let stored = stores.settings.settings().await?;
    let mut desired = stored;
    if let Some(mode) = config.scheduling.mode {
        desired.priority_mode = mode.into();
    }
    if let Some(mode) = config.scheduling.scheduling_mode {
        desired.scheduling_mode = mode.into();
    }
    if let Some(level) = config.server.request_log.and_then(|log| log.level()) {
        desired.log_level = level;
    }
    if desired != stored {
        stores.settings.put_settings(&desired).await?;
        report.updated += 1;
    }
    Ok(())
}

async fn seed_model(
    model: &ModelConfig,
    stored_models: &[GlobalModel],
    prices: &PriceTable,
    stores: &Stores,
    report: &mut SeedReport,
) -> Result<(), Error> {
    let desired = GlobalModel {
        name: model.name.clone(),
        aliases: model.aliases.clone(),
        features: core::Features {
            vision: model.vision,
            reasoning: model.reasoning,
            context_window: model.context_window,
            long_context_window: model.long_context_window,
        },
    };
    match stored_models.iter().find(|m| m.name == model.name) {
        Some(stored) if *stored == desired => {}
        stored => {
            stores.catalogue.put_global_model(&desired).await?;
            count(report, stored.is_some());
        }
    }
    let stored = prices.get(&model.name).map(|p| p.schedules()).unwrap_or_default();
    for schedule in &model.prices {
        if !stored.contains(schedule) {
            let replaces = stored.iter().any(|s| s.effective_from == schedule.effective_from);
            stores.prices.put_schedule(&model.name, schedule).await?;
            count(report, replaces);
        }
    }
    Ok(())
}

fn count(report: &mut SeedReport, existed: bool) {
    match existed {
        true => report.updated += 1,
        false => report.created += 1,
    }
}

async fn seed_provider(
    provider: &ProviderConfig,
    stores: &Stores,
    report: &mut SeedReport,
) -> Result<(), Error> {
    let store = &stores.catalogue;
    let catalogue = store.load().await?;
    let stored = catalogue.providers.iter().find(|p| p.name == provider.name);
    let budget = match provider.monthly_budget_usd {
        Some(usd) => Some(config_micros("monthly_budget_usd", usd.0)?),
        None => None,
    };
    let mut desired = Provider {
        id: ProviderId::default(),
        name: provider.name.clone(),
        priority: provider.priority,
        monthly_budget_micros: budget,
        enabled: provider.enabled,
    };
    let id = match stored {
        Some(stored) => {
            desired.id = stored.id;
            if *stored != desired {
                store.update_provider(&desired).await?;
                report.updated += 1;
            }
            stored.id
        }
        None => {
            report.created += 1;
            store.create_provider(&desired).await?
        }
    };

    // Endpoints, by (format, base URL).
    let mut pool: Vec<&Endpoint> = catalogue.endpoints.iter().filter(|e| e.provider == id).collect();
    let mut endpoint_ids = Vec::with_capacity(provider.endpoints.len());
    for endpoint in &provider.endpoints {
        let mut desired = Endpoint {
            id: EndpointId::default(),
            provider: id,
            format: endpoint.format.0,
            base_url: endpoint.base_url.clone(),
            headers: endpoint.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            timeouts: endpoint.timeouts.timeouts(),
            proxy: endpoint.proxy.clone(),
            limits: endpoint.limits(),
            enabled: endpoint.enabled,
        };
        let found = pool.iter().position(|e| e.format == desired.format && e.base_url == desired.base_url);
        let endpoint_id = match found.map(|i| pool.swap_remove(i)) {
            Some(stored) => {
                desired.id = stored.id;
                if *stored != desired {
                    store.update_endpoint(&desired).await?;
                    report.updated += 1;
                }
                stored.id
            }
            None => {
                report.created += 1;
                store.create_endpoint(&desired).await?
            }
        };
        endpoint_ids.push(endpoint_id);
    }
    for extra in pool {
        store.delete_endpoint(extra.id).await?;
        report.deleted += 1;
    }

    // Keys, by secret (deleting an endpoint above may have deleted keys bound to it: reload).
    let catalogue = store.load().await?;
    let mut pool: Vec<&ProviderKey> = catalogue.keys.iter().filter(|k| k.provider == id).collect();
    for key in &provider.keys {
        let secret = key.secret.as_ref().map(|s| s.expose().to_owned()).unwrap_or_default();
        let endpoint = key
            .endpoint
            .and_then(|reference| config::resolve_endpoint(&provider.endpoints, reference))
            .and_then(|index| endpoint_ids.get(index).copied());
        let rate = config_micros("rate_multiplier", key.rate_multiplier.0)?;
        let mut desired = ProviderKey {
            id: core::KeyId::default(),
            provider: id,
            endpoint,
            secret: Secret(secret),
            priority: key.priority,
            global_priority: key.global_priority,
            weight: key.weight,
            limits: key.limits(),
            capabilities: capabilities(&key.capabilities),
            force: capabilities(&key.force),
            rate_multiplier: Multiplier(rate),
            cache_ttl: std::time::Duration::from_secs(key.cache_ttl_secs),
            expires_at: key.expires_at,
            enabled: key.enabled,
        };
        match pool.iter().position(|k| k.secret == desired.secret).map(|i| pool.swap_remove(i)) {
            Some(stored) => {
                desired.id = stored.id;
                if *stored != desired {
                    store.update_key(&desired).await?;
                    report.updated += 1;
                }
            }
            None => {
                store.create_key(&desired).await?;
                report.created += 1;
            }
        }
    }
    for extra in pool {
        store.delete_key(extra.id).await?;
        report.deleted += 1;
    }

    // Models, by global name.
    let mut pool: Vec<&Model> = catalogue.models.iter().filter(|m| m.provider == id).collect();
    for model in &provider.models {
        let mappings = match model.cross_format {
            true => endpoint_ids.iter().map(|&endpoint| Mapping { endpoint, upstream_name: None }).collect(),
            false => Vec::new(),
        };
        let desired = Model {
            global: model.model.clone(),
            provider: id,
            upstream_name: model.upstream_name().to_owned(),
            mappings,
            features: None,
        };
        let stored = pool.iter().position(|m| m.global == desired.global).map(|i| pool.swap_remove(i));
        if stored != Some(&desired) {
            store.put_model(&desired).await?;
            count(report, stored.is_some());
        }
    }
    for extra in pool {
        store.delete_model(&extra.global, id).await?;
        report.deleted += 1;
    }
    Ok(())
}

fn config_micros(field: &str, usd: Decimal) -> Result<u64, Error> {
    crate::config::micros(field, usd).map_err(Error::from)
}

/// The stored password hash for `password`: the stored one if it still verifies.
fn password_hash(password: Option<&str>, stored: Option<&User>) -> Result<Option<String>, Error> {
    let stored_hash = stored.and_then(|u| u.password_hash.clone());
    match password {
        None => Ok(stored_hash),
        Some(password) => match stored_hash {
            Some(hash) if password_matches(password, &hash) => Ok(Some(hash)),
            _ => hash_password(password).map(Some),
        },
    }
}

async fn stored_user(stores: &Stores, name: &str) -> Result<Option<User>, Error> {
    Ok(stores.accounts.users().await?.into_iter().find(|u| u.name == name))
}

async fn put_user(
    desired: User,
    stored: Option<User>,
    stores: &Stores,
    report: &mut SeedReport,
) -> Result<UserId, Error> {
    match stored {
        Some(stored) => {
            let desired =
                User { id: stored.id, spent: stored.spent, created_at: stored.created_at, ..desired };
            if desired != stored {
                stores.accounts.update_user(&desired).await?;
                report.updated += 1;
            }
            Ok(stored.id)
        }
        None => {
            report.created += 1;
            Ok(stores.accounts.create_user(&User { created_at: now(), ..desired }).await?)
        }
    }
}

async fn seed_admin(config: &Config, stores: &Stores, report: &mut SeedReport) -> Result<(), Error> {
    let admin = &config.admin;
    let Some(name) = &admin.username else { return Ok(()) };
    let stored = stored_user(stores, name).await?;
    let password = password_hash(admin.password.as_ref().map(|p| p.expose()), stored.as_ref())?;
    let base = stored.clone().unwrap_or_else(|| User::new(name.clone(), Role::Admin));
    let desired = User {
        email: admin.email.clone().or(base.email.clone()),
        password_hash: password,
        role: Role::Admin,
        enabled: true,
        ..base
    };
    put_user(desired, stored, stores, report).await.map(drop)
}

fn restrictions(
    providers: &Option<Vec<String>>,
    models: &Option<Vec<String>>,
    formats: &Option<Vec<config::Format>>,
    ids: &HashMap<&str, ProviderId>,
) -> Restrictions {
    Restrictions {
        providers: providers
            .as_ref()
            .map(|names| names.iter().filter_map(|n| ids.get(n.as_str()).copied()).collect()),
        models: models.clone(),
        formats: formats.as_ref().map(|formats| formats.iter().map(|f| f.0).collect()),
    }
}

async fn seed_user(
    user: &UserConfig,
    provider_ids: &HashMap<&str, ProviderId>,
    stores: &Stores,
    report: &mut SeedReport,
) -> Result<(), Error> {
    let stored = stored_user(stores, &user.name).await?;
    let desired = User {
        id: UserId::default(),
        name: user.name.clone(),
        email: user.email.clone(),
        password_hash: password_hash(user.password.as_ref().map(|p| p.expose()), stored.as_ref())?,
        role: match user.role {
            RoleConfig::Admin => Role::Admin,
            RoleConfig::User => Role::User,
        },
        restrictions: restrictions(&user.providers, &user.models, &user.formats, provider_ids),
        limits: user.limits(),
        quota: user.quota_usd.map(|q| q.0),
        spent: Decimal::ZERO,
        enabled: user.enabled,
        created_at: Timestamp::default(),
    };
    let id = put_user(desired, stored, stores, report).await?;
    for key in &user.keys {
        seed_key(key, Some(id), provider_ids, stores, report).await?;
    }
    Ok(())
}

async fn seed_key(
    key: &ClientKeyConfig,
    user: Option<UserId>,
    provider_ids: &HashMap<&str, ProviderId>,
    stores: &Stores,
    report: &mut SeedReport,
) -> Result<(), Error> {
    let plaintext = key.key.as_ref().map(|k| k.expose()).unwrap_or_default();
    let hash = aether_core::store::KeyHash::of(plaintext);
    let stored = stores.accounts.key_by_hash(&hash).await?;
    let mut desired = ClientKey {
        user,
        restrictions: restrictions(&key.providers, &key.models, &key.formats, provider_ids),
        limits: key.limits(),
        model_capabilities: key
            .model_capabilities
            .iter()
            .map(|(m, c)| (m.clone(), capabilities(c)))
            .collect(),
        quota: key.quota_usd.or(key.balance_usd).map(|q| q.0),
        expires_at: key.expires_at,
        enabled: key.enabled,
        ..ClientKey::new(key.name.clone(), hash, display_prefix(plaintext))
    };
    match stored {
        Some(stored) => {
            desired =
                ClientKey { id: stored.id, spent: stored.spent, created_at: stored.created_at, ..desired };
            if desired != stored {
                stores.accounts.update_key(&desired).await?;
                report.updated += 1;
            }
        }
        None => {
            stores.accounts.create_key(&ClientKey { created_at: now(), ..desired }).await?;
            report.created += 1;
        }
    }
    Ok(())
}
