//! Requests: each feature decodes into the right IR and encodes into the right wire JSON.

use serde_json::{Map, Value, json};

use super::{Gemini, decode, encode, path};
use crate::ir::{
    Effort, Extra, FunctionTool, Media, Message, Native, Opaque, Part, Reasoning, ReasoningConfig, Request,
    ResponseFormat, Role, Source, Text, Tool, ToolCall, ToolChoice, ToolOutput, ToolResult,
};
use crate::protocol::{Codec, PathParams};
use crate::{Family, TranslateError, WireFormat};

fn user(parts: Value) -> Value {
    json!({"contents": [{"role": "user", "parts": parts}]})
}

fn opaque(family: Family, value: &str) -> Option<Opaque> {
    Some(Opaque { family, value: value.into() })
}

fn foreign_extra(key: &str) -> Extra {
    let mut map = Map::new();
    map.insert(key.into(), json!(true));
    Extra::new(WireFormat::Anthropic, map)
}

fn request(messages: Vec<Message>) -> Request {
    Request { model: "m".into(), messages, ..Request::default() }
}

fn assistant(content: Vec<Part>) -> Message {
    Message { role: Role::Assistant, content, ..Message::default() }
}

fn user_message(content: Vec<Part>) -> Message {
    Message { role: Role::User, content, ..Message::default() }
}

fn call(id: &str, name: &str, args: &str, signature: Option<Opaque>) -> Part {
    Part::ToolCall(ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.into(),
        signature,
        ..ToolCall::default()
    })
}

fn result(call_id: &str, content: ToolOutput, is_error: bool) -> Part {
    Part::ToolResult(ToolResult { call_id: call_id.into(), content, is_error, ..ToolResult::default() })
}

#[test]
fn model_and_stream_come_from_the_path_and_a_missing_model_is_invalid() {
    let body = user(json!([{"text": "hi"}]));
    let ir = decode(&body);
    assert_eq!((ir.model.as_str(), ir.stream), ("gemini-3.8-flash", true));
    let err = Gemini.decode_request(body.to_string().as_bytes(), &PathParams::default()).expect_err("fails");
    assert!(matches!(err, TranslateError::Invalid { ref path, .. } if path == "model"), "{err}");
    assert!(!encode(ir).as_object().expect("present").contains_key("model"));
}

#[test]
fn malformed_json_is_a_json_error() {
    let err = Gemini.decode_request(b"{\"contents\": [", &path()).expect_err("fails");
    assert!(matches!(err, TranslateError::Json(_)));
}

#[test]
fn roles_map_and_a_missing_role_is_user() {
    let ir = decode(
        &json!({"contents": [{"parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}]}),
    );
    assert_eq!(ir.messages.iter().map(|m| m.role).collect::<Vec<_>>(), [Role::User, Role::Assistant]);
    let err = Gemini
        .decode_request(br#"{"contents":[{"role":"system","parts":[{"text":"x"}]}]}"#, &path())
        .expect_err("fails");
    assert!(matches!(err, TranslateError::Invalid { ref path, .. } if path == "contents[0].role"), "{err}");
}

#[test]
fn system_instruction_is_a_leading_system_message() {
    let ir = decode(&json!({"systemInstruction": {"role": "user", "parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}));
    assert_eq!(ir.messages[0].role, Role::System);
    assert!(matches!(&ir.messages[0].content[0], Part::Text(t) if t.text == "Be brief."));
}

#[test]
fn instructions_anywhere_are_folded_into_system_instruction_in_order() {
    let ir = request(vec![
        Message::text(Role::System, "one"),
        Message::text(Role::User, "hi"),
        Message::text(Role::Developer, "two"),
        Message::text(Role::Assistant, "hello"),
    ]);
    let out = encode(ir);
    assert_eq!(out["systemInstruction"], json!({"parts": [{"text": "one"}, {"text": "two"}]}));
    assert_eq!(
        out["contents"],
        json!([{"role": "user", "parts": [{"text": "hi"}]}, {"role": "model", "parts": [{"text": "hello"}]}])
    );
}

#[test]
fn thoughts_and_signatures_decode_into_reasoning_and_text_signatures() {
    let ir = decode(&json!({"contents": [{"role": "model", "parts": [
        {"text": "thinking", "thought": true, "thoughtSignature": "c2lnMQ=="},
        {"text": "answer", "thoughtSignature": "c2lnMg=="}]}]}));
    let google = |v: &str| opaque(Family::Google, v);
    assert!(matches!(&ir.messages[0].content[0],
        Part::Reasoning(r) if r.text.as_deref() == Some("thinking") && r.opaque == google("c2lnMQ==")));
    assert!(matches!(&ir.messages[0].content[1], Part::Text(t) if t.signature == google("c2lnMg==")));
}

#[test]
fn media_parts_become_images_documents_and_urls() {
    let ir = decode(&user(json!([
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://b/cat.jpg"}}])));
    let parts = &ir.messages[0].content;
    assert!(
        matches!(&parts[0], Part::Image(Media { source: Source::Base64 { media_type, .. }, .. }) if media_type == "image/png")
    );
    assert!(
        matches!(&parts[1], Part::Document(Media { source: Source::Base64 { media_type, .. }, .. }) if media_type == "application/pdf")
    );
    assert!(matches!(&parts[2], Part::Image(Media { source: Source::Url { url, media_type: Some(t) }, .. })
        if url == "gs://b/cat.jpg" && t == "image/jpeg"));
}

#[test]
fn function_calls_and_responses_decode_with_ids_names_and_outputs() {
    let ir = decode(&json!({"contents": [
        {"role": "model", "parts": [
            {"functionCall": {"id": "glob_1_0", "name": "glob", "args": {"pattern": "*.rs"}}, "thoughtSignature": "c2ln"},
            {"functionCall": {"name": "read", "args": {"path": "a"}}}]},
        {"role": "user", "parts": [
            {"functionResponse": {"id": "glob_1_0", "name": "glob", "response": {"output": "a.rs"}}},
            {"functionResponse": {"name": "read", "response": {"error": "denied"}}}]},
        {"role": "user", "parts": [
            {"functionResponse": {"id": "x", "name": "read", "response": {"lines": 3}}}]}]}));
    let Part::ToolCall(first) = &ir.messages[0].content[0] else { panic!("a call") };
    assert_eq!(
        (first.id.as_str(), first.name.as_str(), first.arguments.as_str()),
        ("glob_1_0", "glob", r#"{"pattern":"*.rs"}"#)
    );
    assert_eq!(first.signature, opaque(Family::Google, "c2ln"));
    assert!(matches!(&ir.messages[0].content[1], Part::ToolCall(c) if c.id == "call_1"));
    let results: Vec<&ToolResult> = ir.messages[1..]
        .iter()
        .flat_map(|m| &m.content)
        .map(|p| match p {
            Part::ToolResult(r) => r,
            _ => panic!("a result"),
        })
        .collect();
    assert_eq!(results[0].call_id, "glob_1_0");
    assert_eq!(results[0].content, ToolOutput::Parts(vec![Part::Text(Text::new("a.rs"))]));
    assert_eq!((results[1].call_id.as_str(), results[1].is_error), ("call_1", true));
    assert_eq!(results[2].content, ToolOutput::Json(json!({"lines": 3})));
}

#[test]
fn a_response_matching_no_call_is_invalid() {
    let body = user(json!([{"functionResponse": {"name": "ghost", "response": {"output": "?"}}}]));
    let err = Gemini.decode_request(body.to_string().as_bytes(), &path()).expect_err("fails");
    assert!(
        matches!(err, TranslateError::Invalid { ref path, .. } if path == "contents[0].parts[0].functionResponse"),
        "{err}"
    );
}

#[test]
fn unmodelled_parts_are_native() {
    let ir = decode(&user(json!([
        {"executableCode": {"language": "PYTHON", "code": "1"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK"}},
        {"fileData": {"fileUri": "gs://v.mp4", "mimeType": "video/mp4"}, "videoMetadata": {"fps": 1}},
        {"somethingNew": {}}])));
    assert!(
        ir.messages[0].content.iter().all(|p| matches!(p, Part::Native(n) if n.format == WireFormat::Gemini))
    );
}

#[test]
fn tools_are_normalised_and_built_ins_are_native() {
    let ir = decode(&json!({"contents": [], "tools": [
        {"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}}]},
        {"googleSearch": {}}]}));
    assert!(matches!(&ir.tools[0], Tool::Function(f)
        if f.parameters == Some(json!({"type": "object", "properties": {"a": {"type": "string"}}}))));
    assert!(matches!(&ir.tools[1], Tool::Native(n) if n.value == json!({"googleSearch": {}})));
}

#[test]
fn function_calling_modes_map_to_tool_choices() {
    let choice = |fcc: Value| {
        decode(&json!({"contents": [], "toolConfig": {"functionCallingConfig": fcc}})).tool_choice
    };
    assert_eq!(choice(json!({"mode": "AUTO"})), Some(ToolChoice::Auto));
    assert_eq!(choice(json!({"mode": "NONE"})), Some(ToolChoice::None));
    assert_eq!(choice(json!({"mode": "ANY"})), Some(ToolChoice::Required));
    assert_eq!(
        choice(json!({"mode": "ANY", "allowedFunctionNames": ["f"]})),
        Some(ToolChoice::Tool("f".into()))
    );
    assert_eq!(
        choice(json!({"mode": "ANY", "allowedFunctionNames": ["f", "g"]})),
        Some(ToolChoice::Required)
    );
    assert_eq!(choice(json!({"mode": "VALIDATED"})), Some(ToolChoice::Auto));
}

#[test]
fn generation_config_maps_sampling_limits_and_keeps_the_rest() {
    let ir =
        decode(&json!({"contents": [], "generationConfig": {"temperature": 0.5, "topP": 0.9, "topK": 40,
        "maxOutputTokens": 100, "stopSequences": ["x"], "presencePenalty": 0.1, "frequencyPenalty": 0.2,
        "seed": 7, "candidateCount": 2}, "safetySettings": [], "cachedContent": "cachedContents/a"}));
    assert_eq!(ir.sampling.temperature, Some(0.5));
    assert_eq!((ir.sampling.top_p, ir.sampling.top_k, ir.sampling.seed), (Some(0.9), Some(40), Some(7)));
    assert_eq!((ir.sampling.presence_penalty, ir.sampling.frequency_penalty), (Some(0.1), Some(0.2)));
    assert_eq!((ir.max_output_tokens, ir.stop.as_slice()), (Some(100), ["x".to_owned()].as_slice()));
    let extra = ir.extra.fields_for(WireFormat::Gemini).expect("present");
    assert_eq!(extra["generationConfig"], json!({"candidateCount": 2}));
    assert_eq!(extra["cachedContent"], json!("cachedContents/a"));
}

#[test]
fn response_schemas_are_lowered_and_json_mime_alone_is_json_object() {
    let format = |gc: Value| decode(&json!({"contents": [], "generationConfig": gc})).response_format;
    let schema = json!({"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}});
    assert_eq!(
        format(json!({"responseMimeType": "application/json", "responseJsonSchema": schema})),
        Some(ResponseFormat::JsonSchema {
            name: None,
            description: None,
            schema: json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
            strict: None
        })
    );
    assert_eq!(format(json!({"responseMimeType": "application/json"})), Some(ResponseFormat::JsonObject));
}

#[test]
fn thinking_config_maps_levels_and_budgets() {
    let reasoning = |tc: Value| {
        decode(&json!({"contents": [], "generationConfig": {"thinkingConfig": tc}}))
            .reasoning
            .expect("present")
    };
    let high = reasoning(json!({"includeThoughts": true, "thinkingLevel": "HIGH"}));
    assert_eq!((high.effort, high.summary.as_deref()), (Some(Effort::High), Some("auto")));
    assert!(reasoning(json!({"thinkingBudget": -1})).adaptive);
    assert_eq!(reasoning(json!({"thinkingBudget": 0})).enabled, Some(false));
    let budget = reasoning(json!({"thinkingBudget": 1024}));
    assert_eq!((budget.enabled, budget.budget_tokens), (Some(true), Some(1024)));
}

#[test]
fn tool_results_take_their_name_from_the_earlier_call() {
    let ir = request(vec![
        assistant(vec![call("toolu_1", "Bash", r#"{"command":"ls"}"#, None)]),
        user_message(vec![result("toolu_1", ToolOutput::Parts(vec![Part::Text(Text::new("a\nb"))]), false)]),
    ]);
    let out = encode(ir);
    assert_eq!(
        out["contents"][1]["parts"][0],
        json!({"functionResponse": {"id": "toolu_1", "name": "Bash", "response": {"output": "a\nb"}}})
    );
}

#[test]
fn a_tool_result_for_an_unknown_call_is_invalid() {
    let ir = request(vec![user_message(vec![result("nope", ToolOutput::default(), false)])]);
    assert!(matches!(Gemini.encode_request(ir), Err(TranslateError::Invalid { .. })));
}

#[test]
fn tool_outputs_encode_as_the_inverse_of_decoding() {
    let png = Part::Image(Media {
        source: Source::Base64 { media_type: "image/png".into(), data: "iVBO".into() },
        name: None,
        detail: None,
        extra: Extra::default(),
    });
    let ir = request(vec![
        assistant(vec![
            call("a", "f", "{}", None),
            call("b", "f", "", None),
            call("c", "f", "{}", None),
            call("d", "f", "{}", None),
        ]),
        user_message(vec![
            result("a", ToolOutput::Parts(vec![Part::Text(Text::new("boom"))]), true),
            result("b", ToolOutput::Json(json!({"rows": [1]})), false),
            result("c", ToolOutput::Json(json!([1, 2])), false),
            result("d", ToolOutput::Parts(vec![Part::Text(Text::new("see")), png]), false),
        ]),
    ]);
    let out = encode(ir);
    assert_eq!(out["contents"][0]["parts"][1]["functionCall"]["args"], json!({}));
    let responses: Vec<&Value> = out["contents"][1]["parts"]
        .as_array()
        .expect("present")
        .iter()
        .map(|p| &p["functionResponse"])
        .collect();
    assert_eq!(responses[0]["response"], json!({"error": "boom"}));
    assert_eq!(responses[1]["response"], json!({"rows": [1]}));
    assert_eq!(responses[2]["response"], json!({"output": [1, 2]}));
    assert_eq!(responses[3]["response"], json!({"output": "see"}));
    assert_eq!(responses[3]["parts"], json!([{"inlineData": {"mimeType": "image/png", "data": "iVBO"}}]));
}

#[test]
fn arguments_that_are_not_an_object_are_invalid() {
    let ir = request(vec![assistant(vec![call("a", "f", "[1]", None)])]);
    assert!(matches!(Gemini.encode_request(ir), Err(TranslateError::Invalid { .. })));
}

#[test]
fn foreign_calls_get_the_documented_validator_skip_signature_on_the_first_call_only() {
    let ir = request(vec![
        assistant(vec![
            Part::Text(Text::new("Checking.")),
            call("a", "f", "{}", opaque(Family::Anthropic, "EqQBCkYIBxgCKkD")),
            call("b", "f", "{}", None),
        ]),
        assistant(vec![call("c", "f", "{}", opaque(Family::Google, "R29vZ2xlU2ln"))]),
    ]);
    let out = encode(ir);
    let turn = &out["contents"][0]["parts"];
    assert_eq!(turn[0], json!({"text": "Checking."}));
    assert_eq!(turn[1]["thoughtSignature"], json!("skip_thought_signature_validator"));
    assert!(turn[2].get("thoughtSignature").is_none());
    assert_eq!(out["contents"][1]["parts"][0]["thoughtSignature"], json!("R29vZ2xlU2ln"));
}

#[test]
fn reasoning_of_another_family_is_dropped_and_googles_is_kept_byte_exact() {
    let reasoning = |family, value: &str| {
        Part::Reasoning(Reasoning {
            text: Some("t".into()),
            opaque: opaque(family, value),
            ..Reasoning::default()
        })
    };
    let ir = request(vec![assistant(vec![
        reasoning(Family::Anthropic, "EqQBCkYIBxgC"),
        reasoning(Family::OpenAi, "gAAAAABo"),
        reasoning(Family::Google, "Q2lRQmp6MXJYMQ=="),
        Part::Text(Text { text: "x".into(), signature: opaque(Family::OpenAi, "zz"), ..Text::default() }),
    ])]);
    let out = encode(ir);
    assert_eq!(
        out["contents"][0]["parts"],
        json!([{"text": "t", "thought": true, "thoughtSignature": "Q2lRQmp6MXJYMQ=="}, {"text": "x"}])
    );
}

#[test]
fn other_formats_extra_and_native_are_ignored_and_geminis_are_re_emitted() {
    let mut own = Map::new();
    own.insert("cachedContent".into(), json!("cachedContents/x"));
    let mut ir = request(vec![Message {
        role: Role::User,
        content: vec![
            Part::Text(Text { text: "hi".into(), extra: foreign_extra("cache_control"), ..Text::default() }),
            Part::Native(Native { format: WireFormat::Anthropic, value: json!({"type": "server_tool_use"}) }),
            Part::Native(Native {
                format: WireFormat::Gemini,
                value: json!({"executableCode": {"code": "1"}}),
            }),
        ],
        extra: foreign_extra("name"),
        ..Message::default()
    }]);
    ir.extra = Extra::new(WireFormat::Gemini, own);
    ir.tools = vec![
        Tool::Native(Native { format: WireFormat::OpenAiResponses, value: json!({"type": "web_search"}) }),
        Tool::Native(Native { format: WireFormat::Gemini, value: json!({"googleSearch": {}}) }),
    ];
    let out = encode(ir);
    assert_eq!(
        out["contents"],
        json!([{"role": "user", "parts": [{"text": "hi"}, {"executableCode": {"code": "1"}}]}])
    );
    assert_eq!(out["tools"], json!([{"googleSearch": {}}]));
    assert_eq!(out["cachedContent"], json!("cachedContents/x"));
}

#[test]
fn tools_from_other_formats_use_parameters_json_schema_and_choices_map_back() {
    let schema = json!({"type": "object", "properties": {"q": {"type": "string"}}});
    let tool = |name: &str| {
        Tool::Function(FunctionTool {
            name: name.into(),
            description: Some("d".into()),
            parameters: Some(schema.clone()),
            strict: Some(true),
            extra: foreign_extra("cache_control"),
        })
    };
    let mut ir = request(vec![Message::text(Role::User, "q")]);
    ir.tools = vec![tool("a"), tool("b")];
    let with = |choice| {
        let mut ir = ir.clone();
        ir.tool_choice = Some(choice);
        encode(ir)["toolConfig"]["functionCallingConfig"].clone()
    };
    let out = encode(ir.clone());
    assert_eq!(
        out["tools"],
        json!([{"functionDeclarations": [
            {"name": "a", "description": "d", "parametersJsonSchema": schema},
            {"name": "b", "description": "d", "parametersJsonSchema": schema}]}])
    );
    assert_eq!(with(ToolChoice::Auto), json!({"mode": "AUTO"}));
    assert_eq!(with(ToolChoice::None), json!({"mode": "NONE"}));
    assert_eq!(with(ToolChoice::Required), json!({"mode": "ANY"}));
    assert_eq!(with(ToolChoice::Tool("b".into())), json!({"mode": "ANY", "allowedFunctionNames": ["b"]}));
}

#[test]
fn reasoning_settings_encode_into_thinking_config() {
    let thinking = |reasoning: ReasoningConfig| {
        let mut ir = request(vec![Message::text(Role::User, "q")]);
        ir.reasoning = Some(reasoning);
        encode(ir)["generationConfig"]["thinkingConfig"].clone()
    };
    let effort = |e| ReasoningConfig { effort: Some(e), ..ReasoningConfig::default() };
    assert_eq!(thinking(effort(Effort::Max)), json!({"thinkingLevel": "HIGH"}));
    assert_eq!(thinking(effort(Effort::Minimal)), json!({"thinkingLevel": "MINIMAL"}));
    assert_eq!(thinking(effort(Effort::None)), json!({"thinkingBudget": 0}));
    let budget =
        ReasoningConfig { enabled: Some(true), budget_tokens: Some(31999), ..ReasoningConfig::default() };
    assert_eq!(thinking(budget), json!({"thinkingBudget": 31999}));
    let adaptive =
        ReasoningConfig { adaptive: true, summary: Some("detailed".into()), ..ReasoningConfig::default() };
    assert_eq!(thinking(adaptive), json!({"includeThoughts": true, "thinkingBudget": -1}));
    let adaptive_high =
        ReasoningConfig { adaptive: true, effort: Some(Effort::High), ..ReasoningConfig::default() };
    assert_eq!(thinking(adaptive_high), json!({"thinkingLevel": "HIGH"}));
    assert_eq!(
        thinking(ReasoningConfig { enabled: Some(false), ..ReasoningConfig::default() }),
        json!({"thinkingBudget": 0})
    );
}

#[test]
fn response_formats_sampling_and_dropped_fields_encode() {
    let mut ir = request(vec![Message::text(Role::User, "q")]);
    ir.response_format = Some(ResponseFormat::JsonSchema {
        name: Some("answer".into()),
        description: None,
        schema: json!({"type": "object"}),
        strict: Some(true),
    });
    ir.sampling.temperature = Some(1.0);
    ir.sampling.top_p = Some(0.95);
    ir.max_output_tokens = Some(64000);
    ir.stop = vec!["END".into()];
    ir.user = Some("user-1".into());
    ir.cache_key = Some("k".into());
    ir.parallel_tool_calls = Some(true);
    let out = encode(ir.clone());
    assert_eq!(
        out["generationConfig"],
        json!({"stopSequences": ["END"], "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object"}, "maxOutputTokens": 64000, "temperature": 1, "topP": 0.95})
    );
    assert_eq!(
        out.as_object().expect("present").keys().collect::<Vec<_>>(),
        ["contents", "generationConfig"]
    );
    ir.response_format = Some(ResponseFormat::JsonObject);
    assert_eq!(encode(ir)["generationConfig"]["responseMimeType"], json!("application/json"));
}

#[test]
fn media_encodes_inline_and_by_uri_and_foreign_file_ids_are_unsupported() {
    let media = |source| Media {
        source,
        name: Some("cat.png".into()),
        detail: Some("high".into()),
        extra: Extra::default(),
    };
    let ir = request(vec![user_message(vec![
        Part::Image(media(Source::Base64 { media_type: "image/png".into(), data: "iVBO".into() })),
        Part::Image(media(Source::Url { url: "https://x/cat.png".into(), media_type: None })),
        Part::Document(media(Source::Text("plain doc".into()))),
    ])]);
    assert_eq!(
        encode(ir)["contents"][0]["parts"],
        json!([{"inlineData": {"mimeType": "image/png", "data": "iVBO"}},
            {"fileData": {"fileUri": "https://x/cat.png"}}, {"text": "plain doc"}])
    );
    let ir = request(vec![user_message(vec![Part::Document(media(Source::FileId("file-abc".into())))])]);
    assert!(matches!(Gemini.encode_request(ir), Err(TranslateError::Unsupported { .. })));
}

#[test]
fn results_sent_as_separate_messages_share_one_content() {
    let text = |t: &str| ToolOutput::Parts(vec![Part::Text(Text::new(t))]);
    let ir = request(vec![
        assistant(vec![call("a", "f", "{}", None), call("b", "g", "{}", None)]),
        user_message(vec![result("a", text("1"), false)]),
        user_message(vec![result("b", text("2"), false)]),
        Message::text(Role::User, "next"),
    ]);
    let out = encode(ir);
    let contents = out["contents"].as_array().expect("contents");
    assert_eq!(contents.len(), 3);
    assert_eq!(contents[1]["parts"].as_array().expect("parts").len(), 2);
    assert_eq!(contents[2]["parts"], json!([{"text": "next"}]));
}

#[test]
fn a_function_response_without_a_name_needs_a_matching_call() {
    let body = json!({"contents": [
        {"role": "model", "parts": [{"functionCall": {"id": "call_1", "name": "glob", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"id": "call_1", "response": {"output": "a"}}}]}
    ]});
    let out = encode(decode(&body));
    assert_eq!(
        out["contents"][1]["parts"][0]["functionResponse"]["name"], "glob",
        "the name comes from the call"
    );

    let orphan = json!({"contents": [
        {"role": "user", "parts": [{"functionResponse": {"id": "elsewhere", "response": {"output": "a"}}}]}
    ]});
    let body = serde_json::to_vec(&orphan).expect("serialises");
    let err = Gemini.decode_request(&body, &path()).expect_err("nothing names the function");
    assert!(err.to_string().contains("functionResponse.name"), "{err}");
}
