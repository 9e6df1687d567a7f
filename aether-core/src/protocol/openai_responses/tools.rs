//! `tools` and `tool_choice`.
//!
//! A `namespace` tool (`{"type":"namespace","name":"multi_agent_v1","tools":[…]}`) is flattened: each
//! function inside becomes a plain [`Tool::Function`] named `{namespace}--{name}`, carrying the namespace
//! (without its `tools`) under a private key of its own-format `extra`. Other formats see plain functions;
//! this encoder groups consecutive functions of one namespace back into one `namespace` tool. A non-function
//! tool inside a namespace becomes a [`Tool::Native`] namespace holding just that tool, grouped the same way.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::parts::{NAMESPACE_SEPARATOR, object, parse, type_of};
use super::shape;
use super::types::FunctionTool as WireFunction;
use crate::ir::{FunctionTool, Native, Tool, ToolChoice};
use crate::{TranslateError, WireFormat};

const FORMAT: WireFormat = WireFormat::OpenAiResponses;

/// Reads `tools`.
pub(crate) fn decode(tools: Vec<Value>) -> Result<Vec<Tool>, TranslateError> {
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.into_iter().enumerate() {
        let path = format!("tools[{i}]");
        match type_of(&tool) {
            Some("function") => out.push(Tool::Function(decode_function(tool, &path, None)?)),
            Some("namespace") => decode_namespace(tool, &path, &mut out)?,
            _ => out.push(Tool::Native(Native { format: FORMAT, value: tool })),
        }
    }
    Ok(out)
}

fn decode_function(
    tool: Value,
    path: &str,
    namespace: Option<&Map<String, Value>>,
) -> Result<FunctionTool, TranslateError> {
    let wire: WireFunction = parse(tool, path)?;
    let mut extra = wire.extra;
    extra.remove("type");
    let name = match namespace {
        Some(header) => {
            extra.insert(shape::NAMESPACE.to_owned(), Value::Object(header.clone()));
            format!("{}{NAMESPACE_SEPARATOR}{}", namespace_name(header), wire.name)
        }
        None => wire.name,
    };
    Ok(FunctionTool {
        name,
        description: wire.description,
        parameters: wire.parameters,
        strict: wire.strict,
        extra: shape::extra(extra, &[]),
    })
}

fn namespace_name(header: &Map<String, Value>) -> &str {
    header.get("name").and_then(Value::as_str).unwrap_or_default()
}

fn decode_namespace(tool: Value, path: &str, out: &mut Vec<Tool>) -> Result<(), TranslateError> {
    let Value::Object(mut header) = tool else {
        return Err(TranslateError::invalid(path, "a namespace tool must be an object"));
    };
    if !header.get("name").is_some_and(Value::is_string) {
        return Err(TranslateError::invalid(format!("{path}.name"), "a namespace needs a string `name`"));
    }
    let inner = match header.remove("tools") {
        Some(Value::Array(inner)) => inner,
        _ => {
            return Err(TranslateError::invalid(
                format!("{path}.tools"),
                "a namespace needs a `tools` array",
            ));
        }
    };
    if inner.is_empty() {
        out.push(Tool::Native(Native { format: FORMAT, value: with_tools(header, Vec::new()) }));
        return Ok(());
    }
    for (j, tool) in inner.into_iter().enumerate() {
        if type_of(&tool) == Some("function") {
            let path = format!("{path}.tools[{j}]");
            out.push(Tool::Function(decode_function(tool, &path, Some(&header))?));
        } else {
            out.push(Tool::Native(Native { format: FORMAT, value: with_tools(header.clone(), vec![tool]) }));
        }
    }
    Ok(())
}

fn with_tools(mut header: Map<String, Value>, tools: Vec<Value>) -> Value {
    header.insert("tools".to_owned(), Value::Array(tools));
    Value::Object(header)
}

/// One tool to write: at top level, or inside the namespace `header`.
enum Entry {
    Top(Value),
    Inner(Map<String, Value>, Vec<Value>),
}

/// Writes `tools`, regrouping namespaced functions; other formats' native tools are dropped.
pub(crate) fn encode(tools: Vec<Tool>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(tools.len());
    let mut group: Option<(Map<String, Value>, Vec<Value>)> = None;
    for tool in tools {
        let entry = match tool {
            Tool::Function(function) => encode_function(function),
            Tool::Native(native) if native.format == FORMAT => native_entry(native.value),
            Tool::Native(_) => continue,
        };
        match entry {
            Entry::Inner(header, inner) => match &mut group {
                Some((open, tools)) if *open == header => tools.extend(inner),
                _ => {
                    out.extend(group.take().map(|(header, tools)| with_tools(header, tools)));
                    group = Some((header, inner));
                }
            },
            Entry::Top(value) => {
                out.extend(group.take().map(|(header, tools)| with_tools(header, tools)));
                out.push(value);
            }
        }
    }
    out.extend(group.map(|(header, tools)| with_tools(header, tools)));
    out
}

fn native_entry(value: Value) -> Entry {
    match value {
        Value::Object(mut header) if header.get("type").and_then(Value::as_str) == Some("namespace") => {
            match header.remove("tools") {
                Some(Value::Array(inner)) => Entry::Inner(header, inner),
                Some(other) => {
                    header.insert("tools".to_owned(), other);
                    Entry::Top(Value::Object(header))
                }
                None => Entry::Top(Value::Object(header)),
            }
        }
        value => Entry::Top(value),
    }
}

fn encode_function(function: FunctionTool) -> Entry {
    let header = namespace_of(&function).cloned();
    let name = match &header {
        Some(header) => leaf_name(&function.name, namespace_name(header)).to_owned(),
        None => function.name,
    };
    let mut object = object("function");
    object.insert("name".to_owned(), Value::String(name));
    if let Some(description) = function.description {
        object.insert("description".to_owned(), Value::String(description));
    }
    if let Some(parameters) = function.parameters {
        object.insert("parameters".to_owned(), parameters);
    }
    if let Some(strict) = function.strict {
        object.insert("strict".to_owned(), Value::Bool(strict));
    }
    shape::merge(&mut object, shape::own(function.extra));
    match header {
        Some(header) => Entry::Inner(header, vec![Value::Object(object)]),
        None => Entry::Top(Value::Object(object)),
    }
}

fn namespace_of(function: &FunctionTool) -> Option<&Map<String, Value>> {
    function.extra.fields_for(FORMAT)?.get(shape::NAMESPACE)?.as_object()
}

fn leaf_name<'a>(name: &'a str, namespace: &str) -> &'a str {
    name.strip_prefix(namespace).and_then(|rest| rest.strip_prefix(NAMESPACE_SEPARATOR)).unwrap_or(name)
}

/// Flattened names of namespaced functions → (namespace, function name), for writing calls to them.
pub(crate) fn namespaced_names(tools: &[Tool]) -> HashMap<String, (String, String)> {
    tools
        .iter()
        .filter_map(|tool| match tool {
            Tool::Function(function) => {
                let namespace = namespace_name(namespace_of(function)?);
                let leaf = leaf_name(&function.name, namespace);
                Some((function.name.clone(), (namespace.to_owned(), leaf.to_owned())))
            }
            Tool::Native(_) => None,
        })
        .collect()
}

/// Splits a flattened name at the first [`NAMESPACE_SEPARATOR`] (for responses, which have no tools
/// list to consult).
pub(crate) fn split_name(name: &str) -> Option<(String, String)> {
    let (namespace, leaf) = name.split_once(NAMESPACE_SEPARATOR)?;
    (!namespace.is_empty() && !leaf.is_empty()).then(|| (namespace.to_owned(), leaf.to_owned()))
}

/// Reads `tool_choice`; a choice the IR cannot hold (allowed tools, a built-in tool) is `None` and the
/// caller keeps the raw value in `extra`.
pub(crate) fn decode_choice(choice: &Value) -> Option<ToolChoice> {
    match choice {
        Value::String(mode) => match mode.as_str() {
            "auto" => Some(ToolChoice::Auto),
            "none" => Some(ToolChoice::None),
            "required" => Some(ToolChoice::Required),
            _ => None,
        },
        Value::Object(object) if object.len() == 2 && type_of(choice) == Some("function") => {
            object.get("name").and_then(Value::as_str).map(|name| ToolChoice::Tool(name.to_owned()))
        }
        _ => None,
    }
}

/// Writes `tool_choice`.
pub(crate) fn encode_choice(choice: ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => Value::from("auto"),
        ToolChoice::None => Value::from("none"),
        ToolChoice::Required => Value::from("required"),
        ToolChoice::Tool(name) => {
            let mut object = object("function");
            object.insert("name".to_owned(), Value::String(name));
            Value::Object(object)
        }
    }
}
