//! The Responses stream: SSE events ⇄ [`StreamEvent`](crate::stream::StreamEvent)s.
//!
//! Every event is `event: <type>` + `data: {"type": <type>, "sequence_number": n, …}`; the stream ends
//! with `response.completed`, `response.incomplete` or `response.failed` (no `[DONE]`).
//!
//! # Decoding
//! | Responses event | stream events |
//! |---|---|
//! | `response.created` (or the first event that has a `response`) | `Start` (`id`, `model`, `created_at`) |
//! | `output_item.added` `message` | nothing yet: each `output_text` or `refusal` content part is a `Text` block, opened at `content_part.added` (or its first delta) and stopped at `content_part.done` |
//! | `output_text.delta`, `refusal.delta` | `Delta::Text` (a refusal is answer text; the stop reason follows the status, as in the non-streaming codec) |
//! | `output_item.added` `function_call` | `Block::ToolCall { id: call_id, item_id: id, name }`; a `namespace` is flattened to `namespace--name` |
//! | `function_call_arguments.delta` | `Delta::ToolArguments` |
//! | `output_item.added` `reasoning` | `Block::Reasoning { family: OpenAi, id }` |
//! | `reasoning_summary_text.delta` | `Delta::ReasoningSummary { part: summary_index }` |
//! | `reasoning_text.delta` | `Delta::Reasoning` |
//! | `output_item.done` | what did not stream (text, arguments, summaries), the reasoning's `encrypted_content` as `Delta::Opaque`, then `BlockStop` |
//! | `*.done` of texts and arguments | their full text, only when no delta came |
//! | `response.completed` / `.incomplete` | `Usage` (input counts cached tokens), then `Stop`: `ToolUse` when a function was called, else `EndTurn`; `max_output_tokens` → `MaxTokens`, `content_filter` → `ContentFilter` |
//! | `response.failed`, `error` | open blocks stop, then `Error` (the status is inferred from the code) |
//! | other items (`web_search_call`, …), their events, unknown events, malformed JSON | skipped |
//!
//! Events find their item by `item_id` (by `output_index` where either side lacks an id), so argument
//! fragments of parallel calls may interleave. `sequence_number` is not checked.
//!
//! # Encoding
//! | stream event | Responses events |
//! |---|---|
//! | `Start` | `response.created`, `response.in_progress`: id `resp_…`, status `in_progress`, `output: []`, `usage: null`, and the members the SDKs require (`tools: []`, `tool_choice: "auto"`, `parallel_tool_calls: true`: the encoder does not know the request) |
//! | `Text` block | its own `message` item (`msg_…`): `output_item.added`, `content_part.added`, `output_text.delta`…, `output_text.done`, `content_part.done`, `output_item.done` (consecutive text blocks are separate messages) |
//! | `ToolCall` block | a `function_call` item (`fc_…` unless the upstream gave an item id; a `namespace--name` is split back): `function_call_arguments.delta`…, `.done`, `output_item.done` |
//! | `Reasoning` block of the OpenAI family | a `reasoning` item (`rs_…`): summary parts (`reasoning_summary_part.*`, `reasoning_summary_text.*`, renumbered densely), `reasoning_text` content parts, `encrypted_content` on `output_item.done` |
//! | reasoning of another family, other families' opaque deltas | dropped (with their deltas) |
//! | `Usage`, `Stop` | held; `finish` writes `response.completed` (or `response.incomplete` with `incomplete_details` for `MaxTokens` / `ContentFilter`) with every item in `output` and the usage |
//! | `Error` | `response.failed` with `response.error {code, message}` at once, and nothing after it (Codex reads this event and retries by its code; it ignores `error` events, and the SDKs treat `response.failed` as the terminal event) |
//! | `finish` without `Stop` | `response.failed`, code `server_error` ("stream ended early") |
//!
//! `sequence_number` starts at 0 and increases by one per event; `output_index` is dense in order of
//! items. The response id is the upstream's when it starts with `resp_`, else `resp_<upstream id>` (or
//! `resp_<created>` without one); item ids the upstream did not give derive from it. `usage` is `null`
//! when the upstream reported none. The error code is `rate_limit_exceeded` for rate limits (Codex then
//! reads the retry delay from the message), else the upstream's code, else one derived from the error
//! kind. Items still open at an error are left out of the failed response. Stop reasons map to a status
//! as in the non-streaming codec (`StopSequence`, `ToolUse`, `Refusal`, `PauseTurn` → `completed`).

mod decode;
mod encode;
mod events;
mod write;

pub(crate) use decode::Decoder;
pub(crate) use encode::Encoder;

#[cfg(test)]
mod tests;
