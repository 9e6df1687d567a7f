//! Translation between two formats: decode into the IR, encode out of it.
//!
//! ```
//! use aether_core::protocol::PathParams;
//! use aether_core::{WireFormat, translate};
//!
//! let body = br#"{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}]}"#;
//! let out = translate::request(WireFormat::OpenAiChat, WireFormat::Anthropic, body, &PathParams::default())?;
//! let json: serde_json::Value = serde_json::from_slice(&out.body)?;
//! assert_eq!(json["messages"][0]["content"], "Hi");
//! assert_eq!(out.model, "gpt-5");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::protocol::{PathParams, codec};
use crate::{TranslateError, WireFormat};

/// A request translated for an upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslatedRequest {
    /// The body to send.
    pub body: Vec<u8>,
    /// The requested model (a Gemini upstream takes it in the URL).
    pub model: String,
    /// Whether the client asked for a stream (a Gemini upstream takes it in the URL).
    pub stream: bool,
}

/// Translates a client request body of format `from` into a body of format `to`.
pub fn request(
    from: WireFormat,
    to: WireFormat,
    body: &[u8],
    path: &PathParams,
) -> Result<TranslatedRequest, TranslateError> {
    let ir = codec(from).decode_request(body, path)?;
    let (model, stream) = (ir.model.clone(), ir.stream);
    let body = codec(to).encode_request(ir)?;
    Ok(TranslatedRequest { body, model, stream })
}

/// Translates a non-streaming upstream response body of format `from` into a body of format `to`.
pub fn response(from: WireFormat, to: WireFormat, body: &[u8]) -> Result<Vec<u8>, TranslateError> {
    let ir = codec(from).decode_response(body)?;
    codec(to).encode_response(ir)
}
