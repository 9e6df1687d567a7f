//! `POST /v1/messages` request bodies ↔ [`ir::Request`].

use serde_json::{Map, Value};

use super::content::{decode_content, encode_content, into_content, text_block};
use super::settings::{self, DEFAULT_MAX_TOKENS};
use super::types::{
    Block, Content, ContentBlock, CustomTool, InputMessage, MessagesRequest, ThinkingConfig, ToolDef,
};
use super::{FORMAT, own};
use crate::TranslateError;
use crate::ir::{self, FunctionTool, Message, Native, Part, Role, Sampling, Tool};
use crate::protocol::{PathParams, to_json};

/// Top-level members the encoder writes itself; an `extra` member of the same name is never re-emitted.
const TYPED_MEMBERS: [&str; 14] = [
    "model",
    "max_tokens",
    "system",
    "messages",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "stream",
    "metadata",
];

/// Reads a Messages request body.
pub(crate) fn decode(body: &[u8], _path: &PathParams) -> Result<ir::Request, TranslateError> {
    let wire: MessagesRequest = serde_json::from_slice(body)?;
    let mut extra = wire.extra;
    let mut messages = Vec::with_capacity(wire.messages.len() + 1);
    if let Some(system) = wire.system {
        messages.push(Message { role: Role::System, content: decode_content(system), ..Message::default() });
    }
    for (i, message) in wire.messages.into_iter().enumerate() {
        messages.push(decode_message(message, i)?);
    }
    let (tool_choice, parallel_tool_calls) = settings::decode_tool_choice(wire.tool_choice, &mut extra)?;
    let (reasoning, response_format) =
        settings::decode_reasoning(wire.thinking, wire.output_config, &mut extra);
    let user = settings::decode_metadata(wire.metadata, &mut extra);
    Ok(ir::Request {
        model: wire.model,
        stream: wire.stream.unwrap_or(false),
        messages,
        tools: wire.tools.unwrap_or_default().into_iter().map(decode_tool).collect(),
        tool_choice,
        parallel_tool_calls,
        max_output_tokens: wire.max_tokens,
        sampling: Sampling {
            temperature: wire.temperature,
            top_p: wire.top_p,
            top_k: wire.top_k,
            ..Sampling::default()
        },
        stop: wire.stop_sequences.unwrap_or_default(),
        reasoning,
        response_format,
        user,
        extra: ir::Extra::new(FORMAT, extra),
        ..ir::Request::default()
    })
}

fn decode_message(message: InputMessage, index: usize) -> Result<Message, TranslateError> {
    let role = match message.role.as_str() {
        "user" => Role::User,
        "assistant" => Role::Assistant,
        "system" => Role::System,
        other => {
            return Err(TranslateError::invalid(
                format!("messages[{index}].role"),
                format!("expected `user`, `assistant` or `system`, got `{other}`"),
            ));
        }
    };
    Ok(Message {
        role,
        content: decode_content(message.content),
        extra: ir::Extra::new(FORMAT, message.extra),
        ..Message::default()
    })
}

fn decode_tool(tool: ToolDef) -> Tool {
    match tool {
        ToolDef::Custom(tool) => {
            let mut extra = tool.extra;
            if tool.kind.is_some() {
                extra.insert("type".into(), Value::String("custom".into()));
            }
            Tool::Function(FunctionTool {
                name: tool.name,
                description: tool.description,
                parameters: Some(tool.input_schema),
                strict: tool.strict,
                extra: ir::Extra::new(FORMAT, extra),
            })
        }
        ToolDef::Other(value) => Tool::Native(Native { format: FORMAT, value }),
    }
}

/// Writes a Messages request body. See the module docs for what is folded or dropped.
pub(crate) fn encode(request: ir::Request) -> Result<Vec<u8>, TranslateError> {
    let mut extra = own(request.extra);
    let kept_thinking = extra.remove("thinking");
    let kept_choice = extra.remove("tool_choice");
    let kept_output = settings::unstash(&mut extra, "output_config");
    let kept_metadata = settings::unstash(&mut extra, "metadata");
    for member in TYPED_MEMBERS {
        extra.remove(member);
    }

    let (system, messages) = encode_messages(request.messages)?;
    let (thinking, effort) =
        settings::encode_reasoning(request.reasoning.as_ref(), request.max_output_tokens);
    let budget = match &thinking {
        Some(ThinkingConfig::Enabled { budget_tokens, .. }) => Some(*budget_tokens),
        _ => None,
    };
    let (thinking, budget) = if budget.is_some() && !thinking_allowed(&messages) {
        (None, 0)
    } else {
        (settings::finish_thinking(thinking, kept_thinking), budget.unwrap_or(0))
    };
    let tools: Vec<ToolDef> = request.tools.into_iter().filter_map(encode_tool).collect();
    let wire = MessagesRequest {
        model: request.model,
        max_tokens: Some(request.max_output_tokens.unwrap_or(DEFAULT_MAX_TOKENS + budget)),
        system,
        messages,
        tools: (!tools.is_empty()).then_some(tools),
        tool_choice: settings::encode_tool_choice(
            request.tool_choice,
            request.parallel_tool_calls,
            kept_choice,
        ),
        thinking,
        output_config: settings::encode_output_config(effort, request.response_format, kept_output),
        temperature: request.sampling.temperature,
        top_p: request.sampling.top_p,
        top_k: request.sampling.top_k,
        stop_sequences: (!request.stop.is_empty()).then_some(request.stop),
        stream: request.stream.then_some(true),
        metadata: settings::encode_metadata(request.user, kept_metadata),
        extra,
    };
    to_json(&wire)
}

/// Splits instructions from the conversation: every system/developer message, leading or not, is folded
/// into the top-level `system`, in order.
fn encode_messages(messages: Vec<Message>) -> Result<(Option<Content>, Vec<InputMessage>), TranslateError> {
    let mut system = Vec::new();
    let mut out = Vec::with_capacity(messages.len());
    for (i, message) in messages.into_iter().enumerate() {
        let role = match message.role {
            Role::System | Role::Developer => {
                system.extend(message.content.into_iter().filter_map(system_block));
                continue;
            }
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        let had_parts = !message.content.is_empty();
        let content = encode_content(message.content, &format!("messages[{i}].content"))?;
        if had_parts && matches!(&content, Content::Blocks(blocks) if blocks.is_empty()) {
            continue;
        }
        out.push(InputMessage { role: role.into(), content, extra: own(message.extra) });
    }
    let system = (!system.is_empty()).then(|| into_content(system));
    Ok((system, out))
}

/// `system` holds text blocks only: text (and refusals, as text) is kept, anything else dropped.
fn system_block(part: Part) -> Option<ContentBlock> {
    match part {
        Part::Text(text) => Some(ContentBlock::Known(text_block(text.text, own(text.extra)))),
        Part::Refusal(text) => Some(ContentBlock::Known(text_block(text, Map::new()))),
        _ => None,
    }
}

/// With thinking `enabled`, the API rejects an assistant turn that calls a tool without starting with a
/// (signed) thinking block: history translated from another family cannot satisfy that.
fn thinking_allowed(messages: &[InputMessage]) -> bool {
    messages.iter().filter(|message| message.role == "assistant").all(|message| {
        let Content::Blocks(blocks) = &message.content else { return true };
        let calls_tool =
            blocks.iter().any(|block| matches!(block, ContentBlock::Known(Block::ToolUse { .. })));
        let starts_with_thinking = matches!(
            blocks.first(),
            Some(ContentBlock::Known(Block::Thinking { .. } | Block::RedactedThinking { .. }))
        );
        !calls_tool || starts_with_thinking
    })
}

fn encode_tool(tool: Tool) -> Option<ToolDef> {
    match tool {
        Tool::Function(function) => {
            let mut extra = own(function.extra);
            let kind = extra.remove("type").and_then(|kind| serde_json::from_value(kind).ok());
            Some(ToolDef::Custom(CustomTool {
                kind,
                name: function.name,
                description: function.description,
                input_schema: function.parameters.unwrap_or_else(empty_schema),
                strict: function.strict,
                extra,
            }))
        }
        Tool::Native(native) if native.format == FORMAT => Some(ToolDef::Other(native.value)),
        Tool::Native(_) => None,
    }
}

fn empty_schema() -> Value {
    serde_json::json!({"type": "object", "properties": {}})
}
