use serde_json::{Map, json};

use super::{decode, encode, encode_response};
use crate::ir::{
    Effort, Extra, FunctionTool, Media, Message, Native, Opaque, Part, Reasoning, ReasoningConfig, Request,
    Response, ResponseFormat, Role, Source, StopReason, Text, Tool, ToolCall, ToolChoice, ToolOutput,
    ToolResult,
};
use crate::protocol::Codec;
use crate::protocol::anthropic::{Anthropic, DEFAULT_MAX_TOKENS};
use crate::{Family, TranslateError, Usage, WireFormat};

fn request(messages: Vec<Message>) -> Request {
    Request { model: "claude-opus-4-8".into(), messages, ..Request::default() }
}

fn message(role: Role, content: Vec<Part>) -> Message {
    Message { role, content, ..Message::default() }
}

fn reasoning(family: Family, value: &str) -> Part {
    Part::Reasoning(Reasoning {
        text: Some("thought".into()),
        opaque: Some(Opaque { family, value: value.into() }),
        ..Reasoning::default()
    })
}

fn call(id: &str, arguments: &str) -> Part {
    Part::ToolCall(ToolCall {
        id: id.into(),
        name: "f".into(),
        arguments: arguments.into(),
        ..ToolCall::default()
    })
}

fn extra(format: WireFormat, key: &str, value: serde_json::Value) -> Extra {
    let mut fields = Map::new();
    fields.insert(key.into(), value);
    Extra::new(format, fields)
}

#[test]
fn leading_and_mid_conversation_instructions_fold_into_system_in_order() {
    let json = encode(request(vec![
        Message::text(Role::System, "rules"),
        Message::text(Role::User, "hi"),
        Message::text(Role::Developer, "be short"),
        Message::text(Role::Assistant, "hello"),
    ]));
    assert_eq!(
        json["system"],
        json!([{"type": "text", "text": "rules"}, {"type": "text", "text": "be short"}])
    );
    assert_eq!(
        json["messages"],
        json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    );
}

#[test]
fn a_single_plain_instruction_is_a_string_system() {
    let json =
        encode(request(vec![Message::text(Role::Developer, "rules"), Message::text(Role::User, "hi")]));
    assert_eq!(json["system"], "rules");
}

#[test]
fn max_tokens_defaults_above_the_thinking_budget() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    assert_eq!(encode(ir.clone())["max_tokens"], DEFAULT_MAX_TOKENS);
    ir.reasoning = Some(ReasoningConfig {
        enabled: Some(true),
        budget_tokens: Some(31999),
        ..ReasoningConfig::default()
    });
    let json = encode(ir);
    assert_eq!(json["thinking"], json!({"type": "enabled", "budget_tokens": 31999}));
    assert_eq!(json["max_tokens"], DEFAULT_MAX_TOKENS + 31999);
}

#[test]
fn enabled_thinking_without_budget_takes_the_effort_table_and_stays_below_max_tokens() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.reasoning = Some(ReasoningConfig {
        enabled: Some(true),
        effort: Some(Effort::High),
        ..ReasoningConfig::default()
    });
    let json = encode(ir.clone());
    assert_eq!(json["thinking"], json!({"type": "enabled", "budget_tokens": 16384}));
    assert!(json.get("output_config").is_none());
    ir.max_output_tokens = Some(4000);
    assert_eq!(encode(ir)["thinking"]["budget_tokens"], 3999);
}

#[test]
fn effort_alone_is_sent_as_output_config_effort_and_none_disables_thinking() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.reasoning = Some(ReasoningConfig { effort: Some(Effort::Minimal), ..ReasoningConfig::default() });
    let json = encode(ir.clone());
    assert_eq!(json["output_config"], json!({"effort": "low"}));
    assert!(json.get("thinking").is_none());
    ir.reasoning = Some(ReasoningConfig { effort: Some(Effort::None), ..ReasoningConfig::default() });
    assert_eq!(encode(ir)["thinking"], json!({"type": "disabled"}));
}

#[test]
fn adaptive_stays_adaptive_with_its_effort() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.reasoning = Some(ReasoningConfig {
        enabled: Some(true),
        adaptive: true,
        effort: Some(Effort::Max),
        ..ReasoningConfig::default()
    });
    let json = encode(ir);
    assert_eq!(json["thinking"], json!({"type": "adaptive"}));
    assert_eq!(json["output_config"], json!({"effort": "max"}));
}

#[test]
fn enabled_thinking_is_not_sent_when_a_tool_call_lacks_a_signed_thinking_block() {
    let mut ir = request(vec![
        Message::text(Role::User, "hi"),
        message(Role::Assistant, vec![reasoning(Family::OpenAi, "enc"), call("c1", "{}")]),
    ]);
    ir.reasoning = Some(ReasoningConfig {
        enabled: Some(true),
        budget_tokens: Some(2048),
        ..ReasoningConfig::default()
    });
    let json = encode(ir.clone());
    assert!(json.get("thinking").is_none());
    assert_eq!(json["max_tokens"], DEFAULT_MAX_TOKENS);
    assert_eq!(
        json["messages"][1]["content"],
        json!([{"type": "tool_use", "id": "c1", "name": "f", "input": {}}])
    );

    ir.messages[1].content[0] = reasoning(Family::Anthropic, "sig");
    let json = encode(ir);
    assert_eq!(json["thinking"]["type"], "enabled");
    assert_eq!(
        json["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": "thought", "signature": "sig"})
    );
}

#[test]
fn foreign_opaque_reasoning_is_dropped_and_own_is_kept_byte_exact() {
    let redacted = Part::Reasoning(Reasoning {
        opaque: Some(Opaque { family: Family::Anthropic, value: "EmwK+/==".into() }),
        redacted: true,
        ..Reasoning::default()
    });
    let json = encode(request(vec![message(
        Role::Assistant,
        vec![
            reasoning(Family::Google, "g"),
            reasoning(Family::OpenAi, "o"),
            Part::Reasoning(Reasoning { text: Some("unsigned".into()), ..Reasoning::default() }),
            redacted,
            Part::Text(Text::new("answer")),
        ],
    )]));
    assert_eq!(
        json["messages"][0]["content"],
        json!([
            {"type": "redacted_thinking", "data": "EmwK+/=="},
            {"type": "text", "text": "answer"}
        ])
    );
}

#[test]
fn other_formats_extra_and_native_are_ignored_and_own_are_reemitted() {
    let mut ir = request(vec![message(
        Role::User,
        vec![
            Part::Text(Text {
                text: "a".into(),
                extra: extra(WireFormat::OpenAiChat, "annotations", json!([])),
                ..Text::default()
            }),
            Part::Text(Text {
                text: "b".into(),
                extra: extra(WireFormat::Anthropic, "cache_control", json!({"type": "ephemeral"})),
                ..Text::default()
            }),
            Part::Native(Native { format: WireFormat::Gemini, value: json!({"executableCode": {}}) }),
            Part::Native(Native {
                format: WireFormat::Anthropic,
                value: json!({"type": "container_upload", "file_id": "f"}),
            }),
        ],
    )]);
    ir.tools = vec![
        Tool::Native(Native { format: WireFormat::OpenAiResponses, value: json!({"type": "web_search"}) }),
        Tool::Native(Native {
            format: WireFormat::Anthropic,
            value: json!({"type": "bash_20250124", "name": "bash"}),
        }),
    ];
    ir.extra = extra(WireFormat::OpenAiChat, "logprobs", json!(true));
    let json = encode(ir.clone());
    assert_eq!(
        json["messages"][0]["content"],
        json!([
            {"type": "text", "text": "a"},
            {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}},
            {"type": "container_upload", "file_id": "f"}
        ])
    );
    assert_eq!(json["tools"], json!([{"type": "bash_20250124", "name": "bash"}]));
    assert!(json.get("logprobs").is_none());
    ir.extra = extra(WireFormat::Anthropic, "context_management", json!({"edits": []}));
    assert_eq!(encode(ir)["context_management"], json!({"edits": []}));
}

#[test]
fn refusals_and_gemini_signatures_and_json_tool_output_translate() {
    let json = encode(request(vec![
        message(
            Role::Assistant,
            vec![
                Part::Refusal("I can't".into()),
                Part::Text(Text {
                    text: "t".into(),
                    signature: Some(Opaque { family: Family::Google, value: "s".into() }),
                    ..Text::default()
                }),
                call("c1", ""),
            ],
        ),
        message(
            Role::User,
            vec![Part::ToolResult(ToolResult {
                call_id: "c1".into(),
                name: Some("f".into()),
                content: ToolOutput::Json(json!({"temp": 18})),
                ..ToolResult::default()
            })],
        ),
    ]));
    assert_eq!(
        json["messages"][0]["content"],
        json!([
            {"type": "text", "text": "I can't"}, {"type": "text", "text": "t"},
            {"type": "tool_use", "id": "c1", "name": "f", "input": {}}
        ])
    );
    assert_eq!(
        json["messages"][1]["content"],
        json!([
            {"type": "tool_result", "tool_use_id": "c1", "content": [{"type": "text", "text": "{\"temp\":18}"}]}
        ])
    );
}

#[test]
fn tool_arguments_that_are_not_an_object_are_rejected_with_a_path() {
    let err = Anthropic
        .encode_request(request(vec![message(
            Role::Assistant,
            vec![Part::Text(Text::new("x")), call("c", "[1]")],
        )]))
        .expect_err("rejected");
    assert!(
        matches!(err, TranslateError::Invalid { ref path, .. } if path == "messages[0].content[1].input"),
        "{err}"
    );
}

#[test]
fn url_pdf_becomes_a_document_url_source_and_name_its_title() {
    let json = encode(request(vec![message(
        Role::User,
        vec![Part::Document(Media {
            source: Source::Url { url: "https://x/a.pdf".into(), media_type: Some("application/pdf".into()) },
            name: Some("a.pdf".into()),
            detail: None,
            extra: Extra::default(),
        })],
    )]));
    assert_eq!(
        json["messages"][0]["content"],
        json!([
            {"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}, "title": "a.pdf"}
        ])
    );
}

#[test]
fn parallel_false_without_choice_is_auto_with_parallel_disabled() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.parallel_tool_calls = Some(false);
    assert_eq!(encode(ir.clone())["tool_choice"], json!({"type": "auto", "disable_parallel_tool_use": true}));
    ir.tool_choice = Some(ToolChoice::Required);
    ir.parallel_tool_calls = Some(true);
    assert_eq!(encode(ir)["tool_choice"], json!({"type": "any", "disable_parallel_tool_use": false}));
}

#[test]
fn function_tools_become_custom_tools_and_json_object_a_permissive_schema() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.tools = vec![Tool::Function(FunctionTool {
        name: "f".into(),
        strict: Some(true),
        ..FunctionTool::default()
    })];
    ir.response_format = Some(ResponseFormat::JsonObject);
    ir.sampling.seed = Some(7);
    ir.cache_key = Some("k".into());
    let json = encode(ir);
    assert_eq!(
        json["tools"],
        json!([{"name": "f", "input_schema": {"type": "object", "properties": {}}, "strict": true}])
    );
    assert_eq!(
        json["output_config"],
        json!({"format": {"type": "json_schema", "schema": {"type": "object"}}})
    );
    assert!(json.get("seed").is_none() && json.get("prompt_cache_key").is_none());
}

#[test]
fn whole_temperatures_are_written_as_integers() {
    let mut ir = request(vec![Message::text(Role::User, "hi")]);
    ir.sampling.temperature = Some(1.0);
    ir.sampling.top_p = Some(0.95);
    let json = encode(ir);
    assert_eq!(json["temperature"], json!(1));
    assert_eq!(json["top_p"], json!(0.95));
}

#[test]
fn kept_thinking_members_merge_back_and_unknown_types_pass_through() {
    let body = json!({"model": "m", "max_tokens": 9000, "messages": [],
        "thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
        "output_config": {"effort": "xhigh", "task_budget": {"type": "tokens", "total": 1000}},
        "tool_choice": {"type": "future"}});
    assert_eq!(encode(decode(body.clone())), body);
}

#[test]
fn response_encoding_synthesises_a_stable_id_and_full_usage() {
    let response = Response {
        model: "gpt-5".into(),
        content: vec![Part::Text(Text::new("hi")), reasoning(Family::OpenAi, "enc")],
        stop_reason: Some(StopReason::ContentFilter),
        usage: Usage { input: 3, output: 4, cache_read: 5, reasoning: 2, ..Usage::default() },
        created: Some(1),
        ..Response::default()
    };
    let json = encode_response(response.clone());
    assert!(json["id"].as_str().is_some_and(|id| id.starts_with("msg_")));
    assert_eq!(json["id"], encode_response(response)["id"]);
    assert_eq!(json["content"], json!([{"type": "text", "text": "hi"}]));
    assert_eq!(json["stop_reason"], "refusal");
    assert_eq!(
        json["usage"],
        json!({"input_tokens": 3, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 5,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}, "output_tokens": 4})
    );
}
