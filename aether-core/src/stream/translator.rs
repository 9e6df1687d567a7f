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

/// A new stream encoder for `format` (Gemini: `alt=sse` framing).
pub fn encoder(format: WireFormat) -> Box<dyn StreamEncoder> {
    match format {
        WireFormat::OpenAiChat => Box::new(openai_chat::stream::Encoder::default()),
        WireFormat::OpenAiResponses => Box::new(openai_responses::stream::Encoder::default()),
        WireFormat::Anthropic => Box::new(anthropic::stream::Encoder::default()),
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
    /// A translator from an upstream stream of format `from` to a client stream of format `to`.
    pub fn new(from: WireFormat, to: WireFormat) -> Self {
        Translator::with(decoder(from), encoder(to))
    }

    /// A translator over any decoder and encoder (a Gemini client without `alt=sse`, say).
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
        while let Some(event) = self.sse.next_event() {
            self.decoder.decode(event.event.as_deref(), &event.data, &mut self.events);
            self.flush(out);
        }
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
