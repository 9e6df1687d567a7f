//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::path::Path;

use aether_server::config::Config;

/// An environment of the given variables only.
pub fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name: &str| vars.get(name).cloned()
}

/// A fixed 32-byte encryption key, hex.
pub const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A catalogue with two providers, two models and a user with a key, in `data_dir`.
pub fn config_toml(data_dir: &Path) -> String {
    format!(
        r#"
[server]
data_dir = "{dir}"

[admin]
username = "root"
password = "hunter2hunter2"

[scheduling]
mode = "global_key"

[[providers]]
name = "anthropic"
  [[providers.endpoints]]
  format = "anthropic"
  base_url = "https://api.anthropic.com"
  [[providers.keys]]
  name = "a1"
  secret = "sk-ant-plaintext-secret-1"
  capabilities = ["context_1m"]
  [[providers.models]]
  model = "claude-opus-4-8"

[[providers]]
name = "google"
  [[providers.endpoints]]
  format = "gemini"
  base_url = "https://generativelanguage.googleapis.com"
  [[providers.keys]]
  name = "g1"
  secret = "AIza-plaintext-secret-2"
  [[providers.models]]
  model = "gemini-2.5-pro"
  cross_format = false

[[models]]
name = "claude-opus-4-8"
aliases = ["opus"]
long_context_window = 1000000
  [[models.prices]]
  effective_from = "2025-01-01T00:00:00Z"
  tiers = [{{ input = "5", output = "25" }}]

[[models]]
name = "gemini-2.5-pro"
context_window = 1048576

[[models]]
name = "unrouted-model"

[[users]]
name = "alice"
email = "alice@example.com"
password = "alice-password"
quota_usd = "10.50"
  [[users.keys]]
  name = "laptop"
  key = "sk-alice-laptop-0123456789"
  model_capabilities = {{ "claude-opus-4-8" = ["context_1m"] }}

[[keys]]
name = "prepaid"
key = "sk-prepaid-0123456789abcdef"
balance_usd = "5"
"#,
        dir = data_dir.display()
    )
}

/// [`config_toml`] loaded with a fixed encryption key.
pub fn config(data_dir: &Path) -> Config {
    Config::from_toml_str(&config_toml(data_dir), &env(&[("ENCRYPTION_KEY", ENCRYPTION_KEY)]))
        .expect("the test config is valid")
}
