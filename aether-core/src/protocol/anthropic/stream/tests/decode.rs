//! Decoding: each fixture gives its exact event sequence; unknown and malformed input is skipped.

use super::*;
use crate::ir::StopReason;
use crate::{ApiError, ErrorKind};

const SIGNATURE: &str = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds0wHhBzx6C9ckfTmZ5ICBbwKhzwdDiEhzSnBX3mGOxXIsmKs2d45zBmeJAgWdiYqEBJQyDxBmP7kVTQpqf9TMCo=";

#[test]
fn thinking_text_and_tool_use_in_order_with_usage_at_start_and_end() {
    assert_eq!(
        decode(&fixture("thinking_text_tool_use.sse")),
        vec![
            start("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-opus-4-8"),
            usage(2130, 3, 21000, 1500, 0),
            open(0, thinking(Family::Anthropic)),
            think(0, "The user wants the failing test fixed. "),
            think(0, "I should read the test file first, "),
            think(0, "then the module it covers."),
            opaque(0, Family::Anthropic, SIGNATURE),
            close(0),
            open(1, text()),
            say(1, "I'll read "),
            say(1, "the test "),
            say(1, "file first."),
            close(1),
            open(2, tool("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "Read")),
            args(2, "{\"file_path\": \"/work/src/"),
            args(2, "lib.rs\", \"limit\""),
            args(2, ": 200}"),
            close(2),
            usage(2130, 187, 21000, 1500, 0),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn a_stream_whose_first_block_is_a_tool_call() {
    assert_eq!(
        decode(&fixture("tool_use_first.sse")),
        vec![
            start("msg_01K2JbSUMYhez5RHoK9ZCj9U", "claude-haiku-4-5-20251001"),
            usage(849, 1, 18310, 0, 0),
            open(0, tool("toolu_01KFbKqPYSuAKujiL6mTfzYA", "Bash")),
            args(0, "{\"command\": \"cargo test -p aether-core"),
            args(0, " 2>&1 | tail -n 40\", \"description\""),
            args(0, ": \"Run the core tests\"}"),
            close(0),
            usage(849, 71, 18310, 0, 0),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn parallel_tool_calls_arrive_one_block_after_another() {
    assert_eq!(
        decode(&fixture("parallel_tool_use.sse")),
        vec![
            start("msg_01Vq3yJ6m3cTQ8vW1h2xF4pK", "claude-opus-4-8"),
            usage(6, 2, 24880, 412, 0),
            open(0, text()),
            say(0, "I'll read both files "),
            say(0, "in parallel."),
            close(0),
            open(1, tool("toolu_01A09q90qw90lq917835lq9", "Read")),
            args(1, "{\"file_path\": \"/work/aether-core/src/lib.rs\"}"),
            close(1),
            open(2, tool("toolu_01B7mPq2Rk4ZsW9xYcVdE3fH", "Read")),
            args(2, "{\"file_path\": \"/work/aether-"),
            args(2, "core/Cargo.toml\"}"),
            close(2),
            usage(6, 118, 24880, 412, 0),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn an_overloaded_error_mid_stream_stops_open_blocks_and_ends_the_stream() {
    let overloaded = ApiError {
        kind: ErrorKind::Overloaded,
        status: 529,
        message: "Overloaded".into(),
        code: Some("overloaded_error".into()),
        param: None,
    };
    assert_eq!(
        decode(&fixture("error_overloaded_mid_stream.sse")),
        vec![
            start("msg_01HcQ2x8YbWnR5tLk7mJ3sPd", "claude-opus-4-8"),
            usage(3, 1, 30215, 0, 0),
            open(0, text()),
            say(0, "The failing test expects "),
            say(0, "a trailing newline"),
            close(0),
            StreamEvent::Error(overloaded),
        ]
    );
}

#[test]
fn a_cut_stream_stops_its_open_block_and_ends_with_an_error() {
    assert_eq!(
        decode(&fixture("cut_mid_tool_use.sse")),
        vec![
            start("msg_01Sx4kP9vT2mQ7wE1rY6uH3n", "claude-sonnet-4-6"),
            usage(1204, 4, 15002, 0, 0),
            open(0, thinking(Family::Anthropic)),
            think(0, "I need to see which files mention the old name."),
            opaque(
                0,
                Family::Anthropic,
                "ErUBCkYIBRgCIkCtFk0q7Ld6uXjX3yB2mVwK0c9pN1sR4tE8hG5jL2oQ7aZ3xC6vB9nM1kJ4hG7fD0sA3wE6rT9yU2iO5pL8kH1EgzZ4x7v0bN3m6Q9s2UaDH5c8F1j4L7o0R3u6XiMwY2kN5q8T1w4Z7c0F3i6L9o2R5u8X1a4D7g0J3m6P9s2V5y8B1e4H7k0N3q6T9w"
            ),
            close(0),
            open(1, text()),
            say(1, "Let me search the repository."),
            close(1),
            open(2, tool("toolu_01Gq8wE3rT5yU7iO9pA1sD2f", "Grep")),
            args(2, "{\"pattern\": \"old_name\", \"pa"),
            close(2),
            StreamEvent::Error(ApiError::new(
                ErrorKind::Internal,
                "the upstream stream ended before message_stop"
            )),
        ]
    );
}

#[test]
fn unknown_events_server_tool_blocks_and_citations_are_skipped_with_dense_indices() {
    assert_eq!(
        decode(&fixture("unknown_event_server_tool.sse")),
        vec![
            start("msg_01G8wRq3NfK2tY6pZ4xV9cBm", "claude-opus-4-8"),
            usage(2679, 3, 0, 0, 0),
            open(0, text()),
            say(0, "I'll check the current weather in New York City."),
            close(0),
            open(1, text()),
            say(1, "It is sunny in New York today, "),
            say(1, "with a high of 24°C."),
            close(1),
            usage(10682, 510, 0, 0, 0),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn redacted_thinking_is_a_redacted_reasoning_block_with_its_data_as_opaque() {
    assert_eq!(
        decode(&fixture("redacted_interleaved_thinking.sse")),
        vec![
            start("msg_01Rd7kW2nQ5xT8vB3mC6pL9s", "claude-opus-4-8"),
            usage(12, 2, 40960, 0, 2048),
            open(0, redacted()),
            opaque(
                0,
                Family::Anthropic,
                "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8="
            ),
            close(0),
            open(1, thinking(Family::Anthropic)),
            think(1, "The config loader reads the file twice; "),
            think(1, "I'll say so before editing."),
            opaque(1, Family::Anthropic, SIGNATURE),
            close(1),
            open(2, text()),
            say(2, "The loader reads `aether.toml` twice. "),
            close(2),
            open(3, thinking(Family::Anthropic)),
            think(3, "Edit the second call away."),
            opaque(
                3,
                Family::Anthropic,
                "EuYBCkQIBxgCIkBx0cY3L7s9Qm2W8kVf1rT4pN6yB3jH5gD8aZ0xC2vE4uI7oK9lM1nP3qR5sT7uV9wX1yZ3aB5cD7eF9gH1EgwT6yU8iO0pA2sD4fG6aDH8jK0lZ2xC4vB6nM8qW"
            ),
            close(3),
            open(4, tool("toolu_01Ed4iT7yU9oP1aS3dF5gH7j", "Edit")),
            args(4, "{\"file_path\": \"/work/src/config.rs\", \"old_string\": \"let raw = read(path)?;\\n\""),
            args(4, ", \"new_string\": \"\"}"),
            close(4),
            // The delta's cache-write total matches the known 1-hour split, which stays.
            usage(12, 264, 40960, 0, 2048),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn malformed_json_and_unknown_event_types_are_skipped() {
    let stream = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\"}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lost\"\n\n",
        "event: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"no\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"hologram_delta\",\"hologram\":1}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"kept\",\"novel\":true}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"text_delta\",\"text\":\"nowhere\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    assert_eq!(
        decode(stream),
        vec![
            start("msg_1", "m"),
            open(0, text()),
            say(0, "kept"),
            close(0),
            usage(0, 2, 0, 0, 0),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn unnamed_events_are_read_by_their_type_and_null_usage_counters_keep_known_values() {
    let stream = concat!(
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"m\",\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":30,\"output_tokens\":1}}}\n\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Now\",\"input\":{}}}\n\n",
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"###\"},\"usage\":{\"input_tokens\":null,\"cache_creation_input_tokens\":null,\"output_tokens\":9}}\n\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    );
    assert_eq!(
        decode(stream),
        vec![
            start("msg_2", "m"),
            usage(40, 1, 0, 30, 0),
            open(0, tool("toolu_1", "Now")),
            close(0),
            usage(40, 9, 0, 30, 0),
            StreamEvent::Stop { reason: StopReason::StopSequence, stop_sequence: Some("###".into()) },
        ]
    );
}

#[test]
fn content_before_message_start_gets_a_synthetic_start_and_filled_blocks_give_first_deltas() {
    let stream = concat!(
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"Read\",\"input\":{\"path\":\"a\"}}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    assert_eq!(
        decode(stream),
        vec![
            start("", ""),
            open(0, tool("toolu_9", "Read")),
            args(0, "{\"path\":\"a\"}"),
            close(0),
            // No message_delta: the stop reason follows from the tool call.
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn an_empty_stream_starts_and_ends_with_an_error() {
    assert_eq!(
        decode(""),
        vec![
            start("", ""),
            StreamEvent::Error(ApiError::new(
                ErrorKind::Internal,
                "the upstream stream ended before message_stop"
            )),
        ]
    );
}

#[test]
fn nothing_is_read_after_message_stop() {
    let mut stream = fixture("tool_use_first.sse");
    stream.push_str("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    let events = decode(&stream);
    assert_eq!(events.last(), Some(&stop(StopReason::ToolUse)));
}
