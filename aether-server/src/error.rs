//! The crate's one error type.

use aether_core::schedule::CatalogueError;
use aether_core::store::StoreError;

use crate::config::ConfigError;

/// Why the server cannot start or a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid (exit code 2).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The stored catalogue does not compile into a snapshot.
    #[error("catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// Hashing a password failed.
    #[error("password hashing: {0}")]
    Password(String),
    /// The upstream client's TLS configuration failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// A named thing does not exist (e.g. the user of `keys create`).
    #[error("{0}")]
    NotFound(String),
}

impl Error {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { what: what.into(), source }
    }
}
