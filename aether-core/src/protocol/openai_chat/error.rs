//! Error bodies: Chat shares `{"error": {"message", "type", "param", "code"}}` with Responses.

use serde::Deserialize;
use serde_json::Value;

use crate::protocol::openai_error;
use crate::{ApiError, ErrorKind};

/// Reads an error body; a body that is not an OpenAI error keeps its text.
pub(crate) fn parse(status: u16, body: &[u8]) -> ApiError {
    openai_error::parse(status, body)
}

/// Writes `error` as an OpenAI error body, with its status.
pub(crate) fn render(error: &ApiError) -> (u16, Vec<u8>) {
    openai_error::render(error)
}

/// Reads an error sent inside a stream (`data: {"error": {...}}`). The stream itself answered 200, so the
/// kind comes from the error's `type` or `code` (a numeric `code` is taken as the HTTP status).
pub(crate) fn parse_event(data: &str) -> ApiError {
    parse(event_status(data), data.as_bytes())
}

#[derive(Deserialize)]
struct Envelope {
    error: Fields,
}

#[derive(Deserialize)]
struct Fields {
    #[serde(rename = "type", default)]
    kind: Option<Value>,
    #[serde(default)]
    code: Option<Value>,
}

fn event_status(data: &str) -> u16 {
    let Ok(Envelope { error }) = serde_json::from_str::<Envelope>(data) else {
        return ErrorKind::Internal.status();
    };
    if let Some(status) = error.code.as_ref().and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok())
        && (400..600).contains(&status)
    {
        return status;
    }
    let named = |value: &Option<Value>| value.as_ref().and_then(Value::as_str).and_then(kind_of);
    named(&error.code).or_else(|| named(&error.kind)).unwrap_or(ErrorKind::Internal).status()
}

fn kind_of(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "invalid_request_error" | "context_length_exceeded" | "invalid_prompt" => ErrorKind::InvalidRequest,
        "authentication_error" | "invalid_api_key" => ErrorKind::Authentication,
        "permission_error" | "permission_denied" => ErrorKind::PermissionDenied,
        "not_found_error" | "model_not_found" => ErrorKind::NotFound,
        "rate_limit_error" | "rate_limit_exceeded" | "insufficient_quota" | "tokens" | "requests" => {
            ErrorKind::RateLimited
        }
        "overloaded_error" | "service_unavailable" | "engine_overloaded" => ErrorKind::Overloaded,
        "timeout" => ErrorKind::Timeout,
        "server_error" | "api_error" => ErrorKind::Internal,
        _ => return None,
    })
}
