//! The upstream transport: a pooled hyper client as a tower [`Service`].
//!
//! [`UpstreamTransport`] sends each upstream request over hyper-util's pooled client: TLS by rustls
//! (the `ring` provider, Mozilla's roots from `webpki-roots`, ALPN `h2` then `http/1.1`), HTTP/1.1
//! and HTTP/2, `TCP_NODELAY`. It reads the [`Attempt`] the failover layer puts in each request's
//! extensions for the endpoint's [`Timeouts`] and proxy; a request without one gets the transport's
//! defaults and a direct connection.
//!
//! | limit | where it is enforced | default |
//! |---|---|---|
//! | connect | the connector: the TCP connect (to the proxy, if any) | 10 s |
//! | first byte | the response future: from the call to the response head (TLS and `CONNECT` included) | 60 s |
//! | idle | the body ([`TransportBody`]): from the head or a frame to the next frame | 120 s |
//! | total | both: from the call to the body's last frame | 10 min |
//!
//! A limit the [`Attempt`] leaves unset falls back to the default; a default of `None` means no
//! limit. The first byte is generous because a reasoning model can think for a while before its
//! response head. The failover layer also bounds the first *body* frame by the endpoint's first-byte
//! limit. Each failure is a [`TransportError`] that names the limit that fired; a body that stalls
//! yields [`TransportError::Idle`] as a frame error, so a stream stalled before commit fails over.
//!
//! # Pools
//! One pooled client per distinct (proxy, connect limit) pair, made on first use and kept; the direct
//! client with the default connect limit exists from the start and needs no lock. The set follows the
//! catalogue's distinct proxies and connect limits, so it stays small; it is not pruned (an unused
//! client holds no connection once its idle ones have timed out). Connections idle
//! for 90 s are closed, and at most 32 idle connections per host are kept (a burst of streams opens
//! more; they close when idle beyond that number).
//!
//! # Proxies
//! `Attempt::proxy` is `http://[user:pass@]host:port`. `https` upstreams go through a `CONNECT`
//! tunnel (hyper-util's `Tunnel`, maintained with hyper and used by reqwest; `hyper-http-proxy` is a
//! third-party crate with its own TLS stack features, and a hand-written tunnel would duplicate
//! hyper-util's), with TLS to the upstream inside; `http` upstreams are sent to the proxy in absolute
//! form. Credentials become `Proxy-Authorization: Basic …`. A proxy failure is
//! [`TransportError::Proxy`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey, Timeouts};
//! use aether_core::schedule::{Mode, Principal, RouteRequest, Snapshot};
//! use aether_core::WireFormat;
//! use aether_tower::failover::{FailoverLayer, Routing, Stores};
//! use aether_tower::transport::UpstreamTransport;
//! use bytes::Bytes;
//! use http::Request;
//! use http_body_util::{BodyExt, Full};
//! use std::time::Duration;
//! use tower::{Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut catalogue = Catalogue::default();
//! catalogue.providers.push(Provider::new(1, "anthropic"));
//! let mut endpoint = Endpoint::new(10, 1, WireFormat::Anthropic, "https://api.anthropic.com");
//! endpoint.timeouts = Timeouts { first_byte: Some(Duration::from_secs(30)), ..Timeouts::default() };
//! endpoint.proxy = Some("http://egress.internal:3128".to_owned());
//! catalogue.endpoints.push(endpoint);
//! catalogue.keys.push(ProviderKey::new(100, 1, "sk-ant-..."));
//! catalogue.global_models.push(GlobalModel::new("claude-opus-4-8"));
//! catalogue.models.push(Model::new("claude-opus-4-8", 1, "claude-opus-4-8"));
//! let snapshot = Arc::new(Snapshot::compile(&catalogue, Mode::Provider)?);
//!
//! // The transport under failover: each attempt carries its endpoint's timeouts and proxy.
//! let transport = UpstreamTransport::builder().build()?;
//! let gateway = FailoverLayer::new(Stores::in_memory(snapshot)).layer(transport);
//!
//! let mut request = Request::post("/v1/messages").body(Full::new(Bytes::from_static(b"{}")))?;
//! let route = RouteRequest::new(WireFormat::Anthropic, "claude-opus-4-8");
//! request.extensions_mut().insert(Routing { principal: Principal::new(7), request: route });
//! let response = gateway.oneshot(request).await?;
//! let body = response.into_body().collect().await?.to_bytes();
//! println!("{}", String::from_utf8_lossy(&body));
//! # Ok(()) }
//! ```

mod body;
mod connect;
mod error;

pub use body::TransportBody;
pub use error::TransportError;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use aether_core::catalogue::Timeouts;
use bytes::Bytes;
use http::header::PROXY_AUTHORIZATION;
use http::{HeaderValue, Request, Response};
use http_body::Body;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper_util::client::legacy::{self, Client};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pin_project_lite::pin_project;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use tokio::time::{Instant, Sleep};
use tower::Service;

use crate::BoxError;
use crate::failover::Attempt;
use connect::{Connector, Proxy};

/// The request body as the pooled clients take it: any body, boxed once per request.
type OutBody = UnsyncBoxBody<Bytes, BoxError>;

/// One pooled client.
type Pooled = Client<Connector, OutBody>;

/// The transport's defaults: connect 10 s, first byte 60 s, idle 120 s, total 10 min.
pub const DEFAULT_TIMEOUTS: Timeouts = Timeouts {
    connect: Some(Duration::from_secs(10)),
    first_byte: Some(Duration::from_secs(60)),
    idle: Some(Duration::from_secs(120)),
    total: Some(Duration::from_secs(600)),
};

/// Configures an [`UpstreamTransport`].
#[derive(Clone, Debug)]
pub struct TransportBuilder {
    timeouts: Timeouts,
    pool_idle_timeout: Duration,
    max_idle_per_host: usize,
    http2_only: bool,
    roots: Vec<CertificateDer<'static>>,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        TransportBuilder {
            timeouts: DEFAULT_TIMEOUTS,
            pool_idle_timeout: Duration::from_secs(90),
            max_idle_per_host: 32,
            http2_only: false,
            roots: Vec::new(),
        }
    }
}

impl TransportBuilder {
    /// The limits for requests whose [`Attempt`] leaves one unset (default [`DEFAULT_TIMEOUTS`]);
    /// `None` means no limit.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// How long an unused pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections are kept per host (default 32).
    pub fn max_idle_per_host(mut self, max: usize) -> Self {
        self.max_idle_per_host = max;
        self
    }

    /// Speaks HTTP/2 only: with prior knowledge over plain TCP, by ALPN `h2` over TLS (default off:
    /// HTTP/1.1, or HTTP/2 where ALPN picks it).
    pub fn http2_only(mut self, enabled: bool) -> Self {
        self.http2_only = enabled;
        self
    }

    /// Trusts `certificate` as a root besides Mozilla's (a private CA, or a test server).
    pub fn root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.roots.push(certificate);
        self
    }

    /// Builds the transport; fails only on an unusable root certificate.
    pub fn build(self) -> Result<UpstreamTransport, rustls::Error> {
        let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        for certificate in self.roots {
            roots.add(certificate)?;
        }
        // The ring provider, named explicitly: another crate enabling aws-lc would otherwise make
        // the process default ambiguous.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let config = Config {
            timeouts: self.timeouts,
            pool_idle_timeout: self.pool_idle_timeout,
            max_idle_per_host: self.max_idle_per_host,
            http2_only: self.http2_only,
            tls: Arc::new(tls),
        };
        let direct = config.client(self.timeouts.connect, None);
        let shared = Shared { direct, proxied: Mutex::default(), config };
        Ok(UpstreamTransport { shared: Arc::new(shared) })
    }
}

struct Config {
    timeouts: Timeouts,
    pool_idle_timeout: Duration,
    max_idle_per_host: usize,
    http2_only: bool,
    tls: Arc<ClientConfig>,
}

impl Config {
    fn client(&self, connect: Option<Duration>, proxy: Option<&Proxy>) -> Pooled {
        let connector = Connector::new(&self.tls, self.http2_only, connect, proxy);
        Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.max_idle_per_host)
            .http2_only(self.http2_only)
            .build(connector)
    }
}

/// A client other than the default direct one, and the proxy credentials its `http` requests carry.
#[derive(Clone)]
struct Route {
    client: Pooled,
    /// Set for `http` upstreams through a proxy (`https` ones send it in the `CONNECT`).
    auth: Option<HeaderValue>,
}

/// Which client a request goes through.
type RouteKey = (Option<String>, Option<Duration>);

struct Shared {
    direct: Pooled,
    proxied: Mutex<HashMap<RouteKey, Route>>,
    config: Config,
}

impl Shared {
    /// The client for a proxy and connect limit, made on first use.
    fn route(&self, proxy: Option<&str>, connect: Option<Duration>) -> Result<Route, TransportError> {
        if proxy.is_none() && connect == self.config.timeouts.connect {
            return Ok(Route { client: self.direct.clone(), auth: None });
        }
        let key = (proxy.map(str::to_owned), connect);
        let mut routes = self.proxied.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(route) = routes.get(&key) {
            return Ok(route.clone());
        }
        let proxy = proxy.map(Proxy::parse).transpose()?;
        let client = self.config.client(connect, proxy.as_ref());
        let route = Route { client, auth: proxy.and_then(|proxy| proxy.auth) };
        routes.insert(key, route.clone());
        Ok(route)
    }
}

/// Sends requests upstream over pooled connections; cheap to clone (the pools are shared).
#[derive(Clone)]
pub struct UpstreamTransport {
    shared: Arc<Shared>,
}

impl UpstreamTransport {
    /// A builder with the documented defaults.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }
}

impl std::fmt::Debug for UpstreamTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamTransport")
            .field("timeouts", &self.shared.config.timeouts)
            .field("http2_only", &self.shared.config.http2_only)
            .finish_non_exhaustive()
    }
}

impl<B> Service<Request<B>> for UpstreamTransport
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<TransportBody>;
    type Error = TransportError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        // The pooled client queues on its own.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let now = Instant::now();
        let defaults = self.shared.config.timeouts;
        let attempt = request.extensions().get::<Attempt>();
        let asked = attempt.map_or_else(Timeouts::default, |attempt| attempt.timeouts);
        let proxy = attempt.and_then(|attempt| attempt.proxy.as_deref());
        let connect = asked.connect.or(defaults.connect);
        let first_byte = asked.first_byte.or(defaults.first_byte).map(|limit| now + limit);
        let idle = asked.idle.or(defaults.idle);
        let total = asked.total.or(defaults.total).map(|limit| now + limit);
        let timer =
            body::earliest(first_byte, total).map(|deadline| Box::pin(tokio::time::sleep_until(deadline)));
        let proxied = proxy.is_some();
        let sending = self.shared.route(proxy, connect).map(|route| {
            let mut request = request.map(|body| body.map_err(Into::into).boxed_unsync());
            if let Some(auth) = route.auth.filter(|_| request.uri().scheme_str() == Some("http")) {
                request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
            }
            route.client.request(request)
        });
        ResponseFuture { sending: sending.map_err(Some), timer, idle, total, proxied }
    }
}

pin_project! {
    /// The response future of [`UpstreamTransport`]: the client's future under the first-byte and
    /// total limits. Its timer is boxed so the body can take it over.
    pub struct ResponseFuture {
        sending: Result<legacy::ResponseFuture, Option<TransportError>>,
        timer: Option<Pin<Box<Sleep>>>,
        idle: Option<Duration>,
        total: Option<Instant>,
        proxied: bool,
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<TransportBody>, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let sending = match this.sending {
            Ok(sending) => sending,
            Err(error) => {
                let error = error.take().unwrap_or_else(|| {
                    TransportError::Http("the response future was polled after it completed".into())
                });
                return Poll::Ready(Err(error));
            }
        };
        match Pin::new(sending).poll(cx) {
            Poll::Ready(Ok(response)) => {
                let (timer, idle, total) = (this.timer.take(), *this.idle, *this.total);
                return Poll::Ready(Ok(response.map(|body| TransportBody::new(body, timer, idle, total))));
            }
            Poll::Ready(Err(error)) => return Poll::Ready(Err(classify(error, *this.proxied))),
            Poll::Pending => {}
        }
        match this.timer.as_mut().map(|timer| timer.as_mut().poll(cx)) {
            Some(Poll::Ready(())) => {
                let total = this.total.is_some_and(|total| Instant::now() >= total);
                Poll::Ready(Err(if total { TransportError::Total } else { TransportError::FirstByte }))
            }
            _ => Poll::Pending,
        }
    }
}

impl std::fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").field("proxied", &self.proxied).finish_non_exhaustive()
    }
}

/// Which part of the path failed: the connection (to the proxy, if any) or the exchange.
fn classify(error: legacy::Error, proxied: bool) -> TransportError {
    match (error.is_connect(), proxied) {
        (true, true) => TransportError::Proxy(Box::new(error)),
        (true, false) => TransportError::Connect(Box::new(error)),
        (false, _) => TransportError::Http(Box::new(error)),
    }
}
