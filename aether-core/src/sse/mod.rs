//! Server-sent events: a sans-IO decoder and an encoder for `text/event-stream`, and a decoder for
//! Gemini's JSON-array stream.
//!
//! Decoders take bytes as they arrive ([`Decoder::feed`]) and hand out whole events
//! ([`Decoder::next_event`], or lent until the next call by [`Decoder::next_ref`]); a partial line
//! survives any chunk boundary. Nothing here does I/O.
//!
//! ```
//! use aether_core::sse::{Decoder, encode};
//!
//! let mut wire = Vec::new();
//! encode(Some("content_block_delta"), r#"{"delta":{"text":"Hi"}}"#, &mut wire);
//!
//! let mut decoder = Decoder::new();
//! for chunk in wire.chunks(7) {
//!     decoder.feed(chunk);
//! }
//! let event = decoder.next_event().unwrap();
//! assert_eq!(event.event.as_deref(), Some("content_block_delta"));
//! assert_eq!(event.data, r#"{"delta":{"text":"Hi"}}"#);
//! ```

mod decode;
mod encode;
mod json_array;
mod names;
mod scan;

pub use decode::{Decoder, Event, EventRef};
pub use encode::encode;
pub use json_array::{ArrayStreamError, JsonArrayDecoder};

#[cfg(test)]
mod tests;
