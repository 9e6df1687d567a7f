//! Every feature, through every ordered pair of formats.
//!
//! Each test builds one conversation as IR, writes it in the source format, translates the body to the
//! target format, reads the result back, and checks that what the target can express survived and that
//! what it cannot was handled by the documented rule.

use aether_core::ir::{
    Effort, FunctionTool, Media, Message, Opaque, Part, Reasoning, ReasoningConfig, Request, Response,
    ResponseFormat, Role, Sampling, Source, StopReason, Text, Tool, ToolCall, ToolChoice, ToolOutput,
    ToolResult,
};
use aether_core::protocol::{PathParams, codec};
use aether_core::{Family, Usage, WireFormat, translate};
use serde_json::{Value, json};

const MODEL: &str = "test-model";

fn path() -> PathParams {
    PathParams { model: Some(MODEL.into()), stream: false }
}

fn pairs() -> impl Iterator<Item = (WireFormat, WireFormat)> {
    WireFormat::ALL
        .into_iter()
        .flat_map(|a| WireFormat::ALL.into_iter().map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
}

fn request(messages: Vec<Message>) -> Request {
    Request { model: MODEL.into(), messages, max_output_tokens: Some(1024), ..Request::default() }
}

/// Writes `ir` as `from`, translates the body to `to`, and returns the target body and its IR.
fn through(from: WireFormat, to: WireFormat, ir: Request) -> (Value, Request) {
    let body = codec(from).encode_request(ir).unwrap_or_else(|e| panic!("{from} encodes: {e}"));
    let out = translate::request(from, to, &body, &path()).unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
    let json = serde_json::from_slice(&out.body).expect("translations are JSON");
    let path = PathParams { model: Some(out.model), stream: out.stream };
    let back = codec(to).decode_request(&out.body, &path).unwrap_or_else(|e| panic!("{to} decodes: {e}"));
    (json, back)
}

fn response_through(from: WireFormat, to: WireFormat, ir: Response) -> Response {
    let body = codec(from).encode_response(ir).unwrap_or_else(|e| panic!("{from} encodes: {e}"));
    let out = translate::response(from, to, &body).unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
    codec(to).decode_response(&out).unwrap_or_else(|e| panic!("{to} decodes: {e}"))
}

fn texts(parts: &[Part]) -> Vec<&str> {
    parts
        .iter()
        .filter_map(|part| match part {
            Part::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect()
}

/// The text of every instruction message, in order.
fn instructions(ir: &Request) -> Vec<&str> {
    ir.messages.iter().filter(|m| m.role.is_instruction()).flat_map(|m| texts(&m.content)).collect()
}

/// (role, text) of every text part outside instructions, in order.
fn dialogue(ir: &Request) -> Vec<(Role, &str)> {
    ir.messages
        .iter()
        .filter(|m| !m.role.is_instruction())
        .flat_map(|m| texts(&m.content).into_iter().map(move |t| (m.role, t)))
        .collect()
}

fn parts(ir: &Request) -> impl Iterator<Item = &Part> {
    ir.messages.iter().flat_map(|m| &m.content)
}

fn tool_calls(ir: &Request) -> Vec<&ToolCall> {
    parts(ir)
        .filter_map(|part| match part {
            Part::ToolCall(call) => Some(call),
            _ => None,
        })
        .collect()
}

fn tool_results(ir: &Request) -> Vec<&ToolResult> {
    parts(ir)
        .filter_map(|part| match part {
            Part::ToolResult(result) => Some(result),
            _ => None,
        })
        .collect()
}

fn result_text(result: &ToolResult) -> String {
    match &result.content {
        ToolOutput::Parts(parts) => texts(parts).concat(),
        ToolOutput::Json(value) => value.to_string(),
    }
}

fn json_args(text: &str) -> Value {
    serde_json::from_str(text).expect("arguments are JSON")
}

#[test]
fn instructions_first_several_and_mid_conversation_survive_in_order() {
    let ir = request(vec![
        Message::text(Role::System, "Be brief."),
        Message::text(Role::Developer, "Answer in English."),
        Message::text(Role::User, "Hi"),
        Message::text(Role::Assistant, "Hello!"),
        Message::text(Role::System, "The user is on Linux."),
        Message::text(Role::User, "Which shell?"),
    ]);
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        assert_eq!(
            instructions(&back),
            ["Be brief.", "Answer in English.", "The user is on Linux."],
            "{from} → {to}"
        );
        assert_eq!(
            dialogue(&back),
            [(Role::User, "Hi"), (Role::Assistant, "Hello!"), (Role::User, "Which shell?")],
            "{from} → {to}"
        );
    }
}

#[test]
fn mid_conversation_instructions_keep_their_place_where_the_target_allows_it() {
    // Claude Code sends a `role: "system"` message after the first user message.
    let body = json!({
        "model": MODEL, "max_tokens": 64000, "stream": true,
        "system": [{"type": "text", "text": "You are Claude Code."}],
        "messages": [
            {"role": "user", "content": "fix the bug"},
            {"role": "system", "content": "Available agents: general-purpose"},
        ]
    });
    let body = serde_json::to_vec(&body).unwrap();
    for to in [WireFormat::OpenAiChat, WireFormat::OpenAiResponses] {
        let out = translate::request(WireFormat::Anthropic, to, &body, &path()).unwrap();
        let back = codec(to).decode_request(&out.body, &path()).unwrap();
        let roles: Vec<Role> = back.messages.iter().map(|m| m.role).collect();
        assert!(
            roles[0].is_instruction() && roles[1] == Role::User && roles[2].is_instruction(),
            "{to}: {roles:?}"
        );
    }
    let out = translate::request(WireFormat::Anthropic, WireFormat::Gemini, &body, &path()).unwrap();
    let json: Value = serde_json::from_slice(&out.body).unwrap();
    let system: Vec<&str> = json["systemInstruction"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["text"].as_str())
        .collect();
    assert_eq!(system, ["You are Claude Code.", "Available agents: general-purpose"]);
    assert_eq!(json["contents"].as_array().unwrap().len(), 1);
}

#[test]
fn images_inline_and_by_url_survive() {
    let png =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let image = |source| Part::Image(Media { source, name: None, detail: None, extra: Default::default() });
    let ir = request(vec![Message {
        role: Role::User,
        content: vec![
            Part::Text(Text::new("What is in these pictures?")),
            image(Source::Base64 { media_type: "image/png".into(), data: png.into() }),
            image(Source::Url {
                url: "https://example.com/cat.jpg".into(),
                media_type: Some("image/jpeg".into()),
            }),
        ],
        ..Message::default()
    }]);
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        let sources: Vec<&Source> = parts(&back)
            .filter_map(|p| match p {
                Part::Image(media) => Some(&media.source),
                _ => None,
            })
            .collect();
        assert_eq!(sources.len(), 2, "{from} → {to}");
        assert_eq!(
            sources[0],
            &Source::Base64 { media_type: "image/png".into(), data: png.into() },
            "{from} → {to}"
        );
        assert!(
            matches!(sources[1], Source::Url { url, .. } if url == "https://example.com/cat.jpg"),
            "{from} → {to}"
        );
    }
}

#[test]
fn pdf_documents_survive() {
    let pdf = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==";
    let ir = request(vec![Message {
        role: Role::User,
        content: vec![
            Part::Document(Media {
                source: Source::Base64 { media_type: "application/pdf".into(), data: pdf.into() },
                name: Some("report.pdf".into()),
                detail: None,
                extra: Default::default(),
            }),
            Part::Text(Text::new("Summarise the report.")),
        ],
        ..Message::default()
    }]);
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        let docs: Vec<&Source> = parts(&back)
            .filter_map(|p| match p {
                Part::Document(media) => Some(&media.source),
                _ => None,
            })
            .collect();
        assert_eq!(
            docs,
            [&Source::Base64 { media_type: "application/pdf".into(), data: pdf.into() }],
            "{from} → {to}"
        );
    }
}

fn read_tool() -> Tool {
    Tool::Function(FunctionTool {
        name: "read_file".into(),
        description: Some("Reads a file.".into()),
        parameters: Some(json!({
            "type": "object",
            "properties": {"path": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["path"]
        })),
        ..FunctionTool::default()
    })
}

fn tool_loop() -> Request {
    let call = |id: &str, path: &str| {
        Part::ToolCall(ToolCall {
            id: id.into(),
            name: "read_file".into(),
            arguments: json!({"path": path}).to_string(),
            ..ToolCall::default()
        })
    };
    let result = |id: &str, text: &str, is_error| {
        Part::ToolResult(ToolResult {
            call_id: id.into(),
            name: Some("read_file".into()),
            content: ToolOutput::Parts(vec![Part::Text(Text::new(text))]),
            is_error,
            ..ToolResult::default()
        })
    };
    Request {
        tools: vec![read_tool()],
        tool_choice: Some(ToolChoice::Auto),
        ..request(vec![
            Message::text(Role::User, "Read a.txt and b.txt"),
            Message {
                role: Role::Assistant,
                content: vec![
                    Part::Text(Text::new("Reading both.")),
                    call("call_a1", "a.txt"),
                    call("call_b2", "b.txt"),
                ],
                ..Message::default()
            },
            Message {
                role: Role::User,
                content: vec![result("call_a1", "alpha", false), result("call_b2", "no such file", true)],
                ..Message::default()
            },
        ])
    }
}

#[test]
fn tool_definitions_survive() {
    let ir = Request { tools: vec![read_tool()], ..request(vec![Message::text(Role::User, "hi")]) };
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        assert_eq!(back.tools, ir.tools, "{from} → {to}");
    }
}

#[test]
fn tool_choice_survives() {
    for choice in
        [ToolChoice::Auto, ToolChoice::None, ToolChoice::Required, ToolChoice::Tool("read_file".into())]
    {
        let ir = Request {
            tools: vec![read_tool()],
            tool_choice: Some(choice.clone()),
            ..request(vec![Message::text(Role::User, "hi")])
        };
        for (from, to) in pairs() {
            let (_, back) = through(from, to, ir.clone());
            assert_eq!(back.tool_choice, Some(choice.clone()), "{from} → {to}");
        }
    }
}

#[test]
fn parallel_tool_calls_and_their_results_keep_ids_names_and_arguments() {
    for (from, to) in pairs() {
        let (_, back) = through(from, to, tool_loop());
        let calls: Vec<(&str, &str, Value)> = tool_calls(&back)
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str(), json_args(&c.arguments)))
            .collect();
        assert_eq!(
            calls,
            [
                ("call_a1", "read_file", json!({"path": "a.txt"})),
                ("call_b2", "read_file", json!({"path": "b.txt"}))
            ],
            "{from} → {to}"
        );
        let results: Vec<(&str, String)> =
            tool_results(&back).iter().map(|r| (r.call_id.as_str(), result_text(r))).collect();
        assert_eq!(
            results,
            [("call_a1", "alpha".into()), ("call_b2", "no such file".into())],
            "{from} → {to}"
        );
        assert_eq!(
            dialogue(&back)[..2],
            [(Role::User, "Read a.txt and b.txt"), (Role::Assistant, "Reading both.")]
        );
    }
}

#[test]
fn tool_error_flags_survive_where_both_formats_carry_them() {
    let carries = |f: WireFormat| matches!(f, WireFormat::Anthropic | WireFormat::Gemini);
    for (from, to) in pairs().filter(|(a, b)| carries(*a) && carries(*b)) {
        let (_, back) = through(from, to, tool_loop());
        let flags: Vec<bool> = tool_results(&back).iter().map(|r| r.is_error).collect();
        assert_eq!(flags, [false, true], "{from} → {to}");
    }
}

#[test]
fn gemini_object_responses_reach_other_formats_as_json_text() {
    let body = json!({
        "contents": [
            {"role": "user", "parts": [{"text": "list files"}]},
            {"role": "model", "parts": [{"functionCall": {"id": "glob_1_0", "name": "glob", "args": {"pattern": "*"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"id": "glob_1_0", "name": "glob", "response": {"files": ["a", "b"]}}}]}
        ]
    });
    let body = serde_json::to_vec(&body).unwrap();
    for to in [WireFormat::Anthropic, WireFormat::OpenAiChat, WireFormat::OpenAiResponses] {
        let out = translate::request(WireFormat::Gemini, to, &body, &path()).unwrap();
        let back = codec(to).decode_request(&out.body, &path()).unwrap();
        let results = tool_results(&back);
        assert_eq!(results[0].call_id, "glob_1_0", "{to}");
        assert_eq!(json_args(&result_text(results[0])), json!({"files": ["a", "b"]}), "{to}");
    }
}

fn with_reasoning(family: Family) -> Request {
    let mut ir = tool_loop();
    ir.reasoning =
        Some(ReasoningConfig { enabled: Some(true), budget_tokens: Some(4096), ..Default::default() });
    let opaque = Opaque { family, value: "c2lnbmF0dXJlLWJ5dGVz".into() };
    let assistant = &mut ir.messages[1];
    assistant.content.insert(
        0,
        Part::Reasoning(Reasoning {
            text: Some("Both files are needed.".into()),
            opaque: Some(opaque.clone()),
            id: (family == Family::OpenAi).then(|| "rs_1".into()),
            ..Reasoning::default()
        }),
    );
    if family == Family::Google
        && let Part::ToolCall(call) = &mut assistant.content[2]
    {
        call.signature = Some(opaque);
    }
    ir
}

fn opaques(ir: &Request) -> Vec<&Opaque> {
    parts(ir)
        .filter_map(|part| match part {
            Part::Reasoning(r) => r.opaque.as_ref(),
            Part::ToolCall(c) => c.signature.as_ref(),
            Part::Text(t) => t.signature.as_ref(),
            _ => None,
        })
        .collect()
}

#[test]
fn reasoning_artefacts_pass_byte_exact_within_their_format() {
    for format in WireFormat::ALL.into_iter().filter(|f| *f != WireFormat::OpenAiChat) {
        let ir = with_reasoning(format.family());
        let body = codec(format).encode_request(ir).unwrap();
        let back = codec(format).decode_request(&body, &path()).unwrap();
        let kept: Vec<&str> = opaques(&back).iter().map(|o| o.value.as_str()).collect();
        assert!(!kept.is_empty() && kept.iter().all(|v| *v == "c2lnbmF0dXJlLWJ5dGVz"), "{format}: {kept:?}");
    }
}

#[test]
fn reasoning_artefacts_never_cross_families() {
    for (from, to) in pairs() {
        let (_, back) = through(from, to, with_reasoning(from.family()));
        let foreign: Vec<&Opaque> = opaques(&back).into_iter().filter(|o| o.family != to.family()).collect();
        assert!(foreign.is_empty(), "{from} → {to}: {foreign:?}");
        if from.family() != to.family() {
            let minted: Vec<&Opaque> =
                opaques(&back).into_iter().filter(|o| o.value == "c2lnbmF0dXJlLWJ5dGVz").collect();
            assert!(minted.is_empty(), "{from} → {to} forwarded a foreign artefact");
        }
        assert_eq!(tool_calls(&back).len(), 2, "{from} → {to}: the calls themselves stay");
    }
}

#[test]
fn anthropic_thinking_is_not_enabled_over_unsigned_tool_history() {
    for from in [WireFormat::OpenAiChat, WireFormat::OpenAiResponses, WireFormat::Gemini] {
        let (json, _) = through(from, WireFormat::Anthropic, with_reasoning(from.family()));
        assert_ne!(json["thinking"]["type"], "enabled", "{from} → anthropic: {}", json["thinking"]);
    }
}

#[test]
fn reasoning_settings_map_between_formats() {
    let ir = Request {
        reasoning: Some(ReasoningConfig {
            enabled: Some(true),
            effort: Some(Effort::High),
            ..Default::default()
        }),
        // Room for a thinking budget: Anthropic's `max_tokens` counts thinking too.
        max_output_tokens: Some(32_000),
        ..request(vec![Message::text(Role::User, "think")])
    };
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        let reasoning = back.reasoning.unwrap_or_else(|| panic!("{from} → {to} lost the reasoning settings"));
        assert_ne!(reasoning.enabled, Some(false), "{from} → {to}");
        assert!(
            reasoning.effort.is_some() || reasoning.budget_tokens.is_some() || reasoning.adaptive,
            "{from} → {to}"
        );
    }
}

#[test]
fn structured_output_schemas_survive() {
    let schema = json!({
        "type": "object",
        "properties": {"title": {"type": "string"}},
        "required": ["title"],
        "additionalProperties": false
    });
    let ir = Request {
        response_format: Some(ResponseFormat::JsonSchema {
            name: Some("title".into()),
            description: None,
            schema: schema.clone(),
            strict: Some(true),
        }),
        ..request(vec![Message::text(Role::User, "Name this session")])
    };
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        match back.response_format {
            Some(ResponseFormat::JsonSchema { schema: got, .. }) => assert_eq!(got, schema, "{from} → {to}"),
            other => panic!("{from} → {to}: {other:?}"),
        }
    }
}

#[test]
fn gemini_upper_case_schema_types_become_json_schema_types() {
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "rate this"}]}],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "OBJECT", "properties": {
                "complexity_reasoning": {"type": "STRING"}, "complexity_score": {"type": "INTEGER"}},
                "required": ["complexity_reasoning", "complexity_score"]}
        }
    });
    let body = serde_json::to_vec(&body).unwrap();
    for to in [WireFormat::OpenAiChat, WireFormat::OpenAiResponses, WireFormat::Anthropic] {
        let out = translate::request(WireFormat::Gemini, to, &body, &path()).unwrap();
        let back = codec(to).decode_request(&out.body, &path()).unwrap();
        let Some(ResponseFormat::JsonSchema { schema, .. }) = back.response_format else { panic!("{to}") };
        assert_eq!(schema["type"], "object", "{to}");
        assert_eq!(schema["properties"]["complexity_score"]["type"], "integer", "{to}");
    }
}

#[test]
fn sampling_stop_and_limits_survive_where_the_target_has_them() {
    let ir = Request {
        sampling: Sampling {
            temperature: Some(0.5),
            top_p: Some(0.9),
            top_k: Some(40),
            ..Sampling::default()
        },
        stop: vec!["END".into()],
        max_output_tokens: Some(777),
        user: Some("user-42".into()),
        ..request(vec![Message::text(Role::User, "hi")])
    };
    let has_top_k = |f| matches!(f, WireFormat::Anthropic | WireFormat::Gemini);
    for (from, to) in pairs() {
        let (_, back) = through(from, to, ir.clone());
        assert_eq!(back.sampling.temperature, Some(0.5), "{from} → {to}");
        assert_eq!(back.sampling.top_p, Some(0.9), "{from} → {to}");
        assert_eq!(back.max_output_tokens, Some(777), "{from} → {to}");
        if has_top_k(from) && has_top_k(to) {
            assert_eq!(back.sampling.top_k, Some(40), "{from} → {to}");
        }
        if from != WireFormat::OpenAiResponses && to != WireFormat::OpenAiResponses {
            assert_eq!(back.stop, ["END"], "{from} → {to}");
        }
        if from != WireFormat::Gemini && to != WireFormat::Gemini {
            assert_eq!(back.user.as_deref(), Some("user-42"), "{from} → {to}");
        }
    }
}

#[test]
fn anthropic_always_gets_max_tokens() {
    for from in [WireFormat::OpenAiChat, WireFormat::OpenAiResponses, WireFormat::Gemini] {
        let ir = Request { max_output_tokens: None, ..request(vec![Message::text(Role::User, "hi")]) };
        let (json, _) = through(from, WireFormat::Anthropic, ir);
        assert!(json["max_tokens"].as_u64().is_some_and(|n| n > 0), "{from} → anthropic: {json}");
    }
}

#[test]
fn responses_built_in_tools_are_dropped_and_namespaces_flattened() {
    let body = json!({
        "model": MODEL,
        "input": "hi",
        "tools": [
            {"type": "function", "name": "exec_command", "description": "Run", "strict": false,
             "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
            {"type": "namespace", "name": "multi_agent_v1", "description": "Agents", "tools": [
                {"type": "function", "name": "spawn", "description": "Spawn an agent", "strict": false,
                 "parameters": {"type": "object", "properties": {}}}]},
            {"type": "web_search", "external_web_access": false}
        ]
    });
    let body = serde_json::to_vec(&body).unwrap();
    for to in [WireFormat::OpenAiChat, WireFormat::Anthropic, WireFormat::Gemini] {
        let out = translate::request(WireFormat::OpenAiResponses, to, &body, &path()).unwrap();
        let back = codec(to).decode_request(&out.body, &path()).unwrap();
        let names: Vec<&str> = back
            .tools
            .iter()
            .map(|tool| match tool {
                Tool::Function(f) => f.name.as_str(),
                Tool::Native(native) => panic!("{to} kept a foreign tool {native:?}"),
            })
            .collect();
        assert_eq!(names.len(), 2, "{to}: {names:?}");
        assert_eq!(names[0], "exec_command");
        assert!(names[1].contains("spawn"), "{to}: {names:?}");
    }
}

#[test]
fn a_stateful_responses_request_is_not_translated() {
    let body = br#"{"model":"gpt-5","input":"and then?","previous_response_id":"resp_123"}"#;
    for to in [WireFormat::OpenAiChat, WireFormat::Anthropic, WireFormat::Gemini] {
        let err = translate::request(WireFormat::OpenAiResponses, to, body, &path()).unwrap_err();
        assert!(err.to_string().contains("previous_response_id"), "{to}: {err}");
        assert_eq!(err.to_api_error().status, 400);
    }
}

#[test]
fn unknown_fields_and_blocks_do_not_cross_formats() {
    let body = json!({
        "model": MODEL, "max_tokens": 100,
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
            {"type": "future_block", "payload": 1}
        ]}]
    });
    let body = serde_json::to_vec(&body).unwrap();
    for to in [WireFormat::OpenAiChat, WireFormat::OpenAiResponses, WireFormat::Gemini] {
        let out = translate::request(WireFormat::Anthropic, to, &body, &path()).unwrap();
        let text = String::from_utf8(out.body).unwrap();
        for foreign in ["context_management", "cache_control", "future_block"] {
            assert!(!text.contains(foreign), "{to} received {foreign}: {text}");
        }
    }
}

fn answer() -> Response {
    Response {
        id: "resp-1".into(),
        model: MODEL.into(),
        content: vec![
            Part::Text(Text::new("Reading both.")),
            Part::ToolCall(ToolCall {
                id: "call_a1".into(),
                name: "read_file".into(),
                arguments: r#"{"path":"a.txt"}"#.into(),
                ..ToolCall::default()
            }),
            Part::ToolCall(ToolCall {
                id: "call_b2".into(),
                name: "read_file".into(),
                arguments: r#"{"path":"b.txt"}"#.into(),
                ..ToolCall::default()
            }),
        ],
        stop_reason: Some(StopReason::ToolUse),
        usage: Usage { input: 100, output: 50, cache_read: 900, reasoning: 20, ..Usage::default() },
        ..Response::default()
    }
}

#[test]
fn responses_keep_text_tool_calls_and_the_tool_use_stop() {
    for (from, to) in pairs() {
        let back = response_through(from, to, answer());
        assert_eq!(texts(&back.content), ["Reading both."], "{from} → {to}");
        let calls: Vec<(&str, Value)> = back
            .content
            .iter()
            .filter_map(|p| match p {
                Part::ToolCall(c) => Some((c.id.as_str(), json_args(&c.arguments))),
                _ => None,
            })
            .collect();
        assert_eq!(
            calls,
            [("call_a1", json!({"path": "a.txt"})), ("call_b2", json!({"path": "b.txt"}))],
            "{from} → {to}"
        );
        assert_eq!(back.stop_reason, Some(StopReason::ToolUse), "{from} → {to}");
    }
}

#[test]
fn stop_reasons_map_between_formats() {
    for reason in [StopReason::EndTurn, StopReason::MaxTokens, StopReason::ContentFilter] {
        // Anthropic has no content-filter stop; it says `refusal`.
        let expressible = |f| reason != StopReason::ContentFilter || f != WireFormat::Anthropic;
        for (from, to) in pairs().filter(|(a, b)| expressible(*a) && expressible(*b)) {
            let response = Response {
                content: vec![Part::Text(Text::new("partial"))],
                stop_reason: Some(reason.clone()),
                ..answer()
            };
            let back = response_through(from, to, response);
            assert_eq!(back.stop_reason, Some(reason.clone()), "{from} → {to}");
        }
    }
}

#[test]
fn usage_with_cache_and_reasoning_tokens_is_normalised() {
    let usage = Usage {
        input: 100,
        output: 50,
        cache_read: 900,
        cache_write_5m: 30,
        cache_write_1h: 10,
        reasoning: 20,
    };
    for (from, to) in pairs() {
        let back = response_through(from, to, Response { usage, ..answer() }).usage;
        assert_eq!(back.total_input(), 1_040, "{from} → {to}: {back:?}");
        assert_eq!(back.cache_read, 900, "{from} → {to}");
        assert_eq!(back.output, 50, "{from} → {to}");
        // Anthropic does not report reasoning tokens apart from output tokens.
        if from != WireFormat::Anthropic && to != WireFormat::Anthropic {
            assert_eq!(back.reasoning, 20, "{from} → {to}");
        }
    }
}

#[test]
fn cache_writes_by_ttl_survive_anthropic_round_trips() {
    let usage = Usage {
        input: 100,
        output: 50,
        cache_read: 900,
        cache_write_5m: 30,
        cache_write_1h: 10,
        reasoning: 0,
    };
    let body = codec(WireFormat::Anthropic).encode_response(Response { usage, ..answer() }).unwrap();
    assert_eq!(codec(WireFormat::Anthropic).decode_response(&body).unwrap().usage, usage);
}

#[test]
fn file_ids_stay_within_their_provider_family() {
    let ir = request(vec![Message {
        role: Role::User,
        content: vec![
            Part::Document(Media {
                source: Source::FileId("file-6F2ksmvXxt4VdoqmHRw6kL".into()),
                name: None,
                detail: None,
                extra: Default::default(),
            }),
            Part::Text(Text::new("Summarise it.")),
        ],
        ..Message::default()
    }]);
    for (from, to) in pairs().filter(|(from, _)| *from != WireFormat::Gemini) {
        let body = codec(from).encode_request(ir.clone()).unwrap();
        let result = translate::request(from, to, &body, &path());
        if from.family() == to.family() {
            let out = result.unwrap();
            assert!(
                String::from_utf8(out.body).unwrap().contains("file-6F2ksmvXxt4VdoqmHRw6kL"),
                "{from} → {to}"
            );
        } else {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("file store"), "{from} → {to}: {err}");
        }
    }
}
