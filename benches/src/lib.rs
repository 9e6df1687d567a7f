//! Inputs shared by the criterion benches in `benches/`: realistic conversations, built once through the
//! IR so that every format gets the same content.
//!
//! Run with: `cargo bench -p aether-benches`

use aether_core::ir::{
    FunctionTool, Message, Part, Reasoning, Request, Role, Text, Tool, ToolCall, ToolOutput, ToolResult,
};
use serde_json::json;

/// A coding-agent conversation: a system prompt, `turns` rounds of (user text, assistant text and a
/// tool call, tool result), and `tools` function tools with realistic schemas. Every round adds three
/// messages, so `turns = 13` gives a 40-message conversation.
pub fn agent_conversation(turns: usize, tools: usize) -> Request {
    let mut messages = vec![Message::text(Role::System, "You are a careful coding agent. ".repeat(40))];
    for turn in 0..turns {
        messages.push(Message::text(
            Role::User,
            format!("Step {turn}: look at src/module_{turn}.rs and fix the failing test. ").repeat(4),
        ));
        messages.push(Message {
            role: Role::Assistant,
            content: vec![
                Part::Reasoning(Reasoning {
                    text: Some("I should read the file first.".into()),
                    ..Reasoning::default()
                }),
                Part::Text(Text::new(format!("I'll read src/module_{turn}.rs."))),
                Part::ToolCall(ToolCall {
                    id: format!("call_{turn:04}"),
                    name: format!("tool_{}", turn % tools.max(1)),
                    arguments: json!({"path": format!("src/module_{turn}.rs"), "offset": 0, "limit": 400})
                        .to_string(),
                    ..ToolCall::default()
                }),
            ],
            ..Message::default()
        });
        messages.push(Message {
            role: Role::User,
            content: vec![Part::ToolResult(ToolResult {
                call_id: format!("call_{turn:04}"),
                name: Some(format!("tool_{}", turn % tools.max(1))),
                content: ToolOutput::Parts(vec![Part::Text(Text::new(
                    "fn main() { println!(\"hello\"); }\n".repeat(30),
                ))]),
                ..ToolResult::default()
            })],
            ..Message::default()
        });
    }
    messages.push(Message::text(Role::User, "Now run the tests again."));
    Request {
        model: "bench-model".into(),
        stream: true,
        messages,
        tools: (0..tools).map(tool).collect(),
        max_output_tokens: Some(32_000),
        ..Request::default()
    }
}

fn tool(index: usize) -> Tool {
    Tool::Function(FunctionTool {
        name: format!("tool_{index}"),
        description: Some(
            format!("Tool number {index}: reads, edits or runs something in the workspace. ").repeat(3),
        ),
        parameters: Some(json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "The absolute path to the file"},
                "offset": {"type": "integer", "description": "The line to start at"},
                "limit": {"type": "integer", "description": "How many lines to read"},
                "mode": {"type": "string", "enum": ["read", "write", "append"]}
            },
            "required": ["path"],
            "additionalProperties": false
        })),
        ..FunctionTool::default()
    })
}
