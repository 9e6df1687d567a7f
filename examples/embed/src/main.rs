//! Embeds the Aether gateway into an existing axum app: `POST /v1/messages` goes through
//! authentication, routing, admission, metering, translation and failover to Anthropic, next to the
//! app's own routes, with every store in memory.
//!
//! Run with: `ANTHROPIC_API_KEY=sk-ant-… cargo run -p aether-example-embed` (`ANTHROPIC_BASE_URL` points it
//! elsewhere), then
//! `curl localhost:3000/v1/messages -H 'x-api-key: sk-team-demo-key' -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}'`

use std::convert::Infallible;
use std::sync::Arc;

use aether_tower::admission::AdmissionLayer;
use aether_tower::auth::AuthLayer;
use aether_tower::core::WireFormat;
use aether_tower::core::admission::InMemoryAdmission;
use aether_tower::core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
use aether_tower::core::pricing::PriceTable;
use aether_tower::core::schedule::{Mode, Snapshot};
use aether_tower::core::store::{Accounts, ClientKey, InMemoryAccounts, KeyHash, UsageRecord};
use aether_tower::failover::{FailoverLayer, Stores};
use aether_tower::meter::{MeterLayer, Recorder};
use aether_tower::route::RouteLayer;
use aether_tower::translate::{PrepareBody, TranslateLayer, embedded_error};
use aether_tower::{Body, Inbound, UpstreamTransport};
use axum::Router;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use tower::util::BoxCloneSyncService;
use tower::{ServiceBuilder, ServiceExt};

type Gateway = BoxCloneSyncService<http::Request<Bytes>, http::Response<Body>, Infallible>;

/// Usage records, printed instead of stored.
struct Print;

impl Recorder for Print {
    fn record(&self, record: UsageRecord) {
        println!(
            "{} {} {} tokens in, {} out",
            record.request_id, record.model, record.usage.usage.input, record.usage.usage.output
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One provider, one key, one model.
    let mut catalogue = Catalogue::default();
    catalogue.providers.push(Provider::new(1, "anthropic"));
    let base_url = std::env::var("ANTHROPIC_BASE_URL").unwrap_or_else(|_| "https://api.anthropic.com".into());
    catalogue.endpoints.push(Endpoint::new(1, 1, WireFormat::Anthropic, base_url));
    catalogue.keys.push(ProviderKey::new(1, 1, std::env::var("ANTHROPIC_API_KEY").unwrap_or_default()));
    catalogue.global_models.push(GlobalModel::new("claude-sonnet-4-5"));
    catalogue.models.push(Model::new("claude-sonnet-4-5", 1, "claude-sonnet-4-5"));
    let snapshot = Arc::new(Snapshot::compile(&catalogue, Mode::Provider)?);

    // One team key.
    let accounts = Arc::new(InMemoryAccounts::default());
    accounts.create_key(&ClientKey::new("demo", KeyHash::of("sk-team-demo-key"), "sk-team")).await?;

    let upstream =
        UpstreamTransport::builder().build()?.map_request(|r: http::Request<Bytes>| r.map(Full::new));
    let gateway: Gateway = BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(AuthLayer::new(accounts))
            .layer(RouteLayer)
            .layer(AdmissionLayer::new(Arc::new(InMemoryAdmission::default())))
            .layer(MeterLayer::new(Arc::new(Print), Arc::new(Arc::new(PriceTable::new()))))
            .layer(TranslateLayer)
            .layer(
                FailoverLayer::new(Stores::in_memory(snapshot)).prepare(PrepareBody).inspect(embedded_error),
            )
            .service(upstream),
    );

    let app = Router::new()
        .route("/", get(|| async { "my app" }))
        .route("/v1/messages", post(messages))
        .with_state(gateway);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Reads the body, says the request speaks Anthropic, and hands it to the gateway.
async fn messages(State(gateway): State<Gateway>, request: Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return http::StatusCode::BAD_REQUEST.into_response();
    };
    let mut request = http::Request::from_parts(parts, body);
    request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
    match gateway.oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new).into_response(),
        Err(never) => match never {},
    }
}
