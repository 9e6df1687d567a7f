//! Checks across fields, each failing with the path of the offending value.

use std::collections::HashSet;

use aether_core::store::validate_schedule;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::catalogue::repeated_format;
use super::{ClientKeyConfig, Config, ConfigError, EndpointRef, resolve_endpoint};

type Result<T = ()> = std::result::Result<T, ConfigError>;

/// USD to millionths, refusing what does not fit.
pub(crate) fn micros(path: &str, usd: Decimal) -> Result<u64> {
    let scaled = usd * Decimal::from(1_000_000);
    if scaled.fract() != Decimal::ZERO {
        return Err(ConfigError::invalid(path, "at most 6 decimal places"));
    }
    scaled.to_u64().ok_or_else(|| ConfigError::invalid(path, "out of range"))
}

fn unique<'a>(seen: &mut HashSet<&'a str>, path: String, value: &'a str, what: &str) -> Result {
    if value.trim().is_empty() {
        return Err(ConfigError::invalid(path, format!("{what} must not be empty")));
    }
    if !seen.insert(value) {
        return Err(ConfigError::invalid(path, format!("{what} `{value}` is declared twice")));
    }
    Ok(())
}

impl Config {
    /// Checks the configuration as a whole.
    pub fn validate(&self) -> Result {
        self.validate_server()?;
        let models = self.validate_models()?;
        let providers = self.validate_providers(&models)?;
        self.validate_accounts(&providers, &models)
    }

    fn validate_server(&self) -> Result {
        let server = &self.server;
        let prefix = &server.api_key_prefix;
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ConfigError::invalid("server.api_key_prefix", "letters, digits and `_` only"));
        }
        tracing_subscriber::EnvFilter::try_new(&server.log_level)
            .map_err(|e| ConfigError::invalid("server.log_level", format!("not a tracing filter: {e}")))?;
        if server.max_body_bytes == 0 {
            return Err(ConfigError::invalid("server.max_body_bytes", "must be at least 1"));
        }
        if server.catalogue_refresh_secs == 0 {
            return Err(ConfigError::invalid("server.catalogue_refresh_secs", "must be at least 1"));
        }
        if let Some(key) = &self.secrets.encryption_key {
            crate::secrets::parse_encryption_key(key.expose())
                .map_err(|m| ConfigError::invalid("secrets.encryption_key", m))?;
        }
        if self.secrets.jwt_secret_key.as_ref().is_some_and(|k| k.expose().len() < 16) {
            return Err(ConfigError::invalid("secrets.jwt_secret_key", "at least 16 characters"));
        }
        let admin = &self.admin;
        if admin.username.is_none() && (admin.email.is_some() || admin.password.is_some()) {
            return Err(ConfigError::invalid(
                "admin.username",
                "required when the admin has an email or password",
            ));
        }
        Ok(())
    }

    /// Checks `[[models]]`; returns every model name and alias.
    fn validate_models(&self) -> Result<HashSet<&str>> {
        let mut names = HashSet::new();
        for (m, model) in self.models.iter().enumerate() {
            unique(&mut names, format!("models[{m}].name"), &model.name, "model name")?;
            for (a, alias) in model.aliases.iter().enumerate() {
                unique(&mut names, format!("models[{m}].aliases[{a}]"), alias, "model name")?;
            }
            if model.context_window == 0 {
                return Err(ConfigError::invalid(
                    format!("models[{m}].context_window"),
                    "must be at least 1",
                ));
            }
            if model.long_context_window.is_some_and(|long| long < model.context_window) {
                return Err(ConfigError::invalid(
                    format!("models[{m}].long_context_window"),
                    "smaller than context_window",
                ));
            }
            let mut dates = HashSet::new();
            for (s, schedule) in model.prices.iter().enumerate() {
                let path = format!("models[{m}].prices[{s}]");
                validate_schedule(&model.name, schedule)
                    .map_err(|e| ConfigError::invalid(&path, e.to_string()))?;
                if !dates.insert(schedule.effective_from) {
                    return Err(ConfigError::invalid(
                        format!("{path}.effective_from"),
                        "another schedule of this model takes effect at the same time",
                    ));
                }
            }
        }
        Ok(names)
    }

    /// Checks `[[providers]]`; returns the provider names.
    fn validate_providers(&self, models: &HashSet<&str>) -> Result<HashSet<&str>> {
        let mut names = HashSet::new();
        for (p, provider) in self.providers.iter().enumerate() {
            let at = |field: String| format!("providers[{p}].{field}");
            unique(&mut names, at("name".into()), &provider.name, "provider name")?;
            if let Some(budget) = provider.monthly_budget_usd {
                micros(&at("monthly_budget_usd".into()), budget.0)?;
            }
            for (e, endpoint) in provider.endpoints.iter().enumerate() {
                let url = &endpoint.base_url;
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError::invalid(
                        at(format!("endpoints[{e}].base_url")),
                        format!("`{url}` is not an http(s) URL"),
                    ));
                }
            }
            for (k, key) in provider.keys.iter().enumerate() {
                let at_key = |field: &str| at(format!("keys[{k}].{field}"));
                if let Some(reference) = key.endpoint {
                    if resolve_endpoint(&provider.endpoints, reference).is_none() {
                        return Err(ConfigError::invalid(
                            at_key("endpoint"),
                            "no such endpoint in this provider",
                        ));
                    }
                    if let EndpointRef::Format(format) = reference
                        && repeated_format(&provider.endpoints, format)
                    {
                        return Err(ConfigError::invalid(
                            at_key("endpoint"),
                            format!("several endpoints speak {format}: pin by index"),
                        ));
                    }
                }
                let has = super::capabilities(&key.capabilities);
                if !has.contains(super::capabilities(&key.force)) {
                    return Err(ConfigError::invalid(
                        at_key("force"),
                        "forces a capability not in `capabilities`",
                    ));
                }
                micros(&at_key("rate_multiplier"), key.rate_multiplier.0)?;
            }
            let mut served = HashSet::new();
            for (m, model) in provider.models.iter().enumerate() {
                let path = at(format!("models[{m}].model"));
                if !models.contains(model.model.as_str()) {
                    return Err(ConfigError::invalid(
                        path,
                        format!("no `[[models]]` entry named `{}`", model.model),
                    ));
                }
                unique(&mut served, path, &model.model, "model")?;
            }
        }
        Ok(names)
    }

    fn validate_accounts(&self, providers: &HashSet<&str>, models: &HashSet<&str>) -> Result {
        let mut names = HashSet::new();
        let mut emails = HashSet::new();
        let mut keys = HashSet::new();
        if let Some(admin) = &self.admin.username {
            unique(&mut names, "admin.username".into(), admin, "user name")?;
            if let Some(email) = &self.admin.email {
                unique(&mut emails, "admin.email".into(), email, "email")?;
            }
        }
        for (u, user) in self.users.iter().enumerate() {
            let at = format!("users[{u}]");
            unique(&mut names, format!("{at}.name"), &user.name, "user name")?;
            if let Some(email) = &user.email {
                unique(&mut emails, format!("{at}.email"), email, "email")?;
            }
            if let Some(quota) = user.quota_usd {
                micros(&format!("{at}.quota_usd"), quota.0)?;
            }
            allow_lists(&at, &user.providers, &user.models, providers, models)?;
            for (k, key) in user.keys.iter().enumerate() {
                let at = format!("{at}.keys[{k}]");
                if key.balance_usd.is_some() {
                    return Err(ConfigError::invalid(
                        format!("{at}.balance_usd"),
                        "only standalone `[[keys]]` have a balance; use quota_usd",
                    ));
                }
                client_key(&at, key, &mut keys, providers, models)?;
            }
        }
        for (k, key) in self.keys.iter().enumerate() {
            let at = format!("keys[{k}]");
            if key.quota_usd.is_some() {
                return Err(ConfigError::invalid(
                    format!("{at}.quota_usd"),
                    "a standalone key has balance_usd",
                ));
            }
            if key.balance_usd.is_none() {
                return Err(ConfigError::invalid(
                    format!("{at}.balance_usd"),
                    "required for a standalone key",
                ));
            }
            client_key(&at, key, &mut keys, providers, models)?;
        }
        Ok(())
    }
}

fn client_key<'a>(
    at: &str,
    key: &'a ClientKeyConfig,
    seen: &mut HashSet<&'a str>,
    providers: &HashSet<&str>,
    models: &HashSet<&str>,
) -> Result {
    let value = key.key.as_ref().map(|k| k.expose()).unwrap_or_default();
    if value.len() < 16 {
        return Err(ConfigError::invalid(format!("{at}.key"), "at least 16 characters"));
    }
    if !seen.insert(value) {
        return Err(ConfigError::invalid(format!("{at}.key"), "the same key is declared twice"));
    }
    if let Some(usd) = key.quota_usd.or(key.balance_usd) {
        micros(&format!("{at}.quota_usd"), usd.0)?;
    }
    allow_lists(at, &key.providers, &key.models, providers, models)?;
    for model in key.model_capabilities.keys() {
        if !models.contains(model.as_str()) {
            return Err(ConfigError::invalid(
                format!("{at}.model_capabilities"),
                format!("no `[[models]]` entry named `{model}`"),
            ));
        }
    }
    Ok(())
}

fn allow_lists(
    at: &str,
    allowed_providers: &Option<Vec<String>>,
    allowed_models: &Option<Vec<String>>,
    providers: &HashSet<&str>,
    models: &HashSet<&str>,
) -> Result {
    for (i, name) in allowed_providers.iter().flatten().enumerate() {
        if !providers.contains(name.as_str()) {
            return Err(ConfigError::invalid(
                format!("{at}.providers[{i}]"),
                format!("no provider named `{name}`"),
            ));
        }
    }
    for (i, name) in allowed_models.iter().flatten().enumerate() {
        if !models.contains(name.as_str()) {
            return Err(ConfigError::invalid(
                format!("{at}.models[{i}]"),
                format!("no model named `{name}`"),
            ));
        }
    }
    Ok(())
}
