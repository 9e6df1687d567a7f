//! The Anthropic Messages format (`POST /v1/messages`): requests, non-streaming responses, error bodies and
//! usage.
//!
//! ```
//! use aether_core::ir::{Part, Role};
//! use aether_core::protocol::{codec, PathParams};
//! use aether_core::WireFormat;
//!
//! let body = br#"{"model":"claude-opus-4-8","max_tokens":1024,"system":"Be brief.",
//!                 "messages":[{"role":"user","content":"Hi"}]}"#;
//! let anthropic = codec(WireFormat::Anthropic);
//! let request = anthropic.decode_request(body, &PathParams::default())?;
//! assert_eq!(request.messages[0].role, Role::System);
//! assert!(matches!(&request.messages[1].content[0], Part::Text(t) if t.text == "Hi"));
//!
//! let json: serde_json::Value = serde_json::from_slice(&anthropic.encode_request(request)?)?;
//! assert_eq!(json["system"], "Be brief.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Mapping
//! - `system` (a string, or text blocks with `cache_control`) is one leading [`Role::System`](crate::ir::Role::System) message with
//!   a text part per block. A `role: "system"` message inside `messages` (beta
//!   `mid-conversation-system-2026-04-07`, sent by Claude Code) is a `Role::System` message in place.
//! - When encoding, **every** system/developer message is folded into the top-level `system`, in order:
//!   leading ones first, then later ones appended. `system` is a string when that gives exactly one text
//!   part without extra fields, blocks otherwise. A decoded request with a mid-conversation system message
//!   therefore re-encodes with that text moved to the end of `system`.
//! - Content is a string exactly when it is one text part without extra fields (messages, `system`,
//!   `tool_result.content`); `[{"type":"text","text":"hi"}]` re-encodes as `"hi"`.
//! - `thinking` ↔ [`ReasoningConfig`](crate::ir::ReasoningConfig) (`enabled` + `budget_tokens`, `disabled`,
//!   `adaptive`), `output_config.effort` ↔ its effort. An IR asking for enabled thinking without a budget
//!   gets [`effort_budget`] of its effort. `max_tokens` is required: without one in the IR the encoder
//!   sends [`DEFAULT_MAX_TOKENS`] plus the thinking budget.
//! - With thinking `enabled`, an assistant turn that calls a tool must start with a signed thinking block,
//!   or the API rejects the request. When the history cannot satisfy that (it was translated from another
//!   family), the encoder sends no `thinking`.
//! - `metadata.user_id` ↔ [`Request::user`](crate::ir::Request::user) (Claude Code sends a JSON document
//!   as that string; it stays text).
//! - `tool_choice.disable_parallel_tool_use` is the negation of `parallel_tool_calls`;
//!   `parallel_tool_calls: Some(false)` without a choice becomes `{"type":"auto",
//!   "disable_parallel_tool_use":true}`.
//! - Unmodelled members of `thinking`, `output_config`, `metadata` (and a `thinking` / `tool_choice` /
//!   `output_config.format` of an unknown type) are kept in the request's `extra` under their object's key
//!   and merged back into that object.
//!
//! # Lossy mappings
//! | IR feature or Anthropic field | what happens |
//! |---|---|
//! | mid-conversation system/developer message | folded into the top-level `system` (appended, in order) |
//! | non-text parts of a system/developer message | dropped (`system` holds text blocks only) |
//! | `Role::Developer` | treated as `System` |
//! | `Part::Refusal` | a text block |
//! | reasoning of another family (OpenAI encrypted content, Gemini thought signatures), or without a signature | dropped, text included |
//! | Gemini `signature` on text or tool calls | dropped |
//! | `ToolOutput::Json(v)` | `tool_result.content` = one text block holding `v`'s JSON text |
//! | tool call arguments that are not a JSON object | rejected (`TranslateError::Invalid` at `…input`) |
//! | reasoning, tool calls or tool results inside a tool result | dropped |
//! | an image with a plain-text source | rejected (`TranslateError::Invalid`) |
//! | `Source::Url` media type | dropped (Anthropic URL sources have none) |
//! | `Media::detail`, `Message::id`, `Message::name`, `ToolResult::name`, `ToolCall::item_id` | dropped |
//! | a message whose every part was dropped | dropped |
//! | `Request::metadata`, `cache_key`, `presence_penalty`, `frequency_penalty`, `seed` | dropped |
//! | `ReasoningConfig::summary` | dropped (`thinking.display` is kept only as this format's extra) |
//! | effort `minimal` | `low`; effort `none` → `thinking: {"type":"disabled"}` |
//! | an effort spent on a budget (enabled thinking without a budget) | no `output_config.effort` |
//! | `thinking` when history has an unsigned assistant tool call | dropped (see Mapping) |
//! | `ResponseFormat::JsonObject` | `output_config.format` with the permissive schema `{"type":"object"}` |
//! | JSON schema `name`, `description`, `strict` | dropped |
//! | `Extra` / `Native` parts and tools of another format | dropped |
//! | `stream: false`, `is_error: false`, empty `stop_sequences`, empty `tool_result.content` | omitted |
//! | a known block that does not match its schema (a new source type) | kept whole as `Part::Native` |
//! | response `created` | dropped (Anthropic has none) |
//! | `Usage::reasoning` | dropped (Anthropic reports no thinking count) |
//! | response usage | always written in full: both cache counters and the `cache_creation` TTL split |
//! | stop reason `ContentFilter` | `refusal`; another format's own reason is written as spelt |
//! | error `request_id` | dropped when parsing, not written when rendering |

mod content;
mod error;
mod request;
mod response;
mod settings;
mod types;
mod usage;

pub(crate) mod stream;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use error::OVERLOADED_STATUS;
pub use settings::{DEFAULT_MAX_TOKENS, MIN_BUDGET_TOKENS, effort_budget};

use crate::WireFormat;
use crate::ir::Extra;

const FORMAT: WireFormat = WireFormat::Anthropic;

/// This format's own unmodelled fields of `extra`, taken by value (another format's are dropped).
fn own(extra: Extra) -> Map<String, Value> {
    if extra.format == Some(FORMAT) { extra.fields } else { Map::new() }
}

codec!(
    /// The Anthropic Messages codec.
    Anthropic,
    WireFormat::Anthropic
);
