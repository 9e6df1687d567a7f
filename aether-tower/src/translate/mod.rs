//! Translation: the body of each attempt in its endpoint's format ([`PrepareBody`]), and the answer
//! back in the client's ([`TranslateLayer`]): streams event by event, whole answers at their end,
//! upstream errors re-rendered as the client's error body. When the formats match, bytes pass
//! through unchanged and usage is read on the side.
//!
//! ```
//! use std::convert::Infallible;
//! use aether_core::WireFormat;
//! use aether_tower::failover::FailoverError;
//! use aether_tower::translate::TranslateLayer;
//! use aether_tower::Inbound;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Failover found nothing to send to: the client gets its own format's error.
//! let nothing = service_fn(|_: Request<()>| async {
//!     Err::<Response<Full<bytes::Bytes>>, _>(FailoverError::NoCandidate { skipped: 0, lasting: true, retry_after: None })
//! });
//! let mut request = Request::new(());
//! request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
//! let response = TranslateLayer.layer(nothing).oneshot(request).await?;
//! let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
//! assert!(body.starts_with(br#"{"type":"error""#));
//! # Ok(()) }
//! ```

mod body;
mod prepare;

pub use body::TranslateBody;
pub use prepare::{PrepareBody, embedded_error};

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use aether_core::protocol::codec;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use tower::{Layer, Service};

use crate::coalesce::Coalesce;
use crate::failover::{Attempt, FailoverError};
use crate::meter::Tally;
use crate::route::missing;
use crate::{Body, GatewayError, Inbound};
use body::Mode;

/// The most of an upstream error body that is read to translate it.
const ERROR_BODY_LIMIT: usize = 1 << 20;

/// Applies [`Translate`].
#[derive(Clone, Copy, Debug, Default)]
pub struct TranslateLayer;

impl<S> Layer<S> for TranslateLayer {
    type Service = Translate<S>;

    fn layer(&self, inner: S) -> Translate<S> {
        Translate { inner }
    }
}

/// Turns failover's answer into the client's: see the [module docs](self).
#[derive(Clone, Debug)]
pub struct Translate<S> {
    inner: S,
}

impl<S, B, RB> Service<Request<B>> for Translate<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = FailoverError> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
    RB: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    RB::Error: std::fmt::Display + Send,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Failover is always ready; its errors are answers, not readiness failures.
        match self.inner.poll_ready(cx) {
            Poll::Ready(_) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut inner = crate::take_ready(&mut self.inner);
        Box::pin(async move {
            let Some(inbound) = request.extensions().get::<Inbound>().cloned() else {
                return Ok(missing("Inbound"));
            };
            let tally = request.extensions().get::<Tally>().cloned();
            let response = match inner.call(request).await {
                Ok(response) => response,
                Err(error) => return Ok(GatewayError::from(error).to_response(inbound.format)),
            };
            let Some(attempt) = response.extensions().get::<Attempt>().cloned() else {
                return Ok(missing("Attempt"));
            };
            if response.status().is_success() {
                Ok(answer(response, &attempt, &inbound, tally))
            } else {
                Ok(upstream_error(response, &attempt, &inbound, tally.as_ref()).await)
            }
        })
    }
}

/// A 2xx answer on its way to the client.
fn answer<RB>(
    response: Response<RB>,
    attempt: &Attempt,
    inbound: &Inbound,
    tally: Option<Tally>,
) -> Response<Body>
where
    RB: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    RB::Error: std::fmt::Display,
{
    let mode = Mode::new(attempt.format, inbound.format, attempt.stream, inbound.stream);
    let (mut parts, body) = response.into_parts();
    if attempt.stream {
        // A stream may gain an error event at its end (see `TranslateBody`).
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    if attempt.cross_format || inbound.stream.json_array {
        parts.headers.remove(header::CONTENT_LENGTH);
        let content_type = if attempt.stream && !inbound.stream.json_array {
            "text/event-stream"
        } else {
            "application/json"
        };
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    let body = TranslateBody::new(body, mode, tally, inbound.started);
    // Events of a stream that arrive together leave in one write.
    let body = if attempt.stream { Coalesce::new(body).boxed_unsync() } else { body.boxed_unsync() };
    Response::from_parts(parts, body)
}

/// An upstream's error answer, re-rendered in the client's format (byte for byte when the formats
/// match).
async fn upstream_error<RB>(
    response: Response<RB>,
    attempt: &Attempt,
    inbound: &Inbound,
    tally: Option<&Tally>,
) -> Response<Body>
where
    RB: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    RB::Error: std::fmt::Display,
{
    let (mut parts, body) = response.into_parts();
    let status = parts.status.as_u16();
    let bytes = read_error_body(body).await;
    if let Some(tally) = tally {
        tally.seen(|seen| {
            seen.completed = true;
            seen.first_byte = Some(inbound.started.elapsed());
        });
    }
    if !attempt.cross_format {
        return Response::from_parts(parts, crate::error::full(bytes));
    }
    let error = codec(attempt.format).parse_error(status, &bytes);
    let (status, body) = codec(inbound.format).render_error(&error);
    parts.status = StatusCode::from_u16(status).unwrap_or(parts.status);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, crate::error::full(body))
}

/// Up to [`ERROR_BODY_LIMIT`] bytes of an error body; whatever came before a failure.
async fn read_error_body<RB>(mut body: RB) -> Bytes
where
    RB: http_body::Body<Data = Bytes> + Unpin,
{
    let mut read = Vec::new();
    while read.len() < ERROR_BODY_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(chunk) = frame.into_data() {
                    read.extend_from_slice(&chunk);
                }
            }
            Some(Err(_)) | None => break,
        }
    }
    read.truncate(ERROR_BODY_LIMIT);
    read.into()
}
