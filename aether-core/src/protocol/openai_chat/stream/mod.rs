//! Chat Completions streams (`stream: true`): `data: {chat.completion.chunk}` events, no event names,
//! ended by `data: [DONE]`.
//!
//! ```
//! use aether_core::WireFormat;
//! use aether_core::stream::Translator;
//!
//! // A DeepSeek-style stream re-spoken for a Chat client: the reasoning is dropped, the usage is held
//! // for a last chunk with no choices, then `[DONE]`.
//! let mut translator = Translator::new(WireFormat::OpenAiChat, WireFormat::OpenAiChat);
//! let mut out = Vec::new();
//! translator.feed(br#"data: {"id":"c1","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"reasoning_content":"Easy."}}]}
//!
//! data: {"id":"c1","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"4"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}}
//!
//! data: [DONE]
//!
//! "#, &mut out);
//! translator.finish(&mut out);
//! let text = String::from_utf8(out).unwrap();
//! assert!(!text.contains("Easy."));
//! assert!(text.contains(r#""delta":{"content":"4"}"#));
//! assert!(text.contains(r#""choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12"#));
//! assert!(text.ends_with("data: [DONE]\n\n"));
//! ```
//!
//! # Decoding
//! | Chat | stream event |
//! |---|---|
//! | the first chunk with a choice or usage | `Start` (`id`, `model`, `created`) |
//! | `delta.content`, `delta.refusal` | a `Text` block, kept open while text continues (a tool call does not close it) |
//! | `delta.reasoning_content` (DeepSeek, vLLM) or `delta.reasoning` (OpenRouter) | a `Reasoning { family: OpenAi }` block without an opaque artefact; text after it closes it, and it closes an open text block |
//! | a new `tool_calls[].index` (or a legacy `function_call`) | a `ToolCall` block (`id`, `name` from its first fragment; `call_<n>` when it has no id); later fragments go to it by that index |
//! | a tool call of another `type` (`custom`) | skipped with all its fragments; block indices stay dense |
//! | `finish_reason` | open blocks stop (a tool call that got no arguments gets `{}`), then `Stop`: `stop` → `EndTurn` (`Refusal` after a refusal), `length` → `MaxTokens`, `tool_calls` / `function_call` → `ToolUse`, `content_filter` → `ContentFilter`, others → `Other` |
//! | `usage` (on any chunk, usually the last with `choices: []`) | `Usage`, normalised (`prompt_tokens` includes `cached_tokens`) |
//! | `data: {"error": {...}}` | open blocks stop, then `Error` (kind from the error's `type` / `code`) |
//! | `data: [DONE]` | the terminal event; without a `finish_reason` before it, `Stop` is inferred (`ToolUse` after a tool call, else `EndTurn`) |
//! | choices other than index 0, chunks with neither choices nor usage (Azure's prompt-filter chunk), unknown members, malformed JSON | skipped |
//! | the input ends before `[DONE]` | open blocks stop, then `Error` |
//!
//! # Encoding
//! | stream event | Chat |
//! |---|---|
//! | `Start` | the first chunk, `delta: {"role": "assistant", "content": ""}`; every chunk repeats its `id` (`chatcmpl-…` when empty), `model` and `created` (0 when unknown) |
//! | `Text` deltas | `delta.content` |
//! | a `ToolCall` block | `tool_calls: [{index, id, type: "function", function: {name, arguments: ""}}]`, `index` counting tool calls only; its fragments `{index, function: {arguments}}`; `{}` when none came |
//! | `Reasoning` blocks (any family), `Opaque` deltas | dropped: Chat has no reasoning field. `reasoning_content` is a DeepSeek extension the OpenAI SDKs do not read; a client that kept it would send it back to an upstream that did not mint it |
//! | `Stop` | `delta: {}` with `finish_reason`: `EndTurn` / `StopSequence` / `PauseTurn` / `Refusal` → `stop`, `MaxTokens` / `ContextWindowExceeded` → `length`, `ToolUse` → `tool_calls`, `ContentFilter` → `content_filter`, `Other(s)` → `s` |
//! | `Usage` | held; at the end, with `include_usage` (the default), one chunk `choices: []` with the merged usage, when any came |
//! | the end, after `Stop` | `data: [DONE]` |
//! | `Error`, or the end without `Stop` | `data: {"error": {"message", "type", "param", "code"}}` and nothing more: the OpenAI SDKs raise `APIError` on it, whereas a stream that just ends (with or without `[DONE]`) looks complete to them |
//!
//! Round trip (decode → encode → decode) keeps every event except reasoning blocks (dropped, the blocks
//! after them renumbered), several `Usage` events (merged into one) and a refusal (read back as text,
//! stopping with `EndTurn`).

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub(crate) use decode::Decoder;
pub(crate) use encode::Encoder;
