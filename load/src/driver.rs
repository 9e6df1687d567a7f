//! The driver: C workers sending one request shape back to back over a pooled keep-alive HTTP/1 client,
//! each reading every response to its last byte and recording the latency in an HDR histogram.
//!
//! Latencies are recorded in nanoseconds and reported in microseconds: whole microseconds would quantise
//! a ~30 µs goal by ±1 µs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::{HeaderName, HeaderValue, Method, Request, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::task::JoinSet;

/// The driver's HTTP client: pooled, keep-alive, HTTP/1, `TCP_NODELAY`.
pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The highest latency a histogram holds: 60 s, in ns. Longer ones are clamped to it.
const MAX_NS: u64 = 60_000_000_000;

/// Errors of the driver.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DriveError {
    /// A target URL that does not parse.
    #[error("bad URL {url:?}: {source}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        source: http::uri::InvalidUri,
    },
    /// The request could not be sent or its answer not read.
    #[error("request failed: {0}")]
    Send(#[from] hyper_util::client::legacy::Error),
    /// The answer's body broke off.
    #[error("reading the body failed: {0}")]
    Body(#[from] hyper::Error),
    /// The answer was not a success.
    #[error("status {0}")]
    Status(http::StatusCode),
}

/// A client as the driver uses it: an idle pool big enough for every worker.
pub(crate) fn client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(usize::MAX).build(connector)
}

/// One request shape aimed at one URL.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Target {
    /// A `POST` of `body` (JSON) with `headers` to `url`.
    pub(crate) fn new(
        url: &str,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: Bytes,
    ) -> Result<Target, DriveError> {
        let uri = url.parse().map_err(|source| DriveError::Url { url: url.to_owned(), source })?;
        Ok(Target { uri, headers, body })
    }

    /// A fresh request (the body is shared, not copied).
    pub(crate) fn request(&self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        request
    }
}

/// When a phase ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Limit {
    /// After this long (requests in flight finish and count).
    Time(Duration),
    /// After this many requests in all.
    Requests(u64),
}

/// What one phase measured.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Latency of each successful request, in ns.
    pub(crate) latency: Histogram<u64>,
    /// Successful requests.
    pub(crate) ok: u64,
    /// Failed requests (not in the histogram).
    pub(crate) errors: u64,
    /// The first failure, to show.
    pub(crate) first_error: Option<String>,
    /// Wall time of the phase.
    pub(crate) elapsed: Duration,
}

impl Outcome {
    fn empty() -> Outcome {
        Outcome { latency: histogram(), ok: 0, errors: 0, first_error: None, elapsed: Duration::ZERO }
    }

    fn merge(&mut self, other: Outcome) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// An empty histogram: 1 ns to 60 s, three significant digits.
pub(crate) fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_NS, 3).expect("constant bounds are valid")
}

/// Runs `concurrency` workers against `target` until `limit`, and merges what they saw.
pub(crate) async fn drive(client: &HttpClient, target: &Target, concurrency: usize, limit: Limit) -> Outcome {
    let started = Instant::now();
    let (deadline, budget) = match limit {
        Limit::Time(duration) => (Some(started + duration), u64::MAX),
        Limit::Requests(count) => (None, count),
    };
    let budget = Arc::new(AtomicU64::new(budget));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        workers.spawn(worker(client.clone(), target.clone(), deadline, Arc::clone(&budget)));
    }
    let mut total = Outcome::empty();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(outcome) => total.merge(outcome),
            Err(err) => {
                total.errors += 1;
                total.first_error.get_or_insert_with(|| format!("worker failed: {err}"));
            }
        }
    }
    total.elapsed = started.elapsed();
    total
}

async fn worker(
    client: HttpClient,
    target: Target,
    deadline: Option<Instant>,
    budget: Arc<AtomicU64>,
) -> Outcome {
    let mut outcome = Outcome::empty();
    loop {
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            break;
        }
        if budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1)).is_err() {
            break;
        }
        let request = target.request();
        let sent = Instant::now();
        match exchange(&client, request).await {
            Ok(()) => {
                let ns = u64::try_from(sent.elapsed().as_nanos()).unwrap_or(MAX_NS);
                outcome.latency.saturating_record(ns.clamp(1, MAX_NS));
                outcome.ok += 1;
            }
            Err(err) => {
                outcome.errors += 1;
                outcome.first_error.get_or_insert_with(|| err.to_string());
                if matches!(err, DriveError::Send(_)) {
                    // Nothing listening, most likely: do not spin.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }
    outcome
}

/// Sends one request and reads its answer to the last byte (the latency of a stream is to its end).
async fn exchange(client: &HttpClient, request: Request<Full<Bytes>>) -> Result<(), DriveError> {
    let response = client.request(request).await?;
    let status = response.status();
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame?;
    }
    if status.is_success() { Ok(()) } else { Err(DriveError::Status(status)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::Mock;

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_counted_phase_sends_exactly_that_many_requests() {
        let mock = Mock::start().unwrap();
        let target = Target::new(
            &format!("{}/v1/chat/completions", mock.base_url()),
            Vec::new(),
            Bytes::from_static(br#"{"model":"gpt-5","messages":[],"stream":true}"#),
        )
        .unwrap();
        let outcome = drive(&client(), &target, 4, Limit::Requests(50)).await;
        assert_eq!((outcome.ok, outcome.errors), (50, 0), "{:?}", outcome.first_error);
        assert_eq!(outcome.latency.len(), 50);
        assert!(outcome.latency.min() > 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn failures_are_counted_apart_from_latencies() {
        let mock = Mock::start().unwrap();
        let target =
            Target::new(&format!("{}/v1/nothing", mock.base_url()), Vec::new(), Bytes::from_static(b"{}"))
                .unwrap();
        let outcome = drive(&client(), &target, 2, Limit::Requests(10)).await;
        assert_eq!((outcome.ok, outcome.errors), (0, 10));
        assert_eq!(outcome.latency.len(), 0);
        assert_eq!(outcome.first_error.as_deref(), Some("status 404 Not Found"));
    }
}
