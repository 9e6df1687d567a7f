//! One conformance suite per storage trait, run against every backend: the in-memory implementations
//! of aether-core and SQLite (each test on a fresh in-memory database, so they run in parallel).
//! A PostgreSQL backend will add its module here, reading `AETHER_TEST_DATABASE_URL`.

mod accounts;
mod batch;
mod catalogue;
mod fixtures;
mod prices;
mod settings;
mod traces;
mod usage;

mod in_memory {
    use aether_core::store::{
        InMemoryAccounts, InMemoryCatalogue, InMemoryPrices, InMemorySettings, InMemoryTraceStore,
        InMemoryUsage,
    };

    #[tokio::test]
    async fn accounts() {
        super::accounts::suite(&InMemoryAccounts::default()).await;
    }

    #[tokio::test]
    async fn catalogue() {
        super::catalogue::suite(&InMemoryCatalogue::default()).await;
    }

    #[tokio::test]
    async fn prices() {
        super::prices::suite(&InMemoryPrices::default()).await;
    }

    #[tokio::test]
    async fn settings() {
        super::settings::suite(&InMemorySettings::default()).await;
    }

    #[tokio::test]
    async fn usage() {
        super::usage::suite(&InMemoryUsage::default()).await;
    }

    #[tokio::test]
    async fn traces() {
        super::traces::suite(&InMemoryTraceStore::default()).await;
    }
}

mod sqlite {
    use aether_store::{Cipher, SqliteStore};

    async fn store() -> SqliteStore {
        SqliteStore::open("sqlite::memory:", Cipher::new([9; 32])).await.expect("an in-memory database opens")
    }

    #[tokio::test]
    async fn accounts() {
        super::accounts::suite(&store().await).await;
    }

    #[tokio::test]
    async fn catalogue() {
        super::catalogue::suite(&store().await).await;
    }

    #[tokio::test]
    async fn prices() {
        super::prices::suite(&store().await).await;
    }

    #[tokio::test]
    async fn settings() {
        super::settings::suite(&store().await).await;
    }

    #[tokio::test]
    async fn usage() {
        super::usage::suite(&store().await).await;
    }

    #[tokio::test]
    async fn traces() {
        super::traces::suite(&store().await).await;
    }

    /// A batch larger than one `INSERT` takes is written whole.
    #[tokio::test]
    async fn a_large_batch_is_written_whole() {
        use aether_core::WireFormat;
        use aether_core::catalogue::ClientKeyId;
        use aether_core::schedule::Trace;
        use aether_core::store::{TraceRecord, TraceStore, UsageQuery, UsageSink};

        let store = store().await;
        let records: Vec<_> =
            (1..=1_234).map(|id| super::fixtures::record(id, 1_000 + id as u64, 1, 10)).collect();
        UsageSink::append(&store, &records).await.expect("appended");
        let page = store.query(&UsageQuery { limit: 2_000, ..UsageQuery::default() }).await.expect("read");
        assert_eq!(page.records.len(), 1_234);
        let traces: Vec<_> = records
            .iter()
            .map(|r| TraceRecord {
                request_id: r.request_id,
                at: r.at,
                trace: Trace {
                    client_key: ClientKeyId(10),
                    format: WireFormat::Anthropic,
                    model: "m".into(),
                    entries: Vec::new(),
                },
            })
            .collect();
        TraceStore::append(&store, &traces).await.expect("appended");
        assert!(store.trace(records[1_233].request_id).await.expect("read").is_some());
    }

    /// Appending usage charges its key and user once, in the same transaction, even when a batch is
    /// retried.
    #[tokio::test]
    async fn appended_usage_is_charged_to_its_key_and_user_once() {
        use aether_core::store::{Accounts, ClientKey, KeyHash, Role, UsageSink, User};

        let store = store().await;
        let user = store.create_user(&User::new("alice", Role::User)).await.expect("user");
        let key = ClientKey { user: Some(user), ..ClientKey::new("k", KeyHash::of("sk-alice"), "sk-al") };
        let key = store.create_key(&key).await.expect("key");
        let record = super::fixtures::record(1, 1_000, user.0, key.0);
        let cost = record.charge.list_total().expect("priced");
        store.append(std::slice::from_ref(&record)).await.expect("appended");
        store.append(&[record, super::fixtures::record(2, 2_000, user.0, 999)]).await.expect("retried");
        let key = store.key(key).await.expect("read").expect("exists");
        assert_eq!(key.spent, cost, "charged once; the retried record is not charged again");
        let user = store.user(user).await.expect("read").expect("exists");
        assert_eq!(user.spent, cost + cost, "a record whose key no longer exists still charges its user");
    }
}
