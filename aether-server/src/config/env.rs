//! Environment variables over the file, and secrets named by `*_env` fields.
//!
//! The variables (names fixed by the deployment contract): `APP_PORT`, `APP_HOST`, `DATA_DIR`,
//! `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET_KEY`, `ENCRYPTION_KEY`, `ADMIN_EMAIL`, `ADMIN_USERNAME`,
//! `ADMIN_PASSWORD`, `API_KEY_PREFIX`, `LOG_LEVEL`. An empty variable counts as unset.

use std::path::PathBuf;

use super::values::SecretString;
use super::{Config, ConfigError};

/// Reads the process environment (what `main` passes to [`Config::load`]).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Config {
    /// Overrides fields with the environment variables that are set.
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(port) = var("APP_PORT") {
            self.server.port = port
                .trim()
                .parse()
                .map_err(|_| ConfigError::invalid("APP_PORT", format!("`{port}` is not a port number")))?;
        }
        if let Some(host) = var("APP_HOST") {
            self.server.host = host;
        }
        if let Some(dir) = var("DATA_DIR") {
            self.server.data_dir = PathBuf::from(dir);
        }
        if let Some(url) = var("DATABASE_URL") {
            self.server.database_url = Some(url);
        }
        if let Some(url) = var("REDIS_URL") {
            self.server.redis_url = Some(url);
        }
        if let Some(key) = var("JWT_SECRET_KEY") {
            self.secrets.jwt_secret_key = Some(SecretString::new(key));
        }
        if let Some(key) = var("ENCRYPTION_KEY") {
            crate::secrets::parse_encryption_key(&key)
                .map_err(|m| ConfigError::invalid("ENCRYPTION_KEY", m))?;
            self.secrets.encryption_key = Some(SecretString::new(key));
        }
        if let Some(email) = var("ADMIN_EMAIL") {
            self.admin.email = Some(email);
        }
        if let Some(name) = var("ADMIN_USERNAME") {
            self.admin.username = Some(name);
        }
        if let Some(password) = var("ADMIN_PASSWORD") {
            self.admin.password = Some(SecretString::new(password));
            self.admin.password_env = None;
        }
        if let Some(prefix) = var("API_KEY_PREFIX") {
            self.server.api_key_prefix = prefix;
        }
        if let Some(level) = var("LOG_LEVEL") {
            self.server.log_level = level;
        }
        Ok(())
    }

    /// Fills every secret given as `*_env` from the environment; a secret must come from exactly one
    /// of its two fields where it is required.
    pub fn resolve_secrets(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let admin = &mut self.admin;
        resolve(&mut admin.password, &admin.password_env, "admin.password", false, env)?;
        for (p, provider) in self.providers.iter_mut().enumerate() {
            for (k, key) in provider.keys.iter_mut().enumerate() {
                let path = format!("providers[{p}].keys[{k}].secret");
                resolve(&mut key.secret, &key.secret_env, &path, true, env)?;
            }
        }
        for (u, user) in self.users.iter_mut().enumerate() {
            let path = format!("users[{u}].password");
            resolve(&mut user.password, &user.password_env, &path, false, env)?;
            for (k, key) in user.keys.iter_mut().enumerate() {
                resolve(&mut key.key, &key.key_env, &format!("users[{u}].keys[{k}].key"), true, env)?;
            }
        }
        for (k, key) in self.keys.iter_mut().enumerate() {
            resolve(&mut key.key, &key.key_env, &format!("keys[{k}].key"), true, env)?;
        }
        Ok(())
    }
}

/// Sets `value` from the variable `var` names; `path` is the value's field (`…_env` is beside it).
fn resolve(
    value: &mut Option<SecretString>,
    var: &Option<String>,
    path: &str,
    required: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match (value.is_some(), var) {
        (true, Some(_)) => {
            Err(ConfigError::invalid(path, format!("give `{path}` or `{path}_env`, not both")))
        }
        (false, Some(name)) => {
            let found = env(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                ConfigError::invalid(
                    format!("{path}_env"),
                    format!("environment variable `{name}` is not set"),
                )
            })?;
            *value = Some(SecretString::new(found));
            Ok(())
        }
        (false, None) if required => Err(ConfigError::invalid(path, "required (or its `_env` variant)")),
        _ => Ok(()),
    }
}
