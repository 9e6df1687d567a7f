//! Responses SSE events → [`StreamEvent`]s.

use serde::Serialize;

use super::events::{ErrorBody, Event, Item, Part, Response};
use crate::ir::Opaque;
use crate::protocol::openai_responses::parts::NAMESPACE_SEPARATOR;
use crate::protocol::openai_responses::{error, response, usage};
use crate::stream::{Block, Delta, StreamDecoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family};

/// Reads a Responses stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    started: bool,
    /// A terminal event or an error was seen: nothing more is decoded.
    ended: bool,
    /// The index the next block opens with.
    next: usize,
    /// A function call was output (the stop reason is then `ToolUse`).
    called: bool,
    /// Output items with open blocks, in order of arrival.
    items: Vec<OpenItem>,
}

/// An output item being streamed.
#[derive(Debug)]
struct OpenItem {
    output_index: Option<usize>,
    id: Option<String>,
    kind: OpenKind,
}

#[derive(Debug)]
enum OpenKind {
    /// Each `output_text` / `refusal` part is a text block.
    Message(Vec<TextPart>),
    Call {
        index: usize,
        got_arguments: bool,
    },
    Reasoning {
        index: usize,
        summaries: Vec<usize>,
        got_text: bool,
    },
}

#[derive(Debug)]
struct TextPart {
    content_index: usize,
    index: usize,
    open: bool,
    got_text: bool,
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, _: Option<&str>, data: &str, out: &mut Vec<StreamEvent>) {
        if self.ended {
            return;
        }
        // Malformed JSON, or a known member of an unexpected type: skip the event.
        let Ok(event) = serde_json::from_str::<Event<'_>>(data) else { return };
        self.event(event, out);
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.ended {
            return;
        }
        self.start(None, out);
        self.close_all(out);
        let message = "the upstream stream ended before its terminal event (response.completed)";
        out.push(StreamEvent::Error(ApiError::new(ErrorKind::Internal, message)));
        self.ended = true;
    }
}

impl Decoder {
    fn event(&mut self, event: Event<'_>, out: &mut Vec<StreamEvent>) {
        let item_id = event.item_id.as_ref().map(|id| id.0.as_ref());
        let at = (item_id, event.output_index);
        match event.kind.0.as_ref() {
            "response.output_text.delta" | "response.refusal.delta" => {
                if let Some(delta) = event.delta {
                    self.text(at, event.content_index.unwrap_or(0), delta, false, out);
                }
            }
            "response.function_call_arguments.delta" => {
                if let (Some(delta), Some(i)) = (event.delta, self.find(at))
                    && let OpenKind::Call { index, got_arguments } = &mut self.items[i].kind
                {
                    *got_arguments = true;
                    push_delta(out, *index, Delta::ToolArguments(delta));
                }
            }
            "response.reasoning_summary_text.delta" => {
                if let Some(delta) = event.delta {
                    self.summary(at, event.summary_index.unwrap_or(0), delta, false, out);
                }
            }
            "response.reasoning_text.delta" => {
                if let Some(delta) = event.delta {
                    self.reasoning_text(at, delta, false, out);
                }
            }
            "response.created" | "response.in_progress" | "response.queued" => {
                self.start(event.response.as_ref(), out);
            }
            "response.output_item.added" => {
                if let Some(item) = event.item {
                    self.start(None, out);
                    self.added(event.output_index, item, out);
                }
            }
            "response.content_part.added" => {
                if let Some(part) = event.part {
                    self.part_added(at, event.content_index.unwrap_or(0), part, out);
                }
            }
            "response.output_text.done" => {
                if let Some(text) = event.text {
                    self.text(at, event.content_index.unwrap_or(0), text, true, out);
                }
            }
            "response.refusal.done" => {
                if let Some(refusal) = event.refusal {
                    self.text(at, event.content_index.unwrap_or(0), refusal, true, out);
                }
            }
            "response.content_part.done" => {
                if let Some(part) = event.part {
                    self.part_done(at, event.content_index.unwrap_or(0), part, out);
                }
            }
            "response.function_call_arguments.done" => {
                if let (Some(arguments), Some(i)) = (event.arguments, self.find(at))
                    && let OpenKind::Call { index, got_arguments } = &mut self.items[i].kind
                    && !*got_arguments
                    && !arguments.is_empty()
                {
                    *got_arguments = true;
                    push_delta(out, *index, Delta::ToolArguments(arguments));
                }
            }
            "response.reasoning_summary_text.done" => {
                if let Some(text) = event.text {
                    self.summary(at, event.summary_index.unwrap_or(0), text, true, out);
                }
            }
            "response.reasoning_summary_part.done" => {
                if let Some(text) = event.part.and_then(|part| part.text) {
                    self.summary(at, event.summary_index.unwrap_or(0), text, true, out);
                }
            }
            "response.reasoning_text.done" => {
                if let Some(text) = event.text {
                    self.reasoning_text(at, text, true, out);
                }
            }
            "response.output_item.done" => {
                if let Some(item) = event.item {
                    self.start(None, out);
                    self.item_done(event.output_index, item, out);
                }
            }
            "response.completed" | "response.incomplete" => {
                let status = if event.kind.0 == "response.completed" { "completed" } else { "incomplete" };
                self.terminal(event.response.unwrap_or_default(), status, out);
            }
            "response.failed" => {
                let response = event.response.unwrap_or_default();
                self.start(Some(&response), out);
                self.close_all(out);
                if let Some(usage) = &response.usage {
                    out.push(StreamEvent::Usage(usage::from_wire(usage)));
                }
                self.fail(response.error.unwrap_or_default(), out);
            }
            "error" => {
                let body = match event.error {
                    Some(nested) => nested,
                    None => {
                        ErrorBody { code: event.code, message: event.message, param: event.param, kind: None }
                    }
                };
                self.start(None, out);
                self.close_all(out);
                self.fail(body, out);
            }
            // `reasoning_summary_part.added` opens nothing (its text deltas do); unknown events and the
            // events of skipped items are ignored.
            _ => {}
        }
    }

    /// Emits `Start` once, from the first response object (or empty, when content comes first).
    fn start(&mut self, response: Option<&Response<'_>>, out: &mut Vec<StreamEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        out.push(StreamEvent::Start {
            id: response.and_then(|r| r.id.clone()).unwrap_or_default(),
            model: response.and_then(|r| r.model.clone()).unwrap_or_default(),
            created: response.and_then(|r| r.created_at).map(|t| t as i64),
        });
    }

    fn open(&mut self, block: Block, out: &mut Vec<StreamEvent>) -> usize {
        let index = self.next;
        self.next += 1;
        out.push(StreamEvent::BlockStart { index, block });
        index
    }

    /// The open item an event refers to: by item id where both have one, else by output index.
    fn find(&self, (item_id, output_index): (Option<&str>, Option<usize>)) -> Option<usize> {
        self.items.iter().position(|open| match (item_id, open.id.as_deref()) {
            (Some(wanted), Some(id)) => wanted == id,
            _ => output_index.is_some() && open.output_index == output_index,
        })
    }

    fn added(&mut self, output_index: Option<usize>, item: Item<'_>, out: &mut Vec<StreamEvent>) {
        if self.find((item.id.as_deref(), output_index)).is_some() {
            return;
        }
        let kind = match item.kind.0.as_ref() {
            "message" => OpenKind::Message(Vec::new()),
            "function_call" => {
                let (Some(call_id), Some(name)) = (item.call_id, item.name) else { return };
                let name = match item.namespace {
                    Some(namespace) => format!("{namespace}{NAMESPACE_SEPARATOR}{name}"),
                    None => name,
                };
                let block = Block::ToolCall { id: call_id, item_id: item.id.clone(), name };
                let index = self.open(block, out);
                self.called = true;
                let arguments = item.arguments.filter(|arguments| !arguments.is_empty());
                let got_arguments = arguments.is_some();
                if let Some(arguments) = arguments {
                    push_delta(out, index, Delta::ToolArguments(arguments));
                }
                OpenKind::Call { index, got_arguments }
            }
            "reasoning" => {
                let block = Block::Reasoning { family: Family::OpenAi, id: item.id.clone(), redacted: false };
                OpenKind::Reasoning { index: self.open(block, out), summaries: Vec::new(), got_text: false }
            }
            // Built-in tool calls (web search, file search, …) and unknown items are skipped.
            _ => return,
        };
        self.items.push(OpenItem { output_index, id: item.id, kind });
    }

    fn part_added(
        &mut self,
        at: (Option<&str>, Option<usize>),
        content_index: usize,
        part: Part<'_>,
        out: &mut Vec<StreamEvent>,
    ) {
        if !matches!(part.kind.0.as_ref(), "output_text" | "refusal") {
            return;
        }
        if let Some(text) = part.text.or(part.refusal).filter(|text| !text.is_empty()) {
            self.text(at, content_index, text, false, out);
        } else if let Some(i) = self.find(at) {
            self.text_part(i, content_index, out);
        }
    }

    /// The text block of a message's content part, opened on first sight.
    fn text_part(&mut self, item: usize, content_index: usize, out: &mut Vec<StreamEvent>) -> Option<usize> {
        if !matches!(self.items[item].kind, OpenKind::Message(_)) {
            return None;
        }
        let known = match &self.items[item].kind {
            OpenKind::Message(parts) => parts.iter().position(|p| p.content_index == content_index),
            _ => None,
        };
        if let Some(known) = known {
            return Some(known);
        }
        let index = self.open(Block::Text, out);
        let OpenKind::Message(parts) = &mut self.items[item].kind else { return None };
        parts.push(TextPart { content_index, index, open: true, got_text: false });
        Some(parts.len() - 1)
    }

    /// Text for a content part: a delta, or (`whole`) the part's full text, used only when no delta came.
    fn text(
        &mut self,
        at: (Option<&str>, Option<usize>),
        content_index: usize,
        text: String,
        whole: bool,
        out: &mut Vec<StreamEvent>,
    ) {
        if text.is_empty() {
            return;
        }
        let Some(item) = self.find(at) else { return };
        let Some(p) = self.text_part(item, content_index, out) else { return };
        let OpenKind::Message(parts) = &mut self.items[item].kind else { return };
        let part = &mut parts[p];
        if part.open && !(whole && part.got_text) {
            part.got_text = true;
            push_delta(out, part.index, Delta::Text(text));
        }
    }

    fn part_done(
        &mut self,
        at: (Option<&str>, Option<usize>),
        content_index: usize,
        part: Part<'_>,
        out: &mut Vec<StreamEvent>,
    ) {
        if !matches!(part.kind.0.as_ref(), "output_text" | "refusal") {
            return;
        }
        let text = part.text.or(part.refusal).unwrap_or_default();
        self.text(at, content_index, text, true, out);
        let Some(item) = self.find(at) else { return };
        if let OpenKind::Message(parts) = &mut self.items[item].kind {
            for part in parts.iter_mut().filter(|p| p.content_index == content_index && p.open) {
                part.open = false;
                out.push(StreamEvent::BlockStop { index: part.index });
            }
        }
    }

    fn summary(
        &mut self,
        at: (Option<&str>, Option<usize>),
        part: usize,
        text: String,
        whole: bool,
        out: &mut Vec<StreamEvent>,
    ) {
        let Some(i) = self.find(at) else { return };
        if let OpenKind::Reasoning { index, summaries, .. } = &mut self.items[i].kind {
            let seen = summaries.contains(&part);
            if !(text.is_empty() || whole && seen) {
                if !seen {
                    summaries.push(part);
                }
                push_delta(out, *index, Delta::ReasoningSummary { part, text });
            }
        }
    }

    fn reasoning_text(
        &mut self,
        at: (Option<&str>, Option<usize>),
        text: String,
        whole: bool,
        out: &mut Vec<StreamEvent>,
    ) {
        let Some(i) = self.find(at) else { return };
        if let OpenKind::Reasoning { index, got_text, .. } = &mut self.items[i].kind
            && !(text.is_empty() || whole && *got_text)
        {
            *got_text = true;
            push_delta(out, *index, Delta::Reasoning(text));
        }
    }

    /// `output_item.done`: whatever the item holds that did not stream, then its blocks stop. An item
    /// that was never announced is taken whole.
    fn item_done(&mut self, output_index: Option<usize>, mut item: Item<'_>, out: &mut Vec<StreamEvent>) {
        let content = item.content.take();
        let summary = item.summary.take();
        let arguments = item.arguments.take();
        let encrypted = item.encrypted_content.take();
        let id = item.id.clone();
        let at = (id.as_deref(), output_index);
        if self.find(at).is_none() {
            self.added(output_index, item, out);
        }
        let Some(i) = self.find(at) else { return };
        match &mut self.items[i].kind {
            OpenKind::Message(_) => {
                for (content_index, part) in content.into_iter().flatten().enumerate() {
                    self.part_done(at, content_index, part, out);
                }
            }
            OpenKind::Call { index, got_arguments } => {
                if let Some(arguments) = arguments.filter(|a| !a.is_empty() && !*got_arguments) {
                    *got_arguments = true;
                    push_delta(out, *index, Delta::ToolArguments(arguments));
                }
            }
            OpenKind::Reasoning { index, .. } => {
                let index = *index;
                for (part, summary) in summary.into_iter().flatten().enumerate() {
                    if let Some(text) = summary.text {
                        self.summary(at, part, text, true, out);
                    }
                }
                let texts = content.into_iter().flatten().filter(|part| part.kind.0 == "reasoning_text");
                for text in texts.filter_map(|part| part.text) {
                    self.reasoning_text(at, text, true, out);
                }
                if let Some(value) = encrypted {
                    push_delta(out, index, Delta::Opaque(Opaque { family: Family::OpenAi, value }));
                }
            }
        }
        let open = self.items.remove(i);
        stop(open, out);
    }

    fn close_all(&mut self, out: &mut Vec<StreamEvent>) {
        for open in self.items.drain(..) {
            stop(open, out);
        }
    }

    /// `response.completed` / `response.incomplete`: usage, then the stop reason.
    fn terminal(&mut self, response: Response<'_>, status: &str, out: &mut Vec<StreamEvent>) {
        self.start(Some(&response), out);
        self.close_all(out);
        if let Some(usage) = &response.usage {
            out.push(StreamEvent::Usage(usage::from_wire(usage)));
        }
        let called = self.called
            || response
                .output
                .iter()
                .flatten()
                .any(|item| item.kind.as_ref().is_some_and(|kind| kind.0 == "function_call"));
        let status = response.status.unwrap_or_else(|| status.to_owned());
        let reason = response.incomplete_details.and_then(|details| details.reason);
        out.push(StreamEvent::Stop {
            reason: response::stop_reason(status, reason, called),
            stop_sequence: None,
        });
        self.ended = true;
    }

    fn fail(&mut self, body: ErrorBody, out: &mut Vec<StreamEvent>) {
        out.push(StreamEvent::Error(upstream_error(body)));
        self.ended = true;
    }
}

fn push_delta(out: &mut Vec<StreamEvent>, index: usize, delta: Delta) {
    out.push(StreamEvent::Delta { index, delta });
}

/// Stops an item's open blocks.
fn stop(open: OpenItem, out: &mut Vec<StreamEvent>) {
    match open.kind {
        OpenKind::Message(parts) => {
            for part in parts.into_iter().filter(|part| part.open) {
                out.push(StreamEvent::BlockStop { index: part.index });
            }
        }
        OpenKind::Call { index, .. } | OpenKind::Reasoning { index, .. } => {
            out.push(StreamEvent::BlockStop { index });
        }
    }
}

/// The error body every OpenAI format shares, rebuilt so that the format's error parser reads it.
#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    param: Option<&'a str>,
    code: Option<&'a str>,
}

/// An in-stream error (`error` event or `response.failed`'s `response.error`) as an [`ApiError`]; the
/// stream has no HTTP status, so it is inferred from the code.
fn upstream_error(body: ErrorBody) -> ApiError {
    let code = body.code.as_deref().or(body.kind.as_deref());
    let status = match code {
        Some("rate_limit_exceeded" | "insufficient_quota" | "rate_limit_error") => 429,
        Some("invalid_api_key" | "authentication_error") => 401,
        Some("model_not_found") => 404,
        Some("server_overloaded" | "overloaded" | "service_unavailable") => 503,
        Some("vector_store_timeout" | "timeout") => 504,
        Some(code)
            if code.contains("image")
                || code.starts_with("invalid_")
                || code == "context_length_exceeded" =>
        {
            400
        }
        _ => 500,
    };
    let message = body.message.as_deref().unwrap_or("the upstream response failed");
    let envelope = Envelope {
        error: Body {
            message,
            kind: body.kind.as_deref(),
            param: body.param.as_deref(),
            code: body.code.as_deref(),
        },
    };
    match serde_json::to_vec(&envelope) {
        Ok(bytes) => error::parse(status, &bytes),
        Err(_) => ApiError { status, ..ApiError::new(ErrorKind::from_status(status), message) },
    }
}
