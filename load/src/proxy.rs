//! The stand-in server: a trivial forwarding proxy (`aether-load stand-in --upstream URL`, port from
//! `APP_PORT`) that answers `GET /health` and sends every other request, path and headers unchanged, to the
//! upstream. It exercises the whole tool (spawn, health, CPU, memory, "through" latency) before the gateway's
//! request path exists, and gives a floor to compare Aether with: the cost of one plain hyper hop.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response, StatusCode, Uri, header};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

type Forwarder = Client<HttpConnector, Incoming>;
type ProxyBody = Either<Incoming, Full<Bytes>>;

/// Serves until the process is killed.
pub(crate) async fn serve(upstream: Uri, port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Forwarder =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(usize::MAX).build(connector);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let client = client.clone();
        let upstream = upstream.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| forward(client.clone(), upstream.clone(), req));
            let _ =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn forward(
    client: Forwarder,
    upstream: Uri,
    mut req: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    if req.uri().path() == "/health" {
        return Ok(Response::new(Either::Right(Full::from(r#"{"status":"ok"}"#))));
    }
    let mut parts = upstream.into_parts();
    parts.path_and_query = req.uri().path_and_query().cloned();
    let Ok(uri) = Uri::from_parts(parts) else {
        return Ok(error(StatusCode::BAD_REQUEST));
    };
    *req.uri_mut() = uri;
    req.headers_mut().remove(header::HOST);
    match client.request(req).await {
        Ok(response) => Ok(response.map(Either::Left)),
        Err(_) => Ok(error(StatusCode::BAD_GATEWAY)),
    }
}

fn error(status: StatusCode) -> Response<ProxyBody> {
    let mut response = Response::new(Either::Right(Full::default()));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http_body_util::BodyExt;

    use super::*;
    use crate::driver::{self, Target};
    use crate::mock::{self, Mock};

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn the_stand_in_forwards_path_and_body_to_the_upstream() {
        let mock = Mock::start().unwrap();
        let port = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port();
        tokio::spawn(serve(mock.base_url().parse().unwrap(), port));
        let target = Target::new(
            &format!("http://127.0.0.1:{port}/v1/messages"),
            Vec::new(),
            Bytes::from_static(br#"{"model":"gpt-5","max_tokens":8,"messages":[],"stream":true}"#),
        )
        .unwrap();
        let client = driver::client();
        for _ in 0..100 {
            if let Ok(response) = client.request(target.request()).await {
                assert_eq!(response.status(), StatusCode::OK);
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(body, mock::MESSAGES_SSE);
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the stand-in never answered on port {port}");
    }
}
