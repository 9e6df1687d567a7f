//! `GET|HEAD /`, `/health` and `/ready`: answered without authentication.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

/// How long `/ready` waits for the store.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The meta routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(root)).route("/health", get(health)).route("/ready", get(ready))
}

/// A tiny body naming the gateway; `HEAD` gets the headers only (axum drops the body).
async fn root() -> &'static str {
    "Aether AI API gateway\n"
}

/// Alive: no I/O.
async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the store answers a cheap query in time.
async fn ready(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.stores.settings.settings()).await {
        Ok(Ok(_)) => Json(json!({"status": "ready"})).into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the store failed");
            unavailable("store unavailable")
        }
        Err(_) => unavailable("store timed out"),
    }
}

fn unavailable(reason: &str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": reason})))
        .into_response()
}
