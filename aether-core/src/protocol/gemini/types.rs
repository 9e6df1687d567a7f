//! Serde wire structs of the Gemini API (`generateContent` request and response, error body).
//!
//! Every object that can grow keeps its unknown members in a flattened `extra` map, so decode → encode
//! re-emits what came in. A [`Part`] carries its data as optional members (the API's `oneof data`);
//! [`Part::into_data`] turns it into the typed-or-unknown [`PartData`].

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A JSON object's unknown members.
pub(crate) type Members = Map<String, Value>;

/// `GenerateContentRequest` (the model and streaming mode live in the URL).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Request {
    #[serde(default)]
    pub(crate) contents: Vec<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) system_instruction: Option<Content>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tools: Vec<Tool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_config: Option<ToolConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) generation_config: Option<GenerationConfig>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `Content`: one turn (`role` is `user` or `model`; absent means `user`).
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Content {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) role: Option<String>,
    #[serde(default)]
    pub(crate) parts: Vec<Part>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `Part`: one data member (`text`, `inlineData`, …) plus metadata (`thought`, `thoughtSignature`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Part {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thought: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thought_signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inline_data: Option<Blob>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file_data: Option<FileData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function_call: Option<FunctionCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function_response: Option<FunctionResponse>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// Members of a part that are data of a kind the IR does not model: such a part stays native.
const NATIVE_MEMBERS: [&str; 5] =
    ["executableCode", "codeExecutionResult", "videoMetadata", "toolCall", "toolResponse"];

/// What a [`Part`] holds, typed when the IR models it.
pub(crate) enum PartData {
    /// `text` (a thought when `thought` is true).
    Text { text: String, thought: Option<bool>, signature: Option<String>, extra: Members },
    /// `inlineData`.
    Inline { blob: Blob, extra: Members },
    /// `fileData`.
    File { file: FileData, extra: Members },
    /// `functionCall`.
    Call { call: FunctionCall, signature: Option<String>, extra: Members },
    /// `functionResponse`.
    Response { response: FunctionResponse, extra: Members },
    /// Anything else (`executableCode`, `videoMetadata`, a new kind): the part as received.
    Unknown(Box<Part>),
}

impl Part {
    /// Classifies the part: exactly one modelled data member and nothing native → typed.
    pub(crate) fn into_data(self) -> PartData {
        let data_members = [
            self.text.is_some(),
            self.inline_data.is_some(),
            self.file_data.is_some(),
            self.function_call.is_some(),
            self.function_response.is_some(),
        ];
        let native = NATIVE_MEMBERS.iter().any(|key| self.extra.contains_key(*key));
        if native || data_members.iter().filter(|set| **set).count() != 1 {
            return PartData::Unknown(Box::new(self));
        }
        let Part {
            text,
            thought,
            thought_signature,
            inline_data,
            file_data,
            function_call,
            function_response,
            mut extra,
        } = self;
        if let Some(text) = text {
            return PartData::Text { text, thought, signature: thought_signature, extra };
        }
        if let Some(thought) = thought {
            extra.insert("thought".into(), Value::Bool(thought));
        }
        if let Some(call) = function_call {
            return PartData::Call { call, signature: thought_signature, extra };
        }
        if let Some(signature) = thought_signature {
            extra.insert("thoughtSignature".into(), Value::String(signature));
        }
        match (inline_data, file_data, function_response) {
            (Some(blob), _, _) => PartData::Inline { blob, extra },
            (_, Some(file), _) => PartData::File { file, extra },
            (_, _, Some(response)) => PartData::Response { response, extra },
            // Unreachable by the count above; kept total rather than panicking.
            (None, None, None) => PartData::Unknown(Box::new(Part { extra, ..Part::default() })),
        }
    }
}

/// `Blob` (`inlineData`): base64 bytes and their MIME type.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Blob {
    pub(crate) mime_type: String,
    pub(crate) data: String,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `FileData`: a file URI (Files API, Cloud Storage, a web URL).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mime_type: Option<String>,
    pub(crate) file_uri: String,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `FunctionCall`: `args` is a JSON object.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct FunctionCall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Value>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `FunctionResponse`: `response` is a JSON object; `parts` may carry media (Gemini 3).
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct FunctionResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) parts: Vec<FunctionResponsePart>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `FunctionResponsePart`: media returned by a function.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionResponsePart {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inline_data: Option<Blob>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// One entry of `tools`: function declarations, or a built-in (`googleSearch`, `codeExecution`, …).
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum Tool {
    /// `{"functionDeclarations": [...]}` and nothing else.
    Functions(FunctionTools),
    /// Any other tool entry, as received.
    Unknown(Value),
}

/// `{"functionDeclarations": [...]}`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FunctionTools {
    pub(crate) function_declarations: Vec<FunctionDeclaration>,
}

/// `FunctionDeclaration`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionDeclaration {
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// An OpenAPI `Schema` (upper-case `type`s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parameters: Option<Value>,
    /// A JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) parameters_json_schema: Option<Value>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `ToolConfig`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ToolConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function_calling_config: Option<FunctionCallingConfig>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `FunctionCallingConfig`: `mode` is `AUTO`, `ANY`, `NONE` or `VALIDATED`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionCallingConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) allowed_function_names: Option<Vec<String>>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `GenerationConfig` (the members the IR models; the rest stay in `extra`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerationConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) stop_sequences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_json_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_output_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub(crate) temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub(crate) top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) top_k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub(crate) presence_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub(crate) frequency_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_config: Option<ThinkingConfig>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `ThinkingConfig`: `thinkingBudget` (-1 dynamic, 0 off) or `thinkingLevel` (Gemini 3).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThinkingConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) include_thoughts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_budget: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_level: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// Writes a float the way JavaScript clients do: integral values as integers (`1`, not `1.0`).
fn number<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        // The cast is exact: the value is integral and well inside i64's range.
        #[allow(clippy::cast_possible_truncation)]
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => serializer.serialize_i64(*v as i64),
        Some(v) => serializer.serialize_f64(*v),
        None => serializer.serialize_none(),
    }
}

/// `GenerateContentResponse`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Response {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) candidates: Vec<Candidate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt_feedback: Option<PromptFeedback>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) usage_metadata: Option<UsageMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) model_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response_id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `Candidate` (`safetyRatings`, `citationMetadata`, `index`, … stay in `extra`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) content: Option<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) finish_reason: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `PromptFeedback`: set when the prompt itself was blocked.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromptFeedback {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) block_reason: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// `UsageMetadata` (the counters the gateway reads; details stay in `extra`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prompt_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cached_content_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) candidates_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tool_use_prompt_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thoughts_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) total_token_count: Option<u64>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}

/// The error envelope: `{"error": {"code", "message", "status", "details"}}`.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ErrorEnvelope {
    pub(crate) error: ErrorBody,
}

/// The error object (a `google.rpc.Status` in JSON).
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<u16>,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Members,
}
