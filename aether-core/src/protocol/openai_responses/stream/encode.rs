//! [`StreamEvent`]s → Responses SSE events.

use crate::stream::{StreamEncoder, StreamEvent};

/// Writes a Responses stream (see the [module docs](super) for the mapping).
#[derive(Debug, Default)]
pub(crate) struct Encoder;

impl StreamEncoder for Encoder {
    fn encode(&mut self, _: StreamEvent, _: &mut Vec<u8>) {}
    fn finish(&mut self, _: &mut Vec<u8>) {}
}
