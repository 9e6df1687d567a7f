//! Tools, `tool_choice`, and the tool calls of assistant messages.

use serde_json::{Value, json};

use super::extra::{keep, nest, own, take_object, without};
use super::types::{FunctionCall, FunctionDef, ToolCallOut, ToolOut, WireTool, WireToolCall};
use crate::ir::{FunctionTool, Native, Part, Tool, ToolCall, ToolChoice};
use crate::{TranslateError, WireFormat};

fn native(value: Value) -> Native {
    Native { format: WireFormat::OpenAiChat, value }
}

fn is_function(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("function")
}

/// Decodes `tools`: functions become [`Tool::Function`], any other type (`custom`, …) [`Tool::Native`].
pub(crate) fn decode_tools(tools: Vec<Value>) -> Result<Vec<Tool>, TranslateError> {
    tools.into_iter().enumerate().map(|(i, tool)| decode_tool(tool, i)).collect()
}

fn decode_tool(value: Value, i: usize) -> Result<Tool, TranslateError> {
    if !is_function(&value) {
        return Ok(Tool::Native(native(value)));
    }
    let WireTool { function, mut extra, .. } = serde_json::from_value(value)
        .map_err(|e| TranslateError::invalid(format!("tools[{i}]"), e.to_string()))?;
    let FunctionDef { name, description, parameters, strict, extra: inner } = function;
    nest(&mut extra, "function", inner);
    Ok(Tool::Function(FunctionTool { name, description, parameters, strict, extra: keep(extra) }))
}

/// Encodes tools; another format's native tools are dropped.
pub(crate) fn encode_tools(tools: Vec<Tool>) -> Vec<ToolOut> {
    tools
        .into_iter()
        .filter_map(|tool| match tool {
            Tool::Function(function) => Some(ToolOut::Function(Box::new(encode_tool(function)))),
            Tool::Native(native) => {
                (native.format == WireFormat::OpenAiChat).then_some(ToolOut::Raw(native.value))
            }
        })
        .collect()
}

fn encode_tool(tool: FunctionTool) -> WireTool {
    let mut extra = own(tool.extra);
    let inner =
        without(take_object(&mut extra, "function"), &["name", "description", "parameters", "strict"]);
    WireTool {
        kind: "function".to_owned(),
        function: FunctionDef {
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters,
            strict: tool.strict,
            extra: inner,
        },
        extra: without(extra, &["type", "function"]),
    }
}

/// Decodes `tool_choice`; a choice the IR does not model (`allowed_tools`, a named custom tool) is given
/// back to be kept in the request's `extra`.
pub(crate) fn decode_choice(value: Value) -> Result<ToolChoice, Value> {
    let choice = match &value {
        Value::String(s) => match s.as_str() {
            "auto" => Some(ToolChoice::Auto),
            "none" => Some(ToolChoice::None),
            "required" => Some(ToolChoice::Required),
            _ => None,
        },
        Value::Object(obj) if obj.len() == 2 && is_function(&value) => named(obj.get("function")),
        _ => None,
    };
    choice.ok_or(value)
}

fn named(function: Option<&Value>) -> Option<ToolChoice> {
    match function {
        Some(Value::Object(f)) if f.len() == 1 => {
            f.get("name")?.as_str().map(|n| ToolChoice::Tool(n.to_owned()))
        }
        _ => None,
    }
}

/// Encodes a tool choice.
pub(crate) fn encode_choice(choice: ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => Value::from("auto"),
        ToolChoice::None => Value::from("none"),
        ToolChoice::Required => Value::from("required"),
        ToolChoice::Tool(name) => json!({"type": "function", "function": {"name": name}}),
    }
}

/// Decodes one entry of `tool_calls` at `path`: a function call, or a call of another type (`custom`)
/// kept as a [`Part::Native`]. A missing id is synthesised as `call_<n>`, empty arguments become `{}`.
pub(crate) fn decode_call(value: Value, path: &str, n: usize) -> Result<Part, TranslateError> {
    if !is_function(&value) {
        return Ok(Part::Native(native(value)));
    }
    let WireToolCall { id, function, mut extra, .. } =
        serde_json::from_value(value).map_err(|e| TranslateError::invalid(path, e.to_string()))?;
    let FunctionCall { name, arguments, extra: inner } = function;
    nest(&mut extra, "function", inner);
    Ok(Part::ToolCall(ToolCall {
        id: if id.is_empty() { format!("call_{n}") } else { id },
        name,
        arguments: if arguments.is_empty() { "{}".to_owned() } else { arguments },
        extra: keep(extra),
        ..ToolCall::default()
    }))
}

/// Encodes a tool call (Gemini signatures and Responses item ids are dropped).
pub(crate) fn encode_call(call: ToolCall) -> ToolCallOut {
    let mut extra = own(call.extra);
    let inner = without(take_object(&mut extra, "function"), &["name", "arguments"]);
    ToolCallOut::Function(WireToolCall {
        id: call.id,
        kind: "function".to_owned(),
        function: FunctionCall {
            name: call.name,
            arguments: if call.arguments.is_empty() { "{}".to_owned() } else { call.arguments },
            extra: inner,
        },
        extra: without(extra, &["id", "type", "function"]),
    })
}

/// Whether a Chat native part is a tool call of another type (it has an `id`; content parts have none).
pub(crate) fn is_native_call(native: &Native) -> bool {
    native.format == WireFormat::OpenAiChat && native.value.get("id").is_some()
}
