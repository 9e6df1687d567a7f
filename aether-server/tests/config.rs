//! Loading the configuration: defaults, the environment over the file, `*_env` secrets, and errors
//! that name the failing path.

mod common;

use std::path::PathBuf;

use aether_core::WireFormat;
use aether_server::config::{Config, ConfigError, RequestLog};
use common::env;

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn an_empty_file_gives_every_default() {
    let config = Config::from_toml_str("", &no_env).expect("valid");
    let server = &config.server;
    assert_eq!((server.port, server.host.as_str()), (8084, "0.0.0.0"));
    assert_eq!(server.data_dir, PathBuf::from("./data"));
    assert_eq!(server.database_url(), "sqlite://./data/aether.db?mode=rwc");
    assert_eq!((server.api_key_prefix.as_str(), server.log_level.as_str()), ("sk", "info"));
    assert_eq!(server.request_log, None);
    assert_eq!(server.max_body_bytes, 32 * 1024 * 1024);
    assert_eq!(server.catalogue_refresh_secs, 5);
    assert!(config.providers.is_empty() && config.users.is_empty() && config.admin.username.is_none());
}

#[test]
fn the_environment_overrides_the_file() {
    let file = "[server]\nport = 9000\nhost = \"127.0.0.1\"\ndata_dir = \"/srv/a\"\nlog_level = \"warn\"\n";
    let vars = env(&[
        ("APP_PORT", "9100"),
        ("DATA_DIR", "/srv/b"),
        ("REDIS_URL", "redis://cache:6379"),
        ("API_KEY_PREFIX", "ae"),
        ("LOG_LEVEL", "debug"),
        ("ADMIN_USERNAME", "boss"),
        ("ADMIN_PASSWORD", "from-env-password"),
        ("JWT_SECRET_KEY", "a-long-enough-jwt-secret"),
    ]);
    let config = Config::from_toml_str(file, &vars).expect("valid");
    assert_eq!(config.server.port, 9100);
    assert_eq!(config.server.host, "127.0.0.1", "not overridden: from the file");
    assert_eq!(config.server.database_url(), "sqlite:///srv/b/aether.db?mode=rwc");
    assert_eq!(config.server.redis_url.as_deref(), Some("redis://cache:6379"));
    assert_eq!((config.server.api_key_prefix.as_str(), config.server.log_level.as_str()), ("ae", "debug"));
    assert_eq!(config.admin.username.as_deref(), Some("boss"));
    assert_eq!(config.admin.password.as_ref().map(|p| p.expose()), Some("from-env-password"));
    assert_eq!(config.secrets.jwt_secret_key.as_ref().map(|k| k.expose()), Some("a-long-enough-jwt-secret"));

    let database = env(&[("DATABASE_URL", "sqlite::memory:")]);
    assert_eq!(
        Config::from_toml_str(file, &database).expect("valid").server.database_url(),
        "sqlite::memory:"
    );
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let error = Config::from_toml_str("", &env(&[("APP_PORT", "eighty")])).expect_err("not a port");
    assert_eq!(error.to_string(), "APP_PORT: `eighty` is not a port number");
    let error = Config::from_toml_str("", &env(&[("ENCRYPTION_KEY", "short")])).expect_err("not a key");
    assert!(error.to_string().starts_with("ENCRYPTION_KEY: "), "{error}");
}

#[test]
fn an_unknown_field_is_rejected_with_its_path() {
    let file = "[[providers]]\nname = \"a\"\n[[providers]]\nname = \"b\"\n[[providers.endpoints]]\n\
                format = \"anthropic\"\nbase_url = \"https://x\"\nretries = 3\n";
    let error = Config::from_toml_str(file, &no_env).expect_err("unknown field");
    let message = error.to_string();
    assert!(message.starts_with("providers[1].endpoints[0].retries: "), "{message}");
    assert!(message.contains("unknown field `retries`"), "{message}");
    assert!(message.contains("(line 8)"), "{message}");

    let error = Config::from_toml_str("[server]\nprot = 1\n", &no_env).expect_err("typo");
    assert!(matches!(&error, ConfigError::Parse { path, .. } if path == "server.prot"), "{error}");
}

#[test]
fn an_unknown_format_names_the_field() {
    let file = "[[providers]]\nname = \"a\"\n[[providers]]\nname = \"b\"\n[[providers.endpoints]]\n\
                format = \"openai\"\nbase_url = \"https://x\"\n";
    let error = Config::from_toml_str(file, &no_env).expect_err("unknown format");
    let message = error.to_string();
    assert!(message.starts_with("providers[1].endpoints[0].format: unknown format \"openai\""), "{message}");
}

#[test]
fn inconsistent_values_name_their_path() {
    let cases = [
        (
            "[[providers]]\nname = \"a\"\n[[providers]]\nname = \"a\"\n",
            "providers[1].name: provider name `a` is declared twice",
        ),
        (
            "[[providers]]\nname = \"a\"\n[[providers.models]]\nmodel = \"nope\"\n",
            "providers[0].models[0].model: no `[[models]]` entry named `nope`",
        ),
        (
            "[[keys]]\nname = \"k\"\nkey = \"sk-0123456789abcdef\"\n",
            "keys[0].balance_usd: required for a standalone key",
        ),
        ("[server]\nrequest_log = \"verbose\"\n", "server.request_log: unknown variant `verbose`"),
        (
            "[[users]]\nname = \"u\"\nquota_usd = \"ten\"\n",
            "users[0].quota_usd: `ten` is not a decimal amount",
        ),
    ];
    for (file, expected) in cases {
        let error = Config::from_toml_str(file, &no_env).expect_err(expected);
        assert!(error.to_string().starts_with(expected), "{error} (expected {expected})");
    }
}

#[test]
fn secrets_come_from_the_named_variables() {
    let file = "[[providers]]\nname = \"a\"\n[[providers.endpoints]]\nformat = \"gemini\"\n\
                base_url = \"https://g\"\n[[providers.keys]]\nname = \"k\"\nsecret_env = \"MY_GEMINI_KEY\"\n\
                endpoint = \"gemini\"\n";
    let config = Config::from_toml_str(file, &env(&[("MY_GEMINI_KEY", "AIza-123")])).expect("valid");
    let key = &config.providers[0].keys[0];
    assert_eq!(key.secret.as_ref().map(|s| s.expose()), Some("AIza-123"));
    assert_eq!(config.providers[0].endpoints[0].format.0, WireFormat::Gemini);

    let error = Config::from_toml_str(file, &no_env).expect_err("unset variable");
    assert_eq!(
        error.to_string(),
        "providers[0].keys[0].secret_env: environment variable `MY_GEMINI_KEY` is not set"
    );

    let both = file.replace("secret_env", "secret = \"x\"\nsecret_env");
    let error = Config::from_toml_str(&both, &env(&[("MY_GEMINI_KEY", "y")])).expect_err("both given");
    assert!(error.to_string().contains("not both"), "{error}");
}

#[test]
fn debug_output_never_shows_a_secret() {
    let file = "[secrets]\njwt_secret_key = \"jwt-secret-value-0001\"\n[admin]\nusername = \"a\"\n\
                password = \"admin-password-value\"\n[[providers]]\nname = \"p\"\n[[providers.keys]]\n\
                name = \"k\"\nsecret = \"sk-provider-secret-value\"\n[[users]]\nname = \"u\"\n\
                [[users.keys]]\nname = \"k\"\nkey = \"sk-client-key-value-0001\"\n";
    let config = Config::from_toml_str(file, &no_env).expect("valid");
    let debug = format!("{config:?}");
    for secret in
        ["jwt-secret-value", "admin-password-value", "sk-provider-secret-value", "sk-client-key-value"]
    {
        assert!(!debug.contains(secret), "{secret} leaked into {debug}");
    }
    assert!(debug.contains("***"));
}

#[test]
fn the_example_config_passes_check() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/aether.toml");
    let vars = env(&[
        ("AETHER_ADMIN_PASSWORD", "admin-password"),
        ("ANTHROPIC_KEY_1", "sk-ant-example"),
        ("OPENAI_KEY", "sk-openai-example"),
        ("ALICE_LAPTOP_KEY", "sk-alice-laptop-example-key"),
        ("HACKATHON_KEY", "sk-hackathon-example-key"),
    ]);
    let config = Config::load(Some(&path), &vars).expect("examples/aether.toml is valid");
    assert_eq!(config.server.request_log, Some(RequestLog::Basic));
    assert_eq!(
        config.summary().to_string(),
        "2 providers, 3 endpoints, 2 provider keys, 2 models, 1 users, 2 client keys"
    );
}
