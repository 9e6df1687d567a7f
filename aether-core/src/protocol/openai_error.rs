//! The error body both OpenAI formats share: `{"error": {"message", "type", "param", "code"}}`.

use serde::{Deserialize, Serialize};

use crate::{ApiError, ErrorKind};

#[derive(Serialize, Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Serialize, Deserialize)]
struct Body {
    message: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    param: Option<String>,
    #[serde(default, deserialize_with = "code")]
    code: Option<String>,
}

/// OpenAI's `code` is usually a string but has been a number; keep either as text.
fn code<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(code)) => Some(code),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    })
}

const fn type_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRequest | ErrorKind::NotFound | ErrorKind::RequestTooLarge => {
            "invalid_request_error"
        }
        ErrorKind::Authentication => "authentication_error",
        ErrorKind::PermissionDenied => "permission_error",
        ErrorKind::RateLimited => "rate_limit_error",
        ErrorKind::Internal | ErrorKind::Overloaded | ErrorKind::Timeout => "server_error",
    }
}

const fn default_code(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::Authentication => Some("invalid_api_key"),
        ErrorKind::NotFound => Some("model_not_found"),
        ErrorKind::RateLimited => Some("rate_limit_exceeded"),
        _ => None,
    }
}

/// Reads an OpenAI error body; anything else becomes an error of the status's kind with the body as text.
pub(crate) fn parse(status: u16, body: &[u8]) -> ApiError {
    let kind = ErrorKind::from_status(status);
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { error }) => ApiError {
            kind,
            status,
            message: error.message,
            code: error.code.or(error.kind),
            param: error.param,
        },
        Err(_) => ApiError { status, ..ApiError::new(kind, String::from_utf8_lossy(body)) },
    }
}

/// Writes `error` as an OpenAI error body.
pub(crate) fn render(error: &ApiError) -> (u16, Vec<u8>) {
    let body = Envelope {
        error: Body {
            message: error.message.clone(),
            kind: Some(type_of(error.kind).to_owned()),
            param: error.param.clone(),
            code: error.code.clone().or_else(|| default_code(error.kind).map(str::to_owned)),
        },
    };
    // Serialising a struct of strings cannot fail; fall back to an empty object all the same.
    (error.status, serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_openai_shape() {
        let (status, body) = render(&ApiError::new(ErrorKind::NotFound, "model `x` is not configured"));
        assert_eq!(status, 404);
        let json: serde_json::Value = serde_json::from_slice(&body).expect("rendered errors are JSON");
        assert_eq!(
            json,
            serde_json::json!({"error": {"message": "model `x` is not configured",
                "type": "invalid_request_error", "param": null, "code": "model_not_found"}})
        );
    }

    #[test]
    fn parses_upstream_errors_and_keeps_their_code() {
        let body = br#"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
        let err = parse(429, body);
        assert_eq!(
            (err.kind, err.status, err.code.as_deref()),
            (ErrorKind::RateLimited, 429, Some("rate_limit_exceeded"))
        );
        assert_eq!(err.message, "Rate limit reached");
    }

    #[test]
    fn a_body_that_is_not_an_openai_error_keeps_its_text() {
        let err = parse(502, b"<html>Bad Gateway</html>");
        assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Internal, "<html>Bad Gateway</html>"));
    }
}
