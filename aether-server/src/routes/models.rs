//! `GET /v1/models`, `GET /v1beta/models` and `GET /v1/models/{model}`: the global models the caller
//! may use, in the caller's own API shape.
//!
//! The shape follows the caller: the `/v1beta/` path, an `x-goog-api-key` header or a `key` query
//! parameter mean Gemini; an `anthropic-version` or `x-api-key` header means Anthropic; anything else
//! gets OpenAI's list.

use std::time::SystemTime;

use aether_core::catalogue::GlobalModel;
use aether_core::schedule::{NoState, Principal, RouteRequest, SkipReason, Snapshot, View};
use aether_core::{Timestamp, WireFormat};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

/// The model routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/models", get(list))
        .route("/v1beta/models", get(list))
        .route("/v1/models/{model}", get(one))
}

/// The list shape a caller expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `{"object":"list","data":[…]}`.
    OpenAi,
    /// `{"data":[…],"has_more":false,"first_id","last_id"}`.
    Anthropic,
    /// `{"models":[…]}`.
    Gemini,
}

impl Shape {
    /// The shape for a request with these headers to this URI.
    pub fn of(headers: &HeaderMap, uri: &Uri) -> Shape {
        let gemini_query = uri.query().is_some_and(|q| q.split('&').any(|pair| pair.starts_with("key=")));
        if uri.path().starts_with("/v1beta/") || uri.path() == "/v1beta" {
            Shape::Gemini
        } else if headers.contains_key("anthropic-version") || headers.contains_key("x-api-key") {
            Shape::Anthropic
        } else if headers.contains_key("x-goog-api-key") || gemini_query {
            Shape::Gemini
        } else {
            Shape::OpenAi
        }
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.catalogue.snapshot();
    let models = state.catalogue.models();
    let visible: Vec<&GlobalModel> =
        models.iter().filter(|m| usable(&snapshot, &principal, &m.name)).collect();
    Json(list_body(Shape::of(&headers, &uri), &visible)).into_response()
}

async fn one(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(model): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let shape = Shape::of(&headers, &uri);
    let snapshot = state.catalogue.snapshot();
    let models = state.catalogue.models();
    let name = model.strip_prefix("models/").unwrap_or(&model);
    let found = snapshot
        .canonical_model(name)
        .and_then(|canonical| models.iter().find(|m| m.name == canonical))
        .filter(|m| usable(&snapshot, &principal, &m.name));
    match found {
        Some(model) => Json(entry(shape, model)).into_response(),
        None => not_found(shape, name),
    }
}

/// Whether `principal` may ask for `model` and some provider can serve it for them, in any format.
pub fn usable(snapshot: &Snapshot, principal: &Principal, model: &str) -> bool {
    let now = Timestamp::from_system_time(SystemTime::now());
    let view = View { now, affinity: None, health: &NoState, spend: &NoState };
    WireFormat::ALL.into_iter().any(|format| {
        let request = RouteRequest::new(format, model);
        let Ok(mut candidates) = snapshot.candidates(principal, &request, view) else { return false };
        candidates.any(|c| {
            !matches!(
                c.skip,
                Some(SkipReason::ProviderNotAllowed | SkipReason::FormatNotAllowed(_) | SkipReason::Expired)
            )
        })
    })
}

/// The list body in `shape`.
pub fn list_body(shape: Shape, models: &[&GlobalModel]) -> Value {
    let entries: Vec<Value> = models.iter().map(|m| entry(shape, m)).collect();
    match shape {
        Shape::OpenAi => json!({"object": "list", "data": entries}),
        Shape::Anthropic => json!({
            "data": entries,
            "has_more": false,
            "first_id": models.first().map(|m| m.name.as_str()),
            "last_id": models.last().map(|m| m.name.as_str()),
        }),
        Shape::Gemini => json!({"models": entries}),
    }
}

/// One model in `shape`. No release date is known: OpenAI's `created` is 0 and Anthropic's
/// `created_at` the epoch, as Anthropic documents for an unknown date.
fn entry(shape: Shape, model: &GlobalModel) -> Value {
    match shape {
        Shape::OpenAi => json!({"id": model.name, "object": "model", "created": 0, "owned_by": "aether"}),
        Shape::Anthropic => json!({
            "type": "model",
            "id": model.name,
            "display_name": model.name,
            "created_at": "1970-01-01T00:00:00Z",
        }),
        Shape::Gemini => json!({
            "name": format!("models/{}", model.name),
            "displayName": model.name,
            "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens"],
            "inputTokenLimit": model.features.context_window,
        }),
    }
}

fn not_found(shape: Shape, model: &str) -> Response {
    let message = format!("model `{model}` not found");
    let body = match shape {
        Shape::OpenAi => json!({"error": {
            "message": message, "type": "invalid_request_error", "param": "model", "code": "model_not_found",
        }}),
        Shape::Anthropic => {
            json!({"type": "error", "error": {"type": "not_found_error", "message": message}})
        }
        Shape::Gemini => json!({"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}),
    };
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}
