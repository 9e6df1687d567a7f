//! Messages stream events → [`StreamEvent`]s.

use std::borrow::Cow;

use super::super::error;
use super::super::response::stop_reason;
use super::super::types::CacheCreation;
use super::wire::{
    BlockDelta, BlockStart, BlockStop, MessageDelta, MessageStart, StartBlock, StartMessage, StreamUsage,
    Tagged,
};
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamDecoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family, Usage};

use super::super::OVERLOADED_STATUS;

/// Reads a Messages stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    /// `Start` was emitted.
    started: bool,
    /// The blocks open now, in opening order.
    open: Vec<Open>,
    /// One past the highest wire index opened so far: a block opening below it is a repeat, ignored.
    fresh: usize,
    /// The IR index the next kept block gets.
    next: usize,
    /// A tool call was seen.
    called: bool,
    /// The usage reported so far, merged.
    usage: Usage,
    /// `Stop` was emitted.
    stopped: bool,
    /// `message_stop` or an `error` arrived: nothing more is read.
    ended: bool,
}

/// An open block.
#[derive(Debug)]
struct Open {
    /// Its wire `index`.
    wire: usize,
    /// Its IR index; `None` for a skipped block.
    ir: Option<usize>,
    kind: Kind,
}

/// What a block accepts as deltas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Thinking,
    Redacted,
    Tool,
    Skipped,
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, event: Option<&str>, data: &str, out: &mut Vec<StreamEvent>) {
        if self.ended {
            return;
        }
        let known = event.is_some_and(|name| self.dispatch(name, data, out));
        if !known {
            // An unnamed event, or a name this decoder does not know: go by the data's `type`.
            if let Ok(tagged) = serde_json::from_str::<Tagged<'_>>(data)
                && event != Some(tagged.kind.as_ref())
            {
                self.dispatch(&tagged.kind, data, out);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.start(out);
        self.close_all(out);
        out.push(StreamEvent::Error(ApiError::new(
            ErrorKind::Internal,
            "the upstream stream ended before message_stop",
        )));
    }
}

impl Decoder {
    /// Handles an event of type `kind`; false for a type this decoder does not know.
    fn dispatch(&mut self, kind: &str, data: &str, out: &mut Vec<StreamEvent>) -> bool {
        match kind {
            "content_block_delta" => self.block_delta(data, out),
            "content_block_start" => self.block_start(data, out),
            "content_block_stop" => self.block_stop(data, out),
            "message_start" => self.message_start(data, out),
            "message_delta" => self.message_delta(data, out),
            "message_stop" => self.message_stop(out),
            "error" => self.error(data, out),
            "ping" => {}
            _ => return false,
        }
        true
    }

    /// Emits `Start` unless it was: a stream whose first event is not `message_start` still starts.
    fn start(&mut self, out: &mut Vec<StreamEvent>) {
        if !self.started {
            self.started = true;
            out.push(StreamEvent::Start { id: String::new(), model: String::new(), created: None });
        }
    }

    fn message_start(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(event) = serde_json::from_str::<MessageStart<'_>>(data) else { return };
        let StartMessage { id, model, usage } = event.message;
        if !self.started {
            self.started = true;
            out.push(StreamEvent::Start { id: id.into_owned(), model: model.into_owned(), created: None });
        }
        if let Some(usage) = &usage {
            self.report(usage, out);
        }
    }

    fn block_start(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(event) = serde_json::from_str::<BlockStart<'_>>(data) else { return };
        if event.index < self.fresh {
            return;
        }
        self.fresh = event.index.saturating_add(1);
        self.start(out);
        let StartBlock { kind, text, thinking, signature, data, id, name, input } = event.content_block;
        let (kind, block) = match kind.as_ref() {
            "text" => (Kind::Text, Block::Text),
            "thinking" => (Kind::Thinking, reasoning(false)),
            "redacted_thinking" => (Kind::Redacted, reasoning(true)),
            "tool_use" => (Kind::Tool, Block::ToolCall { id: owned(id), item_id: None, name: owned(name) }),
            _ => {
                self.open.push(Open { wire: event.index, ir: None, kind: Kind::Skipped });
                return;
            }
        };
        let index = self.next;
        self.next += 1;
        self.called |= kind == Kind::Tool;
        self.open.push(Open { wire: event.index, ir: Some(index), kind });
        out.push(StreamEvent::BlockStart { index, block });
        // A block normally opens empty; whatever it already holds becomes its first deltas.
        let mut first = |delta: Delta| {
            if !is_empty(&delta) {
                out.push(StreamEvent::Delta { index, delta });
            }
        };
        match kind {
            Kind::Text => first(Delta::Text(owned(text))),
            Kind::Thinking => {
                first(Delta::Reasoning(owned(thinking)));
                first(Delta::Opaque(anthropic(owned(signature))));
            }
            Kind::Redacted => first(Delta::Opaque(anthropic(owned(data)))),
            Kind::Tool => {
                if let Some(input) = input.filter(|input| input.as_object().is_none_or(|m| !m.is_empty())) {
                    first(Delta::ToolArguments(input.to_string()));
                }
            }
            Kind::Skipped => {}
        }
    }

    fn block_delta(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(event) = serde_json::from_str::<BlockDelta<'_>>(data) else { return };
        let Some(seen) = self.open.iter().rev().find(|open| open.wire == event.index) else { return };
        let Some(index) = seen.ir else { return };
        let body = event.delta;
        let delta = match (seen.kind, body.kind.as_ref()) {
            (Kind::Text, "text_delta") => body.text.map(|t| Delta::Text(t.into_owned())),
            (Kind::Thinking, "thinking_delta") => body.thinking.map(|t| Delta::Reasoning(t.into_owned())),
            (Kind::Thinking, "signature_delta") => {
                body.signature.map(|s| Delta::Opaque(anthropic(s.into_owned())))
            }
            (Kind::Tool, "input_json_delta") => {
                body.partial_json.map(|j| Delta::ToolArguments(j.into_owned()))
            }
            _ => None, // citations_delta, deltas of another block type, unknown deltas
        };
        if let Some(delta) = delta.filter(|delta| !is_empty(delta)) {
            out.push(StreamEvent::Delta { index, delta });
        }
    }

    fn block_stop(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(event) = serde_json::from_str::<BlockStop>(data) else { return };
        let Some(position) = self.open.iter().rposition(|open| open.wire == event.index) else { return };
        if let Some(index) = self.open.remove(position).ir {
            out.push(StreamEvent::BlockStop { index });
        }
    }

    fn message_delta(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(event) = serde_json::from_str::<MessageDelta>(data) else { return };
        self.start(out);
        if let Some(usage) = &event.usage {
            self.report(usage, out);
        }
        if let Some(reason) = event.delta.stop_reason
            && !self.stopped
        {
            self.close_all(out);
            self.stopped = true;
            out.push(StreamEvent::Stop {
                reason: stop_reason(reason),
                stop_sequence: event.delta.stop_sequence,
            });
        }
    }

    /// The clean end. A stream that never said why it stopped gets `tool_use` if it called a tool,
    /// `end_turn` otherwise.
    fn message_stop(&mut self, out: &mut Vec<StreamEvent>) {
        self.start(out);
        self.close_all(out);
        if !self.stopped {
            self.stopped = true;
            let reason = if self.called { StopReason::ToolUse } else { StopReason::EndTurn };
            out.push(StreamEvent::Stop { reason, stop_sequence: None });
        }
        self.ended = true;
    }

    /// An `error` event: open blocks stop, then the error, then nothing.
    fn error(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        let mut error = error::parse(ErrorKind::Internal.status(), data.as_bytes());
        error.status =
            if error.kind == ErrorKind::Overloaded { OVERLOADED_STATUS } else { error.kind.status() };
        self.start(out);
        self.close_all(out);
        self.ended = true;
        out.push(StreamEvent::Error(error));
    }

    fn close_all(&mut self, out: &mut Vec<StreamEvent>) {
        out.extend(
            self.open.drain(..).filter_map(|open| open.ir).map(|index| StreamEvent::BlockStop { index }),
        );
    }

    /// Merges a wire `usage` into what is known (a missing or zero counter keeps its known value) and
    /// emits the result. A total of cache writes without its TTL split keeps a known split that adds up
    /// to it (a `message_delta` repeats the total but not the split).
    fn report(&mut self, wire: &StreamUsage, out: &mut Vec<StreamEvent>) {
        let known = &mut self.usage;
        keep(&mut known.input, wire.input_tokens);
        keep(&mut known.output, wire.output_tokens);
        keep(&mut known.cache_read, wire.cache_read_input_tokens);
        match &wire.cache_creation {
            Some(CacheCreation { ephemeral_5m_input_tokens, ephemeral_1h_input_tokens }) => {
                keep(&mut known.cache_write_5m, Some(*ephemeral_5m_input_tokens));
                keep(&mut known.cache_write_1h, Some(*ephemeral_1h_input_tokens));
            }
            None => {
                if let Some(total) = wire.cache_creation_input_tokens
                    && total != 0
                    && total != known.cache_write()
                {
                    known.cache_write_5m = total.saturating_sub(known.cache_write_1h);
                }
            }
        }
        out.push(StreamEvent::Usage(*known));
    }
}

fn keep(known: &mut u64, new: Option<u64>) {
    if let Some(new) = new
        && new != 0
    {
        *known = new;
    }
}

fn reasoning(redacted: bool) -> Block {
    Block::Reasoning { family: Family::Anthropic, id: None, redacted }
}

fn anthropic(value: String) -> Opaque {
    Opaque { family: Family::Anthropic, value }
}

fn owned(value: Option<Cow<'_, str>>) -> String {
    value.map(Cow::into_owned).unwrap_or_default()
}

/// Whether a delta carries nothing (an empty `partial_json`, say): such deltas are not emitted.
fn is_empty(delta: &Delta) -> bool {
    match delta {
        Delta::Text(text) | Delta::Reasoning(text) | Delta::ToolArguments(text) => text.is_empty(),
        Delta::ReasoningSummary { text, .. } => text.is_empty(),
        Delta::Opaque(opaque) => opaque.value.is_empty(),
    }
}
