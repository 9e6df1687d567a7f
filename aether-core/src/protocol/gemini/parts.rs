//! Parts ↔ IR parts, both ways, with the state a conversation needs: the tool calls seen so far (to
//! synthesise missing call ids and match unnamed results) and the names of encoded calls (a
//! `functionResponse` must name its function).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::types::{
    Blob, FileData, FunctionCall, FunctionResponse, FunctionResponsePart, Members, Part, PartData,
};
use crate::ir::{
    self, Extra, Media, Native, Opaque, Reasoning, Source, Text, ToolCall, ToolOutput, ToolResult,
};
use crate::protocol::media_type;
use crate::{Family, TranslateError, WireFormat};

const FORMAT: WireFormat = WireFormat::Gemini;

/// The validator-skip value the Gemini docs give for function calls Gemini did not sign.
pub(crate) const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

/// Where a part sits, for error paths such as `contents[2].parts[0]`.
#[derive(Clone, Copy)]
pub(crate) struct At {
    /// The list or object holding the content (`contents`, `systemInstruction`, `candidates`).
    pub(crate) list: &'static str,
    /// The content's index in `list`, if it is a list.
    pub(crate) index: Option<usize>,
    /// What lies between the list item and `parts` (`.content` for candidates).
    pub(crate) inner: &'static str,
    /// The part's index.
    pub(crate) part: usize,
}

impl At {
    /// The JSON path of this part, followed by `leaf`.
    pub(crate) fn path(self, leaf: &str) -> String {
        let At { list, index, inner, part } = self;
        match index {
            Some(i) => format!("{list}[{i}]{inner}.parts[{part}]{leaf}"),
            None => format!("{list}{inner}.parts[{part}]{leaf}"),
        }
    }
}

/// Tags unmodelled members as Gemini's own.
pub(crate) fn extra(fields: Members) -> Extra {
    Extra::new(FORMAT, fields)
}

/// The members to re-emit from `extra`: its fields if they are Gemini's, nothing otherwise.
pub(crate) fn own(extra: Extra) -> Members {
    if extra.format == Some(FORMAT) { extra.fields } else { Map::new() }
}

/// Removes `key` from `map` and returns it when it is an object (its members are merged into the
/// nested object of that name when encoding).
pub(crate) fn take_object(map: &mut Members, key: &str) -> Members {
    match map.remove(key) {
        Some(Value::Object(inner)) => inner,
        Some(other) => {
            map.insert(key.to_owned(), other);
            Map::new()
        }
        None => Map::new(),
    }
}

/// Keeps `nested` under `key` in `extra` when it is not empty.
fn nest(extra: &mut Members, key: &str, nested: Members) {
    if !nested.is_empty() {
        extra.insert(key.to_owned(), Value::Object(nested));
    }
}

fn google(signature: String) -> Opaque {
    Opaque { family: Family::Google, value: signature }
}

/// A tool call the decoder has seen, for matching `functionResponse`s without an id.
struct SeenCall {
    id: String,
    name: String,
    answered: bool,
}

/// Decodes Gemini parts into IR parts, in conversation order.
#[derive(Default)]
pub(crate) struct Decoder {
    calls: Vec<SeenCall>,
}

impl Decoder {
    /// Decodes one part.
    pub(crate) fn part(&mut self, part: Part, at: At) -> Result<ir::Part, TranslateError> {
        Ok(match part.into_data() {
            PartData::Text { text, thought: Some(true), signature, extra: rest } => {
                ir::Part::Reasoning(Reasoning {
                    text: Some(text),
                    opaque: signature.map(google),
                    extra: extra(rest),
                    ..Reasoning::default()
                })
            }
            PartData::Text { text, thought, signature, extra: mut rest } => {
                if let Some(thought) = thought {
                    rest.insert("thought".into(), Value::Bool(thought));
                }
                ir::Part::Text(Text { text, signature: signature.map(google), extra: extra(rest) })
            }
            PartData::Inline { blob, extra: mut rest } => {
                nest(&mut rest, "inlineData", blob.extra);
                let source = Source::Base64 { media_type: blob.mime_type, data: blob.data };
                media(source, rest)
            }
            PartData::File { file, extra: mut rest } => {
                nest(&mut rest, "fileData", file.extra);
                media(Source::Url { url: file.file_uri, media_type: file.mime_type }, rest)
            }
            PartData::Call { call, signature, extra: rest } => self.call(call, signature, rest, at)?,
            PartData::Response { response, extra: rest } => self.response(response, rest, at)?,
            PartData::Unknown(part) => {
                ir::Part::Native(Native { format: FORMAT, value: serde_json::to_value(part)? })
            }
        })
    }

    fn call(
        &mut self,
        call: FunctionCall,
        signature: Option<String>,
        mut rest: Members,
        at: At,
    ) -> Result<ir::Part, TranslateError> {
        if call.name.is_empty() {
            return Err(TranslateError::invalid(
                at.path(".functionCall.name"),
                "a function call needs a name",
            ));
        }
        let id = call.id.unwrap_or_else(|| format!("call_{}", self.calls.len()));
        let arguments = match call.args {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(args) => serde_json::to_string(&args)?,
        };
        nest(&mut rest, "functionCall", call.extra);
        self.calls.push(SeenCall { id: id.clone(), name: call.name.clone(), answered: false });
        Ok(ir::Part::ToolCall(ToolCall {
            id,
            name: call.name,
            arguments,
            signature: signature.map(google),
            extra: extra(rest),
            ..ToolCall::default()
        }))
    }

    /// The id of the call a response answers: its own, or the earliest unanswered call of its name.
    /// The call id a response answers, and whether it matched an earlier call.
    fn answer(
        &mut self,
        id: Option<String>,
        name: Option<&str>,
        at: At,
    ) -> Result<(String, bool), TranslateError> {
        let found = match (&id, name) {
            (Some(id), _) => self.calls.iter_mut().find(|call| &call.id == id),
            (None, Some(name)) => self.calls.iter_mut().find(|call| !call.answered && call.name == name),
            (None, None) => None,
        };
        match (found, id) {
            (Some(call), id) => {
                call.answered = true;
                Ok((id.unwrap_or_else(|| call.id.clone()), true))
            }
            (None, Some(id)) => Ok((id, false)),
            (None, None) => Err(TranslateError::invalid(
                at.path(".functionResponse"),
                "no id, and no earlier unanswered functionCall of this name",
            )),
        }
    }

    fn response(
        &mut self,
        response: FunctionResponse,
        mut rest: Members,
        at: At,
    ) -> Result<ir::Part, TranslateError> {
        let FunctionResponse { id, name, response, parts, extra: mut inner } = response;
        let (call_id, matched) = self.answer(id, name.as_deref(), at)?;
        if name.is_none() && !matched {
            // Gemini requires the name; only a matching earlier call could supply it.
            return Err(TranslateError::invalid(
                at.path(".functionResponse.name"),
                "required when no earlier functionCall has this id",
            ));
        }
        let (content, is_error) =
            output(response.unwrap_or_else(|| Value::Object(Map::new())), parts, &mut inner)?;
        nest(&mut rest, "functionResponse", inner);
        Ok(ir::Part::ToolResult(ToolResult { call_id, name, content, is_error, extra: extra(rest) }))
    }
}

fn media(source: Source, rest: Members) -> ir::Part {
    let is_image = match &source {
        Source::Base64 { media_type, .. } => media_type.starts_with("image/"),
        Source::Url { url, media_type } => {
            // Without a MIME type, the URL's extension tells an image from a document.
            media_type.as_deref().or_else(|| media_type::guess(url)).is_some_and(|t| t.starts_with("image/"))
        }
        Source::FileId(_) | Source::Text(_) => false,
    };
    let media = Media { source, name: None, detail: None, extra: extra(rest) };
    if is_image { ir::Part::Image(media) } else { ir::Part::Document(media) }
}

/// `{"output": "…"}` or `{"error": "…"}` as text (plus any plain media `parts`); any other object as JSON.
fn output(
    response: Value,
    parts: Vec<FunctionResponsePart>,
    inner: &mut Members,
) -> Result<(ToolOutput, bool), TranslateError> {
    let plain_media = parts
        .iter()
        .all(|p| p.extra.is_empty() && p.inline_data.as_ref().is_some_and(|b| b.extra.is_empty()));
    let text = match &response {
        Value::Object(map) if map.len() == 1 && plain_media => match map.iter().next() {
            Some((key, Value::String(_))) if key == "output" || key == "error" => Some(key == "error"),
            _ => None,
        },
        _ => None,
    };
    let Some(is_error) = text else {
        if !parts.is_empty() {
            inner.insert("parts".into(), serde_json::to_value(parts)?);
        }
        return Ok((ToolOutput::Json(response), false));
    };
    let text = match response {
        Value::Object(map) => map.into_iter().next().map(|(_, v)| v),
        _ => None,
    };
    let mut out = Vec::with_capacity(1 + parts.len());
    if let Some(Value::String(text)) = text {
        out.push(ir::Part::Text(Text::new(text)));
    }
    for blob in parts.into_iter().filter_map(|p| p.inline_data) {
        out.push(media(Source::Base64 { media_type: blob.mime_type, data: blob.data }, Map::new()));
    }
    Ok((ToolOutput::Parts(out), is_error))
}

/// Encodes IR parts into Gemini parts, remembering each call's name for later results.
#[derive(Default)]
pub(crate) struct Encoder {
    names: HashMap<String, String>,
}

impl Encoder {
    /// Encodes one part; `None` when the part is dropped (another family's reasoning, another format's
    /// native block).
    pub(crate) fn part(&mut self, part: ir::Part, at: At) -> Result<Option<Part>, TranslateError> {
        Ok(match part {
            ir::Part::Text(text) => Some(Part {
                text: Some(text.text),
                thought_signature: signature(text.signature),
                extra: own(text.extra),
                ..Part::default()
            }),
            ir::Part::Refusal(text) => Some(Part { text: Some(text), ..Part::default() }),
            ir::Part::Image(media) | ir::Part::Document(media) => Some(media_part(media, at)?),
            ir::Part::Reasoning(reasoning) => thought(reasoning),
            ir::Part::ToolCall(call) => Some(self.call(call, at)?),
            ir::Part::ToolResult(result) => Some(self.result(result, at)?),
            ir::Part::Native(Native { format: FORMAT, value }) => Some(serde_json::from_value(value)?),
            ir::Part::Native(_) => None,
        })
    }

    fn call(&mut self, call: ToolCall, at: At) -> Result<Part, TranslateError> {
        let args = arguments(&call.arguments, at)?;
        let mut rest = own(call.extra);
        let inner = take_object(&mut rest, "functionCall");
        self.names.insert(call.id.clone(), call.name.clone());
        Ok(Part {
            function_call: Some(FunctionCall {
                id: Some(call.id),
                name: call.name,
                args: Some(args),
                extra: inner,
            }),
            thought_signature: signature(call.signature),
            extra: rest,
            ..Part::default()
        })
    }

    fn result(&mut self, result: ToolResult, at: At) -> Result<Part, TranslateError> {
        let name = match result.name {
            Some(name) => name,
            None => self.names.get(&result.call_id).cloned().ok_or_else(|| {
                TranslateError::invalid(
                    at.path(""),
                    format!(
                        "tool result `{}` answers no earlier tool call, so its function name is unknown",
                        result.call_id
                    ),
                )
            })?,
        };
        let mut rest = own(result.extra);
        let inner = take_object(&mut rest, "functionResponse");
        let key = if result.is_error { "error" } else { "output" };
        let (response, parts) = match result.content {
            ToolOutput::Json(Value::Object(map)) => (Value::Object(map), Vec::new()),
            ToolOutput::Json(value) => (wrap(key, value), Vec::new()),
            ToolOutput::Parts(parts) => result_parts(key, parts, at)?,
        };
        let response = FunctionResponse {
            id: Some(result.call_id),
            name: Some(name),
            response: Some(response),
            parts,
            extra: inner,
        };
        Ok(Part { function_response: Some(response), extra: rest, ..Part::default() })
    }
}

fn wrap(key: &str, value: Value) -> Value {
    let mut map = Map::with_capacity(1);
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

/// Text parts joined by newlines become `{"output"|"error": text}`; inline media become `parts`.
fn result_parts(
    key: &str,
    parts: Vec<ir::Part>,
    at: At,
) -> Result<(Value, Vec<FunctionResponsePart>), TranslateError> {
    let mut texts = Vec::new();
    let mut media = Vec::new();
    for part in parts {
        match part {
            ir::Part::Text(Text { text, .. }) | ir::Part::Refusal(text) => texts.push(text),
            ir::Part::Image(m) | ir::Part::Document(m) => match m.source {
                Source::Base64 { media_type, data } => media.push(FunctionResponsePart {
                    inline_data: Some(Blob { mime_type: media_type, data, extra: Map::new() }),
                    extra: Map::new(),
                }),
                Source::Text(text) => texts.push(text),
                Source::Url { .. } | Source::FileId(_) => {
                    return Err(TranslateError::unsupported(
                        "a tool result with media by URL or file id",
                        FORMAT,
                        format!(
                            "{}: Gemini function responses carry media only inline (base64)",
                            at.path("")
                        ),
                    ));
                }
            },
            _ => {}
        }
    }
    Ok((wrap(key, Value::String(texts.join("\n"))), media))
}

/// Parses tool-call arguments into the object `args` must be (`""` is `{}`).
fn arguments(text: &str, at: At) -> Result<Value, TranslateError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(TranslateError::invalid(
            at.path(".functionCall.args"),
            "tool-call arguments must be a JSON object",
        )),
        Err(err) => Err(TranslateError::invalid(
            at.path(".functionCall.args"),
            format!("tool-call arguments are not valid JSON: {err}"),
        )),
    }
}

fn signature(opaque: Option<Opaque>) -> Option<String> {
    opaque.filter(|o| o.family == Family::Google).map(|o| o.value)
}

/// A thought part: kept when its signature is Google's or it has text and no signature at all; another
/// family's reasoning is dropped whole.
fn thought(reasoning: Reasoning) -> Option<Part> {
    let Reasoning { text, opaque, extra: rest, .. } = reasoning;
    let signature = match opaque {
        Some(Opaque { family: Family::Google, value }) => Some(value),
        Some(_) => return None,
        None if text.is_none() => return None,
        None => None,
    };
    Some(Part {
        text: Some(text.unwrap_or_default()),
        thought: Some(true),
        thought_signature: signature,
        extra: own(rest),
        ..Part::default()
    })
}

fn media_part(media: Media, at: At) -> Result<Part, TranslateError> {
    let mut rest = own(media.extra);
    Ok(match media.source {
        Source::Base64 { media_type, data } => {
            let inner = take_object(&mut rest, "inlineData");
            Part {
                inline_data: Some(Blob { mime_type: media_type, data, extra: inner }),
                extra: rest,
                ..Part::default()
            }
        }
        Source::Url { url, media_type } => {
            let inner = take_object(&mut rest, "fileData");
            let file = FileData { mime_type: media_type, file_uri: url, extra: inner };
            Part { file_data: Some(file), extra: rest, ..Part::default() }
        }
        Source::Text(text) => Part { text: Some(text), ..Part::default() },
        Source::FileId(id) => {
            return Err(TranslateError::unsupported(
                "media by file id",
                FORMAT,
                format!("{}: file `{id}` belongs to another provider's file store", at.path("")),
            ));
        }
    })
}

/// Gives the first function call of a model turn the documented validator-skip signature when it has
/// none (Gemini 3 rejects an unsigned first call of each step; later parallel calls carry none).
pub(crate) fn sign_first_call(parts: &mut [Part]) {
    if let Some(part) = parts.iter_mut().find(|p| p.function_call.is_some()) {
        part.thought_signature.get_or_insert_with(|| SKIP_SIGNATURE.to_owned());
    }
}
