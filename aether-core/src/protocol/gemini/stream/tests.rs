//! Tests of the Gemini stream decoder and encoder: every fixture decodes to its exact events, hand-built
//! event sequences encode to exact chunks, and encoding then decoding gives the events back.

mod decode;
mod encode;
mod round_trip;

use std::path::PathBuf;

use serde_json::Value;

use super::{Decoder, Encoder};
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamDecoder, StreamEncoder, StreamEvent};
use crate::{Family, Usage, sse};

/// Decodes SSE bytes (`.sse`) or a JSON-array stream (anything else) to events, `finish` included.
fn decode_bytes(bytes: &[u8], json_array: bool) -> Vec<StreamEvent> {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    if json_array {
        let mut array = sse::JsonArrayDecoder::new();
        array.feed(bytes);
        while let Some(element) = array.next_element() {
            let element = element.expect("a JSON array");
            decoder.decode(None, std::str::from_utf8(&element).expect("UTF-8"), &mut events);
        }
    } else {
        let mut reader = sse::Decoder::new();
        reader.feed(bytes);
        while let Some(event) = reader.next_event() {
            decoder.decode(event.event.as_deref(), &event.data, &mut events);
        }
        if let Some(event) = reader.finish() {
            decoder.decode(event.event.as_deref(), &event.data, &mut events);
        }
    }
    decoder.finish(&mut events);
    events
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gemini/stream").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode_fixture(name: &str) -> Vec<StreamEvent> {
    decode_bytes(&fixture(name), !name.ends_with(".sse"))
}

/// Encodes `events` and finishes the stream.
fn encode(mut encoder: Encoder, events: &[StreamEvent]) -> Vec<u8> {
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event.clone(), &mut out);
    }
    encoder.finish(&mut out);
    out
}

/// The JSON of each SSE event of `bytes`, checking the CRLF framing on the way.
fn sse_chunks(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with("\r\n\r\n"), "{text}");
    text.split("\r\n\r\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            let data = frame.strip_prefix("data: ").unwrap_or_else(|| panic!("a data line: {frame:?}"));
            assert!(!data.contains('\n') && !data.contains('\r'), "{data:?}");
            serde_json::from_str(data).expect("JSON")
        })
        .collect()
}

fn start(id: &str, model: &str) -> StreamEvent {
    StreamEvent::Start { id: id.into(), model: model.into(), created: None }
}

fn open(index: usize, block: Block) -> StreamEvent {
    StreamEvent::BlockStart { index, block }
}

fn thought_block() -> Block {
    Block::Reasoning { family: Family::Google, id: None, redacted: false }
}

fn call_block(id: &str, name: &str) -> Block {
    Block::ToolCall { id: id.into(), item_id: None, name: name.into() }
}

fn delta(index: usize, delta: Delta) -> StreamEvent {
    StreamEvent::Delta { index, delta }
}

fn text(index: usize, text: &str) -> StreamEvent {
    delta(index, Delta::Text(text.into()))
}

fn thought(index: usize, text: &str) -> StreamEvent {
    delta(index, Delta::Reasoning(text.into()))
}

fn args(index: usize, json: &str) -> StreamEvent {
    delta(index, Delta::ToolArguments(json.into()))
}

fn opaque(index: usize, family: Family, value: &str) -> StreamEvent {
    delta(index, Delta::Opaque(Opaque { family, value: value.into() }))
}

fn close(index: usize) -> StreamEvent {
    StreamEvent::BlockStop { index }
}

fn usage(input: u64, output: u64, cache_read: u64, reasoning: u64) -> StreamEvent {
    StreamEvent::Usage(Usage { input, output, cache_read, reasoning, ..Usage::default() })
}

fn stop(reason: StopReason) -> StreamEvent {
    StreamEvent::Stop { reason, stop_sequence: None }
}
