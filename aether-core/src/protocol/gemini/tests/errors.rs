//! Error bodies: statuses map to kinds both ways, and anything else still parses.

use super::Gemini;
use crate::protocol::Codec;
use crate::{ApiError, ErrorKind};

const KINDS: [ErrorKind; 9] = [
    ErrorKind::InvalidRequest,
    ErrorKind::Authentication,
    ErrorKind::PermissionDenied,
    ErrorKind::NotFound,
    ErrorKind::RequestTooLarge,
    ErrorKind::RateLimited,
    ErrorKind::Internal,
    ErrorKind::Overloaded,
    ErrorKind::Timeout,
];

#[test]
fn render_then_parse_keeps_kind_and_message() {
    for kind in KINDS {
        let error = ApiError::new(kind, format!("{kind:?} happened"));
        let (status, body) = Gemini.render_error(&error);
        let parsed = Gemini.parse_error(status, &body);
        let expected = if kind == ErrorKind::RequestTooLarge { ErrorKind::InvalidRequest } else { kind };
        assert_eq!((parsed.kind, parsed.message.as_str()), (expected, error.message.as_str()), "{kind:?}");
    }
}

#[test]
fn renders_the_google_status_shape() {
    let (status, body) = Gemini.render_error(&ApiError::new(ErrorKind::RateLimited, "Quota exceeded"));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("present");
    assert_eq!(status, 429);
    assert_eq!(
        json,
        serde_json::json!({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}})
    );
    let overloaded = ApiError { status: 529, ..ApiError::new(ErrorKind::Overloaded, "busy") };
    assert_eq!(Gemini.render_error(&overloaded).0, 503);
}

#[test]
fn parses_statuses_into_kinds() {
    for (status, code, kind) in [
        ("INVALID_ARGUMENT", 400, ErrorKind::InvalidRequest),
        ("FAILED_PRECONDITION", 400, ErrorKind::InvalidRequest),
        ("UNAUTHENTICATED", 401, ErrorKind::Authentication),
        ("PERMISSION_DENIED", 403, ErrorKind::PermissionDenied),
        ("NOT_FOUND", 404, ErrorKind::NotFound),
        ("RESOURCE_EXHAUSTED", 429, ErrorKind::RateLimited),
        ("INTERNAL", 500, ErrorKind::Internal),
        ("UNAVAILABLE", 503, ErrorKind::Overloaded),
        ("DEADLINE_EXCEEDED", 504, ErrorKind::Timeout),
    ] {
        let body = format!(
            r#"{{"error":{{"code":{code},"message":"m","status":"{status}","details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"X"}}]}}}}"#
        );
        let err = Gemini.parse_error(code, body.as_bytes());
        assert_eq!((err.kind, err.status, err.code.as_deref()), (kind, code, Some(status)));
    }
}

#[test]
fn a_foreign_body_parses_without_failing() {
    let err = Gemini.parse_error(502, b"<html>Bad Gateway</html>");
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Internal, "<html>Bad Gateway</html>"));
    let err =
        Gemini.parse_error(429, br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#);
    assert_eq!(err.kind, ErrorKind::RateLimited);
}
