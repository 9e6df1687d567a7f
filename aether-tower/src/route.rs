//! Routing: what the body asks for (model, stream, capabilities, session) becomes the scheduler's
//! [`Routing`], and the decoded request is kept for translation and token estimates.
//!
//! ```
//! use std::convert::Infallible;
//! use aether_core::WireFormat;
//! use aether_core::schedule::Principal;
//! use aether_tower::failover::Routing;
//! use aether_tower::route::RouteLayer;
//! use aether_tower::{Inbound, full_body};
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let show = service_fn(|request: Request<Bytes>| async move {
//!     let routing = request.extensions().get::<Routing>().expect("routed");
//!     let said = format!("{} stream={}", routing.request.model, routing.request.stream);
//!     Ok::<_, Infallible>(Response::new(full_body(said)))
//! });
//! let body = r#"{"model":"claude-opus-4-8","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"#;
//! let mut request = Request::post("/v1/messages").body(Bytes::from(body))?;
//! request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
//! request.extensions_mut().insert(Principal::new(1));
//! let response = RouteLayer.layer(show).oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use aether_core::ir;
use aether_core::protocol::codec;
use aether_core::schedule::{Capabilities, Needs, Principal, RouteRequest, session_id};
use bytes::Bytes;
use futures_util::future::Either;
use http::{HeaderMap, Request, Response};
use tower::{Layer, Service};

use crate::failover::Routing;
use crate::{Body, GatewayError, Inbound};

/// A body larger than this may not fit a 200k-token window (at about four bytes a token, less the
/// room for the answer): only then does an `anthropic-beta` 1M-context flag require a key with it.
const STANDARD_WINDOW_BYTES: usize = 600_000;

/// The client's request, decoded once: translation and token estimates read it from the request's
/// extensions instead of parsing the body again.
#[derive(Clone, Debug)]
pub struct Parsed(pub Arc<ir::Request>);

/// Applies [`Route`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RouteLayer;

impl<S> Layer<S> for RouteLayer {
    type Service = Route<S>;

    fn layer(&self, inner: S) -> Route<S> {
        Route { inner }
    }
}

/// Decodes the body in the client's format and puts the [`Routing`] and the [`Parsed`] request in
/// its extensions; a body that does not decode is answered with a 400 in the client's format.
#[derive(Clone, Debug)]
pub struct Route<S> {
    inner: S,
}

type Ready = std::future::Ready<Result<Response<Body>, Infallible>>;

impl<S> Service<Request<Bytes>> for Route<S>
where
    S: Service<Request<Bytes>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Either<Ready, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Bytes>) -> Self::Future {
        let Some(inbound) = request.extensions().get::<Inbound>() else {
            return Either::Left(std::future::ready(Ok(missing("Inbound"))));
        };
        let format = inbound.format;
        let principal = request.extensions().get::<Principal>().cloned().unwrap_or_default();
        match routing(inbound, principal, request.headers(), request.body()) {
            Ok((routing, parsed)) => {
                request.extensions_mut().insert(routing);
                request.extensions_mut().insert(parsed);
                Either::Right(self.inner.call(request))
            }
            Err(error) => Either::Left(std::future::ready(Ok(error.to_response(format)))),
        }
    }
}

/// What the scheduler needs to know of a request, and the request decoded.
fn routing(
    inbound: &Inbound,
    principal: Principal,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Routing, Parsed), GatewayError> {
    let parsed = codec(inbound.format).decode_request(body, &inbound.path)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // Claude Code sends the 1M-context beta on every request to its default model: it asks for the
    // long window, it does not need it, unless the request is too large for a standard one.
    let beta = match header("anthropic-beta") {
        Some(flags) if body.len() > STANDARD_WINDOW_BYTES => Capabilities::from_anthropic_beta(flags),
        _ => Capabilities::NONE,
    };
    let prompt_cache_key = parsed.extra.fields.get("prompt_cache_key").and_then(|v| v.as_str());
    let request = RouteRequest {
        format: inbound.format,
        model: parsed.model.clone(),
        stream: parsed.stream,
        needs: Needs::of(&parsed).with(beta),
        session: session_id(header, prompt_cache_key).map(str::to_owned),
    };
    Ok((Routing { principal, request }, Parsed(Arc::new(parsed))))
}

/// The answer when the ingress forgot an extension: a bug of the embedding service, said plainly.
pub(crate) fn missing(what: &str) -> Response<Body> {
    let error = aether_core::ApiError::new(
        aether_core::ErrorKind::Internal,
        format!("the gateway is misconfigured: no `{what}` in the request extensions"),
    );
    crate::error::error_response(aether_core::WireFormat::OpenAiChat, &error)
}
