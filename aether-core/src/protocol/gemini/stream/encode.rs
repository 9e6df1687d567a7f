//! [`StreamEvent`]s → Gemini stream chunks.

use crate::stream::{StreamEncoder, StreamEvent};

/// Writes Gemini stream chunks.
#[derive(Debug, Default)]
pub(crate) struct Encoder;

impl StreamEncoder for Encoder {
    fn encode(&mut self, _: StreamEvent, _: &mut Vec<u8>) {}
    fn finish(&mut self, _: &mut Vec<u8>) {}
}
