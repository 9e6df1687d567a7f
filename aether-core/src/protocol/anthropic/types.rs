//! Serde structs for the Messages API wire format: what the gateway reads or translates, with every other
//! member kept in an `extra` map and every unknown block or tool kept as raw JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A `POST /v1/messages` body.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct MessagesRequest {
    pub(crate) model: String,
    /// Required by the API; optional here so that a request without it still decodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) system: Option<Content>,
    pub(crate) messages: Vec<InputMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tools: Option<Vec<ToolDef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_choice: Option<ToolChoiceWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thinking: Option<Thinking>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) output_config: Option<OutputConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub(crate) temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub(crate) top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) top_k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stop_sequences: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Metadata>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Writes a whole number as an integer (`1`, as JavaScript clients such as Claude Code send it), any other
/// number as a float.
fn whole_as_integer<S: serde::Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below it is an exact i64
    match *value {
        Some(number) if number.fract() == 0.0 && number.abs() < EXACT => {
            serializer.serialize_i64(number as i64)
        }
        Some(number) => serializer.serialize_f64(number),
        None => serializer.serialize_none(),
    }
}

/// One entry of `messages`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct InputMessage {
    /// `user`, `assistant`, or (beta `mid-conversation-system-2026-04-07`) `system`.
    pub(crate) role: String,
    pub(crate) content: Content,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Message, system or tool-result content: a plain string or a list of blocks.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Content {
    Text(String),
    Blocks(Vec<ContentBlock>),
}

/// A content block: a known type, or any other block kept as received.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum ContentBlock {
    Known(Block),
    Unknown(Value),
}

/// The content block types the gateway translates. A block of one of these types that does not match its
/// schema (a new source type, say) falls back to [`ContentBlock::Unknown`].
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Block {
    Text {
        text: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    Image {
        source: MediaSource,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    Document {
        source: MediaSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Content>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    Thinking {
        thinking: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    RedactedThinking {
        data: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
}

/// Where an image's or a document's bytes are. Sources with members beyond these fall back to an unknown
/// block, so nothing is lost.
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum MediaSource {
    Base64 {
        media_type: String,
        data: String,
    },
    Url {
        url: String,
    },
    File {
        file_id: String,
    },
    /// Plain-text documents (`media_type` is always `text/plain`).
    Text {
        media_type: String,
        data: String,
    },
}

/// An entry of `tools`: a custom tool, or any typed built-in / server tool kept as received.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum ToolDef {
    Custom(CustomTool),
    Other(Value),
}

/// A custom tool (no `type`, or `type: "custom"`).
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct CustomTool {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<CustomTag>,
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    pub(crate) input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) strict: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The only `type` a custom tool may carry.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CustomTag {
    Custom,
}

/// `tool_choice`: a known shape, or anything else kept as received.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum ToolChoiceWire {
    Known(KnownToolChoice),
    Unknown(Value),
}

/// `tool_choice` of type `auto`, `any`, `tool` or `none`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KnownToolChoice {
    #[serde(rename = "type")]
    pub(crate) kind: ToolChoiceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) disable_parallel_tool_use: Option<bool>,
}

/// The `type` of a [`KnownToolChoice`].
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ToolChoiceKind {
    Auto,
    Any,
    Tool,
    None,
}

/// `thinking`: a known type, or anything else kept as received.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Thinking {
    Known(ThinkingConfig),
    Unknown(Value),
}

/// `thinking` of type `enabled`, `disabled` or `adaptive`; other members (`display`) are kept.
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ThinkingConfig {
    Enabled {
        budget_tokens: u64,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    Disabled {
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    Adaptive {
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
}

/// `output_config`: effort and structured output format.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct OutputConfig {
    /// `low`, `medium`, `high`, `max` (an unknown level stays in `extra`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) effort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) format: Option<OutputFormat>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `output_config.format`: a JSON schema, or any other format kept as received.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum OutputFormat {
    JsonSchema(JsonSchemaFormat),
    Unknown(Value),
}

/// `output_config.format` of type `json_schema`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonSchemaFormat {
    #[serde(rename = "type")]
    pub(crate) kind: JsonSchemaTag,
    pub(crate) schema: Value,
}

/// The `type` of a [`JsonSchemaFormat`].
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JsonSchemaTag {
    JsonSchema,
}

/// `metadata`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Metadata {
    /// An end-user id; Claude Code sends a JSON document as this string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A non-streaming response body.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct MessagesResponse {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) role: String,
    pub(crate) model: String,
    pub(crate) content: Vec<ContentBlock>,
    pub(crate) stop_reason: Option<String>,
    pub(crate) stop_sequence: Option<String>,
    pub(crate) usage: WireUsage,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `usage` of a response (or of a stream's `message_start` / `message_delta`).
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct WireUsage {
    #[serde(default)]
    pub(crate) input_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cache_creation_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cache_read_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cache_creation: Option<CacheCreation>,
    #[serde(default)]
    pub(crate) output_tokens: u64,
    /// `server_tool_use`, `service_tier`, `inference_geo`, …
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `usage.cache_creation`: cache writes split by TTL.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct CacheCreation {
    #[serde(default)]
    pub(crate) ephemeral_5m_input_tokens: u64,
    #[serde(default)]
    pub(crate) ephemeral_1h_input_tokens: u64,
}

/// An error body: `{"type":"error","error":{"type","message"},"request_id"}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ErrorBody {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) error: ErrorObject,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<String>,
}

/// The `error` member of an [`ErrorBody`].
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ErrorObject {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) message: String,
}
