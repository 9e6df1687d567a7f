//! `streamGenerateContent`: each chunk is a whole `GenerateContentResponse` (an SSE `data:` event with
//! `alt=sse`, an element of one JSON array without it) holding the parts generated since the last chunk.
//!
//! # Decoding
//! | Gemini | stream events |
//! |---|---|
//! | the first chunk (`responseId`, `modelVersion`) | `Start` |
//! | consecutive `text` parts of one kind (`thought: true` or not) | one `Reasoning` (family Google) or `Text` block; a change of kind closes it |
//! | `thoughtSignature` on a text part | `Opaque` (Google) on that part's block |
//! | a `text: ""` part without a signature | nothing |
//! | `functionCall` | `ToolCall` block (id from the part, else `call_<n>`, `n` counting the answer's calls from 0), one `ToolArguments` with the `args` JSON (`{}` when absent), its `thoughtSignature` as `Opaque`, stop |
//! | other parts (`executableCode`, `inlineData`, …), unknown members | skipped, with their signatures |
//! | `usageMetadata` (usually on every chunk, cumulative) | `Usage`, normalised as in the non-streaming codec |
//! | `finishReason` | open block stopped, `Stop` mapped as in the non-streaming codec (`STOP` after function calls is tool use); later content is ignored |
//! | `promptFeedback.blockReason` with no candidate | `Stop` content filter |
//! | `{"error": {…}}` | `Error` |
//! | candidates other than the first | skipped |
//!
//! # Encoding
//! | stream events | Gemini |
//! |---|---|
//! | `Start` | its id and model become every chunk's `responseId` and `modelVersion` |
//! | a text or reasoning delta (reasoning of family Google only; summaries count as its text) | one chunk whose part is `{text}` or `{text, thought: true}`; an empty delta writes nothing |
//! | a Google `Opaque` on a text or reasoning block | a chunk with `{text: "", thoughtSignature}` (plus `thought: true` for reasoning), as Gemini 3 itself streams a late signature |
//! | a tool call | one chunk with a whole `functionCall {id, name, args}` part at the block's stop; its Google signature as `thoughtSignature` |
//! | the answer's first written call without a Google signature | `thoughtSignature: "skip_thought_signature_validator"` (Gemini CLI sends it back on its next turn, and Gemini 3 requires one) |
//! | tool-call arguments that are not a JSON object | the call is dropped and a `STOP` finish becomes `MALFORMED_FUNCTION_CALL`, Gemini's own signal for it (Gemini CLI retries); empty arguments are `{}` |
//! | `Usage` | held: the final chunk's `usageMetadata` |
//! | `Stop` | held until the end: the final chunk (`{text: ""}` part, `finishReason` as in the non-streaming codec, `usageMetadata`) |
//! | `Error`, or an end without `Stop` | a chunk `{"error": {code, message, status}}`, then nothing |
//! | other families' reasoning and opaque artefacts | dropped |
//!
//! Every chunk carries `candidates[0].content.role: "model"` and `index: 0`. [`Encoder::default`] writes
//! SSE (`data: …` and CRLF line ends); [`Encoder::json_array`] writes the JSON array a client gets
//! without `alt=sse`.

mod decode;
mod encode;

pub(crate) use decode::Decoder;
pub(crate) use encode::Encoder;

#[cfg(test)]
mod tests;
