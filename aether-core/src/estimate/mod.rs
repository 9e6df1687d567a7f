//! Token counts for `count_tokens` and for streams that end without usage.
//!
//! - [`Counter::for_model`] picks how a model's tokens are counted: exact o200k or cl100k for OpenAI
//!   families (with the `tokenizer` feature, on by default), a documented estimate for Claude and
//!   Gemini, o200k flagged as an estimate for anything else (see [`Counter`] for the table and the
//!   basis of each estimate).
//! - [`request`] estimates the input of an [`ir::Request`](crate::ir::Request); [`text`] counts a
//!   text (a streamed answer's output); [`usage`] puts both into a [`Usage`] for a stream that ended
//!   without one.
//! - Every result carries `estimated`, to be stored with it wherever it is recorded.
//!
//! The exact tokenizers come from `bpe-openai`, which compiles its vocabularies into the binary (no
//! network, no files at run time) and loads each once per process; its counting is linear in the
//! input, so a hostile prompt cannot make it quadratic. Turn the `tokenizer` feature off to drop it
//! (and its ~45 MB of vocabulary data): counts then fall back to a character heuristic, flagged.
//!
//! ```
//! use aether_core::estimate;
//! use aether_core::ir::{Message, Request, Role};
//!
//! let request = Request {
//!     model: "claude-sonnet-4-5".into(),
//!     messages: vec![Message::text(Role::User, "Summarise the attached report.")],
//!     ..Request::default()
//! };
//! // The upstream stream was cut before it reported usage.
//! let estimate = estimate::usage(&request, "The report finds three issues.");
//! assert!(estimate.estimated);
//! assert!(estimate.usage.input > 0 && estimate.usage.output > 0);
//! ```

mod counter;
mod request;

pub use counter::{Counter, TokenCount, warm_up};
pub use request::request;

use crate::Usage;
use crate::ir::Request;

/// The tokens of `text` as `model` counts them (an answer's output, a prompt's text).
///
/// ```
/// use aether_core::estimate;
///
/// let count = estimate::text("gpt-4", "hello world");
/// assert_eq!(count.estimated, !estimate::Counter::Cl100k.is_exact());
/// ```
pub fn text(model: &str, text: &str) -> TokenCount {
    Counter::for_model(model).count(text)
}

/// Usage estimated from a request and the text it was answered with, for a stream that ended without
/// reporting usage. Cache reads and writes cannot be known, so all input counts as uncached `input`.
pub fn usage(request: &Request, output: &str) -> EstimatedUsage {
    let input = self::request(request);
    let output = text(&request.model, output);
    EstimatedUsage {
        usage: Usage { input: input.tokens, output: output.tokens, ..Usage::default() },
        estimated: input.estimated || output.estimated,
    }
}

/// A [`Usage`] that may be an estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EstimatedUsage {
    /// The usage.
    pub usage: Usage,
    /// Whether any of it is estimated; record it with the usage.
    pub estimated: bool,
}

#[cfg(test)]
mod tests;
