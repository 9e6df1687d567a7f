//! The upstream transport on real loopback sockets: a small hyper server answering JSON and paced
//! SSE, a TLS server with a throwaway certificate, and a tiny HTTP proxy that records what it is
//! asked. No internet.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aether_core::WireFormat;
use aether_core::catalogue::{
    Catalogue, Endpoint, EndpointId, GlobalModel, KeyId, Model, Multiplier, Provider, ProviderId,
    ProviderKey, Timeouts,
};
use aether_core::schedule::{Capabilities, Mode, Principal, RouteRequest, Snapshot, Target};
use aether_tower::failover::{Attempt, FailoverLayer, Routing, Stores};
use aether_tower::transport::{TransportError, UpstreamTransport};
use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::channel::Channel;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer, ServiceExt};

type ServerBody = UnsyncBoxBody<Bytes, Infallible>;

/// What the test upstream answers, by path.
async fn handle(request: Request<Incoming>) -> Result<Response<ServerBody>, Infallible> {
    let json = |body: &'static str| {
        Response::builder()
            .header("content-type", "application/json")
            .header("x-upstream", "loopback")
            .body(Full::new(Bytes::from_static(body.as_bytes())).boxed_unsync())
            .unwrap_or_default()
    };
    let path = request.uri().path().to_owned();
    let response = match path.as_str() {
        "/slow-head" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            json(r#"{"late":true}"#)
        }
        // Three events 20 ms apart.
        "/sse" => stream(|mut tx| async move {
            for n in 0..3 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = tx.send_data(Bytes::from(format!("data: {{\"n\":{n}}}\n\n"))).await;
            }
        }),
        // Ten events written at once.
        "/burst" => {
            let (mut tx, body) = Channel::<Bytes>::new(16);
            for n in 0..10 {
                let _ = tx.try_send(http_body::Frame::data(Bytes::from(format!("data: {{\"n\":{n}}}\n\n"))));
            }
            drop(tx);
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(body.boxed_unsync())
                .unwrap_or_default()
        }
        // One event, then nothing for long.
        "/stall" => stream(|mut tx| async move {
            let _ = tx.send_data(Bytes::from_static(b"data: {\"n\":0}\n\n")).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        }),
        // A byte every 50 ms for 2 s: never idle long, always slow.
        "/trickle" => stream(|mut tx| async move {
            for _ in 0..40 {
                if tx.send_data(Bytes::from_static(b".")).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }),
        _ => json(r#"{"ok":true}"#),
    };
    Ok(response)
}

/// An SSE response whose body `produce` writes.
fn stream<F, Fut>(produce: F) -> Response<ServerBody>
where
    F: FnOnce(http_body_util::channel::Sender<Bytes>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, body) = Channel::<Bytes>::new(1);
    tokio::spawn(produce(tx));
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(body.boxed_unsync())
        .unwrap_or_default()
}

async fn serve<I>(io: I, h2: bool)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let service = service_fn(handle);
    let _ = if h2 {
        hyper::server::conn::http2::Builder::new(TokioExecutor::new()).serve_connection(io, service).await
    } else {
        hyper::server::conn::http1::Builder::new().serve_connection(io, service).await
    };
}

/// The loopback upstream, counting the connections it accepted.
struct Upstream {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl Upstream {
    async fn start(h2: bool) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, h2));
            }
        });
        Upstream { addr, accepted }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A TLS upstream for `localhost` with a fresh self-signed certificate, offering `h2` by ALPN when
/// asked; returns its port and certificate.
async fn tls_upstream(h2: bool) -> (u16, rustls::pki_types::CertificateDer<'static>) {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .expect("server config");
    config.alpn_protocols =
        if h2 { vec![b"h2".to_vec(), b"http/1.1".to_vec()] } else { vec![b"http/1.1".to_vec()] };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                    serve(tls, h2).await;
                }
            });
        }
    });
    (port, certificate)
}

/// A tiny HTTP proxy: `CONNECT` tunnels, anything else is forwarded to the absolute-form target.
/// It records each connection's request head.
struct TestProxy {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    async fn start() -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, seen.clone()));
            }
        });
        TestProxy { addr, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("lock").clone()
    }
}

async fn relay(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    let mut buffer = Vec::new();
    let end = loop {
        let mut chunk = [0; 4096];
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    seen.lock().expect("lock").push(head.clone());
    let mut line = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (line.next().unwrap_or_default(), line.next().unwrap_or_default());
    let mut upstream = if method == "CONNECT" {
        let Ok(upstream) = TcpStream::connect(target).await else { return };
        if client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.is_err() {
            return;
        }
        upstream
    } else {
        let Some(authority) = target.parse::<http::Uri>().ok().and_then(|uri| uri.authority().cloned())
        else {
            return;
        };
        let Ok(upstream) = TcpStream::connect(authority.as_str()).await else { return };
        upstream
    };
    let pending = if method == "CONNECT" { &buffer[end..] } else { &buffer[..] };
    if upstream.write_all(pending).await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

fn attempt(timeouts: Timeouts, proxy: Option<String>) -> Attempt {
    Attempt {
        target: Target { provider: ProviderId(1), endpoint: EndpointId(1), key: KeyId(1) },
        client_format: WireFormat::Anthropic,
        format: WireFormat::Anthropic,
        model: "m".to_owned(),
        upstream_model: "m-1".to_owned(),
        cross_format: false,
        capabilities: Capabilities::NONE,
        stream: true,
        timeouts,
        proxy,
        rate_multiplier: Multiplier::ONE,
    }
}

fn get(url: &str, attempt: Option<Attempt>) -> Request<Empty<Bytes>> {
    let mut request = Request::get(url).body(Empty::new()).expect("request");
    if let Some(attempt) = attempt {
        request.extensions_mut().insert(attempt);
    }
    request
}

fn transport() -> UpstreamTransport {
    UpstreamTransport::builder().build().expect("transport")
}

fn ms(n: u64) -> Option<Duration> {
    Some(Duration::from_millis(n))
}

#[tokio::test]
async fn a_response_passes_through_with_headers_and_body() {
    let upstream = Upstream::start(false).await;
    let response = transport().oneshot(get(&upstream.url("/json"), None)).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-upstream"], "loopback");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
}

#[tokio::test]
async fn a_paced_stream_arrives_frame_by_frame() {
    let upstream = Upstream::start(false).await;
    let limits = Timeouts { idle: ms(500), ..Timeouts::default() };
    let request = get(&upstream.url("/sse"), Some(attempt(limits, None)));
    let mut body = transport().oneshot(request).await.expect("response").into_body();
    let mut events = Vec::new();
    while let Some(frame) = body.frame().await {
        let data = frame.expect("no error").into_data().expect("data");
        events.push(String::from_utf8_lossy(&data).into_owned());
    }
    assert_eq!(events, ["data: {\"n\":0}\n\n", "data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n"]);
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let upstream = Upstream::start(false).await;
    let transport = transport();
    for _ in 0..2 {
        let response = transport.clone().oneshot(get(&upstream.url("/json"), None)).await.expect("response");
        response.into_body().collect().await.expect("body");
        // Let the connection go back to the pool, as between two real requests.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(upstream.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_late_head_fails_with_first_byte() {
    let upstream = Upstream::start(false).await;
    let limits = Timeouts { first_byte: ms(100), ..Timeouts::default() };
    let request = get(&upstream.url("/slow-head"), Some(attempt(limits, None)));
    let error = transport().oneshot(request).await.expect_err("too late");
    assert!(matches!(error, TransportError::FirstByte), "{error}");
    assert!(error.retryable());
    assert_eq!(error.kind(), "first_byte_timeout");
}

#[tokio::test]
async fn the_transport_defaults_apply_to_a_request_without_an_attempt() {
    let upstream = Upstream::start(false).await;
    let defaults = Timeouts { first_byte: ms(100), ..aether_tower::transport::DEFAULT_TIMEOUTS };
    let transport = UpstreamTransport::builder().timeouts(defaults).build().expect("transport");
    let error = transport.oneshot(get(&upstream.url("/slow-head"), None)).await.expect_err("too late");
    assert!(matches!(error, TransportError::FirstByte), "{error}");
}

#[tokio::test]
async fn a_stream_that_stalls_fails_with_idle() {
    let upstream = Upstream::start(false).await;
    let limits = Timeouts { idle: ms(150), ..Timeouts::default() };
    let request = get(&upstream.url("/stall"), Some(attempt(limits, None)));
    let mut body = transport().oneshot(request).await.expect("response").into_body();
    let first = body.frame().await.expect("a frame").expect("data");
    assert_eq!(first.into_data().expect("data"), "data: {\"n\":0}\n\n");
    let error = body.frame().await.expect("an error").expect_err("stalled");
    assert!(matches!(error, TransportError::Idle), "{error}");
    assert!(error.retryable());
    assert!(body.frame().await.is_none(), "the body ends after its error");
}

#[tokio::test]
async fn a_trickle_that_never_stalls_fails_with_total() {
    let upstream = Upstream::start(false).await;
    let limits = Timeouts { idle: ms(500), total: ms(800), ..Timeouts::default() };
    let request = get(&upstream.url("/trickle"), Some(attempt(limits, None)));
    let mut body = transport().oneshot(request).await.expect("response").into_body();
    let mut frames = 0;
    let error = loop {
        match body.frame().await.expect("ends with an error") {
            Ok(_) => frames += 1,
            Err(error) => break error,
        }
    };
    assert!(matches!(error, TransportError::Total), "{error}");
    assert!(frames >= 3, "bytes flowed before the limit ({frames} frames)");
}

#[tokio::test]
async fn a_closed_port_is_a_retryable_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let error = transport().oneshot(get(&format!("http://{addr}/json"), None)).await.expect_err("refused");
    assert!(matches!(error, TransportError::Connect(_)), "{error}");
    assert!(error.retryable());
    assert_eq!(error.kind(), "connect");
    assert!(error.to_string().contains("refused"), "the cause is in the message: {error}");
}

#[tokio::test]
async fn an_http_upstream_is_reached_through_the_proxy_in_absolute_form() {
    let upstream = Upstream::start(false).await;
    let proxy = TestProxy::start().await;
    let url = format!("http://user:secret@{}", proxy.addr);
    let request = get(&upstream.url("/json"), Some(attempt(Timeouts::default(), Some(url))));
    let response = transport().oneshot(request).await.expect("response");
    assert_eq!(response.headers()["x-upstream"], "loopback");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with(&format!("GET {} HTTP/1.1\r\n", upstream.url("/json"))), "{}", heads[0]);
    // base64("user:secret")
    assert!(
        heads[0].to_ascii_lowercase().contains("proxy-authorization: basic dxnlcjpzzwnyzxq="),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn an_https_upstream_is_tunnelled_through_the_proxy_with_connect() {
    let (port, certificate) = tls_upstream(false).await;
    let proxy = TestProxy::start().await;
    let transport = UpstreamTransport::builder().root_certificate(certificate).build().expect("transport");
    let url = format!("http://user:secret@{}", proxy.addr);
    let request =
        get(&format!("https://localhost:{port}/json"), Some(attempt(Timeouts::default(), Some(url))));
    let response = transport.oneshot(request).await.expect("response");
    assert_eq!(response.headers()["x-upstream"], "loopback");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1\r\n")), "{}", heads[0]);
    assert!(
        heads[0].to_ascii_lowercase().contains("proxy-authorization: basic dxnlcjpzzwnyzxq="),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn an_https_upstream_is_reached_directly_over_tls() {
    let (port, certificate) = tls_upstream(false).await;
    let transport = UpstreamTransport::builder().root_certificate(certificate).build().expect("transport");
    let response =
        transport.oneshot(get(&format!("https://localhost:{port}/json"), None)).await.expect("response");
    assert_eq!(response.version(), Version::HTTP_11, "ALPN picked http/1.1, all the server offers");
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
}

#[tokio::test]
async fn an_https_upstream_that_offers_h2_is_spoken_to_in_h2() {
    let (port, certificate) = tls_upstream(true).await;
    let transport = UpstreamTransport::builder().root_certificate(certificate).build().expect("transport");
    let response =
        transport.oneshot(get(&format!("https://localhost:{port}/json"), None)).await.expect("response");
    assert_eq!(response.version(), Version::HTTP_2);
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_connect_error() {
    let (port, _) = tls_upstream(false).await;
    let error = transport()
        .oneshot(get(&format!("https://localhost:{port}/json"), None))
        .await
        .expect_err("untrusted");
    assert!(matches!(error, TransportError::Connect(_)), "{error}");
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_proxy_error() {
    let upstream = Upstream::start(false).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let closed = listener.local_addr().expect("addr");
    drop(listener);
    for url in [upstream.url("/json"), "https://localhost:1/json".to_owned()] {
        let request = get(&url, Some(attempt(Timeouts::default(), Some(format!("http://{closed}")))));
        let error = transport().oneshot(request).await.expect_err("no proxy there");
        assert!(matches!(error, TransportError::Proxy(_)), "{url}: {error}");
        assert!(error.retryable());
    }
    let request =
        get(&upstream.url("/json"), Some(attempt(Timeouts::default(), Some("socks5://x:1".into()))));
    let error = transport().oneshot(request).await.expect_err("unsupported proxy");
    assert_eq!(error.kind(), "proxy");
}

#[tokio::test]
async fn an_h2_upstream_is_spoken_to_with_prior_knowledge_when_http2_only() {
    let upstream = Upstream::start(true).await;
    let transport = UpstreamTransport::builder().http2_only(true).build().expect("transport");
    for _ in 0..2 {
        let response = transport.clone().oneshot(get(&upstream.url("/sse"), None)).await.expect("response");
        assert_eq!(response.version(), Version::HTTP_2);
        let body = response.into_body().collect().await.expect("body").to_bytes();
        assert!(body.starts_with(b"data: {\"n\":0}"));
    }
    assert_eq!(upstream.accepted.load(Ordering::SeqCst), 1, "streams share one h2 connection");
}

#[tokio::test]
async fn failover_over_the_transport_moves_past_a_dead_endpoint() {
    let upstream = Upstream::start(false).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let closed = listener.local_addr().expect("addr");
    drop(listener);
    let mut catalogue = Catalogue::default();
    catalogue.providers.push(Provider::new(1, "dead"));
    catalogue.providers.push(Provider { priority: 1, ..Provider::new(2, "live") });
    catalogue.endpoints.push(Endpoint::new(10, 1, WireFormat::Anthropic, format!("http://{closed}")));
    catalogue.endpoints.push(Endpoint::new(
        20,
        2,
        WireFormat::Anthropic,
        format!("http://{}", upstream.addr),
    ));
    catalogue.keys.push(ProviderKey::new(11, 1, "sk-dead"));
    catalogue.keys.push(ProviderKey::new(21, 2, "sk-live"));
    catalogue.global_models.push(GlobalModel::new("m"));
    catalogue.models.push(Model::new("m", 1, "m"));
    catalogue.models.push(Model::new("m", 2, "m"));
    let snapshot = Arc::new(Snapshot::compile(&catalogue, Mode::Provider).expect("compiles"));
    let gateway = FailoverLayer::new(Stores::in_memory(snapshot)).layer(transport());

    let mut request =
        Request::post("/v1/messages").body(Full::new(Bytes::from_static(b"{}"))).expect("request");
    let route = RouteRequest::new(WireFormat::Anthropic, "m");
    request.extensions_mut().insert(Routing { principal: Principal::new(7), request: route });
    let response = gateway.oneshot(request).await.expect("the live endpoint answers");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body, r#"{"ok":true}"#);
}

#[tokio::test(flavor = "current_thread")]
async fn a_burst_read_at_once_is_handed_on_in_two_frames_when_coalesced() {
    let upstream = Upstream::start(false).await;
    let transport = transport();
    let request = Request::get(upstream.url("/burst")).body(Empty::<Bytes>::new()).expect("request");
    let response = transport.oneshot(request).await.expect("answered");
    let mut body = aether_tower::coalesce::Coalesce::new(response.into_body());
    // Read by a task, as a server's connection task reads a response body.
    let frames = tokio::spawn(async move {
        let mut frames = Vec::new();
        while let Some(frame) = body.frame().await {
            frames.push(frame.expect("frame").into_data().expect("data"));
        }
        frames
    });
    let frames = frames.await.expect("read");
    let sent: String = (0..10).map(|n| format!("data: {{\"n\":{n}}}\n\n")).collect();
    assert_eq!(frames.concat(), sent.as_bytes());
    // The first goes with the head; the nine decoded while it yielded, together.
    assert_eq!(frames.len(), 2, "{frames:?}");
}
