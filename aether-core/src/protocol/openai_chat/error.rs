//! Error bodies: Chat shares `{"error": {"message", "type", "param", "code"}}` with Responses.

use crate::ApiError;
use crate::protocol::openai_error;

/// Reads an error body; a body that is not an OpenAI error keeps its text.
pub(crate) fn parse(status: u16, body: &[u8]) -> ApiError {
    openai_error::parse(status, body)
}

/// Writes `error` as an OpenAI error body, with its status.
pub(crate) fn render(error: &ApiError) -> (u16, Vec<u8>) {
    openai_error::render(error)
}
