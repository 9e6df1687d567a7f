//! The commands: `keys create`, `config check`, `migrate`.

mod common;

use aether_server::Error;
use aether_server::cli::{Cli, run};
use aether_server::secrets::Secrets;
use aether_server::state::Stores;
use clap::Parser;

async fn run_args(args: &[&str], config: aether_server::config::Config) -> Result<String, Error> {
    let cli = Cli::try_parse_from(args).expect("parses");
    let mut out = Vec::new();
    run(&cli.command.expect("a command"), config, &mut out).await?;
    Ok(String::from_utf8(out).expect("utf-8"))
}

#[tokio::test]
async fn keys_create_prints_a_key_that_authenticates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let printed =
        run_args(&["aether-server", "keys", "create", "--user", "alice", "--name", "ci"], config.clone())
            .await
            .expect("creates");
    let key = printed.trim();
    assert!(key.starts_with("sk-") && key.len() == 3 + 48, "{key}");

    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");
    let found = stores
        .accounts
        .key_by_hash(&aether_core::store::KeyHash::of(key))
        .await
        .expect("reads")
        .expect("found");
    let alice = stores.accounts.user_by_login("alice").await.expect("reads").expect("seeded");
    assert_eq!((found.user, found.name.as_str()), (Some(alice.id), "ci"));
    assert_eq!(found.prefix, key[..7]);
}

#[tokio::test]
async fn keys_create_refuses_an_unknown_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error =
        run_args(&["aether-server", "keys", "create", "--user", "mallory"], common::config(dir.path()))
            .await
            .expect_err("no such user");
    assert_eq!(error.to_string(), "no user named `mallory`");
}

#[tokio::test]
async fn config_check_prints_what_the_config_declares() {
    let dir = tempfile::tempdir().expect("tempdir");
    let printed =
        run_args(&["aether-server", "--config", "x.toml", "config", "check"], common::config(dir.path()))
            .await
            .expect("checks");
    assert_eq!(printed, "ok: 2 providers, 2 endpoints, 2 provider keys, 3 models, 1 users, 2 client keys\n");
    assert!(!dir.path().join("aether.db").exists(), "check touches no database");
}

#[tokio::test]
async fn migrate_creates_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let printed =
        run_args(&["aether-server", "migrate"], common::config(dir.path())).await.expect("migrates");
    assert!(printed.starts_with("database migrated: sqlite://"), "{printed}");
    assert!(dir.path().join("aether.db").exists());
}

#[test]
fn serve_is_the_default_and_config_is_global() {
    let cli = Cli::try_parse_from(["aether-server"]).expect("parses");
    assert!(cli.command.is_none() && cli.config.is_none());
    let cli =
        Cli::try_parse_from(["aether-server", "config", "check", "--config", "a.toml"]).expect("parses");
    assert_eq!(cli.config_file(), Some("a.toml".into()));
}

#[test]
fn config_check_exits_2_with_the_failing_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[providers]]\nname = \"p\"\n[[providers.endpoints]]\nformat = \"openai\"\nbase_url = \"https://x\"\n")
        .expect("writes");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aether-server"))
        .args(["--config", file.to_str().expect("utf-8"), "config", "check"])
        .env_clear()
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("providers[0].endpoints[0].format: unknown format \"openai\""), "{stderr}");
}
