use serde_json::json;

use super::{decode, decode_response};
use crate::ir::{Effort, Part, ResponseFormat, Role, Source, StopReason, Tool, ToolChoice, ToolOutput};
use crate::protocol::{Codec, PathParams};
use crate::{Family, TranslateError, Usage, WireFormat};

#[test]
fn system_blocks_become_one_leading_system_message_with_a_part_per_block() {
    let request = decode(json!({
        "model": "m", "max_tokens": 10,
        "system": [{"type": "text", "text": "billing"}, {"type": "text", "text": "rules", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "hi"}]
    }));
    let system = &request.messages[0];
    assert_eq!(system.role, Role::System);
    assert_eq!(system.content.len(), 2);
    let Part::Text(rules) = &system.content[1] else { panic!("text") };
    assert_eq!(rules.text, "rules");
    assert_eq!(
        rules.extra.fields_for(WireFormat::Anthropic).expect("extra")["cache_control"],
        json!({"type": "ephemeral"})
    );
}

#[test]
fn mid_conversation_system_message_stays_in_place() {
    let request = decode(json!({
        "model": "m", "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}, {"role": "system", "content": "agents: …"}]
    }));
    let roles: Vec<Role> = request.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::User, Role::System]);
}

#[test]
fn unknown_role_is_rejected_with_its_path() {
    let body = json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "b"}]});
    let err = crate::protocol::anthropic::Anthropic
        .decode_request(body.to_string().as_bytes(), &PathParams::default())
        .expect_err("rejected");
    assert!(matches!(err, TranslateError::Invalid { ref path, .. } if path == "messages[1].role"), "{err}");
}

#[test]
fn malformed_json_is_a_json_error() {
    let err = crate::protocol::anthropic::Anthropic
        .decode_request(b"{\"model\":", &PathParams::default())
        .expect_err("rejected");
    assert!(matches!(err, TranslateError::Json(_)));
}

#[test]
fn media_sources_map_to_ir_sources_and_document_title_to_name() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "image", "source": {"type": "url", "url": "https://x/cat.png"}},
        {"type": "document", "source": {"type": "file", "file_id": "file_1"}, "title": "Report", "context": "c"},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain"}}
    ]}]}));
    let parts = &request.messages[0].content;
    assert!(
        matches!(&parts[0], Part::Image(m) if m.source == Source::Base64 { media_type: "image/png".into(), data: "AAAA".into() })
    );
    assert!(
        matches!(&parts[1], Part::Image(m) if m.source == Source::Url { url: "https://x/cat.png".into(), media_type: None })
    );
    let Part::Document(doc) = &parts[2] else { panic!("document") };
    assert_eq!(doc.source, Source::FileId("file_1".into()));
    assert_eq!(doc.name.as_deref(), Some("Report"));
    assert_eq!(doc.extra.fields_for(WireFormat::Anthropic).expect("extra")["context"], "c");
    assert!(matches!(&parts[3], Part::Document(m) if m.source == Source::Text("plain".into())));
}

#[test]
fn tool_use_input_becomes_json_text_and_tool_result_keeps_error_flag() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "no such dir", "is_error": true}]}
    ]}));
    let Part::ToolCall(call) = &request.messages[0].content[0] else { panic!("tool call") };
    assert_eq!(
        (call.id.as_str(), call.name.as_str(), call.arguments.as_str()),
        ("toolu_1", "Bash", r#"{"command":"ls"}"#)
    );
    let Part::ToolResult(result) = &request.messages[1].content[0] else { panic!("tool result") };
    assert_eq!(result.call_id, "toolu_1");
    assert!(result.is_error);
    assert!(
        matches!(&result.content, ToolOutput::Parts(p) if matches!(&p[0], Part::Text(t) if t.text == "no such dir"))
    );
}

#[test]
fn thinking_and_redacted_thinking_carry_anthropic_opaque_artefacts() {
    let request =
        decode(json!({"model": "m", "max_tokens": 1, "messages": [{"role": "assistant", "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "redacted_thinking", "data": "blob"}
        ]}]}));
    let Part::Reasoning(thinking) = &request.messages[0].content[0] else { panic!("reasoning") };
    assert_eq!(thinking.text.as_deref(), Some("hmm"));
    assert_eq!(thinking.opaque.as_ref().and_then(|o| o.for_family(Family::Anthropic)), Some("sig"));
    let Part::Reasoning(redacted) = &request.messages[0].content[1] else { panic!("reasoning") };
    assert!(redacted.redacted);
    assert_eq!(redacted.opaque.as_ref().map(|o| o.value.as_str()), Some("blob"));
}

#[test]
fn unknown_blocks_and_malformed_known_blocks_become_native() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [
        {"type": "container_upload", "file_id": "f"},
        {"type": "image", "source": {"type": "content", "content": []}}
    ]}]}));
    for part in &request.messages[0].content {
        assert!(matches!(part, Part::Native(n) if n.format == WireFormat::Anthropic), "{part:?}");
    }
}

#[test]
fn custom_tools_are_functions_and_typed_tools_are_native() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [],
    "tools": [
        {"name": "f", "description": "d", "input_schema": {"type": "object"}, "strict": true},
        {"type": "custom", "name": "g", "input_schema": {"type": "object"}},
        {"type": "web_search_20250305", "name": "web_search"}
    ]}));
    assert!(
        matches!(&request.tools[0], Tool::Function(f) if f.name == "f" && f.strict == Some(true) && f.description.as_deref() == Some("d"))
    );
    assert!(matches!(&request.tools[1], Tool::Function(f) if f.name == "g"));
    assert!(matches!(&request.tools[2], Tool::Native(n) if n.value["type"] == "web_search_20250305"));
}

#[test]
fn tool_choice_and_disable_parallel_map_to_choice_and_parallel_flag() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [],
        "tool_choice": {"type": "tool", "name": "f", "disable_parallel_tool_use": true}}));
    assert_eq!(request.tool_choice, Some(ToolChoice::Tool("f".into())));
    assert_eq!(request.parallel_tool_calls, Some(false));
    let any = decode(json!({"model": "m", "max_tokens": 1, "messages": [], "tool_choice": {"type": "any"}}));
    assert_eq!((any.tool_choice, any.parallel_tool_calls), (Some(ToolChoice::Required), None));
}

#[test]
fn thinking_and_effort_map_to_reasoning_config() {
    let adaptive = decode(json!({"model": "m", "max_tokens": 1, "messages": [],
        "thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}}));
    let reasoning = adaptive.reasoning.expect("reasoning");
    assert!(reasoning.adaptive);
    assert_eq!((reasoning.enabled, reasoning.effort), (Some(true), Some(Effort::High)));
    let budget = decode(
        json!({"model": "m", "max_tokens": 1, "messages": [], "thinking": {"type": "enabled", "budget_tokens": 31999}}),
    );
    assert_eq!(budget.reasoning.and_then(|r| r.budget_tokens), Some(31999));
    let off =
        decode(json!({"model": "m", "max_tokens": 1, "messages": [], "thinking": {"type": "disabled"}}));
    assert_eq!(off.reasoning.and_then(|r| r.enabled), Some(false));
}

#[test]
fn output_config_json_schema_is_the_response_format() {
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [],
        "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}));
    assert!(
        matches!(request.response_format, Some(ResponseFormat::JsonSchema { ref schema, .. }) if *schema == json!({"type": "object"}))
    );
}

#[test]
fn metadata_user_id_json_string_stays_text_and_unknown_fields_go_to_extra() {
    let user_id = r#"{"device_id":"d","account_uuid":"","session_id":"s"}"#;
    let request = decode(json!({"model": "m", "max_tokens": 1, "messages": [], "stream": true,
        "metadata": {"user_id": user_id}, "context_management": {"edits": []}, "service_tier": "auto",
        "temperature": 0.5, "top_k": 5, "stop_sequences": ["X"]}));
    assert_eq!(request.user.as_deref(), Some(user_id));
    assert!(request.stream);
    assert_eq!((request.sampling.temperature, request.sampling.top_k), (Some(0.5), Some(5)));
    assert_eq!(request.stop, ["X"]);
    let extra = request.extra.fields_for(WireFormat::Anthropic).expect("extra");
    assert_eq!(extra["service_tier"], "auto");
    assert!(extra.contains_key("context_management"));
}

#[test]
fn response_maps_stop_reasons_content_and_usage() {
    let response = decode_response(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": "hi"}, {"type": "tool_use", "id": "t", "name": "f", "input": {}}],
        "stop_reason": "model_context_window_exceeded", "stop_sequence": null,
        "usage": {"input_tokens": 5, "output_tokens": 7, "cache_creation_input_tokens": 30, "cache_read_input_tokens": 11,
                  "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 20}, "service_tier": "standard"}
    }));
    assert_eq!(response.stop_reason, Some(StopReason::ContextWindowExceeded));
    assert_eq!(
        response.usage,
        Usage { input: 5, output: 7, cache_read: 11, cache_write_5m: 10, cache_write_1h: 20, reasoning: 0 }
    );
    assert!(matches!(&response.content[1], Part::ToolCall(c) if c.arguments == "{}"));
}

#[test]
fn usage_without_ttl_split_counts_every_cache_write_as_five_minutes() {
    let response = decode_response(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
        "stop_reason": "pause_turn", "stop_sequence": null,
        "usage": {"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": 300}
    }));
    assert_eq!((response.usage.cache_write_5m, response.usage.cache_write_1h), (300, 0));
    assert_eq!(response.stop_reason, Some(StopReason::PauseTurn));
}
