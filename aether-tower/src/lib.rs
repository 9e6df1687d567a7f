//! Aether as tower `Layer`s and `Service`s: authentication, admission, routing, failover, translation
//! and metering, each usable alone over the storage traits of `aether-core`.
//!
//! The layers are built on the protocol core ([`aether_core`]); this crate re-exports it so that
//! `cargo add aether-tower` is enough to embed the gateway. A gateway is one stack, outside in:
//!
//! ```text
//! AuthLayer        credential → Identity (cached)                      401/403 in the client's format
//! RouteLayer       body → model, stream, needs, session: Routing        400 for a body that does not decode
//! AdmissionLayer   key and user limits and quota, reserved              429/403
//! MeterLayer       a Tally per request → one usage record, overhead and request-id headers
//! TranslateLayer   the answer in the client's format, usage read on the way
//! FailoverLayer    candidates in order, each body prepared by PrepareBody, until one commits
//! UpstreamTransport pooled hyper client
//! ```
//!
//! Each request needs an [`Inbound`] in its extensions first: the ingress (the server's routes)
//! says what format the client speaks and when the request arrived.
//!
//! # Layout
//! - [`auth`], [`route`], [`admission`], [`meter`], [`translate`]: the layers above.
//! - [`failover`]: [`FailoverLayer`] walks the scheduler's candidates over any HTTP upstream service,
//!   reporting every outcome to health and affinity and every candidate to a trace sink.
//! - [`transport`]: [`UpstreamTransport`] sends upstream requests over pooled hyper connections
//!   (rustls, HTTP/1.1 and h2, per-endpoint proxy) within the endpoint's timeouts.
//! - [`GatewayError`]: the gateway's own errors, rendered in the client's format.

pub mod admission;
pub mod auth;
pub mod coalesce;
mod error;
pub mod failover;
mod inbound;
pub mod meter;
pub mod route;
pub mod translate;
pub mod transport;

pub use aether_core as core;
pub use error::{ErrorKindName, GatewayError, error_response};
pub use failover::{Failover, FailoverLayer};
pub use inbound::{Inbound, credential};
pub use transport::{TransportError, UpstreamTransport};

/// The boxed error upstream services and rewrites may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response body of every layer: boxed once, whatever produced it.
pub type Body = http_body_util::combinators::UnsyncBoxBody<bytes::Bytes, BoxError>;

/// A complete response body.
///
/// ```
/// let body = aether_tower::full_body("{}");
/// # let _ = body;
/// ```
pub fn full_body(bytes: impl Into<bytes::Bytes>) -> Body {
    error::full(bytes)
}

/// The service that was driven to readiness, for a call that outlives `&mut self`; a clone takes
/// its place (the pattern tower's docs recommend for services called from a boxed future).
pub(crate) fn take_ready<S: Clone>(service: &mut S) -> S {
    let clone = service.clone();
    std::mem::replace(service, clone)
}
