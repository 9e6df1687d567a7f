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
use crate::{TranslateError, WireFormat, ir};

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
    reject_server_state(&ir, to)?;
    let (model, stream) = (ir.model.clone(), ir.stream);
    let body = codec(to).encode_request(ir)?;
    Ok(TranslatedRequest { body, model, stream })
}

/// Responses requests may refer to conversation state kept by OpenAI (`previous_response_id`,
/// `conversation`). No other upstream can see that state, so translating such a request would silently
/// drop the earlier turns: it is rejected instead.
fn reject_server_state(ir: &ir::Request, to: WireFormat) -> Result<(), TranslateError> {
    if to == WireFormat::OpenAiResponses {
        return Ok(());
    }
    let Some(fields) = ir.extra.fields_for(WireFormat::OpenAiResponses) else { return Ok(()) };
    match ["previous_response_id", "conversation"].into_iter().find(|key| fields.contains_key(*key)) {
        Some(key) => Err(TranslateError::unsupported(
            format!("`{key}`"),
            to,
            "the conversation state lives at OpenAI; send the whole conversation in `input` instead",
        )),
        None => Ok(()),
    }
}

/// Translates a non-streaming upstream response body of format `from` into a body of format `to`.
pub fn response(from: WireFormat, to: WireFormat, body: &[u8]) -> Result<Vec<u8>, TranslateError> {
    let ir = codec(from).decode_response(body)?;
    codec(to).encode_response(ir)
}
