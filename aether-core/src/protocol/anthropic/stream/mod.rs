//! The Messages stream (`stream: true`) ↔ [`StreamEvent`](crate::stream::StreamEvent)s.
//!
//! # Decoding
//! | wire | events |
//! |---|---|
//! | `message_start` | `Start` (id, model), then `Usage` with its `usage` (Claude Code reads input tokens there) |
//! | `content_block_start` `text` / `thinking` / `redacted_thinking` / `tool_use` | `BlockStart` (`Text`, `Reasoning`, `Reasoning { redacted: true }`, `ToolCall`) with the next dense index; content already in the block (a redacted block's `data`, a non-empty `input`) becomes its first deltas |
//! | any other block (`server_tool_use`, `web_search_tool_result`, …) | skipped with its deltas and stop; later blocks keep dense indices |
//! | `text_delta`, `thinking_delta`, `input_json_delta` | `Delta::Text`, `Delta::Reasoning`, `Delta::ToolArguments` (empty ones, such as the first `partial_json: ""`, are skipped) |
//! | `signature_delta` | `Delta::Opaque` of [`Family::Anthropic`](crate::Family::Anthropic) |
//! | `citations_delta`, unknown deltas, a delta of another block's type | skipped |
//! | `message_delta` | `Usage` (merged: a missing or zero counter keeps its known value; a cache-write total without its TTL split keeps the known split), then `Stop` (once; open blocks stop first) |
//! | `message_stop` | the end; without a `message_delta` stop reason, `Stop` with `tool_use` if a tool was called, `end_turn` otherwise |
//! | `error` | open blocks stop, then `Error` (the body parsed as an error body; `overloaded_error` has status 529); nothing after |
//! | `ping`, unknown event types, malformed JSON | skipped |
//! | end of input before `message_stop` or `error` | open blocks stop, then `Error` (`Internal`) |
//!
//! An event without an SSE `event:` name (or with an unknown one) is read by its data's `type`. A stream
//! that opens without `message_start` gets a `Start` with an empty id and model.
//!
//! # Encoding
//! | events | wire |
//! |---|---|
//! | `Start` | `message_start`, **held** until the first block, error or the end, so that its `usage` carries the usage known by then (an Anthropic upstream reports input tokens right after its start); the id gets a `msg_` prefix unless it has one |
//! | `BlockStart` `Text` / `ToolCall` / `Reasoning` of Anthropic | `content_block_start` `text` / `tool_use` (`input: {}`; an empty call id becomes `toolu_<index>`) / `thinking`, dense wire indices in the order blocks reach the wire |
//! | `Reasoning { redacted: true }` of Anthropic | one `redacted_thinking` block written whole when it stops, its `data` the block's opaque deltas (none: no block) |
//! | `Reasoning` of another family | dropped with all its deltas |
//! | a block opened while another is on the wire (interleaved parallel calls) | queued with its deltas, written when the earlier blocks stop: Anthropic never interleaves blocks |
//! | `Delta::Text`, `Reasoning` / `ReasoningSummary`, `ToolArguments` | `text_delta`, `thinking_delta`, `input_json_delta` (empty fragments are not written) |
//! | `Delta::Opaque` of Anthropic on a thinking block | `signature_delta`; any other opaque is dropped |
//! | `BlockStop` | `content_block_stop`; a tool call that had no argument fragment first gets `partial_json: "{}"` |
//! | `Usage` | merged (never a known count overwritten with zero); written in `message_start` and, cumulative, in `message_delta` |
//! | `Stop` | held until the end, then `message_delta` (`stop_reason` as in the non-streaming mapping, `stop_sequence`, usage) and `message_stop` |
//! | `Error` | `event: error` with an Anthropic error body (`overloaded_error` for an overload), then nothing |
//! | end without `Stop` | open blocks stop, then an `error` event (`api_error`, "the upstream stream ended early") |
//!
//! Round trips (events, encode, decode) give the same events except that a tool call without arguments
//! gains a `"{}"` fragment, queued blocks are renumbered in wire order, `Stop` moves after every `Usage`,
//! a `Usage` (zeros if nothing was known) follows `Start` and precedes `Stop` (the wire always carries
//! usage there), and a re-read error carries its Anthropic error type as `code`.

mod decode;
mod encode;
mod wire;

#[cfg(test)]
mod tests;

pub(crate) use decode::Decoder;
pub(crate) use encode::Encoder;
