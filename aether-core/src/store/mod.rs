//! Storage traits, one per concern, each with an in-memory implementation beside it.
//!
//! Durable backends (SQLite, later PostgreSQL) live in `aether-store` and pass the same conformance
//! suite. Callers hold them as `Arc<dyn Trait>`; nothing here does I/O or needs a runtime.
//!
//! ```
//! use aether_core::store::{Accounts, ClientKey, InMemoryAccounts, KeyHash, Role, User};
//!
//! # futures_executor::block_on(async {
//! let accounts = InMemoryAccounts::default();
//! let alice = accounts.create_user(&User::new("alice", Role::User)).await?;
//! let key = ClientKey { user: Some(alice), ..ClientKey::new("laptop", KeyHash([7; 32]), "sk-ab12") };
//! accounts.create_key(&key).await?;
//!
//! // Authentication looks a key up by the SHA-256 of what the client sent.
//! let found = accounts.key_by_hash(&KeyHash([7; 32])).await?.expect("stored");
//! assert_eq!((found.user, found.name.as_str()), (Some(alice), "laptop"));
//! # Ok::<(), aether_core::store::StoreError>(())
//! # }).unwrap();
//! ```
//!
//! # Layout
//! - [`Accounts`]: users, client keys (by hash), standalone prepaid keys, spend.
//! - [`CatalogueStore`]: providers, endpoints, provider keys, models; [`CatalogueStore::load`].
//! - [`PriceStore`]: effective-dated price schedules per model.
//! - [`SettingsStore`]: scheduling and priority modes, request log level.
//! - [`UsageSink`]: usage records, appended in batches, read by page.
//! - [`TraceStore`]: request traces by request id.
//! - [`StoreError`]: the error of all of them.

mod accounts;
mod catalogue;
pub(crate) mod error;
mod prices;
mod settings;
mod traces;
mod usage;

pub use accounts::{Accounts, ClientKey, InMemoryAccounts, KeyHash, Role, User, UserId};
pub use catalogue::{CatalogueStore, InMemoryCatalogue};
pub use error::StoreError;
pub use prices::{InMemoryPrices, PriceStore, table_from_rows, validate_schedule};
pub use settings::{InMemorySettings, LogLevel, SchedulingMode, Settings, SettingsStore};
pub use traces::{InMemoryTraceStore, TraceRecord, TraceStore};
pub use usage::{
    Hyphenated, InMemoryUsage, RequestId, UsageCursor, UsagePage, UsageQuery, UsageRecord, UsageSink,
};
