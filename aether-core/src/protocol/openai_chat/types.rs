//! Serde wire structs of Chat Completions: the members the gateway reads or translates, typed; every other
//! member kept in an `extra` map, and content parts, tool calls and tools of unknown types kept as raw JSON.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Reads a member that may be absent (`None`), `null` (`Some(None)`) or a value.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A `POST /v1/chat/completions` body. Messages, tools and the choice/format objects are read as JSON
/// and dispatched by `role` / `type` so an error can name its path and an unknown type can be kept.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct ChatRequest<M, T> {
    pub(crate) model: String,
    pub(crate) messages: Vec<M>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tools: Option<Vec<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_choice: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parallel_tool_calls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_completion_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) presence_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) frequency_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stop: Option<Stop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reasoning_effort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_format: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt_cache_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stream: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The request members typed above; an encoder never lets `extra` repeat one of them.
pub(crate) const REQUEST_KEYS: &[&str] = &[
    "model",
    "messages",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "stop",
    "reasoning_effort",
    "response_format",
    "user",
    "prompt_cache_key",
    "metadata",
    "stream",
];

/// `stop`: one sequence or several.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Stop {
    One(String),
    Many(Vec<String>),
}

/// A message of any role; which members apply depends on the role.
#[derive(Debug, Deserialize, Serialize)]
#[serde(bound(deserialize = "P: Deserialize<'de>, C: Deserialize<'de>"))]
pub(crate) struct WireMessage<P, C> {
    pub(crate) role: String,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub(crate) content: Option<Option<Content<P>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub(crate) refusal: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_calls: Option<Vec<C>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_call_id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The message members typed above.
pub(crate) const MESSAGE_KEYS: &[&str] =
    &["role", "content", "name", "refusal", "tool_calls", "tool_call_id"];

/// Message content: a string or an array of parts.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Content<P> {
    Text(String),
    Parts(Vec<P>),
}

/// A content part of a known type.
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum KnownPart {
    Text(TextPart),
    ImageUrl(ImagePart),
    File(FilePart),
    Refusal(RefusalPart),
}

/// A part as written: a known one, or one kept as received.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum PartOut {
    Known(KnownPart),
    Raw(Value),
}

/// `{"type": "text", "text"}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct TextPart {
    pub(crate) text: String,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `{"type": "image_url", "image_url": {"url", "detail"}}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ImagePart {
    pub(crate) image_url: ImageUrl,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The `image_url` object: an `http(s)` or `data:` URL.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ImageUrl {
    pub(crate) url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) detail: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `{"type": "file", "file": {"file_id" | "file_data", "filename"}}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct FilePart {
    pub(crate) file: FileRef,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The `file` object: an uploaded file's id or inline data as a `data:` URL.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct FileRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) filename: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `{"type": "refusal", "refusal"}` (assistant messages).
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct RefusalPart {
    pub(crate) refusal: String,
}

/// A function tool call, `{"id", "type": "function", "function": {"name", "arguments"}}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct WireToolCall {
    #[serde(default)]
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) function: FunctionCall,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The `function` object of a tool call.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct FunctionCall {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) arguments: String,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A tool call as written: a function call, or a call of another type kept as received.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ToolCallOut {
    Function(WireToolCall),
    Raw(Value),
}

/// A function tool, `{"type": "function", "function": {"name", "description", "parameters", "strict"}}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct WireTool {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) function: FunctionDef,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The `function` object of a tool.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct FunctionDef {
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) strict: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A tool as written: a function, or a tool of another type kept as received.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ToolOut {
    Function(Box<WireTool>),
    Raw(Value),
}

/// `response_format` of type `json_schema`: its `json_schema` object.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct JsonSchema {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) strict: Option<bool>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The response members typed above.
pub(crate) const RESPONSE_KEYS: &[&str] = &["id", "object", "created", "model", "choices", "usage"];

/// A non-streaming `chat.completion` object.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct ChatResponse<C> {
    #[serde(default)]
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<i64>,
    #[serde(default)]
    pub(crate) model: String,
    #[serde(default)]
    pub(crate) choices: Vec<C>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) usage: Option<WireUsage>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// The choice members typed above.
pub(crate) const CHOICE_KEYS: &[&str] = &["index", "message", "finish_reason"];

/// One choice of a response.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Choice<C> {
    #[serde(default)]
    pub(crate) index: u32,
    #[serde(default)]
    pub(crate) message: ResponseMessage<C>,
    #[serde(default)]
    pub(crate) finish_reason: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A choice as written: the translated first one, or a further one kept as received.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ChoiceOut {
    Translated(Choice<ToolCallOut>),
    Raw(Value),
}

/// The response message members typed above.
pub(crate) const RESPONSE_MESSAGE_KEYS: &[&str] = &["role", "content", "refusal", "tool_calls"];

/// The assistant message of a choice.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct ResponseMessage<C> {
    #[serde(default)]
    pub(crate) role: String,
    #[serde(default)]
    pub(crate) content: Option<String>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub(crate) refusal: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_calls: Option<Vec<C>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `usage` of a response.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct WireUsage {
    #[serde(default)]
    pub(crate) prompt_tokens: u64,
    #[serde(default)]
    pub(crate) completion_tokens: u64,
    #[serde(default)]
    pub(crate) total_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt_tokens_details: Option<PromptDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) completion_tokens_details: Option<CompletionDetails>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct PromptDetails {
    #[serde(default)]
    pub(crate) cached_tokens: u64,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `usage.completion_tokens_details`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct CompletionDetails {
    #[serde(default)]
    pub(crate) reasoning_tokens: u64,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}
