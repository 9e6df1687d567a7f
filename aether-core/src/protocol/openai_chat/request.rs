//! `POST /v1/chat/completions` request bodies ↔ [`ir::Request`].

use serde_json::{Map, Value};

use super::extra::{keep, nest, own, take_object, without};
use super::messages::{self, MessageIn};
use super::tools::{decode_choice, decode_tools, encode_choice, encode_tools};
use super::types::{ChatRequest, JsonSchema, REQUEST_KEYS, Stop};
use crate::TranslateError;
use crate::ir::{self, Effort, ReasoningConfig, ResponseFormat, Sampling};
use crate::protocol::{PathParams, to_json};

/// Reads a Chat Completions request.
pub(crate) fn decode(body: &[u8], _path: &PathParams) -> Result<ir::Request, TranslateError> {
    let wire: ChatRequest<MessageIn, Value> = serde_json::from_slice(body)?;
    let mut extra = wire.extra;
    let tool_choice = wire
        .tool_choice
        .and_then(|v| decode_choice(v).map_err(|v| keep_as(&mut extra, "tool_choice", v)).ok());
    if let (None, Some(max)) = (wire.max_completion_tokens, wire.max_tokens) {
        extra.insert("max_tokens".into(), max.into());
    }
    let stop = match wire.stop {
        Some(Stop::One(stop)) => {
            extra.insert("stop".into(), Value::String(stop.clone()));
            vec![stop]
        }
        Some(Stop::Many(stops)) => stops,
        None => Vec::new(),
    };
    let reasoning = wire.reasoning_effort.and_then(|effort| match decode_effort(&effort) {
        Some(effort) => Some(ReasoningConfig { effort: Some(effort), ..ReasoningConfig::default() }),
        None => {
            extra.insert("reasoning_effort".into(), Value::String(effort));
            None
        }
    });
    let response_format = wire.response_format.and_then(|v| decode_format(v, &mut extra));
    let user =
        wire.user.or_else(|| extra.get("safety_identifier").and_then(Value::as_str).map(str::to_owned));
    if wire.stream == Some(false) {
        extra.insert("stream".into(), Value::Bool(false));
    }
    Ok(ir::Request {
        model: wire.model,
        stream: wire.stream.unwrap_or(false),
        messages: messages::decode(wire.messages)?,
        tools: wire.tools.map(decode_tools).transpose()?.unwrap_or_default(),
        tool_choice,
        parallel_tool_calls: wire.parallel_tool_calls,
        max_output_tokens: wire.max_completion_tokens.or(wire.max_tokens),
        sampling: Sampling {
            temperature: wire.temperature,
            top_p: wire.top_p,
            presence_penalty: wire.presence_penalty,
            frequency_penalty: wire.frequency_penalty,
            seed: wire.seed,
            ..Sampling::default()
        },
        stop,
        reasoning,
        response_format,
        user,
        cache_key: wire.prompt_cache_key,
        metadata: wire.metadata,
        extra: keep(extra),
    })
}

fn keep_as(extra: &mut Map<String, Value>, key: &str, value: Value) {
    extra.insert(key.to_owned(), value);
}

/// Writes a Chat Completions request.
pub(crate) fn encode(request: ir::Request) -> Result<Vec<u8>, TranslateError> {
    let mut extra = own(request.extra);
    let legacy_max = extra.remove("max_tokens").is_some();
    let stop_string = matches!(extra.remove("stop"), Some(Value::String(_)));
    let raw_choice = extra.remove("tool_choice");
    let raw_effort = extra.remove("reasoning_effort");
    let format_extra = take_object(&mut extra, "response_format");
    let user_is_safety_id = request.user.is_some()
        && extra.get("safety_identifier").and_then(Value::as_str) == request.user.as_deref();
    let (raw_format, format_extra) = match request.response_format {
        Some(_) => (None, format_extra),
        None if format_extra.is_empty() => (None, format_extra),
        None => (Some(Value::Object(format_extra)), Map::new()),
    };
    let stream = if request.stream { Some(true) } else { extra.remove("stream").and_then(|v| v.as_bool()) };
    let tools = encode_tools(request.tools);
    let mut stop = request.stop;
    let wire = ChatRequest {
        model: request.model,
        messages: messages::encode(request.messages)?,
        tools: (!tools.is_empty()).then_some(tools),
        tool_choice: request.tool_choice.map(encode_choice).or(raw_choice),
        parallel_tool_calls: request.parallel_tool_calls,
        max_completion_tokens: request.max_output_tokens.filter(|_| !legacy_max),
        max_tokens: request.max_output_tokens.filter(|_| legacy_max),
        temperature: request.sampling.temperature,
        top_p: request.sampling.top_p,
        presence_penalty: request.sampling.presence_penalty,
        frequency_penalty: request.sampling.frequency_penalty,
        seed: request.sampling.seed,
        stop: match stop.len() {
            0 => None,
            1 if stop_string => stop.pop().map(Stop::One),
            _ => Some(Stop::Many(stop)),
        },
        reasoning_effort: request.reasoning.as_ref().and_then(encode_effort).map(str::to_owned).or_else(
            || {
                raw_effort.and_then(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
            },
        ),
        response_format: request.response_format.map(|f| encode_format(f, format_extra)).or(raw_format),
        user: request.user.filter(|_| !user_is_safety_id),
        prompt_cache_key: request.cache_key,
        metadata: request.metadata,
        stream,
        extra: without(extra, REQUEST_KEYS),
    };
    to_json(&wire)
}

fn decode_effort(effort: &str) -> Option<Effort> {
    Some(match effort {
        "none" => Effort::None,
        "minimal" => Effort::Minimal,
        "low" => Effort::Low,
        "medium" => Effort::Medium,
        "high" => Effort::High,
        "xhigh" => Effort::Max,
        _ => return None,
    })
}

/// `reasoning_effort` for a reasoning config: its effort, else its token budget by
/// [`effort_for_budget`]. Reasoning turned off without an effort, or adaptive, sends nothing (`none`
/// is refused by models before gpt-5.1, and the model's default is the closest safe choice).
fn encode_effort(reasoning: &ReasoningConfig) -> Option<&'static str> {
    let effort = match (reasoning.effort, reasoning.enabled, reasoning.budget_tokens) {
        (Some(effort), _, _) => effort,
        (None, Some(false), _) | (None, _, None) => return None,
        (None, _, Some(budget)) => effort_for_budget(budget)?,
    };
    Some(match effort {
        Effort::None => "none",
        Effort::Minimal => "minimal",
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
        Effort::Max => "xhigh",
    })
}

/// A thinking budget as an effort: 0 sends nothing, under 4,096 tokens is `low`, under 16,384 `medium`,
/// anything larger `high`.
pub(crate) fn effort_for_budget(budget: u64) -> Option<Effort> {
    match budget {
        0 => None,
        1..4_096 => Some(Effort::Low),
        4_096..16_384 => Some(Effort::Medium),
        _ => Some(Effort::High),
    }
}

/// Decodes `response_format`; a format of an unknown type is kept in `extra` whole, and the unknown
/// members of a known one as a partial object.
fn decode_format(value: Value, extra: &mut Map<String, Value>) -> Option<ResponseFormat> {
    let Value::Object(mut obj) = value else {
        keep_as(extra, "response_format", value);
        return None;
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
    let format = match kind.as_str() {
        "text" => ResponseFormat::Text,
        "json_object" => ResponseFormat::JsonObject,
        "json_schema" => match obj.remove("json_schema").map(serde_json::from_value::<JsonSchema>) {
            Some(Ok(schema)) => {
                nest(&mut obj, "json_schema", schema.extra);
                ResponseFormat::JsonSchema {
                    name: schema.name,
                    description: schema.description,
                    schema: schema.schema.unwrap_or(Value::Null),
                    strict: schema.strict,
                }
            }
            _ => {
                keep_as(extra, "response_format", Value::Object(obj));
                return None;
            }
        },
        _ => {
            keep_as(extra, "response_format", Value::Object(obj));
            return None;
        }
    };
    obj.remove("type");
    nest(extra, "response_format", obj);
    Some(format)
}

/// Encodes a response format with its kept unknown members. A schema without a name is named `response`
/// (OpenAI requires one).
fn encode_format(format: ResponseFormat, mut extra: Map<String, Value>) -> Value {
    let kind = match format {
        ResponseFormat::Text => "text",
        ResponseFormat::JsonObject => "json_object",
        ResponseFormat::JsonSchema { name, description, schema, strict } => {
            let inner =
                without(take_object(&mut extra, "json_schema"), &["name", "description", "schema", "strict"]);
            let schema = JsonSchema {
                name: Some(name.unwrap_or_else(|| "response".to_owned())),
                description,
                schema: (!schema.is_null()).then_some(schema),
                strict,
                extra: inner,
            };
            extra.insert("json_schema".into(), serde_json::to_value(schema).unwrap_or(Value::Null));
            "json_schema"
        }
    };
    extra.remove("type");
    let mut out = Map::with_capacity(extra.len() + 1);
    out.insert("type".into(), Value::from(kind));
    out.extend(extra);
    Value::Object(out)
}
