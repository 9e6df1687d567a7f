//! Aether's protocol core: the four wire formats, the canonical IR they all translate through, and the
//! passthrough splice. Pure logic: no runtime, no I/O.
//!
//! ```
//! use aether_core::protocol::PathParams;
//! use aether_core::{WireFormat, translate};
//!
//! // A Claude Code turn, sent on to a Gemini upstream.
//! let body = br#"{
//!     "model": "claude-opus-4-8", "max_tokens": 1024,
//!     "system": "You are terse.",
//!     "messages": [{"role": "user", "content": "Hi"}]
//! }"#;
//! let out = translate::request(WireFormat::Anthropic, WireFormat::Gemini, body, &PathParams::default())?;
//! let gemini: serde_json::Value = serde_json::from_slice(&out.body)?;
//! assert_eq!(gemini["systemInstruction"]["parts"][0]["text"], "You are terse.");
//! assert_eq!(gemini["contents"][0]["parts"][0]["text"], "Hi");
//! assert_eq!(out.model, "claude-opus-4-8"); // Gemini takes the model in the URL
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - [`format`](mod@format): [`WireFormat`] and the provider [`Family`] that scopes opaque reasoning artefacts.
//! - [`ir`]: the canonical request and response model; formats meet only here.
//! - [`protocol`]: one module per format (`types`, `request`, `response`, `usage`, `error`), each a
//!   [`protocol::Codec`] to and from the IR.
//! - [`translate`]: decode with one codec, encode with another, for requests and non-streaming responses.
//! - [`passthrough`]: when client and upstream speak the same format, splice `model` (and the gateway's
//!   own fields) into the body without parsing it.
//! - [`usage`]: canonical token [`Usage`] and how each format's counters normalise into it.
//! - [`catalogue`]: providers, endpoints, keys and models: what the gateway can route to.
//! - [`schedule`]: candidate selection, cache affinity, health, limits and the error policy.
//! - [`pricing`]: effective-dated price tables, list and actual [`pricing::Cost`] of a request, exact
//!   decimals; an unknown price is [`pricing::Charge::Unpriced`], never $0.
//! - [`estimate`]: token counts for `count_tokens` and for streams that end without usage: exact
//!   o200k / cl100k for OpenAI models (feature `tokenizer`, on by default), documented estimates for
//!   Claude and Gemini, always flagged as estimates where they are.
//! - [`store`]: storage traits, one per concern, with in-memory implementations (durable ones in
//!   `aether-store`).
//! - [`time`]: [`Timestamp`], the wall-clock time callers pass in (aether-core has no clock).
//! - [`error`]: [`TranslateError`] (a 400 in the client's format) and the format-neutral [`ApiError`].
//!
#![doc = include_str!("../docs/lossy.md")]

pub mod admission;
pub mod catalogue;
pub mod error;
pub mod estimate;
mod fast_map;
pub mod format;
pub mod ir;
pub mod passthrough;
pub mod pricing;
pub mod protocol;
pub mod schedule;
pub mod sse;
pub mod store;
pub mod stream;
pub mod time;
pub mod translate;
pub mod usage;

pub use error::{ApiError, ErrorKind, TranslateError};
pub use format::{Family, WireFormat};
pub use time::Timestamp;
pub use usage::Usage;
