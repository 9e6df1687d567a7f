//! The router as a `Service`: meta routes, the model lists in each caller's shape, and the server
//! loop over a real socket.

mod common;

use aether_core::WireFormat;
use aether_core::catalogue::ProviderId;
use aether_core::schedule::{Principal, Restrictions};
use aether_server::{AppState, app};
use axum::body::Body;
use std::sync::atomic::{AtomicU64, Ordering};

use aether_core::store::{ClientKey, KeyHash};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use tower::util::MapRequestLayer;

async fn state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::open(common::config(dir.path())).await.expect("opens");
    (state, dir)
}

async fn call(router: axum::Router, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    (status, response.into_body().collect().await.expect("body").to_bytes().to_vec())
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::builder().method(Method::GET).uri(uri)
}

async fn json_of(router: axum::Router, request: Request<Body>) -> Value {
    let (status, body) = call(router, request).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("json")
}

/// The router, with every request authenticated by a new key holding `principal`'s restrictions.
async fn as_principal(state: &AppState, principal: Principal) -> axum::Router {
    static KEYS: AtomicU64 = AtomicU64::new(0);
    let secret = format!("sk-routes-test-{}", KEYS.fetch_add(1, Ordering::Relaxed));
    let restrictions = if principal.user == Restrictions::default() { principal.key } else { principal.user };
    let key = ClientKey { restrictions, ..ClientKey::new("test", KeyHash::of(&secret), "sk-rou") };
    state.stores.accounts.create_key(&key).await.expect("key created");
    let bearer = HeaderValue::try_from(format!("Bearer {secret}")).expect("header value");
    app::router(state.clone()).layer(MapRequestLayer::new(move |mut request: Request<Body>| {
        request.headers_mut().insert(header::AUTHORIZATION, bearer.clone());
        request
    }))
}

#[tokio::test]
async fn root_answers_get_and_head_without_auth() {
    let (state, _dir) = state().await;
    let (status, body) =
        call(app::router(state.clone()), get("/").body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("Aether"));
    let head = Request::builder().method(Method::HEAD).uri("/").body(Body::empty()).expect("request");
    let (status, body) = call(app::router(state), head).await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
}

#[tokio::test]
async fn health_and_ready() {
    let (state, _dir) = state().await;
    let health =
        json_of(app::router(state.clone()), get("/health").body(Body::empty()).expect("request")).await;
    assert_eq!(health, json!({"status": "ok"}));
    let (status, _) =
        call(app::router(state.clone()), get("/ready").body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::OK);

    state.shutdown().await.expect("closes the store");
    let (status, body) = call(app::router(state), get("/ready").body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test]
async fn openai_callers_get_the_openai_list_of_routable_models() {
    let (state, _dir) = state().await;
    let request =
        get("/v1/models").header("authorization", "Bearer sk-x").body(Body::empty()).expect("request");
    let list = json_of(as_principal(&state, Principal::new(1)).await, request).await;
    assert_eq!(
        list,
        json!({"object": "list", "data": [
            {"id": "claude-opus-4-8", "object": "model", "created": 0, "owned_by": "aether"},
            {"id": "gemini-2.5-pro", "object": "model", "created": 0, "owned_by": "aether"},
        ]}),
        "the model no provider serves is not listed, nor the alias"
    );
}

#[tokio::test]
async fn anthropic_callers_get_the_anthropic_list() {
    let (state, _dir) = state().await;
    for header in ["anthropic-version", "x-api-key"] {
        let request = get("/v1/models").header(header, "2023-06-01").body(Body::empty()).expect("request");
        let list = json_of(as_principal(&state, Principal::new(1)).await, request).await;
        assert_eq!(list["has_more"], json!(false));
        assert_eq!(
            (list["first_id"].as_str(), list["last_id"].as_str()),
            (Some("claude-opus-4-8"), Some("gemini-2.5-pro"))
        );
        assert_eq!(
            list["data"][0],
            json!({"type": "model", "id": "claude-opus-4-8", "display_name": "claude-opus-4-8", "created_at": "1970-01-01T00:00:00Z"})
        );
    }
}

#[tokio::test]
async fn gemini_callers_get_the_gemini_list() {
    let (state, _dir) = state().await;
    let requests = [
        get("/v1beta/models").body(Body::empty()),
        get("/v1/models").header("x-goog-api-key", "AIza").body(Body::empty()),
        get("/v1/models?key=AIza").body(Body::empty()),
    ];
    for request in requests {
        let list = json_of(as_principal(&state, Principal::new(1)).await, request.expect("request")).await;
        let models = list["models"].as_array().expect("models");
        assert_eq!(models.len(), 2);
        assert_eq!(
            models[1],
            json!({
                "name": "models/gemini-2.5-pro",
                "displayName": "gemini-2.5-pro",
                "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens"],
                "inputTokenLimit": 1048576,
            })
        );
    }
}

#[tokio::test]
async fn the_list_follows_the_principals_restrictions() {
    let (state, _dir) = state().await;
    let catalogue = state.stores.catalogue.load().await.expect("loads");
    let google: ProviderId = catalogue.providers.iter().find(|p| p.name == "google").expect("seeded").id;
    let ids = |list: Value| -> Vec<String> {
        list["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|m| m["id"].as_str().expect("id").to_owned())
            .collect()
    };

    let only_google = Principal {
        user: Restrictions { providers: Some(vec![google]), ..Restrictions::default() },
        ..Principal::new(1)
    };
    let request = get("/v1/models").body(Body::empty()).expect("request");
    assert_eq!(ids(json_of(as_principal(&state, only_google).await, request).await), ["gemini-2.5-pro"]);

    let opus_by_alias = Principal {
        key: Restrictions { models: Some(vec!["opus".into()]), ..Restrictions::default() },
        ..Principal::new(1)
    };
    let request = get("/v1/models").body(Body::empty()).expect("request");
    assert_eq!(ids(json_of(as_principal(&state, opus_by_alias).await, request).await), ["claude-opus-4-8"]);

    let no_gemini_format = Principal {
        key: Restrictions { formats: Some(vec![WireFormat::Anthropic]), ..Restrictions::default() },
        ..Principal::new(1)
    };
    let request = get("/v1/models").body(Body::empty()).expect("request");
    assert_eq!(
        ids(json_of(as_principal(&state, no_gemini_format).await, request).await),
        ["claude-opus-4-8"]
    );
}

#[tokio::test]
async fn one_model_by_name_or_alias_else_not_found_in_the_callers_shape() {
    let (state, _dir) = state().await;
    let request = get("/v1/models/opus").body(Body::empty()).expect("request");
    let model = json_of(as_principal(&state, Principal::new(1)).await, request).await;
    assert_eq!(model["id"], json!("claude-opus-4-8"));

    let request = get("/v1/models/unrouted-model").header("anthropic-version", "2023-06-01");
    let (status, body) =
        call(as_principal(&state, Principal::new(1)).await, request.body(Body::empty()).expect("request"))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["type"], json!("error"));
    assert_eq!(body["error"]["type"], json!("not_found_error"));
}

#[tokio::test]
async fn refresh_picks_up_store_changes() {
    let (state, _dir) = state().await;
    let before = state.catalogue.models().len();
    let model = aether_core::catalogue::GlobalModel::new("new-model");
    state.stores.catalogue.put_global_model(&model).await.expect("stores");
    assert_eq!(state.catalogue.models().len(), before, "not before a refresh");
    state.refresh().await.expect("refreshes");
    assert_eq!(state.catalogue.models().len(), before + 1);
    let snapshot = aether_tower::failover::SnapshotSource::load(&*state.catalogue);
    assert_eq!(snapshot.mode(), aether_core::schedule::Mode::GlobalKey, "compiled in the seeded mode");
}

/// A `GET /health` on a new connection: the whole answer.
async fn health_over_tcp(address: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connects");
    stream.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("reads");
    response
}

#[tokio::test]
async fn serve_answers_over_tcp_and_stops_on_the_signal() {
    let (state, _dir) = state().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app::serve_until(state, listener, async {
        let _ = stopped.await;
    }));

    let response = health_over_tcp(address).await;
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("{\"status\":\"ok\"}"), "{response}");

    stop.send(()).expect("server running");
    server.await.expect("joins").expect("shuts down cleanly");
}

#[tokio::test]
async fn serving_threads_share_one_port_and_stop_together() {
    let (state, _dir) = state().await;
    let threads = std::num::NonZeroUsize::new(3).expect("non-zero");
    let listeners = app::Listeners::bind("127.0.0.1:0".parse().expect("address"), threads).expect("binds");
    let address = listeners.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app::serve_threads(state, listeners, async {
        let _ = stopped.await;
    }));

    // Connections spread over the three listeners; each is answered.
    for _ in 0..12 {
        let response = health_over_tcp(address).await;
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    }

    stop.send(()).expect("server running");
    server.await.expect("joins").expect("shuts down cleanly");
    let refused = tokio::net::TcpStream::connect(address).await;
    assert!(refused.is_err(), "every listener is closed once serving has stopped");
}
