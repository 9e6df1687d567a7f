//! Each fixture decodes to its exact event sequence; broken input is skipped, never fatal.

use super::*;
use crate::ErrorKind;

const MODEL: &str = "gemini-3.8-flash";

#[test]
fn thought_text_then_function_call() {
    let id = "Xy1aZb7nLpq3kdUP4c2Q6Ak";
    assert_eq!(
        decode_fixture("thought_text_function_call.sse"),
        [
            start(id, MODEL),
            open(0, thought_block()),
            thought(0, "**Locating the files**\n\nI'll glob for Rust sources first."),
            close(0),
            open(1, Block::Text),
            text(1, "Let me look for the sources."),
            close(1),
            open(2, call_block("glob_1764240000_0", "glob")),
            args(2, r#"{"pattern":"src/**/*.rs"}"#),
            opaque(2, Family::Google, "CiQBjz1rX2Fh3lQd8pYxw0J7m5Vn3yq5p1uXo4mJ3kzQ9aWcLxgSMAGPPWtf"),
            close(2),
            usage(9120 - 8192, 41 + 346, 8192, 346),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn a_function_call_as_first_content_and_calls_in_every_chunk() {
    let signature = "UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47bIkprJIoekk6P0K4uGpSSozBfGIy2EJAPnjR/rohtxlB3lex0XEw/yy6yxz4Uk0yGfuBX";
    let used = |output: u64| usage(11893 - 10240, output + 212, 10240, 212);
    assert_eq!(
        decode_fixture("function_call_first.sse"),
        [
            start("aX9kZqC3Ar-uxN8PlvKx4Ak", MODEL),
            open(0, call_block("call_0", "read_file")),
            args(0, r#"{"absolute_path":"/home/dev/project/Cargo.toml"}"#),
            opaque(0, Family::Google, signature),
            close(0),
            used(12),
            open(1, call_block("call_1", "read_file")),
            args(1, r#"{"absolute_path":"/home/dev/project/src/main.rs"}"#),
            close(1),
            used(24),
            open(2, call_block("call_2", "glob")),
            args(2, r#"{"pattern":"tests/**/*.rs"}"#),
            close(2),
            used(33),
            // The last call comes with the finish reason in the same chunk.
            open(3, call_block("call_3", "search_file_content")),
            args(3, r#"{"pattern":"fn main","include":"*.rs"}"#),
            close(3),
            used(47),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn parallel_function_calls_in_one_chunk_and_across_chunks() {
    let signature = "unJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH+UzHQR1xfxRXmyqhAPu7NPpZP+rtJySLdi46tYBfB2WiucHX4PN8RJIb0/ZWTq338UKnJmjEfiI9Fu3YxHtGr8W67iYfU7JhUtJjuoOwN81JYuQ0gBJWuI";
    assert_eq!(
        decode_fixture("parallel_function_calls.sse"),
        [
            start("kWVkZsHxNfOjz7IPx-mM-AQ", MODEL),
            open(0, thought_block()),
            thought(
                0,
                "**Scanning the workspace**\n\nI'll check the manifest, the README and the CI script at once."
            ),
            usage(12044, 151, 0, 151),
            close(0),
            open(1, call_block("call_0", "read_file")),
            args(1, r#"{"absolute_path":"/home/dev/project/Cargo.toml"}"#),
            opaque(1, Family::Google, signature),
            close(1),
            open(2, call_block("call_1", "read_file")),
            args(2, r#"{"absolute_path":"/home/dev/project/README.md"}"#),
            close(2),
            usage(12044, 40 + 151, 0, 151),
            open(3, call_block("call_2", "run_shell_command")),
            args(3, r#"{"command":"cat .ci/run","description":"Show the CI script"}"#),
            close(3),
            usage(12044, 71 + 151, 0, 151),
            usage(12044, 71 + 151, 0, 151),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn thought_signature_and_late_text_signature_stay_on_their_blocks() {
    let thought_signature =
        "XpyQUfMgsNuD856nrb0NdObex/PfrsyPZGVmZBp7omYPMBH8NXApHFeZDRoAkSaJGfJdnQYS3zWdYCaiQPRYml15Hx3ZfP76";
    let text_signature = "d3p7TxUkGr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6A==";
    assert_eq!(
        decode_fixture("thought_signature_text.sse"),
        [
            start("3nJkZpbDGryY1MkP1Z7D6Ac", MODEL),
            open(0, thought_block()),
            thought(
                0,
                "**Weighing ownership models**\n\nThe user asks how borrowing differs from reference counting. "
            ),
            usage(318, 96, 0, 96),
            thought(0, "I'll contrast compile-time checks with runtime counts, then give an example."),
            opaque(0, Family::Google, thought_signature),
            usage(318, 233, 0, 233),
            close(0),
            open(1, Block::Text),
            text(1, "Borrowing is checked by the compiler: a reference never outlives its owner, and "),
            usage(318, 17 + 233, 0, 233),
            text(
                1,
                "there is no runtime cost. `Rc<T>` instead counts owners at run time and frees the value when \
                 the count drops to zero.\n\n"
            ),
            usage(318, 49 + 233, 0, 233),
            text(
                1,
                "Use references by default; reach for `Rc` (or `Arc` across threads) when ownership is truly shared."
            ),
            usage(318, 71 + 233, 0, 233),
            opaque(1, Family::Google, text_signature),
            usage(318, 71 + 233, 0, 233),
            close(1),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn an_error_chunk_mid_stream_stops_the_open_block_and_ends_the_stream() {
    let events = decode_fixture("error_mid_stream.sse");
    let id = "UHZkZtK9CPKh1MkPxe2b-Ak";
    assert_eq!(
        events[..9],
        [
            start(id, MODEL),
            open(0, Block::Text),
            text(0, "Here is the plan:\n\n1. Read the manifest.\n"),
            usage(2210, 12, 0, 0),
            text(0, "2. Run the tests.\n"),
            usage(2210, 20, 0, 0),
            text(0, "3. Fix what fails, starting with"),
            usage(2210, 29, 0, 0),
            close(0),
        ]
    );
    let [StreamEvent::Error(error)] = &events[9..] else { panic!("{events:?}") };
    assert_eq!(error.kind, ErrorKind::Overloaded);
    assert_eq!(error.status, 503);
    assert_eq!(error.code.as_deref(), Some("UNAVAILABLE"));
    assert_eq!(error.message, "The model is overloaded. Please try again later.");
}

#[test]
fn a_cut_stream_stops_its_block_and_ends_with_an_error() {
    let events = decode_fixture("cut_text.sse");
    assert_eq!(
        events[..12],
        [
            start("q1ZkZoT6L9uZ1MkP8a_Q6Ao", MODEL),
            open(0, thought_block()),
            thought(0, "**Recalling the syntax**\n\nA `match` arm needs a pattern and an expression."),
            usage(140, 58, 0, 58),
            close(0),
            open(1, Block::Text),
            text(1, "A `match` expression compares a value against patterns"),
            usage(140, 9 + 58, 0, 58),
            text(1, " and runs the first arm that fits, so every case must be"),
            usage(140, 21 + 58, 0, 58),
            text(1, " covered: the compiler rejects a `match` that misses a variant. For example,"),
            usage(140, 38 + 58, 0, 58),
        ]
    );
    assert_eq!(events[12], close(1));
    let [StreamEvent::Error(error)] = &events[13..] else { panic!("{events:?}") };
    assert_eq!(error.kind, ErrorKind::Internal);
    assert!(error.message.contains("ended before"), "{}", error.message);
}

#[test]
fn unknown_parts_members_and_events_are_skipped() {
    // `executableCode`, `codeExecutionResult`, `inlineData` and a server `toolCall` open no block, so
    // the text around them stays one block; the malformed event and the foreign one are skipped.
    assert_eq!(
        decode_fixture("unknown_parts.sse"),
        [
            start("8GdkZp3UOt2D1MkPq8Ho-AQ", MODEL),
            open(0, Block::Text),
            text(0, "Let me compute that."),
            usage(96, 5, 0, 0),
            usage(96, 31, 0, 0),
            usage(96, 31, 0, 0),
            text(0, " The sum of 1 to 100 is 5050."),
            usage(96, 44, 0, 0),
            usage(96, 44, 0, 0),
            close(0),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn a_blocked_prompt_is_a_content_filter_stop() {
    let chunk = r#"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":57,"totalTokenCount":57},"modelVersion":"gemini-3.8-flash","responseId":"Wm5kZu-0AbqY1MkPj4ab8Ao"}"#;
    let events = decode_bytes(format!("data: {chunk}\r\n\r\n").as_bytes(), false);
    assert_eq!(
        events,
        [start("Wm5kZu-0AbqY1MkPj4ab8Ao", MODEL), usage(57, 0, 0, 0), stop(StopReason::ContentFilter)]
    );
}

#[test]
fn a_json_array_stream_decodes_like_sse() {
    assert_eq!(
        decode_fixture("json_array_text.json"),
        [
            start("C3dkZsW1K7uF1MkPn6mY-Ac", MODEL),
            open(0, Block::Text),
            text(0, "Hello! How can I help"),
            usage(4, 5, 0, 0),
            text(0, " with your code today?"),
            usage(4, 11, 0, 0),
            usage(4, 11, 0, 0),
            close(0),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn every_fixture_decodes_the_same_at_every_split_point() {
    for name in ["thought_signature_text.sse", "parallel_function_calls.sse", "unknown_parts.sse"] {
        let bytes = fixture(name);
        let whole = decode_bytes(&bytes, false);
        for split in 1..bytes.len() {
            let mut decoder = Decoder::default();
            let mut reader = sse::Decoder::new();
            let mut events = Vec::new();
            for part in [&bytes[..split], &bytes[split..]] {
                reader.feed(part);
                while let Some(event) = reader.next_event() {
                    decoder.decode(event.event.as_deref(), &event.data, &mut events);
                }
            }
            if let Some(event) = reader.finish() {
                decoder.decode(event.event.as_deref(), &event.data, &mut events);
            }
            decoder.finish(&mut events);
            assert_eq!(events, whole, "{name} split at {split}");
        }
    }
}

#[test]
fn malformed_json_and_unknown_chunks_are_skipped() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.decode(None, "{not json", &mut events);
    decoder.decode(Some("ping"), "[DONE]", &mut events);
    assert_eq!(events, []);
    decoder.decode(
        None,
        r#"{"somethingNew":{"a":1},"candidates":[{"content":{"parts":[{"videoMetadata":{}}]}}]}"#,
        &mut events,
    );
    decoder.decode(
        None,
        r#"{"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP"}]}"#,
        &mut events,
    );
    decoder.finish(&mut events);
    assert_eq!(
        events,
        [start("", ""), open(0, Block::Text), text(0, "Hi"), close(0), stop(StopReason::EndTurn)]
    );
}

#[test]
fn content_after_the_finish_reason_is_ignored_but_late_usage_is_kept() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.decode(None, r#"{"candidates":[{"content":{"parts":[{"text":"A"}]},"finishReason":"MAX_TOKENS"}],"responseId":"r","modelVersion":"m"}"#, &mut events);
    decoder.decode(None, r#"{"candidates":[{"content":{"parts":[{"text":"B"}]}}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}"#, &mut events);
    decoder.finish(&mut events);
    assert_eq!(
        events,
        [
            start("r", "m"),
            open(0, Block::Text),
            text(0, "A"),
            close(0),
            stop(StopReason::MaxTokens),
            usage(3, 1, 0, 0),
        ]
    );
}

#[test]
fn finish_reasons_map_as_in_the_non_streaming_codec() {
    for (reason, expected) in [
        ("STOP", StopReason::EndTurn),
        ("MAX_TOKENS", StopReason::MaxTokens),
        ("SAFETY", StopReason::ContentFilter),
        ("RECITATION", StopReason::ContentFilter),
        ("MALFORMED_FUNCTION_CALL", StopReason::Other("MALFORMED_FUNCTION_CALL".into())),
    ] {
        let mut decoder = Decoder::default();
        let mut events = Vec::new();
        let chunk = format!(r#"{{"candidates":[{{"finishReason":"{reason}","index":0}}]}}"#);
        decoder.decode(None, &chunk, &mut events);
        decoder.finish(&mut events);
        assert_eq!(events, [start("", ""), stop(expected)], "{reason}");
    }
}

#[test]
fn only_the_first_candidate_is_read_and_escaped_text_survives() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    let chunk = r#"{"candidates":[{"content":{"parts":[{"text":"second"}]},"index":1},{"content":{"parts":[{"text":"a \"quoted\" \u00e9\n"}]},"index":0}]}"#;
    decoder.decode(None, chunk, &mut events);
    assert_eq!(events, [start("", ""), open(0, Block::Text), text(0, "a \"quoted\" é\n")]);
}

#[test]
fn an_empty_stream_ends_with_a_start_and_an_error() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.finish(&mut events);
    assert!(matches!(events[..], [StreamEvent::Start { .. }, StreamEvent::Error(_)]), "{events:?}");
}

#[test]
fn nothing_follows_an_error_and_an_odd_error_body_is_still_an_error() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.decode(None, r#"{"error":"quota exceeded"}"#, &mut events);
    decoder.decode(
        None,
        r#"{"candidates":[{"content":{"parts":[{"text":"late"}]}}],"usageMetadata":{"promptTokenCount":3}}"#,
        &mut events,
    );
    decoder.finish(&mut events);
    let [StreamEvent::Start { .. }, StreamEvent::Error(error)] = &events[..] else { panic!("{events:?}") };
    assert_eq!(error.kind, ErrorKind::Internal);
    assert!(error.message.contains("quota exceeded"), "{}", error.message);
}
