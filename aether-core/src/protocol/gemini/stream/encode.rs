//! [`StreamEvent`]s → Gemini stream chunks, written by hand into the output (this is the hot path).

use serde::de::IgnoredAny;
use serde_json::Map;

use super::super::error;
use super::super::parts::SKIP_SIGNATURE;
use super::super::response::finish_reason;
use super::super::usage::from_usage;
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamEncoder, StreamEvent, UsageAccumulator};
use crate::{ApiError, ErrorKind, Family};

/// What an open block becomes.
#[derive(Debug)]
enum Slot {
    Text,
    Thought,
    /// Another family's reasoning: it and its deltas are dropped.
    Dropped,
    /// A tool call, held until it stops.
    Call(Box<HeldCall>),
}

#[derive(Debug)]
struct HeldCall {
    id: String,
    name: String,
    arguments: String,
    signature: Option<String>,
}

/// One text part to write.
struct TextPart<'a> {
    text: &'a str,
    thought: bool,
    signature: Option<&'a str>,
}

/// Writes Gemini stream chunks: SSE by default, or the JSON array of a client that did not ask for
/// `alt=sse` ([`Encoder::json_array`]).
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    json_array: bool,
    /// Chunks written so far.
    chunks: usize,
    /// `,"modelVersion":…,"responseId":…}`: the end of every chunk, from `Start`.
    tail: Vec<u8>,
    /// Open blocks by their event index (few at a time).
    open: Vec<(usize, Slot)>,
    /// Function calls written so far.
    calls: usize,
    /// A call was dropped because its arguments were not a JSON object.
    malformed: bool,
    usage: Option<UsageAccumulator>,
    stop: Option<StopReason>,
    /// The last chunk (final or error) was written: nothing follows.
    ended: bool,
    finished: bool,
}

impl Encoder {
    /// An encoder writing `[chunk,\r\nchunk,\r\n…]`, the answer to `streamGenerateContent` without
    /// `alt=sse`.
    pub(crate) fn json_array() -> Self {
        Encoder { json_array: true, ..Encoder::default() }
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: StreamEvent, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        match event {
            StreamEvent::Start { id, model, .. } => self.tail = tail(&id, &model),
            StreamEvent::BlockStart { index, block } => {
                let slot = match block {
                    Block::Text => Slot::Text,
                    Block::Reasoning { family: Family::Google, .. } => Slot::Thought,
                    Block::Reasoning { .. } => Slot::Dropped,
                    Block::ToolCall { id, name, .. } => {
                        Slot::Call(Box::new(HeldCall { id, name, arguments: String::new(), signature: None }))
                    }
                };
                self.open.push((index, slot));
            }
            StreamEvent::Delta { index, delta } => self.delta(index, delta, out),
            StreamEvent::BlockStop { index } => {
                if let Some(at) = self.open.iter().position(|(i, _)| *i == index)
                    && let (_, Slot::Call(call)) = self.open.remove(at)
                {
                    self.call(&call, out);
                }
            }
            event @ StreamEvent::Usage(_) => self.usage.get_or_insert_default().observe(&event),
            StreamEvent::Stop { reason, .. } => {
                // Blocks still open at a stop are complete: write the held calls.
                for (_, slot) in std::mem::take(&mut self.open) {
                    if let Slot::Call(call) = slot {
                        self.call(&call, out);
                    }
                }
                self.stop = Some(reason);
            }
            StreamEvent::Error(error) => self.error(&error, out),
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.finished {
            return;
        }
        self.finished = true;
        if !self.ended {
            match self.stop.take() {
                Some(reason) => self.last(reason, out),
                None => self.error(
                    &ApiError::new(ErrorKind::Internal, "the upstream stream ended before its finish reason"),
                    out,
                ),
            }
        }
        if self.json_array {
            if self.chunks == 0 {
                out.push(b'[');
            }
            out.push(b']');
        }
    }
}

impl Encoder {
    fn delta(&mut self, index: usize, delta: Delta, out: &mut Vec<u8>) {
        let Some(slot) = self.open.iter_mut().find(|(i, _)| *i == index).map(|(_, slot)| slot) else {
            return;
        };
        let google = |opaque: &Opaque| opaque.family == Family::Google;
        match (slot, delta) {
            (Slot::Call(call), Delta::ToolArguments(fragment)) => call.arguments.push_str(&fragment),
            (Slot::Call(call), Delta::Opaque(opaque)) if google(&opaque) => {
                call.signature = Some(opaque.value)
            }
            (Slot::Text, Delta::Text(text)) => {
                self.text(TextPart { text: &text, thought: false, signature: None }, out);
            }
            (Slot::Thought, Delta::Reasoning(text) | Delta::ReasoningSummary { text, .. }) => {
                self.text(TextPart { text: &text, thought: true, signature: None }, out);
            }
            (slot @ (Slot::Text | Slot::Thought), Delta::Opaque(opaque)) if google(&opaque) => {
                let thought = matches!(slot, Slot::Thought);
                self.text(TextPart { text: "", thought, signature: Some(&opaque.value) }, out);
            }
            _ => {}
        }
    }

    fn text(&mut self, part: TextPart<'_>, out: &mut Vec<u8>) {
        if part.text.is_empty() && part.signature.is_none() {
            return;
        }
        self.begin(out);
        out.extend_from_slice(b"{\"text\":");
        string(out, part.text);
        if part.thought {
            out.extend_from_slice(b",\"thought\":true");
        }
        if let Some(signature) = part.signature {
            out.extend_from_slice(b",\"thoughtSignature\":");
            string(out, signature);
        }
        out.push(b'}');
        self.end(None, out);
    }

    /// Writes a whole function call; arguments that are not a JSON object drop it (see the module docs).
    fn call(&mut self, call: &HeldCall, out: &mut Vec<u8>) {
        let arguments = call.arguments.trim();
        let object = arguments.starts_with('{') && serde_json::from_str::<IgnoredAny>(arguments).is_ok();
        if !object && !arguments.is_empty() {
            self.malformed = true;
            return;
        }
        let signature = match &call.signature {
            Some(signature) => Some(signature.as_str()),
            None => (self.calls == 0).then_some(SKIP_SIGNATURE),
        };
        self.calls += 1;
        self.begin(out);
        out.extend_from_slice(b"{\"functionCall\":{\"id\":");
        string(out, &call.id);
        out.extend_from_slice(b",\"name\":");
        string(out, &call.name);
        out.extend_from_slice(b",\"args\":");
        if arguments.is_empty() {
            out.extend_from_slice(b"{}");
        } else {
            // Line breaks in valid JSON are only white space between tokens: dropping them keeps
            // the chunk on one `data:` line.
            out.extend(arguments.bytes().filter(|b| *b != b'\n' && *b != b'\r'));
        }
        out.push(b'}');
        if let Some(signature) = signature {
            out.extend_from_slice(b",\"thoughtSignature\":");
            string(out, signature);
        }
        out.push(b'}');
        self.end(None, out);
    }

    /// The final chunk: the finish reason and the usage.
    fn last(&mut self, reason: StopReason, out: &mut Vec<u8>) {
        let mut reason = finish_reason(reason);
        if self.malformed && reason == "STOP" {
            reason = "MALFORMED_FUNCTION_CALL".into();
        }
        self.begin(out);
        out.extend_from_slice(b"{\"text\":\"\"}");
        self.end(Some(&reason), out);
        self.ended = true;
    }

    /// An error chunk; nothing follows it.
    fn error(&mut self, error: &ApiError, out: &mut Vec<u8>) {
        self.frame(out);
        out.extend_from_slice(&error::render(error).1);
        self.unframe(out);
        self.ended = true;
    }

    /// Opens a chunk up to its first part.
    fn begin(&mut self, out: &mut Vec<u8>) {
        self.frame(out);
        out.extend_from_slice(b"{\"candidates\":[{\"content\":{\"parts\":[");
    }

    /// Closes a chunk opened by [`Encoder::begin`].
    fn end(&mut self, finish: Option<&str>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"],\"role\":\"model\"},");
        if let Some(finish) = finish {
            out.extend_from_slice(b"\"finishReason\":");
            string(out, finish);
            out.push(b',');
        }
        out.extend_from_slice(b"\"index\":0}]");
        if let (Some(_), Some(usage)) = (finish, &self.usage) {
            out.extend_from_slice(b",\"usageMetadata\":");
            // Serialising a struct of counters into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, &from_usage(&usage.usage(), None, Map::new()));
        }
        if self.tail.is_empty() {
            self.tail = tail("", "");
        }
        out.extend_from_slice(&self.tail);
        self.unframe(out);
    }

    fn frame(&mut self, out: &mut Vec<u8>) {
        match (self.json_array, self.chunks) {
            (false, _) => out.extend_from_slice(b"data: "),
            (true, 0) => out.push(b'['),
            (true, _) => out.extend_from_slice(b",\r\n"),
        }
        self.chunks += 1;
    }

    fn unframe(&self, out: &mut Vec<u8>) {
        if !self.json_array {
            out.extend_from_slice(b"\r\n\r\n");
        }
    }
}

/// `,"modelVersion":…,"responseId":…}`.
fn tail(id: &str, model: &str) -> Vec<u8> {
    let mut tail = Vec::with_capacity(40 + id.len() + model.len());
    tail.extend_from_slice(b",\"modelVersion\":");
    string(&mut tail, model);
    tail.extend_from_slice(b",\"responseId\":");
    string(&mut tail, id);
    tail.push(b'}');
    tail
}

/// Writes `text` as a JSON string.
fn string(out: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, text);
}
