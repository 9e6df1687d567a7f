//! The gateway's ingress: each API's routes turn a client request into an [`Inbound`] request with
//! its body read, and hand it to the tower stack of `aether-tower`.

use std::convert::Infallible;
use std::sync::Arc;

use aether_core::Timestamp;
use aether_core::WireFormat;
use aether_core::admission::InMemoryAdmission;
use aether_core::estimate;
use aether_core::pricing::PriceTable;
use aether_core::protocol::{PathParams, codec};
use aether_core::schedule::{Principal, Trace, TraceSink};
use aether_core::store::{RequestId, TraceRecord, UsageRecord};
use aether_store::BatchWriter;
use aether_tower::admission::AdmissionLayer;
use aether_tower::auth::{AuthLayer, Identity};
use aether_tower::failover::{FailoverLayer, Stores};
use aether_tower::meter::{MeterLayer, PriceSource, Recorder};
use aether_tower::route::RouteLayer;
use aether_tower::translate::{PrepareBody, TranslateLayer, embedded_error};
use aether_tower::{Body, GatewayError, Inbound, UpstreamTransport, full_body};
use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use tower::util::BoxCloneSyncService;
use tower::{Layer, ServiceBuilder, ServiceExt, service_fn};

use crate::routes::models::Shape;
use crate::state::{self, AppState, Catalogue};

/// The whole request path as one service.
type Stack = BoxCloneSyncService<http::Request<Bytes>, http::Response<Body>, Infallible>;

/// What the ingress handlers share.
struct Gateway {
    /// The generation calls.
    stack: Stack,
    /// Token counting: authenticated, never sent upstream.
    count: Stack,
    /// The largest body read.
    max_body_bytes: usize,
}

/// The gateway's routes, with their stack built over `state`'s layers and upstream transport.
pub fn routes(state: &AppState) -> Router {
    let gateway = Gateway {
        stack: state.layers.stack(state.transport.clone()),
        count: counting(state),
        max_body_bytes: state.config.server.max_body_bytes,
    };
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/responses", post(responses))
        .route("/v1/messages", post(messages))
        .route("/v1/messages/count_tokens", post(count_tokens))
        .route("/v1beta/models/{model}", post(gemini))
        .route("/v1/models/{model}", post(gemini))
        .with_state(Arc::new(gateway))
}

/// The request path's layers, built once and shared by the stack of every serving thread: the
/// credential cache, the admission counters and the scheduler's health, affinity and limits are the
/// same whichever thread a request lands on. Only the upstream transport is a thread's own.
#[derive(Clone)]
pub struct Layers {
    auth: AuthLayer,
    admission: AdmissionLayer,
    meter: MeterLayer,
    failover: FailoverLayer<PrepareBody>,
}

impl Layers {
    /// The layers over `stores`, writing usage and traces to `batch`, with the live `catalogue` and
    /// `prices`.
    pub fn new(
        stores: &state::Stores,
        batch: &Arc<BatchWriter>,
        catalogue: &Arc<Catalogue>,
        prices: &Arc<ArcSwap<PriceTable>>,
    ) -> Layers {
        let failover = Stores {
            snapshot: catalogue.clone(),
            traces: Arc::new(Batched(batch.clone())),
            ..Stores::in_memory(catalogue.snapshot())
        };
        let prices: Arc<dyn PriceSource> = Arc::new(Prices(prices.clone()));
        Layers {
            auth: AuthLayer::new(stores.accounts.clone()),
            admission: AdmissionLayer::new(Arc::new(InMemoryAdmission::default())).reserving(prices.clone()),
            meter: MeterLayer::new(Arc::new(Batched(batch.clone())), prices),
            failover: FailoverLayer::new(failover).prepare(PrepareBody).inspect(embedded_error),
        }
    }

    /// The request path over `transport`, outside in: one line per layer.
    fn stack(&self, transport: UpstreamTransport) -> Stack {
        let upstream = transport.map_request(|request: http::Request<Bytes>| request.map(Full::new));
        let service = ServiceBuilder::new()
            // Who is asking: the key's identity, cached.
            .layer(self.auth.clone())
            // What for: the body decoded once, the model and what it needs.
            .layer(RouteLayer)
            // Whether now: the key's and the user's limits, and the most it can cost reserved against quotas.
            .layer(self.admission.clone())
            // What it used and cost: one usage record per request, whatever happens to it.
            .layer(self.meter.clone())
            // The answer in the client's format.
            .layer(TranslateLayer)
            // Candidates in order until one commits; each body spliced or translated for its endpoint.
            .layer(self.failover.clone())
            .service(upstream);
        BoxCloneSyncService::new(service)
    }
}

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layers").field("auth", &self.auth).finish_non_exhaustive()
    }
}

/// `router` behind authentication: a valid key's [`Principal`] in each request's extensions, or
/// the caller's format's 401.
pub fn authenticated(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let auth = state.layers.auth.clone();
    router.layer(axum::middleware::from_fn(move |mut request: Request, next: axum::middleware::Next| {
        let auth = auth.clone();
        async move {
            let format = caller_format(request.headers(), request.uri());
            match auth.authenticate(request.headers(), request.uri().query()).await {
                Ok(Identity { principal, .. }) => {
                    request.extensions_mut().insert(Principal::clone(&principal));
                    next.run(request).await
                }
                Err(error) => into_axum(error.to_response(format)),
            }
        }
    }))
}

/// The format a caller of a format-neutral route (a model list) speaks, by its headers and path.
fn caller_format(headers: &http::HeaderMap, uri: &http::Uri) -> WireFormat {
    match Shape::of(headers, uri) {
        Shape::Gemini => WireFormat::Gemini,
        Shape::Anthropic => WireFormat::Anthropic,
        Shape::OpenAi => WireFormat::OpenAiChat,
    }
}

/// Token counting behind authentication.
fn counting(state: &AppState) -> Stack {
    let count =
        service_fn(|request: http::Request<Bytes>| async move { Ok::<_, Infallible>(count(&request)) });
    BoxCloneSyncService::new(state.layers.auth.layer(count))
}

/// `count_tokens` / `countTokens`: an estimate of the request's input (exact for OpenAI's encodings).
fn count(request: &http::Request<Bytes>) -> http::Response<Body> {
    let Some(inbound) = request.extensions().get::<Inbound>() else {
        return GatewayError::MissingCredential.to_response(WireFormat::OpenAiChat);
    };
    let parsed = match codec(inbound.format).decode_request(request.body(), &inbound.path) {
        Ok(parsed) => parsed,
        Err(error) => return GatewayError::from(error).to_response(inbound.format),
    };
    let tokens = estimate::request(&parsed).tokens;
    let body = match inbound.format {
        WireFormat::Gemini => serde_json::json!({ "totalTokens": tokens }),
        _ => serde_json::json!({ "input_tokens": tokens }),
    };
    let mut response = http::Response::new(full_body(body.to_string()));
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

async fn chat(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    ingress(&gateway.stack, Inbound::new(WireFormat::OpenAiChat), gateway.max_body_bytes, request).await
}

async fn responses(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    ingress(&gateway.stack, Inbound::new(WireFormat::OpenAiResponses), gateway.max_body_bytes, request).await
}

async fn messages(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    ingress(&gateway.stack, Inbound::new(WireFormat::Anthropic), gateway.max_body_bytes, request).await
}

async fn count_tokens(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    ingress(&gateway.count, Inbound::new(WireFormat::Anthropic), gateway.max_body_bytes, request).await
}

/// `models/{model}:{method}`: Gemini names the model and the call in the last path segment.
async fn gemini(State(gateway): State<Arc<Gateway>>, Path(call): Path<String>, request: Request) -> Response {
    let mut inbound = Inbound::new(WireFormat::Gemini);
    let Some((model, method)) = call.rsplit_once(':') else {
        let error = aether_core::ApiError::new(
            aether_core::ErrorKind::NotFound,
            format!("`{call}` is not a call: expected `models/{{model}}:generateContent`"),
        );
        return into_axum(aether_tower::error_response(WireFormat::Gemini, &error));
    };
    let stream = match method {
        "generateContent" => false,
        "streamGenerateContent" => true,
        "countTokens" => {
            inbound.path = PathParams { model: Some(model.to_owned()), stream: false };
            return ingress(&gateway.count, inbound, gateway.max_body_bytes, request).await;
        }
        other => {
            let error = aether_core::ApiError::new(
                aether_core::ErrorKind::NotFound,
                format!("`{other}` is not a Gemini method this gateway serves"),
            );
            return into_axum(aether_tower::error_response(WireFormat::Gemini, &error));
        }
    };
    let alt_sse = request.uri().query().is_some_and(|q| q.split('&').any(|pair| pair == "alt=sse"));
    inbound.path = PathParams { model: Some(model.to_owned()), stream };
    inbound.stream.json_array = stream && !alt_sse;
    ingress(&gateway.stack, inbound, gateway.max_body_bytes, request).await
}

/// Reads the body (at most `limit` bytes) and runs the request through `stack`.
async fn ingress(stack: &Stack, inbound: Inbound, limit: usize, request: Request) -> Response {
    let format = inbound.format;
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return into_axum(GatewayError::BodyTooLarge(limit).to_response(format));
        }
        Err(error) => return into_axum(GatewayError::Body(error).to_response(format)),
    };
    let id = inbound.id;
    let mut request = http::Request::from_parts(parts, bytes);
    request.extensions_mut().insert(inbound);
    let Ok(mut response) = stack.clone().oneshot(request).await;
    // Answers made before metering (a bad key, say) carry the request id too, for the log.
    if !response.headers().contains_key("x-request-id")
        && let Ok(id) = http::HeaderValue::from_str(id.hyphenated().as_str())
    {
        response.headers_mut().insert("x-request-id", id);
    }
    into_axum(response)
}

fn into_axum(response: http::Response<Body>) -> Response {
    response.map(axum::body::Body::new).into_response()
}

/// The batch writer as the meter's recorder and failover's trace sink: never blocks, and a record it
/// refuses (only after shutdown began) is logged rather than lost silently.
struct Batched(Arc<BatchWriter>);

impl Recorder for Batched {
    fn record(&self, record: UsageRecord) {
        if let Err(refused) = self.0.usage(record) {
            tracing::error!(?refused, "usage record refused after shutdown");
        }
    }
}

impl TraceSink for Batched {
    fn record(&self, request_id: RequestId, at: Timestamp, trace: Trace) {
        if let Err(refused) = self.0.trace(TraceRecord { request_id, at, trace }) {
            tracing::error!(?refused, "trace refused after shutdown");
        }
    }
}

/// The live price table.
struct Prices(Arc<ArcSwap<PriceTable>>);

impl PriceSource for Prices {
    fn load(&self) -> Arc<PriceTable> {
        self.0.load_full()
    }
}
