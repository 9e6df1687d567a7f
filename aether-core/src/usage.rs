//! Canonical token usage, whatever format reported it.
//!
//! The formats disagree on what their counters include; each protocol module normalises into this one
//! shape and renders back out of it:
//!
//! | canonical        | OpenAI (Chat, Responses)                      | Anthropic                                  | Gemini                                   |
//! |------------------|-----------------------------------------------|--------------------------------------------|------------------------------------------|
//! | `input`          | prompt/input tokens − cached tokens           | `input_tokens`                             | `promptTokenCount` + `toolUsePromptTokenCount` − `cachedContentTokenCount` |
//! | `cache_read`     | `cached_tokens`                               | `cache_read_input_tokens`                  | `cachedContentTokenCount`                |
//! | `cache_write_5m` | —                                             | `cache_creation.ephemeral_5m_input_tokens` (or all of `cache_creation_input_tokens` without the split) | — |
//! | `cache_write_1h` | —                                             | `cache_creation.ephemeral_1h_input_tokens` | —                                        |
//! | `output`         | completion/output tokens (reasoning included) | `output_tokens` (thinking included)        | `candidatesTokenCount` + `thoughtsTokenCount` |
//! | `reasoning`      | `reasoning_tokens`                            | — (not reported separately)                | `thoughtsTokenCount`                     |
//!
//! `input`, `cache_read` and both cache writes are disjoint: the whole prompt is their sum
//! ([`Usage::total_input`]). `reasoning` is a part of `output`, not an addition to it.

/// Tokens used by one request, normalised (see the module docs for each format's mapping).
///
/// ```
/// use aether_core::Usage;
///
/// // OpenAI reported 1,000 prompt tokens of which 800 were cached.
/// let usage = Usage { input: 200, cache_read: 800, output: 50, ..Usage::default() };
/// assert_eq!(usage.total_input(), 1_000);
/// assert_eq!(usage.total(), 1_050);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    /// Prompt tokens that were neither read from nor written to a cache.
    pub input: u64,
    /// Generated tokens, reasoning included.
    pub output: u64,
    /// Prompt tokens read from a cache.
    pub cache_read: u64,
    /// Prompt tokens written to a cache that lives 5 minutes.
    pub cache_write_5m: u64,
    /// Prompt tokens written to a cache that lives 1 hour.
    pub cache_write_1h: u64,
    /// The part of `output` spent on reasoning, where the upstream reports it.
    pub reasoning: u64,
}

impl Usage {
    /// Prompt tokens written to any cache.
    pub const fn cache_write(&self) -> u64 {
        self.cache_write_5m + self.cache_write_1h
    }

    /// The whole prompt: uncached, cache reads and cache writes.
    pub const fn total_input(&self) -> u64 {
        self.input + self.cache_read + self.cache_write()
    }

    /// Prompt and output together.
    pub const fn total(&self) -> u64 {
        self.total_input() + self.output
    }
}
