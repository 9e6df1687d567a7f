//! Placeholder: replaced by the format's stream decoder and encoder.

use crate::stream::{StreamDecoder, StreamEncoder, StreamEvent};

/// Reads this format's stream.
#[derive(Debug, Default)]
pub(crate) struct Decoder;

impl StreamDecoder for Decoder {
    fn decode(&mut self, _: Option<&str>, _: &str, _: &mut Vec<StreamEvent>) {}
    fn finish(&mut self, _: &mut Vec<StreamEvent>) {}
}

/// Writes this format's stream.
#[derive(Debug, Default)]
pub(crate) struct Encoder;

impl StreamEncoder for Encoder {
    fn encode(&mut self, _: StreamEvent, _: &mut Vec<u8>) {}
    fn finish(&mut self, _: &mut Vec<u8>) {}
}
