//! Content blocks ↔ IR parts, shared by requests and responses.

use serde_json::{Map, Value};

use super::types::{Block, Content, ContentBlock, MediaSource};
use super::{FORMAT, own};
use crate::ir::{Media, Native, Opaque, Part, Reasoning, Source, Text, ToolCall, ToolOutput, ToolResult};
use crate::{Family, TranslateError};

/// Reads message content (a string is one text part).
pub(super) fn decode_content(content: Content) -> Vec<Part> {
    match content {
        Content::Text(text) => vec![Part::Text(Text::new(text))],
        Content::Blocks(blocks) => blocks.into_iter().map(decode_block).collect(),
    }
}

/// Reads one content block; an unknown one becomes [`Part::Native`].
pub(super) fn decode_block(block: ContentBlock) -> Part {
    let block = match block {
        ContentBlock::Known(block) => block,
        ContentBlock::Unknown(value) => return Part::Native(Native { format: FORMAT, value }),
    };
    match block {
        Block::Text { text, extra } => Part::Text(Text { text, signature: None, extra: extra_of(extra) }),
        Block::Image { source, extra } => Part::Image(media(source, None, extra)),
        Block::Document { source, title, extra } => Part::Document(media(source, title, extra)),
        Block::ToolUse { id, name, input, extra } => Part::ToolCall(ToolCall {
            id,
            name,
            arguments: input.to_string(),
            extra: extra_of(extra),
            ..ToolCall::default()
        }),
        Block::ToolResult { tool_use_id, content, is_error, extra } => Part::ToolResult(ToolResult {
            call_id: tool_use_id,
            name: None,
            content: ToolOutput::Parts(content.map(decode_content).unwrap_or_default()),
            is_error: is_error.unwrap_or(false),
            extra: extra_of(extra),
        }),
        Block::Thinking { thinking, signature, extra } => Part::Reasoning(Reasoning {
            text: Some(thinking),
            opaque: signature.map(anthropic_opaque),
            extra: extra_of(extra),
            ..Reasoning::default()
        }),
        Block::RedactedThinking { data, extra } => Part::Reasoning(Reasoning {
            opaque: Some(anthropic_opaque(data)),
            redacted: true,
            extra: extra_of(extra),
            ..Reasoning::default()
        }),
    }
}

fn extra_of(fields: Map<String, Value>) -> crate::ir::Extra {
    crate::ir::Extra::new(FORMAT, fields)
}

fn anthropic_opaque(value: String) -> Opaque {
    Opaque { family: Family::Anthropic, value }
}

fn media(source: MediaSource, name: Option<String>, extra: Map<String, Value>) -> Media {
    let source = match source {
        MediaSource::Base64 { media_type, data } => Source::Base64 { media_type, data },
        MediaSource::Url { url } => Source::Url { url, media_type: None },
        MediaSource::File { file_id } => Source::FileId(file_id),
        MediaSource::Text { data, .. } => Source::Text(data),
    };
    Media { source, name, detail: None, extra: extra_of(extra) }
}

/// Writes parts as message content: a string when they are exactly one text part with no extra fields,
/// blocks otherwise. Parts this format cannot carry are dropped (see the module's lossy table).
pub(super) fn encode_content(parts: Vec<Part>, path: &str) -> Result<Content, TranslateError> {
    let mut blocks = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        if let Some(block) = encode_part(part, &format!("{path}[{i}]"))? {
            blocks.push(block);
        }
    }
    Ok(into_content(blocks))
}

/// A lone text block without extra fields collapses to a plain string.
pub(super) fn into_content(mut blocks: Vec<ContentBlock>) -> Content {
    if let [ContentBlock::Known(Block::Text { extra, .. })] = blocks.as_slice()
        && extra.is_empty()
        && let Some(ContentBlock::Known(Block::Text { text, .. })) = blocks.pop()
    {
        return Content::Text(text);
    }
    Content::Blocks(blocks)
}

/// Writes one part as a block, or `None` when this format drops it.
pub(super) fn encode_part(part: Part, path: &str) -> Result<Option<ContentBlock>, TranslateError> {
    let block = match part {
        Part::Text(text) => text_block(text.text, own(text.extra)),
        Part::Refusal(text) => text_block(text, Map::new()),
        Part::Image(media) => {
            if matches!(media.source, Source::Text(_)) {
                return Err(TranslateError::invalid(path, "an image cannot have a plain-text source"));
            }
            Block::Image { source: source(media.source), extra: own(media.extra) }
        }
        Part::Document(media) => {
            Block::Document { source: source(media.source), title: media.name, extra: own(media.extra) }
        }
        Part::Reasoning(reasoning) => match reasoning_block(reasoning) {
            Some(block) => block,
            None => return Ok(None),
        },
        Part::ToolCall(call) => Block::ToolUse {
            input: tool_input(&call.arguments, path)?,
            id: call.id,
            name: call.name,
            extra: own(call.extra),
        },
        Part::ToolResult(result) => tool_result_block(result, path)?,
        Part::Native(native) if native.format == FORMAT => {
            return Ok(Some(ContentBlock::Unknown(native.value)));
        }
        Part::Native(_) => return Ok(None),
    };
    Ok(Some(ContentBlock::Known(block)))
}

/// A text block.
pub(super) fn text_block(text: String, extra: Map<String, Value>) -> Block {
    Block::Text { text, extra }
}

fn source(source: Source) -> MediaSource {
    match source {
        Source::Base64 { media_type, data } => MediaSource::Base64 { media_type, data },
        Source::Url { url, .. } => MediaSource::Url { url },
        Source::FileId(file_id) => MediaSource::File { file_id },
        Source::Text(data) => MediaSource::Text { media_type: "text/plain".into(), data },
    }
}

/// Re-emits Anthropic-signed reasoning; anything else (another family's artefact, or text without a
/// signature) is dropped, since the API rejects unsigned or foreign thinking.
fn reasoning_block(reasoning: Reasoning) -> Option<Block> {
    let opaque = reasoning.opaque.filter(|opaque| opaque.family == Family::Anthropic)?;
    let extra = own(reasoning.extra);
    Some(if reasoning.redacted {
        Block::RedactedThinking { data: opaque.value, extra }
    } else {
        Block::Thinking { thinking: reasoning.text.unwrap_or_default(), signature: Some(opaque.value), extra }
    })
}

/// Tool arguments as the JSON object `tool_use.input` requires (`""` is `{}`).
fn tool_input(arguments: &str, path: &str) -> Result<Value, TranslateError> {
    if arguments.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_str(arguments) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => {
            Err(TranslateError::invalid(format!("{path}.input"), "tool arguments must be a JSON object"))
        }
        Err(err) => Err(TranslateError::invalid(format!("{path}.input"), format!("tool arguments: {err}"))),
    }
}

fn tool_result_block(result: ToolResult, path: &str) -> Result<Block, TranslateError> {
    let content = match result.content {
        ToolOutput::Json(value) => {
            Some(Content::Blocks(vec![ContentBlock::Known(text_block(value.to_string(), Map::new()))]))
        }
        ToolOutput::Parts(parts) if parts.is_empty() => None,
        ToolOutput::Parts(parts) => {
            Some(encode_content(tool_result_parts(parts), &format!("{path}.content"))?)
        }
    };
    Ok(Block::ToolResult {
        tool_use_id: result.call_id,
        content,
        is_error: result.is_error.then_some(true),
        extra: own(result.extra),
    })
}

/// A tool result carries text, images, documents and this format's own blocks only.
fn tool_result_parts(parts: Vec<Part>) -> Vec<Part> {
    parts
        .into_iter()
        .filter(|part| {
            matches!(
                part,
                Part::Text(_) | Part::Refusal(_) | Part::Image(_) | Part::Document(_) | Part::Native(_)
            )
        })
        .collect()
}
