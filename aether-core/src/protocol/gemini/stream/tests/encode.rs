//! Hand-built event sequences encode to exact Gemini chunks.

use serde_json::json;

use super::*;
use crate::{ApiError, ErrorKind};

const ID: &str = "resp-1";
const MODEL: &str = "gemini-3.8-flash";

/// A chunk with one part, as every content chunk is written.
fn chunk(part: Value) -> Value {
    json!({
        "candidates": [{"content": {"parts": [part], "role": "model"}, "index": 0}],
        "modelVersion": MODEL,
        "responseId": ID,
    })
}

/// The final chunk: an empty text part, the finish reason and the usage, if any.
fn last(reason: &str, usage: Option<Value>) -> Value {
    let mut chunk = chunk(json!({"text": ""}));
    chunk["candidates"][0]["finishReason"] = json!(reason);
    if let Some(usage) = usage {
        chunk["usageMetadata"] = usage;
    }
    chunk
}

fn error_chunk(code: u16, message: &str, status: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status}})
}

fn encode_sse(events: &[StreamEvent]) -> Vec<Value> {
    sse_chunks(&encode(Encoder::default(), events))
}

#[test]
fn text_reasoning_and_a_signed_call_become_one_chunk_each_and_a_final_chunk() {
    let events = [
        start(ID, MODEL),
        open(0, thought_block()),
        thought(0, "**Planning**"),
        thought(0, " then acting."),
        opaque(0, Family::Google, "c2lnLXRob3VnaHQ="),
        close(0),
        open(1, Block::Text),
        text(1, "Reading \"Cargo.toml\"\n"),
        close(1),
        open(2, call_block("call_7", "read_file")),
        args(2, r#"{"absolute_path":"#),
        args(2, r#""/a/Cargo.toml"}"#),
        opaque(2, Family::Google, "c2lnLWNhbGw="),
        close(2),
        usage(928, 387, 8192, 346),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(
        encode_sse(&events),
        [
            chunk(json!({"text": "**Planning**", "thought": true})),
            chunk(json!({"text": " then acting.", "thought": true})),
            chunk(json!({"text": "", "thought": true, "thoughtSignature": "c2lnLXRob3VnaHQ="})),
            chunk(json!({"text": "Reading \"Cargo.toml\"\n"})),
            chunk(json!({
                "functionCall": {"id": "call_7", "name": "read_file", "args": {"absolute_path": "/a/Cargo.toml"}},
                "thoughtSignature": "c2lnLWNhbGw=",
            })),
            last(
                "STOP",
                Some(json!({
                    "promptTokenCount": 9120,
                    "cachedContentTokenCount": 8192,
                    "candidatesTokenCount": 41,
                    "thoughtsTokenCount": 346,
                    "totalTokenCount": 9507,
                }))
            ),
        ]
    );
}

#[test]
fn other_families_reasoning_and_artefacts_are_dropped_and_the_first_call_gets_the_skip_value() {
    let events = [
        start(ID, MODEL),
        StreamEvent::BlockStart {
            index: 0,
            block: Block::Reasoning { family: Family::Anthropic, id: None, redacted: false },
        },
        thought(0, "secret thinking"),
        opaque(0, Family::Anthropic, "EqQBCkYIBxgCKkDs"),
        close(0),
        open(1, Block::Text),
        text(1, "Checking."),
        opaque(1, Family::OpenAi, "gAAAAAB"),
        close(1),
        open(2, call_block("toolu_01", "Bash")),
        args(2, r#"{"command":"ls"}"#),
        opaque(2, Family::Anthropic, "sig"),
        close(2),
        open(3, call_block("toolu_02", "Bash")),
        args(3, r#"{"command":"pwd"}"#),
        close(3),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(
        encode_sse(&events),
        [
            chunk(json!({"text": "Checking."})),
            chunk(json!({
                "functionCall": {"id": "toolu_01", "name": "Bash", "args": {"command": "ls"}},
                "thoughtSignature": "skip_thought_signature_validator",
            })),
            chunk(json!({"functionCall": {"id": "toolu_02", "name": "Bash", "args": {"command": "pwd"}}})),
            last("STOP", None),
        ]
    );
}

#[test]
fn parallel_calls_with_interleaved_fragments_are_written_whole_as_they_stop() {
    let events = [
        start(ID, MODEL),
        open(0, call_block("call_a", "glob")),
        open(1, call_block("call_b", "grep")),
        args(0, r#"{"pat"#),
        args(1, r#"{"query":"#),
        args(0, "tern\":\n \"*.rs\"}"),
        args(1, r#""fn main"}"#),
        close(1),
        close(0),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(
        encode_sse(&events),
        [
            chunk(json!({
                "functionCall": {"id": "call_b", "name": "grep", "args": {"query": "fn main"}},
                "thoughtSignature": "skip_thought_signature_validator",
            })),
            chunk(json!({"functionCall": {"id": "call_a", "name": "glob", "args": {"pattern": "*.rs"}}})),
            last("STOP", None),
        ]
    );
}

#[test]
fn empty_arguments_are_an_empty_object_and_unparsable_ones_a_malformed_call() {
    let events = [
        start(ID, MODEL),
        open(0, call_block("call_0", "list")),
        close(0),
        open(1, call_block("call_1", "broken")),
        args(1, r#"{"path": "/tm"#),
        close(1),
        open(2, call_block("call_2", "scalar")),
        args(2, "[1, 2]"),
        close(2),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(
        encode_sse(&events),
        [
            chunk(json!({
                "functionCall": {"id": "call_0", "name": "list", "args": {}},
                "thoughtSignature": "skip_thought_signature_validator",
            })),
            last("MALFORMED_FUNCTION_CALL", None),
        ]
    );
}

#[test]
fn a_malformed_call_keeps_a_finish_reason_other_than_stop() {
    let events = [
        start(ID, MODEL),
        open(0, call_block("call_0", "write")),
        args(0, r#"{"content": "trunc"#),
        close(0),
        stop(StopReason::MaxTokens),
    ];
    assert_eq!(encode_sse(&events), [last("MAX_TOKENS", None)]);
}

#[test]
fn an_error_mid_stream_becomes_an_error_chunk_and_ends_the_stream() {
    let events = [
        start(ID, MODEL),
        open(0, Block::Text),
        text(0, "Partial"),
        open(1, call_block("call_0", "held")),
        args(1, "{}"),
        StreamEvent::Error(ApiError { status: 529, ..ApiError::new(ErrorKind::Overloaded, "Overloaded") }),
        text(0, " more"),
        close(0),
        stop(StopReason::EndTurn),
    ];
    assert_eq!(
        encode_sse(&events),
        [chunk(json!({"text": "Partial"})), error_chunk(503, "Overloaded", "UNAVAILABLE")]
    );
}

#[test]
fn a_stream_without_a_stop_ends_with_an_error_chunk() {
    let events = [start(ID, MODEL), open(0, Block::Text), text(0, "Half"), usage(10, 2, 0, 0)];
    let chunks = encode_sse(&events);
    assert_eq!(chunks[0], chunk(json!({"text": "Half"})));
    assert_eq!(chunks[1]["error"]["code"], 500);
    assert_eq!(chunks[1]["error"]["status"], "INTERNAL");
    assert_eq!(chunks.len(), 2);
}

#[test]
fn an_empty_stream_still_ends_well_formed() {
    let chunks = sse_chunks(&encode(Encoder::default(), &[]));
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0]["error"]["status"], "INTERNAL");
    let array: Value = serde_json::from_slice(&encode(Encoder::json_array(), &[])).expect("a JSON array");
    assert_eq!(array.as_array().map(Vec::len), Some(1));
}

#[test]
fn every_stop_reason_maps_as_in_the_non_streaming_codec() {
    for (reason, expected) in [
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
        let chunks = encode_sse(&[start(ID, MODEL), stop(reason)]);
        assert_eq!(chunks, [last(expected, None)], "{expected}");
    }
}

#[test]
fn usage_is_held_for_the_final_chunk_and_never_loses_a_known_count() {
    let events = [
        start(ID, MODEL),
        usage(100, 0, 0, 0),
        open(0, Block::Text),
        text(0, "Hi"),
        close(0),
        stop(StopReason::EndTurn),
        usage(0, 7, 0, 0),
    ];
    let chunks = encode_sse(&events);
    assert_eq!(chunks[0], chunk(json!({"text": "Hi"})));
    assert_eq!(
        chunks[1],
        last(
            "STOP",
            Some(json!({"promptTokenCount": 100, "candidatesTokenCount": 7, "totalTokenCount": 107}))
        )
    );
}

#[test]
fn the_json_array_framing_holds_the_same_chunks() {
    let events = [
        start(ID, MODEL),
        open(0, Block::Text),
        text(0, "Hello"),
        text(0, " there"),
        close(0),
        stop(StopReason::EndTurn),
    ];
    let bytes = encode(Encoder::json_array(), &events);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    assert!(text.starts_with("[{") && text.ends_with("}]") && text.matches(",\r\n{").count() == 2, "{text}");
    let array: Value = serde_json::from_str(text).expect("a JSON array");
    assert_eq!(Value::Array(encode_sse(&events)), array);
}

#[test]
fn the_json_array_framing_closes_after_an_error() {
    let events = [start(ID, MODEL), StreamEvent::Error(ApiError::new(ErrorKind::RateLimited, "Slow down"))];
    let array: Value = serde_json::from_slice(&encode(Encoder::json_array(), &events)).expect("a JSON array");
    assert_eq!(array, json!([error_chunk(429, "Slow down", "RESOURCE_EXHAUSTED")]));
}

#[test]
fn events_for_unknown_blocks_mismatched_and_empty_deltas_are_ignored() {
    let events = [
        start(ID, MODEL),
        text(5, "no such block"),
        close(9),
        open(0, Block::Text),
        text(0, ""),
        thought(0, "reasoning on a text block"),
        args(0, "{}"),
        text(0, "ok"),
        close(0),
        stop(StopReason::EndTurn),
    ];
    assert_eq!(encode_sse(&events), [chunk(json!({"text": "ok"})), last("STOP", None)]);
}
