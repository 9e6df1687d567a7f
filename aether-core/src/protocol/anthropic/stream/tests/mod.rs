//! Tests of the Messages stream decoder and encoder, named for the behaviour they pin down.

mod decode;
mod encode;
mod roundtrip;

use serde_json::Value;

use super::{Decoder, Encoder};
use crate::ir::Opaque;
use crate::stream::{Block, Delta, StreamDecoder, StreamEncoder, StreamEvent};
use crate::{Family, Usage, sse};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/anthropic/stream/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("fixture")
}

/// Every fixture's file name, sorted.
fn fixture_names() -> Vec<String> {
    let dir = format!("{}/tests/fixtures/anthropic/stream", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Decodes a whole SSE stream, `finish` included.
fn decode(stream: &str) -> Vec<StreamEvent> {
    let mut sse = sse::Decoder::new();
    let mut decoder = Decoder::default();
    let mut out = Vec::new();
    sse.feed(stream.as_bytes());
    while let Some(event) = sse.next_event() {
        decoder.decode(event.event.as_deref(), &event.data, &mut out);
    }
    if let Some(event) = sse.finish() {
        decoder.decode(event.event.as_deref(), &event.data, &mut out);
    }
    decoder.finish(&mut out);
    out
}

/// Encodes `events`, `finish` included, into SSE bytes.
fn encode_bytes(events: Vec<StreamEvent>) -> String {
    let mut encoder = Encoder::default();
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    encoder.finish(&mut out);
    String::from_utf8(out).expect("UTF-8")
}

/// Encodes `events` and reads the wire back: each event's name and parsed data.
fn encode(events: Vec<StreamEvent>) -> Vec<(String, Value)> {
    let mut sse = sse::Decoder::new();
    sse.feed(encode_bytes(events).as_bytes());
    let mut wire = Vec::new();
    while let Some(event) = sse.next_event() {
        let data: Value = serde_json::from_str(&event.data).expect("JSON data");
        let name = String::from(event.event.expect("named event"));
        assert_eq!(data["type"], name.as_str(), "event name and type agree");
        wire.push((name, data));
    }
    assert!(sse.finish().is_none(), "no partial event");
    wire
}

fn start(id: &str, model: &str) -> StreamEvent {
    StreamEvent::Start { id: id.into(), model: model.into(), created: None }
}

fn open(index: usize, block: Block) -> StreamEvent {
    StreamEvent::BlockStart { index, block }
}

fn text() -> Block {
    Block::Text
}

fn thinking(family: Family) -> Block {
    Block::Reasoning { family, id: None, redacted: false }
}

fn redacted() -> Block {
    Block::Reasoning { family: Family::Anthropic, id: None, redacted: true }
}

fn tool(id: &str, name: &str) -> Block {
    Block::ToolCall { id: id.into(), item_id: None, name: name.into() }
}

fn delta(index: usize, delta: Delta) -> StreamEvent {
    StreamEvent::Delta { index, delta }
}

fn say(index: usize, text: &str) -> StreamEvent {
    delta(index, Delta::Text(text.into()))
}

fn think(index: usize, text: &str) -> StreamEvent {
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

fn usage(input: u64, output: u64, cache_read: u64, cache_write_5m: u64, cache_write_1h: u64) -> StreamEvent {
    StreamEvent::Usage(Usage { input, output, cache_read, cache_write_5m, cache_write_1h, reasoning: 0 })
}

fn stop(reason: crate::ir::StopReason) -> StreamEvent {
    StreamEvent::Stop { reason, stop_sequence: None }
}
