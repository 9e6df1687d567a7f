//! Streamed answers: each format's stream decodes into [`StreamEvent`]s and encodes out of them, so any
//! upstream stream can be re-spoken in any client format, one event at a time.
//!
//! The pipeline is small adapters stacked: bytes → [`sse::Decoder`](crate::sse::Decoder) (or Gemini's
//! [`JsonArrayDecoder`](crate::sse::JsonArrayDecoder)) → a format's [`StreamDecoder`] → [`StreamEvent`]s
//! → another format's [`StreamEncoder`] → bytes. [`Translator`] stacks them; [`UsageScanner`] reads usage
//! on the side when the bytes pass through untranslated.
//!
//! ```
//! use aether_core::WireFormat;
//! use aether_core::stream::Translator;
//!
//! // An OpenAI Chat stream, re-spoken for an Anthropic client.
//! let mut translator = Translator::new(WireFormat::OpenAiChat, WireFormat::Anthropic);
//! let mut out = Vec::new();
//! translator.feed(br#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-5","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}
//!
//! data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-5","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
//!
//! data: [DONE]
//!
//! "#, &mut out);
//! translator.finish(&mut out);
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.starts_with("event: message_start\n"));
//! assert!(text.contains(r#""text":"Hi""#));
//! assert!(text.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
//! ```
//!
//! # The event contract
//! Decoders emit, and encoders may rely on, this order:
//! - exactly one [`StreamEvent::Start`] first (a decoder that sees content before any start-like event
//!   synthesises it);
//! - blocks: [`StreamEvent::BlockStart`] with a fresh `index` (0, 1, 2, … in order of opening), then any
//!   number of [`StreamEvent::Delta`]s for that index, then [`StreamEvent::BlockStop`]. Several blocks may
//!   be open at once (parallel tool calls whose argument fragments interleave);
//! - [`StreamEvent::Usage`] any number of times, anywhere after `Start`: each carries the usage known so
//!   far (cumulative, not increments);
//! - at most one [`StreamEvent::Stop`], after every block has stopped;
//! - [`StreamEvent::Error`] at most once, after which nothing follows.
//!
//! At the end of the input the pipeline calls `finish` on the decoder, then on the encoder: a stream cut
//! without its terminal event still ends well-formed (open blocks are stopped, and the client gets its
//! format's end or error), never a hang.

use crate::ir::{Opaque, StopReason};
use crate::{ApiError, Family, Usage};

mod check;
mod translator;
mod usage;

pub use check::{ContractError, check};
pub use translator::{ClientStream, Translator, decoder, encoder};
pub use usage::{UsageAccumulator, UsageScanner};

/// One event of a streamed answer, in no particular format (see the module docs for their order).
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// The answer began.
    Start {
        /// The upstream's id for the answer.
        id: String,
        /// The model that answers.
        model: String,
        /// Creation time, Unix seconds, where the upstream says it.
        created: Option<i64>,
    },
    /// A content block opened.
    BlockStart {
        /// The block's position among all blocks of the answer, from 0.
        index: usize,
        /// What kind of block it is.
        block: Block,
    },
    /// More content for an open block.
    Delta {
        /// The block it belongs to.
        index: usize,
        /// The content.
        delta: Delta,
    },
    /// A block is complete.
    BlockStop {
        /// The block that stopped.
        index: usize,
    },
    /// Usage known so far (cumulative).
    Usage(Usage),
    /// Generation stopped.
    Stop {
        /// Why.
        reason: StopReason,
        /// The stop sequence that matched, when `reason` is [`StopReason::StopSequence`].
        stop_sequence: Option<String>,
    },
    /// The upstream reported an error in the stream; nothing follows.
    Error(ApiError),
}

/// The kind of a content block, as it opens.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Answer text.
    Text,
    /// Reasoning (thinking) text and its opaque artefact. Encoders write reasoning blocks only for a
    /// client of the same `family`: a client sends reasoning back on its next turn, and an upstream
    /// rejects reasoning it did not mint (or that lacks its signature).
    Reasoning {
        /// The family of the upstream that produced it.
        family: Family,
        /// A format's own id for the reasoning item (Responses `rs_…`).
        id: Option<String>,
        /// Anthropic `redacted_thinking`: only an opaque artefact follows.
        redacted: bool,
    },
    /// A call to a tool; its arguments follow as [`Delta::ToolArguments`] fragments.
    ToolCall {
        /// The call id tool results refer to.
        id: String,
        /// The Responses item id (`fc_…`), where the upstream gave one.
        item_id: Option<String>,
        /// The tool's name.
        name: String,
    },
}

/// Content for an open block.
#[derive(Clone, Debug, PartialEq)]
pub enum Delta {
    /// Text of a [`Block::Text`].
    Text(String),
    /// Reasoning text of a [`Block::Reasoning`].
    Reasoning(String),
    /// Reasoning summary text of a [`Block::Reasoning`] (Responses summaries); `part` numbers the summary.
    ReasoningSummary {
        /// Which summary part the text belongs to, from 0.
        part: usize,
        /// The text.
        text: String,
    },
    /// The block's opaque artefact: an Anthropic thinking signature, Responses `encrypted_content`, or a
    /// Gemini `thoughtSignature` (which may sit on text and tool-call blocks too). Encoders pass it on
    /// only to a client of the same family.
    Opaque(Opaque),
    /// A fragment of a [`Block::ToolCall`]'s JSON arguments.
    ToolArguments(String),
}

/// Reads one format's stream: wire events in, [`StreamEvent`]s out.
pub trait StreamDecoder: Send {
    /// Decodes one wire event: an SSE event's type (if any) and data, or one element of Gemini's JSON
    /// array stream (`event` is `None`). Unknown event types and unknown fields are skipped, never an
    /// error; an upstream error event becomes [`StreamEvent::Error`].
    fn decode(&mut self, event: Option<&str>, data: &str, out: &mut Vec<StreamEvent>);

    /// The input ended. Emits what a clean end implies and a cut stream lacks: stops for open blocks, and
    /// for a stream that ended without its terminal event, an [`StreamEvent::Error`] saying so.
    fn finish(&mut self, out: &mut Vec<StreamEvent>);
}

/// Writes one format's stream: [`StreamEvent`]s in, SSE bytes out.
pub trait StreamEncoder: Send {
    /// Encodes one event, appending whatever it completes to `out` (possibly nothing: an encoder may
    /// hold an event until it can write it, such as a stop reason waiting for the final usage).
    fn encode(&mut self, event: StreamEvent, out: &mut Vec<u8>);

    /// The stream ended: writes what is held and the format's terminal events (or its error event, when
    /// the stream ended without a stop), so the client always sees a well-formed end.
    fn finish(&mut self, out: &mut Vec<u8>);
}
