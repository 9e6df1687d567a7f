//! Anthropic error bodies: `{"type":"error","error":{"type","message"},"request_id"}`.

use super::types::{ErrorBody, ErrorObject};
use crate::{ApiError, ErrorKind};

/// The status Anthropic answers [`ErrorKind::Overloaded`] with.
pub const OVERLOADED_STATUS: u16 = 529;

/// Reads an error body answered with `status`; never fails.
pub(crate) fn parse(status: u16, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(body) => ApiError {
            kind: kind_of(&body.error.kind).unwrap_or_else(|| ErrorKind::from_status(status)),
            status,
            message: body.error.message,
            code: Some(body.error.kind),
            param: None,
        },
        Err(_) => ApiError {
            status,
            ..ApiError::new(ErrorKind::from_status(status), String::from_utf8_lossy(body))
        },
    }
}

/// Writes `error` as an Anthropic error body, with its status (529 for an overload).
pub(crate) fn render(error: &ApiError) -> (u16, Vec<u8>) {
    let kind = match error.code.as_deref() {
        Some(code) if kind_of(code).is_some() => code,
        _ => type_of(error.kind),
    };
    let status = if error.kind == ErrorKind::Overloaded { OVERLOADED_STATUS } else { error.status };
    let body = ErrorBody {
        kind: "error".into(),
        error: ErrorObject { kind: kind.into(), message: error.message.clone() },
        request_id: None,
    };
    (status, serde_json::to_vec(&body).unwrap_or_default())
}

fn kind_of(error_type: &str) -> Option<ErrorKind> {
    Some(match error_type {
        "invalid_request_error" => ErrorKind::InvalidRequest,
        "authentication_error" => ErrorKind::Authentication,
        "permission_error" | "billing_error" => ErrorKind::PermissionDenied,
        "not_found_error" => ErrorKind::NotFound,
        "request_too_large" => ErrorKind::RequestTooLarge,
        "rate_limit_error" => ErrorKind::RateLimited,
        "api_error" => ErrorKind::Internal,
        "overloaded_error" => ErrorKind::Overloaded,
        "timeout_error" => ErrorKind::Timeout,
        _ => return None,
    })
}

const fn type_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest => "invalid_request_error",
        ErrorKind::Authentication => "authentication_error",
        ErrorKind::PermissionDenied => "permission_error",
        ErrorKind::NotFound => "not_found_error",
        ErrorKind::RequestTooLarge => "request_too_large",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::Internal => "api_error",
        ErrorKind::Overloaded => "overloaded_error",
        ErrorKind::Timeout => "timeout_error",
    }
}
