//! A mock upstream speaking all four formats, answering with the recorded fixtures of
//! `aether-core/tests/fixtures`, and recording what it was sent.
//!
//! The upstream key picks the behaviour: `sk-529` answers overloaded, `sk-400` refuses the request,
//! `sk-slow` streams one event and then stalls, `sk-cut` streams an Anthropic answer that stops
//! half-way; any other key answers normally.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use futures_util::stream;

/// One request the mock received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone, Default)]
pub struct Mock {
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Mock {
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Starts the mock; returns its base URL.
pub async fn start() -> (String, Mock) {
    let mock = Mock::default();
    let router = Router::new()
        .route("/v1/chat/completions", post(answer))
        .route("/v1/responses", post(answer))
        .route("/v1/messages", post(answer))
        .route("/v1beta/models/{call}", post(answer))
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), mock)
}

/// The fixture a format answers with.
pub fn fixture(format: &str, stream: bool) -> Vec<u8> {
    let file = match (format, stream) {
        ("anthropic", false) => "anthropic/response/thinking_tool_use_cache_usage.json",
        ("anthropic", true) => "anthropic/stream/thinking_text_tool_use.sse",
        ("openai_chat", false) => "openai_chat/response/text_with_cached_usage.json",
        ("openai_chat", true) => "openai_chat/stream/text_and_parallel_tool_calls.sse",
        ("openai_responses", false) => "openai_responses/response/reasoning_with_cache.json",
        ("openai_responses", true) => "openai_responses/stream/reasoning_text_function_call.sse",
        ("gemini", false) => "gemini/response/tool_call_with_id.json",
        ("gemini", true) => "gemini/stream/thought_text_function_call.sse",
        other => panic!("no fixture for {other:?}"),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aether-core/tests/fixtures").join(file);
    std::fs::read(path).unwrap()
}

/// The format of a path, and whether the call streams.
fn format_of(path: &str, body: &[u8]) -> (&'static str, bool) {
    let asks_stream = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("stream").and_then(|s| s.as_bool()))
        .unwrap_or(false);
    match path {
        "/v1/chat/completions" => ("openai_chat", asks_stream),
        "/v1/responses" => ("openai_responses", asks_stream),
        "/v1/messages" => ("anthropic", asks_stream),
        gemini => ("gemini", gemini.contains(":streamGenerateContent")),
    }
}

fn key(headers: &HeaderMap) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    header("x-api-key")
        .or_else(|| header("x-goog-api-key"))
        .or_else(|| header("authorization").map(|v| v.trim_start_matches("Bearer ").to_owned()))
        .unwrap_or_default()
}

async fn answer(State(mock): State<Mock>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path().to_owned();
    mock.received.lock().unwrap().push(Received {
        path: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    let (format, stream) = format_of(&path, &body);
    let json = |status: u16, body: &str| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    match key(&parts.headers).as_str() {
        "sk-529" => {
            json(529, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        }
        "sk-400" => json(
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}"#,
        ),
        "sk-cut" => {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../aether-core/tests/fixtures/anthropic/stream/cut_mid_tool_use.sse");
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from(std::fs::read(path).unwrap()))
                .unwrap()
        }
        "sk-slow" => {
            let first = Bytes::from_static(
                b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":42,\"output_tokens\":1}}}\n\n",
            );
            let events = stream::unfold(Some(first), |next| async move {
                match next {
                    Some(first) => Some((Ok::<_, Infallible>(first), None)),
                    None => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        None
                    }
                }
            });
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(events))
                .unwrap()
        }
        _ => {
            let content_type = if stream { "text/event-stream" } else { "application/json" };
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", content_type)
                .body(Body::from(fixture(format, stream)))
                .unwrap()
        }
    }
}
