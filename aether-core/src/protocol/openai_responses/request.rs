//! Requests: `POST /v1/responses` body ⇄ [`ir::Request`].

use serde_json::{Map, Value};

use super::input::{self, Namespaces};
use super::shape;
use super::tools;
use super::types::{Input, RequestBody};
use crate::TranslateError;
use crate::ir::{self, Effort, Message, Part, ReasoningConfig, ResponseFormat, Role, Text};
use crate::protocol::{PathParams, to_json};

/// Reads a Responses request body.
pub(crate) fn decode(body: &[u8], _path: &PathParams) -> Result<ir::Request, TranslateError> {
    let wire: RequestBody = serde_json::from_slice(body)?;
    let mut extra = wire.extra;
    let mut flags = Vec::new();
    let mut messages = Vec::new();
    if let Some(instructions) = wire.instructions {
        let extra = shape::extra(Map::new(), &[shape::INSTRUCTIONS]);
        messages.push(Message { role: Role::System, extra, ..Message::text(Role::System, instructions) });
    }
    match wire.input {
        Some(Input::Text(text)) => {
            flags.push(shape::INPUT_STRING);
            messages.push(Message::text(Role::User, text));
        }
        Some(Input::Items(items)) if items.is_empty() => {
            extra.insert("input".to_owned(), Value::Array(items));
        }
        Some(Input::Items(items)) => input::decode(items, &mut messages)?,
        None => {}
    }
    let tools = match wire.tools {
        Some(tools) if tools.is_empty() => {
            extra.insert("tools".to_owned(), Value::Array(tools));
            Vec::new()
        }
        Some(tools) => tools::decode(tools)?,
        None => Vec::new(),
    };
    let tool_choice = wire.tool_choice.and_then(|choice| {
        let decoded = tools::decode_choice(&choice);
        if decoded.is_none() {
            extra.insert("tool_choice".to_owned(), choice);
        }
        decoded
    });
    let reasoning = wire.reasoning.map(|fields| decode_reasoning(fields, &mut extra));
    let response_format = wire.text.and_then(|fields| decode_text(fields, &mut extra));
    let user = match (wire.user, wire.safety_identifier) {
        (Some(user), safety) => {
            if let Some(safety) = safety {
                extra.insert("safety_identifier".to_owned(), Value::String(safety));
            }
            Some(user)
        }
        (None, Some(safety)) => {
            flags.push(shape::SAFETY_IDENTIFIER);
            Some(safety)
        }
        (None, None) => None,
    };
    if wire.stream == Some(false) {
        extra.insert("stream".to_owned(), Value::Bool(false));
    }
    Ok(ir::Request {
        model: wire.model,
        stream: wire.stream == Some(true),
        messages,
        tools,
        tool_choice,
        parallel_tool_calls: wire.parallel_tool_calls,
        max_output_tokens: wire.max_output_tokens,
        sampling: ir::Sampling {
            temperature: wire.temperature,
            top_p: wire.top_p,
            ..ir::Sampling::default()
        },
        reasoning,
        response_format,
        user,
        cache_key: wire.prompt_cache_key,
        metadata: wire.metadata,
        extra: shape::extra(extra, &flags),
        ..ir::Request::default()
    })
}

/// `reasoning.effort` / `summary` into the IR; the other members stay in `extra["reasoning"]`.
fn decode_reasoning(mut fields: Map<String, Value>, extra: &mut Map<String, Value>) -> ReasoningConfig {
    let effort = fields.get("effort").and_then(Value::as_str).and_then(effort_from_wire);
    if effort.is_some() {
        fields.remove("effort");
    }
    let summary = match fields.remove("summary") {
        Some(Value::String(summary)) => Some(summary),
        Some(other) => {
            fields.insert("summary".to_owned(), other);
            None
        }
        None => None,
    };
    extra.insert("reasoning".to_owned(), Value::Object(fields));
    ReasoningConfig {
        enabled: (effort == Some(Effort::None)).then_some(false),
        effort,
        summary,
        ..ReasoningConfig::default()
    }
}

fn effort_from_wire(effort: &str) -> Option<Effort> {
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

const fn effort_to_wire(effort: Effort) -> &'static str {
    match effort {
        Effort::None => "none",
        Effort::Minimal => "minimal",
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
        Effort::Max => "xhigh",
    }
}

/// A token budget from another format as an effort: `0` → none, up to 2,048 → low, up to 16,384 →
/// medium, more → high.
const fn effort_for_budget(budget: u64) -> Effort {
    match budget {
        0 => Effort::None,
        1..=2048 => Effort::Low,
        2049..=16384 => Effort::Medium,
        _ => Effort::High,
    }
}

/// `text.format` into the IR; the other members (`verbosity`, …) stay in `extra["text"]`.
fn decode_text(mut fields: Map<String, Value>, extra: &mut Map<String, Value>) -> Option<ResponseFormat> {
    let format = fields.get("format").and_then(decode_format);
    if format.is_some() {
        fields.remove("format");
    }
    extra.insert("text".to_owned(), Value::Object(fields));
    format
}

fn decode_format(format: &Value) -> Option<ResponseFormat> {
    let object = format.as_object()?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    match object.get("type")?.as_str()? {
        "text" if object.len() == 1 => Some(ResponseFormat::Text),
        "json_object" if object.len() == 1 => Some(ResponseFormat::JsonObject),
        "json_schema" => {
            let known = ["type", "name", "description", "schema", "strict"];
            if !object.keys().all(|key| known.contains(&key.as_str())) {
                return None;
            }
            let strict = match object.get("strict") {
                None => None,
                Some(strict) => Some(strict.as_bool()?),
            };
            Some(ResponseFormat::JsonSchema {
                name: text("name"),
                description: text("description"),
                schema: object.get("schema")?.clone(),
                strict,
            })
        }
        _ => None,
    }
}

fn encode_format(format: ResponseFormat) -> Value {
    let mut object = Map::new();
    match format {
        ResponseFormat::Text => {
            object.insert("type".to_owned(), Value::from("text"));
        }
        ResponseFormat::JsonObject => {
            object.insert("type".to_owned(), Value::from("json_object"));
        }
        ResponseFormat::JsonSchema { name, description, schema, strict } => {
            object.insert("type".to_owned(), Value::from("json_schema"));
            // OpenAI requires a name.
            object.insert("name".to_owned(), Value::String(name.unwrap_or_else(|| "response".to_owned())));
            if let Some(description) = description {
                object.insert("description".to_owned(), Value::String(description));
            }
            object.insert("schema".to_owned(), schema);
            if let Some(strict) = strict {
                object.insert("strict".to_owned(), Value::Bool(strict));
            }
        }
    }
    Value::Object(object)
}

/// Writes a Responses request body.
pub(crate) fn encode(request: ir::Request) -> Result<Vec<u8>, TranslateError> {
    let input_string = shape::has(&request.extra, shape::INPUT_STRING);
    let safety = shape::has(&request.extra, shape::SAFETY_IDENTIFIER);
    let mut extra = shape::own(request.extra);
    let namespaces: Namespaces = tools::namespaced_names(&request.tools);
    let mut messages = request.messages;
    let instructions = take_instructions(&mut messages);
    let input = encode_input(messages, input_string, &namespaces)?;
    let tools = tools::encode(request.tools);
    let (user, safety_identifier) = if safety { (None, request.user) } else { (request.user, None) };
    let body = RequestBody {
        model: request.model,
        instructions,
        input,
        tools: (!tools.is_empty()).then_some(tools),
        tool_choice: request.tool_choice.map(tools::encode_choice),
        parallel_tool_calls: request.parallel_tool_calls,
        max_output_tokens: request.max_output_tokens,
        temperature: request.sampling.temperature,
        top_p: request.sampling.top_p,
        reasoning: encode_reasoning(request.reasoning, extra.remove("reasoning")),
        text: encode_text(request.response_format, extra.remove("text")),
        user,
        safety_identifier,
        prompt_cache_key: request.cache_key,
        metadata: request.metadata,
        stream: request.stream.then_some(true),
        extra: Map::new(),
    };
    let Value::Object(mut object) = serde_json::to_value(&body)? else {
        return Err(TranslateError::invalid("", "the request did not serialise to an object"));
    };
    shape::merge(&mut object, extra);
    to_json(&object)
}

/// The leading system message that came from `instructions`, as text.
fn take_instructions(messages: &mut Vec<Message>) -> Option<String> {
    let first = messages.first()?;
    let text_only = first.content.iter().all(|part| matches!(part, Part::Text(_)));
    if !(shape::has(&first.extra, shape::INSTRUCTIONS) && first.role.is_instruction() && text_only) {
        return None;
    }
    let text = messages.remove(0).content.into_iter().filter_map(|part| match part {
        Part::Text(Text { text, .. }) => Some(text),
        _ => None,
    });
    Some(text.collect())
}

fn encode_input(
    messages: Vec<Message>,
    input_string: bool,
    namespaces: &Namespaces,
) -> Result<Option<Input>, TranslateError> {
    if input_string
        && let [Message { role: Role::User, content, id: None, .. }] = messages.as_slice()
        && let [Part::Text(text)] = content.as_slice()
        && shape::own(text.extra.clone()).is_empty()
    {
        return Ok(Some(Input::Text(text.text.clone())));
    }
    if messages.is_empty() {
        return Ok(None);
    }
    Ok(Some(Input::Items(input::encode(messages, namespaces)?)))
}

/// The `reasoning` object: the client's own members (same format) plus effort and summary. A config
/// from another format with nothing to say (adaptive, or reasoning switched off without an effort)
/// sends no `reasoning` at all, because non-reasoning models reject the field.
fn encode_reasoning(config: Option<ReasoningConfig>, rest: Option<Value>) -> Option<Map<String, Value>> {
    let (mut object, own) = match rest {
        Some(Value::Object(rest)) => (rest, true),
        _ => (Map::new(), false),
    };
    if let Some(config) = config {
        let effort = config.effort.or_else(|| config.budget_tokens.map(effort_for_budget));
        if let Some(effort) = effort {
            object.insert("effort".to_owned(), Value::from(effort_to_wire(effort)));
        }
        if let Some(summary) = config.summary {
            object.insert("summary".to_owned(), Value::String(summary));
        }
    }
    (own || !object.is_empty()).then_some(object)
}

fn encode_text(format: Option<ResponseFormat>, rest: Option<Value>) -> Option<Map<String, Value>> {
    let mut object = match rest {
        Some(Value::Object(rest)) => Some(rest),
        _ => None,
    };
    if let Some(format) = format {
        object.get_or_insert_with(Map::new).insert("format".to_owned(), encode_format(format));
    }
    object
}
