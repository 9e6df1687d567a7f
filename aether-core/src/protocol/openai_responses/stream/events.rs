//! The wire events the decoder reads: one flat, borrowing struct for every event type (each type fills
//! the members it has; unknown members are skipped by serde).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};

use super::super::types::Usage;

/// A string that borrows from the event's data unless it holds escapes.
#[derive(Debug, Deserialize)]
pub(super) struct Str<'a>(#[serde(borrow)] pub(super) Cow<'a, str>);

/// Any streaming event.
#[derive(Debug, Deserialize)]
pub(super) struct Event<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(default)]
    pub(super) output_index: Option<usize>,
    #[serde(default, borrow)]
    pub(super) item_id: Option<Str<'a>>,
    #[serde(default)]
    pub(super) content_index: Option<usize>,
    #[serde(default)]
    pub(super) summary_index: Option<usize>,
    /// `*.delta` events.
    #[serde(default)]
    pub(super) delta: Option<String>,
    /// `output_text.done`, `reasoning_summary_text.done`, `reasoning_text.done`.
    #[serde(default)]
    pub(super) text: Option<String>,
    /// `function_call_arguments.done`.
    #[serde(default)]
    pub(super) arguments: Option<String>,
    /// `refusal.done`.
    #[serde(default)]
    pub(super) refusal: Option<String>,
    /// `content_part.*`, `reasoning_summary_part.*`.
    #[serde(default, borrow)]
    pub(super) part: Option<Part<'a>>,
    /// `output_item.*`.
    #[serde(default, borrow)]
    pub(super) item: Option<Item<'a>>,
    /// `response.created`, `.in_progress`, `.completed`, `.incomplete`, `.failed`.
    #[serde(default, borrow)]
    pub(super) response: Option<Response<'a>>,
    /// The `error` event's members (documented flat; some servers nest them under `error`).
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) code: Option<String>,
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) param: Option<String>,
    #[serde(default)]
    pub(super) error: Option<ErrorBody>,
}

/// A content part (`output_text`, `refusal`, `reasoning_text`) or a summary part (`summary_text`).
#[derive(Debug, Deserialize)]
pub(super) struct Part<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(default)]
    pub(super) text: Option<String>,
    #[serde(default)]
    pub(super) refusal: Option<String>,
}

/// An output item; each type fills the members it has.
#[derive(Debug, Deserialize)]
pub(super) struct Item<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) call_id: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) namespace: Option<String>,
    #[serde(default)]
    pub(super) arguments: Option<String>,
    /// A message's content parts, or a reasoning item's `reasoning_text` parts.
    #[serde(default, borrow)]
    pub(super) content: Option<Vec<Part<'a>>>,
    #[serde(default, borrow)]
    pub(super) summary: Option<Vec<Part<'a>>>,
    #[serde(default)]
    pub(super) encrypted_content: Option<String>,
}

/// The members of a `response` object the decoder reads.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Response<'a> {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) model: Option<String>,
    /// The SDKs type it as a number that may be fractional.
    #[serde(default)]
    pub(super) created_at: Option<f64>,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) incomplete_details: Option<IncompleteDetails>,
    #[serde(default)]
    pub(super) error: Option<ErrorBody>,
    #[serde(default)]
    pub(super) usage: Option<Usage>,
    /// Only the items' types: whether a function was called.
    #[serde(default, borrow)]
    pub(super) output: Option<Vec<Kind<'a>>>,
}

/// `incomplete_details`.
#[derive(Debug, Deserialize)]
pub(super) struct IncompleteDetails {
    #[serde(default)]
    pub(super) reason: Option<String>,
}

/// Just the `type` of an object.
#[derive(Debug, Deserialize)]
pub(super) struct Kind<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Str<'a>>,
}

/// An error object: `response.error` (`code`, `message`) or a nested `error` event body.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub(super) code: Option<String>,
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) param: Option<String>,
    #[serde(rename = "type", default)]
    pub(super) kind: Option<String>,
}

/// OpenAI's error `code` is usually a string but has been a number; keep either as text.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(code)) => Some(code),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    })
}
