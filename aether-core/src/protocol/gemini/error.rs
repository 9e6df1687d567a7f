//! The Gemini error body: `{"error": {"code": 400, "message": "…", "status": "INVALID_ARGUMENT"}}`
//! (a `google.rpc.Status`; `details` and other members are read past).

use serde_json::Map;

use super::types::{ErrorBody, ErrorEnvelope};
use crate::{ApiError, ErrorKind};

/// A Google canonical status → error kind.
fn kind_of(status: &str) -> Option<ErrorKind> {
    Some(match status {
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => ErrorKind::InvalidRequest,
        "UNAUTHENTICATED" => ErrorKind::Authentication,
        "PERMISSION_DENIED" => ErrorKind::PermissionDenied,
        "NOT_FOUND" => ErrorKind::NotFound,
        "RESOURCE_EXHAUSTED" => ErrorKind::RateLimited,
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => ErrorKind::Internal,
        "UNAVAILABLE" => ErrorKind::Overloaded,
        "DEADLINE_EXCEEDED" => ErrorKind::Timeout,
        _ => return None,
    })
}

/// Error kind → the Google canonical status.
const fn status_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest | ErrorKind::RequestTooLarge => "INVALID_ARGUMENT",
        ErrorKind::Authentication => "UNAUTHENTICATED",
        ErrorKind::PermissionDenied => "PERMISSION_DENIED",
        ErrorKind::NotFound => "NOT_FOUND",
        ErrorKind::RateLimited => "RESOURCE_EXHAUSTED",
        ErrorKind::Internal => "INTERNAL",
        ErrorKind::Overloaded => "UNAVAILABLE",
        ErrorKind::Timeout => "DEADLINE_EXCEEDED",
    }
}

/// Reads a Gemini error body; anything else becomes an error of the status's kind with the body as text.
pub(crate) fn parse(status: u16, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(ErrorEnvelope { error }) => {
            let kind = error
                .status
                .as_deref()
                .and_then(kind_of)
                .unwrap_or_else(|| ErrorKind::from_status(error.code.unwrap_or(status)));
            ApiError { kind, status, message: error.message, code: error.status, param: None }
        }
        Err(_) => ApiError {
            status,
            ..ApiError::new(ErrorKind::from_status(status), String::from_utf8_lossy(body))
        },
    }
}

/// Writes `error` as a Gemini error body. A `code` that is a Google status is kept; Anthropic's 529 is
/// answered as 503, Gemini's status for an overloaded service.
pub(crate) fn render(error: &ApiError) -> (u16, Vec<u8>) {
    let status = if error.status == 529 { 503 } else { error.status };
    let google = error.code.as_deref().filter(|code| kind_of(code).is_some());
    let body = ErrorEnvelope {
        error: ErrorBody {
            code: Some(status),
            message: error.message.clone(),
            status: Some(google.unwrap_or(status_of(error.kind)).to_owned()),
            extra: Map::new(),
        },
    };
    // Serialising a struct of strings cannot fail; fall back to an empty object all the same.
    (status, serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec()))
}
