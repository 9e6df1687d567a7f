//! `usage` ↔ [`Usage`]: `prompt_tokens` includes `cached_tokens`, and `completion_tokens` includes
//! `reasoning_tokens` (see [`crate::usage`]).

use serde_json::{Map, Value};

use super::extra::{nest, take_object, without};
use super::types::{CompletionDetails, PromptDetails, WireUsage};
use crate::Usage;

/// Normalises a Chat `usage` object; its unmodelled members (`audio_tokens`, prediction tokens, …) are
/// returned as a partial object to keep in the response's `extra`.
pub(crate) fn decode(wire: WireUsage) -> (Usage, Map<String, Value>) {
    let WireUsage {
        prompt_tokens, completion_tokens, prompt_tokens_details, completion_tokens_details, ..
    } = wire;
    let mut extra = wire.extra;
    let prompt = prompt_tokens_details.unwrap_or_default();
    let completion = completion_tokens_details.unwrap_or_default();
    nest(&mut extra, "prompt_tokens_details", prompt.extra);
    nest(&mut extra, "completion_tokens_details", completion.extra);
    let usage =
        normalise(prompt_tokens, prompt.cached_tokens, completion_tokens, completion.reasoning_tokens);
    (usage, extra)
}

fn normalise(prompt_tokens: u64, cached_tokens: u64, completion_tokens: u64, reasoning_tokens: u64) -> Usage {
    Usage {
        input: prompt_tokens.saturating_sub(cached_tokens),
        cache_read: cached_tokens,
        output: completion_tokens,
        reasoning: reasoning_tokens,
        ..Usage::default()
    }
}

/// Writes `usage` as Chat reports it: the whole prompt (cache reads and writes included) in
/// `prompt_tokens`, cache reads in `cached_tokens`, reasoning in `reasoning_tokens`; `extra` is a partial
/// object kept by [`decode`].
pub(crate) fn encode(usage: &Usage, mut extra: Map<String, Value>) -> WireUsage {
    let prompt = take_object(&mut extra, "prompt_tokens_details");
    let completion = take_object(&mut extra, "completion_tokens_details");
    let prompt_tokens = usage.total_input();
    WireUsage {
        prompt_tokens,
        completion_tokens: usage.output,
        total_tokens: prompt_tokens + usage.output,
        prompt_tokens_details: Some(PromptDetails {
            cached_tokens: usage.cache_read,
            extra: without(prompt, &["cached_tokens"]),
        }),
        completion_tokens_details: Some(CompletionDetails {
            reasoning_tokens: usage.reasoning,
            extra: without(completion, &["reasoning_tokens"]),
        }),
        extra: without(
            extra,
            &[
                "prompt_tokens",
                "completion_tokens",
                "total_tokens",
                "prompt_tokens_details",
                "completion_tokens_details",
            ],
        ),
    }
}

/// The usage of a whole response body, read without decoding the rest of it, nor the members of
/// `usage` that only [`decode`] keeps.
pub(crate) fn of_response(body: &[u8]) -> Option<Usage> {
    #[derive(serde::Deserialize)]
    struct Only {
        usage: Option<Counts>,
    }
    #[derive(serde::Deserialize)]
    struct Counts {
        #[serde(default)]
        prompt_tokens: u64,
        #[serde(default)]
        completion_tokens: u64,
        prompt_tokens_details: Option<Details>,
        completion_tokens_details: Option<Details>,
    }
    #[derive(Default, serde::Deserialize)]
    struct Details {
        #[serde(default)]
        cached_tokens: u64,
        #[serde(default)]
        reasoning_tokens: u64,
    }
    let counts = serde_json::from_slice::<Only>(body).ok()?.usage?;
    let prompt = counts.prompt_tokens_details.unwrap_or_default();
    let completion = counts.completion_tokens_details.unwrap_or_default();
    Some(normalise(
        counts.prompt_tokens,
        prompt.cached_tokens,
        counts.completion_tokens,
        completion.reasoning_tokens,
    ))
}
