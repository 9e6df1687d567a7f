//! Non-streaming responses: Responses `response` object ⇄ [`ir::Response`].
//!
//! The IR answer is a flat list of parts, so each output text part keeps its `message` item (without
//! `content`) under a private key of its own-format `extra`; the encoder groups consecutive text and
//! refusal parts of one message back into one `message` item. Ids the IR lacks are derived from the
//! response id: `msg_…`, `rs_…`, and `fc_<call id>`.

use serde_json::{Map, Value};

use super::parts::{self, object, parse, type_of};
use super::shape;
use super::tools;
use super::types::{Content, MessageItem, ResponseBody};
use super::usage;
use crate::ir::{self, Native, Part, StopReason};
use crate::protocol::to_json;
use crate::{Family, TranslateError, WireFormat};

const FORMAT: WireFormat = WireFormat::OpenAiResponses;

/// Reads a Responses response body.
pub(crate) fn decode(body: &[u8]) -> Result<ir::Response, TranslateError> {
    let wire: ResponseBody = serde_json::from_slice(body)?;
    let mut extra = wire.extra;
    extra.remove("object");
    let created = match wire.created_at {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(other) => {
            extra.insert("created_at".to_owned(), other);
            None
        }
        None => None,
    };
    let reason = match wire.incomplete_details {
        Some(Value::Object(details)) => details.get("reason").and_then(Value::as_str).map(str::to_owned),
        Some(other) => {
            extra.insert("incomplete_details".to_owned(), other);
            None
        }
        None => None,
    };
    let mut content = Vec::new();
    for (i, item) in wire.output.into_iter().enumerate() {
        decode_item(item, &format!("output[{i}]"), &mut content)?;
    }
    let called = content.iter().any(|part| matches!(part, Part::ToolCall(_)));
    Ok(ir::Response {
        id: wire.id,
        model: wire.model,
        stop_reason: wire.status.map(|status| stop_reason(status, reason, called)),
        content,
        stop_sequence: None,
        usage: wire.usage.as_ref().map(usage::from_wire).unwrap_or_default(),
        created,
        extra: shape::extra(extra, &[]),
    })
}

fn decode_item(item: Value, path: &str, content: &mut Vec<Part>) -> Result<(), TranslateError> {
    match type_of(&item) {
        Some("message") => {
            let message: MessageItem = parse(item, path)?;
            let mut header = message.extra;
            header.insert("role".to_owned(), Value::String(message.role));
            if let Some(id) = message.id {
                header.insert("id".to_owned(), Value::String(id));
            }
            let values = match message.content {
                Content::Parts(values) => values,
                Content::Text(text) => vec![serde_json::json!({"type": "output_text", "text": text})],
            };
            for (j, value) in values.into_iter().enumerate() {
                let mut part = parts::decode_part(value, &format!("{path}.content[{j}]"))?;
                if let Part::Text(text) = &mut part {
                    let mut fields = std::mem::take(&mut text.extra.fields);
                    fields.insert(shape::MESSAGE.to_owned(), Value::Object(header.clone()));
                    text.extra = shape::extra(fields, &[]);
                }
                content.push(part);
            }
        }
        Some("reasoning") => content.push(Part::Reasoning(parts::decode_reasoning(item, path)?)),
        Some("function_call") => content.push(Part::ToolCall(parts::decode_call(item, path)?)),
        _ => content.push(Part::Native(Native { format: FORMAT, value: item })),
    }
    Ok(())
}

/// `status` (+ `incomplete_details.reason`) as a stop reason.
pub(crate) fn stop_reason(status: String, reason: Option<String>, called: bool) -> StopReason {
    match (status.as_str(), reason) {
        ("completed", _) if called => StopReason::ToolUse,
        ("completed", _) => StopReason::EndTurn,
        ("incomplete", Some(reason)) => match reason.as_str() {
            "max_output_tokens" => StopReason::MaxTokens,
            "content_filter" => StopReason::ContentFilter,
            _ => StopReason::Other(reason),
        },
        _ => StopReason::Other(status),
    }
}

/// A stop reason as `status` and `incomplete_details.reason`.
pub(crate) fn status_of(reason: Option<StopReason>) -> (String, Option<String>) {
    let incomplete = |reason: &str| ("incomplete".to_owned(), Some(reason.to_owned()));
    match reason {
        None
        | Some(
            StopReason::EndTurn
            | StopReason::StopSequence
            | StopReason::ToolUse
            | StopReason::Refusal
            | StopReason::PauseTurn,
        ) => ("completed".to_owned(), None),
        Some(StopReason::MaxTokens | StopReason::ContextWindowExceeded) => incomplete("max_output_tokens"),
        Some(StopReason::ContentFilter) => incomplete("content_filter"),
        Some(StopReason::Other(other)) => match other.as_str() {
            "completed" | "failed" | "in_progress" | "cancelled" | "queued" | "incomplete" => (other, None),
            _ => ("incomplete".to_owned(), Some(other)),
        },
    }
}

/// Writes a Responses response body.
pub(crate) fn encode(response: ir::Response) -> Result<Vec<u8>, TranslateError> {
    let id = if response.id.is_empty() {
        format!("resp_{}", response.created.unwrap_or_default())
    } else {
        response.id
    };
    let stem = id.split_once('_').map_or(id.as_str(), |(_, rest)| rest).to_owned();
    let (status, reason) = status_of(response.stop_reason);
    let mut object = object("response");
    object.remove("type");
    object.insert("id".to_owned(), Value::String(id));
    object.insert("object".to_owned(), Value::from("response"));
    object.insert("created_at".to_owned(), Value::from(response.created.unwrap_or_default()));
    object.insert("status".to_owned(), Value::String(status));
    if let Some(reason) = reason {
        object.insert("incomplete_details".to_owned(), serde_json::json!({ "reason": reason }));
    }
    object.insert("model".to_owned(), Value::String(response.model));
    object.insert("output".to_owned(), Value::Array(encode_output(response.content, &stem)?));
    object.insert("usage".to_owned(), serde_json::to_value(usage::to_wire(&response.usage))?);
    shape::merge(&mut object, shape::own(response.extra));
    to_json(&object)
}

/// A `message` item being collected: its header (when known) and content parts.
type OpenMessage = (Option<Map<String, Value>>, Vec<Value>);

/// Writes the answer as output items.
fn encode_output(content: Vec<Part>, stem: &str) -> Result<Vec<Value>, TranslateError> {
    let mut items = Vec::new();
    let mut message: Option<OpenMessage> = None;
    let mut count = 0usize;
    let mut next_id = |prefix: &str| {
        count += 1;
        format!("{prefix}_{stem}{count}")
    };
    for part in content {
        match part {
            Part::Text(_) | Part::Refusal(_) => {
                let header = match &part {
                    Part::Text(text) => message_header(&text.extra),
                    _ => None,
                };
                let same = match (&message, &header) {
                    (Some(_), None) => true,
                    (Some((open, _)), Some(header)) => open.as_ref().is_none_or(|open| open == header),
                    (None, _) => false,
                };
                if !same {
                    items.extend(message.take().map(|m| finish_message(m, &mut next_id)));
                }
                let (open, parts) = message.get_or_insert_with(|| (None, Vec::new()));
                if open.is_none() {
                    *open = header;
                }
                parts.extend(parts::encode_part(part, "output_text")?.map(with_annotations));
            }
            part => {
                items.extend(message.take().map(|m| finish_message(m, &mut next_id)));
                items.extend(encode_item(part, &mut next_id));
            }
        }
    }
    items.extend(message.take().map(|m| finish_message(m, &mut next_id)));
    Ok(items)
}

fn message_header(extra: &ir::Extra) -> Option<Map<String, Value>> {
    extra.fields_for(FORMAT)?.get(shape::MESSAGE)?.as_object().cloned()
}

/// `output_text` parts always carry `annotations` in a response.
fn with_annotations(mut part: Value) -> Value {
    if let Value::Object(object) = &mut part
        && type_of_object(object) == Some("output_text")
    {
        object.entry("annotations").or_insert_with(|| Value::Array(Vec::new()));
    }
    part
}

fn type_of_object(object: &Map<String, Value>) -> Option<&str> {
    object.get("type").and_then(Value::as_str)
}

fn finish_message((header, content): OpenMessage, next_id: &mut impl FnMut(&str) -> String) -> Value {
    let mut object = header.unwrap_or_default();
    object.entry("type").or_insert_with(|| Value::from("message"));
    if !object.contains_key("id") {
        object.insert("id".to_owned(), Value::String(next_id("msg")));
    }
    object.entry("status").or_insert_with(|| Value::from("completed"));
    object.entry("role").or_insert_with(|| Value::from("assistant"));
    object.insert("content".to_owned(), Value::Array(content));
    Value::Object(object)
}

fn encode_item(part: Part, next_id: &mut impl FnMut(&str) -> String) -> Option<Value> {
    match part {
        Part::Reasoning(reasoning) => {
            if reasoning.opaque.as_ref().is_some_and(|opaque| opaque.family != Family::OpenAi) {
                return None;
            }
            let id = reasoning.id.is_none().then(|| next_id("rs"));
            parts::encode_reasoning(reasoning, id)
        }
        Part::ToolCall(call) => {
            let namespace = tools::split_name(&call.name);
            let item_id = format!("fc_{}", call.id);
            let mut item = parts::encode_call(call, namespace, Some(item_id));
            if let Value::Object(object) = &mut item {
                object.entry("status").or_insert_with(|| Value::from("completed"));
            }
            Some(item)
        }
        Part::Native(native) if native.format == FORMAT => Some(native.value),
        // Media, tool results and other formats' blocks have no place in a Responses answer.
        _ => None,
    }
}
