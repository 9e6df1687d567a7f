//! The router and the serving threads.

use std::future::Future;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{mpsc, watch};

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

/// Serves on `listeners` until SIGINT or SIGTERM, then drains the batch writer
/// ([`serve_threads`]).
pub async fn serve(state: AppState, listeners: Listeners) -> Result<(), Error> {
    serve_threads(state, listeners, shutdown_signal()).await
}

/// Listeners for the serving threads: one each, all on one address.
#[derive(Debug)]
pub struct Listeners(Vec<std::net::TcpListener>);

impl Listeners {
    /// `threads` listeners on `address`, all bound to one port with `SO_REUSEPORT` (the port the
    /// first was given, if `address` asks for any), so that the kernel spreads connections over them.
    /// Where ports cannot be shared (not Unix), one.
    pub fn bind(address: SocketAddr, threads: NonZeroUsize) -> Result<Listeners, Error> {
        let listening = |address: SocketAddr| {
            let socket = match address {
                SocketAddr::V4(_) => TcpSocket::new_v4(),
                SocketAddr::V6(_) => TcpSocket::new_v6(),
            }?;
            socket.set_reuseaddr(true)?;
            #[cfg(unix)]
            socket.set_reuseport(true)?;
            socket.bind(address)?;
            socket.listen(1024)?.into_std()
        };
        let threads = if cfg!(unix) { threads.get() } else { 1 };
        let failed = |address| move |e| Error::io(format!("listening on {address}"), e);
        let first = listening(address).map_err(failed(address))?;
        let address = first.local_addr().map_err(failed(address))?;
        let mut listeners = vec![first];
        for _ in 1..threads {
            listeners.push(listening(address).map_err(failed(address))?);
        }
        Ok(Listeners(listeners))
    }

    /// The address they listen on.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.0[0].local_addr().map_err(|e| Error::io("reading the bound address", e))
    }
}

/// Serves on `listeners`, a thread each, until `shutdown` completes or a thread fails; then lets
/// requests in flight finish, stops the refresh task and drains the batch writer.
///
/// Each thread runs a single-threaded runtime with its listener and an upstream pool of its own: a
/// request, its upstream call and the tasks that drive both connections stay on one thread, so no
/// wake-up on the way crosses to another core. The state behind the layers (credential cache,
/// counters, health) is shared. The refresh task and the batch writer run on the caller's runtime.
pub async fn serve_threads(
    state: AppState,
    listeners: Listeners,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Error> {
    let (stop, stopping) = watch::channel(false);
    let (done, mut finished) = mpsc::unbounded_channel();
    tracing::info!(address = %listeners.local_addr()?, threads = listeners.0.len(), "aether gateway listening");
    for (n, listener) in listeners.0.into_iter().enumerate() {
        let (state, stopping, done) = (state.clone(), stopping.clone(), done.clone());
        std::thread::Builder::new()
            .name(format!("aether-serve-{n}"))
            .spawn(move || {
                let _ = done.send(serve_thread(state, listener, stopping));
            })
            .map_err(|e| Error::io("starting a serving thread", e))?;
    }
    drop(done);
    let refresh = state.spawn_refresh();
    let first = tokio::select! {
        () = shutdown => None,
        result = finished.recv() => result,
    };
    let _ = stop.send(true);
    let mut served = first.unwrap_or(Ok(()));
    // Every thread sends its result, or drops its sender if it panicked.
    while let Some(result) = finished.recv().await {
        served = served.and(result);
    }
    refresh.abort();
    let drained = state.shutdown().await;
    served.and(drained)
}

/// One serving thread: its runtime, its upstream pool, the router over them, until `stopping`.
fn serve_thread(
    state: AppState,
    listener: std::net::TcpListener,
    mut stopping: watch::Receiver<bool>,
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting a serving thread's runtime", e))?;
    runtime.block_on(async move {
        tokio::spawn(heartbeat());
        let state = state.with_transport(crate::state::transport()?);
        let listener = TcpListener::from_std(listener).map_err(|e| Error::io("registering a listener", e))?;
        let stopped = async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        axum::serve(with_nodelay(listener), router(state))
            .with_graceful_shutdown(stopped)
            .await
            .map_err(|e| Error::io("serving", e))
    })
}

/// Keeps a timer due within a second on the thread's runtime, so that arming a request's upstream
/// timeouts does not wake the runtime's own driver: tokio signals its driver for every timer due
/// before the earliest one it parked for, even from the driver's own thread, which costs a write and
/// a return from `epoll_wait` per request. Runs until the runtime stops.
async fn heartbeat() {
    let mut beat = tokio::time::interval(Duration::from_secs(1));
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        beat.tick().await;
    }
}

/// Serves on `listener`, on the current runtime, until `shutdown` completes: stops accepting, lets
/// requests in flight finish, stops the refresh task and drains the batch writer. For a server
/// inside another program's runtime (and tests); [`serve_threads`] is the binary's.
pub async fn serve_until(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let refresh = state.spawn_refresh();
    let served =
        axum::serve(with_nodelay(listener), router(state.clone())).with_graceful_shutdown(shutdown).await;
    refresh.abort();
    let drained = state.shutdown().await;
    served.map_err(|e| Error::io("serving", e))?;
    drained
}

/// `listener`, with `TCP_NODELAY` set on each accepted socket.
fn with_nodelay(
    listener: TcpListener,
) -> impl axum::serve::Listener<Io = tokio::net::TcpStream, Addr = SocketAddr> {
    listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    })
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
