//! Chat stream tests: each fixture decodes to its exact events, hand-built events encode to exact chunks,
//! and encode → decode gives the events back.

use serde_json::{Value, json};

use super::{Decoder, Encoder};
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamDecoder, StreamEncoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family, Usage, sse};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/openai_chat/stream/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).expect("fixture")
}

/// Decodes a whole Chat stream, `finish` included.
fn decode(bytes: &[u8]) -> Vec<StreamEvent> {
    let mut sse = sse::Decoder::new();
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    sse.feed(bytes);
    while let Some(event) = sse.next_event().or_else(|| sse.finish()) {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    decoder.finish(&mut events);
    events
}

fn encode_with(mut encoder: Encoder, events: Vec<StreamEvent>) -> Vec<u8> {
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    encoder.finish(&mut out);
    out
}

fn encode(events: Vec<StreamEvent>) -> Vec<u8> {
    encode_with(Encoder::default(), events)
}

/// The `data` of each SSE event, parsed (`[DONE]` as a string); no event may have a name.
fn wire(bytes: &[u8]) -> Vec<Value> {
    let mut sse = sse::Decoder::new();
    sse.feed(bytes);
    let mut out = Vec::new();
    while let Some(event) = sse.next_event() {
        assert_eq!(event.event, None, "Chat events have no names");
        out.push(serde_json::from_str(&event.data).unwrap_or(Value::String(event.data)));
    }
    assert_eq!(sse.finish(), None, "every event is complete");
    out
}

fn start(id: &str, model: &str, created: i64) -> StreamEvent {
    StreamEvent::Start { id: id.into(), model: model.into(), created: Some(created) }
}

fn open(index: usize, block: Block) -> StreamEvent {
    StreamEvent::BlockStart { index, block }
}

fn call(id: &str, name: &str) -> Block {
    Block::ToolCall { id: id.into(), item_id: None, name: name.into() }
}

fn reasoning(family: Family) -> Block {
    Block::Reasoning { family, id: None, redacted: false }
}

fn text(index: usize, text: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::Text(text.into()) }
}

fn args(index: usize, fragment: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::ToolArguments(fragment.into()) }
}

fn close(index: usize) -> StreamEvent {
    StreamEvent::BlockStop { index }
}

fn stop(reason: StopReason) -> StreamEvent {
    StreamEvent::Stop { reason, stop_sequence: None }
}

fn usage(input: u64, cache_read: u64, output: u64, reasoning: u64) -> StreamEvent {
    StreamEvent::Usage(Usage { input, cache_read, output, reasoning, ..Usage::default() })
}

fn error_of(events: &[StreamEvent]) -> &ApiError {
    match events.last() {
        Some(StreamEvent::Error(error)) => error,
        other => panic!("the stream should end in an error, not {other:?}"),
    }
}

// ---- decoding the fixtures ----

#[test]
fn parallel_tool_calls_with_interleaved_fragments_decode_by_tool_index() {
    let events = decode(&fixture("text_and_parallel_tool_calls.sse"));
    assert_eq!(
        events,
        vec![
            start("chatcmpl-C9x2kLmN0pQrStUvWxYz1234", "gpt-5-2026-08-01", 1_764_240_000),
            open(0, Block::Text),
            text(0, "Reading "),
            text(0, "both files."),
            open(1, call("call_Qm3kXw9bYtZp", "read_file")),
            args(1, r#"{"path": "a"#),
            open(2, call("call_Rn4lYx0cZuAq", "read_file")),
            args(2, r#"{"path": "b.txt"}"#),
            args(1, r#".txt"}"#),
            close(0),
            close(1),
            close(2),
            stop(StopReason::ToolUse),
            usage(176, 1024, 96, 64),
        ]
    );
}

#[test]
fn a_stream_whose_first_content_is_a_tool_call() {
    let events = decode(&fixture("tool_call_first.sse"));
    let mut expected = vec![
        start("chatcmpl-CB7tQ2mVhX9LkR4sPzN1aYw3Ejd0", "gpt-5-mini-2026-08-07", 1_764_241_200),
        open(0, call("call_8sWq1vZ3kT0yHn5RbC2mJdXe", "get_weather")),
    ];
    for fragment in [
        "{\"",
        "location",
        "\":\"",
        "Lis",
        "bon",
        ",",
        " Portugal",
        "\",\"",
        "unit",
        "\":\"",
        "celsius",
        "\"}",
    ] {
        expected.push(args(0, fragment));
    }
    expected.extend([close(0), stop(StopReason::ToolUse), usage(412, 0, 87, 64)]);
    assert_eq!(events, expected);
}

#[test]
fn reasoning_content_opens_a_reasoning_block_closed_by_text() {
    let events = decode(&fixture("reasoning_content_text_tool_call.sse"));
    let mut expected = vec![
        start("5c1e0d7a-93b4-4f0e-8a51-2f6c7d9e1b30", "deepseek-reasoner", 1_764_241_500),
        open(0, reasoning(Family::OpenAi)),
    ];
    let thoughts = [
        "The user",
        " wants the",
        " size of",
        " `Cargo.lock`.",
        " I should",
        " check the",
        " file with",
        " a tool",
        " rather than",
        " guess.",
    ];
    expected.extend(thoughts.map(|t| StreamEvent::Delta { index: 0, delta: Delta::Reasoning(t.into()) }));
    expected.extend([close(0), open(1, Block::Text)]);
    expected.extend(["Let me", " check", " the file", " size."].map(|t| text(1, t)));
    expected.push(open(2, call("call_00_Zq7mWcP4xR2nTb8yKs1vHd5L", "run_shell")));
    expected.extend(["{\"", "command", "\":\"", "wc -c", " Cargo", ".lock", "\"}"].map(|a| args(2, a)));
    expected.extend([close(1), close(2), stop(StopReason::ToolUse), usage(186, 1664, 142, 96)]);
    assert_eq!(events, expected);
}

#[test]
fn an_error_chunk_mid_stream_stops_open_blocks_then_errors() {
    let events = decode(&fixture("error_mid_stream.sse"));
    let words = [
        "Here", " is", " a", " summary", " of", " the", " three", " files", ":\n\n", "1", ".", " `main",
        ".rs`",
    ];
    let mut expected =
        vec![start("chatcmpl-CB7uA0kPq5ZsW2eHnR8tLmXy4Vb1", "gpt-4.1-2025-04-14", 1_764_241_800)];
    expected.push(open(0, Block::Text));
    expected.extend(words.map(|w| text(0, w)));
    expected.extend([text(0, " starts"), close(0)]);
    let error = ApiError {
        code: Some("server_error".into()),
        ..ApiError::new(
            ErrorKind::Internal,
            "The server had an error while processing your request. Sorry about that!",
        )
    };
    expected.push(StreamEvent::Error(error));
    assert_eq!(events, expected);
}

#[test]
fn a_cut_stream_stops_its_blocks_and_ends_in_an_error() {
    let events = decode(&fixture("cut_text_and_tool_call.sse"));
    let mut expected =
        vec![start("chatcmpl-CB7vK3nRt8YwQ1fGhJ6pZxLc2Ma9", "gpt-4.1-2025-04-14", 1_764_242_100)];
    expected.push(open(0, Block::Text));
    expected.extend(
        ["I'll", " search", " the", " logs", " for", " that", " request", " id", "."].map(|w| text(0, w)),
    );
    expected.push(open(1, call("call_Vb4nQ8sXe1RtY6mKp3LwZ0Hc", "grep_logs")));
    expected.extend(["{\"", "pattern", "\":\"", "req_", "7f3a9", "\"}"].map(|a| args(1, a)));
    expected.extend([close(0), close(1)]);
    assert_eq!(events[..events.len() - 1], expected);
    let error = error_of(&events);
    assert_eq!(error.kind, ErrorKind::Internal);
    assert!(error.message.contains("ended before `data: [DONE]`"), "{}", error.message);
}

#[test]
fn unknown_members_empty_choices_and_custom_tool_calls_are_skipped() {
    let events = decode(&fixture("azure_unknown_fields_and_custom_tool.sse"));
    let mut expected = vec![
        start("chatcmpl-CB7wR5tYu2IoP9aSdF4gHjKl6Zx3", "gpt-4o-2024-11-20", 1_764_242_400),
        open(0, Block::Text),
    ];
    expected.extend(
        ["Applying", " the", " patch", " and", " running", " the", " tests", "."].map(|w| text(0, w)),
    );
    // The `custom` call (wire index 0) and its fragments are skipped: the function call is block 1.
    expected.push(open(1, call("call_Dy3nO8cWr5SuM0tXq2LzIf9E", "run_tests")));
    expected.extend(["{\"", "filter", "\":\"", "lib", "\"}"].map(|a| args(1, a)));
    expected.extend([close(0), close(1), stop(StopReason::ToolUse), usage(290, 1920, 118, 0)]);
    assert_eq!(events, expected);
}

// ---- decoding edge cases ----

fn chunk(choices: Value) -> String {
    let chunk = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "m",
        "choices": choices});
    format!("data: {chunk}\n\n")
}

fn delta(delta: Value) -> String {
    chunk(json!([{"index": 0, "delta": delta, "finish_reason": null}]))
}

fn finish(reason: &str) -> String {
    chunk(json!([{"index": 0, "delta": {}, "finish_reason": reason}]))
}

#[test]
fn unknown_events_and_malformed_json_are_skipped() {
    let clean = [delta(json!({"content": "Hi"})), finish("stop"), "data: [DONE]\n\n".into()].concat();
    let noisy = [
        "event: ping\ndata: {\"type\":\"ping\"}\n\n".into(),
        delta(json!({"content": "Hi", "audio": {"id": "x"}})),
        "data: {\"id\": \"chatcmpl-1\", \"choices\": [\n\n".into(),
        "data: not json at all\n\n".into(),
        chunk(json!([{"index": 1, "delta": {"content": "another choice"}, "finish_reason": null}])),
        chunk(json!([{"index": 0, "delta": {"content": null}, "finish_reason": ""}])),
        finish("stop"),
        "data: [DONE]\n\n".into(),
        delta(json!({"content": "after the end"})),
    ]
    .concat();
    let expected = vec![
        StreamEvent::Start { id: "chatcmpl-1".into(), model: "m".into(), created: Some(7) },
        open(0, Block::Text),
        text(0, "Hi"),
        close(0),
        stop(StopReason::EndTurn),
    ];
    assert_eq!(decode(clean.as_bytes()), expected);
    assert_eq!(decode(noisy.as_bytes()), expected);
}

#[test]
fn openrouter_reasoning_refusals_and_finish_reasons() {
    let stream = [
        delta(json!({"role": "assistant", "content": "", "reasoning": "Hmm."})),
        delta(json!({"refusal": "I can't help with that."})),
        finish("stop"),
    ]
    .concat();
    let events = decode(stream.as_bytes());
    assert_eq!(
        events[1..6],
        [
            open(0, reasoning(Family::OpenAi)),
            StreamEvent::Delta { index: 0, delta: Delta::Reasoning("Hmm.".into()) },
            close(0),
            open(1, Block::Text),
            text(1, "I can't help with that."),
        ]
    );
    assert_eq!(events[7], stop(StopReason::Refusal));
    for (reason, expected) in [
        ("length", StopReason::MaxTokens),
        ("content_filter", StopReason::ContentFilter),
        ("function_call", StopReason::ToolUse),
        ("eos", StopReason::Other("eos".into())),
    ] {
        let events = decode([finish(reason), "data: [DONE]\n\n".into()].concat().as_bytes());
        assert_eq!(events[1], stop(expected), "{reason}");
    }
}

#[test]
fn a_tool_call_without_id_or_arguments_gets_defaults() {
    let stream = [
        delta(json!({"tool_calls": [{"function": {"name": "now"}}]})),
        delta(json!({"function_call": {"name": "legacy", "arguments": "{\"a\":1}"}})),
        "data: [DONE]\n\n".into(),
    ]
    .concat();
    assert_eq!(
        decode(stream.as_bytes())[1..],
        [
            open(0, call("call_0", "now")),
            open(1, call("call_1", "legacy")),
            args(1, "{\"a\":1}"),
            args(0, "{}"),
            close(0),
            close(1),
            // No finish_reason before `[DONE]`: a tool call came, so the stop is tool use.
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn in_stream_errors_take_their_kind_from_type_or_code() {
    for (body, kind) in [
        (
            r#"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#,
            ErrorKind::RateLimited,
        ),
        (r#"{"error":{"message":"busy","code":503}}"#, ErrorKind::Overloaded),
        (r#"{"error":{"message":"too long","type":"invalid_request_error"}}"#, ErrorKind::InvalidRequest),
        (r#"{"error":"plain text"}"#, ErrorKind::Internal),
    ] {
        let events = decode(format!("data: {body}\n\n").as_bytes());
        // Even an error that comes first follows a `Start`.
        assert!(matches!(events[0], StreamEvent::Start { .. }), "{body}");
        assert_eq!((events.len(), error_of(&events).kind), (2, kind), "{body}");
    }
}

#[test]
fn usage_is_read_from_any_chunk_and_a_bad_usage_loses_nothing_else() {
    let stream = [
        delta(json!({"content": "Hi"})),
        chunk(json!([{"index": 0, "delta": {}, "finish_reason": "stop"}]))
            .replace("\"choices\"", "\"usage\":{\"prompt_tokens\":\"many\"},\"choices\""),
        "data: {\"id\":\"chatcmpl-1\",\"choices\":null,\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\n".into(),
        "data: [DONE]\n\n".into(),
    ]
    .concat();
    let events = decode(stream.as_bytes());
    assert_eq!(events[4..], [stop(StopReason::EndTurn), usage(10, 0, 2, 0)]);
}

// ---- encoding ----

fn head() -> Value {
    json!({"id": "chatcmpl-42", "object": "chat.completion.chunk", "created": 1_764_240_000, "model": "gpt-5"})
}

/// A chunk with the test head, one choice and `"usage": null`.
fn expect(delta: Value, finish_reason: Value) -> Value {
    let mut chunk = head();
    chunk["choices"] =
        json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]);
    chunk["usage"] = Value::Null;
    chunk
}

fn begin() -> StreamEvent {
    start("chatcmpl-42", "gpt-5", 1_764_240_000)
}

#[test]
fn text_and_interleaved_tool_calls_encode_to_exact_chunks() {
    let opaque = Opaque { family: Family::Anthropic, value: "sig".into() };
    let events = vec![
        begin(),
        open(0, reasoning(Family::Anthropic)),
        StreamEvent::Delta { index: 0, delta: Delta::Reasoning("thinking".into()) },
        StreamEvent::Delta { index: 0, delta: Delta::Opaque(opaque) },
        close(0),
        open(1, Block::Text),
        text(1, "Reading both."),
        open(2, call("toolu_a", "read")),
        open(3, call("toolu_b", "read")),
        args(3, "{\"p\":\"b\"}"),
        args(2, "{\"p\":"),
        args(2, "\"a\"}"),
        close(1),
        close(2),
        close(3),
        usage(100, 900, 0, 0),
        stop(StopReason::ToolUse),
        usage(0, 0, 50, 20),
    ];
    let mut usage_chunk = head();
    usage_chunk["choices"] = json!([]);
    usage_chunk["usage"] = json!({"prompt_tokens": 1000, "completion_tokens": 50, "total_tokens": 1050,
        "prompt_tokens_details": {"cached_tokens": 900}, "completion_tokens_details": {"reasoning_tokens": 20}});
    let call = |index: usize, id: &str| {
        json!({"tool_calls": [{"index": index, "id": id, "type": "function",
            "function": {"name": "read", "arguments": ""}}]})
    };
    let fragment =
        |index: usize, args: &str| json!({"tool_calls": [{"index": index, "function": {"arguments": args}}]});
    assert_eq!(
        wire(&encode(events)),
        vec![
            expect(json!({"role": "assistant", "content": ""}), Value::Null),
            expect(json!({"content": "Reading both."}), Value::Null),
            expect(call(0, "toolu_a"), Value::Null),
            expect(call(1, "toolu_b"), Value::Null),
            expect(fragment(1, "{\"p\":\"b\"}"), Value::Null),
            expect(fragment(0, "{\"p\":"), Value::Null),
            expect(fragment(0, "\"a\"}"), Value::Null),
            expect(json!({}), json!("tool_calls")),
            usage_chunk,
            json!("[DONE]"),
        ]
    );
}

#[test]
fn reasoning_of_any_family_is_dropped_and_indices_stay_dense() {
    for family in [Family::OpenAi, Family::Google] {
        let events = vec![
            begin(),
            open(0, reasoning(family)),
            StreamEvent::Delta { index: 0, delta: Delta::Reasoning("plan".into()) },
            StreamEvent::Delta { index: 0, delta: Delta::Opaque(Opaque { family, value: "enc".into() }) },
            close(0),
            open(1, call("call_1", "f")),
            args(1, "{}"),
            close(1),
            stop(StopReason::ToolUse),
        ];
        let chunks = wire(&encode(events));
        let text = serde_json::to_string(&chunks).expect("json");
        assert!(!text.contains("plan") && !text.contains("enc"), "{text}");
        assert_eq!(chunks[1]["choices"][0]["delta"]["tool_calls"][0]["index"], 0);
    }
}

#[test]
fn stop_reasons_map_to_finish_reasons() {
    for (reason, expected) in [
        (StopReason::EndTurn, "stop"),
        (StopReason::StopSequence, "stop"),
        (StopReason::PauseTurn, "stop"),
        (StopReason::Refusal, "stop"),
        (StopReason::MaxTokens, "length"),
        (StopReason::ContextWindowExceeded, "length"),
        (StopReason::ToolUse, "tool_calls"),
        (StopReason::ContentFilter, "content_filter"),
        (StopReason::Other("eos".into()), "eos"),
    ] {
        let chunks = wire(&encode(vec![begin(), stop(reason)]));
        assert_eq!(chunks[1], expect(json!({}), json!(expected)));
        assert_eq!(chunks[2], json!("[DONE]"), "no usage came: no usage chunk");
    }
}

#[test]
fn without_include_usage_there_is_no_usage_member_or_chunk() {
    let events = vec![
        begin(),
        open(0, Block::Text),
        text(0, "Hi"),
        close(0),
        stop(StopReason::EndTurn),
        usage(5, 0, 1, 0),
    ];
    let chunks = wire(&encode_with(Encoder::new(false), events));
    let mut first = expect(json!({"role": "assistant", "content": ""}), Value::Null);
    first.as_object_mut().expect("object").remove("usage");
    assert_eq!(chunks.len(), 4);
    assert_eq!(chunks[0], first);
    assert!(chunks[1..3].iter().all(|chunk| chunk.get("usage").is_none()));
    assert_eq!(chunks[3], json!("[DONE]"));
}

#[test]
fn an_error_is_the_last_event_written() {
    let error = ApiError::new(ErrorKind::Overloaded, "upstream overloaded");
    let events = vec![
        begin(),
        open(0, Block::Text),
        text(0, "Hel"),
        StreamEvent::Error(error),
        text(0, "lo"),
        stop(StopReason::EndTurn),
    ];
    let chunks = wire(&encode(events));
    assert_eq!(chunks.len(), 3);
    assert_eq!(
        chunks[2],
        json!({"error": {"message": "upstream overloaded", "type": "server_error", "param": null, "code": null}})
    );
}

#[test]
fn a_stream_without_stop_ends_in_an_error_event_not_done() {
    let chunks = wire(&encode(vec![begin(), open(0, Block::Text), text(0, "Hel")]));
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[2]["error"]["type"], "server_error");
    assert!(chunks[2]["error"]["message"].as_str().is_some_and(|m| m.contains("ended before")));
    let chunks = wire(&encode(Vec::new()));
    assert_eq!(chunks.len(), 1, "even an empty stream ends in an error");
    assert!(chunks[0].get("error").is_some());
}

#[test]
fn content_before_start_gets_a_first_chunk_and_an_id() {
    let chunks =
        wire(&encode(vec![open(0, Block::Text), text(0, "Hi"), close(0), stop(StopReason::EndTurn)]));
    let id = chunks[0]["id"].as_str().expect("id");
    assert!(id.starts_with("chatcmpl-"), "{id}");
    assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant", "content": ""}));
    assert!(chunks[..3].iter().all(|chunk| chunk["id"] == id));
}

#[test]
fn a_tool_call_without_arguments_gets_an_empty_object() {
    let events = vec![begin(), open(0, call("call_1", "now")), close(0), stop(StopReason::ToolUse)];
    let chunks = wire(&encode(events));
    assert_eq!(
        chunks[2]["choices"][0]["delta"],
        json!({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]})
    );
}

// ---- round trip ----

/// What survives encode → decode: reasoning blocks are dropped (later blocks renumbered), usage events
/// merge into one after the stop, and an error keeps its kind and message.
fn normalised(events: &[StreamEvent]) -> Vec<StreamEvent> {
    let dropped: Vec<usize> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::BlockStart { index, block: Block::Reasoning { .. } } => Some(*index),
            _ => None,
        })
        .collect();
    let renumber = |index: usize| index - dropped.iter().filter(|d| **d < index).count();
    let mut usage = crate::stream::UsageAccumulator::default();
    let mut out = Vec::new();
    for event in events {
        usage.observe(event);
        match event.clone() {
            StreamEvent::BlockStart { index, .. }
            | StreamEvent::Delta { index, .. }
            | StreamEvent::BlockStop { index }
                if dropped.contains(&index) => {}
            StreamEvent::BlockStart { index, block } => out.push(open(renumber(index), block)),
            StreamEvent::Delta { index, delta } => {
                out.push(StreamEvent::Delta { index: renumber(index), delta })
            }
            StreamEvent::BlockStop { index } => out.push(close(renumber(index))),
            StreamEvent::Usage(_) => {}
            StreamEvent::Error(error) => {
                out.push(StreamEvent::Error(ApiError::new(error.kind, error.message)))
            }
            other => out.push(other),
        }
    }
    if usage.usage() != Usage::default() {
        let at =
            out.iter().position(|e| matches!(e, StreamEvent::Stop { .. })).map_or(out.len(), |at| at + 1);
        out.insert(at, StreamEvent::Usage(usage.usage()));
    }
    out
}

#[test]
fn every_fixture_survives_encode_then_decode() {
    let dir = format!("{}/tests/fixtures/openai_chat/stream", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let events = decode(&fixture(&name));
        let again = decode(&encode(events.clone()));
        assert_eq!(normalised(&again), normalised(&events), "{name}");
    }
}

#[test]
fn decoding_does_not_depend_on_chunk_boundaries() {
    let bytes = fixture("text_and_parallel_tool_calls.sse");
    let whole = decode(&bytes);
    for size in [1, 7, 37] {
        let mut sse = sse::Decoder::new();
        let mut decoder = Decoder::default();
        let mut events = Vec::new();
        for piece in bytes.chunks(size) {
            sse.feed(piece);
            while let Some(event) = sse.next_event() {
                decoder.decode(event.event.as_deref(), &event.data, &mut events);
            }
        }
        decoder.finish(&mut events);
        assert_eq!(events, whole, "chunks of {size}");
    }
}
