//! Responses `usage` ⇄ canonical [`Usage`](crate::Usage): `input_tokens` includes the cached tokens,
//! `output_tokens` includes the reasoning tokens (see [`crate::usage`]).

use super::types::{InputTokensDetails, OutputTokensDetails, Usage as Wire};
use crate::Usage;

/// Normalises a Responses `usage` object.
pub(crate) fn from_wire(wire: &Wire) -> Usage {
    let cached = wire.input_tokens_details.as_ref().map_or(0, |d| d.cached_tokens);
    let reasoning = wire.output_tokens_details.as_ref().map_or(0, |d| d.reasoning_tokens);
    Usage {
        input: wire.input_tokens.saturating_sub(cached),
        cache_read: cached,
        output: wire.output_tokens,
        reasoning,
        ..Usage::default()
    }
}

/// Renders canonical usage as a Responses `usage` object (cache writes count as input tokens).
pub(crate) fn to_wire(usage: &Usage) -> Wire {
    let input_tokens = usage.total_input();
    Wire {
        input_tokens,
        input_tokens_details: Some(InputTokensDetails { cached_tokens: usage.cache_read }),
        output_tokens: usage.output,
        output_tokens_details: Some(OutputTokensDetails { reasoning_tokens: usage.reasoning }),
        total_tokens: input_tokens + usage.output,
    }
}

/// The usage of a whole response body, read without decoding the rest of it.
pub(crate) fn of_response(body: &[u8]) -> Option<Usage> {
    #[derive(serde::Deserialize)]
    struct Only {
        usage: Option<Wire>,
    }
    serde_json::from_slice::<Only>(body).ok()?.usage.as_ref().map(from_wire)
}
