//! Encoding then decoding gives the events back, modulo a documented normalisation: usage is written
//! only on the final chunk (so only the last report survives), the answer's first call without a Google
//! signature gains the validator-skip value, and an error's code becomes its Google status.

use super::*;
use crate::protocol::gemini::parts::SKIP_SIGNATURE;

/// What survives a trip through the encoder.
fn normalise(events: &[StreamEvent]) -> Vec<StreamEvent> {
    let last_usage = events.iter().rev().find(|e| matches!(e, StreamEvent::Usage(_))).cloned();
    let mut out = Vec::new();
    let mut calls = 0;
    for event in events {
        match event {
            StreamEvent::Usage(_) => {}
            StreamEvent::BlockStop { index } => {
                let call = out.iter().any(|e| {
                    matches!(e, StreamEvent::BlockStart { index: i, block: Block::ToolCall { .. } } if i == index)
                });
                let signed = out.iter().any(
                    |e| matches!(e, StreamEvent::Delta { index: i, delta: Delta::Opaque(_) } if i == index),
                );
                if call && !signed && calls == 0 {
                    out.push(opaque(*index, Family::Google, SKIP_SIGNATURE));
                }
                calls += usize::from(call);
                if usage_before_stop(events, *index) {
                    out.extend(last_usage.clone());
                }
                out.push(event.clone());
            }
            StreamEvent::Stop { .. } if !out.iter().any(|e| matches!(e, StreamEvent::Usage(_))) => {
                out.extend(last_usage.clone());
                out.push(event.clone());
            }
            StreamEvent::Error(error) => {
                let mut error = error.clone();
                if error.code.is_none() {
                    error.code = Some("INTERNAL".into());
                }
                out.push(StreamEvent::Error(error));
            }
            _ => out.push(event.clone()),
        }
    }
    out
}

/// Whether the final usage lands before this block's stop: the decoder stops a text block that is
/// still open at the finish reason after reading the chunk's usage.
fn usage_before_stop(events: &[StreamEvent], index: usize) -> bool {
    let at = events.iter().position(|e| *e == close(index));
    let text = events.iter().any(|e| {
        matches!(e, StreamEvent::BlockStart { index: i, block: Block::Text | Block::Reasoning { .. } } if *i == index)
    });
    text && at.is_some_and(|at| matches!(events.get(at + 1), Some(StreamEvent::Stop { .. })))
}

fn round_trip(events: &[StreamEvent], json_array: bool) -> Vec<StreamEvent> {
    let encoder = if json_array { Encoder::json_array() } else { Encoder::default() };
    decode_bytes(&encode(encoder, events), json_array)
}

#[test]
fn every_fixture_survives_encode_then_decode() {
    for name in [
        "thought_text_function_call.sse",
        "function_call_first.sse",
        "parallel_function_calls.sse",
        "thought_signature_text.sse",
        "error_mid_stream.sse",
        "cut_text.sse",
        "unknown_parts.sse",
        "json_array_text.json",
    ] {
        let events = decode_fixture(name);
        let expected = normalise(&events);
        assert_eq!(round_trip(&events, false), expected, "{name} (SSE)");
        assert_eq!(round_trip(&events, true), expected, "{name} (JSON array)");
    }
}

#[test]
fn interleaved_parallel_calls_from_another_format_survive_in_stop_order() {
    let events = [
        start("msg_1", "claude-opus-4-8"),
        open(0, Block::Text),
        text(0, "Two lookups."),
        close(0),
        open(1, call_block("toolu_a", "glob")),
        open(2, call_block("toolu_b", "grep")),
        args(1, r#"{"pattern":"#),
        args(2, r#"{"query":"main"}"#),
        args(1, r#""*.rs"}"#),
        close(1),
        close(2),
        usage(20, 9, 0, 0),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(
        round_trip(&events, false),
        [
            start("msg_1", "claude-opus-4-8"),
            open(0, Block::Text),
            text(0, "Two lookups."),
            close(0),
            open(1, call_block("toolu_a", "glob")),
            args(1, r#"{"pattern":"*.rs"}"#),
            opaque(1, Family::Google, SKIP_SIGNATURE),
            close(1),
            open(2, call_block("toolu_b", "grep")),
            args(2, r#"{"query":"main"}"#),
            close(2),
            usage(20, 9, 0, 0),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn a_stop_without_content_survives_as_a_finish_chunk() {
    let events = [start("r", "m"), usage(57, 0, 0, 0), stop(StopReason::ContentFilter)];
    assert_eq!(round_trip(&events, false), events);
}
