//! The one error of every storage trait, whatever the backend.

use std::fmt;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row to update or delete does not exist.
    #[error("{what} `{id}` not found")]
    NotFound {
        /// What was looked for (`user`, `provider`, …).
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// A unique value is already taken (a user name, an email, a key hash).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The value cannot be stored: it refers to a missing row or is out of range.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Stored data cannot be read back (an unknown enum name, a secret that does not decrypt).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The backend failed (I/O, connection, timeout).
    #[error("storage backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// A [`StoreError::NotFound`].
    pub fn not_found(what: &'static str, id: impl fmt::Display) -> Self {
        StoreError::NotFound { what, id: id.to_string() }
    }

    /// A short, stable label for metrics.
    pub const fn kind(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "not_found",
            StoreError::Conflict(_) => "conflict",
            StoreError::Invalid(_) => "invalid",
            StoreError::Corrupt(_) => "corrupt",
            StoreError::Backend(_) => "backend",
        }
    }
}

/// Locks a mutex of an in-memory store, recovering from a poisoned lock (every write leaves the state
/// consistent before anything can panic).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
