//! OpenAI Chat Completions (`POST /v1/chat/completions`): requests and non-streaming responses.
//!
//! ```
//! use aether_core::ir::{Part, Role};
//! use aether_core::protocol::{PathParams, codec};
//! use aether_core::WireFormat;
//!
//! let chat = codec(WireFormat::OpenAiChat);
//! let body = br#"{"model":"gpt-5","messages":[
//!     {"role":"developer","content":"Be brief."},
//!     {"role":"user","content":"Hi"}],"max_completion_tokens":256}"#;
//! let request = chat.decode_request(body, &PathParams::default())?;
//! assert_eq!(request.messages[0].role, Role::Developer);
//! assert_eq!(request.max_output_tokens, Some(256));
//! assert!(matches!(&request.messages[1].content[0], Part::Text(t) if t.text == "Hi"));
//!
//! let again: serde_json::Value = serde_json::from_slice(&chat.encode_request(request)?)?;
//! assert_eq!(again, serde_json::from_slice::<serde_json::Value>(body)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Shapes kept for a faithful round trip
//! - Content is written as a string when it is one plain text part (no unmodelled members), and as an
//!   array of parts otherwise. Content that came as an array the rule would write as a string is marked in
//!   the message's `extra` (`"content": []`), and an explicit `"content": null` or `"refusal": null` is kept
//!   there too.
//! - An assistant refusal is written in the `refusal` member, unless the content is an array, where it is
//!   a `refusal` part in place.
//! - `max_tokens` (legacy) and `max_completion_tokens` both decode to `max_output_tokens`; a request that
//!   used `max_tokens` keeps it as a marker in `extra` and is written back with `max_tokens`. IR from other
//!   formats is written with `max_completion_tokens`.
//! - `stop` given as a string is written back as a string; IR from other formats writes an array.
//! - `safety_identifier` stays in `extra` and also fills [`Request::user`](crate::ir::Request) when `user`
//!   is absent; it is then written back as `safety_identifier` alone.
//! - `"stream": false` is kept in `extra`.
//!
//! # Lossy mappings
//! | IR feature or Chat field | what happens |
//! |---|---|
//! | `Part::Reasoning` (any family, opaque artefacts included) | dropped on encode: Chat has no field for reasoning; a message left empty is omitted |
//! | Gemini `thoughtSignature` on text and tool calls, Responses `item_id`, message `id` | dropped |
//! | `ToolResult.is_error` | dropped: Chat tool messages have no error flag; the result's text is sent exactly |
//! | `ToolOutput::Json(v)` | sent as `v`'s JSON text |
//! | `ToolResult.name` | dropped |
//! | images / inline or file-id documents inside a tool result | moved to a `user` message right after the run of `tool` messages (a tool message takes text only) |
//! | text parts after tool results in the same IR user message | a `user` message after the `tool` messages |
//! | `Source::Text` documents | folded into a text part |
//! | documents by URL, images by file id | rejected (`Unsupported`) |
//! | `top_k`, `ReasoningConfig.summary`, `adaptive` | dropped |
//! | `ReasoningConfig.budget_tokens` without an effort | `reasoning_effort` by table: under 4,096 `low`, under 16,384 `medium`, else `high`; 0 sends nothing |
//! | `ReasoningConfig.enabled: Some(false)` without an effort | no `reasoning_effort` (`none` is refused by models before gpt-5.1) |
//! | `Effort::Max` | `xhigh` |
//! | a JSON schema without a name | named `response` |
//! | `StopReason::StopSequence`, `Refusal`, `PauseTurn` | `finish_reason: "stop"` (`stop_sequence` dropped) |
//! | `StopReason::ContextWindowExceeded` | `finish_reason: "length"` |
//! | `StopReason::Other(s)` | `finish_reason: s` |
//! | several text parts in a response | concatenated into `content` |
//! | media in a response | dropped |
//! | response usage cache writes (`cache_write_5m/1h`) | counted in `prompt_tokens` only |
//! | `Extra` / `Native` / `Tool::Native` of another format | dropped |
//! | Chat: `input_audio` parts, unknown part types, `custom` (and unknown) tools and tool calls | `Part::Native` / `Tool::Native`: re-emitted by Chat, dropped by other formats |
//! | Chat: `n`, `logprobs`, `top_logprobs`, `logit_bias`, `stream_options`, `service_tier`, `store`, `verbosity`, `modalities`, `audio`, `prediction`, `web_search_options`, `functions`, `function_call`, `safety_identifier`, and any unknown member | request `extra`: re-emitted by Chat, dropped by other formats |
//! | Chat: `tool_choice` `allowed_tools` / named `custom`, unknown `reasoning_effort`, `response_format` of unknown type | request `extra` (the IR field is left unset) |
//! | Chat: assistant `reasoning_content`, `audio`, `function_call`, `annotations`; tool message `name` | message `extra` |
//! | a Chat `Part::Native` with an `id` member (a `custom` tool call) | written in `tool_calls`, not in `content` |
//! | Chat: role `function` (deprecated) or an unknown role | rejected (`Invalid`): send `tool` messages |
//! | Chat: response choices after the first (`n` > 1) | kept in the response `extra` for Chat, dropped by other formats |
//! | Chat: `finish_reason: "function_call"` and unknown reasons | `StopReason::Other` |
//! | Chat: `system_fingerprint`, `service_tier`, `logprobs`, usage `audio_tokens` / prediction tokens | response `extra` |
//! | Chat: empty tool-call `arguments` | `{}` |
//! | Chat: `file_data` that is plain base64, not a `data:` URL | read as `application/pdf`, written back as a `data:` URL |
//! | Chat: explicit `null` for other members, `tool_calls: []`, a response without `usage` or its details | normalised: nulls and empty arrays are left out, usage and its details are written with zeros |
//! | Chat: both `max_tokens` and `max_completion_tokens` | `max_completion_tokens` wins, `max_tokens` is dropped |

mod content;
mod error;
mod extra;
mod messages;
mod request;
mod response;
mod tools;
mod types;
mod usage;

pub(crate) mod stream;
#[cfg(test)]
mod tests;

use crate::WireFormat;

codec!(
    /// The OpenAI Chat Completions codec.
    OpenAiChat,
    WireFormat::OpenAiChat
);
