//! Encoding: hand-built event sequences give exactly the expected wire events; fixtures round-trip.

use super::decoding::check_contract;
use super::*;

/// The `response` object of the lifecycle events, as the encoder writes it.
fn response(status: &str, output: Value, usage: Value) -> Value {
    json!({
        "id": "resp_1", "object": "response", "created_at": 1700000000, "status": status, "error": null,
        "incomplete_details": null, "model": "gpt-5", "output": output, "parallel_tool_calls": true,
        "tool_choice": "auto", "tools": [], "usage": usage,
    })
}

fn numbered(events: Vec<Value>) -> Vec<Value> {
    events
        .into_iter()
        .enumerate()
        .map(|(n, mut event)| {
            event["sequence_number"] = json!(n);
            event
        })
        .collect()
}

fn data(wire: Vec<(String, Value)>) -> Vec<Value> {
    wire.into_iter().map(|(_, data)| data).collect()
}

#[test]
fn text_reasoning_and_a_call_become_the_full_event_sequence() {
    let wire = encode(vec![
        start("resp_1", "gpt-5", 1700000000),
        block(0, reasoning(Some("rs_1"))),
        summary(0, 0, "Plan"),
        summary(0, 0, "ning"),
        summary(0, 3, "Act"),
        opaque(0, Family::OpenAi, "ENC"),
        stop_block(0),
        block(1, Block::Text),
        text(1, "Hi"),
        stop_block(1),
        block(2, call("call_1", None, "ns--run")),
        args(2, "{}"),
        stop_block(2),
        StreamEvent::Stop { reason: StopReason::ToolUse, stop_sequence: None },
        usage(10, 90, 5, 2),
    ]);
    let rs = json!({"type": "reasoning", "id": "rs_1", "summary": [
        {"type": "summary_text", "text": "Planning"}, {"type": "summary_text", "text": "Act"}],
        "encrypted_content": "ENC"});
    let msg = json!({"type": "message", "id": "msg_11", "status": "completed", "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "text": "Hi"}]});
    let fc = json!({"type": "function_call", "id": "fc_call_1", "status": "completed", "arguments": "{}",
        "call_id": "call_1", "namespace": "ns", "name": "run"});
    let usage = json!({"input_tokens": 100, "input_tokens_details": {"cached_tokens": 90}, "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 2}, "total_tokens": 105});
    let expected = numbered(vec![
        json!({"type": "response.created", "response": response("in_progress", json!([]), Value::Null)}),
        json!({"type": "response.in_progress", "response": response("in_progress", json!([]), Value::Null)}),
        json!({"type": "response.output_item.added", "output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": ""}}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": "Plan"}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "delta": "ning"}),
        json!({"type": "response.reasoning_summary_text.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "text": "Planning"}),
        json!({"type": "response.reasoning_summary_part.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 0, "part": {"type": "summary_text", "text": "Planning"}}),
        json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "part": {"type": "summary_text", "text": ""}}),
        json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "delta": "Act"}),
        json!({"type": "response.reasoning_summary_text.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "text": "Act"}),
        json!({"type": "response.reasoning_summary_part.done", "item_id": "rs_1", "output_index": 0,
            "summary_index": 1, "part": {"type": "summary_text", "text": "Act"}}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": rs}),
        json!({"type": "response.output_item.added", "output_index": 1, "item": {"type": "message",
            "id": "msg_11", "status": "in_progress", "role": "assistant", "content": []}}),
        json!({"type": "response.content_part.added", "item_id": "msg_11", "output_index": 1, "content_index": 0,
            "part": {"type": "output_text", "annotations": [], "text": ""}}),
        json!({"type": "response.output_text.delta", "item_id": "msg_11", "output_index": 1, "content_index": 0,
            "delta": "Hi", "logprobs": []}),
        json!({"type": "response.output_text.done", "item_id": "msg_11", "output_index": 1, "content_index": 0,
            "text": "Hi", "logprobs": []}),
        json!({"type": "response.content_part.done", "item_id": "msg_11", "output_index": 1, "content_index": 0,
            "part": {"type": "output_text", "annotations": [], "text": "Hi"}}),
        json!({"type": "response.output_item.done", "output_index": 1, "item": msg}),
        json!({"type": "response.output_item.added", "output_index": 2, "item": {"type": "function_call",
            "id": "fc_call_1", "status": "in_progress", "arguments": "", "call_id": "call_1", "namespace": "ns",
            "name": "run"}}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_call_1", "output_index": 2,
            "delta": "{}"}),
        json!({"type": "response.function_call_arguments.done", "item_id": "fc_call_1", "output_index": 2,
            "arguments": "{}"}),
        json!({"type": "response.output_item.done", "output_index": 2, "item": fc}),
        json!({"type": "response.completed", "response": response("completed", json!([rs, msg, fc]), usage)}),
    ]);
    let wire = data(wire);
    assert_eq!(wire.len(), expected.len(), "{wire:#?}");
    for (got, want) in wire.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[test]
fn reasoning_text_is_a_content_part_and_max_tokens_is_incomplete() {
    let wire = data(encode(vec![
        start("resp_1", "gpt-5", 1700000000),
        block(0, reasoning(None)),
        thinking(0, "Hm"),
        stop_block(0),
        StreamEvent::Stop { reason: StopReason::MaxTokens, stop_sequence: None },
    ]));
    let rs = json!({"type": "reasoning", "id": "rs_10", "summary": [],
        "content": [{"type": "reasoning_text", "text": "Hm"}]});
    let mut incomplete = response("incomplete", json!([rs]), Value::Null);
    incomplete["incomplete_details"] = json!({"reason": "max_output_tokens"});
    assert_eq!(
        wire[2..],
        numbered(vec![
            json!({}),
            json!({}),
            json!({"type": "response.output_item.added", "output_index": 0,
                "item": {"type": "reasoning", "id": "rs_10", "summary": []}}),
            json!({"type": "response.content_part.added", "item_id": "rs_10", "output_index": 0,
                "content_index": 0, "part": {"type": "reasoning_text", "text": ""}}),
            json!({"type": "response.reasoning_text.delta", "item_id": "rs_10", "output_index": 0,
                "content_index": 0, "delta": "Hm"}),
            json!({"type": "response.reasoning_text.done", "item_id": "rs_10", "output_index": 0,
                "content_index": 0, "text": "Hm"}),
            json!({"type": "response.content_part.done", "item_id": "rs_10", "output_index": 0,
                "content_index": 0, "part": {"type": "reasoning_text", "text": "Hm"}}),
            json!({"type": "response.output_item.done", "output_index": 0, "item": rs}),
            json!({"type": "response.incomplete", "response": incomplete}),
        ])[2..]
    );
}

#[test]
fn reasoning_of_another_family_is_dropped_and_output_indices_stay_dense() {
    let wire = data(encode(vec![
        start("msg_01Abc", "claude-opus-4-8", 1700000000),
        block(0, Block::Reasoning { family: Family::Anthropic, id: None, redacted: false }),
        thinking(0, "secret"),
        opaque(0, Family::Anthropic, "sig"),
        stop_block(0),
        block(1, Block::Text),
        opaque(1, Family::Google, "thought-signature"),
        text(1, "Hi"),
        stop_block(1),
        StreamEvent::Stop { reason: StopReason::EndTurn, stop_sequence: None },
    ]));
    let kinds: Vec<&str> = wire.iter().map(|event| event["type"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        kinds,
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    assert_eq!(wire[0]["response"]["id"], "resp_msg_01Abc");
    assert_eq!(wire[2]["output_index"], 0);
    assert_eq!(wire[2]["item"]["id"], "msg_msg_01Abc0");
    let output = &wire[8]["response"]["output"];
    assert_eq!(output.as_array().map(Vec::len), Some(1));
    assert!(
        !wire.iter().any(|event| event.to_string().contains("secret") || event.to_string().contains("sig"))
    );
}

#[test]
fn parallel_calls_with_interleaved_fragments_keep_their_items_apart() {
    let wire = data(encode(vec![
        start("resp_1", "gpt-5", 1700000000),
        block(0, call("call_a", Some("fc_a"), "f")),
        block(1, call("call_b", Some("fc_b"), "g")),
        args(1, "{\"y\":"),
        args(0, "{\"x\":"),
        args(1, "2}"),
        args(0, "1}"),
        stop_block(1),
        stop_block(0),
        StreamEvent::Stop { reason: StopReason::ToolUse, stop_sequence: None },
    ]));
    let calls: Vec<(&str, &str, Value)> = wire
        .iter()
        .filter(|event| event["type"] == "response.function_call_arguments.delta")
        .map(|event| {
            (
                event["item_id"].as_str().unwrap_or_default(),
                event["delta"].as_str().unwrap_or_default(),
                event["output_index"].clone(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("fc_b", "{\"y\":", json!(1)),
            ("fc_a", "{\"x\":", json!(0)),
            ("fc_b", "2}", json!(1)),
            ("fc_a", "1}", json!(0))
        ]
    );
    let output = &wire.last().expect("a terminal event")["response"]["output"];
    assert_eq!(output[0]["id"], "fc_b");
    assert_eq!(output[0]["arguments"], "{\"y\":2}");
    assert_eq!(output[1]["id"], "fc_a");
    assert_eq!(output[1]["arguments"], "{\"x\":1}");
}

#[test]
fn an_error_becomes_response_failed_and_ends_the_stream() {
    let error = ApiError {
        code: Some("overloaded_error".into()),
        ..ApiError::new(ErrorKind::Overloaded, "Overloaded")
    };
    let wire = data(encode(vec![
        start("resp_1", "gpt-5", 1700000000),
        block(0, Block::Text),
        text(0, "Hel"),
        StreamEvent::Error(error),
        text(0, "lo"),
        stop_block(0),
        StreamEvent::Stop { reason: StopReason::EndTurn, stop_sequence: None },
    ]));
    let mut failed = response("failed", json!([]), Value::Null);
    failed["error"] = json!({"code": "overloaded_error", "message": "Overloaded"});
    assert_eq!(wire.len(), 6);
    assert_eq!(wire[5], json!({"type": "response.failed", "sequence_number": 5, "response": failed}));
}

#[test]
fn a_rate_limit_is_written_with_the_code_codex_retries_on() {
    let error = ApiError {
        code: Some("rate_limit_error".into()),
        ..ApiError::new(ErrorKind::RateLimited, "Slow down")
    };
    let wire = data(encode(vec![StreamEvent::Error(error)]));
    assert_eq!(wire.len(), 3);
    assert_eq!(wire[2]["response"]["error"], json!({"code": "rate_limit_exceeded", "message": "Slow down"}));
}

#[test]
fn a_cut_stream_ends_with_response_failed() {
    let wire =
        data(encode(vec![start("resp_1", "gpt-5", 1700000000), block(0, Block::Text), text(0, "Hel")]));
    let mut failed = response("failed", json!([]), Value::Null);
    failed["error"] = json!({"code": "server_error", "message": "the upstream stream ended early, before the answer was complete"});
    assert_eq!(wire.len(), 6);
    assert_eq!(wire[5], json!({"type": "response.failed", "sequence_number": 5, "response": failed}));
}

#[test]
fn an_empty_stream_is_still_well_formed() {
    let wire = data(encode(Vec::new()));
    let kinds: Vec<&str> = wire.iter().map(|event| event["type"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["response.created", "response.in_progress", "response.failed"]);
    assert_eq!(wire[0]["response"]["id"], "resp_0");
}

#[test]
fn usage_after_stop_reaches_the_terminal_event() {
    let wire = data(encode(vec![
        start("resp_1", "gpt-5", 1700000000),
        StreamEvent::Stop { reason: StopReason::EndTurn, stop_sequence: None },
        usage(7, 0, 0, 0),
        usage(0, 0, 3, 0),
    ]));
    let last = wire.last().expect("a terminal event");
    assert_eq!(last["type"], "response.completed");
    assert_eq!(last["response"]["usage"]["input_tokens"], 7);
    assert_eq!(last["response"]["usage"]["output_tokens"], 3);
    assert_eq!(last["response"]["usage"]["total_tokens"], 10);
}

/// Every fixture, decoded, encoded and decoded again, gives the same events; the encoded stream numbers
/// its events from 0 and its items densely. Normalisation: a stream that ended in an error the gateway
/// made (a cut) comes back with the error code the encoder wrote.
#[test]
fn every_fixture_round_trips() {
    for entry in std::fs::read_dir(FIXTURES).expect("fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let events = decode(&std::fs::read(entry.path()).expect("readable"));
        let mut encoder = Encoder::default();
        let mut bytes = Vec::new();
        for event in events.clone() {
            encoder.encode(event, &mut bytes);
        }
        encoder.finish(&mut bytes);
        let wire = parse_sse(&bytes);
        for (n, (_, data)) in wire.iter().enumerate() {
            assert_eq!(data["sequence_number"], json!(n), "{name}");
        }
        let added: Vec<&Value> = wire
            .iter()
            .filter(|(kind, _)| kind == "response.output_item.added")
            .map(|(_, d)| &d["output_index"])
            .collect();
        assert!(added.iter().enumerate().all(|(i, index)| **index == json!(i)), "{name}: {added:?}");
        let again = decode(&bytes);
        check_contract(&again);
        let mut expected = events;
        if let Some(StreamEvent::Error(error)) = expected.last_mut()
            && error.code.is_none()
        {
            error.code = Some("server_error".into());
        }
        assert_eq!(again, expected, "{name}");
    }
}

#[test]
fn every_fixture_translates_through_every_pair_to_a_well_formed_responses_stream() {
    use crate::WireFormat;
    use crate::stream::Translator;
    for entry in std::fs::read_dir(FIXTURES).expect("fixtures").flatten() {
        for to in WireFormat::ALL {
            let mut translator = Translator::new(WireFormat::OpenAiResponses, to);
            let mut out = Vec::new();
            translator.feed(&std::fs::read(entry.path()).expect("readable"), &mut out);
            translator.finish(&mut out);
            if to == WireFormat::OpenAiResponses {
                check_contract(&decode(&out));
            }
        }
    }
}
