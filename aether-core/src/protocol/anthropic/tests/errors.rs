use crate::protocol::Codec;
use crate::protocol::anthropic::Anthropic;
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
        let (status, body) = Anthropic.render_error(&ApiError::new(kind, "it broke"));
        let parsed = Anthropic.parse_error(status, &body);
        assert_eq!((parsed.kind, parsed.message.as_str()), (kind, "it broke"));
    }
}

#[test]
fn overloaded_renders_as_529_overloaded_error() {
    let (status, body) = Anthropic.render_error(&ApiError::new(ErrorKind::Overloaded, "Overloaded"));
    assert_eq!(status, 529);
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
}

#[test]
fn parse_maps_error_type_and_keeps_it_as_code() {
    let body =
        br#"{"type":"error","error":{"type":"billing_error","message":"credit"},"request_id":"req_1"}"#;
    let error = Anthropic.parse_error(402, body);
    assert_eq!(
        (error.kind, error.status, error.code.as_deref()),
        (ErrorKind::PermissionDenied, 402, Some("billing_error"))
    );
    let (status, rendered) = Anthropic.render_error(&error);
    assert_eq!(status, 402);
    assert!(String::from_utf8_lossy(&rendered).contains("billing_error"));
}

#[test]
fn foreign_bodies_parse_by_status_with_the_body_as_message() {
    let error = Anthropic.parse_error(429, br#"{"error":{"message":"slow down","type":"requests"}}"#);
    assert_eq!((error.kind, error.status), (ErrorKind::RateLimited, 429));
    assert!(error.message.contains("slow down"));
    let html = Anthropic.parse_error(502, b"<html>bad gateway</html>");
    assert_eq!((html.kind, html.message.as_str()), (ErrorKind::Internal, "<html>bad gateway</html>"));
}
