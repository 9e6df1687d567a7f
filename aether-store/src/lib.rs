//! Durable backends for Aether's storage traits: embedded SQLite (the default), PostgreSQL and Redis.
//!
//! The traits themselves live in `aether-core`, which this crate re-exports.

pub use aether_core as core;
