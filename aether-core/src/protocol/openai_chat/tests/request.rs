//! Requests: decoding gives the right IR, encoding an IR gives the right wire JSON.

use serde_json::{Map, Value, json};

use super::{decode, encode};
use crate::ir::{
    Effort, Extra, FunctionTool, Media, Message, Native, Opaque, Part, Reasoning, ReasoningConfig, Request,
    ResponseFormat, Role, Source, Text, Tool, ToolCall, ToolChoice, ToolOutput, ToolResult,
};
use crate::protocol::{Codec, PathParams};
use crate::{Family, TranslateError, WireFormat};

use super::super::OpenAiChat;

fn request(messages: Vec<Message>) -> Request {
    Request { model: "gpt-5".into(), messages, ..Request::default() }
}

fn user(parts: Vec<Part>) -> Message {
    Message { role: Role::User, content: parts, ..Message::default() }
}

fn assistant(parts: Vec<Part>) -> Message {
    Message { role: Role::Assistant, content: parts, ..Message::default() }
}

fn text(s: &str) -> Part {
    Part::Text(Text::new(s))
}

fn result(id: &str, output: &str, is_error: bool) -> Part {
    Part::ToolResult(ToolResult {
        call_id: id.into(),
        content: ToolOutput::Parts(vec![text(output)]),
        is_error,
        ..ToolResult::default()
    })
}

fn extra(format: WireFormat, value: Value) -> Extra {
    match value {
        Value::Object(map) => Extra::new(format, map),
        _ => Extra::default(),
    }
}

fn decode_err(body: &[u8]) -> TranslateError {
    OpenAiChat.decode_request(body, &PathParams::default()).expect_err("must fail")
}

#[test]
fn instructions_keep_their_role_and_position() {
    let ir = decode(&json!({"model": "gpt-5", "messages": [
        {"role": "system", "content": "S"}, {"role": "user", "content": "U"},
        {"role": "developer", "content": "D"}, {"role": "user", "content": "U2"}]}));
    let roles: Vec<Role> = ir.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::System, Role::User, Role::Developer, Role::User]);
}

#[test]
fn consecutive_tool_messages_become_one_user_message_of_results() {
    let ir = decode(&json!({"model": "m", "messages": [
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "b", "type": "function", "function": {"name": "f", "arguments": ""}}]},
        {"role": "tool", "tool_call_id": "a", "content": "one"},
        {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "two"}]},
        {"role": "user", "content": "next"}]}));
    assert_eq!(ir.messages.len(), 3);
    let results = &ir.messages[1];
    assert_eq!(results.role, Role::User);
    let ids: Vec<&str> = results
        .content
        .iter()
        .map(|p| match p {
            Part::ToolResult(r) => r.call_id.as_str(),
            _ => panic!("not a result: {p:?}"),
        })
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(matches!(&ir.messages[2].content[0], Part::Text(t) if t.text == "next"));
    assert!(matches!(&ir.messages[0].content[1], Part::ToolCall(c) if c.arguments == "{}"));
}

#[test]
fn images_read_data_urls_and_https_urls_with_detail() {
    let ir = decode(&json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
        {"type": "image_url", "image_url": {"url": "https://x.test/cat.png", "detail": "low"}}]}]}));
    let [Part::Image(a), Part::Image(b)] = &ir.messages[0].content[..] else { panic!("{:?}", ir.messages) };
    assert_eq!(a.source, Source::Base64 { media_type: "image/jpeg".into(), data: "/9j/4AAQ".into() });
    assert_eq!(b.source, Source::Url { url: "https://x.test/cat.png".into(), media_type: None });
    assert_eq!(b.detail.as_deref(), Some("low"));
}

#[test]
fn file_parts_are_documents() {
    let ir = decode(&json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"}},
        {"type": "file", "file": {"file_id": "file-1"}}]}]}));
    let [Part::Document(a), Part::Document(b)] = &ir.messages[0].content[..] else { panic!() };
    assert_eq!(a.source, Source::Base64 { media_type: "application/pdf".into(), data: "JVBE".into() });
    assert_eq!(a.name.as_deref(), Some("a.pdf"));
    assert_eq!(b.source, Source::FileId("file-1".into()));
}

#[test]
fn audio_and_unknown_parts_are_native() {
    let audio = json!({"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}});
    let ir = decode(&json!({"model": "m", "messages": [{"role": "user", "content": [audio.clone()]}]}));
    assert_eq!(
        ir.messages[0].content,
        [Part::Native(Native { format: WireFormat::OpenAiChat, value: audio })]
    );
}

#[test]
fn function_tools_are_typed_and_other_tools_native() {
    let ir = decode(&json!({"model": "m", "messages": [], "tools": [
        {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}, "strict": true}},
        {"type": "custom", "custom": {"name": "g"}}]}));
    assert_eq!(
        ir.tools[0],
        Tool::Function(FunctionTool {
            name: "f".into(),
            description: Some("d".into()),
            parameters: Some(json!({"type": "object"})),
            strict: Some(true),
            ..FunctionTool::default()
        })
    );
    assert!(matches!(&ir.tools[1], Tool::Native(n) if n.format == WireFormat::OpenAiChat));
}

#[test]
fn tool_choice_maps_both_ways() {
    let cases = [
        (json!("auto"), ToolChoice::Auto),
        (json!("none"), ToolChoice::None),
        (json!("required"), ToolChoice::Required),
        (json!({"type": "function", "function": {"name": "f"}}), ToolChoice::Tool("f".into())),
    ];
    for (wire, choice) in cases {
        let ir = decode(&json!({"model": "m", "messages": [], "tool_choice": wire}));
        assert_eq!(ir.tool_choice, Some(choice.clone()));
        let out = encode(Request { tool_choice: Some(choice), ..request(vec![]) });
        assert_eq!(out["tool_choice"], wire);
    }
}

#[test]
fn allowed_tools_choice_stays_in_extra() {
    let choice = json!({"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}});
    let ir = decode(&json!({"model": "m", "messages": [], "tool_choice": choice.clone()}));
    assert_eq!(ir.tool_choice, None);
    assert_eq!(ir.extra.fields_for(WireFormat::OpenAiChat).and_then(|f| f.get("tool_choice")), Some(&choice));
}

#[test]
fn legacy_max_tokens_is_written_back_as_max_tokens() {
    let ir = decode(&json!({"model": "m", "messages": [], "max_tokens": 50}));
    assert_eq!(ir.max_output_tokens, Some(50));
    let out = encode(Request { max_output_tokens: Some(20), ..ir });
    assert_eq!((out.get("max_tokens"), out.get("max_completion_tokens")), (Some(&json!(20)), None));
}

#[test]
fn other_formats_get_max_completion_tokens_and_stop_arrays() {
    let out = encode(Request { max_output_tokens: Some(64), stop: vec!["x".into()], ..request(vec![]) });
    assert_eq!((out.get("max_completion_tokens"), out.get("max_tokens")), (Some(&json!(64)), None));
    assert_eq!(out["stop"], json!(["x"]));
}

#[test]
fn a_stop_string_stays_a_string() {
    let ir = decode(&json!({"model": "m", "messages": [], "stop": "END"}));
    assert_eq!(ir.stop, ["END"]);
    assert_eq!(encode(ir)["stop"], json!("END"));
}

#[test]
fn reasoning_effort_maps_to_the_ir_effort() {
    for (wire, effort) in [
        ("none", Effort::None),
        ("minimal", Effort::Minimal),
        ("low", Effort::Low),
        ("medium", Effort::Medium),
        ("high", Effort::High),
        ("xhigh", Effort::Max),
    ] {
        let ir = decode(&json!({"model": "m", "messages": [], "reasoning_effort": wire}));
        assert_eq!(ir.reasoning.as_ref().and_then(|r| r.effort), Some(effort));
        assert_eq!(encode(ir)["reasoning_effort"], json!(wire));
    }
}

#[test]
fn a_thinking_budget_becomes_an_effort_by_table() {
    let effort = |budget, enabled| {
        let reasoning =
            ReasoningConfig { budget_tokens: Some(budget), enabled, ..ReasoningConfig::default() };
        encode(Request { reasoning: Some(reasoning), ..request(vec![]) }).get("reasoning_effort").cloned()
    };
    assert_eq!(effort(1024, Some(true)), Some(json!("low")));
    assert_eq!(effort(8192, None), Some(json!("medium")));
    assert_eq!(effort(31_999, Some(true)), Some(json!("high")));
    assert_eq!(effort(0, None), None);
    assert_eq!(effort(8192, Some(false)), None);
}

#[test]
fn safety_identifier_fills_the_user_only_when_user_is_absent() {
    let ir = decode(&json!({"model": "m", "messages": [], "safety_identifier": "s"}));
    assert_eq!(ir.user.as_deref(), Some("s"));
    let out = encode(ir);
    assert_eq!((out.get("user"), out.get("safety_identifier")), (None, Some(&json!("s"))));
    let ir = decode(&json!({"model": "m", "messages": [], "user": "u", "safety_identifier": "s"}));
    assert_eq!(ir.user.as_deref(), Some("u"));
}

#[test]
fn json_schema_response_format_maps_both_ways() {
    let wire = json!({"type": "json_schema", "json_schema": {"name": "ev", "description": "d",
        "schema": {"type": "object"}, "strict": true}});
    let ir = decode(&json!({"model": "m", "messages": [], "response_format": wire.clone()}));
    assert_eq!(
        ir.response_format,
        Some(ResponseFormat::JsonSchema {
            name: Some("ev".into()),
            description: Some("d".into()),
            schema: json!({"type": "object"}),
            strict: Some(true)
        })
    );
    assert_eq!(encode(ir)["response_format"], wire);
    let unnamed =
        ResponseFormat::JsonSchema { name: None, description: None, schema: json!({}), strict: None };
    let out = encode(Request { response_format: Some(unnamed), ..request(vec![]) });
    assert_eq!(
        out["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "response", "schema": {}}})
    );
}

#[test]
fn sampling_cache_key_metadata_and_stream_are_mapped() {
    let ir = decode(&json!({"model": "m", "messages": [], "temperature": 0.5, "top_p": 0.9, "seed": 7,
        "presence_penalty": 0.1, "frequency_penalty": 0.2, "prompt_cache_key": "k",
        "metadata": {"a": "b"}, "stream": true, "parallel_tool_calls": false}));
    assert_eq!(
        (ir.sampling.temperature, ir.sampling.top_p, ir.sampling.seed),
        (Some(0.5), Some(0.9), Some(7))
    );
    assert_eq!((ir.sampling.presence_penalty, ir.sampling.frequency_penalty), (Some(0.1), Some(0.2)));
    assert_eq!(ir.cache_key.as_deref(), Some("k"));
    assert_eq!(ir.metadata.as_ref().and_then(|m| m.get("a")), Some(&json!("b")));
    assert!(ir.stream);
    assert_eq!(ir.parallel_tool_calls, Some(false));
}

#[test]
fn legacy_function_role_is_rejected_with_its_path() {
    let err = decode_err(br#"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"function","name":"f","content":"1"}]}"#);
    assert!(matches!(&err, TranslateError::Invalid { path, .. } if path == "messages[1].role"), "{err}");
}

#[test]
fn a_bad_part_is_invalid_at_its_path_and_bad_json_is_a_json_error() {
    let err = decode_err(br#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}}]}]}"#);
    assert!(
        matches!(&err, TranslateError::Invalid { path, .. } if path == "messages[0].content[1]"),
        "{err}"
    );
    assert!(matches!(decode_err(b"{\"model\":"), TranslateError::Json(_)));
    let err = decode_err(br#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#);
    assert!(
        matches!(&err, TranslateError::Invalid { path, .. } if path == "messages[0].tool_call_id"),
        "{err}"
    );
}

#[test]
fn a_single_plain_text_part_is_a_string_and_more_parts_an_array() {
    let out = encode(request(vec![user(vec![text("a")]), user(vec![text("a"), text("b")])]));
    assert_eq!(out["messages"][0]["content"], json!("a"));
    assert_eq!(
        out["messages"][1]["content"],
        json!([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
    );
}

#[test]
fn tool_results_split_into_tool_messages_then_a_user_message() {
    let ir = request(vec![user(vec![result("a", "ok", false), result("b", "boom", true), text("and?")])]);
    let out = encode(ir);
    assert_eq!(
        out["messages"],
        json!([
            {"role": "tool", "tool_call_id": "a", "content": "ok"},
            {"role": "tool", "tool_call_id": "b", "content": "boom"},
            {"role": "user", "content": "and?"}
        ])
    );
}

#[test]
fn json_tool_output_is_sent_as_json_text() {
    let part = Part::ToolResult(ToolResult {
        call_id: "a".into(),
        content: ToolOutput::Json(json!({"temp": 3})),
        ..ToolResult::default()
    });
    assert_eq!(encode(request(vec![user(vec![part])]))["messages"][0]["content"], json!("{\"temp\":3}"));
}

#[test]
fn images_in_tool_results_move_to_a_user_message_after_the_tools() {
    let image = Part::Image(Media {
        source: Source::Base64 { media_type: "image/png".into(), data: "iVBO".into() },
        name: None,
        detail: None,
        extra: Extra::default(),
    });
    let screenshot = Part::ToolResult(ToolResult {
        call_id: "a".into(),
        content: ToolOutput::Parts(vec![text("took it"), image]),
        ..ToolResult::default()
    });
    let out = encode(request(vec![user(vec![screenshot, result("b", "ok", false)])]));
    assert_eq!(
        out["messages"],
        json!([
            {"role": "tool", "tool_call_id": "a", "content": "took it"},
            {"role": "tool", "tool_call_id": "b", "content": "ok"},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO"}}]}
        ])
    );
}

#[test]
fn reasoning_of_any_family_is_dropped_and_an_emptied_message_omitted() {
    for family in [Family::OpenAi, Family::Anthropic, Family::Google] {
        let thinking = Part::Reasoning(Reasoning {
            text: Some("hmm".into()),
            opaque: Some(Opaque { family, value: "sig".into() }),
            ..Reasoning::default()
        });
        let out = encode(request(vec![
            user(vec![text("q")]),
            assistant(vec![thinking.clone()]),
            assistant(vec![thinking, text("a")]),
        ]));
        assert_eq!(
            out["messages"],
            json!([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]),
            "{family:?}"
        );
    }
}

#[test]
fn gemini_signatures_and_item_ids_on_tool_calls_are_dropped() {
    let call = Part::ToolCall(ToolCall {
        id: "c1".into(),
        item_id: Some("fc_1".into()),
        name: "f".into(),
        arguments: r#"{"x":1}"#.into(),
        signature: Some(Opaque { family: Family::Google, value: "c2ln".into() }),
        extra: Extra::default(),
    });
    let out = encode(request(vec![assistant(vec![call])]));
    assert_eq!(
        out["messages"][0],
        json!({"role": "assistant", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}]})
    );
}

#[test]
fn other_formats_extra_and_native_are_ignored_and_our_own_re_emitted() {
    let foreign = Native { format: WireFormat::Anthropic, value: json!({"type": "server_tool_use"}) };
    let own = Native { format: WireFormat::OpenAiChat, value: json!({"type": "input_audio"}) };
    let mut message = user(vec![text("hi"), Part::Native(foreign.clone()), Part::Native(own.clone())]);
    message.extra = extra(WireFormat::Anthropic, json!({"cache_control": {"type": "ephemeral"}}));
    let ir = Request {
        tools: vec![Tool::Native(foreign), Tool::Native(own)],
        extra: extra(WireFormat::OpenAiChat, json!({"n": 2, "model": "not me"})),
        ..request(vec![message])
    };
    let mut ir = ir;
    ir.messages.push(Message {
        extra: extra(WireFormat::OpenAiChat, json!({"reasoning_content": "r"})),
        ..assistant(vec![text("a")])
    });
    let mut foreign_request = request(vec![]);
    foreign_request.extra = extra(WireFormat::Gemini, json!({"safetySettings": []}));
    let out = encode(ir);
    assert_eq!(out["n"], json!(2));
    assert_eq!(out["model"], json!("gpt-5"));
    assert_eq!(out["tools"], json!([{"type": "input_audio"}]));
    assert_eq!(
        out["messages"][0],
        json!({"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "input_audio"}]})
    );
    assert_eq!(out["messages"][1]["reasoning_content"], json!("r"));
    assert_eq!(encode(foreign_request), json!({"model": "gpt-5", "messages": []}));
}

#[test]
fn text_documents_fold_into_text_and_url_documents_are_rejected() {
    let doc = |source| Part::Document(Media { source, name: None, detail: None, extra: Extra::default() });
    let out = encode(request(vec![user(vec![doc(Source::Text("notes".into())), text("sum up")])]));
    assert_eq!(out["messages"][0]["content"][0], json!({"type": "text", "text": "notes"}));
    let url = doc(Source::Url { url: "https://x.test/a.pdf".into(), media_type: None });
    let err = OpenAiChat.encode_request(request(vec![user(vec![url])])).expect_err("unsupported");
    assert!(matches!(err, TranslateError::Unsupported { target: WireFormat::OpenAiChat, .. }), "{err}");
}

#[test]
fn a_refusal_is_written_in_the_refusal_member() {
    let out = encode(request(vec![assistant(vec![Part::Refusal("no".into())])]));
    assert_eq!(out["messages"][0], json!({"role": "assistant", "refusal": "no"}));
}

#[test]
fn names_and_unknown_members_survive() {
    let body = json!({"model": "m", "messages": [{"role": "user", "name": "al", "content": "x", "x-tag": 1}], "x_trace": "t"});
    let ir = decode(&body);
    assert_eq!(ir.messages[0].name.as_deref(), Some("al"));
    let mut fields = Map::new();
    fields.insert("x_trace".into(), json!("t"));
    assert_eq!(ir.extra, Extra::new(WireFormat::OpenAiChat, fields));
    assert_eq!(encode(ir), body);
}

#[test]
fn developer_and_system_roles_are_written_as_such() {
    let out = encode(request(vec![
        Message::text(Role::System, "s"),
        Message::text(Role::User, "u"),
        Message::text(Role::Developer, "d"),
    ]));
    let roles: Vec<&Value> = out["messages"].as_array().expect("array").iter().map(|m| &m["role"]).collect();
    assert_eq!(roles, [&json!("system"), &json!("user"), &json!("developer")]);
}
