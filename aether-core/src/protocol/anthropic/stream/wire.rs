//! Serde structs for the stream's events: borrowed where they are read, borrowed where they are written.
//! Every member the gateway does not use is ignored on the way in.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::super::types::CacheCreation;

/// The `type` of an event whose SSE `event:` name is missing.
#[derive(Deserialize)]
pub(super) struct Tagged<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Cow<'a, str>,
}

/// `message_start`.
#[derive(Deserialize)]
pub(super) struct MessageStart<'a> {
    #[serde(borrow)]
    pub(super) message: StartMessage<'a>,
}

/// The message skeleton of a `message_start`.
#[derive(Deserialize)]
pub(super) struct StartMessage<'a> {
    #[serde(default, borrow)]
    pub(super) id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub(super) model: Cow<'a, str>,
    #[serde(default)]
    pub(super) usage: Option<StreamUsage>,
}

/// `usage` of a `message_start` or a `message_delta`; in a `message_delta` every counter may be missing
/// or `null`.
#[derive(Default, Deserialize)]
pub(super) struct StreamUsage {
    #[serde(default)]
    pub(super) input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub(super) cache_creation: Option<CacheCreation>,
    #[serde(default)]
    pub(super) output_tokens: Option<u64>,
}

/// `content_block_start`.
#[derive(Deserialize)]
pub(super) struct BlockStart<'a> {
    pub(super) index: usize,
    #[serde(borrow)]
    pub(super) content_block: StartBlock<'a>,
}

/// The opening state of a block: the members of every known block type, flattened (unknown types, such
/// as `server_tool_use`, are told apart by `kind` and skipped).
#[derive(Deserialize)]
pub(super) struct StartBlock<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub(super) text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) signature: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) data: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(super) input: Option<serde_json::Value>,
}

/// `content_block_delta`.
#[derive(Deserialize)]
pub(super) struct BlockDelta<'a> {
    pub(super) index: usize,
    #[serde(borrow)]
    pub(super) delta: DeltaBody<'a>,
}

/// A block delta: the members of every known delta type, flattened (told apart by `kind`).
#[derive(Deserialize)]
pub(super) struct DeltaBody<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub(super) text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) thinking: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) signature: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) partial_json: Option<Cow<'a, str>>,
}

/// `content_block_stop`.
#[derive(Deserialize)]
pub(super) struct BlockStop {
    pub(super) index: usize,
}

/// `message_delta`.
#[derive(Deserialize)]
pub(super) struct MessageDelta {
    #[serde(default)]
    pub(super) delta: MessageChange,
    #[serde(default)]
    pub(super) usage: Option<StreamUsage>,
}

/// The `delta` of a `message_delta`.
#[derive(Default, Deserialize)]
pub(super) struct MessageChange {
    #[serde(default)]
    pub(super) stop_reason: Option<String>,
    #[serde(default)]
    pub(super) stop_sequence: Option<String>,
}

/// `message_start` as written.
#[derive(Serialize)]
pub(super) struct MessageStartOut<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) message: MessageOut<'a>,
}

/// The message skeleton of a written `message_start`.
#[derive(Serialize)]
pub(super) struct MessageOut<'a> {
    pub(super) id: &'a str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) role: &'static str,
    pub(super) model: &'a str,
    pub(super) content: [(); 0],
    pub(super) stop_reason: Option<()>,
    pub(super) stop_sequence: Option<()>,
    pub(super) usage: StartUsageOut,
}

/// `usage` of a written `message_start`: every counter and the cache TTL split.
#[derive(Serialize)]
pub(super) struct StartUsageOut {
    pub(super) input_tokens: u64,
    pub(super) cache_creation_input_tokens: u64,
    pub(super) cache_read_input_tokens: u64,
    pub(super) cache_creation: CacheCreation,
    pub(super) output_tokens: u64,
}

/// `content_block_start` as written.
#[derive(Serialize)]
pub(super) struct BlockStartOut<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) index: usize,
    pub(super) content_block: BlockOut<'a>,
}

/// The opening state of a written block.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum BlockOut<'a> {
    Text { text: &'static str },
    Thinking { thinking: &'static str, signature: &'static str },
    RedactedThinking { data: &'a str },
    ToolUse { id: &'a str, name: &'a str, input: Empty },
}

/// An empty JSON object.
#[derive(Serialize)]
pub(super) struct Empty {}

/// `content_block_delta` as written.
#[derive(Serialize)]
pub(super) struct BlockDeltaOut<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) index: usize,
    pub(super) delta: DeltaOut<'a>,
}

/// A written block delta.
#[derive(Serialize)]
#[serde(tag = "type")]
pub(super) enum DeltaOut<'a> {
    #[serde(rename = "text_delta")]
    Text { text: &'a str },
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: &'a str },
    #[serde(rename = "signature_delta")]
    Signature { signature: &'a str },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: &'a str },
}

/// `content_block_stop` as written.
#[derive(Serialize)]
pub(super) struct BlockStopOut {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) index: usize,
}

/// `message_delta` as written.
#[derive(Serialize)]
pub(super) struct MessageDeltaOut<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) delta: MessageChangeOut<'a>,
    pub(super) usage: DeltaUsageOut,
}

/// The `delta` of a written `message_delta`.
#[derive(Serialize)]
pub(super) struct MessageChangeOut<'a> {
    pub(super) stop_reason: &'a str,
    pub(super) stop_sequence: Option<&'a str>,
}

/// `usage` of a written `message_delta`: cumulative counts, as the API sends them (no TTL split).
#[derive(Serialize)]
pub(super) struct DeltaUsageOut {
    pub(super) input_tokens: u64,
    pub(super) cache_creation_input_tokens: u64,
    pub(super) cache_read_input_tokens: u64,
    pub(super) output_tokens: u64,
}
