use serde_json::{Value, json};

use super::{Decoder, Encoder};
use crate::ir::{Opaque, StopReason};
use crate::stream::{Block, Delta, StreamDecoder, StreamEncoder, StreamEvent};
use crate::{ApiError, ErrorKind, Family, Usage, sse};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openai_responses/stream");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture is readable")
}

/// Decodes a whole stream, `finish` included.
fn decode(bytes: &[u8]) -> Vec<StreamEvent> {
    let mut sse = sse::Decoder::new();
    sse.feed(bytes);
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    while let Some(event) = sse.next_event() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    if let Some(event) = sse.finish() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    decoder.finish(&mut events);
    events
}

/// Encodes events, `finish` included, and parses the SSE events back: (event type, data).
fn encode(events: Vec<StreamEvent>) -> Vec<(String, Value)> {
    let mut encoder = Encoder::default();
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    encoder.finish(&mut out);
    parse_sse(&out)
}

fn parse_sse(bytes: &[u8]) -> Vec<(String, Value)> {
    let mut sse = sse::Decoder::new();
    sse.feed(bytes);
    let mut all = Vec::new();
    while let Some(event) = sse.next_event() {
        let data: Value = serde_json::from_str(&event.data).expect("encoded data is JSON");
        assert_eq!(event.event.as_deref(), data["type"].as_str(), "the SSE event names the data's type");
        all.push((event.event.map(String::from).unwrap_or_default(), data));
    }
    assert!(sse.finish().is_none(), "the output ends with a complete event");
    all
}

fn start(id: &str, model: &str, created: i64) -> StreamEvent {
    StreamEvent::Start { id: id.into(), model: model.into(), created: Some(created) }
}

fn block(index: usize, block: Block) -> StreamEvent {
    StreamEvent::BlockStart { index, block }
}

fn text(index: usize, text: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::Text(text.into()) }
}

fn args(index: usize, fragment: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::ToolArguments(fragment.into()) }
}

fn summary(index: usize, part: usize, text: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::ReasoningSummary { part, text: text.into() } }
}

fn thinking(index: usize, text: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::Reasoning(text.into()) }
}

fn opaque(index: usize, family: Family, value: &str) -> StreamEvent {
    StreamEvent::Delta { index, delta: Delta::Opaque(Opaque { family, value: value.into() }) }
}

fn stop_block(index: usize) -> StreamEvent {
    StreamEvent::BlockStop { index }
}

fn call(id: &str, item_id: Option<&str>, name: &str) -> Block {
    Block::ToolCall { id: id.into(), item_id: item_id.map(Into::into), name: name.into() }
}

fn reasoning(id: Option<&str>) -> Block {
    Block::Reasoning { family: Family::OpenAi, id: id.map(Into::into), redacted: false }
}

fn usage(input: u64, cache_read: u64, output: u64, reasoning: u64) -> StreamEvent {
    StreamEvent::Usage(Usage { input, cache_read, output, reasoning, ..Usage::default() })
}

fn stop(reason: StopReason) -> StreamEvent {
    StreamEvent::Stop { reason, stop_sequence: None }
}

const ENC: &str = "gAAAAABpK3v1Qm9xZ2lTc1JfY2hhaW5fb2ZfdGhvdWdodF9ibG9iX2Zvcl90ZXN0c19vbmx5X25vdF9yZWFs-7d3Kq0dWn4Yb8LmX2pVt5sRcE1aHgFjN6uOiZyBw==";

mod decoding;
mod encoding;
