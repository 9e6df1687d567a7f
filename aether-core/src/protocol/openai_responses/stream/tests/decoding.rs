//! Decoding: each fixture gives exactly the expected events.

use super::*;

#[test]
fn reasoning_text_and_a_function_call() {
    let events = decode(&fixture("reasoning_text_function_call.sse"));
    assert_eq!(
        events,
        vec![
            start("resp_68a9c1d2e3f4a5b6", "gpt-5-2026-08-01", 1764240000),
            block(0, reasoning(Some("rs_68a9c1d2e3f4a5b7"))),
            summary(0, 0, "**Planning the fix**"),
            opaque(0, Family::OpenAi, "gAAAAABo_encrypted_reasoning_blob=="),
            stop_block(0),
            block(1, Block::Text),
            text(1, "Running "),
            text(1, "the tests."),
            stop_block(1),
            block(2, call("call_Xy7pQ2mN", Some("fc_68a9c1d2e3f4a5b9"), "exec_command")),
            args(2, "{\"cmd\":"),
            args(2, "\"cargo test\"}"),
            stop_block(2),
            usage(5400 - 4864, 4864, 210, 128),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn a_stream_whose_first_content_is_a_function_call() {
    let events = decode(&fixture("first_content_function_call.sse"));
    let fragments = [
        "{\"cmd",
        "\":\"",
        "rg",
        " --files",
        " -g",
        " '*.rs'",
        " aether-core/src/protocol",
        "\",\"workdir",
        "\":\"",
        "/work/aether",
        "\"}",
    ];
    let mut expected = vec![
        start("resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "gpt-5-2026-08-01", 1764240100),
        block(0, call("call_N4rT8vKq2Lw9", Some("fc_0a1b2c3d4e5f6071a1"), "exec_command")),
    ];
    expected.extend(fragments.iter().map(|f| args(0, f)));
    expected.extend([stop_block(0), usage(8123 - 7936, 7936, 58, 0), stop(StopReason::ToolUse)]);
    assert_eq!(events, expected);
}

#[test]
fn parallel_calls_with_interleaved_fragments_are_told_apart_by_item_id() {
    let events = decode(&fixture("parallel_function_calls.sse"));
    assert_eq!(
        events,
        vec![
            start("resp_1b2c3d4e5f60718293a4b5c6d7e8f90a", "gpt-5-2026-08-01", 1764240200),
            block(0, call("call_Hq3mV7xLp0Ze", Some("fc_1b2c3d4e5f607182b1"), "exec_command")),
            block(1, call("call_Wd5nK1sYt8Qa", Some("fc_1b2c3d4e5f607182b2"), "view_image")),
            args(0, "{\"cmd\":\""),
            args(1, "{\"path\":\""),
            args(0, "cargo test"),
            args(1, "docs/"),
            args(0, " -p aether-core"),
            args(1, "architecture"),
            args(0, " stream"),
            args(1, ".png\"}"),
            args(0, "\"}"),
            stop_block(0),
            stop_block(1),
            usage(9470 - 9216, 9216, 83, 0),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn interleaved_fragments_without_output_index_still_find_their_call() {
    let stream = concat!(
        "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"fc_a\",\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"f\",\"arguments\":\"\"}}\n\n",
        "data: {\"type\":\"response.output_item.added\",\"output_index\":1,\"item\":{\"id\":\"fc_b\",\"type\":\"function_call\",\"call_id\":\"call_b\",\"name\":\"g\",\"arguments\":\"\"}}\n\n",
        "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_b\",\"delta\":\"{}\"}\n\n",
        "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_a\",\"delta\":\"{\\\"x\\\":1}\"}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n",
    );
    let events = decode(stream.as_bytes());
    assert_eq!(
        events,
        vec![
            StreamEvent::Start { id: String::new(), model: String::new(), created: None },
            block(0, call("call_a", Some("fc_a"), "f")),
            block(1, call("call_b", Some("fc_b"), "g")),
            args(1, "{}"),
            args(0, "{\"x\":1}"),
            stop_block(0),
            stop_block(1),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn response_failed_mid_stream_is_an_error_after_the_open_blocks_stop() {
    let events = decode(&fixture("failed_mid_stream.sse"));
    let error = ApiError {
        kind: ErrorKind::RateLimited,
        status: 429,
        message: "Rate limit reached for gpt-5 in organization org-aether on tokens per min (TPM): Limit 30000, Used 29114, Requested 1532. Please try again in 1.292s. Visit https://platform.openai.com/account/rate-limits to learn more.".into(),
        code: Some("rate_limit_exceeded".into()),
        param: None,
    };
    assert_eq!(
        events,
        vec![
            start("resp_2c3d4e5f60718293a4b5c6d7e8f90a1b", "gpt-5-2026-08-01", 1764240300),
            block(0, reasoning(Some("rs_2c3d4e5f60718293c1"))),
            summary(0, 0, "**Reading the failing test**\n\nThe snapshot differs in the `usage` block."),
            opaque(0, Family::OpenAi, ENC),
            stop_block(0),
            block(1, Block::Text),
            text(1, "The snapshot"),
            text(1, " changed because"),
            text(1, " cached tokens"),
            stop_block(1),
            StreamEvent::Error(error),
        ]
    );
}

#[test]
fn an_error_event_mid_stream_is_parsed_by_the_error_parser() {
    let events = decode(&fixture("error_event_mid_stream.sse"));
    let error = ApiError {
        code: Some("server_error".into()),
        ..ApiError::new(
            ErrorKind::Internal,
            "The server had an error while processing your request. Sorry about that!",
        )
    };
    assert_eq!(
        events,
        vec![
            start("resp_3d4e5f60718293a4b5c6d7e8f90a1b2c", "gpt-5-mini-2026-07-15", 1764240400),
            block(0, Block::Text),
            text(0, "Here is"),
            text(0, " the plan:\n\n1. Read"),
            text(0, " `stream/mod.rs`"),
            stop_block(0),
            StreamEvent::Error(error),
        ]
    );
}

#[test]
fn a_nested_error_event_and_what_follows_an_error() {
    let stream = concat!(
        "data: {\"type\":\"error\",\"sequence_number\":0,\"error\":{\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\",\"message\":\"Too long.\",\"param\":\"input\"}}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n",
    );
    let error = ApiError {
        code: Some("context_length_exceeded".into()),
        param: Some("input".into()),
        ..ApiError::new(ErrorKind::InvalidRequest, "Too long.")
    };
    assert_eq!(
        decode(stream.as_bytes()),
        vec![
            StreamEvent::Start { id: String::new(), model: String::new(), created: None },
            StreamEvent::Error(error),
        ]
    );
}

#[test]
fn a_cut_stream_stops_its_open_blocks_and_ends_with_an_error() {
    let events = decode(&fixture("cut_mid_function_call.sse"));
    let cut = ApiError::new(
        ErrorKind::Internal,
        "the upstream stream ended before its terminal event (response.completed)",
    );
    assert_eq!(
        events,
        vec![
            start("resp_4e5f60718293a4b5c6d7e8f90a1b2c3d", "gpt-5-2026-08-01", 1764240500),
            block(0, reasoning(Some("rs_4e5f60718293a4b5e1"))),
            summary(0, 0, "**Checking the build**"),
            opaque(0, Family::OpenAi, ENC),
            stop_block(0),
            block(1, Block::Text),
            text(1, "Building"),
            text(1, " first."),
            stop_block(1),
            block(2, call("call_Pz6cR2uJw4Mn", Some("fc_4e5f60718293a4b5e3"), "exec_command")),
            args(2, "{\"cmd\":\""),
            args(2, "cargo build"),
            args(2, " -p aether"),
            stop_block(2),
            StreamEvent::Error(cut),
        ]
    );
}

#[test]
fn web_search_items_and_unknown_events_are_skipped_and_indices_stay_dense() {
    let events = decode(&fixture("web_search_and_unknown_event.sse"));
    assert_eq!(
        events,
        vec![
            start("resp_5f60718293a4b5c6d7e8f90a1b2c3d4e", "gpt-5-2026-08-01", 1764240600),
            block(0, reasoning(Some("rs_5f60718293a4b5c6f1"))),
            summary(0, 0, "**Looking up the release notes**"),
            opaque(0, Family::OpenAi, ENC),
            stop_block(0),
            block(1, Block::Text),
            text(1, "Tokio 1.54"),
            text(1, " adds a cooperative"),
            text(1, " scheduling budget"),
            text(1, " for `select!`."),
            stop_block(1),
            usage(2310, 0, 412, 256),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn a_namespaced_call_is_flattened_like_the_non_streaming_codec() {
    let events = decode(&fixture("namespaced_function_call.sse"));
    assert_eq!(
        events,
        vec![
            start("resp_60718293a4b5c6d7e8f90a1b2c3d4e5f", "gpt-5-2026-08-01", 1764240700),
            block(0, reasoning(Some("rs_60718293a4b5c6d7a1"))),
            summary(0, 0, "**Splitting the work**\n\nThe four codecs are independent."),
            summary(0, 1, "**Delegating**"),
            opaque(0, Family::OpenAi, ENC),
            stop_block(0),
            block(1, call("call_Gv2bT9yHs3Kd", Some("fc_60718293a4b5c6d7a2"), "multi_agent_v1--spawn_agent")),
            args(1, "{\"task\":\""),
            args(1, "Write the Gemini"),
            args(1, " stream decoder"),
            args(1, "\",\"model\":\""),
            args(1, "gpt-5-mini\"}"),
            stop_block(1),
            usage(12044 - 11776, 11776, 301, 192),
            stop(StopReason::ToolUse),
        ]
    );
}

#[test]
fn reasoning_text_and_an_incomplete_answer() {
    let events = decode(&fixture("reasoning_text_incomplete.sse"));
    assert_eq!(
        events,
        vec![
            start("resp_718293a4b5c6d7e8f90a1b2c3d4e5f60", "gpt-oss-120b", 1764240800),
            block(0, reasoning(Some("rs_718293a4b5c6d7e8b1"))),
            thinking(0, "The user wants"),
            thinking(0, " a haiku about"),
            thinking(0, " SSE parsers."),
            stop_block(0),
            block(1, Block::Text),
            text(1, "Bytes arrive in halves"),
            text(1, "\nA line waits"),
            stop_block(1),
            usage(64, 0, 32, 18),
            stop(StopReason::MaxTokens),
        ]
    );
}

#[test]
fn unknown_events_and_malformed_json_are_skipped() {
    let stream = concat!(
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"m\",\"created_at\":1.5e0}}\n\n",
        "event: response.brand_new\ndata: {\"type\":\"response.brand_new\",\"whatever\":[1,{\"a\":null}]}\n\n",
        "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[]}\n\n",
        "data: not json at all\n\n",
        "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"brand_new\":{}}}\n\n",
        "data: {\"type\":\"response.content_part.added\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\"}}\n\n",
        "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":7}\n\n",
        "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"ok\"}\n\n",
        "data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"ok\"}]}}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1,\"total_tokens\":4}}}\n\n",
    );
    assert_eq!(
        decode(stream.as_bytes()),
        vec![
            start("resp_1", "m", 1),
            block(0, Block::Text),
            text(0, "ok"),
            stop_block(0),
            usage(3, 0, 1, 0),
            stop(StopReason::EndTurn),
        ]
    );
}

#[test]
fn items_that_did_not_stream_are_taken_from_their_done_events() {
    let stream = concat!(
        "data: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"id\":\"rs_1\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"S\"}],\"content\":[{\"type\":\"reasoning_text\",\"text\":\"R\"}],\"encrypted_content\":\"E\"}}\n\n",
        "data: {\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"A\"},{\"type\":\"refusal\",\"refusal\":\"B\"}]}}\n\n",
        "data: {\"type\":\"response.output_item.added\",\"output_index\":2,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"\"}}\n\n",
        "data: {\"type\":\"response.function_call_arguments.done\",\"item_id\":\"fc_1\",\"output_index\":2,\"arguments\":\"{}\"}\n\n",
        "data: {\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"}}\n\n",
        "data: {\"type\":\"response.incomplete\",\"response\":{\"incomplete_details\":{\"reason\":\"content_filter\"}}}\n\n",
    );
    assert_eq!(
        decode(stream.as_bytes()),
        vec![
            StreamEvent::Start { id: String::new(), model: String::new(), created: None },
            block(0, reasoning(Some("rs_1"))),
            summary(0, 0, "S"),
            thinking(0, "R"),
            opaque(0, Family::OpenAi, "E"),
            stop_block(0),
            block(1, Block::Text),
            text(1, "A"),
            stop_block(1),
            block(2, Block::Text),
            text(2, "B"),
            stop_block(2),
            block(3, call("c1", Some("fc_1"), "f")),
            args(3, "{}"),
            stop_block(3),
            stop(StopReason::ContentFilter),
        ]
    );
}

#[test]
fn every_fixture_decodes_by_the_contract_at_every_chunk_split() {
    for entry in std::fs::read_dir(FIXTURES).expect("fixtures").flatten() {
        let bytes = std::fs::read(entry.path()).expect("readable");
        let whole = decode(&bytes);
        for size in [1, 7, 64] {
            let mut sse = sse::Decoder::new();
            let mut decoder = Decoder::default();
            let mut events = Vec::new();
            for chunk in bytes.chunks(size) {
                sse.feed(chunk);
                while let Some(event) = sse.next_event() {
                    decoder.decode(event.event.as_deref(), &event.data, &mut events);
                }
            }
            if let Some(event) = sse.finish() {
                decoder.decode(event.event.as_deref(), &event.data, &mut events);
            }
            decoder.finish(&mut events);
            assert_eq!(events, whole, "{:?} in chunks of {size}", entry.path());
        }
        check_contract(&whole);
    }
}

/// The ordering rules of [`crate::stream`]: one `Start` first, dense indices, deltas inside their block,
/// every block stopped before `Stop`, and nothing after `Stop` or `Error`.
pub(super) fn check_contract(events: &[StreamEvent]) {
    assert!(matches!(events.first(), Some(StreamEvent::Start { .. })), "{events:?}");
    let mut open = Vec::new();
    let mut next = 0;
    let mut ended = false;
    for event in &events[1..] {
        assert!(!ended, "nothing follows the end: {events:?}");
        match event {
            StreamEvent::Start { .. } => panic!("a second start"),
            StreamEvent::BlockStart { index, .. } => {
                assert_eq!(*index, next);
                next += 1;
                open.push(*index);
            }
            StreamEvent::Delta { index, .. } => assert!(open.contains(index)),
            StreamEvent::BlockStop { index } => {
                let at = open.iter().position(|i| i == index).expect("stops an open block");
                open.remove(at);
            }
            StreamEvent::Usage(_) => {}
            StreamEvent::Stop { .. } | StreamEvent::Error(_) => {
                assert!(open.is_empty(), "blocks stop first");
                ended = true;
            }
        }
    }
    assert!(ended, "a stream ends with Stop or Error");
}
