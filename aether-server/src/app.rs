//! The router and the server loop.

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::log::{RequestLog, log_requests};
use crate::routes::{meta, models};
use crate::state::AppState;
use crate::{Error, gateway};

/// Every route, with the request log and body limit around them.
pub fn router(state: AppState) -> Router {
    // Model lists answer only to a valid key, and list what it may use.
    let models = gateway::authenticated(models::routes(), &state);
    let own = Router::new().merge(meta::routes()).merge(models).with_state(state.clone());
    let router = own.merge(gateway::routes(&state));
    // Extractors refuse bodies past the configured size.
    let router = router.layer(DefaultBodyLimit::max(state.config.server.max_body_bytes));
    match state.config.server.request_log.is_some_and(|log| log.level().is_none()) {
        true => router,
        // Outermost, so that it sees the final status and latency.
        false => router.layer(axum::middleware::from_fn_with_state(
            RequestLog {
                settings: state.settings.clone(),
                max_body_bytes: state.config.server.max_body_bytes,
            },
            log_requests,
        )),
    }
}

/// Serves until SIGINT or SIGTERM, then drains the batch writer.
pub async fn serve(state: AppState, listener: TcpListener) -> Result<(), Error> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serves until `shutdown` completes: stops accepting, lets requests in flight finish, stops the
/// refresh task and drains the batch writer. Accepted sockets get `TCP_NODELAY`.
pub async fn serve_until(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let refresh = state.spawn_refresh();
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, router(state.clone())).with_graceful_shutdown(shutdown).await;
    refresh.abort();
    let drained = state.shutdown().await;
    served.map_err(|e| Error::io("serving", e))?;
    drained
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
