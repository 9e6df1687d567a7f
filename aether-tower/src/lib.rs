//! Aether as tower `Layer`s and `Service`s: authentication, admission, routing, failover, translation,
//! metering and tracing, each usable alone over the storage traits of `aether-core`.
//!
//! The layers are built on the protocol core ([`aether_core`]); this crate re-exports it so that
//! `cargo add aether-tower` is enough to embed the gateway.
//!
//! # Layout
//! - [`failover`]: [`FailoverLayer`] walks the scheduler's candidates over any HTTP upstream service,
//!   reporting every outcome to health and affinity and every candidate to a trace sink.
//! - [`transport`]: [`UpstreamTransport`] sends upstream requests over pooled hyper connections
//!   (rustls, HTTP/1.1 and h2, per-endpoint proxy) within the endpoint's timeouts.

pub mod failover;
pub mod transport;

pub use aether_core as core;
pub use failover::{Failover, FailoverLayer};
pub use transport::{TransportError, UpstreamTransport};

/// The boxed error upstream services and rewrites may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
