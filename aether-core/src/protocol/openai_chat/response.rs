//! Non-streaming `chat.completion` bodies ↔ [`ir::Response`].
//!
//! Only the first choice is translated. The others (`n` > 1) are kept whole in the response's `extra`
//! (under `choices`, after the first choice's unmodelled members) so Chat re-emits them; other formats
//! drop them.

use serde_json::{Map, Value};

use super::extra::{keep, nest, own, take_object, without};
use super::tools::{decode_call, encode_call, is_native_call};
use super::types::{
    CHOICE_KEYS, ChatResponse, Choice, ChoiceOut, RESPONSE_KEYS, RESPONSE_MESSAGE_KEYS, ResponseMessage,
    ToolCallOut,
};
use super::usage;
use crate::TranslateError;
use crate::ir::{self, Part, StopReason, Text};
use crate::protocol::{content_id, to_json};

/// Reads a `chat.completion` object.
pub(crate) fn decode(body: &[u8]) -> Result<ir::Response, TranslateError> {
    let wire: ChatResponse<Value> = serde_json::from_slice(body)?;
    let mut extra = wire.extra;
    let mut choices = wire.choices.into_iter();
    let (content, stop_reason, first) = match choices.next() {
        Some(choice) => decode_choice(choice)?,
        None => (Vec::new(), None, Map::new()),
    };
    let rest: Vec<Value> = choices.collect();
    if !first.is_empty() || !rest.is_empty() {
        let mut kept = vec![Value::Object(first)];
        kept.extend(rest);
        extra.insert("choices".into(), Value::Array(kept));
    }
    let usage = wire.usage.map(usage::decode).map(|(usage, partial)| {
        nest(&mut extra, "usage", partial);
        usage
    });
    Ok(ir::Response {
        id: wire.id,
        model: wire.model,
        content,
        stop_reason,
        stop_sequence: None,
        usage: usage.unwrap_or_default(),
        created: wire.created,
        extra: keep(extra),
    })
}

type Decoded = (Vec<Part>, Option<StopReason>, Map<String, Value>);

/// The first choice's parts, stop reason, and unmodelled members (the message's under `message`).
fn decode_choice(choice: Value) -> Result<Decoded, TranslateError> {
    let choice: Choice<Value> =
        serde_json::from_value(choice).map_err(|e| TranslateError::invalid("choices[0]", e.to_string()))?;
    let ResponseMessage { content, refusal, tool_calls, mut extra, .. } = choice.message;
    let mut parts = Vec::new();
    if let Some(text) = content {
        parts.push(Part::Text(Text::new(text)));
    }
    match refusal {
        Some(Some(refusal)) => parts.push(Part::Refusal(refusal)),
        Some(None) => {
            extra.insert("refusal".into(), Value::Null);
        }
        None => {}
    }
    for (j, call) in tool_calls.into_iter().flatten().enumerate() {
        parts.push(decode_call(call, &format!("choices[0].message.tool_calls[{j}]"), j)?);
    }
    let mut kept = choice.extra;
    nest(&mut kept, "message", extra);
    Ok((parts, choice.finish_reason.map(decode_stop), kept))
}

fn decode_stop(reason: String) -> StopReason {
    match reason.as_str() {
        "stop" => StopReason::EndTurn,
        "length" => StopReason::MaxTokens,
        "tool_calls" => StopReason::ToolUse,
        "content_filter" => StopReason::ContentFilter,
        _ => StopReason::Other(reason),
    }
}

/// `finish_reason` for a stop reason. Chat cannot say which stop sequence matched, that the model
/// refused (the refusal is in `message.refusal`) or paused: those are `stop`; an exhausted context
/// window is `length`; another format's own reason is passed as spelt.
fn encode_stop(reason: StopReason) -> String {
    match reason {
        StopReason::EndTurn | StopReason::StopSequence | StopReason::Refusal | StopReason::PauseTurn => {
            "stop".into()
        }
        StopReason::MaxTokens | StopReason::ContextWindowExceeded => "length".into(),
        StopReason::ToolUse => "tool_calls".into(),
        StopReason::ContentFilter => "content_filter".into(),
        StopReason::Other(reason) => reason,
    }
}

/// Writes a `chat.completion` object. Text parts are concatenated into `content`, refusals into
/// `refusal`; reasoning, media and other formats' native parts are dropped. A response without an id
/// gets `chatcmpl-…`, one without a creation time gets the current time.
pub(crate) fn encode(response: ir::Response) -> Result<Vec<u8>, TranslateError> {
    let mut extra = own(response.extra);
    let mut choices = match extra.remove("choices") {
        Some(Value::Array(choices)) => choices,
        _ => Vec::new(),
    };
    let mut first = match (!choices.is_empty()).then(|| choices.remove(0)) {
        Some(Value::Object(first)) => first,
        _ => Map::new(),
    };
    let usage_extra = take_object(&mut extra, "usage");
    let message_extra = take_object(&mut first, "message");
    let message = encode_message(response.content, message_extra);
    let choice = Choice {
        index: 0,
        message,
        finish_reason: response.stop_reason.map(encode_stop),
        extra: without(first, CHOICE_KEYS),
    };
    let mut out = vec![ChoiceOut::Translated(choice)];
    out.extend(choices.into_iter().map(ChoiceOut::Raw));
    let wire = ChatResponse {
        id: if response.id.is_empty() { content_id("chatcmpl-", &to_json(&out)?) } else { response.id },
        object: "chat.completion".to_owned(),
        created: Some(response.created.unwrap_or_default()),
        model: response.model,
        choices: out,
        usage: Some(usage::encode(&response.usage, usage_extra)),
        extra: without(extra, RESPONSE_KEYS),
    };
    to_json(&wire)
}

fn encode_message(content: Vec<Part>, mut extra: Map<String, Value>) -> ResponseMessage<ToolCallOut> {
    let null_refusal = extra.remove("refusal").is_some();
    let mut text: Option<String> = None;
    let mut refusal: Option<String> = None;
    let mut calls = Vec::new();
    for part in content {
        match part {
            Part::Text(part) => text.get_or_insert_with(String::new).push_str(&part.text),
            Part::Refusal(part) => refusal.get_or_insert_with(String::new).push_str(&part),
            Part::ToolCall(call) => calls.push(encode_call(call)),
            Part::Native(native) if is_native_call(&native) => {
                calls.push(ToolCallOut::Raw(native.value));
            }
            _ => {}
        }
    }
    ResponseMessage {
        role: "assistant".to_owned(),
        content: text,
        refusal: refusal.map(Some).or(null_refusal.then_some(None)),
        tool_calls: (!calls.is_empty()).then_some(calls),
        extra: without(extra, RESPONSE_MESSAGE_KEYS),
    }
}
