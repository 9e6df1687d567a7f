//! `input` items ⇄ IR messages.
//!
//! Grouping (so other formats see ordinary turns, and this format re-emits the same items):
//! - a `message` item starts a new IR message (role, `id`, content); an assistant message with content
//!   joins an open run of assistant items (reasoning, function calls) that came just before it;
//! - `reasoning` and `function_call` items join the open assistant message, or start one;
//! - `function_call_output` items join an open tool-results user message, or start one;
//! - an item of another type starts its own message (flagged [`shape::ITEMS`]), role user for
//!   `…_output` items and assistant otherwise.
//!
//! The encoder writes each IR message's text, refusal, image, document and unknown content parts as one
//! `message` item (the first run carries the message's `id`), and each reasoning, tool call and tool
//! result part as its own item, in order.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::parts::{self, object, parse, type_of};
use super::shape;
use super::types::{Content, FunctionCallOutputItem, MessageItem};
use crate::ir::{Message, Native, Part, Role, Text, ToolOutput, ToolResult};
use crate::{TranslateError, WireFormat};

const FORMAT: WireFormat = WireFormat::OpenAiResponses;

/// What the last IR message can still take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    /// Assistant reasoning / function calls with no `message` item yet.
    AssistantItems,
    /// An assistant `message` item, possibly followed by reasoning / function calls.
    AssistantMessage,
    /// Function call outputs.
    ToolResults,
}

/// Appends the IR messages of `items` to `messages`.
pub(crate) fn decode(items: Vec<Value>, messages: &mut Vec<Message>) -> Result<(), TranslateError> {
    let mut open = Open::Nothing;
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("input[{i}]");
        open = match type_of(&item) {
            None | Some("message") => decode_message(item, &path, open, messages)?,
            Some("reasoning") => {
                let part = Part::Reasoning(parts::decode_reasoning(item, &path)?);
                push_assistant_item(part, open, messages)
            }
            Some("function_call") => {
                let part = Part::ToolCall(parts::decode_call(item, &path)?);
                push_assistant_item(part, open, messages)
            }
            Some("function_call_output") => {
                let part = Part::ToolResult(decode_output(parse(item, &path)?, &path)?);
                match (open, messages.last_mut()) {
                    (Open::ToolResults, Some(last)) => last.content.push(part),
                    _ => {
                        messages.push(Message { role: Role::User, content: vec![part], ..Message::default() })
                    }
                }
                Open::ToolResults
            }
            Some(kind) => {
                let role = if kind.ends_with("_output") { Role::User } else { Role::Assistant };
                let part = Part::Native(Native { format: FORMAT, value: item });
                messages.push(Message {
                    role,
                    content: vec![part],
                    extra: shape::extra(Map::new(), &[shape::ITEMS]),
                    ..Message::default()
                });
                Open::Nothing
            }
        };
    }
    Ok(())
}

fn push_assistant_item(part: Part, open: Open, messages: &mut Vec<Message>) -> Open {
    match (open, messages.last_mut()) {
        (Open::AssistantItems | Open::AssistantMessage, Some(last)) => {
            last.content.push(part);
            open
        }
        _ => {
            messages.push(Message { role: Role::Assistant, content: vec![part], ..Message::default() });
            Open::AssistantItems
        }
    }
}

fn decode_role(role: &str, path: &str) -> Result<Role, TranslateError> {
    match role {
        "user" => Ok(Role::User),
        "assistant" => Ok(Role::Assistant),
        "system" => Ok(Role::System),
        "developer" => Ok(Role::Developer),
        _ => Err(TranslateError::invalid(format!("{path}.role"), format!("unknown role `{role}`"))),
    }
}

fn decode_message(
    item: Value,
    path: &str,
    open: Open,
    messages: &mut Vec<Message>,
) -> Result<Open, TranslateError> {
    let item: MessageItem = parse(item, path)?;
    let role = decode_role(&item.role, path)?;
    let mut flags = Vec::new();
    if !item.extra.contains_key("type") {
        flags.push(shape::UNTYPED);
    }
    let content = match item.content {
        Content::Text(text) => {
            flags.push(shape::STRING_CONTENT);
            vec![Part::Text(Text::new(text))]
        }
        Content::Parts(values) => values
            .into_iter()
            .enumerate()
            .map(|(j, part)| parts::decode_part(part, &format!("{path}.content[{j}]")))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let empty = content.is_empty();
    let extra = shape::extra(item.extra, &flags);
    match (role, open, messages.last_mut()) {
        (Role::Assistant, Open::AssistantItems, Some(last)) if !empty => {
            last.content.extend(content);
            last.id = item.id;
            last.extra = extra;
        }
        _ => messages.push(Message { role, content, id: item.id, name: None, extra }),
    }
    Ok(match role {
        Role::Assistant if !empty => Open::AssistantMessage,
        _ => Open::Nothing,
    })
}

fn decode_output(item: FunctionCallOutputItem, path: &str) -> Result<ToolResult, TranslateError> {
    let mut extra = item.extra;
    extra.remove("type");
    let mut flags = Vec::new();
    let content = match item.output {
        Value::String(text) if text.is_empty() => Vec::new(),
        Value::String(text) => vec![Part::Text(Text::new(text))],
        Value::Array(values) => {
            let content = values
                .into_iter()
                .enumerate()
                .map(|(j, part)| parts::decode_part(part, &format!("{path}.output[{j}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if fits_string(&content) {
                flags.push(shape::ARRAY_OUTPUT);
            }
            content
        }
        other => {
            return Ok(ToolResult {
                call_id: item.call_id,
                content: ToolOutput::Json(other),
                extra: shape::extra(extra, &flags),
                ..ToolResult::default()
            });
        }
    };
    Ok(ToolResult {
        call_id: item.call_id,
        content: ToolOutput::Parts(content),
        extra: shape::extra(extra, &flags),
        ..ToolResult::default()
    })
}

/// Whether a tool output is written as a plain string: at most one text part with nothing else to it.
fn fits_string(content: &[Part]) -> bool {
    match content {
        [] => true,
        [Part::Text(text)] => shape::own(text.extra.clone()).is_empty(),
        _ => false,
    }
}

/// Flattened namespaced function names → (namespace, name), from the request's tools.
pub(crate) type Namespaces = HashMap<String, (String, String)>;

/// Writes `messages` as input items.
pub(crate) fn encode(messages: Vec<Message>, namespaces: &Namespaces) -> Result<Vec<Value>, TranslateError> {
    let mut items = Vec::with_capacity(messages.len());
    for message in messages {
        encode_message(message, namespaces, &mut items)?;
    }
    Ok(items)
}

/// Writes one IR message as one or more items.
pub(crate) fn encode_message(
    message: Message,
    namespaces: &Namespaces,
    items: &mut Vec<Value>,
) -> Result<(), TranslateError> {
    let raw_items = shape::has(&message.extra, shape::ITEMS);
    let mut writer = MessageWriter::new(&message);
    let Message { content, id, extra, .. } = message;
    let mut header = Some((id, extra));
    let empty = content.is_empty();
    for part in content {
        let item = match part {
            Part::Reasoning(reasoning) => parts::encode_reasoning(reasoning, None),
            Part::ToolCall(call) => {
                let namespace = namespaces.get(&call.name).cloned();
                Some(parts::encode_call(call, namespace, None))
            }
            Part::ToolResult(result) => encode_output(result)?,
            Part::Native(native) if raw_items => (native.format == FORMAT).then_some(native.value),
            part => {
                writer.content.extend(parts::encode_part(part, writer.text_type)?);
                continue;
            }
        };
        writer.flush(&mut header, items);
        items.extend(item);
    }
    if !writer.content.is_empty() || (empty && !raw_items) {
        writer.flush_always(&mut header, items);
    }
    Ok(())
}

/// Collects content parts into `message` items.
struct MessageWriter {
    role: &'static str,
    text_type: &'static str,
    untyped: bool,
    string_content: bool,
    content: Vec<Value>,
}

impl MessageWriter {
    fn new(message: &Message) -> Self {
        let (role, text_type) = match message.role {
            Role::System => ("system", "input_text"),
            Role::Developer => ("developer", "input_text"),
            Role::User => ("user", "input_text"),
            Role::Assistant => ("assistant", "output_text"),
        };
        MessageWriter {
            role,
            text_type,
            untyped: shape::has(&message.extra, shape::UNTYPED),
            string_content: shape::has(&message.extra, shape::STRING_CONTENT),
            content: Vec::new(),
        }
    }

    fn flush(&mut self, header: &mut Option<(Option<String>, crate::ir::Extra)>, items: &mut Vec<Value>) {
        if !self.content.is_empty() {
            self.flush_always(header, items);
        }
    }

    /// Writes the collected content as a `message` item; the first one takes the message's id and fields.
    fn flush_always(
        &mut self,
        header: &mut Option<(Option<String>, crate::ir::Extra)>,
        items: &mut Vec<Value>,
    ) {
        let content = std::mem::take(&mut self.content);
        let (id, extra) = header.take().unwrap_or_default();
        let mut object = Map::new();
        if !self.untyped {
            object.insert("type".to_owned(), Value::from("message"));
        }
        if let Some(id) = id {
            object.insert("id".to_owned(), Value::String(id));
        }
        object.insert("role".to_owned(), Value::from(self.role));
        object.insert("content".to_owned(), self.content_value(content));
        shape::merge(&mut object, shape::own(extra));
        self.string_content = false;
        self.untyped = false;
        items.push(Value::Object(object));
    }

    fn content_value(&self, mut content: Vec<Value>) -> Value {
        if self.string_content
            && let [Value::Object(part)] = content.as_mut_slice()
            && part.len() == 2
            && let Some(Value::String(text)) = part.remove("text")
        {
            return Value::String(text);
        }
        Value::Array(content)
    }
}

fn encode_output(result: ToolResult) -> Result<Option<Value>, TranslateError> {
    let array = shape::has(&result.extra, shape::ARRAY_OUTPUT);
    let output = match result.content {
        ToolOutput::Json(value) => Value::String(value.to_string()),
        ToolOutput::Parts(content) if !array && fits_string(&content) => match content.into_iter().next() {
            Some(Part::Text(text)) => Value::String(text.text),
            _ => Value::String(String::new()),
        },
        ToolOutput::Parts(content) => {
            let mut values = Vec::with_capacity(content.len());
            for part in content {
                values.extend(parts::encode_part(part, "input_text")?);
            }
            Value::Array(values)
        }
    };
    let mut object = object("function_call_output");
    object.insert("call_id".to_owned(), Value::String(result.call_id));
    object.insert("output".to_owned(), output);
    shape::merge(&mut object, shape::own(result.extra));
    Ok(Some(Value::Object(object)))
}
