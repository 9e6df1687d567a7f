//! Serde wire types of the Responses API, for the members the gateway reads or translates.
//!
//! Every object keeps its unknown members in `extra`. Input items, content parts and tools whose
//! `type` may be new are read as raw [`Value`]s and dispatched on `type` by the decoders, so an unknown
//! one is kept whole (as `Part::Native` / `Tool::Native`) instead of failing the request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Unknown members of an object, in their original order.
pub(crate) type Fields = Map<String, Value>;

/// `POST /v1/responses` body.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct RequestBody {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) input: Option<Input>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tools: Option<Vec<Value>>,
    /// `"auto"`, `"none"`, `"required"` or an object (function, allowed tools, a built-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_choice: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parallel_tool_calls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_output_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) top_p: Option<f64>,
    /// `{effort, summary, …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reasoning: Option<Fields>,
    /// `{format, verbosity, …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<Fields>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) safety_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt_cache_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Fields>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stream: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// `input`: a plain string (one user message) or a list of items.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Input {
    Text(String),
    Items(Vec<Value>),
}

/// A `message` item (`type` optional); `extra` holds `type`, `status` and unknown members.
#[derive(Debug, Deserialize)]
pub(crate) struct MessageItem {
    pub(crate) role: String,
    pub(crate) content: Content,
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// Message content: a plain string or a list of parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Content {
    Text(String),
    Parts(Vec<Value>),
}

/// An `input_text` / `output_text` part; `extra` holds `annotations`, `logprobs`, ….
#[derive(Debug, Deserialize)]
pub(crate) struct TextPart {
    pub(crate) text: String,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A `refusal` part (one with more members is kept whole as a native part).
#[derive(Debug, Deserialize)]
pub(crate) struct RefusalPart {
    pub(crate) refusal: String,
}

/// An `input_image` part: a URL (http or `data:`) or an uploaded file.
#[derive(Debug, Deserialize)]
pub(crate) struct ImagePart {
    #[serde(default)]
    pub(crate) image_url: Option<String>,
    #[serde(default)]
    pub(crate) file_id: Option<String>,
    #[serde(default)]
    pub(crate) detail: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// An `input_file` part: inline data (a `data:` URL or raw base64), an uploaded file or a URL.
#[derive(Debug, Deserialize)]
pub(crate) struct FilePart {
    #[serde(default)]
    pub(crate) file_data: Option<String>,
    #[serde(default)]
    pub(crate) file_id: Option<String>,
    #[serde(default)]
    pub(crate) file_url: Option<String>,
    #[serde(default)]
    pub(crate) filename: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A `function_call` item (input or output); `extra` holds `type`, `status`, ….
#[derive(Debug, Deserialize)]
pub(crate) struct FunctionCallItem {
    pub(crate) call_id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) arguments: String,
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// The `namespace` tool the function belongs to.
    #[serde(default)]
    pub(crate) namespace: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A `function_call_output` item; `output` is a string or a list of input parts.
#[derive(Debug, Deserialize)]
pub(crate) struct FunctionCallOutputItem {
    pub(crate) call_id: String,
    pub(crate) output: Value,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A `reasoning` item.
#[derive(Debug, Deserialize)]
pub(crate) struct ReasoningItem {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) summary: Vec<TextPart>,
    /// Usually `[{type: reasoning_text, text}]`; kept as sent (`null` included) otherwise.
    #[serde(default, deserialize_with = "present")]
    pub(crate) content: Option<Value>,
    #[serde(default)]
    pub(crate) encrypted_content: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A `function` tool.
#[derive(Debug, Deserialize)]
pub(crate) struct FunctionTool {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) parameters: Option<Value>,
    #[serde(default)]
    pub(crate) strict: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// A non-streaming response body.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseBody {
    #[serde(default)]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) model: String,
    #[serde(default)]
    pub(crate) created_at: Option<Value>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) incomplete_details: Option<Value>,
    #[serde(default)]
    pub(crate) output: Vec<Value>,
    #[serde(default)]
    pub(crate) usage: Option<Usage>,
    #[serde(flatten)]
    pub(crate) extra: Fields,
}

/// The `usage` object of a response.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Usage {
    #[serde(default)]
    pub(crate) input_tokens: u64,
    #[serde(default)]
    pub(crate) input_tokens_details: Option<InputTokensDetails>,
    #[serde(default)]
    pub(crate) output_tokens: u64,
    #[serde(default)]
    pub(crate) output_tokens_details: Option<OutputTokensDetails>,
    #[serde(default)]
    pub(crate) total_tokens: u64,
}

/// `usage.input_tokens_details`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct InputTokensDetails {
    #[serde(default)]
    pub(crate) cached_tokens: u64,
}

/// `usage.output_tokens_details`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct OutputTokensDetails {
    #[serde(default)]
    pub(crate) reasoning_tokens: u64,
}

/// Reads a member that may be `null` as `Some(Value::Null)`, so that `null` survives re-encoding.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}
