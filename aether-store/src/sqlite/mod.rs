//! The SQLite backend: one [`SqliteStore`] implements every storage trait over one connection pool,
//! plus one connection of its own for the batched usage and trace writes.

mod accounts;
mod catalogue;
pub(crate) mod codec;
mod prices;
mod settings;
mod trace_json;
mod traces;
mod usage;

use std::path::Path;
use std::str::FromStr;

use aether_core::store::StoreError;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Cipher;
use codec::db;

/// Every storage trait on one SQLite database: WAL journal, foreign keys on, migrations applied on
/// open.
///
/// ```
/// use aether_core::store::{SettingsStore, LogLevel, Settings};
/// use aether_store::{Cipher, SqliteStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aether_core::store::StoreError> {
/// let store = SqliteStore::open("sqlite::memory:", Cipher::new([0; 32])).await?;
/// store.put_settings(&Settings { log_level: LogLevel::Headers, ..Settings::default() }).await?;
/// assert_eq!(store.settings().await?.log_level, LogLevel::Headers);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection that the batch writer's appends use (SQLite writes one at a time anyway): the
    /// statements of each batch shape are prepared once, and the pages they touch stay in its cache,
    /// where the pool's connections would take turns and each prepare and read them again.
    writer: SqlitePool,
    cipher: Cipher,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `url` (`sqlite://data/aether.db?mode=rwc`, a
    /// plain path, or `sqlite::memory:`) and migrates it. Provider key secrets are encrypted with
    /// `cipher`.
    pub async fn open(url: &str, cipher: Cipher) -> Result<Self, StoreError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(db)?
        } else {
            SqliteConnectOptions::new().filename(Path::new(url))
        };
        let options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        // An in-memory database lives as long as a connection to it: keep exactly one, for good.
        let single = || {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        };
        let pool = match in_memory {
            true => single(),
            false => SqlitePoolOptions::new(),
        };
        let pool = pool.connect_with(options.clone()).await.map_err(db)?;
        sqlx::migrate!("./migrations").run(&pool).await.map_err(|e| StoreError::Backend(Box::new(e)))?;
        let writer = match in_memory {
            true => pool.clone(),
            false => single().connect_with(options).await.map_err(db)?,
        };
        Ok(SqliteStore { pool, writer, cipher })
    }

    /// Opens the database file at `path`, creating it if missing.
    pub async fn open_path(path: impl AsRef<Path>, cipher: Cipher) -> Result<Self, StoreError> {
        let path =
            path.as_ref().to_str().ok_or_else(|| StoreError::Invalid("the path is not UTF-8".into()))?;
        Self::open(path, cipher).await
    }

    /// Closes every connection, after the ones in use are returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}
