//! [`StreamEvent`]s → `chat.completion.chunk`s.

use serde::Serialize;
use serde_json::Map;

use super::super::types::WireUsage;
use super::super::{error, usage};
use crate::ir::StopReason;
use crate::protocol::content_id;
use crate::stream::{Block, Delta, StreamEncoder, StreamEvent, UsageAccumulator};
use crate::{ApiError, ErrorKind, sse};

/// A chunk as written: the same head on every chunk, one choice (none on the usage chunk).
#[derive(Serialize)]
struct ChunkOut<'a, D> {
    id: &'a str,
    object: &'static str,
    created: i64,
    model: &'a str,
    choices: &'a [ChoiceOut<'a, D>],
    /// Absent without `include_usage`; `null` on every chunk but the usage chunk with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Option<&'a WireUsage>>,
}

#[derive(Serialize)]
struct ChoiceOut<'a, D> {
    index: u32,
    delta: D,
    logprobs: (),
    finish_reason: Option<&'a str>,
}

/// The first chunk's delta.
#[derive(Serialize)]
struct Role {
    role: &'static str,
    content: &'static str,
}

#[derive(Serialize)]
struct Content<'a> {
    content: &'a str,
}

#[derive(Serialize)]
struct ToolCalls<'a> {
    tool_calls: [CallOut<'a>; 1],
}

#[derive(Serialize)]
struct CallOut<'a> {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    function: FunctionOut<'a>,
}

#[derive(Serialize)]
struct FunctionOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    arguments: &'a str,
}

/// The finish chunk's delta, `{}`.
#[derive(Serialize)]
struct Empty {}

/// What an IR block became in the output.
#[derive(Clone, Copy, Debug)]
enum Out {
    Text,
    /// A tool call: its index among the answer's tool calls, and whether arguments were written.
    Tool {
        index: usize,
        args: bool,
    },
    /// Reasoning: Chat has no field for it.
    Dropped,
}

/// Writes a Chat Completions stream (see the [module docs](super) for the mapping).
#[derive(Debug)]
pub(crate) struct Encoder {
    include_usage: bool,
    /// `None` until the first chunk is written.
    head: Option<Head>,
    /// Open blocks by IR index.
    blocks: Vec<(usize, Out)>,
    calls: usize,
    usage: UsageAccumulator,
    saw_usage: bool,
    stopped: bool,
    /// An error or the terminal event was written: nothing more is.
    ended: bool,
    /// Scratch space for one chunk's JSON, reused.
    buf: Vec<u8>,
}

/// What every chunk repeats.
#[derive(Debug)]
struct Head {
    id: String,
    model: String,
    created: i64,
}

impl Default for Encoder {
    /// Writes the usage chunk: the gateway asks upstreams for usage, and a client of an OpenAI SDK reads
    /// a chunk with no choices as it would from OpenAI. Build with [`Encoder::new`]`(false)` for a client
    /// that did not set `stream_options.include_usage`.
    fn default() -> Self {
        Encoder::new(true)
    }
}

impl Encoder {
    /// An encoder that writes the final usage chunk (and `"usage": null` on every other chunk) when
    /// `include_usage`, as OpenAI does for `stream_options: {"include_usage": true}`.
    pub(crate) fn new(include_usage: bool) -> Self {
        Encoder {
            include_usage,
            head: None,
            blocks: Vec::new(),
            calls: 0,
            usage: UsageAccumulator::default(),
            saw_usage: false,
            stopped: false,
            ended: false,
            buf: Vec::new(),
        }
    }

    fn start(&mut self, id: String, model: String, created: Option<i64>, out: &mut Vec<u8>) {
        let id = if id.is_empty() { content_id("chatcmpl-", model.as_bytes()) } else { id };
        self.head = Some(Head { id, model, created: created.unwrap_or_default() });
        self.chunk(Role { role: "assistant", content: "" }, None, out);
    }

    /// Writes the first chunk if no `Start` came before content.
    fn ensure_started(&mut self, out: &mut Vec<u8>) {
        if self.head.is_none() {
            self.start(String::new(), String::new(), None, out);
        }
    }

    fn block_start(&mut self, index: usize, block: Block, out: &mut Vec<u8>) {
        let kind = match block {
            Block::Text => Out::Text,
            Block::Reasoning { .. } => Out::Dropped,
            Block::ToolCall { id, name, .. } => {
                let call = self.calls;
                self.calls += 1;
                let function = FunctionOut { name: Some(&name), arguments: "" };
                let delta = CallOut { index: call, id: Some(&id), kind: Some("function"), function };
                self.chunk(ToolCalls { tool_calls: [delta] }, None, out);
                Out::Tool { index: call, args: false }
            }
        };
        self.blocks.push((index, kind));
    }

    fn delta(&mut self, index: usize, delta: Delta, out: &mut Vec<u8>) {
        let Some(position) = self.blocks.iter().rposition(|(i, _)| *i == index) else { return };
        match (&mut self.blocks[position].1, delta) {
            (Out::Text, Delta::Text(text)) if !text.is_empty() => {
                self.chunk(Content { content: &text }, None, out);
            }
            (Out::Tool { index, args }, Delta::ToolArguments(fragment)) if !fragment.is_empty() => {
                *args = true;
                let index = *index;
                self.arguments(index, &fragment, out);
            }
            _ => {}
        }
    }

    fn arguments(&mut self, index: usize, fragment: &str, out: &mut Vec<u8>) {
        let function = FunctionOut { name: None, arguments: fragment };
        let delta = CallOut { index, id: None, kind: None, function };
        self.chunk(ToolCalls { tool_calls: [delta] }, None, out);
    }

    /// Closes a block; a tool call that got no arguments gets `{}`, as Chat's non-streaming answers do.
    fn block_stop(&mut self, position: usize, out: &mut Vec<u8>) {
        if let (_, Out::Tool { index, args: false }) = self.blocks.swap_remove(position) {
            self.arguments(index, "{}", out);
        }
    }

    fn stop(&mut self, reason: &StopReason, out: &mut Vec<u8>) {
        while !self.blocks.is_empty() {
            self.block_stop(self.blocks.len() - 1, out);
        }
        let reason = match reason {
            StopReason::EndTurn | StopReason::StopSequence | StopReason::PauseTurn | StopReason::Refusal => {
                "stop"
            }
            StopReason::MaxTokens | StopReason::ContextWindowExceeded => "length",
            StopReason::ToolUse => "tool_calls",
            StopReason::ContentFilter => "content_filter",
            StopReason::Other(reason) => reason,
        };
        self.chunk(Empty {}, Some(reason), out);
        self.stopped = true;
    }

    /// Writes one chunk with one choice.
    fn chunk<D: Serialize>(&mut self, delta: D, finish_reason: Option<&str>, out: &mut Vec<u8>) {
        let choice = ChoiceOut { index: 0, delta, logprobs: (), finish_reason };
        self.write(std::slice::from_ref(&choice), None, out);
    }

    /// Writes a chunk with `choices` and, on the usage chunk, `usage`.
    fn write<D: Serialize>(
        &mut self,
        choices: &[ChoiceOut<'_, D>],
        usage: Option<&WireUsage>,
        out: &mut Vec<u8>,
    ) {
        let Some(head) = &self.head else { return };
        let chunk = ChunkOut {
            id: &head.id,
            object: "chat.completion.chunk",
            created: head.created,
            model: &head.model,
            choices,
            usage: self.include_usage.then_some(usage),
        };
        self.buf.clear();
        // Serialising borrowed strings and numbers into a Vec cannot fail.
        if serde_json::to_writer(&mut self.buf, &chunk).is_ok()
            && let Ok(data) = std::str::from_utf8(&self.buf)
        {
            sse::encode(None, data, out);
        }
    }

    /// Writes `{"error": {...}}`, after which the stream ends (no `[DONE]`: the OpenAI SDKs raise on it).
    fn error(&mut self, error: &ApiError, out: &mut Vec<u8>) {
        let (_, body) = error::render(error);
        if let Ok(data) = std::str::from_utf8(&body) {
            sse::encode(None, data, out);
        }
        self.ended = true;
    }
}

impl StreamEncoder for Encoder {
    fn encode(&mut self, event: StreamEvent, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        match event {
            StreamEvent::Start { id, model, created } => {
                if self.head.is_none() {
                    self.start(id, model, created, out);
                }
            }
            StreamEvent::Usage(usage) => {
                self.saw_usage = true;
                self.usage.observe(&StreamEvent::Usage(usage));
            }
            StreamEvent::Error(error) => self.error(&error, out),
            _ if self.stopped => {}
            StreamEvent::BlockStart { index, block } => {
                self.ensure_started(out);
                self.block_start(index, block, out);
            }
            StreamEvent::Delta { index, delta } => self.delta(index, delta, out),
            StreamEvent::BlockStop { index } => {
                if let Some(position) = self.blocks.iter().rposition(|(i, _)| *i == index) {
                    self.block_stop(position, out);
                }
            }
            StreamEvent::Stop { reason, .. } => {
                self.ensure_started(out);
                self.stop(&reason, out);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        if !self.stopped {
            let cut =
                ApiError::new(ErrorKind::Internal, "the upstream stream ended before the answer finished");
            self.error(&cut, out);
            return;
        }
        if self.include_usage && self.saw_usage {
            let wire = usage::encode(&self.usage.usage(), Map::new());
            self.write::<Empty>(&[], Some(&wire), out);
        }
        sse::encode(None, "[DONE]", out);
        self.ended = true;
    }
}
