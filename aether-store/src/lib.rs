//! Durable backends for Aether's storage traits: embedded SQLite, the default (PostgreSQL will follow
//! with the same migrations and the same conformance suite).
//!
//! ```
//! use std::sync::Arc;
//!
//! use aether_core::catalogue::{Provider, ProviderKey};
//! use aether_core::store::CatalogueStore;
//! use aether_store::{Cipher, SqliteStore};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), aether_core::store::StoreError> {
//! let store = SqliteStore::open("sqlite::memory:", Cipher::new([7; 32])).await?;
//! let catalogue: Arc<dyn CatalogueStore> = Arc::new(store);
//! let provider = catalogue.create_provider(&Provider::new(0, "anthropic")).await?;
//! catalogue.create_key(&ProviderKey::new(0, provider.0, "sk-ant-secret")).await?;
//!
//! // The secret is stored encrypted and read back in clear.
//! let loaded = catalogue.load().await?;
//! assert_eq!(loaded.keys[0].secret.expose(), "sk-ant-secret");
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//! - [`SqliteStore`]: every trait of [`aether_core::store`] on one SQLite database (`migrations/`).
//! - [`Cipher`]: AES-256-GCM for provider key secrets (client keys are kept only as
//!   [`KeyHash`](aether_core::store::KeyHash)es).
//! - [`BatchWriter`]: usage records and traces, written off the request path in batches.

mod batch;
mod secrets;
mod sqlite;

pub use aether_core as core;
pub use batch::{BatchConfig, BatchStats, BatchWriter, Refused};
pub use secrets::Cipher;
pub use sqlite::SqliteStore;
