//! Gemini stream chunks → [`StreamEvent`]s.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{IgnoredAny, Visitor};
use serde_json::{Map, Value};

use super::super::error;
use super::super::response::stop_reason;
use super::super::types::UsageMetadata;
use super::super::usage::to_usage;
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamDecoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family};

/// One `GenerateContentResponse` chunk: only what the stream reads, borrowed where it can be.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chunk<'a> {
    #[serde(default, borrow)]
    candidates: Vec<Candidate<'a>>,
    #[serde(default)]
    prompt_feedback: Option<Feedback>,
    #[serde(default)]
    usage_metadata: Option<Counters>,
    #[serde(default, borrow)]
    model_version: Option<Str<'a>>,
    #[serde(default, borrow)]
    response_id: Option<Str<'a>>,
    /// An error chunk (`{"error": {code, message, status}}`): rare, so read whole.
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate<'a> {
    #[serde(default, borrow)]
    content: Option<Content<'a>>,
    #[serde(default, borrow)]
    finish_reason: Option<Str<'a>>,
    #[serde(default)]
    index: Option<u32>,
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(default, borrow)]
    parts: Vec<Part<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part<'a> {
    #[serde(default, borrow)]
    text: Option<Str<'a>>,
    #[serde(default)]
    thought: Option<bool>,
    #[serde(default, borrow)]
    thought_signature: Option<Str<'a>>,
    #[serde(default, borrow)]
    function_call: Option<Call<'a>>,
}

#[derive(Deserialize)]
struct Call<'a> {
    #[serde(default, borrow)]
    id: Option<Str<'a>>,
    #[serde(default, borrow)]
    name: Str<'a>,
    #[serde(default)]
    args: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Feedback {
    #[serde(default)]
    block_reason: Option<IgnoredAny>,
}

/// The counters of `usageMetadata` (its details are read past).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Counters {
    prompt_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    tool_use_prompt_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
}

/// A string borrowed from the chunk when it has no escapes (serde's `Cow` never borrows inside an `Option`).
#[derive(Default)]
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

/// Reads Gemini stream chunks.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    started: bool,
    /// A finish reason was seen: only usage that follows is read.
    stopped: bool,
    /// An error was reported (or the stream was cut): nothing follows.
    failed: bool,
    /// The open text block: its index, and whether it is a thought.
    open: Option<(usize, bool)>,
    /// Blocks opened so far (the next block's index).
    blocks: usize,
    /// Function calls seen so far (for `call_<n>` ids and `STOP` → tool use).
    calls: usize,
}

impl StreamDecoder for Decoder {
    fn decode(&mut self, _event: Option<&str>, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(chunk) = serde_json::from_str::<Chunk<'_>>(data) else {
            return;
        };
        if self.failed {
            return;
        }
        if self.stopped {
            // Only a late usage report is still worth reading.
            if let Some(counters) = &chunk.usage_metadata {
                out.push(StreamEvent::Usage(usage(counters)));
            }
            return;
        }
        self.start(&chunk, out);
        if let Some(error) = &chunk.error {
            let code = error.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok());
            self.close(out);
            out.push(StreamEvent::Error(error::parse(code.unwrap_or(500), data.as_bytes())));
            self.failed = true;
            return;
        }
        let no_candidate = chunk.candidates.is_empty();
        let first = chunk.candidates.into_iter().find(|c| c.index.unwrap_or(0) == 0);
        let mut finish = None;
        if let Some(candidate) = first {
            for part in candidate.content.into_iter().flat_map(|c| c.parts) {
                self.part(part, out);
            }
            finish = candidate.finish_reason;
        }
        if let Some(counters) = &chunk.usage_metadata {
            out.push(StreamEvent::Usage(usage(counters)));
        }
        let reason = match finish {
            Some(reason) => Some(stop_reason(&reason.0, self.calls > 0)),
            None if no_candidate && blocked(chunk.prompt_feedback.as_ref()) => {
                Some(StopReason::ContentFilter)
            }
            None => None,
        };
        if let Some(reason) = reason {
            self.close(out);
            out.push(StreamEvent::Stop { reason, stop_sequence: None });
            self.stopped = true;
        }
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.stopped || self.failed {
            return;
        }
        self.failed = true;
        if !self.started {
            self.started = true;
            out.push(StreamEvent::Start { id: String::new(), model: String::new(), created: None });
        }
        self.close(out);
        out.push(StreamEvent::Error(ApiError::new(
            ErrorKind::Internal,
            "the upstream stream ended before its finish reason",
        )));
    }
}

impl Decoder {
    fn start(&mut self, chunk: &Chunk<'_>, out: &mut Vec<StreamEvent>) {
        if self.started {
            return;
        }
        self.started = true;
        out.push(StreamEvent::Start {
            id: chunk.response_id.as_ref().map(|s| s.0.as_ref()).unwrap_or_default().to_owned(),
            model: chunk.model_version.as_ref().map(|s| s.0.as_ref()).unwrap_or_default().to_owned(),
            created: None,
        });
    }

    fn part(&mut self, part: Part<'_>, out: &mut Vec<StreamEvent>) {
        let Part { text, thought, thought_signature, function_call } = part;
        let signature = thought_signature
            .map(|s| Delta::Opaque(Opaque { family: Family::Google, value: s.0.into_owned() }));
        if let Some(call) = function_call {
            self.call(call, signature, out);
        } else if let Some(text) = text {
            self.text(text.0, thought == Some(true), signature, out);
        }
    }

    fn text(
        &mut self,
        text: Cow<'_, str>,
        thought: bool,
        signature: Option<Delta>,
        out: &mut Vec<StreamEvent>,
    ) {
        let index = match self.open {
            Some((index, kind)) if kind == thought => index,
            _ if text.is_empty() && signature.is_none() => return,
            _ => {
                self.close(out);
                let index = self.open_block(out, if thought { reasoning() } else { Block::Text });
                self.open = Some((index, thought));
                index
            }
        };
        if !text.is_empty() {
            let text = text.into_owned();
            let delta = if thought { Delta::Reasoning(text) } else { Delta::Text(text) };
            out.push(StreamEvent::Delta { index, delta });
        }
        if let Some(delta) = signature {
            out.push(StreamEvent::Delta { index, delta });
        }
    }

    fn call(&mut self, call: Call<'_>, signature: Option<Delta>, out: &mut Vec<StreamEvent>) {
        self.close(out);
        let id = match call.id {
            Some(id) => id.0.into_owned(),
            None => format!("call_{}", self.calls),
        };
        self.calls += 1;
        let arguments = match call.args {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(args) => args.to_string(),
        };
        let block = Block::ToolCall { id, item_id: None, name: call.name.0.into_owned() };
        let index = self.open_block(out, block);
        out.push(StreamEvent::Delta { index, delta: Delta::ToolArguments(arguments) });
        if let Some(delta) = signature {
            out.push(StreamEvent::Delta { index, delta });
        }
        out.push(StreamEvent::BlockStop { index });
    }

    fn open_block(&mut self, out: &mut Vec<StreamEvent>, block: Block) -> usize {
        let index = self.blocks;
        self.blocks += 1;
        out.push(StreamEvent::BlockStart { index, block });
        index
    }

    /// Stops the open text or reasoning block.
    fn close(&mut self, out: &mut Vec<StreamEvent>) {
        if let Some((index, _)) = self.open.take() {
            out.push(StreamEvent::BlockStop { index });
        }
    }
}

fn reasoning() -> Block {
    Block::Reasoning { family: Family::Google, id: None, redacted: false }
}

fn blocked(feedback: Option<&Feedback>) -> bool {
    feedback.is_some_and(|f| f.block_reason.is_some())
}

fn usage(counters: &Counters) -> crate::Usage {
    to_usage(&UsageMetadata {
        prompt_token_count: counters.prompt_token_count,
        cached_content_token_count: counters.cached_content_token_count,
        candidates_token_count: counters.candidates_token_count,
        tool_use_prompt_token_count: counters.tool_use_prompt_token_count,
        thoughts_token_count: counters.thoughts_token_count,
        total_token_count: None,
        extra: Map::new(),
    })
}
