//! Responses: content, finish reasons and usage, both ways.

use serde_json::{Value, json};

use super::{decode_response, encode_response};
use crate::ir::{Opaque, Part, Reasoning, Response, StopReason, Text, ToolCall};
use crate::{Family, Usage};

fn candidate(parts: Value, reason: &str) -> Value {
    json!({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": reason}]})
}

#[test]
fn text_model_id_and_usage_decode() {
    let ir = decode_response(&json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1000, "cachedContentTokenCount": 800, "candidatesTokenCount": 50,
            "thoughtsTokenCount": 20, "toolUsePromptTokenCount": 5, "totalTokenCount": 1075},
        "modelVersion": "gemini-3.8-flash", "responseId": "abc"}));
    assert_eq!((ir.id.as_str(), ir.model.as_str()), ("abc", "gemini-3.8-flash"));
    assert_eq!(ir.content, vec![Part::Text(Text::new("Hi"))]);
    assert_eq!(ir.stop_reason, Some(StopReason::EndTurn));
    assert_eq!(
        ir.usage,
        Usage { input: 205, cache_read: 800, output: 70, reasoning: 20, ..Usage::default() }
    );
    assert_eq!(ir.usage.total(), 1075);
}

#[test]
fn stop_with_function_calls_is_tool_use() {
    let ir = decode_response(&candidate(json!([{"functionCall": {"name": "f", "args": {}}}]), "STOP"));
    assert_eq!(ir.stop_reason, Some(StopReason::ToolUse));
    assert!(matches!(&ir.content[0], Part::ToolCall(c) if c.id == "call_0" && c.arguments == "{}"));
}

#[test]
fn finish_reasons_map() {
    let reason = |r: &str| decode_response(&candidate(json!([{"text": "x"}]), r)).stop_reason;
    assert_eq!(reason("MAX_TOKENS"), Some(StopReason::MaxTokens));
    for filtered in ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"] {
        assert_eq!(reason(filtered), Some(StopReason::ContentFilter), "{filtered}");
    }
    assert_eq!(reason("MALFORMED_FUNCTION_CALL"), Some(StopReason::Other("MALFORMED_FUNCTION_CALL".into())));
}

#[test]
fn a_blocked_prompt_without_candidates_is_a_content_filter() {
    let ir = decode_response(&json!({"promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}}));
    assert_eq!(ir.stop_reason, Some(StopReason::ContentFilter));
    assert!(ir.content.is_empty());
}

#[test]
fn stop_reasons_encode_to_finish_reasons() {
    let finish = |stop| {
        let ir = Response {
            content: vec![Part::Text(Text::new("x"))],
            stop_reason: Some(stop),
            ..Response::default()
        };
        encode_response(ir)["candidates"][0]["finishReason"].clone()
    };
    for (stop, reason) in [
        (StopReason::EndTurn, "STOP"),
        (StopReason::ToolUse, "STOP"),
        (StopReason::StopSequence, "STOP"),
        (StopReason::Refusal, "STOP"),
        (StopReason::MaxTokens, "MAX_TOKENS"),
        (StopReason::ContextWindowExceeded, "MAX_TOKENS"),
        (StopReason::ContentFilter, "SAFETY"),
        (StopReason::PauseTurn, "OTHER"),
        (StopReason::Other("LANGUAGE".into()), "LANGUAGE"),
    ] {
        assert_eq!(finish(stop), json!(reason));
    }
}

#[test]
fn foreign_responses_encode_with_normalised_usage_and_without_foreign_reasoning() {
    let ir = Response {
        id: "msg_01".into(),
        model: "claude-opus-4-8".into(),
        content: vec![
            Part::Reasoning(Reasoning {
                text: Some("hmm".into()),
                opaque: Some(Opaque { family: Family::Anthropic, value: "EqQB".into() }),
                ..Reasoning::default()
            }),
            Part::ToolCall(ToolCall {
                id: "toolu_1".into(),
                name: "Bash".into(),
                arguments: "{\"c\":1}".into(),
                ..ToolCall::default()
            }),
        ],
        stop_reason: Some(StopReason::ToolUse),
        usage: Usage {
            input: 10,
            cache_read: 100,
            cache_write_5m: 5,
            output: 40,
            reasoning: 15,
            ..Usage::default()
        },
        ..Response::default()
    };
    assert_eq!(
        encode_response(ir),
        json!({"candidates": [{"content": {"role": "model", "parts": [
                {"functionCall": {"id": "toolu_1", "name": "Bash", "args": {"c": 1}}}]},
            "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 115, "cachedContentTokenCount": 100, "candidatesTokenCount": 25,
                "thoughtsTokenCount": 15, "totalTokenCount": 155},
            "modelVersion": "claude-opus-4-8", "responseId": "msg_01"})
    );
}

#[test]
fn only_the_first_candidate_is_translated() {
    let ir = decode_response(&json!({"candidates": [
        {"content": {"role": "model", "parts": [{"text": "one"}]}, "finishReason": "STOP", "index": 0},
        {"content": {"role": "model", "parts": [{"text": "two"}]}, "finishReason": "STOP", "index": 1}]}));
    assert_eq!(ir.content, vec![Part::Text(Text::new("one"))]);
}
