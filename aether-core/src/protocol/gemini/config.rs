//! `tools`, `toolConfig` and `generationConfig` ↔ the IR's tools, tool choice, sampling, reasoning and
//! response format.
//!
//! Members the IR does not model are kept in the request's [`Extra`](crate::ir::Extra) under the name of
//! the object they came from (`"generationConfig": {"candidateCount": 2}`), and merged back into that
//! object when encoding to Gemini. Schemas are lowered to JSON-schema types for the IR; when the
//! original differs from what the encoder would write (upper-case types, or the OpenAPI `parameters` /
//! `responseSchema` key), the original is kept there too and re-emitted as received.

use serde_json::{Map, Value};

use super::parts::{extra, own, take_object};
use super::schema::{has_upper_types, lower_types};
use super::types::{
    FunctionCallingConfig, FunctionDeclaration, FunctionTools, GenerationConfig, Members, ThinkingConfig,
    Tool, ToolConfig,
};
use crate::WireFormat;
use crate::ir::{self, Effort, FunctionTool, Native, ReasoningConfig, ResponseFormat, Sampling, ToolChoice};

/// Lowers `schema`'s types, first keeping the original under `key` in `keep` when `always` or when
/// lowering changes it.
fn normalise(mut schema: Value, key: &str, always: bool, keep: &mut Members) -> Value {
    if always || has_upper_types(&schema) {
        keep.insert(key.to_owned(), schema.clone());
        lower_types(&mut schema);
    }
    schema
}

/// `tools` → IR tools: each function declaration is a function tool, any other entry is native.
pub(crate) fn decode_tools(tools: Vec<Tool>) -> Vec<ir::Tool> {
    let mut out = Vec::with_capacity(tools.len());
    for tool in tools {
        match tool {
            Tool::Functions(group) => {
                out.extend(
                    group.function_declarations.into_iter().map(|d| ir::Tool::Function(declaration(d))),
                );
            }
            Tool::Unknown(value) => out.push(ir::Tool::Native(Native { format: WireFormat::Gemini, value })),
        }
    }
    out
}

fn declaration(decl: FunctionDeclaration) -> FunctionTool {
    let FunctionDeclaration { name, description, parameters, parameters_json_schema, extra: mut rest } = decl;
    let parameters = match (parameters, parameters_json_schema) {
        (Some(openapi), None) => Some(normalise(openapi, "parameters", true, &mut rest)),
        (openapi, Some(json)) => {
            if let Some(openapi) = openapi {
                rest.insert("parameters".into(), openapi);
            }
            Some(normalise(json, "parametersJsonSchema", false, &mut rest))
        }
        (None, None) => None,
    };
    FunctionTool { name, description, parameters, strict: None, extra: extra(rest) }
}

/// IR tools → `tools`: consecutive function tools share one `functionDeclarations` entry; other
/// formats' native tools are dropped.
pub(crate) fn encode_tools(tools: Vec<ir::Tool>) -> Vec<Tool> {
    let mut out: Vec<Tool> = Vec::new();
    for tool in tools {
        match tool {
            ir::Tool::Function(function) => {
                let decl = encode_declaration(function);
                match out.last_mut() {
                    Some(Tool::Functions(group)) => group.function_declarations.push(decl),
                    _ => out.push(Tool::Functions(FunctionTools { function_declarations: vec![decl] })),
                }
            }
            ir::Tool::Native(Native { format: WireFormat::Gemini, value }) => out.push(Tool::Unknown(value)),
            ir::Tool::Native(_) => {}
        }
    }
    out
}

fn encode_declaration(function: FunctionTool) -> FunctionDeclaration {
    let rest = own(function.extra);
    let kept = rest.contains_key("parameters") || rest.contains_key("parametersJsonSchema");
    FunctionDeclaration {
        name: function.name,
        description: function.description,
        parameters: None,
        parameters_json_schema: if kept { None } else { function.parameters },
        extra: rest,
    }
}

/// `toolConfig` → tool choice; unmapped members go into `keep["toolConfig"]`.
///
/// `AUTO`, `NONE`, `ANY` and `ANY` with one allowed name map exactly. Any other combination (`VALIDATED`,
/// several allowed names, names with `AUTO`) maps to the nearest choice and keeps `mode` and
/// `allowedFunctionNames` as received, so Gemini re-emits them.
pub(crate) fn decode_tool_config(config: ToolConfig, keep: &mut Members) -> Option<ToolChoice> {
    let ToolConfig { function_calling_config, extra: mut rest } = config;
    let mut choice = None;
    if let Some(fcc) = function_calling_config {
        let FunctionCallingConfig { mode, allowed_function_names: names, extra: mut left } = fcc;
        choice = match (mode.as_deref(), names.as_deref()) {
            (Some("AUTO"), None) => Some(ToolChoice::Auto),
            (Some("NONE"), None) => Some(ToolChoice::None),
            (Some("ANY"), None) => Some(ToolChoice::Required),
            (Some("ANY"), Some([name])) => Some(ToolChoice::Tool(name.clone())),
            (mode, _) => {
                let nearest = match mode {
                    Some("AUTO" | "VALIDATED") => Some(ToolChoice::Auto),
                    Some("ANY") => Some(ToolChoice::Required),
                    Some("NONE") => Some(ToolChoice::None),
                    _ => None,
                };
                if let Some(mode) = mode {
                    left.insert("mode".into(), Value::String(mode.to_owned()));
                }
                if let Some(names) = &names {
                    left.insert("allowedFunctionNames".into(), names.clone().into());
                }
                nearest
            }
        };
        if !left.is_empty() {
            rest.insert("functionCallingConfig".into(), Value::Object(left));
        }
    }
    if !rest.is_empty() {
        keep.insert("toolConfig".into(), Value::Object(rest));
    }
    choice
}

/// Tool choice (and the kept `toolConfig` members) → `toolConfig`.
pub(crate) fn encode_tool_config(
    choice: Option<ToolChoice>,
    kept: &mut Members,
) -> Result<Option<ToolConfig>, serde_json::Error> {
    let mut rest = take_object(kept, "toolConfig");
    let left = take_object(&mut rest, "functionCallingConfig");
    let mut fcc: FunctionCallingConfig = serde_json::from_value(Value::Object(left))?;
    let (mode, names) = match choice {
        None => (None, None),
        Some(ToolChoice::Auto) => (Some("AUTO"), None),
        Some(ToolChoice::None) => (Some("NONE"), None),
        Some(ToolChoice::Required) => (Some("ANY"), None),
        Some(ToolChoice::Tool(name)) => (Some("ANY"), Some(vec![name])),
    };
    if fcc.mode.is_none() {
        fcc.mode = mode.map(str::to_owned);
    }
    if fcc.allowed_function_names.is_none() {
        fcc.allowed_function_names = names;
    }
    let empty = fcc.mode.is_none() && fcc.allowed_function_names.is_none() && fcc.extra.is_empty();
    let function_calling_config = (!empty).then_some(fcc);
    Ok((function_calling_config.is_some() || !rest.is_empty())
        .then_some(ToolConfig { function_calling_config, extra: rest }))
}

/// What `generationConfig` says, in IR terms.
#[derive(Default)]
pub(crate) struct Generation {
    pub(crate) sampling: Sampling,
    pub(crate) max_output_tokens: Option<u64>,
    pub(crate) stop: Vec<String>,
    pub(crate) reasoning: Option<ReasoningConfig>,
    pub(crate) response_format: Option<ResponseFormat>,
}

/// `generationConfig` → IR settings; unmapped members go into `keep["generationConfig"]`.
pub(crate) fn decode_generation(config: GenerationConfig, keep: &mut Members) -> Generation {
    let GenerationConfig {
        stop_sequences,
        response_mime_type,
        response_schema,
        response_json_schema,
        max_output_tokens,
        temperature,
        top_p,
        top_k,
        seed,
        presence_penalty,
        frequency_penalty,
        thinking_config,
        extra: mut rest,
    } = config;
    let sampling = Sampling { temperature, top_p, top_k, presence_penalty, frequency_penalty, seed };
    let response_format =
        response_format(response_mime_type, response_schema, response_json_schema, &mut rest);
    let reasoning = thinking_config.map(|tc| decode_thinking(tc, &mut rest));
    if !rest.is_empty() {
        keep.insert("generationConfig".into(), Value::Object(rest));
    }
    Generation { sampling, max_output_tokens, stop: stop_sequences, reasoning, response_format }
}

fn response_format(
    mime: Option<String>,
    openapi: Option<Value>,
    json: Option<Value>,
    rest: &mut Members,
) -> Option<ResponseFormat> {
    let schema = match (openapi, json) {
        (Some(openapi), None) => Some(normalise(openapi, "responseSchema", true, rest)),
        (openapi, Some(json)) => {
            if let Some(openapi) = openapi {
                rest.insert("responseSchema".into(), openapi);
            }
            Some(normalise(json, "responseJsonSchema", false, rest))
        }
        (None, None) => None,
    };
    let format = match (mime.as_deref(), schema) {
        (Some("application/json"), Some(schema)) => {
            return Some(ResponseFormat::JsonSchema { name: None, description: None, schema, strict: None });
        }
        (_, Some(schema)) => {
            Some(ResponseFormat::JsonSchema { name: None, description: None, schema, strict: None })
        }
        (Some("application/json"), None) => return Some(ResponseFormat::JsonObject),
        (Some("text/plain"), None) => return Some(ResponseFormat::Text),
        (_, None) => None,
    };
    // A MIME type the IR cannot say (`text/x.enum`, or a schema without JSON) is kept as received.
    if let Some(mime) = mime {
        rest.insert("responseMimeType".into(), Value::String(mime));
    }
    format
}

fn decode_thinking(config: ThinkingConfig, rest: &mut Members) -> ReasoningConfig {
    let ThinkingConfig { include_thoughts, thinking_budget, thinking_level, extra: mut left } = config;
    let mut reasoning = ReasoningConfig::default();
    match thinking_budget {
        Some(-1) => reasoning.adaptive = true,
        Some(0) => reasoning.enabled = Some(false),
        Some(budget) => match u64::try_from(budget) {
            Ok(budget) => (reasoning.enabled, reasoning.budget_tokens) = (Some(true), Some(budget)),
            Err(_) => drop(left.insert("thinkingBudget".into(), budget.into())),
        },
        None => {}
    }
    match thinking_level.as_deref().and_then(effort) {
        Some(level) => reasoning.effort = Some(level),
        None => {
            if let Some(level) = thinking_level {
                left.insert("thinkingLevel".into(), Value::String(level));
            }
        }
    }
    match include_thoughts {
        Some(true) => reasoning.summary = Some("auto".into()),
        Some(false) => drop(left.insert("includeThoughts".into(), Value::Bool(false))),
        None => {}
    }
    // An empty object is kept too, so `"thinkingConfig": {}` survives.
    rest.insert("thinkingConfig".into(), Value::Object(left));
    reasoning
}

/// `thinkingLevel` → effort.
fn effort(level: &str) -> Option<Effort> {
    Some(match level {
        "MINIMAL" => Effort::Minimal,
        "LOW" => Effort::Low,
        "MEDIUM" => Effort::Medium,
        "HIGH" => Effort::High,
        _ => return None,
    })
}

/// Effort → `thinkingLevel` (`None` effort has no level: it is `thinkingBudget: 0`).
const fn level(effort: Effort) -> Option<&'static str> {
    match effort {
        Effort::None => None,
        Effort::Minimal => Some("MINIMAL"),
        Effort::Low => Some("LOW"),
        Effort::Medium => Some("MEDIUM"),
        Effort::High | Effort::Max => Some("HIGH"),
    }
}

/// IR settings (and the kept `generationConfig` members) → `generationConfig`.
pub(crate) fn encode_generation(generation: Generation, kept: &mut Members) -> Option<GenerationConfig> {
    let mut rest = take_object(kept, "generationConfig");
    let thinking_left = take_object(&mut rest, "thinkingConfig");
    let had_thinking = generation.reasoning.is_some();
    let thinking_config = generation.reasoning.map(|r| encode_thinking(r, thinking_left));
    let Sampling { temperature, top_p, top_k, presence_penalty, frequency_penalty, seed } =
        generation.sampling;
    let (mime, schema) = match generation.response_format {
        None => (None, None),
        Some(ResponseFormat::Text) => (Some("text/plain"), None),
        Some(ResponseFormat::JsonObject) => (Some("application/json"), None),
        Some(ResponseFormat::JsonSchema { schema, .. }) => (Some("application/json"), Some(schema)),
    };
    // Kept originals win over what the IR would write.
    let kept_schema = rest.contains_key("responseSchema") || rest.contains_key("responseJsonSchema");
    let config = GenerationConfig {
        stop_sequences: generation.stop,
        response_mime_type: mime.filter(|_| !rest.contains_key("responseMimeType")).map(str::to_owned),
        response_schema: None,
        response_json_schema: schema.filter(|_| !kept_schema),
        max_output_tokens: generation.max_output_tokens,
        temperature,
        top_p,
        top_k,
        seed,
        presence_penalty,
        frequency_penalty,
        thinking_config,
        extra: rest,
    };
    let empty = config.stop_sequences.is_empty()
        && config.response_mime_type.is_none()
        && config.response_json_schema.is_none()
        && config.max_output_tokens.is_none()
        && [temperature, top_p, presence_penalty, frequency_penalty].iter().all(Option::is_none)
        && top_k.is_none()
        && seed.is_none()
        && !had_thinking
        && config.extra.is_empty();
    (!empty).then_some(config)
}

fn encode_thinking(reasoning: ReasoningConfig, left: Map<String, Value>) -> ThinkingConfig {
    let thinking_level = reasoning.effort.and_then(level);
    let thinking_budget = match (thinking_level, reasoning.effort) {
        (Some(_), _) => None,
        (None, Some(Effort::None)) => Some(0),
        (None, _) if reasoning.enabled == Some(false) => Some(0),
        (None, _) if reasoning.adaptive => Some(-1),
        (None, _) => reasoning.budget_tokens.and_then(|b| i64::try_from(b).ok()),
    };
    ThinkingConfig {
        include_thoughts: reasoning.summary.map(|_| true),
        thinking_budget,
        thinking_level: thinking_level.map(str::to_owned),
        extra: left,
    }
}
