//! Anthropic `usage` ↔ [`Usage`]: Anthropic counts cache reads and writes apart from `input_tokens`, so
//! they map one to one; without the `cache_creation` split every cache write counts as a 5-minute one.
//! Thinking is inside `output_tokens` and not reported apart, so `reasoning` is never set (nor written).

use serde_json::{Map, Value};

use super::types::{CacheCreation, WireUsage};
use crate::Usage;

/// Normalises a wire `usage`.
pub(crate) fn from_wire(usage: &WireUsage) -> Usage {
    let (cache_write_5m, cache_write_1h) = match &usage.cache_creation {
        Some(split) => (split.ephemeral_5m_input_tokens, split.ephemeral_1h_input_tokens),
        None => (usage.cache_creation_input_tokens.unwrap_or(0), 0),
    };
    Usage {
        input: usage.input_tokens,
        output: usage.output_tokens,
        cache_read: usage.cache_read_input_tokens.unwrap_or(0),
        cache_write_5m,
        cache_write_1h,
        reasoning: 0,
    }
}

/// A full wire `usage` (cache counters and the TTL split always written), with `extra` members
/// (`server_tool_use`, `service_tier`, …) re-emitted.
pub(crate) fn to_wire(usage: Usage, extra: Map<String, Value>) -> WireUsage {
    WireUsage {
        input_tokens: usage.input,
        cache_creation_input_tokens: Some(usage.cache_write()),
        cache_read_input_tokens: Some(usage.cache_read),
        cache_creation: Some(CacheCreation {
            ephemeral_5m_input_tokens: usage.cache_write_5m,
            ephemeral_1h_input_tokens: usage.cache_write_1h,
        }),
        output_tokens: usage.output,
        extra,
    }
}

/// The usage of a whole response body, read without decoding the rest of it.
pub(crate) fn of_response(body: &[u8]) -> Option<Usage> {
    #[derive(serde::Deserialize)]
    struct Only {
        usage: Option<WireUsage>,
    }
    serde_json::from_slice::<Only>(body).ok()?.usage.as_ref().map(from_wire)
}
