//! The fast mock upstream: OpenAI Chat and Anthropic Messages, JSON or SSE, answered from recorded fixtures.
//!
//! It runs on its own one-worker tokio runtime so that it stays cheap beside the driver and the server, speaks
//! HTTP/1.1 with keep-alive and `TCP_NODELAY`, and answers every request from `'static` bytes: beyond what
//! hyper itself allocates, a request costs nothing (the body is scanned in place for `"stream": true`).
//!
//! | request | answer |
//! |---|---|
//! | `POST …/chat/completions` | `openai_chat/response/text_with_cached_usage.json`, or with `"stream":true` the SSE `openai_chat/stream/text_and_parallel_tool_calls.sse` (chunks, a usage chunk, `data: [DONE]`), one frame per event |
//! | `POST …/messages` | `anthropic/response/text_end_turn.json`, or `anthropic/stream/tool_use_first.sse` |
//! | `GET /health` | 200, empty |

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// OpenAI Chat, non-streaming answer.
pub(crate) static CHAT_JSON: &[u8] =
    include_bytes!("../../aether-core/tests/fixtures/openai_chat/response/text_with_cached_usage.json");
/// OpenAI Chat, streamed answer (ends with a usage chunk and `data: [DONE]`).
pub(crate) static CHAT_SSE: &[u8] =
    include_bytes!("../../aether-core/tests/fixtures/openai_chat/stream/text_and_parallel_tool_calls.sse");
/// Anthropic Messages, non-streaming answer.
pub(crate) static MESSAGES_JSON: &[u8] =
    include_bytes!("../../aether-core/tests/fixtures/anthropic/response/text_end_turn.json");
/// Anthropic Messages, streamed answer (ends with `message_stop`).
pub(crate) static MESSAGES_SSE: &[u8] =
    include_bytes!("../../aether-core/tests/fixtures/anthropic/stream/tool_use_first.sse");

static CHAT_EVENTS: LazyLock<Vec<Bytes>> = LazyLock::new(|| split_events(CHAT_SSE));
static MESSAGES_EVENTS: LazyLock<Vec<Bytes>> = LazyLock::new(|| split_events(MESSAGES_SSE));

/// Splits an SSE recording into events, each keeping its blank-line terminator (no copy: `Bytes::from_static`).
fn split_events(sse: &'static [u8]) -> Vec<Bytes> {
    let mut events = Vec::new();
    let mut start = 0;
    for end in memchr::memmem::find_iter(sse, b"\n\n") {
        events.push(Bytes::from_static(&sse[start..end + 2]));
        start = end + 2;
    }
    if sse[start..].iter().any(|b| !b.is_ascii_whitespace()) {
        events.push(Bytes::from_static(&sse[start..]));
    }
    events
}

/// A running mock; dropping it stops its runtime.
pub(crate) struct Mock {
    addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl Mock {
    /// Binds `127.0.0.1:0` and starts serving on a one-worker runtime of its own.
    pub(crate) fn start() -> std::io::Result<Mock> {
        LazyLock::force(&CHAT_EVENTS);
        LazyLock::force(&MESSAGES_EVENTS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("mock")
            .enable_all()
            .build()?;
        // Bound without `block_on`, so a mock can also start inside another runtime (tests).
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        runtime.spawn(accept(listener));
        Ok(Mock { addr, runtime: Some(runtime) })
    }

    /// Where it listens.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Never blocks, so a mock may be dropped inside another runtime (tests).
            runtime.shutdown_background();
        }
    }
}

async fn accept(listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors or similar: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small writes must leave at once, or Nagle adds tens of milliseconds to every stream.
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = service_fn(handle);
            // A connection error (the client went away) ends that connection only.
            let _ =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn handle(req: Request<Incoming>) -> Result<Response<MockBody>, Infallible> {
    let chat = match (req.method(), req.uri().path()) {
        (&Method::POST, path) if path.ends_with("/chat/completions") => true,
        (&Method::POST, path) if path.ends_with("/messages") => false,
        (&Method::GET, "/health") => return Ok(status(StatusCode::OK)),
        _ => return Ok(status(StatusCode::NOT_FOUND)),
    };
    let Ok(stream) = wants_stream(req.into_body()).await else {
        return Ok(status(StatusCode::BAD_REQUEST));
    };
    let (body, content_type) = match (chat, stream) {
        (true, false) => (MockBody::Json(Some(Bytes::from_static(CHAT_JSON))), "application/json"),
        (false, false) => (MockBody::Json(Some(Bytes::from_static(MESSAGES_JSON))), "application/json"),
        (true, true) => (MockBody::Sse { events: &CHAT_EVENTS, next: 0 }, "text/event-stream"),
        (false, true) => (MockBody::Sse { events: &MESSAGES_EVENTS, next: 0 }, "text/event-stream"),
    };
    let mut response = Response::new(body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if stream {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    Ok(response)
}

fn status(code: StatusCode) -> Response<MockBody> {
    let mut response = Response::new(MockBody::Json(None));
    *response.status_mut() = code;
    response
}

/// Reads the request body to its end and says whether it asks for a stream. The usual one-frame body is
/// scanned in place; only a body split over several frames is gathered into a buffer.
async fn wants_stream(mut body: Incoming) -> Result<bool, hyper::Error> {
    let mut first: Option<Bytes> = None;
    let mut gathered: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else { continue };
        match first.take() {
            None if gathered.is_empty() => first = Some(data),
            None => gathered.extend_from_slice(&data),
            Some(earlier) => {
                gathered.extend_from_slice(&earlier);
                gathered.extend_from_slice(&data);
            }
        }
    }
    Ok(match first {
        Some(only) => stream_flag(&only),
        None => stream_flag(&gathered),
    })
}

/// Whether a JSON request body has a top-level-looking `"stream": true` (any whitespace around the colon).
pub(crate) fn stream_flag(body: &[u8]) -> bool {
    memchr::memmem::find_iter(body, b"\"stream\"").any(|at| {
        let rest = &body[at + 8..];
        let rest = rest.trim_ascii_start();
        rest.strip_prefix(b":").is_some_and(|value| value.trim_ascii_start().starts_with(b"true"))
    })
}

/// The mock's response body: one `'static` JSON document, or SSE events sent one frame each.
pub(crate) enum MockBody {
    /// A whole document (`None` once sent, or for an empty body).
    Json(Option<Bytes>),
    /// SSE events still to send.
    Sse {
        /// Every event of the recording.
        events: &'static [Bytes],
        /// The next one to send.
        next: usize,
    },
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.get_mut() {
            MockBody::Json(document) => document.take(),
            MockBody::Sse { events, next } => {
                let event = events.get(*next).cloned();
                *next += 1;
                event
            }
        };
        Poll::Ready(frame.map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            MockBody::Json(document) => document.is_none(),
            MockBody::Sse { events, next } => *next >= events.len(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            // Exact, so hyper sends `content-length` rather than chunks.
            MockBody::Json(document) => SizeHint::with_exact(document.as_ref().map_or(0, |d| d.len() as u64)),
            MockBody::Sse { .. } => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{self, Target};

    #[test]
    fn stream_flag_reads_true_false_and_spacing() {
        assert!(stream_flag(br#"{"model":"m","stream":true}"#));
        assert!(stream_flag(br#"{"model":"m", "stream" :  true }"#));
        assert!(!stream_flag(br#"{"model":"m","stream":false}"#));
        assert!(!stream_flag(br#"{"model":"m","stream_options":{"include_usage":true}}"#));
        assert!(!stream_flag(br#"{"messages":[{"content":"say \"stream\": true"}]}"#));
        assert!(!stream_flag(b""));
    }

    #[test]
    fn recordings_split_into_whole_events() {
        let chat = split_events(CHAT_SSE);
        assert_eq!(chat.concat(), CHAT_SSE);
        assert!(chat.len() >= 5);
        assert!(chat.iter().all(|event| event.starts_with(b"data: ")));
        assert_eq!(chat.last().map(|e| e.trim_ascii()), Some(&b"data: [DONE]"[..]));
        assert!(chat[chat.len() - 2].windows(8).any(|w| w == b"\"usage\":"), "a usage chunk before [DONE]");

        let messages = split_events(MESSAGES_SSE);
        assert_eq!(messages.concat(), MESSAGES_SSE);
        assert!(messages.iter().all(|event| event.starts_with(b"event: ")));
        assert!(messages.last().is_some_and(|e| e.starts_with(b"event: message_stop")));
    }

    /// One request over loopback through the driver's own client; returns the status, content type and body.
    async fn ask(mock: &Mock, path: &str, body: &'static str) -> (StatusCode, String, Vec<u8>) {
        let client = driver::client();
        let target = Target::new(
            &format!("{}{path}", mock.base_url()),
            Vec::new(),
            Bytes::from_static(body.as_bytes()),
        )
        .unwrap();
        let response = client.request(target.request()).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, content_type, body)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn mock_answers_each_shape_over_loopback() {
        let mock = Mock::start().unwrap();
        let cases: [(&str, &str, &str, &[u8]); 4] = [
            ("/v1/chat/completions", r#"{"model":"gpt-5","messages":[]}"#, "application/json", CHAT_JSON),
            (
                "/v1/chat/completions",
                r#"{"model":"gpt-5","messages":[],"stream":true,"stream_options":{"include_usage":true}}"#,
                "text/event-stream",
                CHAT_SSE,
            ),
            (
                "/v1/messages",
                r#"{"model":"gpt-5","max_tokens":64,"messages":[]}"#,
                "application/json",
                MESSAGES_JSON,
            ),
            (
                "/v1/messages",
                r#"{"model":"gpt-5","max_tokens":64,"messages":[],"stream": true}"#,
                "text/event-stream",
                MESSAGES_SSE,
            ),
        ];
        for (path, request, content_type, expected) in cases {
            let (status, got_type, body) = ask(&mock, path, request).await;
            assert_eq!(status, StatusCode::OK, "{path} {request}");
            assert_eq!(got_type, content_type, "{path} {request}");
            assert_eq!(body, expected, "{path} {request}");
        }
        let (status, _, _) = ask(&mock, "/v1/embeddings", "{}").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
