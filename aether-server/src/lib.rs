//! `aether-server`: the reference Aether gateway, an axum server over the `aether-tower` layers and
//! the `aether-store` backends.
//!
//! ```no_run
//! use aether_server::{AppState, app, config::{Config, process_env}};
//!
//! # async fn run() -> Result<(), aether_server::Error> {
//! let config = Config::load(None, &process_env)?;
//! let threads = config.server.threads(); // one per core unless configured
//! let listeners = app::Listeners::bind("127.0.0.1:8084".parse().unwrap(), threads)?;
//! let state = AppState::open(config).await?; // migrate, seed, load
//! app::serve(state, listeners).await // a runtime per thread, until SIGINT / SIGTERM
//! # }
//! ```
//!
//! # Layout
//! - [`cli`]: the commands; [`config`]: the file and environment; [`secrets`]: generated secrets,
//!   client keys, password hashes.
//! - [`state`]: [`AppState`], the stores and the live catalogue; [`seed`]: the config into the store.
//! - [`app`]: the router and the serving threads; [`routes`]: meta and model routes; [`log`]: the request
//!   log; [`gateway`]: the gateway's routes.

pub mod app;
pub mod cli;
pub mod config;
mod error;
pub mod gateway;
pub mod log;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod state;

pub use error::Error;
pub use state::AppState;
