//! The wire events the encoder writes: small borrowing structs serialised straight into the output.

use serde::ser::{Serialize, Serializer};

use super::super::types::Usage;
use crate::sse;

/// Any streaming event; each type fills the members it has (the others are left out).
#[derive(Default, serde::Serialize)]
pub(super) struct Event<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'a str,
    pub(super) sequence_number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) item_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) output_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) content_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) summary_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) delta: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) arguments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) part: Option<Part<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) item: Option<Item<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) response: Option<Response<'a>>,
    /// `[]` on `output_text.delta` / `.done` (the SDKs require it; the gateway has no log probabilities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) logprobs: Option<[u8; 0]>,
}

/// A content or summary part.
#[derive(Clone, Copy, serde::Serialize)]
#[serde(tag = "type")]
pub(super) enum Part<'a> {
    #[serde(rename = "output_text")]
    Output { annotations: [u8; 0], text: &'a str },
    #[serde(rename = "summary_text")]
    Summary { text: &'a str },
    #[serde(rename = "reasoning_text")]
    Reasoning { text: &'a str },
}

/// An output item.
#[derive(serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Item<'a> {
    Message {
        id: &'a str,
        status: &'a str,
        role: &'a str,
        content: Parts<'a>,
    },
    FunctionCall {
        id: &'a str,
        status: &'a str,
        arguments: &'a str,
        call_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<&'a str>,
        name: &'a str,
    },
    Reasoning {
        id: &'a str,
        summary: Parts<'a>,
        #[serde(skip_serializing_if = "Parts::is_empty")]
        content: Parts<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<&'a str>,
    },
}

/// Texts written as parts of one type.
#[derive(Clone, Copy)]
pub(super) struct Parts<'a> {
    pub(super) texts: &'a [String],
    pub(super) part: fn(&'a str) -> Part<'a>,
}

impl<'a> Parts<'a> {
    pub(super) fn of(texts: &'a [String], part: fn(&'a str) -> Part<'a>) -> Self {
        Parts { texts, part }
    }

    fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

impl Serialize for Parts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.texts.iter().map(|text| (self.part)(text)))
    }
}

/// The `response` object of the lifecycle events.
#[derive(serde::Serialize)]
pub(super) struct Response<'a> {
    pub(super) id: &'a str,
    pub(super) object: &'a str,
    pub(super) created_at: i64,
    pub(super) status: &'a str,
    pub(super) error: Option<Error<'a>>,
    pub(super) incomplete_details: Option<Incomplete<'a>>,
    pub(super) model: &'a str,
    pub(super) output: Output<'a>,
    pub(super) parallel_tool_calls: bool,
    pub(super) tool_choice: &'a str,
    pub(super) tools: [u8; 0],
    pub(super) usage: Option<Usage>,
}

/// `response.error`.
#[derive(serde::Serialize)]
pub(super) struct Error<'a> {
    pub(super) code: &'a str,
    pub(super) message: &'a str,
}

/// `response.incomplete_details`.
#[derive(serde::Serialize)]
pub(super) struct Incomplete<'a> {
    pub(super) reason: &'a str,
}

/// The completed items, each written as it was on its `output_item.done`.
pub(super) struct Output<'a>(pub(super) &'a [super::encode::Item]);

impl Serialize for Output<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|item| item.wire(true)))
    }
}

/// Numbers the events and writes them as SSE.
#[derive(Debug, Default)]
pub(super) struct Writer {
    sequence_number: u64,
    scratch: Vec<u8>,
}

impl Writer {
    /// Writes `event` with the next sequence number.
    pub(super) fn emit(&mut self, mut event: Event<'_>, out: &mut Vec<u8>) {
        event.sequence_number = self.sequence_number;
        self.sequence_number += 1;
        self.scratch.clear();
        // Serialising these structs of strings and numbers into memory cannot fail, and serde_json
        // writes UTF-8; skip the event all the same rather than panic.
        if serde_json::to_writer(&mut self.scratch, &event).is_ok()
            && let Ok(data) = std::str::from_utf8(&self.scratch)
        {
            sse::encode(Some(event.kind), data, out);
        }
    }
}
