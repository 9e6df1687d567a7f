//! OpenAI Responses (`POST /v1/responses`): requests, non-streaming responses, usage and errors.
//!
//! ```
//! use aether_core::protocol::{codec, PathParams};
//! use aether_core::ir::{Part, Role};
//! use aether_core::WireFormat;
//!
//! let body = br#"{"model":"gpt-5","instructions":"Be brief.","input":"Hi"}"#;
//! let request = codec(WireFormat::OpenAiResponses).decode_request(body, &PathParams::default())?;
//! assert_eq!(request.messages[0].role, Role::System);
//! assert!(matches!(&request.messages[1].content[0], Part::Text(t) if t.text == "Hi"));
//! let again = codec(WireFormat::OpenAiResponses).encode_request(request)?;
//! let json: serde_json::Value = serde_json::from_slice(&again)?;
//! assert_eq!(json["input"], "Hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Mapping
//! - `instructions` is a leading [`Role::System`](crate::ir::Role) message flagged as such (a private
//!   marker in its own-format `extra`), so that it is re-emitted as `instructions` while `system` /
//!   `developer` input messages stay messages. `input` as a string is one user text message, re-emitted
//!   as a string.
//! - Input items group into IR messages as described in `input.rs`: an assistant `message` with the
//!   `reasoning` / `function_call` items around it is one assistant message, consecutive
//!   `function_call_output` items are one user message of tool results (so other formats see ordinary
//!   turns with parallel calls together). `function_call.id` (`fc_…`) is `ToolCall::item_id`, `call_id` is
//!   `ToolCall::id`.
//! - `namespace` tools are flattened into function tools named `{namespace}--{name}`; a `function_call`
//!   with `namespace` is a call of that flattened name. Encoding a request regroups the namespace and
//!   splits calls of its functions; encoding a response (which has no tools list) splits any call name at
//!   its first `--`.
//! - `reasoning` items: `summary` texts, a single `reasoning_text` content as text, `encrypted_content`
//!   as an [`Opaque`](crate::ir::Opaque) of the OpenAI family.
//!
//! # Lossy mappings
//! | IR feature / Responses field | what happens |
//! |---|---|
//! | `Request::stop` (stop sequences) | dropped: Responses has none |
//! | `Sampling::top_k`, penalties, `seed` | dropped |
//! | `ToolResult::is_error` | dropped: `function_call_output` has no error flag |
//! | `ToolResult::name` | dropped |
//! | reasoning with another family's opaque artefact | the whole part is dropped (never forged) |
//! | reasoning without an item id (`rs_…`) in a request | dropped: input reasoning items need an id |
//! | `Reasoning::redacted` / Gemini signatures on text and calls | dropped |
//! | `ReasoningConfig::budget_tokens` | effort: 0 → `none`, ≤ 2,048 → `low`, ≤ 16,384 → `medium`, more → `high` |
//! | `ReasoningConfig` adaptive, or off without an effort | no `reasoning` member (the model default) |
//! | document with a plain-text source | sent as an `input_text` part |
//! | image with a plain-text source | rejected (`TranslateError::Unsupported`) |
//! | `Source::Url::media_type` | dropped |
//! | `Message::name` | dropped |
//! | `ToolOutput::Json` | sent as its JSON text |
//! | text part type (`input_text` / `output_text`) | derived from the role (assistant → `output_text`) |
//! | `Response::stop_sequence` | dropped; `StopSequence`, `ToolUse`, `Refusal`, `PauseTurn` → `completed` |
//! | `StopReason::ContextWindowExceeded` | `incomplete`, reason `max_output_tokens` |
//! | `StopReason::Other(r)` | status `r` when it is a Responses status, else `incomplete` with reason `r` |
//! | usage cache writes | counted in `input_tokens` (OpenAI has no cache writes) |
//! | media and tool results in a response | dropped |
//! | a missing `created_at` / response id | `0` / `resp_<created>` |
//! | built-in tools (`web_search`, `file_search`, `mcp`, `custom`, …) | `Tool::Native`: dropped by other formats |
//! | `tool_choice` allowed-tools or a built-in | kept in `extra`: other formats drop it (the model chooses freely) |
//! | unknown input items (`web_search_call`, `item_reference`, `custom_tool_call`, `compaction`, …) | `Part::Native` in a message of their own: dropped by other formats |
//! | unknown content parts | `Part::Native`: dropped by other formats |
//! | `include`, `store`, `truncation`, `service_tier`, `background`, `previous_response_id`, `conversation`, `prompt`, `client_metadata`, `stream_options`, `top_logprobs`, `max_tool_calls`, `text.verbosity`, other `reasoning` members | kept in `extra`: dropped by other formats |
//! | `annotations`, `logprobs`, item `status` | kept in `extra`: dropped by other formats |
//! | a plain function whose name contains `--` | a response's call of it is written as a namespaced call |
//! | two adjacent `namespace` tools with identical headers | merged into one |
//! | a response without `usage` | written with zero usage |
//! | `null` for an optional request member (`temperature: null`, …) | dropped |

mod error;
mod input;
mod parts;
mod request;
mod response;
mod shape;
mod tools;
mod types;
mod usage;

pub(crate) mod stream;
#[cfg(test)]
mod tests;

use crate::WireFormat;

codec!(
    /// The OpenAI Responses codec.
    OpenAiResponses,
    WireFormat::OpenAiResponses
);
