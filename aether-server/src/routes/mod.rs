//! The server's own routes (the gateway's live in [`crate::gateway`]).

pub mod meta;
pub mod models;
