//! Content parts (`input_text`, `output_text`, `refusal`, `input_image`, `input_file`) and the items
//! requests and responses share (`reasoning`, `function_call`).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::shape;
use super::types::{FilePart, FunctionCallItem, ImagePart, ReasoningItem, RefusalPart, TextPart};
use crate::ir::{Media, Native, Opaque, Part, Reasoning, Source, Text, ToolCall};
use crate::protocol::data_url;
use crate::{Family, TranslateError, WireFormat};

const FORMAT: WireFormat = WireFormat::OpenAiResponses;

/// How a namespaced function's name is flattened for other formats: `{namespace}--{name}`.
///
/// `--` is legal in every format's tool names and rare in real ones (`__` is not: Codex and Claude
/// Code name MCP tools `mcp__server__tool`).
pub(crate) const NAMESPACE_SEPARATOR: &str = "--";

/// Reads a typed object out of `value`, reporting failures at `path`.
pub(crate) fn parse<T: DeserializeOwned>(value: Value, path: &str) -> Result<T, TranslateError> {
    serde_json::from_value(value).map_err(|e| TranslateError::invalid(path, e.to_string()))
}

/// The `type` member of an item or part.
pub(crate) fn type_of(value: &Value) -> Option<&str> {
    value.get("type").and_then(Value::as_str)
}

fn without_type(mut fields: Map<String, Value>) -> Map<String, Value> {
    fields.remove("type");
    fields
}

/// A `{"type": kind, …}` object.
pub(crate) fn object(kind: &str) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("type".to_owned(), Value::String(kind.to_owned()));
    object
}

/// Reads one content part of a message or a tool output.
pub(crate) fn decode_part(value: Value, path: &str) -> Result<Part, TranslateError> {
    Ok(match type_of(&value) {
        Some("input_text" | "output_text") => {
            let part: TextPart = parse(value, path)?;
            Part::Text(Text {
                text: part.text,
                extra: shape::extra(without_type(part.extra), &[]),
                ..Text::default()
            })
        }
        Some("refusal") if value.as_object().is_some_and(|o| o.len() == 2) => {
            Part::Refusal(parse::<RefusalPart>(value, path)?.refusal)
        }
        Some("input_image") => Part::Image(decode_image(parse(value, path)?, path)?),
        Some("input_file") => Part::Document(decode_file(parse(value, path)?, path)?),
        _ => Part::Native(Native { format: FORMAT, value }),
    })
}

fn decode_image(part: ImagePart, path: &str) -> Result<Media, TranslateError> {
    let source = match (part.image_url, part.file_id) {
        (Some(url), _) => data_url::to_source(url),
        (None, Some(id)) => Source::FileId(id),
        (None, None) => {
            return Err(TranslateError::invalid(path, "input_image needs `image_url` or `file_id`"));
        }
    };
    Ok(Media { source, name: None, detail: part.detail, extra: shape::extra(without_type(part.extra), &[]) })
}

fn decode_file(part: FilePart, path: &str) -> Result<Media, TranslateError> {
    let mut flags = Vec::new();
    let source = match (part.file_data, part.file_id, part.file_url) {
        (Some(data), _, _) => match data_url::to_source(data) {
            source @ Source::Base64 { .. } => source,
            Source::Url { url: data, .. } => {
                flags.push(shape::RAW_FILE_DATA);
                Source::Base64 { media_type: media_type_of(part.filename.as_deref()).to_owned(), data }
            }
            other => other,
        },
        (None, Some(id), _) => Source::FileId(id),
        (None, None, Some(url)) => Source::Url { url, media_type: None },
        (None, None, None) => {
            return Err(TranslateError::invalid(
                path,
                "input_file needs `file_data`, `file_id` or `file_url`",
            ));
        }
    };
    Ok(Media {
        source,
        name: part.filename,
        detail: None,
        extra: shape::extra(without_type(part.extra), &flags),
    })
}

/// The MIME type a file name suggests, for raw base64 `file_data`.
fn media_type_of(filename: Option<&str>) -> &'static str {
    let extension = filename.and_then(|name| name.rsplit_once('.')).map(|(_, ext)| ext.to_ascii_lowercase());
    match extension.as_deref() {
        Some("pdf") => "application/pdf",
        Some("txt" | "md") => "text/plain",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// Writes a content part; `None` for a part this format drops (another format's native block, a
/// tool call or result, reasoning).
pub(crate) fn encode_part(part: Part, text_type: &str) -> Result<Option<Value>, TranslateError> {
    let object = match part {
        Part::Text(text) => {
            let mut object = object(text_type);
            object.insert("text".to_owned(), Value::String(text.text));
            shape::merge(&mut object, shape::own(text.extra));
            object
        }
        Part::Refusal(refusal) => {
            let mut object = object("refusal");
            object.insert("refusal".to_owned(), Value::String(refusal));
            object
        }
        Part::Image(media) => encode_image(media)?,
        Part::Document(media) => encode_file(media),
        Part::Native(native) if native.format == FORMAT => return Ok(Some(native.value)),
        Part::Native(_) | Part::Reasoning(_) | Part::ToolCall(_) | Part::ToolResult(_) => return Ok(None),
    };
    Ok(Some(Value::Object(object)))
}

fn encode_image(media: Media) -> Result<Map<String, Value>, TranslateError> {
    let mut object = object("input_image");
    match media.source {
        Source::Base64 { media_type, data } => {
            object.insert("image_url".to_owned(), Value::String(data_url::from_base64(&media_type, &data)));
        }
        Source::Url { url, .. } => {
            object.insert("image_url".to_owned(), Value::String(url));
        }
        Source::FileId(id) => {
            object.insert("file_id".to_owned(), Value::String(id));
        }
        Source::Text(_) => {
            return Err(TranslateError::unsupported(
                "an image given as text",
                FORMAT,
                "send it as a URL or base64",
            ));
        }
    }
    if let Some(detail) = media.detail {
        object.insert("detail".to_owned(), Value::String(detail));
    }
    shape::merge(&mut object, shape::own(media.extra));
    Ok(object)
}

fn encode_file(media: Media) -> Map<String, Value> {
    let raw = shape::has(&media.extra, shape::RAW_FILE_DATA);
    let mut object = object("input_file");
    match media.source {
        Source::Base64 { media_type, data } => {
            let data = if raw { data } else { data_url::from_base64(&media_type, &data) };
            object.insert("file_data".to_owned(), Value::String(data));
        }
        Source::Url { url, .. } => {
            object.insert("file_url".to_owned(), Value::String(url));
        }
        Source::FileId(id) => {
            object.insert("file_id".to_owned(), Value::String(id));
        }
        // Responses has no plain-text document: the text goes in as text.
        Source::Text(text) => {
            let mut part = self::object("input_text");
            part.insert("text".to_owned(), Value::String(text));
            return part;
        }
    }
    if let Some(name) = media.name {
        object.insert("filename".to_owned(), Value::String(name));
    }
    shape::merge(&mut object, shape::own(media.extra));
    object
}

/// Reads a `reasoning` item: `content` of one `reasoning_text` part becomes the text; any other
/// `content` stays in `extra`; `encrypted_content` is an OpenAI opaque artefact.
pub(crate) fn decode_reasoning(value: Value, path: &str) -> Result<Reasoning, TranslateError> {
    let item: ReasoningItem = parse(value, path)?;
    let mut extra = without_type(item.extra);
    let text = match item.content {
        Some(content) => match single_reasoning_text(&content) {
            Some(text) => Some(text),
            None => {
                extra.insert("content".to_owned(), content);
                None
            }
        },
        None => None,
    };
    Ok(Reasoning {
        id: item.id,
        text,
        summary: item.summary.into_iter().map(|part| part.text).collect(),
        opaque: item.encrypted_content.map(|value| Opaque { family: Family::OpenAi, value }),
        redacted: false,
        extra: shape::extra(extra, &[]),
    })
}

fn single_reasoning_text(content: &Value) -> Option<String> {
    match content.as_array()?.as_slice() {
        [part]
            if type_of(part) == Some("reasoning_text") && part.as_object().is_some_and(|o| o.len() == 2) =>
        {
            part.get("text").and_then(Value::as_str).map(str::to_owned)
        }
        _ => None,
    }
}

/// Writes a `reasoning` item, or `None` when it cannot be sent to OpenAI: another family's opaque
/// artefact (the whole part is dropped, text included), or no item id to send back.
pub(crate) fn encode_reasoning(reasoning: Reasoning, id: Option<String>) -> Option<Value> {
    let encrypted = match &reasoning.opaque {
        Some(opaque) => Some(opaque.for_family(Family::OpenAi)?.to_owned()),
        None => None,
    };
    let mut object = object("reasoning");
    object.insert("id".to_owned(), Value::String(reasoning.id.or(id)?));
    let summary = reasoning.summary.into_iter().map(|text| json!({"type": "summary_text", "text": text}));
    object.insert("summary".to_owned(), Value::Array(summary.collect()));
    if let Some(text) = reasoning.text {
        object.insert("content".to_owned(), json!([{"type": "reasoning_text", "text": text}]));
    }
    if let Some(encrypted) = encrypted {
        object.insert("encrypted_content".to_owned(), Value::String(encrypted));
    }
    shape::merge(&mut object, shape::own(reasoning.extra));
    Some(Value::Object(object))
}

/// Reads a `function_call` item; a namespaced function's name is flattened (see
/// [`NAMESPACE_SEPARATOR`]).
pub(crate) fn decode_call(value: Value, path: &str) -> Result<ToolCall, TranslateError> {
    let item: FunctionCallItem = parse(value, path)?;
    let name = match item.namespace {
        Some(namespace) => format!("{namespace}{NAMESPACE_SEPARATOR}{}", item.name),
        None => item.name,
    };
    Ok(ToolCall {
        id: item.call_id,
        item_id: item.id,
        name,
        arguments: item.arguments,
        signature: None,
        extra: shape::extra(without_type(item.extra), &[]),
    })
}

/// Writes a `function_call` item; `namespace` splits the name back into namespace and function.
pub(crate) fn encode_call(
    call: ToolCall,
    namespace: Option<(String, String)>,
    item_id: Option<String>,
) -> Value {
    let mut object = object("function_call");
    if let Some(id) = call.item_id.or(item_id) {
        object.insert("id".to_owned(), Value::String(id));
    }
    object.insert("call_id".to_owned(), Value::String(call.id));
    match namespace {
        Some((namespace, name)) => {
            object.insert("namespace".to_owned(), Value::String(namespace));
            object.insert("name".to_owned(), Value::String(name));
        }
        None => {
            object.insert("name".to_owned(), Value::String(call.name));
        }
    }
    object.insert("arguments".to_owned(), Value::String(call.arguments));
    shape::merge(&mut object, shape::own(call.extra));
    Value::Object(object)
}
