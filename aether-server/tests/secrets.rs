//! The server's own secrets: generated on first run into the data directory, reused after.

mod common;

use aether_server::config::Config;
use aether_server::secrets::{SECRETS_FILE, Secrets};

#[test]
fn secrets_are_generated_once_and_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = format!("[server]\ndata_dir = \"{}\"\n", dir.path().display());
    let config = Config::from_toml_str(&file, &common::env(&[])).expect("valid");

    let first = Secrets::load_or_generate(&config).expect("generated");
    let path = dir.path().join(SECRETS_FILE);
    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = Secrets::load_or_generate(&config).expect("read back");
    assert_eq!(first.encryption_key, second.encryption_key);
    assert_eq!(first.jwt_secret_key, second.jwt_secret_key);
    assert_ne!(first.encryption_key, [0; 32]);
    assert_eq!(format!("{first:?}"), "Secrets(***)");

    let other = tempfile::tempdir().expect("tempdir");
    let file = format!("[server]\ndata_dir = \"{}\"\n", other.path().display());
    let elsewhere = Config::from_toml_str(&file, &common::env(&[])).expect("valid");
    let fresh = Secrets::load_or_generate(&elsewhere).expect("generated");
    assert_ne!(fresh.encryption_key, first.encryption_key, "random per data directory");
}

#[test]
fn given_secrets_win_and_are_not_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = format!("[server]\ndata_dir = \"{}\"\n", dir.path().display());
    let vars = common::env(&[
        ("ENCRYPTION_KEY", common::ENCRYPTION_KEY),
        ("JWT_SECRET_KEY", "jwt-from-environment"),
    ]);
    let config = Config::from_toml_str(&file, &vars).expect("valid");
    let secrets = Secrets::load_or_generate(&config).expect("resolved");
    assert_eq!(secrets.encryption_key[31], 0x1f);
    assert_eq!(secrets.jwt_secret_key.expose(), "jwt-from-environment");
    assert!(!dir.path().join(SECRETS_FILE).exists());
}
