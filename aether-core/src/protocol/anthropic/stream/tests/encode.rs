//! Encoding: hand-built event sequences give the exact wire events a Claude Code client reads.

use serde_json::{Value, json};

use super::*;
use crate::ir::StopReason;
use crate::{ApiError, ErrorKind};

fn names(wire: &[(String, Value)]) -> Vec<&str> {
    wire.iter().map(|(name, _)| name.as_str()).collect()
}

fn full_usage(
    input: u64,
    cache_write: u64,
    cache_read: u64,
    write_5m: u64,
    write_1h: u64,
    output: u64,
) -> Value {
    json!({
        "input_tokens": input,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
        "cache_creation": {"ephemeral_5m_input_tokens": write_5m, "ephemeral_1h_input_tokens": write_1h},
        "output_tokens": output,
    })
}

#[test]
fn a_text_answer_with_usage_at_start_and_in_message_delta() {
    let wire = encode(vec![
        start("msg_01abc", "claude-opus-4-8"),
        usage(10, 1, 90, 20, 0),
        open(0, text()),
        say(0, "Hi"),
        say(0, " there"),
        close(0),
        usage(0, 7, 0, 0, 0),
        stop(StopReason::EndTurn),
    ]);
    let expected = vec![
        json!({"type": "message_start", "message": {
            "id": "msg_01abc", "type": "message", "role": "assistant", "model": "claude-opus-4-8",
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": full_usage(10, 20, 90, 20, 0, 1),
        }}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " there"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"input_tokens": 10, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 90,
                         "output_tokens": 7}}),
        json!({"type": "message_stop"}),
    ];
    assert_eq!(wire.into_iter().map(|(_, data)| data).collect::<Vec<_>>(), expected);
}

#[test]
fn message_start_waits_for_the_first_block_and_prefixes_foreign_ids() {
    let wire = encode(vec![
        start("chatcmpl-42", "gpt-5"),
        open(0, tool("call_1", "Read")),
        args(0, "{\"path\":"),
        args(0, ""),
        args(0, "\"a\"}"),
        close(0),
        stop(StopReason::ToolUse),
        // OpenAI reports usage after its finish reason: it still reaches message_delta.
        usage(100, 12, 28, 0, 0),
    ]);
    assert_eq!(
        names(&wire),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_eq!(wire[0].1["message"]["id"], "msg_chatcmpl-42");
    assert_eq!(wire[0].1["message"]["usage"], full_usage(0, 0, 0, 0, 0, 0));
    assert_eq!(
        wire[1].1["content_block"],
        json!({"type": "tool_use", "id": "call_1", "name": "Read", "input": {}})
    );
    assert_eq!(wire[2].1["delta"], json!({"type": "input_json_delta", "partial_json": "{\"path\":"}));
    assert_eq!(wire[3].1["delta"], json!({"type": "input_json_delta", "partial_json": "\"a\"}"}));
    assert_eq!(wire[5].1["delta"]["stop_reason"], "tool_use");
    assert_eq!(
        wire[5].1["usage"],
        json!({"input_tokens": 100, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 28, "output_tokens": 12})
    );
}

#[test]
fn anthropic_thinking_keeps_its_signature_and_redacted_thinking_is_written_whole() {
    let wire = encode(vec![
        start("msg_1", "claude-opus-4-8"),
        open(0, redacted()),
        opaque(0, Family::Anthropic, "EmwKAhgB"),
        opaque(0, Family::Anthropic, "Egy3va3p"),
        close(0),
        open(1, thinking(Family::Anthropic)),
        think(1, "Let me think."),
        opaque(1, Family::Anthropic, "EqQBCgIY"),
        close(1),
        open(2, text()),
        opaque(2, Family::Google, "Cg0KC2dlbWluaQ=="),
        say(2, "Done."),
        close(2),
        stop(StopReason::EndTurn),
    ]);
    let data: Vec<Value> = wire.into_iter().map(|(_, data)| data).skip(1).take(8).collect();
    assert_eq!(
        data,
        vec![
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3p"}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "thinking_delta", "thinking": "Let me think."}}),
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "signature_delta", "signature": "EqQBCgIY"}}),
            json!({"type": "content_block_stop", "index": 1}),
            json!({"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "Done."}}),
        ]
    );
}

#[test]
fn reasoning_of_another_family_is_dropped_with_its_deltas_and_indices_stay_dense() {
    let wire = encode(vec![
        start("resp_1", "gpt-5"),
        open(0, thinking(Family::OpenAi)),
        delta(0, Delta::ReasoningSummary { part: 0, text: "Thinking about it".into() }),
        opaque(0, Family::OpenAi, "gAAAAABencrypted"),
        close(0),
        open(1, text()),
        say(1, "Answer"),
        close(1),
        open(2, redacted()),
        close(2),
        open(3, tool("call_7", "Bash")),
        args(3, "{}"),
        close(3),
        stop(StopReason::ToolUse),
    ]);
    let blocks: Vec<(u64, &str)> = wire
        .iter()
        .filter(|(name, _)| name == "content_block_start")
        .map(|(_, data)| {
            (data["index"].as_u64().expect("index"), data["content_block"]["type"].as_str().expect("type"))
        })
        .collect();
    // The empty redacted block (no data) is not written either.
    assert_eq!(blocks, [(0, "text"), (1, "tool_use")]);
    assert!(
        !wire
            .iter()
            .any(|(_, data)| data.to_string().contains("encrypted") || data.to_string().contains("Thinking"))
    );
}

#[test]
fn interleaved_parallel_calls_are_written_one_block_after_another() {
    let wire = encode(vec![
        start("chatcmpl-9", "gpt-5"),
        open(0, tool("call_a", "Read")),
        args(0, "{\"path\":"),
        open(1, tool("call_b", "Grep")),
        args(1, "{\"pattern\":"),
        args(0, "\"a.rs\"}"),
        args(1, "\"fn\"}"),
        open(2, tool("call_c", "Glob")),
        close(1),
        close(0),
        args(2, "{\"glob\":\"*\"}"),
        close(2),
        stop(StopReason::ToolUse),
    ]);
    let blocks: Vec<String> = wire
        .iter()
        .skip(1)
        .take_while(|(name, _)| name != "message_delta")
        .map(|(name, data)| match name.as_str() {
            "content_block_start" => format!("start {} {}", data["index"], data["content_block"]["id"]),
            "content_block_delta" => format!("delta {} {}", data["index"], data["delta"]["partial_json"]),
            _ => format!("stop {}", data["index"]),
        })
        .collect();
    assert_eq!(
        blocks,
        [
            r#"start 0 "call_a""#,
            r#"delta 0 "{\"path\":""#,
            r#"delta 0 "\"a.rs\"}""#,
            "stop 0",
            r#"start 1 "call_b""#,
            r#"delta 1 "{\"pattern\":""#,
            r#"delta 1 "\"fn\"}""#,
            "stop 1",
            r#"start 2 "call_c""#,
            r#"delta 2 "{\"glob\":\"*\"}""#,
            "stop 2",
        ]
    );
}

#[test]
fn a_tool_call_without_arguments_gets_an_empty_object_and_an_id() {
    let wire = encode(vec![start("x", "m"), open(0, tool("", "Now")), close(0), stop(StopReason::ToolUse)]);
    assert_eq!(wire[1].1["content_block"]["id"], "toolu_0");
    assert_eq!(wire[2].1["delta"], json!({"type": "input_json_delta", "partial_json": "{}"}));
    assert_eq!(wire[3].0, "content_block_stop");
}

#[test]
fn an_error_mid_stream_is_an_error_event_and_nothing_follows() {
    let overloaded = ApiError::new(ErrorKind::Overloaded, "Overloaded");
    let text = encode_bytes(vec![
        start("msg_1", "claude-opus-4-8"),
        usage(3, 1, 0, 0, 0),
        open(0, text()),
        say(0, "partial"),
        StreamEvent::Error(overloaded),
        say(0, " more"),
        close(0),
        stop(StopReason::EndTurn),
    ]);
    assert!(text.ends_with(
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"partial\"}}\n\n\
         event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
    ));
}

#[test]
fn an_error_before_any_block_still_follows_message_start() {
    let wire = encode(vec![
        start("msg_1", "m"),
        StreamEvent::Error(ApiError::new(ErrorKind::RateLimited, "slow down")),
    ]);
    assert_eq!(names(&wire), ["message_start", "error"]);
    assert_eq!(
        wire[1].1,
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
    );
}

#[test]
fn a_cut_stream_stops_its_open_blocks_and_ends_with_an_api_error() {
    let wire = encode(vec![
        start("msg_1", "m"),
        open(0, text()),
        say(0, "Hel"),
        open(1, tool("toolu_1", "Read")),
        args(1, "{\"pa"),
    ]);
    assert_eq!(
        names(&wire),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "error"
        ]
    );
    assert_eq!(
        wire[7].1,
        json!({"type": "error", "error": {"type": "api_error", "message": "the upstream stream ended early"}})
    );
}

#[test]
fn an_empty_event_sequence_still_ends_well_formed() {
    let wire = encode(Vec::new());
    assert_eq!(names(&wire), ["message_start", "error"]);
    assert_eq!(wire[0].1["message"]["id"], "msg_");
}

#[test]
fn every_stop_reason_has_a_wire_name() {
    let cases = [
        (StopReason::EndTurn, "end_turn"),
        (StopReason::MaxTokens, "max_tokens"),
        (StopReason::StopSequence, "stop_sequence"),
        (StopReason::ToolUse, "tool_use"),
        (StopReason::ContentFilter, "refusal"),
        (StopReason::Refusal, "refusal"),
        (StopReason::PauseTurn, "pause_turn"),
        (StopReason::ContextWindowExceeded, "model_context_window_exceeded"),
        (StopReason::Other("recitation".into()), "recitation"),
    ];
    for (reason, name) in cases {
        let sequence = (reason == StopReason::StopSequence).then(|| "END".to_string());
        let wire =
            encode(vec![start("msg_1", "m"), StreamEvent::Stop { reason, stop_sequence: sequence.clone() }]);
        assert_eq!(names(&wire), ["message_start", "message_delta", "message_stop"]);
        assert_eq!(wire[1].1["delta"], json!({"stop_reason": name, "stop_sequence": sequence}));
    }
}
