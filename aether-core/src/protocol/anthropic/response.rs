//! Non-streaming Messages responses ↔ [`ir::Response`].

use super::content::{decode_block, encode_part};
use super::settings::{stash, unstash};
use super::types::{ContentBlock, MessagesResponse};
use super::usage::{from_wire, to_wire};
use super::{FORMAT, own};
use crate::TranslateError;
use crate::ir::{self, Part, StopReason};
use crate::protocol::{content_id, to_json};

/// Reads a Messages response body. Unmodelled `usage` members are kept in `extra["usage"]`.
pub(crate) fn decode(body: &[u8]) -> Result<ir::Response, TranslateError> {
    let wire: MessagesResponse = serde_json::from_slice(body)?;
    let usage = from_wire(&wire.usage);
    let mut extra = wire.extra;
    stash(&mut extra, "usage", wire.usage.extra);
    Ok(ir::Response {
        id: wire.id,
        model: wire.model,
        content: wire.content.into_iter().map(decode_block).collect(),
        stop_reason: wire.stop_reason.map(stop_reason),
        stop_sequence: wire.stop_sequence,
        usage,
        created: None,
        extra: ir::Extra::new(FORMAT, extra),
    })
}

/// Writes a Messages response body; an IR without an id gets `msg_` and a hash of the content.
pub(crate) fn encode(response: ir::Response) -> Result<Vec<u8>, TranslateError> {
    let mut extra = own(response.extra);
    let usage_extra = unstash(&mut extra, "usage");
    for member in ["id", "type", "role", "model", "content", "stop_reason", "stop_sequence"] {
        extra.remove(member);
    }
    let content = encode_blocks(response.content)?;
    let id = if response.id.is_empty() { synthetic_id(&content)? } else { response.id };
    let wire = MessagesResponse {
        id,
        kind: "message".into(),
        role: "assistant".into(),
        model: response.model,
        content,
        stop_reason: response.stop_reason.map(stop_reason_name),
        stop_sequence: response.stop_sequence,
        usage: to_wire(response.usage, usage_extra),
        extra,
    };
    to_json(&wire)
}

fn encode_blocks(parts: Vec<Part>) -> Result<Vec<ContentBlock>, TranslateError> {
    let mut blocks = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        if let Some(block) = encode_part(part, &format!("content[{i}]"))? {
            blocks.push(block);
        }
    }
    Ok(blocks)
}

/// `msg_` and a hash of the encoded content: the same answer always gets the same id.
fn synthetic_id(content: &[ContentBlock]) -> Result<String, TranslateError> {
    Ok(content_id("msg_", &to_json(&content)?))
}

pub(crate) fn stop_reason(reason: String) -> StopReason {
    match reason.as_str() {
        "end_turn" => StopReason::EndTurn,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "tool_use" => StopReason::ToolUse,
        "pause_turn" => StopReason::PauseTurn,
        "refusal" => StopReason::Refusal,
        "model_context_window_exceeded" => StopReason::ContextWindowExceeded,
        _ => StopReason::Other(reason),
    }
}

/// The wire name of a stop reason; a content filter is a `refusal`, another format's own reason is
/// written as it was spelt.
pub(crate) fn stop_reason_name(reason: StopReason) -> String {
    match reason {
        StopReason::EndTurn => "end_turn".into(),
        StopReason::MaxTokens => "max_tokens".into(),
        StopReason::StopSequence => "stop_sequence".into(),
        StopReason::ToolUse => "tool_use".into(),
        StopReason::PauseTurn => "pause_turn".into(),
        StopReason::ContentFilter | StopReason::Refusal => "refusal".into(),
        StopReason::ContextWindowExceeded => "model_context_window_exceeded".into(),
        StopReason::Other(reason) => reason,
    }
}
