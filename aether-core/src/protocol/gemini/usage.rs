//! `usageMetadata` ↔ [`Usage`], per the table in [`crate::usage`].
//!
//! `promptTokenCount` includes `cachedContentTokenCount`; `toolUsePromptTokenCount` (prompt tokens of
//! tool results fed back by built-in tools) counts as input; `thoughtsTokenCount` is not part of
//! `candidatesTokenCount`, so output is their sum.

use super::types::{Members, UsageMetadata};
use crate::Usage;

/// Normalises Gemini's counters.
pub(crate) fn to_usage(meta: &UsageMetadata) -> Usage {
    let prompt = meta.prompt_token_count.unwrap_or(0) + meta.tool_use_prompt_token_count.unwrap_or(0);
    let cached = meta.cached_content_token_count.unwrap_or(0);
    let thoughts = meta.thoughts_token_count.unwrap_or(0);
    Usage {
        input: prompt.saturating_sub(cached),
        output: meta.candidates_token_count.unwrap_or(0) + thoughts,
        cache_read: cached,
        reasoning: thoughts,
        ..Usage::default()
    }
}

/// Writes `usage` as Gemini counters. `tool_use` is the part of the prompt to report as
/// `toolUsePromptTokenCount` (only known when the usage came from Gemini); cache writes count as prompt.
pub(crate) fn from_usage(usage: &Usage, tool_use: Option<u64>, extra: Members) -> UsageMetadata {
    let prompt = usage.total_input().saturating_sub(tool_use.unwrap_or(0));
    let nonzero = |n: u64| (n > 0).then_some(n);
    UsageMetadata {
        prompt_token_count: Some(prompt),
        cached_content_token_count: nonzero(usage.cache_read),
        candidates_token_count: nonzero(usage.output.saturating_sub(usage.reasoning)),
        tool_use_prompt_token_count: tool_use,
        thoughts_token_count: nonzero(usage.reasoning),
        total_token_count: Some(usage.total()),
        extra,
    }
}

/// The usage of a whole response body, read without decoding the rest of it.
pub(crate) fn of_response(body: &[u8]) -> Option<Usage> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Only {
        usage_metadata: Option<UsageMetadata>,
    }
    serde_json::from_slice::<Only>(body).ok()?.usage_metadata.as_ref().map(to_usage)
}
