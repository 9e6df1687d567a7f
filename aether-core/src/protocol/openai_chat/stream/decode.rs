//! `chat.completion.chunk`s → [`StreamEvent`]s.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::super::types::WireUsage;
use super::super::{error, usage};
use crate::ir::StopReason;
use crate::stream::{Block, Delta, StreamDecoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family};

/// One `data:` chunk. Only the members the decoder reads are typed; the rest are skipped unread.
#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default, borrow)]
    model: Option<Cow<'a, str>>,
    /// `null` or absent on usage-only chunks of some servers.
    #[serde(default, borrow)]
    choices: Option<Vec<Choice<'a>>>,
    /// Kept as JSON and read apart, so an odd usage object cannot lose the chunk's content.
    #[serde(default)]
    usage: Option<Value>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(default)]
    index: u32,
    /// Absent on Azure's trailing content-filter chunks.
    #[serde(default, borrow)]
    delta: Option<ChoiceDelta<'a>>,
    #[serde(default, borrow)]
    finish_reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ChoiceDelta<'a> {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    /// DeepSeek (and vLLM, …): reasoning text.
    #[serde(default, deserialize_with = "text_or_skip")]
    reasoning_content: Option<String>,
    /// OpenRouter: reasoning text.
    #[serde(default, deserialize_with = "text_or_skip")]
    reasoning: Option<String>,
    #[serde(default, borrow)]
    tool_calls: Option<Vec<ToolCallDelta<'a>>>,
    /// The deprecated single `function_call`, read as the tool call of wire index [`LEGACY_CALL`].
    #[serde(default, borrow)]
    function_call: Option<FunctionDelta<'a>>,
}

#[derive(Deserialize)]
struct ToolCallDelta<'a> {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(rename = "type", default, borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    function: Option<FunctionDelta<'a>>,
}

#[derive(Deserialize)]
struct FunctionDelta<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default)]
    arguments: Option<String>,
}

/// A string, or `None` for any other value (an extension field whose shape varies between servers).
fn text_or_skip<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrOther {
        Text(String),
        Other(IgnoredAny),
    }
    Ok(match Option::<TextOrOther>::deserialize(deserializer)? {
        Some(TextOrOther::Text(text)) => Some(text),
        _ => None,
    })
}

/// The wire index given to a legacy `function_call` (Chat allows one per answer).
const LEGACY_CALL: usize = usize::MAX;

/// A tool call seen on the wire, by its `index`.
#[derive(Debug)]
struct Call {
    wire: usize,
    /// The block it opened; `None` for a call of a type the IR does not model (`custom`), skipped whole.
    block: Option<usize>,
    open: bool,
    /// Some argument bytes came.
    args: bool,
}

/// Reads a Chat Completions stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    started: bool,
    next_block: usize,
    text: Option<usize>,
    reasoning: Option<usize>,
    calls: Vec<Call>,
    /// A `refusal` delta came: a `stop` finish is a refusal.
    refused: bool,
    stopped: bool,
    /// `[DONE]` or an error came: nothing more is read.
    ended: bool,
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, _event: Option<&str>, data: &str, out: &mut Vec<StreamEvent>) {
        if self.ended {
            return;
        }
        if data.starts_with("[DONE]") {
            self.done(out);
            return;
        }
        let Ok(chunk) = serde_json::from_str::<Chunk<'_>>(data) else { return };
        if chunk.error.is_some() {
            self.fail(error::parse_event(data), out);
            return;
        }
        let choices = chunk.choices.unwrap_or_default();
        let usage = chunk.usage.and_then(|usage| serde_json::from_value::<WireUsage>(usage).ok());
        if choices.is_empty() && usage.is_none() {
            return; // Azure's prompt-filter chunk, keep-alives: nothing for the IR.
        }
        if !self.started {
            let id = chunk.id.map(Cow::into_owned).unwrap_or_default();
            let model = chunk.model.map(Cow::into_owned).unwrap_or_default();
            self.start(id, model, chunk.created, out);
        }
        if let Some(choice) = choices.into_iter().find(|choice| choice.index == 0) {
            self.choice(choice, out);
        }
        if let Some(wire) = usage {
            out.push(StreamEvent::Usage(usage::decode(wire).0));
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if !self.ended {
            let cut = ApiError::new(
                ErrorKind::Internal,
                "the upstream stream ended before `data: [DONE]` (the answer may be incomplete)",
            );
            self.fail(cut, out);
        }
    }
}

impl Decoder {
    fn start(&mut self, id: String, model: String, created: Option<i64>, out: &mut Vec<StreamEvent>) {
        self.started = true;
        out.push(StreamEvent::Start { id, model, created });
    }

    fn choice(&mut self, choice: Choice<'_>, out: &mut Vec<StreamEvent>) {
        if self.stopped {
            return;
        }
        if let Some(delta) = choice.delta {
            self.delta(delta, out);
        }
        if let Some(reason) = choice.finish_reason.filter(|reason| !reason.is_empty()) {
            self.close_all(out);
            let reason = match reason.as_ref() {
                "stop" if self.refused => StopReason::Refusal,
                "stop" => StopReason::EndTurn,
                "length" => StopReason::MaxTokens,
                "tool_calls" | "function_call" => StopReason::ToolUse,
                "content_filter" => StopReason::ContentFilter,
                _ => StopReason::Other(reason.into_owned()),
            };
            self.stopped = true;
            out.push(StreamEvent::Stop { reason, stop_sequence: None });
        }
    }

    fn delta(&mut self, delta: ChoiceDelta<'_>, out: &mut Vec<StreamEvent>) {
        if let Some(text) = delta.reasoning_content.or(delta.reasoning).filter(|t| !t.is_empty()) {
            let index = self.open_reasoning(out);
            out.push(StreamEvent::Delta { index, delta: Delta::Reasoning(text) });
        }
        let refusal = delta.refusal.filter(|t| !t.is_empty());
        self.refused |= refusal.is_some();
        for text in [delta.content.filter(|t| !t.is_empty()), refusal].into_iter().flatten() {
            let index = self.open_text(out);
            out.push(StreamEvent::Delta { index, delta: Delta::Text(text) });
        }
        for (position, call) in delta.tool_calls.into_iter().flatten().enumerate() {
            let (name, arguments) = call.function.map_or((None, None), |f| (f.name, f.arguments));
            let wire = call.index.unwrap_or(position);
            self.call(wire, call.id, call.kind, name, arguments, out);
        }
        if let Some(function) = delta.function_call {
            self.call(LEGACY_CALL, None, None, function.name, function.arguments, out);
        }
    }

    /// A fragment of the tool call at wire index `wire`: the first one opens its block.
    fn call(
        &mut self,
        wire: usize,
        id: Option<Cow<'_, str>>,
        kind: Option<Cow<'_, str>>,
        name: Option<Cow<'_, str>>,
        arguments: Option<String>,
        out: &mut Vec<StreamEvent>,
    ) {
        let position = match self.calls.iter().position(|call| call.wire == wire) {
            Some(position) => position,
            None => {
                let block = if kind.is_some_and(|kind| kind != "function") {
                    None
                } else {
                    let ordinal = self.calls.iter().filter(|call| call.block.is_some()).count();
                    let id = id
                        .filter(|id| !id.is_empty())
                        .map_or_else(|| format!("call_{ordinal}"), Cow::into_owned);
                    let name = name.map(Cow::into_owned).unwrap_or_default();
                    self.close_reasoning(out);
                    let index = self.open(Block::ToolCall { id, item_id: None, name }, out);
                    Some(index)
                };
                self.calls.push(Call { wire, block, open: block.is_some(), args: false });
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[position];
        if let (Some(index), true, Some(fragment)) = (call.block, call.open, arguments)
            && !fragment.is_empty()
        {
            call.args = true;
            out.push(StreamEvent::Delta { index, delta: Delta::ToolArguments(fragment) });
        }
    }

    fn open(&mut self, block: Block, out: &mut Vec<StreamEvent>) -> usize {
        let index = self.next_block;
        self.next_block += 1;
        out.push(StreamEvent::BlockStart { index, block });
        index
    }

    /// The open text block, opened (and reasoning closed) if need be.
    fn open_text(&mut self, out: &mut Vec<StreamEvent>) -> usize {
        if let Some(index) = self.text {
            return index;
        }
        self.close_reasoning(out);
        let index = self.open(Block::Text, out);
        self.text = Some(index);
        index
    }

    /// The open reasoning block, opened (and text closed) if need be.
    fn open_reasoning(&mut self, out: &mut Vec<StreamEvent>) -> usize {
        if let Some(index) = self.reasoning {
            return index;
        }
        if let Some(index) = self.text.take() {
            out.push(StreamEvent::BlockStop { index });
        }
        let block = Block::Reasoning { family: Family::OpenAi, id: None, redacted: false };
        let index = self.open(block, out);
        self.reasoning = Some(index);
        index
    }

    fn close_reasoning(&mut self, out: &mut Vec<StreamEvent>) {
        if let Some(index) = self.reasoning.take() {
            out.push(StreamEvent::BlockStop { index });
        }
    }

    /// Stops every open block, in the order they opened; a tool call that got no arguments gets `{}`.
    fn close_all(&mut self, out: &mut Vec<StreamEvent>) {
        let mut open: Vec<usize> = self.text.take().into_iter().chain(self.reasoning.take()).collect();
        for call in &mut self.calls {
            if let (Some(index), true) = (call.block, call.open) {
                call.open = false;
                if !call.args {
                    out.push(StreamEvent::Delta { index, delta: Delta::ToolArguments("{}".to_owned()) });
                }
                open.push(index);
            }
        }
        open.sort_unstable();
        out.extend(open.into_iter().map(|index| StreamEvent::BlockStop { index }));
    }

    /// `[DONE]`: the stream is complete. Without a `finish_reason` before it, the stop is inferred: tool
    /// use if a tool call came, the end of the turn otherwise.
    fn done(&mut self, out: &mut Vec<StreamEvent>) {
        self.ended = true;
        if !self.stopped {
            if !self.started {
                self.start(String::new(), String::new(), None, out);
            }
            self.close_all(out);
            let called = self.calls.iter().any(|call| call.block.is_some());
            let reason = if called { StopReason::ToolUse } else { StopReason::EndTurn };
            self.stopped = true;
            out.push(StreamEvent::Stop { reason, stop_sequence: None });
        }
    }

    /// An error (upstream or a cut): open blocks stop, then the error, and nothing more is read.
    fn fail(&mut self, error: ApiError, out: &mut Vec<StreamEvent>) {
        self.ended = true;
        if !self.started {
            self.start(String::new(), String::new(), None, out);
        }
        self.close_all(out);
        out.push(StreamEvent::Error(error));
    }
}
