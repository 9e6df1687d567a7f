//! [`StreamEvent`]s → Responses SSE events.

use super::write::{self, Event, Part, Parts, Writer};
use crate::ir::StopReason;
use crate::protocol::openai_responses::{response, tools, usage};
use crate::stream::{Block, Delta, StreamEncoder, StreamEvent, UsageAccumulator};
use crate::{ApiError, ErrorKind, Family};

/// Writes a Responses stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    writer: Writer,
    started: bool,
    /// The terminal event was written: nothing more is.
    ended: bool,
    /// `resp_…`.
    id: String,
    model: String,
    created: i64,
    next_output_index: usize,
    /// Items being written, with the block index they come from.
    open: Vec<(usize, Item)>,
    /// Completed items, for the terminal event's `output`.
    done: Vec<Item>,
    usage: UsageAccumulator,
    seen_usage: bool,
    stop: Option<StopReason>,
}

/// An output item: what the terminal event's `output` repeats.
#[derive(Debug)]
pub(super) struct Item {
    output_index: usize,
    id: String,
    body: Body,
}

#[derive(Debug)]
enum Body {
    /// One text block is one message with one `output_text` part.
    Message {
        text: String,
    },
    Call {
        call_id: String,
        namespace: Option<(String, String)>,
        name: String,
        arguments: String,
    },
    Reasoning {
        summary: Vec<String>,
        content: Vec<String>,
        open: Sub,
        encrypted: Option<String>,
    },
}

/// The part of a reasoning item being written.
#[derive(Debug, PartialEq)]
enum Sub {
    None,
    /// A summary part, by the block's own part number.
    Summary(usize),
    Text,
}

fn output_text(text: &str) -> Part<'_> {
    Part::Output { annotations: [], text }
}

fn summary_text(text: &str) -> Part<'_> {
    Part::Summary { text }
}

fn reasoning_text(text: &str) -> Part<'_> {
    Part::Reasoning { text }
}

impl Item {
    /// The item as written on `output_item.added` (`done: false`) or `.done`.
    pub(super) fn wire(&self, done: bool) -> write::Item<'_> {
        let status = if done { "completed" } else { "in_progress" };
        match &self.body {
            Body::Message { text } => {
                let texts = if done { std::slice::from_ref(text) } else { &[] };
                write::Item::Message {
                    id: &self.id,
                    status,
                    role: "assistant",
                    content: Parts::of(texts, output_text),
                }
            }
            Body::Call { call_id, namespace, name, arguments } => write::Item::FunctionCall {
                id: &self.id,
                status,
                arguments: if done { arguments } else { "" },
                call_id,
                namespace: namespace.as_ref().map(|(namespace, _)| namespace.as_str()),
                name: namespace.as_ref().map_or(name.as_str(), |(_, leaf)| leaf.as_str()),
            },
            Body::Reasoning { summary, content, encrypted, .. } => write::Item::Reasoning {
                id: &self.id,
                summary: Parts::of(if done { summary } else { &[] }, summary_text),
                content: Parts::of(if done { content } else { &[] }, reasoning_text),
                encrypted_content: encrypted.as_deref().filter(|_| done),
            },
        }
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: StreamEvent, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        match event {
            StreamEvent::Start { id, model, created } => self.start(id, model, created, out),
            StreamEvent::BlockStart { index, block } => {
                self.start(String::new(), String::new(), None, out);
                self.open(index, block, out);
            }
            StreamEvent::Delta { index, delta } => {
                if let Some(at) = self.open.iter().position(|(i, _)| *i == index) {
                    let (_, item) = &mut self.open[at];
                    delta_of(&mut self.writer, item, delta, out);
                }
            }
            StreamEvent::BlockStop { index } => {
                if let Some(at) = self.open.iter().position(|(i, _)| *i == index) {
                    let (_, item) = self.open.remove(at);
                    self.close(item, out);
                }
            }
            StreamEvent::Usage(_) => {
                self.seen_usage = true;
                self.usage.observe(&event);
            }
            StreamEvent::Stop { reason, .. } => self.stop = Some(reason),
            StreamEvent::Error(error) => {
                self.start(String::new(), String::new(), None, out);
                self.fail(&error, out);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        self.start(String::new(), String::new(), None, out);
        match self.stop.take() {
            Some(reason) => {
                for (_, item) in std::mem::take(&mut self.open) {
                    self.close(item, out);
                }
                self.terminal(reason, out);
            }
            None => {
                let message = "the upstream stream ended early, before the answer was complete";
                self.fail(&ApiError::new(ErrorKind::Internal, message), out);
            }
        }
    }
}

impl Encoder {
    /// `response.created` and `response.in_progress`, once.
    fn start(&mut self, id: String, model: String, created: Option<i64>, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.created = created.unwrap_or_default();
        self.id = if id.starts_with("resp_") {
            id
        } else if id.is_empty() {
            format!("resp_{}", self.created)
        } else {
            format!("resp_{id}")
        };
        self.model = model;
        for kind in ["response.created", "response.in_progress"] {
            self.lifecycle(kind, "in_progress", None, None, out);
        }
    }

    /// A lifecycle event carrying the `response` object.
    fn lifecycle(
        &mut self,
        kind: &str,
        status: &str,
        error: Option<write::Error<'_>>,
        reason: Option<&str>,
        out: &mut Vec<u8>,
    ) {
        let usage = self.seen_usage.then(|| usage::to_wire(&self.usage.usage()));
        let response = write::Response {
            id: &self.id,
            object: "response",
            created_at: self.created,
            status,
            error,
            incomplete_details: reason.map(|reason| write::Incomplete { reason }),
            model: &self.model,
            output: write::Output(&self.done),
            parallel_tool_calls: true,
            tool_choice: "auto",
            tools: [],
            usage,
        };
        self.writer.emit(Event { kind, response: Some(response), ..Event::default() }, out);
    }

    /// A new item for a block (reasoning of another family is dropped: it is never opened).
    fn open(&mut self, index: usize, block: Block, out: &mut Vec<u8>) {
        let output_index = self.next_output_index;
        let stem = self.id.strip_prefix("resp_").unwrap_or(&self.id);
        let (id, body) = match block {
            Block::Text => (format!("msg_{stem}{output_index}"), Body::Message { text: String::new() }),
            Block::ToolCall { id, item_id, name } => (
                item_id.unwrap_or_else(|| format!("fc_{id}")),
                Body::Call {
                    namespace: tools::split_name(&name),
                    call_id: id,
                    name,
                    arguments: String::new(),
                },
            ),
            Block::Reasoning { family: Family::OpenAi, id, .. } => (
                id.unwrap_or_else(|| format!("rs_{stem}{output_index}")),
                Body::Reasoning {
                    summary: Vec::new(),
                    content: Vec::new(),
                    open: Sub::None,
                    encrypted: None,
                },
            ),
            Block::Reasoning { .. } => return,
        };
        self.next_output_index += 1;
        let item = Item { output_index, id, body };
        let added = Event {
            kind: "response.output_item.added",
            output_index: Some(output_index),
            item: Some(item.wire(false)),
            ..Event::default()
        };
        self.writer.emit(added, out);
        if let Body::Message { text } = &item.body {
            let part = Event {
                kind: "response.content_part.added",
                item_id: Some(&item.id),
                output_index: Some(output_index),
                content_index: Some(0),
                part: Some(output_text(text)),
                ..Event::default()
            };
            self.writer.emit(part, out);
        }
        self.open.push((index, item));
    }

    /// The item's closing events; it joins the output.
    fn close(&mut self, mut item: Item, out: &mut Vec<u8>) {
        let (id, output_index) = (item.id.as_str(), Some(item.output_index));
        match &mut item.body {
            Body::Message { text } => {
                let done = Event {
                    kind: "response.output_text.done",
                    item_id: Some(id),
                    output_index,
                    content_index: Some(0),
                    text: Some(text),
                    logprobs: Some([]),
                    ..Event::default()
                };
                self.writer.emit(done, out);
                let part = Event {
                    kind: "response.content_part.done",
                    item_id: Some(id),
                    output_index,
                    content_index: Some(0),
                    part: Some(output_text(text)),
                    ..Event::default()
                };
                self.writer.emit(part, out);
            }
            Body::Call { arguments, .. } => {
                let done = Event {
                    kind: "response.function_call_arguments.done",
                    item_id: Some(id),
                    output_index,
                    arguments: Some(arguments),
                    ..Event::default()
                };
                self.writer.emit(done, out);
            }
            Body::Reasoning { summary, content, open, .. } => {
                close_sub(&mut self.writer, id, output_index, summary, content, open, out);
            }
        }
        let done = Event {
            kind: "response.output_item.done",
            output_index,
            item: Some(item.wire(true)),
            ..Event::default()
        };
        self.writer.emit(done, out);
        self.done.push(item);
    }

    /// `response.completed`, or `response.incomplete` with its reason.
    fn terminal(&mut self, reason: StopReason, out: &mut Vec<u8>) {
        let (status, reason) = response::status_of(Some(reason));
        let kind = match status.as_str() {
            "incomplete" => "response.incomplete",
            "failed" => "response.failed",
            _ => "response.completed",
        };
        self.lifecycle(kind, &status, None, reason.as_deref(), out);
        self.ended = true;
    }

    /// `response.failed` with the error; items still open are left out.
    fn fail(&mut self, error: &ApiError, out: &mut Vec<u8>) {
        let code = match (error.kind, error.code.as_deref()) {
            (ErrorKind::RateLimited, _) => "rate_limit_exceeded",
            (_, Some(code)) => code,
            (ErrorKind::Authentication, None) => "invalid_api_key",
            (ErrorKind::NotFound, None) => "model_not_found",
            (ErrorKind::InvalidRequest | ErrorKind::RequestTooLarge, None) => "invalid_request_error",
            (ErrorKind::PermissionDenied, None) => "permission_error",
            (ErrorKind::Internal | ErrorKind::Overloaded | ErrorKind::Timeout, None) => "server_error",
        };
        let failed = write::Error { code, message: &error.message };
        self.lifecycle("response.failed", "failed", Some(failed), None, out);
        self.ended = true;
    }
}

/// Writes one delta of an open item (a delta of another kind, or another family's artefact, is dropped).
fn delta_of(writer: &mut Writer, item: &mut Item, delta: Delta, out: &mut Vec<u8>) {
    let (id, output_index) = (item.id.as_str(), Some(item.output_index));
    match (&mut item.body, delta) {
        (Body::Message { text }, Delta::Text(delta)) => {
            let event = Event {
                kind: "response.output_text.delta",
                item_id: Some(id),
                output_index,
                content_index: Some(0),
                delta: Some(&delta),
                logprobs: Some([]),
                ..Event::default()
            };
            writer.emit(event, out);
            text.push_str(&delta);
        }
        (Body::Call { arguments, .. }, Delta::ToolArguments(delta)) => {
            let event = Event {
                kind: "response.function_call_arguments.delta",
                item_id: Some(id),
                output_index,
                delta: Some(&delta),
                ..Event::default()
            };
            writer.emit(event, out);
            arguments.push_str(&delta);
        }
        (Body::Reasoning { summary, content, open, .. }, Delta::ReasoningSummary { part, text }) => {
            if *open != Sub::Summary(part) {
                close_sub(writer, id, output_index, summary, content, open, out);
                summary.push(String::new());
                *open = Sub::Summary(part);
                let added = Event {
                    kind: "response.reasoning_summary_part.added",
                    item_id: Some(id),
                    output_index,
                    summary_index: Some(summary.len() - 1),
                    part: Some(summary_text("")),
                    ..Event::default()
                };
                writer.emit(added, out);
            }
            let event = Event {
                kind: "response.reasoning_summary_text.delta",
                item_id: Some(id),
                output_index,
                summary_index: Some(summary.len() - 1),
                delta: Some(&text),
                ..Event::default()
            };
            writer.emit(event, out);
            if let Some(last) = summary.last_mut() {
                last.push_str(&text);
            }
        }
        (Body::Reasoning { summary, content, open, .. }, Delta::Reasoning(text)) => {
            if *open != Sub::Text {
                close_sub(writer, id, output_index, summary, content, open, out);
                content.push(String::new());
                *open = Sub::Text;
                let added = Event {
                    kind: "response.content_part.added",
                    item_id: Some(id),
                    output_index,
                    content_index: Some(content.len() - 1),
                    part: Some(reasoning_text("")),
                    ..Event::default()
                };
                writer.emit(added, out);
            }
            let event = Event {
                kind: "response.reasoning_text.delta",
                item_id: Some(id),
                output_index,
                content_index: Some(content.len() - 1),
                delta: Some(&text),
                ..Event::default()
            };
            writer.emit(event, out);
            if let Some(last) = content.last_mut() {
                last.push_str(&text);
            }
        }
        (Body::Reasoning { encrypted, .. }, Delta::Opaque(opaque)) if opaque.family == Family::OpenAi => {
            *encrypted = Some(opaque.value);
        }
        _ => {}
    }
}

/// Closes the reasoning part being written: a summary part or a `reasoning_text` content part.
fn close_sub(
    writer: &mut Writer,
    id: &str,
    output_index: Option<usize>,
    summary: &[String],
    content: &[String],
    open: &mut Sub,
    out: &mut Vec<u8>,
) {
    match std::mem::replace(open, Sub::None) {
        Sub::None => {}
        Sub::Summary(_) => {
            let (index, text) = (summary.len().saturating_sub(1), summary.last().map_or("", String::as_str));
            let base =
                Event { item_id: Some(id), output_index, summary_index: Some(index), ..Event::default() };
            let done = Event { kind: "response.reasoning_summary_text.done", text: Some(text), ..base };
            writer.emit(done, out);
            let base =
                Event { item_id: Some(id), output_index, summary_index: Some(index), ..Event::default() };
            let part = Event {
                kind: "response.reasoning_summary_part.done",
                part: Some(summary_text(text)),
                ..base
            };
            writer.emit(part, out);
        }
        Sub::Text => {
            let (index, text) = (content.len().saturating_sub(1), content.last().map_or("", String::as_str));
            let base =
                Event { item_id: Some(id), output_index, content_index: Some(index), ..Event::default() };
            let done = Event { kind: "response.reasoning_text.done", text: Some(text), ..base };
            writer.emit(done, out);
            let base =
                Event { item_id: Some(id), output_index, content_index: Some(index), ..Event::default() };
            let part = Event { kind: "response.content_part.done", part: Some(reasoning_text(text)), ..base };
            writer.emit(part, out);
        }
    }
}
