//! The gateway's ingress routes (`/v1/messages`, `/v1/chat/completions`, …): a placeholder until the
//! tower stack lands here.

use crate::state::AppState;

/// The gateway's routes; none yet.
pub fn routes(state: &AppState) -> axum::Router {
    let _ = state;
    axum::Router::new()
}
