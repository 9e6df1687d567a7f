//! Content parts: `text`, `image_url`, `file`, `refusal`, and the shape (string or array) of message content.

use serde_json::{Map, Value};

use super::extra::{keep, nest, own, take_object, without};
use super::types::{
    Content, FilePart, FileRef, ImagePart, ImageUrl, KnownPart, PartOut, RefusalPart, TextPart,
};
use crate::ir::{Media, Native, Part, Source, Text};
use crate::protocol::data_url::{from_base64, to_source};
use crate::{TranslateError, WireFormat};

/// The MIME type given to `file_data` that is plain base64 rather than a `data:` URL.
const RAW_FILE_TYPE: &str = "application/pdf";

/// Decodes an array of content parts found at `path`.
pub(crate) fn decode_parts(parts: Vec<Value>, path: &str) -> Result<Vec<Part>, TranslateError> {
    parts.into_iter().enumerate().map(|(i, part)| decode_part(part, &format!("{path}[{i}]"))).collect()
}

fn decode_part(value: Value, path: &str) -> Result<Part, TranslateError> {
    let known =
        matches!(value.get("type").and_then(Value::as_str), Some("text" | "image_url" | "file" | "refusal"));
    if !known {
        return Ok(Part::Native(Native { format: WireFormat::OpenAiChat, value }));
    }
    let part = serde_json::from_value(value).map_err(|e| TranslateError::invalid(path, e.to_string()))?;
    from_known(part, path)
}

fn from_known(part: KnownPart, path: &str) -> Result<Part, TranslateError> {
    Ok(match part {
        KnownPart::Text(TextPart { text, extra }) => {
            Part::Text(Text { text, extra: keep(extra), ..Text::default() })
        }
        KnownPart::ImageUrl(ImagePart { image_url, mut extra }) => {
            let ImageUrl { url, detail, extra: inner } = image_url;
            nest(&mut extra, "image_url", inner);
            Part::Image(Media { source: to_source(url), name: None, detail, extra: keep(extra) })
        }
        KnownPart::File(FilePart { file, mut extra }) => {
            let FileRef { file_id, file_data, filename, extra: mut inner } = file;
            let source = match (file_id, file_data) {
                (Some(id), data) => {
                    if let Some(data) = data {
                        inner.insert("file_data".into(), Value::String(data));
                    }
                    Source::FileId(id)
                }
                (None, Some(data)) => file_source(data),
                (None, None) => {
                    return Err(TranslateError::invalid(
                        format!("{path}.file"),
                        "a file part needs `file_id` or `file_data`",
                    ));
                }
            };
            nest(&mut extra, "file", inner);
            Part::Document(Media { source, name: filename, detail: None, extra: keep(extra) })
        }
        KnownPart::Refusal(RefusalPart { refusal }) => Part::Refusal(refusal),
    })
}

/// `file_data` is a `data:` URL; plain base64 is read as a PDF, the one file type Chat accepts inline.
fn file_source(data: String) -> Source {
    match to_source(data) {
        Source::Url { url, .. } => Source::Base64 { media_type: RAW_FILE_TYPE.to_owned(), data: url },
        source => source,
    }
}

/// Encodes one content part; `None` for a part Chat drops (reasoning, another format's native part).
/// Tool calls and results are placed by the caller and are an error here.
pub(crate) fn encode_part(part: Part, path: &str) -> Result<Option<PartOut>, TranslateError> {
    let known = match part {
        Part::Text(text) => text_part(text.text, without(own(text.extra), &["type", "text"])),
        Part::Image(media) => image_part(media, path)?,
        Part::Document(media) => file_part(media, path)?,
        Part::Refusal(refusal) => KnownPart::Refusal(RefusalPart { refusal }),
        Part::Native(native) => {
            return Ok((native.format == WireFormat::OpenAiChat).then_some(PartOut::Raw(native.value)));
        }
        Part::Reasoning(_) => return Ok(None),
        Part::ToolCall(_) | Part::ToolResult(_) => {
            return Err(TranslateError::invalid(path, "a tool call or result cannot appear here"));
        }
    };
    Ok(Some(PartOut::Known(known)))
}

/// A text part.
pub(crate) fn text_part(text: String, extra: Map<String, Value>) -> KnownPart {
    KnownPart::Text(TextPart { text, extra })
}

fn image_part(media: Media, path: &str) -> Result<KnownPart, TranslateError> {
    let url = match media.source {
        Source::Url { url, .. } => url,
        Source::Base64 { media_type, data } => from_base64(&media_type, &data),
        Source::FileId(_) | Source::Text(_) => {
            return Err(unsupported(
                path,
                "an image given by file id or as text",
                "send the image inline or by URL",
            ));
        }
    };
    let mut extra = own(media.extra);
    let inner = without(take_object(&mut extra, "image_url"), &["url", "detail"]);
    Ok(KnownPart::ImageUrl(ImagePart {
        image_url: ImageUrl { url, detail: media.detail, extra: inner },
        extra: without(extra, &["type", "image_url"]),
    }))
}

fn file_part(media: Media, path: &str) -> Result<KnownPart, TranslateError> {
    let mut extra = own(media.extra);
    let mut file = FileRef {
        extra: without(take_object(&mut extra, "file"), &["file_id", "filename"]),
        filename: media.name,
        ..FileRef::default()
    };
    match media.source {
        Source::FileId(id) => file.file_id = Some(id),
        Source::Base64 { media_type, data } => {
            file.extra.remove("file_data");
            file.file_data = Some(from_base64(&media_type, &data));
        }
        Source::Text(text) => return Ok(text_part(text, Map::new())),
        Source::Url { .. } => {
            return Err(unsupported(
                path,
                "a document given by URL",
                "send the document inline or as a file id",
            ));
        }
    }
    Ok(KnownPart::File(FilePart { file, extra: without(extra, &["type", "file"]) }))
}

fn unsupported(path: &str, feature: &str, reason: &str) -> TranslateError {
    TranslateError::unsupported(format!("{feature} ({path})"), WireFormat::OpenAiChat, reason)
}

/// Whether content must be written as an array of parts: it has more than one part besides refusals, a
/// part that is not plain text, or several refusals. Otherwise it is written as a string (or left out),
/// with its refusal (assistant messages) in the `refusal` member.
pub(crate) fn needs_array(parts: &[PartOut]) -> bool {
    let mut content = 0;
    let mut refusals = 0;
    for part in parts {
        match part {
            PartOut::Known(KnownPart::Refusal(_)) => refusals += 1,
            PartOut::Known(KnownPart::Text(text)) if text.extra.is_empty() => content += 1,
            _ => return true,
        }
    }
    content > 1 || refusals > 1
}

/// [`needs_array`] for decoded IR parts (tool calls and reasoning excluded by the caller).
pub(crate) fn ir_needs_array<'a>(parts: impl IntoIterator<Item = &'a Part>) -> bool {
    let mut content = 0;
    let mut refusals = 0;
    for part in parts {
        match part {
            Part::Refusal(_) => refusals += 1,
            Part::Text(text) if text.extra.fields.is_empty() => content += 1,
            _ => return true,
        }
    }
    content > 1 || refusals > 1
}

/// Content and refusal as written: an array of parts when `array` (or [`needs_array`]), otherwise a
/// string (`None` when there is no text) and the refusal text.
pub(crate) fn shape(parts: Vec<PartOut>, array: bool) -> (Option<Content<PartOut>>, Option<String>) {
    if array || needs_array(&parts) {
        return (Some(Content::Parts(parts)), None);
    }
    let mut text = None;
    let mut refusal = None;
    for part in parts {
        match part {
            PartOut::Known(KnownPart::Text(part)) => text = Some(Content::Text(part.text)),
            PartOut::Known(KnownPart::Refusal(part)) => refusal = Some(part.refusal),
            _ => {}
        }
    }
    (text, refusal)
}
