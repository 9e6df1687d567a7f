//! Responses, usage and error bodies.

use serde_json::json;

use super::{decode_response, encode_response};
use crate::ir::{Opaque, Part, Reasoning, Response, StopReason, Text, ToolCall};
use crate::protocol::Codec;
use crate::{ApiError, ErrorKind, Family, Usage};

use super::super::OpenAiChat;

fn body(message: serde_json::Value, finish: &str) -> serde_json::Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-5",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300,
            "prompt_tokens_details": {"cached_tokens": 800}, "completion_tokens_details": {"reasoning_tokens": 200}}})
}

#[test]
fn usage_counts_cached_tokens_inside_prompt_tokens() {
    let ir = decode_response(&body(json!({"role": "assistant", "content": "hi"}), "stop"));
    assert_eq!(
        ir.usage,
        Usage { input: 200, cache_read: 800, output: 300, reasoning: 200, ..Usage::default() }
    );
}

#[test]
fn usage_is_written_with_the_whole_prompt_in_prompt_tokens() {
    let usage =
        Usage { input: 10, cache_read: 20, cache_write_5m: 5, cache_write_1h: 1, output: 7, reasoning: 3 };
    let out = encode_response(Response { usage, ..Response::default() });
    assert_eq!(
        out["usage"],
        json!({"prompt_tokens": 36, "completion_tokens": 7, "total_tokens": 43,
            "prompt_tokens_details": {"cached_tokens": 20}, "completion_tokens_details": {"reasoning_tokens": 3}})
    );
}

#[test]
fn finish_reasons_map_to_stop_reasons() {
    for (wire, reason) in [
        ("stop", StopReason::EndTurn),
        ("length", StopReason::MaxTokens),
        ("tool_calls", StopReason::ToolUse),
        ("content_filter", StopReason::ContentFilter),
        ("function_call", StopReason::Other("function_call".into())),
    ] {
        let ir = decode_response(&body(json!({"role": "assistant", "content": "x"}), wire));
        assert_eq!(ir.stop_reason, Some(reason.clone()));
        assert_eq!(
            encode_response(Response { stop_reason: Some(reason), ..Response::default() })["choices"][0]["finish_reason"],
            json!(wire)
        );
    }
}

#[test]
fn stop_reasons_chat_lacks_become_stop_or_length() {
    for (reason, wire) in [
        (StopReason::StopSequence, "stop"),
        (StopReason::Refusal, "stop"),
        (StopReason::PauseTurn, "stop"),
        (StopReason::ContextWindowExceeded, "length"),
        (StopReason::Other("max_turns".into()), "max_turns"),
    ] {
        let out = encode_response(Response { stop_reason: Some(reason), ..Response::default() });
        assert_eq!(out["choices"][0]["finish_reason"], json!(wire));
    }
}

#[test]
fn tool_calls_and_refusals_decode_in_order() {
    let ir = decode_response(&body(
        json!({"role": "assistant", "content": null, "refusal": "no", "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
        "tool_calls",
    ));
    assert_eq!(ir.content[0], Part::Refusal("no".into()));
    assert!(matches!(&ir.content[1], Part::ToolCall(c) if c.id == "c" && c.name == "f"));
}

#[test]
fn encoding_joins_text_drops_reasoning_and_fills_id_and_created() {
    let ir = Response {
        model: "claude-opus-4-8".into(),
        content: vec![
            Part::Reasoning(Reasoning {
                text: Some("thinking".into()),
                opaque: Some(Opaque { family: Family::Anthropic, value: "sig".into() }),
                ..Reasoning::default()
            }),
            Part::Text(Text::new("Let me check. ")),
            Part::ToolCall(ToolCall {
                id: "toolu_1".into(),
                name: "f".into(),
                arguments: "{}".into(),
                ..ToolCall::default()
            }),
            Part::Text(Text::new("Done.")),
        ],
        stop_reason: Some(StopReason::ToolUse),
        ..Response::default()
    };
    let out = encode_response(ir.clone());
    assert!(out["id"].as_str().is_some_and(|id| id.starts_with("chatcmpl-")));
    assert_eq!(encode_response(ir)["id"], out["id"], "the fallback id is derived from the content");
    assert_eq!(out["created"], 0, "the caller sets `created`; the codec stays pure");
    assert_eq!(out["object"], json!("chat.completion"));
    assert_eq!(
        out["choices"][0]["message"],
        json!({"role": "assistant", "content": "Let me check. Done.", "tool_calls": [
            {"id": "toolu_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
    );
}

#[test]
fn only_the_first_choice_is_translated() {
    let mut wire = body(json!({"role": "assistant", "content": "a"}), "stop");
    wire["choices"]
        .as_array_mut()
        .expect("choices")
        .push(json!({"index": 1, "message": {"role": "assistant", "content": "b"}, "finish_reason": "stop"}));
    let ir = decode_response(&wire);
    assert_eq!(ir.content, [Part::Text(Text::new("a"))]);
    assert_eq!(encode_response(ir), wire);
}

#[test]
fn error_bodies_render_then_parse_to_the_same_kind_and_message() {
    for kind in
        [ErrorKind::InvalidRequest, ErrorKind::Authentication, ErrorKind::RateLimited, ErrorKind::Overloaded]
    {
        let error = ApiError::new(kind, "something went wrong");
        let (status, body) = OpenAiChat.render_error(&error);
        let parsed = OpenAiChat.parse_error(status, &body);
        assert_eq!((parsed.kind, parsed.message.as_str()), (kind, "something went wrong"));
    }
}

#[test]
fn a_foreign_error_body_parses_without_failing() {
    let parsed = OpenAiChat
        .parse_error(529, br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
    assert_eq!(parsed.kind, ErrorKind::Overloaded);
    assert!(parsed.message.contains("Overloaded"));
}
