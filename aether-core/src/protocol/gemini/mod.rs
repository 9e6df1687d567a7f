//! The Gemini API wire format: `POST /v1beta/models/{model}:generateContent` and
//! `:streamGenerateContent` request bodies, the non-streaming `GenerateContentResponse`, its usage and
//! its error body.
//!
//! The model and the streaming mode live in the URL: [`Codec::decode_request`](crate::protocol::Codec::decode_request) takes them from
//! [`PathParams`](crate::protocol::PathParams) (a missing model is an error) and [`Codec::encode_request`](crate::protocol::Codec::encode_request) writes neither.
//!
//! ```
//! use aether_core::protocol::{codec, PathParams};
//! use aether_core::WireFormat;
//!
//! let body = br#"{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}"#;
//! let path = PathParams { model: Some("gemini-3.8-flash".into()), stream: true };
//! let request = codec(WireFormat::Gemini).decode_request(body, &path)?;
//! assert_eq!((request.model.as_str(), request.stream), ("gemini-3.8-flash", true));
//! let out: serde_json::Value = serde_json::from_slice(&codec(WireFormat::Gemini).encode_request(request)?)?;
//! assert_eq!(out["contents"][0]["parts"][0]["text"], "Hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Mapping notes
//! - `systemInstruction` decodes into one leading system message (its `role`, if any, is kept as a
//!   Gemini extra). A `content` without `role` is a user turn.
//! - Parts: `text` (a thought with `thought: true`), `inlineData` (`image/*` is an image, anything else a
//!   document), `fileData` (a URL source), `functionCall`, `functionResponse`. `executableCode`,
//!   `codeExecutionResult`, `videoMetadata` and unknown parts are native. A `thoughtSignature` is the
//!   reasoning's, text's or call's opaque artefact (family Google).
//! - A `functionCall` without `id` gets `call_<n>`, `n` counting the function calls of the request (or
//!   response) from 0. A `functionResponse` without `id` answers the earliest unanswered earlier call of
//!   its name. `response` of exactly `{"output": "…"}` is text, exactly `{"error": "…"}` is error text, any
//!   other object is JSON. Function-response media (`parts[].inlineData`) become image/document parts.
//! - Function declarations' `parameters` (OpenAPI, upper-case types) and `parametersJsonSchema` are
//!   lowered to JSON-schema types; `responseSchema` / `responseJsonSchema` likewise. A schema that was
//!   upper-case or under an OpenAPI key is re-emitted exactly as received under its own key; schemas
//!   from other formats are written as `parametersJsonSchema` / `responseJsonSchema`.
//! - `toolConfig.functionCallingConfig`: `AUTO` ⇔ auto, `NONE` ⇔ none, `ANY` ⇔ required, `ANY` with one
//!   allowed name ⇔ that tool. `VALIDATED` reads as auto, `ANY` with several names as required, and those
//!   keep their `mode` / `allowedFunctionNames` for Gemini.
//! - `thinkingConfig`: `thinkingBudget` -1 ⇔ adaptive, 0 ⇔ reasoning off, n > 0 ⇔ a budget of n;
//!   `thinkingLevel` `MINIMAL`/`LOW`/`MEDIUM`/`HIGH` ⇔ the same effort (`Max` is written `HIGH`, `None`
//!   as `thinkingBudget: 0`); `includeThoughts: true` ⇔ summary `auto` (any summary writes `true`).
//!   When an effort is set only `thinkingLevel` is written (Gemini rejects both together).
//! - Finish reasons: `STOP` is end of turn, or tool use when the candidate has function calls;
//!   `MAX_TOKENS`; `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `IMAGE_*` are a
//!   content filter; others are kept as they are. A `promptFeedback.blockReason` with no candidate is a
//!   content filter. Written back: end turn, tool use, stop sequence and refusal → `STOP`; max tokens and
//!   context exhausted → `MAX_TOKENS`; content filter → `SAFETY`; pause turn → `OTHER`. A refusal is
//!   `STOP`, not `SAFETY`: Gemini's `SAFETY` means its filter flagged the candidate, while a refusal is
//!   ordinary model text (written as a text part).
//! - Consecutive user messages holding only tool results (OpenAI's one `tool` message per call) share
//!   one `user` content, so a batch of parallel calls is answered in one turn.
//!
//! # Thought signatures
//! Gemini 3 validates the `thoughtSignature` of the first `functionCall` part of every step of the
//! current turn and answers 400 when it is missing; later calls of a parallel batch carry none
//! (<https://ai.google.dev/gemini-api/docs/thought-signatures>). For calls it did not sign (history from
//! another model, injected calls), the docs' FAQ gives the dummy values `context_engineering_is_the_way_to_go`
//! or `skip_thought_signature_validator`; Vertex AI documents only the latter, and Gemini CLI sends it. So
//! the encoder writes a Google signature byte-exact where the IR has one, and gives the first
//! `functionCall` of each `model` content that has none `thoughtSignature: "skip_thought_signature_validator"`
//! (requests only; never a forged signature, and other families' signatures are never sent). The value is
//! written as that JSON string, as Gemini CLI sends it.
//!
//! # Lossy mappings
//! | IR feature / Gemini field | what happens |
//! |---|---|
//! | system/developer messages mid-conversation | folded, in order, into `systemInstruction` |
//! | another family's opaque reasoning (signature, encrypted content) | the whole reasoning part is dropped |
//! | reasoning with no opaque artefact | written as a `thought: true` text part when it has text, dropped otherwise |
//! | reasoning summaries, ids, `redacted` | dropped |
//! | a tool call without a Google signature | first call of each model turn gets the validator-skip value |
//! | tool results with text and media | text joined by newlines into `response.output` (`error` when failed); base64 media into `functionResponse.parts`; media by URL or file id is rejected |
//! | tool result without a name whose call is unknown | rejected (`functionResponse.name` is required) |
//! | tool-call arguments that are not a JSON object | rejected |
//! | media by file id (another provider's file store) | rejected |
//! | text document sources | written as a text part |
//! | media `name`, image `detail` | dropped |
//! | refusal parts | written as text |
//! | function tool `strict`; JSON-schema `name`, `description`, `strict` | dropped |
//! | `parallel_tool_calls`, `user`, `cache_key`, `metadata` | dropped (Gemini has none) |
//! | a budget together with an effort | only `thinkingLevel` is written |
//! | other formats' `Extra` / `Native` parts and tools | dropped |
//! | messages left with no parts (e.g. only foreign reasoning) | omitted |
//! | consecutive `user` contents holding only function responses | merged into one content |
//! | an empty `generationConfig` / `toolConfig` object | not written back |
//! | candidates after the first | kept for Gemini only; other formats see the first |
//! | `createTime`, `promptFeedback`, `safetyRatings`, `citationMetadata`, usage details | kept for Gemini only |
//! | response `created` (Unix time) from other formats | dropped |
//! | cache writes in usage | counted in `promptTokenCount` (Gemini has no cache-write counter) |
//! | a `functionCall` / `functionResponse` without `id` | gets `call_<n>`, written back with that `id` |
//! | a `content` without `role` | written back as `"role": "user"` |
//! | a `functionCall` without `args` | written back with `"args": {}` |
//! | several `functionDeclarations` entries | merged into one (consecutive function tools share an entry) |
//! | a finish reason `OTHER`-like value unknown to the IR | kept as `Other`, written back as received |
//! | an empty candidate `content` | omitted when written back |

mod config;
mod error;
mod parts;
mod request;
mod response;
mod schema;
mod types;
mod usage;

pub(crate) mod stream;
#[cfg(test)]
mod tests;

use crate::WireFormat;

codec!(
    /// The Gemini codec.
    Gemini,
    WireFormat::Gemini
);
