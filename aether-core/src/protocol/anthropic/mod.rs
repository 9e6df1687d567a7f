//! The Anthropic wire format (placeholder until its module lands).

use crate::protocol::{Codec, PathParams};
use crate::{ApiError, TranslateError, WireFormat, ir};

/// The Anthropic codec.
#[derive(Clone, Copy, Debug, Default)]
pub struct Anthropic;

fn pending() -> TranslateError {
    TranslateError::unsupported("this format", WireFormat::Anthropic, "not implemented yet")
}

impl Codec for Anthropic {
    fn format(&self) -> WireFormat {
        WireFormat::Anthropic
    }
    fn decode_request(&self, _: &[u8], _: &PathParams) -> Result<ir::Request, TranslateError> {
        Err(pending())
    }
    fn encode_request(&self, _: ir::Request) -> Result<Vec<u8>, TranslateError> {
        Err(pending())
    }
    fn decode_response(&self, _: &[u8]) -> Result<ir::Response, TranslateError> {
        Err(pending())
    }
    fn encode_response(&self, _: ir::Response) -> Result<Vec<u8>, TranslateError> {
        Err(pending())
    }
    fn parse_error(&self, status: u16, body: &[u8]) -> ApiError {
        let _ = body;
        ApiError::new(crate::ErrorKind::from_status(status), "")
    }
    fn render_error(&self, error: &ApiError) -> (u16, Vec<u8>) {
        (error.status, Vec::new())
    }
}
