//! `GenerateContentResponse` ↔ [`ir::Response`] (non-streaming).
//!
//! Only the first candidate is translated. What the IR does not model is kept in the response's extra:
//! `promptFeedback`, `createTime` and other top-level members as they came; `usageMetadata` details
//! (and `toolUsePromptTokenCount`) under `usageMetadata`; and under `candidates` an array whose first
//! item holds the first candidate's unmodelled members (`index`, `safetyRatings`, a content-filter
//! `finishReason` other than `SAFETY`) and whose other items are the other candidates as received.

use serde_json::{Map, Value};

use super::parts::{At, Decoder, Encoder, extra, own, take_object};
use super::types::{Candidate, Content, PromptFeedback, Response};
use super::usage::{from_usage, to_usage};
use crate::TranslateError;
use crate::ir::{self, StopReason};
use crate::protocol::to_json;

/// Reads a non-streaming response body.
pub(crate) fn decode(body: &[u8]) -> Result<ir::Response, TranslateError> {
    let wire: Response = serde_json::from_slice(body)?;
    let mut keep = wire.extra;
    let blocked = wire.prompt_feedback.as_ref().is_some_and(|f| f.block_reason.is_some());
    if let Some(feedback) = wire.prompt_feedback {
        keep.insert("promptFeedback".into(), serde_json::to_value(feedback)?);
    }
    let usage = wire.usage_metadata.map(|meta| {
        let usage = to_usage(&meta);
        let mut left = meta.extra;
        if let Some(tool_use) = meta.tool_use_prompt_token_count {
            left.insert("toolUsePromptTokenCount".into(), tool_use.into());
        }
        if !left.is_empty() {
            keep.insert("usageMetadata".into(), Value::Object(left));
        }
        usage
    });
    let mut candidates = wire.candidates.into_iter();
    let (content, stop_reason) = match candidates.next() {
        Some(first) => candidate(first, candidates.collect(), &mut keep)?,
        None => (Vec::new(), blocked.then_some(StopReason::ContentFilter)),
    };
    Ok(ir::Response {
        id: wire.response_id.unwrap_or_default(),
        model: wire.model_version.unwrap_or_default(),
        content,
        stop_reason,
        usage: usage.unwrap_or_default(),
        extra: extra(keep),
        ..ir::Response::default()
    })
}

type Decoded = (Vec<ir::Part>, Option<StopReason>);

fn candidate(
    first: Candidate,
    others: Vec<Candidate>,
    keep: &mut Map<String, Value>,
) -> Result<Decoded, TranslateError> {
    let Candidate { content, finish_reason, extra: mut left } = first;
    let mut decoder = Decoder::default();
    let mut parts = Vec::new();
    if let Some(Content { parts: wire_parts, extra: content_left, .. }) = content {
        let at = |part| At { list: "candidates", index: Some(0), inner: ".content", part };
        for (j, part) in wire_parts.into_iter().enumerate() {
            parts.push(decoder.part(part, at(j))?);
        }
        if !content_left.is_empty() {
            left.insert("content".into(), Value::Object(content_left));
        }
    }
    let calls = parts.iter().any(|p| matches!(p, ir::Part::ToolCall(_)));
    let stop = finish_reason.map(|reason| {
        let stop = stop_reason(&reason, calls);
        if stop == StopReason::ContentFilter && reason != "SAFETY" {
            left.insert("finishReason".into(), Value::String(reason));
        }
        stop
    });
    if !left.is_empty() || !others.is_empty() {
        let mut list = Vec::with_capacity(1 + others.len());
        list.push(Value::Object(left));
        for other in others {
            list.push(serde_json::to_value(other)?);
        }
        keep.insert("candidates".into(), Value::Array(list));
    }
    Ok((parts, stop))
}

/// `finishReason` → stop reason; Gemini says `STOP` after function calls too.
pub(crate) fn stop_reason(reason: &str, calls: bool) -> StopReason {
    match reason {
        "STOP" if calls => StopReason::ToolUse,
        "STOP" => StopReason::EndTurn,
        "MAX_TOKENS" => StopReason::MaxTokens,
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "IMAGE_RECITATION" => StopReason::ContentFilter,
        other => StopReason::Other(other.to_owned()),
    }
}

/// Stop reason → `finishReason`.
pub(crate) fn finish_reason(stop: StopReason) -> String {
    match stop {
        StopReason::EndTurn | StopReason::ToolUse | StopReason::StopSequence | StopReason::Refusal => {
            "STOP".into()
        }
        StopReason::MaxTokens | StopReason::ContextWindowExceeded => "MAX_TOKENS".into(),
        StopReason::ContentFilter => "SAFETY".into(),
        StopReason::PauseTurn => "OTHER".into(),
        StopReason::Other(reason) => reason,
    }
}

/// Writes a non-streaming response body.
pub(crate) fn encode(response: ir::Response) -> Result<Vec<u8>, TranslateError> {
    let mut keep = own(response.extra);
    let mut kept_candidates = match keep.remove("candidates") {
        Some(Value::Array(list)) => list.into_iter(),
        _ => Vec::new().into_iter(),
    };
    let mut left = match kept_candidates.next() {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut usage_left = take_object(&mut keep, "usageMetadata");
    let prompt_feedback: Option<PromptFeedback> =
        keep.remove("promptFeedback").map(serde_json::from_value).transpose()?;
    let kept_reason = left.remove("finishReason").and_then(|v| v.as_str().map(str::to_owned));
    let blocked_prompt = response.stop_reason == Some(StopReason::ContentFilter)
        && response.content.is_empty()
        && left.is_empty()
        && prompt_feedback.as_ref().is_some_and(|f| f.block_reason.is_some());
    let mut candidates = Vec::new();
    if !blocked_prompt {
        let mut encoder = Encoder::default();
        let mut parts = Vec::with_capacity(response.content.len());
        for (j, part) in response.content.into_iter().enumerate() {
            let at = At { list: "content", index: None, inner: "", part: j };
            parts.extend(encoder.part(part, at)?);
        }
        let content_left = take_object(&mut left, "content");
        let content =
            (!parts.is_empty()).then(|| Content { role: Some("model".into()), parts, extra: content_left });
        let finish_reason = response.stop_reason.map(|stop| match (stop, kept_reason) {
            (StopReason::ContentFilter, Some(kept)) => kept,
            (stop, _) => finish_reason(stop),
        });
        candidates.push(Candidate { content, finish_reason, extra: left });
        for other in kept_candidates {
            candidates.push(serde_json::from_value(other)?);
        }
    }
    let tool_use = usage_left.remove("toolUsePromptTokenCount").and_then(|v| v.as_u64());
    to_json(&Response {
        candidates,
        prompt_feedback,
        usage_metadata: Some(from_usage(&response.usage, tool_use, usage_left)),
        model_version: (!response.model.is_empty()).then_some(response.model),
        response_id: (!response.id.is_empty()).then_some(response.id),
        extra: keep,
    })
}
