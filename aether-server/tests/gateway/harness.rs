//! The real server on a loopback port, over a mock upstream, and an HTTP client for it.

use std::path::Path;
use std::time::Duration;

use aether_core::store::{RequestId, TraceRecord, UsageQuery, UsageRecord};
use aether_server::AppState;
use aether_server::app::{self, Listeners};
use aether_server::config::Config;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::mock::{self, Mock};

/// The four formats as the config names them.
pub const FORMATS: [&str; 4] = ["openai_chat", "openai_responses", "anthropic", "gemini"];

/// Alice's key.
pub const KEY: &str = "sk-alice-0123456789abcdef";
/// A key allowed one request a minute.
pub const LIMITED_KEY: &str = "sk-limited-0123456789abcdef";

pub struct Gateway {
    pub url: String,
    pub state: AppState,
    pub mock: Mock,
    client: Client<HttpConnector, Full<Bytes>>,
    _data: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A provider of `priority` with one endpoint of `format` at `upstream`, one key per
/// `(secret, extra key lines)`, serving `model`.
fn provider(
    name: &str,
    priority: i32,
    format: &str,
    upstream: &str,
    keys: &[(&str, &str)],
    model: &str,
) -> String {
    let mut toml = format!(
        "\n[[providers]]\nname = \"{name}\"\npriority = {priority}\n  [[providers.endpoints]]\n  format = \"{format}\"\n  base_url = \"{upstream}\"\n"
    );
    for (secret, extra) in keys {
        toml += &format!("  [[providers.keys]]\n  name = \"{secret}\"\n  secret = \"{secret}\"\n{extra}");
    }
    toml + &format!("  [[providers.models]]\n  model = \"{model}\"\n")
}

fn config_toml(data_dir: &Path, upstream: &str) -> String {
    let mut toml = format!("[server]\ndata_dir = \"{}\"\nrequest_log = \"off\"\n", data_dir.display());
    // One provider per format, each serving its own model to clients of every format.
    for format in FORMATS {
        toml += &provider(
            format,
            0,
            format,
            upstream,
            &[(&format!("sk-up-{format}"), "")],
            &format!("m-{format}"),
        );
        toml += &format!(
            "[[models]]\nname = \"m-{format}\"\n  [[models.prices]]\n  effective_from = \"2025-01-01T00:00:00Z\"\n  \
             tiers = [{{ input = \"3\", output = \"15\", cache_read = \"0.3\" }}]\n"
        );
    }
    let (first, second) = ("  priority = 0\n", "  priority = 1\n");
    // Failover across keys: the first key is overloaded, the second answers.
    toml += &provider(
        "flaky",
        0,
        "anthropic",
        upstream,
        &[("sk-529", first), ("sk-up-healthy", second)],
        "m-failover",
    );
    // An upstream that refuses every request, one that stalls, one that cuts its streams.
    toml += &provider("refuser", 0, "anthropic", upstream, &[("sk-400", "")], "m-refused");
    toml += &provider("slow", 0, "anthropic", upstream, &[("sk-slow", "")], "m-slow");
    toml += &provider("cutter", 0, "anthropic", upstream, &[("sk-cut", "")], "m-cut");
    // Failover across providers: the first provider's only key is overloaded.
    toml += &provider("down", 0, "anthropic", upstream, &[("sk-529", "")], "m-two-providers");
    toml += &provider("up", 1, "openai_chat", upstream, &[("sk-up-backup", "")], "m-two-providers");
    // A key with a tokens-per-minute limit that one answer (2,331 tokens) uses up.
    toml += &provider("metered", 0, "openai_chat", upstream, &[("sk-up-tpm", "  tpm = 1000\n")], "m-tpm");
    // Only an expired key serves this one: nothing can, and waiting will not help.
    let lapsed = "  expires_at = \"2020-01-01T00:00:00Z\"\n";
    toml += &provider("lapsed", 0, "anthropic", upstream, &[("sk-up-old", lapsed)], "m-expired");
    for model in
        ["m-failover", "m-refused", "m-slow", "m-cut", "m-two-providers", "m-expired", "m-tpm", "m-unrouted"]
    {
        toml += &format!("[[models]]\nname = \"{model}\"\n");
    }
    toml + &format!(
        "[[users]]\nname = \"alice\"\n  [[users.keys]]\n  name = \"laptop\"\n  key = \"{KEY}\"\n  \
         [[users.keys]]\n  name = \"limited\"\n  key = \"{LIMITED_KEY}\"\n  rpm = 1\n"
    )
}

impl Gateway {
    pub async fn start() -> Gateway {
        let (upstream, mock) = mock::start().await;
        let data = tempfile::tempdir().unwrap();
        let env = |name: &str| {
            (name == "ENCRYPTION_KEY")
                .then(|| "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f".to_owned())
        };
        let config = Config::from_toml_str(&config_toml(data.path(), &upstream), &env).expect("valid config");
        let state = AppState::open(config).await.expect("opens");
        // Two serving threads, as on a two-core machine: a test's connections land on either, and
        // the limits, health and caches they meet are shared.
        let threads = std::num::NonZeroUsize::new(2).unwrap();
        let listeners = Listeners::bind("127.0.0.1:0".parse().unwrap(), threads).unwrap();
        let url = format!("http://{}", listeners.local_addr().unwrap());
        let served = state.clone();
        tokio::spawn(async move {
            app::serve_threads(served, listeners, std::future::pending()).await.unwrap();
        });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Gateway { url, state, mock, client, _data: data }
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let response =
            self.client.request(self.request(method, path, headers, body)).await.expect("answered");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body read").to_bytes();
        Answer { status: parts.status, headers: parts.headers, body }
    }

    /// Sends a request and returns the response with its body unread.
    pub async fn open(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> hyper::Response<hyper::body::Incoming> {
        self.client.request(self.request(Method::POST, path, headers, body)).await.expect("answered")
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Request<Full<Bytes>> {
        let mut request = Request::builder().method(method).uri(format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Full::new(Bytes::copy_from_slice(body))).unwrap()
    }

    /// The usage records written so far, waiting (up to 10 s) until there are at least `count`.
    pub async fn usage(&self, count: usize) -> Vec<UsageRecord> {
        for _ in 0..200 {
            let page =
                self.state.stores.usage.query(&UsageQuery { limit: 1000, ..UsageQuery::default() }).await;
            let records = page.expect("usage readable").records;
            if records.len() >= count {
                return records;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {count} usage records after 10 s");
    }

    /// The trace of a request, waiting (up to 10 s) for it to be written.
    pub async fn trace(&self, id: RequestId) -> TraceRecord {
        for _ in 0..200 {
            if let Some(trace) = self.state.stores.traces.trace(id).await.expect("traces readable") {
                return trace;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no trace for {id} after 10 s");
    }
}

/// A client request of `format` for `model`, and the path and headers its SDK would use.
pub fn client_request(
    format: &str,
    model: &str,
    stream: bool,
    key: &str,
) -> (String, Vec<(&'static str, String)>, Vec<u8>) {
    let body = match format {
        "openai_chat" => {
            serde_json::json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "Hi"}]})
        }
        "openai_responses" => serde_json::json!({"model": model, "stream": stream, "input": "Hi"}),
        "anthropic" => {
            serde_json::json!({"model": model, "stream": stream, "max_tokens": 256, "messages": [{"role": "user", "content": "Hi"}]})
        }
        _ => serde_json::json!({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}),
    };
    let (path, headers) = match format {
        "openai_chat" => {
            ("/v1/chat/completions".to_owned(), vec![("authorization", format!("Bearer {key}"))])
        }
        "openai_responses" => ("/v1/responses".to_owned(), vec![("authorization", format!("Bearer {key}"))]),
        "anthropic" => (
            "/v1/messages?beta=true".to_owned(),
            vec![("x-api-key", key.to_owned()), ("anthropic-version", "2023-06-01".to_owned())],
        ),
        _ if stream => (
            format!("/v1beta/models/{model}:streamGenerateContent?alt=sse"),
            vec![("x-goog-api-key", key.to_owned())],
        ),
        _ => (format!("/v1beta/models/{model}:generateContent"), vec![("x-goog-api-key", key.to_owned())]),
    };
    (path, headers, serde_json::to_vec(&body).unwrap())
}

/// Borrowed header pairs.
pub fn pairs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(name, value)| (*name, value.as_str())).collect()
}
