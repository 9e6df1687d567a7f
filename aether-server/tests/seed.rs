//! Seeding the store from the config: idempotent, secrets encrypted, client keys hashed.

mod common;

use aether_core::store::Role;
use aether_server::secrets::Secrets;
use aether_server::seed::seed;
use aether_server::state::Stores;
use sqlx::SqlitePool;

async fn raw(data_dir: &std::path::Path) -> SqlitePool {
    let url = format!("sqlite://{}", data_dir.join("aether.db").display());
    SqlitePool::connect(&url).await.expect("the database exists")
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");

    let first = seed(&config, &stores).await.expect("seeds");
    assert!(first.created >= 10, "{first}");
    let catalogue = format!("{:?}", stores.catalogue.load().await.expect("loads"));
    let users = stores.accounts.users().await.expect("users");

    let second = seed(&config, &stores).await.expect("seeds again");
    assert!(second.is_unchanged(), "second run: {second}");
    assert_eq!(format!("{:?}", stores.catalogue.load().await.expect("loads")), catalogue);
    assert_eq!(stores.accounts.users().await.expect("users"), users, "password hashes kept too");
}

#[tokio::test]
async fn a_changed_config_updates_and_prunes_what_it_owns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");
    seed(&config, &stores).await.expect("seeds");

    let mut changed = config.clone();
    changed.providers[0].priority = 7;
    changed.providers[1].keys.clear();
    let report = seed(&changed, &stores).await.expect("seeds the change");
    assert_eq!((report.updated, report.deleted, report.created), (1, 1, 0), "{report}");
    let catalogue = stores.catalogue.load().await.expect("loads");
    let anthropic = catalogue.providers.iter().find(|p| p.name == "anthropic").expect("kept");
    assert_eq!(anthropic.priority, 7);
    assert_eq!(catalogue.keys.len(), 1, "google's key removed with its declaration");
}

#[tokio::test]
async fn provider_secrets_are_stored_encrypted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");
    seed(&config, &stores).await.expect("seeds");

    let stored: Vec<String> = sqlx::query_scalar("SELECT secret FROM provider_keys")
        .fetch_all(&raw(dir.path()).await)
        .await
        .expect("reads");
    assert_eq!(stored.len(), 2);
    for secret in &stored {
        assert!(secret.starts_with("v1:"), "{secret}");
        assert!(!secret.contains("plaintext"), "stored in clear: {secret}");
    }
    let loaded = stores.catalogue.load().await.expect("loads");
    let mut clear: Vec<&str> = loaded.keys.iter().map(|k| k.secret.expose()).collect();
    clear.sort();
    assert_eq!(clear, ["AIza-plaintext-secret-2", "sk-ant-plaintext-secret-1"]);
}

#[tokio::test]
async fn client_keys_are_stored_as_their_hash_and_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");
    seed(&config, &stores).await.expect("seeds");

    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key_hash, prefix FROM client_keys ORDER BY id")
        .fetch_all(&raw(dir.path()).await)
        .await
        .expect("reads");
    assert_eq!(rows.len(), 2);
    for ((hash, prefix), plaintext) in
        rows.iter().zip(["sk-alice-laptop-0123456789", "sk-prepaid-0123456789abcdef"])
    {
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(plaintext) && plaintext.starts_with(prefix.as_str()));
        assert_eq!(prefix.len(), "sk-xxxx".len());
    }
    let key =
        stores.accounts.key_by_hash(&aether_core::store::KeyHash::of("sk-alice-laptop-0123456789")).await;
    let key = key.expect("reads").expect("authenticates");
    assert_eq!(key.model_capabilities.len(), 1);
    let prepaid =
        stores.accounts.key_by_hash(&aether_core::store::KeyHash::of("sk-prepaid-0123456789abcdef")).await;
    let prepaid = prepaid.expect("reads").expect("authenticates");
    assert_eq!((prepaid.user, prepaid.quota.map(|q| q.to_string())), (None, Some("5".into())));
}

#[tokio::test]
async fn the_admin_gets_an_argon2id_password_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = common::config(dir.path());
    let secrets = Secrets::load_or_generate(&config).expect("secrets");
    let (stores, _store) = Stores::open(&config, &secrets).await.expect("opens");
    seed(&config, &stores).await.expect("seeds");

    let admin = stores.accounts.user_by_login("root").await.expect("reads").expect("created");
    assert_eq!(admin.role, Role::Admin);
    let hash = admin.password_hash.expect("a password");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(aether_server::secrets::password_matches("hunter2hunter2", &hash));
}
