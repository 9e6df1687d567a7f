//! A whole stream translation: SSE bytes of one format in, SSE bytes of another out.

use super::{StreamDecoder, StreamEncoder, StreamEvent};
use crate::WireFormat;
use crate::protocol::{anthropic, gemini, openai_chat, openai_responses};
use crate::sse;

/// A new stream decoder for `format`.
pub fn decoder(format: WireFormat) -> Box<dyn StreamDecoder> {
    match format {
        WireFormat::OpenAiChat => Box::new(openai_chat::stream::Decoder::default()),
        WireFormat::OpenAiResponses => Box::new(openai_responses::stream::Decoder::default()),
        WireFormat::Anthropic => Box::new(anthropic::stream::Decoder::default()),
        WireFormat::Gemini => Box::new(gemini::stream::Decoder::default()),
    }
}

/// How a client asked for its stream, where its format leaves a choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientStream {
    /// OpenAI Chat: end with a usage chunk (the client sent `stream_options.include_usage`). Clients
    /// that did not ask may index `choices[0]` of every chunk and trip on it. Default: `true`.
    pub include_usage: bool,
    /// Gemini: answer with one JSON array (`streamGenerateContent` without `alt=sse`) instead of SSE.
    /// Default: `false`.
    pub json_array: bool,
}

impl Default for ClientStream {
    fn default() -> Self {
        ClientStream { include_usage: true, json_array: false }
    }
}

/// A new stream encoder for a client of `format` that asked for its stream as `client` says.
pub fn encoder(format: WireFormat, client: ClientStream) -> Box<dyn StreamEncoder> {
    match format {
        WireFormat::OpenAiChat => Box::new(openai_chat::stream::Encoder::new(client.include_usage)),
        WireFormat::OpenAiResponses => Box::new(openai_responses::stream::Encoder::default()),
        WireFormat::Anthropic => Box::new(anthropic::stream::Encoder::default()),
        WireFormat::Gemini if client.json_array => Box::new(gemini::stream::Encoder::json_array()),
        WireFormat::Gemini => Box::new(gemini::stream::Encoder::default()),
    }
}

/// Translates a stream from one format to another, chunk by chunk, and keeps the usage it saw.
///
/// See the [module docs](super) for an example.
pub struct Translator {
    sse: sse::Decoder,
    decoder: Box<dyn StreamDecoder>,
    encoder: Box<dyn StreamEncoder>,
    /// Scratch space for the events of one chunk, reused.
    events: Vec<StreamEvent>,
    usage: super::UsageAccumulator,
}

impl Translator {
    /// A translator from an upstream stream of format `from` to a client stream of format `to`, with
    /// the client's default stream options.
    pub fn new(from: WireFormat, to: WireFormat) -> Self {
        Translator::for_client(from, to, ClientStream::default())
    }

    /// A translator for a client of format `to` that asked for its stream as `client` says.
    pub fn for_client(from: WireFormat, to: WireFormat, client: ClientStream) -> Self {
        Translator::with(decoder(from), encoder(to, client))
    }

    /// A translator over any decoder and encoder (a format of your own, say).
    pub fn with(decoder: Box<dyn StreamDecoder>, encoder: Box<dyn StreamEncoder>) -> Self {
        Translator {
            sse: sse::Decoder::new(),
            decoder,
            encoder,
            events: Vec::new(),
            usage: super::UsageAccumulator::default(),
        }
    }

    /// Translates the next chunk of upstream bytes, appending the client's bytes to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.sse.feed(chunk);
        while let Some(event) = self.sse.next_ref() {
            self.decoder.decode(event.event, &event.text(), &mut self.events);
        }
        self.flush(out);
    }

    /// Ends the stream (cleanly or not): appends the client's last bytes to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if let Some(event) = self.sse.finish() {
            self.decoder.decode(event.event.as_deref(), &event.data, &mut self.events);
        }
        self.decoder.finish(&mut self.events);
        self.flush(out);
        self.encoder.finish(out);
    }

    /// The usage seen so far, whether or not the stream completed.
    pub fn usage(&self) -> &super::UsageAccumulator {
        &self.usage
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        for event in self.events.drain(..) {
            self.usage.observe(&event);
            self.encoder.encode(event, out);
        }
    }
}
