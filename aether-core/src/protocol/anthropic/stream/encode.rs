//! [`StreamEvent`]s → Messages stream events.

use std::collections::VecDeque;

use serde::Serialize;

use super::super::error;
use super::super::response::stop_reason_name;
use super::super::types::CacheCreation;
use super::wire::{
    BlockDeltaOut, BlockOut, BlockStartOut, BlockStopOut, DeltaOut, DeltaUsageOut, Empty, MessageChangeOut,
    MessageDeltaOut, MessageOut, MessageStartOut, StartUsageOut,
};
use crate::ir::StopReason;
use crate::sse;
use crate::stream::{Block, Delta, StreamEncoder, StreamEvent, UsageAccumulator};
use crate::{ApiError, ErrorKind, Family};

/// Writes a Messages stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    /// The answer's id and model, held until `message_start` is written.
    start: Option<(String, String)>,
    /// `message_start` was written.
    opened: bool,
    /// Usage known so far.
    usage: UsageAccumulator,
    /// The blocks on the wire or queued, by IR index (dropped and stopped blocks have none).
    slots: Vec<(usize, Slot)>,
    /// One past the highest IR index opened so far: a block opening below it is a repeat, ignored.
    fresh: usize,
    /// The IR index of the block on the wire now.
    active: Option<usize>,
    /// Blocks that opened while another was on the wire, in opening order.
    queue: VecDeque<usize>,
    /// The wire index of the next block written.
    next: usize,
    /// The stop, held until the end for the final usage.
    stop: Option<(StopReason, Option<String>)>,
    /// The stream's last event was written.
    ended: bool,
    /// Scratch space for one event's JSON.
    scratch: Vec<u8>,
}

/// Where an IR block is.
#[derive(Debug)]
enum Slot {
    /// Waits for the block on the wire to stop.
    Queued { block: Block, deltas: Vec<Delta>, stopped: bool },
    /// On the wire at `wire`.
    Live { wire: usize, kind: Kind, args: bool },
    /// A `redacted_thinking` block, written whole when it stops (its data opens it).
    Redacted { data: String },
}

/// The deltas a written block takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Thinking,
    Tool,
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: StreamEvent, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        match event {
            StreamEvent::Start { id, model, .. } => {
                if !self.opened && self.start.is_none() {
                    self.start = Some((id, model));
                }
            }
            StreamEvent::BlockStart { index, block } => self.block_start(index, block, out),
            StreamEvent::Delta { index, delta } => self.delta(index, delta, out),
            StreamEvent::BlockStop { index } => self.block_stop(index, out),
            StreamEvent::Usage(_) => self.usage.observe(&event),
            StreamEvent::Stop { reason, stop_sequence } => {
                self.stop.get_or_insert((reason, stop_sequence));
            }
            StreamEvent::Error(error) => {
                self.open(out);
                self.error(&error, out);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        self.open(out);
        self.drain(out);
        let Some((reason, stop_sequence)) = self.stop.take() else {
            self.error(&ApiError::new(ErrorKind::Internal, "the upstream stream ended early"), out);
            return;
        };
        let usage = self.usage.usage();
        let reason = stop_reason_name(reason);
        let body = MessageDeltaOut {
            kind: "message_delta",
            delta: MessageChangeOut { stop_reason: &reason, stop_sequence: stop_sequence.as_deref() },
            usage: DeltaUsageOut {
                input_tokens: usage.input,
                cache_creation_input_tokens: usage.cache_write(),
                cache_read_input_tokens: usage.cache_read,
                output_tokens: usage.output,
            },
        };
        emit(&mut self.scratch, "message_delta", &body, out);
        sse::encode(Some("message_stop"), r#"{"type":"message_stop"}"#, out);
        self.ended = true;
    }
}

impl Encoder {
    /// Writes `message_start` unless it was, with the usage known by now.
    fn open(&mut self, out: &mut Vec<u8>) {
        if self.opened {
            return;
        }
        self.opened = true;
        let (id, model) = self.start.take().unwrap_or_default();
        let id = if id.starts_with("msg_") { id } else { format!("msg_{id}") };
        let usage = self.usage.usage();
        let body = MessageStartOut {
            kind: "message_start",
            message: MessageOut {
                id: &id,
                kind: "message",
                role: "assistant",
                model: &model,
                content: [],
                stop_reason: None,
                stop_sequence: None,
                usage: StartUsageOut {
                    input_tokens: usage.input,
                    cache_creation_input_tokens: usage.cache_write(),
                    cache_read_input_tokens: usage.cache_read,
                    cache_creation: CacheCreation {
                        ephemeral_5m_input_tokens: usage.cache_write_5m,
                        ephemeral_1h_input_tokens: usage.cache_write_1h,
                    },
                    output_tokens: usage.output,
                },
            },
        };
        emit(&mut self.scratch, "message_start", &body, out);
    }

    /// An `error` event, the last thing written.
    fn error(&mut self, error: &ApiError, out: &mut Vec<u8>) {
        let (_, body) = error::render(error);
        if let Ok(body) = std::str::from_utf8(&body) {
            sse::encode(Some("error"), body, out);
        }
        self.ended = true;
    }

    fn position(&self, index: usize) -> Option<usize> {
        self.slots.iter().rposition(|(ir, _)| *ir == index)
    }

    fn block_start(&mut self, index: usize, block: Block, out: &mut Vec<u8>) {
        if index < self.fresh {
            return;
        }
        self.fresh = index.saturating_add(1);
        self.open(out);
        if matches!(block, Block::Reasoning { family, .. } if family != Family::Anthropic) {
            // Dropped: with no slot, its deltas and stop are ignored.
        } else if self.active.is_some() {
            self.slots.push((index, Slot::Queued { block, deltas: Vec::new(), stopped: false }));
            self.queue.push_back(index);
        } else {
            self.activate(index, block, out);
        }
    }

    /// Puts the block at IR `index` on the wire.
    fn activate(&mut self, index: usize, block: Block, out: &mut Vec<u8>) {
        self.active = Some(index);
        let wire = self.next;
        let fallback_id;
        let (kind, content_block) = match &block {
            Block::Text => (Kind::Text, BlockOut::Text { text: "" }),
            Block::Reasoning { redacted: true, .. } => {
                self.slots.push((index, Slot::Redacted { data: String::new() }));
                return;
            }
            Block::Reasoning { .. } => (Kind::Thinking, BlockOut::Thinking { thinking: "", signature: "" }),
            Block::ToolCall { id, name, .. } => {
                let id = if id.is_empty() {
                    fallback_id = format!("toolu_{wire}");
                    &fallback_id
                } else {
                    id
                };
                (Kind::Tool, BlockOut::ToolUse { id, name, input: Empty {} })
            }
        };
        emit(&mut self.scratch, "content_block_start", &start_body(wire, content_block), out);
        self.next += 1;
        self.slots.push((index, Slot::Live { wire, kind, args: false }));
    }

    fn delta(&mut self, index: usize, delta: Delta, out: &mut Vec<u8>) {
        let Some(position) = self.position(index) else { return };
        let (wire, kind) = match &mut self.slots[position].1 {
            Slot::Live { wire, kind, args } => {
                if *kind == Kind::Tool && matches!(&delta, Delta::ToolArguments(json) if !json.is_empty()) {
                    *args = true;
                }
                (*wire, *kind)
            }
            Slot::Redacted { data } => {
                if let Delta::Opaque(opaque) = &delta
                    && let Some(value) = opaque.for_family(Family::Anthropic)
                {
                    data.push_str(value);
                }
                return;
            }
            Slot::Queued { deltas, .. } => {
                deltas.push(delta);
                return;
            }
        };
        let body = match (kind, &delta) {
            (Kind::Text, Delta::Text(text)) => DeltaOut::Text { text },
            (Kind::Thinking, Delta::Reasoning(thinking) | Delta::ReasoningSummary { text: thinking, .. }) => {
                DeltaOut::Thinking { thinking }
            }
            (Kind::Thinking, Delta::Opaque(opaque)) => match opaque.for_family(Family::Anthropic) {
                Some(signature) => DeltaOut::Signature { signature },
                None => return,
            },
            (Kind::Tool, Delta::ToolArguments(partial_json)) if !partial_json.is_empty() => {
                DeltaOut::InputJson { partial_json }
            }
            _ => return,
        };
        emit(&mut self.scratch, "content_block_delta", &delta_body(wire, body), out);
    }

    fn block_stop(&mut self, index: usize, out: &mut Vec<u8>) {
        let Some(position) = self.position(index) else { return };
        match &mut self.slots[position].1 {
            Slot::Queued { stopped, .. } => *stopped = true,
            Slot::Live { .. } | Slot::Redacted { .. } => {
                self.close(index, out);
                self.active = None;
                self.advance(false, out);
            }
        }
    }

    /// Writes the end of the block at IR `index`: `{}` for a call without arguments, and a redacted
    /// block whole (or not at all, without data).
    fn close(&mut self, index: usize, out: &mut Vec<u8>) {
        let Some(position) = self.position(index) else { return };
        let wire = match self.slots.remove(position).1 {
            Slot::Live { wire, kind, args } => {
                if kind == Kind::Tool && !args {
                    let body = delta_body(wire, DeltaOut::InputJson { partial_json: "{}" });
                    emit(&mut self.scratch, "content_block_delta", &body, out);
                }
                wire
            }
            Slot::Redacted { data } if !data.is_empty() => {
                let wire = self.next;
                self.next += 1;
                let body = start_body(wire, BlockOut::RedactedThinking { data: &data });
                emit(&mut self.scratch, "content_block_start", &body, out);
                wire
            }
            _ => return,
        };
        emit(
            &mut self.scratch,
            "content_block_stop",
            &BlockStopOut { kind: "content_block_stop", index: wire },
            out,
        );
    }

    /// Puts queued blocks on the wire, one after another, until one is still open (or, with `force`,
    /// all of them, each stopped).
    fn advance(&mut self, force: bool, out: &mut Vec<u8>) {
        while let Some(index) = self.queue.pop_front() {
            let Some(position) = self.position(index) else { continue };
            let Slot::Queued { block, deltas, stopped } = self.slots.remove(position).1 else { continue };
            self.activate(index, block, out);
            for delta in deltas {
                self.delta(index, delta, out);
            }
            if !(stopped || force) {
                return;
            }
            self.close(index, out);
            self.active = None;
        }
    }

    /// Stops every block still open, queued ones included.
    fn drain(&mut self, out: &mut Vec<u8>) {
        if let Some(index) = self.active.take() {
            self.close(index, out);
        }
        self.advance(true, out);
    }
}

fn start_body(index: usize, content_block: BlockOut<'_>) -> BlockStartOut<'_> {
    BlockStartOut { kind: "content_block_start", index, content_block }
}

fn delta_body(index: usize, delta: DeltaOut<'_>) -> BlockDeltaOut<'_> {
    BlockDeltaOut { kind: "content_block_delta", index, delta }
}

/// Writes one SSE event named `name` whose data is `body`'s JSON.
fn emit<T: Serialize>(scratch: &mut Vec<u8>, name: &str, body: &T, out: &mut Vec<u8>) {
    scratch.clear();
    if serde_json::to_writer(&mut *scratch, body).is_ok()
        && let Ok(data) = std::str::from_utf8(scratch)
    {
        sse::encode(Some(name), data, out);
    }
}
