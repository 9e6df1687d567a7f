//! Connections: direct (TCP, then TLS for `https`), or through an endpoint's HTTP proxy.
//!
//! Through a proxy, an `https` upstream gets a `CONNECT` tunnel ([`Tunnel`], hyperium's own, the one
//! reqwest uses) with TLS to the upstream inside it; an `http` upstream gets a plain connection to
//! the proxy, marked as proxied so the client writes absolute-form request targets.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use tokio::net::TcpStream;
use tower::Service;

use super::TransportError;
use crate::BoxError;

/// An endpoint's proxy, parsed once when its client is made.
#[derive(Clone, Debug)]
pub(super) struct Proxy {
    /// `http://host:port`.
    uri: Uri,
    /// `Proxy-Authorization` from the URL's `user:pass@`.
    pub(super) auth: Option<HeaderValue>,
}

impl Proxy {
    /// Parses `http://[user:pass@]host:port` (a missing scheme means `http`).
    pub(super) fn parse(url: &str) -> Result<Proxy, TransportError> {
        let invalid = |why: &str| TransportError::Proxy(format!("invalid proxy URL: {why}").into());
        // hyper-util's matcher parses proxy URLs as reqwest does (percent-decoded credentials).
        let intercept = Matcher::builder()
            .all(url)
            .build()
            .intercept(&Uri::from_static("http://upstream.invalid"))
            .ok_or_else(|| invalid("expected http://[user:pass@]host:port"))?;
        if intercept.uri().scheme_str() != Some("http") {
            return Err(invalid("only http:// proxies are supported"));
        }
        Ok(Proxy { uri: intercept.uri().clone(), auth: intercept.basic_auth().cloned() })
    }
}

/// How one pooled client connects: directly, or through one proxy.
#[derive(Clone)]
pub(super) enum Connector {
    /// TCP to the upstream, TLS for `https`.
    Direct(HttpsConnector<HttpConnector>),
    /// Through an HTTP proxy.
    Proxied(Box<Proxied>),
}

/// The connectors of a client that goes through a proxy.
#[derive(Clone)]
pub(super) struct Proxied {
    /// `CONNECT` to the proxy, then TLS (for `https` upstreams).
    tunnel: HttpsConnector<Tunnel<HttpConnector>>,
    /// TCP to the proxy (for `http` upstreams).
    forward: HttpConnector,
    /// The proxy's address.
    proxy: Uri,
}

impl Connector {
    pub(super) fn new(
        tls: &Arc<ClientConfig>,
        http2_only: bool,
        connect: Option<Duration>,
        proxy: Option<&Proxy>,
    ) -> Connector {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect);
        match proxy {
            None => Connector::Direct(https(tls, http2_only, tcp.clone())),
            Some(proxy) => {
                let mut tunnel = Tunnel::new(proxy.uri.clone(), tcp.clone());
                if let Some(auth) = &proxy.auth {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let tunnel = https(tls, http2_only, tunnel);
                Connector::Proxied(Box::new(Proxied { tunnel, forward: tcp, proxy: proxy.uri.clone() }))
            }
        }
    }
}

/// TLS (ALPN `h2` and `http/1.1`, or `h2` alone) over `inner`, plain for `http` URLs.
fn https<C>(tls: &Arc<ClientConfig>, http2_only: bool, inner: C) -> HttpsConnector<C> {
    let builder = HttpsConnectorBuilder::new().with_tls_config(ClientConfig::clone(tls)).https_or_http();
    if http2_only {
        builder.enable_http2().wrap_connector(inner)
    } else {
        builder.enable_all_versions().wrap_connector(inner)
    }
}

/// A connection future (boxed: once per new connection, not per request).
pub(super) type Connecting = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Both connectors are always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Connecting {
        match self {
            Connector::Direct(direct) => {
                let connecting = direct.call(dst);
                Box::pin(async move { Ok(Conn::Stream(connecting.await?)) })
            }
            Connector::Proxied(proxied) if dst.scheme_str() == Some("https") => {
                let connecting = proxied.tunnel.call(dst);
                Box::pin(async move { Ok(Conn::Stream(connecting.await?)) })
            }
            Connector::Proxied(proxied) => {
                let connecting = proxied.forward.call(proxied.proxy.clone());
                Box::pin(async move { Ok(Conn::Forward(connecting.await?)) })
            }
        }
    }
}

/// A connection the pool holds.
#[expect(
    clippy::large_enum_variant,
    reason = "the TLS stream is the common case; boxing it would add an indirection to every read and write"
)]
pub(super) enum Conn {
    /// To the upstream, TLS or not (possibly inside a tunnel).
    Stream(MaybeHttpsStream<TokioIo<TcpStream>>),
    /// To a proxy that forwards absolute-form requests.
    Forward(TokioIo<TcpStream>),
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        match self {
            Conn::Stream(stream) => stream.connected(),
            Conn::Forward(stream) => stream.connected().proxy(true),
        }
    }
}

impl Read for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: ReadBufCursor<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Stream(stream) => Pin::new(stream).poll_read(cx, buf),
            Conn::Forward(stream) => Pin::new(stream).poll_read(cx, buf),
        }
    }
}

impl Write for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Stream(stream) => Pin::new(stream).poll_write(cx, buf),
            Conn::Forward(stream) => Pin::new(stream).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Stream(stream) => Pin::new(stream).poll_flush(cx),
            Conn::Forward(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Stream(stream) => Pin::new(stream).poll_shutdown(cx),
            Conn::Forward(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Stream(stream) => stream.is_write_vectored(),
            Conn::Forward(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Stream(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Conn::Forward(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_url_gives_its_address_and_basic_credentials() {
        let proxy = Proxy::parse("http://Aladdin:open%20sesame@127.0.0.1:3128").expect("valid");
        assert_eq!(proxy.uri.authority().map(|a| a.as_str()), Some("127.0.0.1:3128"));
        let auth = proxy.auth.expect("credentials");
        assert_eq!(auth, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(auth.is_sensitive());
        assert!(Proxy::parse("127.0.0.1:3128").expect("scheme defaults to http").auth.is_none());
    }

    #[test]
    fn a_proxy_that_is_not_plain_http_is_refused() {
        for url in ["https://proxy.test:443", "socks5://proxy.test:1080", "http://"] {
            let error = Proxy::parse(url).expect_err(url);
            assert_eq!(error.kind(), "proxy", "{url}");
        }
    }
}
