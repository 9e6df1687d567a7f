//! The request log: one `tracing` event per request at the level the settings say, every
//! credential masked.
//!
//! - `basic`: method, path (no query), status, latency, and the `x-request-id` response header if any;
//! - `headers`: also the masked query and the request headers, credentials masked;
//! - `full`: also the request body, up to 64 KiB (the body is buffered, within `max_body_bytes`).
//!
//! ```
//! use aether_server::log::{mask_header, mask_query};
//!
//! assert_eq!(mask_header("authorization", "Bearer sk-abcdef123"), "Bearer sk-a***");
//! assert_eq!(mask_query("alt=sse&key=AIzaSyXYZ"), "alt=sse&key=AIza***");
//! ```

use std::sync::Arc;
use std::time::Instant;

use aether_core::store::{LogLevel, Settings};
use arc_swap::ArcSwap;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Request headers whose values are credentials.
pub const SENSITIVE_HEADERS: [&str; 5] =
    ["authorization", "x-api-key", "x-goog-api-key", "proxy-authorization", "cookie"];

/// The most of a body the `full` level shows.
pub const BODY_LOG_LIMIT: usize = 64 * 1024;

/// What the middleware reads per request: the live settings and the body limit.
#[derive(Clone, Debug)]
pub struct RequestLog {
    /// The settings (their `log_level`), swapped by refresh.
    pub settings: Arc<ArcSwap<Settings>>,
    /// The largest body buffered at the `full` level.
    pub max_body_bytes: usize,
}

/// `value` reduced to at most its first 4 characters and `***`.
/// A value of 4 characters or fewer shows one fewer, so that it never shows whole.
pub fn mask(value: &str) -> String {
    let shown = value.chars().count().saturating_sub(1).min(4);
    let end = value.char_indices().nth(shown).map_or(value.len(), |(i, _)| i);
    format!("{}***", &value[..end])
}

/// A header value as logged: credentials masked (an auth scheme such as `Bearer` is kept).
pub fn mask_header(name: &str, value: &str) -> String {
    if !SENSITIVE_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return value.to_owned();
    }
    match value.split_once(' ') {
        Some((scheme, credential)) if !name.eq_ignore_ascii_case("cookie") => {
            format!("{scheme} {}", mask(credential.trim()))
        }
        _ => mask(value),
    }
}

/// A query string as logged: the `key` parameter masked.
pub fn mask_query(query: &str) -> String {
    let pairs = query.split('&').map(|pair| match pair.split_once('=') {
        Some(("key", value)) => format!("key={}", mask(value)),
        _ => pair.to_owned(),
    });
    pairs.collect::<Vec<_>>().join("&")
}

/// The middleware: `axum::middleware::from_fn_with_state(RequestLog { … }, log_requests)`.
pub async fn log_requests(State(log): State<RequestLog>, request: Request, next: Next) -> Response {
    let level = log.settings.load().log_level;
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut detail = String::new();
    let request = if level >= LogLevel::Headers {
        if let Some(query) = request.uri().query() {
            detail.push_str(&format!(" query={}", mask_query(query)));
        }
        for (name, value) in request.headers() {
            let value = String::from_utf8_lossy(value.as_bytes());
            detail.push_str(&format!(" {name}={:?}", mask_header(name.as_str(), &value)));
        }
        if level == LogLevel::Full {
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, log.max_body_bytes).await {
                Ok(bytes) => bytes,
                Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response(),
            };
            let shown = &bytes[..bytes.len().min(BODY_LOG_LIMIT)];
            detail.push_str(&format!(" body={:?}", String::from_utf8_lossy(shown)));
            if bytes.len() > BODY_LOG_LIMIT {
                detail.push_str(&format!(" body_truncated_from={}", bytes.len()));
            }
            Request::from_parts(parts, Body::from(bytes))
        } else {
            request
        }
    } else {
        request
    };
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info!(
        target: "aether_server::request",
        "{method} {path} {status} {latency_ms:.1}ms request_id={request_id}{detail}"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_show_at_most_four_characters() {
        assert_eq!(mask_header("Authorization", "Bearer sk-abcdef123"), "Bearer sk-a***");
        assert_eq!(mask_header("x-api-key", "sk-ant-api03-secret"), "sk-a***");
        assert_eq!(mask_header("X-Goog-Api-Key", "AIzaSyABCDEF"), "AIza***");
        assert_eq!(mask_header("proxy-authorization", "Basic dXNlcjpwYXNz"), "Basic dXNl***");
        assert_eq!(mask_header("cookie", "session=abc; theme=dark"), "sess***");
        assert_eq!(mask_header("content-type", "application/json"), "application/json");
    }

    #[test]
    fn short_credentials_never_show_whole() {
        assert_eq!(mask("abcd"), "abc***");
        assert_eq!(mask("ab"), "a***");
        assert_eq!(mask(""), "***");
        assert_eq!(mask("éé"), "é***");
    }

    #[test]
    fn only_the_key_query_parameter_is_masked() {
        assert_eq!(mask_query("key=AIzaSyXYZ&alt=sse"), "key=AIza***&alt=sse");
        assert_eq!(mask_query("alt=sse"), "alt=sse");
        assert_eq!(mask_query("monkey=1&key="), "monkey=1&key=***");
    }

    fn echo(level: LogLevel, max_body_bytes: usize) -> axum::Router {
        let settings = Arc::new(ArcSwap::from_pointee(Settings { log_level: level, ..Settings::default() }));
        let log = RequestLog { settings, max_body_bytes };
        axum::Router::new()
            .route("/echo", axum::routing::post(|body: axum::body::Bytes| async move { body }))
            .layer(axum::middleware::from_fn_with_state(log, log_requests))
    }

    async fn post(router: axum::Router, body: &'static str) -> (StatusCode, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = Request::post("/echo?key=secret").body(Body::from(body)).expect("request");
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        (status, response.into_body().collect().await.expect("body").to_bytes().to_vec())
    }

    #[tokio::test]
    async fn the_full_level_passes_the_body_on_intact() {
        for level in [LogLevel::Basic, LogLevel::Headers, LogLevel::Full] {
            let (status, body) = post(echo(level, 1024), "{\"model\":\"m\"}").await;
            assert_eq!(
                (status, body.as_slice()),
                (StatusCode::OK, b"{\"model\":\"m\"}".as_slice()),
                "{level:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_full_level_refuses_a_body_past_the_limit() {
        let (status, _) = post(echo(LogLevel::Full, 4), "longer than four").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
