//! The canonical conversation model every translation goes through.
//!
//! A request in any format decodes into a [`Request`], and any format encodes from one; formats never meet
//! directly. The IR models what the gateway reads or translates. Everything else a format carries (an
//! unknown field, a new content block type, a built-in tool) is kept in an [`Extra`] or a [`Native`] value
//! tagged with the format it came from: the same format re-emits it byte-for-byte, any other format drops it
//! (see the crate docs for the table of lossy mappings).
//!
//! Conventions every codec follows:
//! - Instructions are messages: a `system` prompt decodes into leading [`Role::System`] messages, and
//!   system/developer messages may also appear mid-conversation.
//! - Tool results are [`Part::ToolResult`] parts of a [`Role::User`] message, in the order given.
//! - A tool call always has an id; a codec whose format may omit it synthesises one (`call_<n>`).
//! - Tool call arguments are JSON text (`"{}"` when empty), exactly as the model produced them.
//!
//! ```
//! use aether_core::ir::{Message, Part, Request, Role};
//!
//! let request = Request {
//!     model: "claude-opus-4-8".into(),
//!     messages: vec![Message::text(Role::User, "Hello")],
//!     ..Request::default()
//! };
//! assert!(matches!(&request.messages[0].content[0], Part::Text(t) if t.text == "Hello"));
//! ```

use serde_json::{Map, Value};

use crate::{Family, Usage, WireFormat};

/// Fields of one wire format that the IR does not model, kept so that the same format can re-emit them.
///
/// Decoders put every JSON member they do not map into `fields` and set `format`; encoders merge
/// [`Extra::fields_for`] their own format back into the object they write and ignore anything else.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra {
    /// The format the fields were read from; `None` when there are none.
    pub format: Option<WireFormat>,
    /// The unmodelled members, in their original order.
    pub fields: Map<String, Value>,
}

impl Extra {
    /// Keeps `fields` as `format`'s own (an empty map gives an empty `Extra`).
    pub fn new(format: WireFormat, fields: Map<String, Value>) -> Self {
        if fields.is_empty() { Extra::default() } else { Extra { format: Some(format), fields } }
    }

    /// The fields to re-emit when encoding into `format`: all of them if they came from it, none otherwise.
    pub fn fields_for(&self, format: WireFormat) -> Option<&Map<String, Value>> {
        (self.format == Some(format) && !self.fields.is_empty()).then_some(&self.fields)
    }
}

/// A whole value of one format that the IR does not model (an unknown content block, input item or tool).
#[derive(Clone, Debug, PartialEq)]
pub struct Native {
    /// The format the value was read from; only that format re-emits it.
    pub format: WireFormat,
    /// The value exactly as received.
    pub value: Value,
}

/// An opaque artefact minted by one provider family (a thinking signature, encrypted reasoning, a Gemini
/// thought signature). It is passed back byte-exact within its family and dropped, never forged, outside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opaque {
    /// The family that minted it.
    pub family: Family,
    /// The artefact exactly as received.
    pub value: String,
}

impl Opaque {
    /// The artefact, if `family` may receive it.
    pub fn for_family(&self, family: Family) -> Option<&str> {
        (self.family == family).then_some(self.value.as_str())
    }
}

/// A request for a model response, in no particular format.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// The requested model name (Gemini carries it in the URL: see [`crate::protocol::PathParams`]).
    pub model: String,
    /// Whether the client asked for a streamed answer.
    pub stream: bool,
    /// The conversation, instructions included, in order.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    pub tools: Vec<Tool>,
    /// How the model must choose among `tools`.
    pub tool_choice: Option<ToolChoice>,
    /// Whether the model may emit several tool calls in one turn (`None`: the upstream's default).
    pub parallel_tool_calls: Option<bool>,
    /// The most tokens the answer may use (reasoning included, where the format counts it so).
    pub max_output_tokens: Option<u64>,
    /// Sampling parameters.
    pub sampling: Sampling,
    /// Sequences that end generation.
    pub stop: Vec<String>,
    /// Reasoning (thinking) settings.
    pub reasoning: Option<ReasoningConfig>,
    /// The shape the answer must take.
    pub response_format: Option<ResponseFormat>,
    /// An end-user identifier (Anthropic `metadata.user_id`, OpenAI `user` / `safety_identifier`).
    pub user: Option<String>,
    /// A prompt-cache routing key (OpenAI `prompt_cache_key`).
    pub cache_key: Option<String>,
    /// Free-form string metadata (OpenAI `metadata`).
    pub metadata: Option<Map<String, Value>>,
    /// Unmodelled top-level fields.
    pub extra: Extra,
}

/// Who said a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Instructions from the operator (Anthropic `system`, OpenAI `system`, Gemini `systemInstruction`).
    System,
    /// Instructions from the developer (OpenAI `developer`); formats without it treat it as `System`.
    Developer,
    /// The user, and tool results sent back to the model.
    #[default]
    User,
    /// The model.
    Assistant,
}

impl Role {
    /// Whether this is an instruction role (system or developer).
    pub const fn is_instruction(self) -> bool {
        matches!(self, Role::System | Role::Developer)
    }
}

/// One turn of the conversation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// What was said, in order.
    pub content: Vec<Part>,
    /// A format's own id for the message (Responses `msg_…` input items).
    pub id: Option<String>,
    /// A participant name (OpenAI Chat `name`).
    pub name: Option<String>,
    /// Unmodelled message fields.
    pub extra: Extra,
}

impl Message {
    /// A message holding one text part.
    pub fn text(role: Role, text: impl Into<String>) -> Self {
        Message { role, content: vec![Part::Text(Text::new(text))], ..Message::default() }
    }
}

/// One piece of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Text.
    Text(Text),
    /// An image.
    Image(Media),
    /// A document (PDF, plain text, …).
    Document(Media),
    /// A refusal by the model (OpenAI `refusal`); formats without it render it as text.
    Refusal(String),
    /// The model's reasoning.
    Reasoning(Reasoning),
    /// A call to a tool, made by the model.
    ToolCall(ToolCall),
    /// The result of a tool call, sent back to the model.
    ToolResult(ToolResult),
    /// A content block or item of one format that the IR does not model.
    Native(Native),
}

/// A text part.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// A Gemini `thoughtSignature` attached to this part.
    pub signature: Option<Opaque>,
    /// Unmodelled fields (Anthropic `cache_control`, `citations`, OpenAI `annotations`, …).
    pub extra: Extra,
}

impl Text {
    /// A plain text part.
    pub fn new(text: impl Into<String>) -> Self {
        Text { text: text.into(), ..Text::default() }
    }
}

/// Where media (an image or a document) comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Inline bytes, base64-encoded.
    Base64 {
        /// The MIME type (`image/png`, `application/pdf`).
        media_type: String,
        /// The base64 text, as received.
        data: String,
    },
    /// A URL the upstream fetches (for Gemini, a file URI).
    Url {
        /// The URL.
        url: String,
        /// The MIME type, when the format says it.
        media_type: Option<String>,
    },
    /// A file uploaded to the provider's file store.
    FileId(String),
    /// Plain text (Anthropic `text` document sources).
    Text(String),
}

/// An image or a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Media {
    /// Where the bytes are.
    pub source: Source,
    /// A file name or title, where the format has one.
    pub name: Option<String>,
    /// OpenAI image `detail` (`low`, `high`, `auto`).
    pub detail: Option<String>,
    /// Unmodelled fields.
    pub extra: Extra,
}

/// Reasoning (thinking) produced by the model, sent back on later turns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reasoning {
    /// A format's own id (Responses `rs_…`).
    pub id: Option<String>,
    /// The reasoning text, where the format shows it (Anthropic `thinking`, Gemini thought text,
    /// Responses `content`).
    pub text: Option<String>,
    /// Summaries of the reasoning (Responses `summary`).
    pub summary: Vec<String>,
    /// The provider's opaque artefact: Anthropic `signature` (or redacted `data`), Responses
    /// `encrypted_content`, Gemini `thoughtSignature`.
    pub opaque: Option<Opaque>,
    /// Anthropic `redacted_thinking`: `opaque` holds its `data`.
    pub redacted: bool,
    /// Unmodelled fields.
    pub extra: Extra,
}

/// A tool call made by the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolCall {
    /// The id tool results refer to (Anthropic `tool_use.id`, OpenAI `call_id`, Gemini `functionCall.id`).
    pub id: String,
    /// The Responses item id (`fc_…`), distinct from the call id there.
    pub item_id: Option<String>,
    /// The tool's name.
    pub name: String,
    /// The arguments, as JSON text (`"{}"` for none).
    pub arguments: String,
    /// A Gemini `thoughtSignature` attached to the call.
    pub signature: Option<Opaque>,
    /// Unmodelled fields.
    pub extra: Extra,
}

/// The result of a tool call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolResult {
    /// The id of the [`ToolCall`] this answers.
    pub call_id: String,
    /// The tool's name, where the format carries it (Gemini `functionResponse.name`).
    pub name: Option<String>,
    /// What the tool returned.
    pub content: ToolOutput,
    /// Whether the tool failed.
    pub is_error: bool,
    /// Unmodelled fields.
    pub extra: Extra,
}

/// What a tool returned.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolOutput {
    /// Content parts: text, images, documents.
    Parts(Vec<Part>),
    /// A JSON value (Gemini `functionResponse.response` that is not a plain `{"output": "…"}`); other
    /// formats receive its JSON text.
    Json(Value),
}

impl Default for ToolOutput {
    fn default() -> Self {
        ToolOutput::Parts(Vec::new())
    }
}

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq)]
pub enum Tool {
    /// A function described by a JSON schema.
    Function(FunctionTool),
    /// A tool of one format with no equivalent elsewhere (a built-in such as `web_search`, a server tool).
    /// Dropped when translating to another format (see the crate docs).
    Native(Native),
}

/// A function tool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionTool {
    /// The name the model calls it by.
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// A JSON schema for the arguments (lower-case JSON-schema types).
    pub parameters: Option<Value>,
    /// OpenAI `strict` schema adherence.
    pub strict: Option<bool>,
    /// Unmodelled fields (Anthropic `cache_control`, …).
    pub extra: Extra,
}

/// How the model must use tools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides.
    Auto,
    /// The model must not call a tool.
    None,
    /// The model must call some tool.
    Required,
    /// The model must call this tool.
    Tool(String),
}

/// Sampling parameters; `None` leaves the upstream's default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sampling {
    /// Temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-k sampling (Anthropic, Gemini).
    pub top_k: Option<u64>,
    /// Presence penalty (OpenAI Chat, Gemini).
    pub presence_penalty: Option<f64>,
    /// Frequency penalty (OpenAI Chat, Gemini).
    pub frequency_penalty: Option<f64>,
    /// Seed (OpenAI Chat, Gemini).
    pub seed: Option<i64>,
}

/// How hard the model should reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effort {
    /// No reasoning at all (OpenAI `none`).
    None,
    /// As little as possible (OpenAI `minimal`, Gemini `MINIMAL`).
    Minimal,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// More than high (OpenAI `xhigh`, Anthropic `max`).
    Max,
}

/// Reasoning (thinking) settings of a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReasoningConfig {
    /// Whether reasoning is on: `Some(false)` turns it off, `None` leaves the model's default.
    pub enabled: Option<bool>,
    /// The model picks its own budget (Anthropic `adaptive`).
    pub adaptive: bool,
    /// A token budget (Anthropic `budget_tokens`, Gemini `thinkingBudget`).
    pub budget_tokens: Option<u64>,
    /// An effort level (OpenAI `reasoning.effort`, Anthropic `output_config.effort`, Gemini `thinkingLevel`).
    pub effort: Option<Effort>,
    /// Whether to return the reasoning or a summary of it (Responses `summary`, Gemini `includeThoughts`):
    /// the format's own value (`auto`, `concise`, `detailed`; `true` for Gemini as `auto`).
    pub summary: Option<String>,
}

/// The shape the answer must take.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON valid against a schema (lower-case JSON-schema types).
    JsonSchema {
        /// The schema's name (OpenAI requires one).
        name: Option<String>,
        /// What the schema is for.
        description: Option<String>,
        /// The schema.
        schema: Value,
        /// Strict adherence (OpenAI).
        strict: Option<bool>,
    },
}

/// A model's answer (non-streaming), in no particular format.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Response {
    /// The upstream's id for the answer.
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// The answer: text, reasoning and tool calls, in order.
    pub content: Vec<Part>,
    /// Why generation stopped.
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that matched, when `stop_reason` is [`StopReason::StopSequence`].
    pub stop_sequence: Option<String>,
    /// Tokens used.
    pub usage: Usage,
    /// Creation time, Unix seconds, where the format reports it.
    pub created: Option<i64>,
    /// Unmodelled top-level fields.
    pub extra: Extra,
}

/// Why the model stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// It finished its turn.
    EndTurn,
    /// It reached the output token limit.
    MaxTokens,
    /// It produced a stop sequence.
    StopSequence,
    /// It called tools and waits for their results.
    ToolUse,
    /// Output was withheld by a safety or content filter.
    ContentFilter,
    /// The model refused.
    Refusal,
    /// A long-running turn was paused (Anthropic `pause_turn`).
    PauseTurn,
    /// The context window was exhausted.
    ContextWindowExceeded,
    /// A reason no other format has, as the upstream spelt it.
    Other(String),
}
