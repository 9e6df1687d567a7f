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
    request_from(codec(from).decode_request(body, path)?, from, to)
}

/// Translates a client request already decoded from format `from` (by a gateway that read it to
/// route it) into a body of format `to`.
pub fn request_from(
    ir: ir::Request,
    from: WireFormat,
    to: WireFormat,
) -> Result<TranslatedRequest, TranslateError> {
    reject_server_state(&ir, to)?;
    reject_foreign_files(&ir, from, to)?;
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

/// A file id names a file in one provider's file store; another provider cannot open it.
fn reject_foreign_files(ir: &ir::Request, from: WireFormat, to: WireFormat) -> Result<(), TranslateError> {
    if from.family() == to.family() {
        return Ok(());
    }
    let file = ir.messages.iter().flat_map(|m| &m.content).find_map(file_id);
    match file {
        Some(id) => Err(TranslateError::unsupported(
            format!("file `{id}`"),
            to,
            format!("it was uploaded to the {from} provider's file store; send the content inline or by URL"),
        )),
        None => Ok(()),
    }
}

/// The first file id a part refers to, looking inside tool results too.
fn file_id(part: &ir::Part) -> Option<&str> {
    match part {
        ir::Part::Image(media) | ir::Part::Document(media) => match &media.source {
            ir::Source::FileId(id) => Some(id),
            _ => None,
        },
        ir::Part::ToolResult(ir::ToolResult { content: ir::ToolOutput::Parts(parts), .. }) => {
            parts.iter().find_map(file_id)
        }
        _ => None,
    }
}

/// Translates a non-streaming upstream response body of format `from` into a body of format `to`.
pub fn response(from: WireFormat, to: WireFormat, body: &[u8]) -> Result<Vec<u8>, TranslateError> {
    let ir = codec(from).decode_response(body)?;
    codec(to).encode_response(ir)
}
