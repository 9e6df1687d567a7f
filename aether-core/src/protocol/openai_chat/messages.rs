//! Messages: roles, content, refusals, tool calls, and tool messages ↔ tool results.
//!
//! Consecutive `tool` messages decode into one IR user message of [`Part::ToolResult`]s (a following real
//! user message stays separate). An IR user message that holds tool results encodes as one `tool` message
//! per result, in order, then a `user` message with the rest of its parts, if any.

use serde_json::{Map, Value};

use super::content::{decode_parts, encode_part, ir_needs_array, shape, text_part};
use super::extra::{keep, own, without};
use super::tools::{decode_call, encode_call, is_native_call};
use super::types::{Content, MESSAGE_KEYS, PartOut, ToolCallOut, WireMessage};
use crate::TranslateError;
use crate::ir::{Media, Message, Part, Role, Source, Text, ToolOutput, ToolResult};

/// A message as read.
pub(crate) type MessageIn = WireMessage<Value, Value>;
/// A message as written.
pub(crate) type MessageOut = WireMessage<PartOut, ToolCallOut>;

/// The marker kept in a message's `extra` for content that came as an array the encoder would otherwise
/// write as a string (one plain text part, or none).
fn array_marker() -> Value {
    Value::Array(Vec::new())
}

/// Decodes `messages`.
pub(crate) fn decode(messages: Vec<MessageIn>) -> Result<Vec<Message>, TranslateError> {
    let mut out: Vec<Message> = Vec::with_capacity(messages.len());
    let mut calls = 0;
    let mut in_tool_run = false;
    for (i, message) in messages.into_iter().enumerate() {
        let path = format!("messages[{i}]");
        let role = match message.role.as_str() {
            "system" => Role::System,
            "developer" => Role::Developer,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => {
                let result = Part::ToolResult(tool_result(message, &path)?);
                match out.last_mut() {
                    Some(last) if in_tool_run => last.content.push(result),
                    _ => out.push(Message { role: Role::User, content: vec![result], ..Message::default() }),
                }
                in_tool_run = true;
                continue;
            }
            other => {
                return Err(TranslateError::invalid(
                    format!("{path}.role"),
                    format!(
                        "unsupported role `{other}` (legacy `function` messages must be sent as `tool` messages)"
                    ),
                ));
            }
        };
        in_tool_run = false;
        out.push(message_of(role, message, &path, &mut calls)?);
    }
    Ok(out)
}

fn message_of(
    role: Role,
    message: MessageIn,
    path: &str,
    calls: &mut usize,
) -> Result<Message, TranslateError> {
    let WireMessage { content, name, refusal, tool_calls, tool_call_id, mut extra, .. } = message;
    let mut parts = decode_content(content, &mut extra, &format!("{path}.content"))?;
    match refusal {
        Some(Some(refusal)) => parts.push(Part::Refusal(refusal)),
        Some(None) => {
            extra.insert("refusal".into(), Value::Null);
        }
        None => {}
    }
    for (j, call) in tool_calls.into_iter().flatten().enumerate() {
        parts.push(decode_call(call, &format!("{path}.tool_calls[{j}]"), *calls)?);
        *calls += 1;
    }
    if let Some(id) = tool_call_id {
        extra.insert("tool_call_id".into(), Value::String(id));
    }
    Ok(Message { role, content: parts, name, extra: keep(extra), id: None })
}

/// Content as parts; an explicit `null` and the array form are remembered in `extra`.
fn decode_content(
    content: Option<Option<Content<Value>>>,
    extra: &mut Map<String, Value>,
    path: &str,
) -> Result<Vec<Part>, TranslateError> {
    Ok(match content {
        None => Vec::new(),
        Some(None) => {
            extra.insert("content".into(), Value::Null);
            Vec::new()
        }
        Some(Some(Content::Text(text))) => vec![Part::Text(Text::new(text))],
        Some(Some(Content::Parts(parts))) => {
            let parts = decode_parts(parts, path)?;
            if !ir_needs_array(&parts) {
                extra.insert("content".into(), array_marker());
            }
            parts
        }
    })
}

fn tool_result(message: MessageIn, path: &str) -> Result<ToolResult, TranslateError> {
    let WireMessage { content, tool_call_id, name, refusal, tool_calls, mut extra, .. } = message;
    let Some(call_id) = tool_call_id else {
        return Err(TranslateError::invalid(
            format!("{path}.tool_call_id"),
            "a tool message needs `tool_call_id`",
        ));
    };
    let parts = decode_content(content, &mut extra, &format!("{path}.content"))?;
    let unmodelled = [("name", name.map(Value::String)), ("refusal", refusal.flatten().map(Value::String))];
    for (key, value) in unmodelled {
        if let Some(value) = value {
            extra.insert(key.into(), value);
        }
    }
    if let Some(calls) = tool_calls {
        extra.insert("tool_calls".into(), Value::Array(calls));
    }
    Ok(ToolResult { call_id, content: ToolOutput::Parts(parts), extra: keep(extra), ..ToolResult::default() })
}

/// Encodes messages.
pub(crate) fn encode(messages: Vec<Message>) -> Result<Vec<MessageOut>, TranslateError> {
    let mut out = Vec::with_capacity(messages.len());
    for (i, message) in messages.into_iter().enumerate() {
        let path = format!("messages[{i}]");
        if message.content.iter().any(|p| matches!(p, Part::ToolResult(_))) {
            encode_with_results(message, &path, &mut out)?;
        } else if let Some(message) = encode_message(message, &path)? {
            out.push(message);
        }
    }
    Ok(out)
}

/// One `tool` message per result, then the media those results held (a tool message takes text only)
/// and the message's other parts as a `user` message.
fn encode_with_results(
    message: Message,
    path: &str,
    out: &mut Vec<MessageOut>,
) -> Result<(), TranslateError> {
    let Message { role, content, name, extra, id } = message;
    if role != Role::User {
        return Err(TranslateError::invalid(path, "tool results must be in a user message"));
    }
    let mut moved = Vec::new();
    let mut rest = Vec::new();
    for (j, part) in content.into_iter().enumerate() {
        match part {
            Part::ToolResult(result) => {
                out.push(encode_result(result, &mut moved, &format!("{path}.content[{j}]"))?);
            }
            part => rest.push(part),
        }
    }
    moved.append(&mut rest);
    if !moved.is_empty() {
        let user = Message { role, content: moved, name, extra, id };
        out.extend(encode_message(user, path)?);
    }
    Ok(())
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::Developer => "developer",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

/// Encodes a message without tool results; `None` when everything in it was dropped.
fn encode_message(message: Message, path: &str) -> Result<Option<MessageOut>, TranslateError> {
    let Message { role, content, name, extra, .. } = message;
    let mut extra = own(extra);
    let content_marker = extra.remove("content");
    let null_refusal = extra.remove("refusal").is_some();
    let tool_call_id = match extra.remove("tool_call_id") {
        Some(Value::String(id)) => Some(id),
        _ => None,
    };
    let had_parts = !content.is_empty();
    let mut parts = Vec::new();
    let mut calls = Vec::new();
    for (j, part) in content.into_iter().enumerate() {
        match part {
            Part::ToolCall(call) => calls.push(encode_call(call)),
            Part::Native(native) if is_native_call(&native) => calls.push(ToolCallOut::Raw(native.value)),
            part => parts.extend(encode_part(part, &format!("{path}.content[{j}]"))?),
        }
    }
    if had_parts && parts.is_empty() && calls.is_empty() {
        return Ok(None);
    }
    let array = matches!(content_marker, Some(Value::Array(_)));
    let (content, refusal) = shape(parts, array);
    let content = match content {
        Some(content) => Some(Some(content)),
        None if content_marker.is_some() => Some(None),
        None if role != Role::Assistant => Some(Some(Content::Text(String::new()))),
        None => None,
    };
    Ok(Some(WireMessage {
        role: role_name(role).to_owned(),
        content,
        name,
        refusal: refusal.map(Some).or(null_refusal.then_some(None)),
        tool_calls: (!calls.is_empty()).then_some(calls),
        tool_call_id,
        extra: without(extra, MESSAGE_KEYS),
    }))
}

/// A `tool` message; its images and file documents are moved to `moved`. The error flag has no
/// equivalent in Chat: the result's text is sent exactly as it is. A JSON result is sent as its JSON text.
fn encode_result(
    result: ToolResult,
    moved: &mut Vec<Part>,
    path: &str,
) -> Result<MessageOut, TranslateError> {
    let mut extra = own(result.extra);
    let array = matches!(extra.remove("content"), Some(Value::Array(_)));
    let mut parts = Vec::new();
    match result.content {
        ToolOutput::Json(value) => parts.push(PartOut::Known(text_part(value.to_string(), Map::new()))),
        ToolOutput::Parts(content) => {
            for (j, part) in content.into_iter().enumerate() {
                match part {
                    Part::Image(_)
                    | Part::Document(Media { source: Source::Base64 { .. } | Source::FileId(_), .. }) => {
                        moved.push(part)
                    }
                    Part::Refusal(text) => parts.push(PartOut::Known(text_part(text, Map::new()))),
                    part => parts.extend(encode_part(part, &format!("{path}.content[{j}]"))?),
                }
            }
        }
    }
    let content = match shape(parts, array) {
        (Some(content), _) => content,
        (None, _) => Content::Text(String::new()),
    };
    let mut extra = without(extra, &["role", "content", "tool_call_id"]);
    let name = match extra.remove("name") {
        Some(Value::String(name)) => Some(name),
        _ => None,
    };
    Ok(WireMessage {
        role: "tool".to_owned(),
        content: Some(Some(content)),
        name,
        refusal: None,
        tool_calls: None,
        tool_call_id: Some(result.call_id),
        extra,
    })
}
