//! Behaviour of the Responses codec: fixtures, mappings, lossy rules and round trips.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::OpenAiResponses;
use crate::ir::{
    self, Effort, Extra, FunctionTool, Message, Native, Opaque, Part, Reasoning, ReasoningConfig,
    ResponseFormat, Role, Source, StopReason, Text, Tool, ToolCall, ToolChoice, ToolOutput, ToolResult,
};
use crate::protocol::{Codec, PathParams};
use crate::{ApiError, ErrorKind, Family, TranslateError, Usage, WireFormat};

const CODEC: OpenAiResponses = OpenAiResponses;

fn fixtures(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openai_responses").join(kind);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("valid in this test")
        .map(|e| e.expect("valid in this test").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).expect("valid in this test")))
        .collect()
}

fn decode(body: Value) -> ir::Request {
    CODEC.decode_request(body.to_string().as_bytes(), &PathParams::default()).expect("valid in this test")
}

fn encode(request: ir::Request) -> Value {
    serde_json::from_slice(&CODEC.encode_request(request).expect("valid in this test"))
        .expect("valid in this test")
}

fn encode_response(response: ir::Response) -> Value {
    serde_json::from_slice(&CODEC.encode_response(response).expect("valid in this test"))
        .expect("valid in this test")
}

fn fixture(kind: &str, name: &str) -> Value {
    let (_, body) =
        fixtures(kind).into_iter().find(|(path, _)| path.ends_with(name)).expect("valid in this test");
    serde_json::from_slice(&body).expect("valid in this test")
}

fn user(parts: Vec<Part>) -> Message {
    Message { role: Role::User, content: parts, ..Message::default() }
}

#[test]
fn every_request_fixture_reencodes_to_the_same_json() {
    for (path, body) in fixtures("request") {
        let request = CODEC.decode_request(&body, &PathParams::default()).expect("valid in this test");
        let again: Value =
            serde_json::from_slice(&CODEC.encode_request(request).expect("valid in this test"))
                .expect("valid in this test");
        assert_eq!(again, serde_json::from_slice::<Value>(&body).expect("valid in this test"), "{path}");
    }
}

#[test]
fn every_response_fixture_reencodes_to_the_same_json() {
    for (path, body) in fixtures("response") {
        let response = CODEC.decode_response(&body).expect("valid in this test");
        let again: Value =
            serde_json::from_slice(&CODEC.encode_response(response).expect("valid in this test"))
                .expect("valid in this test");
        assert_eq!(again, serde_json::from_slice::<Value>(&body).expect("valid in this test"), "{path}");
    }
}

#[test]
fn codex_first_turn_decodes_instructions_tools_and_settings() {
    let request = decode(fixture("request", "codex_first_turn.json"));
    let roles: Vec<_> = request.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::Developer, Role::Developer, Role::User, Role::User]);
    assert!(request.messages.iter().all(|m| m.id.as_deref().is_some_and(|id| id.starts_with("msg_"))));
    let names: Vec<_> = request
        .tools
        .iter()
        .filter_map(|t| match t {
            Tool::Function(f) => Some(f.name.as_str()),
            Tool::Native(_) => None,
        })
        .collect();
    assert_eq!(names.len(), 11);
    assert!(names.contains(&"exec_command"));
    assert!(names.contains(&"multi_agent_v1--spawn_agent"));
    assert!(matches!(request.tools.last(), Some(Tool::Native(n)) if n.value["type"] == "web_search"));
    assert_eq!(request.tool_choice, Some(ToolChoice::Auto));
    assert_eq!(request.parallel_tool_calls, Some(true));
    assert!(request.stream);
    assert_eq!(request.cache_key.as_deref(), Some("019e7a3c-5b1d-7c2e-9f40-3a8b6c1d2e4f"));
    assert_eq!(
        request.reasoning,
        Some(ReasoningConfig { summary: Some("auto".into()), ..ReasoningConfig::default() })
    );
    let extra = request.extra.fields_for(WireFormat::OpenAiResponses).expect("valid in this test");
    assert_eq!(extra["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(extra["store"], json!(false));
}

#[test]
fn codex_tool_loop_groups_reasoning_with_the_call_and_keeps_encrypted_content() {
    let request = decode(fixture("request", "codex_tool_loop_turn2.json"));
    let [.., assistant, results] = request.messages.as_slice() else { panic!() };
    assert_eq!(assistant.role, Role::Assistant);
    let [Part::Reasoning(reasoning), Part::ToolCall(call)] = assistant.content.as_slice() else { panic!() };
    assert_eq!(reasoning.opaque.as_ref().map(|o| o.family), Some(Family::OpenAi));
    assert_eq!(reasoning.summary.len(), 1);
    assert_eq!(
        (call.id.as_str(), call.name.as_str(), call.item_id.as_deref()),
        ("call_Xq2Lm8Rt4Vb6Nc1Zp3Ws5Yd7", "exec_command", None)
    );
    assert_eq!(results.role, Role::User);
    assert!(matches!(&results.content[..], [Part::ToolResult(r)] if r.call_id == call.id));
}

#[test]
fn parallel_calls_share_one_assistant_message_and_results_one_user_message() {
    let request = decode(fixture("request", "parallel_tool_calls_with_results.json"));
    let shapes: Vec<(Role, usize)> = request.messages.iter().map(|m| (m.role, m.content.len())).collect();
    assert_eq!(
        shapes,
        [(Role::User, 1), (Role::Assistant, 3), (Role::User, 2), (Role::Assistant, 1), (Role::User, 1)]
    );
    let Part::ToolCall(call) = &request.messages[3].content[0] else { panic!() };
    assert_eq!(call.name, "multi_agent_v1--spawn_agent");
    let Part::ToolResult(result) = &request.messages[4].content[0] else { panic!() };
    assert!(matches!(&result.content, ToolOutput::Parts(p) if matches!(p[1], Part::Image(_))));
}

#[test]
fn instructions_and_string_input_roundtrip_distinct_from_system_messages() {
    let request = decode(json!({"model": "m", "instructions": "Be brief.", "input": "Hi"}));
    assert_eq!(request.messages.len(), 2);
    assert_eq!(request.messages[0].role, Role::System);
    assert_eq!(encode(request), json!({"model": "m", "instructions": "Be brief.", "input": "Hi"}));

    let body = json!({"model": "m", "input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]});
    assert_eq!(encode(decode(body.clone())), body);
}

#[test]
fn foreign_system_messages_become_typed_input_messages() {
    let request = ir::Request {
        model: "gpt-5".into(),
        messages: vec![Message::text(Role::System, "Rules."), Message::text(Role::User, "Hi")],
        stop: vec!["END".into()],
        ..ir::Request::default()
    };
    assert_eq!(
        encode(request),
        json!({"model": "gpt-5", "input": [
            {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "Rules."}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]})
    );
}

#[test]
fn namespace_tools_flatten_for_other_formats_and_regroup_here() {
    let body = json!({"model": "m", "tools": [{"type": "namespace", "name": "crm", "description": "CRM", "tools": [
        {"type": "function", "name": "lookup", "parameters": {"type": "object"}},
        {"type": "function", "name": "update", "strict": false}]}]});
    let request = decode(body.clone());
    let [Tool::Function(first), Tool::Function(second)] = request.tools.as_slice() else { panic!() };
    assert_eq!((first.name.as_str(), second.name.as_str()), ("crm--lookup", "crm--update"));
    assert_eq!(encode(request), body);
}

#[test]
fn a_call_to_a_namespaced_tool_is_written_with_its_namespace() {
    let call = ToolCall {
        id: "toolu_1".into(),
        name: "multi_agent_v1--spawn_agent".into(),
        arguments: "{}".into(),
        ..ToolCall::default()
    };
    let response = ir::Response {
        id: "msg_01".into(),
        content: vec![Part::ToolCall(call)],
        stop_reason: Some(StopReason::ToolUse),
        ..ir::Response::default()
    };
    let json = encode_response(response);
    assert_eq!(
        json["output"][0],
        json!({"type": "function_call", "id": "fc_toolu_1", "call_id": "toolu_1", "namespace": "multi_agent_v1",
            "name": "spawn_agent", "arguments": "{}", "status": "completed"})
    );
    assert_eq!(json["status"], "completed");
}

#[test]
fn a_call_is_split_only_for_namespaced_tools_of_the_request() {
    let call = |name: &str| {
        Part::ToolCall(ToolCall {
            id: "c".into(),
            name: name.into(),
            arguments: "{}".into(),
            ..ToolCall::default()
        })
    };
    let request = ir::Request {
        messages: vec![Message { role: Role::Assistant, content: vec![call("a--b")], ..Message::default() }],
        tools: vec![Tool::Function(FunctionTool { name: "a--b".into(), ..FunctionTool::default() })],
        ..ir::Request::default()
    };
    let json = encode(request);
    assert_eq!(json["input"][0]["name"], "a--b");
    assert!(json["input"][0].get("namespace").is_none());
    assert_eq!(json["tools"], json!([{"type": "function", "name": "a--b"}]));
}

#[test]
fn builtin_tools_and_tool_choice_stay_in_this_format() {
    let request = decode(fixture("request", "unknown_field_and_item.json"));
    assert_eq!(request.tool_choice, None);
    assert!(
        request.tools.iter().all(|t| matches!(t, Tool::Native(n) if n.format == WireFormat::OpenAiResponses))
    );
    assert_eq!(
        request.extra.fields_for(WireFormat::OpenAiResponses).expect("valid in this test")["tool_choice"],
        json!({"type": "web_search_preview"})
    );
    assert!(!request.stream);
    let roles: Vec<_> = request.messages.iter().map(|m| (m.role, m.content.len())).collect();
    assert_eq!(
        roles,
        [(Role::User, 2), (Role::Assistant, 1), (Role::Assistant, 1), (Role::Assistant, 1), (Role::User, 1)]
    );
    assert!(matches!(&request.messages[0].content[1], Part::Native(n) if n.value["type"] == "input_audio"));
}

#[test]
fn other_formats_extra_and_native_are_ignored() {
    let foreign = Extra::new(
        WireFormat::Anthropic,
        serde_json::Map::from_iter([("cache_control".into(), json!({"type": "ephemeral"}))]),
    );
    let mut text = Text::new("Hi");
    text.extra = foreign.clone();
    let request = ir::Request {
        model: "m".into(),
        messages: vec![Message {
            content: vec![
                Part::Text(text),
                Part::Native(Native { format: WireFormat::Gemini, value: json!({"x": 1}) }),
            ],
            extra: foreign.clone(),
            ..Message::default()
        }],
        tools: vec![Tool::Native(Native {
            format: WireFormat::Anthropic,
            value: json!({"type": "bash_20250124"}),
        })],
        extra: foreign,
        ..ir::Request::default()
    };
    assert_eq!(
        encode(request),
        json!({"model": "m", "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]})
    );
}

fn reasoning_with(opaque: Option<Opaque>, id: Option<&str>) -> ir::Request {
    let reasoning =
        Reasoning { id: id.map(str::to_owned), text: Some("thought".into()), opaque, ..Reasoning::default() };
    ir::Request {
        messages: vec![Message {
            role: Role::Assistant,
            content: vec![Part::Reasoning(reasoning), Part::Text(Text::new("ok"))],
            ..Message::default()
        }],
        ..ir::Request::default()
    }
}

#[test]
fn another_familys_reasoning_is_dropped_and_ours_kept_byte_exact() {
    let anthropic = Opaque { family: Family::Anthropic, value: "sig".into() };
    let json = encode(reasoning_with(Some(anthropic), Some("rs_1")));
    assert_eq!(json["input"].as_array().expect("valid in this test").len(), 1);
    assert_eq!(json["input"][0]["type"], "message");

    let openai = Opaque { family: Family::OpenAi, value: "gAAAA+/=".into() };
    let json = encode(reasoning_with(Some(openai), Some("rs_1")));
    assert_eq!(
        json["input"][0],
        json!({"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "thought"}], "encrypted_content": "gAAAA+/="})
    );
}

#[test]
fn reasoning_without_an_item_id_is_not_sent() {
    let json = encode(reasoning_with(None, None));
    assert_eq!(json["input"].as_array().expect("valid in this test").len(), 1);
}

#[test]
fn tool_error_flag_is_dropped_and_single_text_output_is_a_string() {
    let result = ToolResult {
        call_id: "c1".into(),
        content: ToolOutput::Parts(vec![Part::Text(Text::new("boom"))]),
        is_error: true,
        ..ToolResult::default()
    };
    let request =
        ir::Request { messages: vec![user(vec![Part::ToolResult(result)])], ..ir::Request::default() };
    assert_eq!(
        encode(request)["input"],
        json!([{"type": "function_call_output", "call_id": "c1", "output": "boom"}])
    );
}

#[test]
fn images_and_files_decode_to_media_sources() {
    let request = decode(fixture("request", "images_and_files.json"));
    let parts = &request.messages[0].content;
    assert!(
        matches!(&parts[1], Part::Image(m) if matches!(&m.source, Source::Base64 { media_type, .. } if media_type == "image/png") && m.detail.as_deref() == Some("high"))
    );
    assert!(
        matches!(&parts[2], Part::Image(m) if matches!(&m.source, Source::Url { url, .. } if url.ends_with("cat.jpg")))
    );
    assert!(
        matches!(&parts[3], Part::Image(m) if m.source == Source::FileId("file-6F2ksmvXxt4VdoqmHRw6kL".into()))
    );
    assert!(
        matches!(&parts[4], Part::Document(m) if matches!(&m.source, Source::Base64 { media_type, .. } if media_type == "application/pdf") && m.name.as_deref() == Some("report.pdf"))
    );
    assert!(
        matches!(&parts[5], Part::Document(m) if matches!(&m.source, Source::Base64 { media_type, .. } if media_type == "application/pdf"))
    );
    assert!(matches!(&parts[6], Part::Document(m) if matches!(m.source, Source::FileId(_))));
    assert!(matches!(&parts[7], Part::Document(m) if matches!(m.source, Source::Url { .. })));
}

#[test]
fn structured_output_and_effort_map_to_the_ir() {
    let request = decode(fixture("request", "json_schema_structured_output.json"));
    assert!(
        matches!(&request.response_format, Some(ResponseFormat::JsonSchema { name: Some(n), strict: Some(true), .. }) if n == "calendar_event")
    );
    assert_eq!(request.reasoning.as_ref().and_then(|r| r.effort), Some(Effort::Minimal));
    assert_eq!(request.user.as_deref(), Some("hashed-user-77"));
    let request = ir::Request {
        response_format: Some(ResponseFormat::JsonObject),
        reasoning: Some(ReasoningConfig { budget_tokens: Some(31999), ..ReasoningConfig::default() }),
        user: Some("u".into()),
        ..ir::Request::default()
    };
    assert_eq!(
        encode(request),
        json!({"text": {"format": {"type": "json_object"}}, "reasoning": {"effort": "high"}, "user": "u"})
    );
}

#[test]
fn reasoning_switched_off_without_effort_sends_nothing_and_none_effort_roundtrips() {
    let off = ir::Request {
        reasoning: Some(ReasoningConfig { enabled: Some(false), ..ReasoningConfig::default() }),
        ..ir::Request::default()
    };
    assert_eq!(encode(off), json!({}));
    let body = json!({"model": "m", "reasoning": {"effort": "none"}});
    let request = decode(body.clone());
    assert_eq!(request.reasoning.as_ref().expect("valid in this test").enabled, Some(false));
    assert_eq!(encode(request), body);
}

#[test]
fn bad_values_are_reported_with_their_path() {
    let err = CODEC
        .decode_request(br#"{"model":"m","input":[{"role":"robot","content":"x"}]}"#, &PathParams::default())
        .expect_err("fails in this test");
    assert!(matches!(err, TranslateError::Invalid { ref path, .. } if path == "input[0].role"), "{err}");
    let err = CODEC
        .decode_request(
            br#"{"model":"m","input":[{"type":"function_call","name":"f"}]}"#,
            &PathParams::default(),
        )
        .expect_err("fails in this test");
    assert!(matches!(err, TranslateError::Invalid { ref path, .. } if path == "input[0]"), "{err}");
    assert!(matches!(CODEC.decode_request(b"{", &PathParams::default()), Err(TranslateError::Json(_))));
}

#[test]
fn response_stop_reasons_and_usage_decode() {
    let cases = [
        ("text.json", StopReason::EndTurn),
        ("parallel_tool_calls_with_reasoning.json", StopReason::ToolUse),
        ("incomplete_max_output_tokens.json", StopReason::MaxTokens),
        ("incomplete_content_filter_with_refusal.json", StopReason::ContentFilter),
    ];
    for (name, reason) in cases {
        let response = CODEC
            .decode_response(fixture("response", name).to_string().as_bytes())
            .expect("valid in this test");
        assert_eq!(response.stop_reason, Some(reason), "{name}");
    }
    let response = CODEC
        .decode_response(
            fixture("response", "parallel_tool_calls_with_reasoning.json").to_string().as_bytes(),
        )
        .expect("valid in this test");
    assert_eq!(
        response.usage,
        Usage { input: 512, cache_read: 1536, output: 310, reasoning: 256, ..Usage::default() }
    );
    assert!(matches!(&response.content[3], Part::ToolCall(c) if c.name == "multi_agent_v1--spawn_agent"));
}

#[test]
fn foreign_responses_encode_with_generated_ids_and_stop_status() {
    let response = ir::Response {
        id: "msg_01XYZ".into(),
        model: "claude-opus-4-8".into(),
        content: vec![
            Part::Reasoning(Reasoning {
                text: Some("hmm".into()),
                opaque: Some(Opaque { family: Family::Anthropic, value: "s".into() }),
                ..Reasoning::default()
            }),
            Part::Text(Text::new("Hello")),
        ],
        stop_reason: Some(StopReason::ContextWindowExceeded),
        usage: Usage { input: 10, cache_read: 5, cache_write_5m: 3, output: 7, ..Usage::default() },
        created: Some(1_780_000_000),
        ..ir::Response::default()
    };
    assert_eq!(
        encode_response(response),
        json!({"id": "msg_01XYZ", "object": "response", "created_at": 1_780_000_000, "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"}, "model": "claude-opus-4-8",
            "output": [{"type": "message", "id": "msg_01XYZ1", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": "Hello", "annotations": []}]}],
            "usage": {"input_tokens": 18, "input_tokens_details": {"cached_tokens": 5}, "output_tokens": 7,
                "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 25}})
    );
}

#[test]
fn error_bodies_roundtrip_and_foreign_bodies_parse() {
    for kind in [ErrorKind::InvalidRequest, ErrorKind::RateLimited, ErrorKind::Overloaded] {
        let error = ApiError::new(kind, "went wrong");
        let (status, body) = CODEC.render_error(&error);
        let parsed = CODEC.parse_error(status, &body);
        assert_eq!((parsed.kind, parsed.message.as_str()), (kind, "went wrong"));
    }
    let parsed = CODEC
        .parse_error(529, br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
    assert_eq!(parsed.kind, ErrorKind::Overloaded);
}

// ---- round-trip properties ----

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,!?]{0,12}"
}

fn ident(prefix: &'static str) -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}".prop_map(move |s| format!("{prefix}{s}"))
}

fn content_part(role: &'static str) -> BoxedStrategy<Value> {
    let text_type = if role == "assistant" { "output_text" } else { "input_text" };
    let mut options = vec![text().prop_map(move |t| json!({"type": text_type, "text": t})).boxed()];
    if role == "assistant" {
        options
            .push(text().prop_map(|t| json!({"type": "output_text", "text": t, "annotations": []})).boxed());
        options.push(text().prop_map(|t| json!({"type": "refusal", "refusal": t})).boxed());
    } else {
        options.push(
            ident("https://example.com/")
                .prop_map(|u| json!({"type": "input_image", "image_url": u, "detail": "auto"}))
                .boxed(),
        );
        options.push(
            "[A-Za-z0-9]{4,16}"
                .prop_map(
                    |d| json!({"type": "input_image", "image_url": format!("data:image/png;base64,{d}")}),
                )
                .boxed(),
        );
        options.push(ident("file-").prop_map(|f| json!({"type": "input_file", "file_id": f})).boxed());
        options.push(
            "[A-Za-z0-9]{4,16}"
                .prop_map(|d| json!({"type": "input_file", "filename": "a.pdf", "file_data": d}))
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

fn message_item() -> impl Strategy<Value = Value> {
    let role = prop_oneof![Just("user"), Just("assistant"), Just("system"), Just("developer")];
    (role, any::<bool>(), proptest::option::of(ident("msg_")), any::<bool>(), text()).prop_flat_map(
        |(role, typed, id, string, t)| {
            let content = if string && role != "assistant" {
                Just(Value::String(t)).boxed()
            } else {
                proptest::collection::vec(content_part(role), 1..3).prop_map(Value::Array).boxed()
            };
            content.prop_map(move |content| {
                let mut item = json!({"role": role, "content": content});
                if typed {
                    item["type"] = json!("message");
                }
                if let Some(id) = &id {
                    item["id"] = json!(id);
                }
                item
            })
        },
    )
}

fn other_item() -> impl Strategy<Value = Value> {
    prop_oneof![
        (
            ident("call_"),
            prop_oneof![Just("f"), Just("g")],
            text(),
            proptest::option::of(ident("fc_")),
            any::<bool>()
        )
            .prop_map(|(call, name, args, id, namespaced)| {
                let mut item =
                    json!({"type": "function_call", "call_id": call, "name": name, "arguments": args});
                if let Some(id) = id {
                    item["id"] = json!(id);
                }
                if namespaced {
                    item["namespace"] = json!("ns");
                }
                item
            }),
        (ident("call_"), text(), any::<bool>()).prop_map(|(call, out, array)| {
            let output = if array { json!([{"type": "input_text", "text": out}]) } else { json!(out) };
            json!({"type": "function_call_output", "call_id": call, "output": output})
        }),
        (
            ident("rs_"),
            proptest::collection::vec(text(), 0..2),
            proptest::option::of(text()),
            proptest::option::of("[A-Za-z0-9+/=]{8,24}")
        )
            .prop_map(|(id, summary, content, encrypted)| {
                let summary: Vec<_> =
                    summary.into_iter().map(|t| json!({"type": "summary_text", "text": t})).collect();
                let mut item = json!({"type": "reasoning", "id": id, "summary": summary});
                if let Some(content) = content {
                    item["content"] = json!([{"type": "reasoning_text", "text": content}]);
                }
                if let Some(encrypted) = encrypted {
                    item["encrypted_content"] = json!(encrypted);
                }
                item
            }),
        ident("ws_").prop_map(|id| json!({"type": "web_search_call", "id": id, "status": "completed"})),
    ]
}

fn request_body() -> impl Strategy<Value = Value> {
    let items = proptest::collection::vec(prop_oneof![message_item(), other_item()], 0..6);
    (
        items,
        proptest::option::of(text()),
        proptest::option::of(prop_oneof![Just(json!("auto")), Just(json!("required")), Just(json!({"type": "function", "name": "f"})), Just(json!({"type": "file_search"}))]),
        proptest::option::of((0u8..=20).prop_map(|t| f64::from(t) / 10.0)),
        proptest::option::of(1u64..10_000),
        proptest::option::of(prop_oneof![Just("low"), Just("high"), Just("xhigh")]),
        any::<bool>(),
    )
        .prop_map(|(items, instructions, choice, temperature, max, effort, stream)| {
            let mut body = json!({"model": "gpt-5", "input": items, "tools": [
                {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": true},
                {"type": "namespace", "name": "ns", "tools": [{"type": "function", "name": "f"}, {"type": "function", "name": "g"}]},
                {"type": "web_search", "external_web_access": false}]});
            if let Some(instructions) = instructions {
                body["instructions"] = json!(instructions);
            }
            if let Some(choice) = choice {
                body["tool_choice"] = choice;
            }
            if let Some(temperature) = temperature {
                body["temperature"] = json!(temperature);
            }
            if let Some(max) = max {
                body["max_output_tokens"] = json!(max);
            }
            if let Some(effort) = effort {
                body["reasoning"] = json!({"effort": effort, "summary": "auto"});
            }
            body["stream"] = json!(stream);
            body
        })
}

fn response_body() -> impl Strategy<Value = Value> {
    let message = (ident("msg_"), proptest::collection::vec(text(), 1..3)).prop_map(|(id, texts)| {
        let content: Vec<_> =
            texts.into_iter().map(|t| json!({"type": "output_text", "text": t, "annotations": []})).collect();
        json!({"type": "message", "id": id, "status": "completed", "role": "assistant", "content": content})
    });
    let call = (ident("fc_"), ident("call_"), any::<bool>(), text()).prop_map(|(id, call, namespaced, args)| {
        let mut item = json!({"type": "function_call", "id": id, "call_id": call, "name": "f", "arguments": args, "status": "completed"});
        if namespaced {
            item["namespace"] = json!("ns");
        }
        item
    });
    let reasoning =
        (ident("rs_"), proptest::option::of("[A-Za-z0-9+/=]{8,24}")).prop_map(|(id, encrypted)| {
            let mut item = json!({"type": "reasoning", "id": id, "summary": []});
            if let Some(encrypted) = encrypted {
                item["encrypted_content"] = json!(encrypted);
            }
            item
        });
    let status = prop_oneof![
        Just(json!({"status": "completed"})),
        Just(json!({"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}})),
        Just(json!({"status": "incomplete", "incomplete_details": {"reason": "content_filter"}})),
    ];
    (proptest::collection::vec(prop_oneof![message, call, reasoning], 0..4), status, 0u64..5000, 0u64..5000, 0u64..100).prop_map(
        |(mut output, status, input, output_tokens, cached)| {
            // Output item ids are unique within a response: number them apart.
            for (i, item) in output.iter_mut().enumerate() {
                let id = format!("{}{i}", item["id"].as_str().unwrap_or_default());
                item["id"] = json!(id);
            }
            let mut body = json!({"id": "resp_1", "object": "response", "created_at": 1_780_000_000, "model": "gpt-5",
                "output": output, "usage": {"input_tokens": input + cached, "input_tokens_details": {"cached_tokens": cached},
                "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": input + cached + output_tokens}});
            for (key, value) in status.as_object().into_iter().flatten() {
                body[key] = value.clone();
            }
            body
        },
    )
}

proptest! {
    /// Supported subset: message items of every role (typed or not, with or without id, string or part
    /// content: text, refusal, URL / data-URL / file-id images, file-id and raw base64 files), function
    /// calls (namespaced or not, with or without item id), function call outputs (string or one text
    /// part), reasoning items (summary, one reasoning text, encrypted content), an unknown item, function,
    /// namespace and built-in tools, instructions, tool choice, temperature, max tokens, effort, stream.
    #[test]
    fn requests_reencode_exactly(body in request_body()) {
        let request = CODEC.decode_request(body.to_string().as_bytes(), &PathParams::default()).expect("valid in this test");
        let again: Value = serde_json::from_slice(&CODEC.encode_request(request).expect("valid in this test")).expect("valid in this test");
        prop_assert_eq!(again, body);
    }

    /// Supported subset: output messages of one or more text parts, function calls (namespaced or not),
    /// reasoning items with or without encrypted content, each status and incomplete reason, usage with
    /// cached tokens.
    #[test]
    fn responses_reencode_exactly(body in response_body()) {
        let response = CODEC.decode_response(body.to_string().as_bytes()).expect("valid in this test");
        let again: Value = serde_json::from_slice(&CODEC.encode_response(response).expect("valid in this test")).expect("valid in this test");
        prop_assert_eq!(again, body);
    }
}
