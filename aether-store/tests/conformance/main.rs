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
}
