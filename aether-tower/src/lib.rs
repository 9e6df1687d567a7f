//! Aether as tower `Layer`s and `Service`s: authentication, admission, routing, failover, translation,
//! metering and tracing, each usable alone over the storage traits of `aether-core`.
//!
//! The layers are built on the protocol core ([`aether_core`]); this crate re-exports it so that
//! `cargo add aether-tower` is enough to embed the gateway.

pub use aether_core as core;
