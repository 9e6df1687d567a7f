//! Round trips: decode → encode → decode gives the same events, modulo the documented normalisations.

use super::*;
use crate::WireFormat;
use crate::ir::StopReason;
use crate::stream::Translator;

/// Errors re-read from the wire carry the Anthropic error type as their code.
fn normalised(events: Vec<StreamEvent>) -> Vec<StreamEvent> {
    events
        .into_iter()
        .map(|event| match event {
            StreamEvent::Error(mut error) => {
                error.code = None;
                StreamEvent::Error(error)
            }
            other => other,
        })
        .collect()
}

#[test]
fn every_fixture_survives_decode_encode_decode() {
    let names = fixture_names();
    assert!(names.len() >= 7, "fixtures: {names:?}");
    for name in names {
        let first = decode(&fixture(&name));
        let again = decode(&encode_bytes(first.clone()));
        assert_eq!(normalised(again), normalised(first), "{name}");
    }
}

#[test]
fn hand_built_events_survive_encode_decode_with_stop_after_the_last_usage() {
    let events = vec![
        start("msg_7", "claude-opus-4-8"),
        usage(5, 1, 70, 0, 9),
        open(0, thinking(Family::Anthropic)),
        think(0, "hm"),
        opaque(0, Family::Anthropic, "sig"),
        close(0),
        open(1, tool("toolu_1", "Read")),
        args(1, "{\"path\":\"a\"}"),
        close(1),
        stop(StopReason::ToolUse),
        usage(5, 40, 70, 0, 9),
    ];
    let mut expected = events.clone();
    expected.swap(9, 10);
    assert_eq!(decode(&encode_bytes(events)), expected);
}

#[test]
fn a_tool_call_without_arguments_comes_back_with_an_empty_object_and_usage_reports() {
    let events =
        vec![start("msg_8", "m"), open(0, tool("toolu_2", "Now")), close(0), stop(StopReason::ToolUse)];
    let expected = vec![
        start("msg_8", "m"),
        usage(0, 0, 0, 0, 0),
        open(0, tool("toolu_2", "Now")),
        args(0, "{}"),
        close(0),
        usage(0, 0, 0, 0, 0),
        stop(StopReason::ToolUse),
    ];
    assert_eq!(decode(&encode_bytes(events)), expected);
}

#[test]
fn translation_is_independent_of_chunk_boundaries() {
    for name in fixture_names() {
        let input = fixture(&name);
        let mut whole = Vec::new();
        let mut translator = Translator::new(WireFormat::Anthropic, WireFormat::Anthropic);
        translator.feed(input.as_bytes(), &mut whole);
        translator.finish(&mut whole);
        for size in [1, 7, 64] {
            let mut chunked = Vec::new();
            let mut translator = Translator::new(WireFormat::Anthropic, WireFormat::Anthropic);
            for chunk in input.as_bytes().chunks(size) {
                translator.feed(chunk, &mut chunked);
            }
            translator.finish(&mut chunked);
            assert_eq!(chunked, whole, "{name} in chunks of {size}");
        }
    }
}
