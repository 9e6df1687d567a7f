//! Stream translation throughput for every ordered pair of formats, in upstream events per second, fed
//! in 37-byte chunks: a recorded stream per upstream format (reasoning, text and tool calls; a few
//! events, so per-stream set-up weighs in), and a long answer (1,000 text deltas and a tool call with
//! 100 argument fragments) written by each format's own encoder.
//!
//! Run with: `cargo bench -p aether-benches --bench stream`

use std::hint::black_box;

use aether_core::Usage;
use aether_core::WireFormat;
use aether_core::ir::StopReason;
use aether_core::sse;
use aether_core::stream::{Block, ClientStream, Delta, StreamEvent, Translator, UsageScanner, encoder};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The recorded stream of each format that the bench translates.
const STREAMS: [(WireFormat, &str); 4] = [
    (WireFormat::Anthropic, "anthropic/stream/thinking_text_tool_use.sse"),
    (WireFormat::OpenAiChat, "openai_chat/stream/text_and_parallel_tool_calls.sse"),
    (WireFormat::OpenAiResponses, "openai_responses/stream/reasoning_text_function_call.sse"),
    (WireFormat::Gemini, "gemini/stream/thought_text_function_call.sse"),
];

fn recorded(path: &str) -> Vec<u8> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../aether-core/tests/fixtures");
    std::fs::read(format!("{root}/{path}")).expect("stream fixture")
}

fn events_in(stream: &[u8]) -> u64 {
    let mut decoder = sse::Decoder::new();
    decoder.feed(stream);
    std::iter::from_fn(|| decoder.next_event()).count() as u64
}

/// A long answer in `format`'s own wire shape.
fn long_answer(format: WireFormat) -> Vec<u8> {
    let mut events = vec![
        StreamEvent::Start {
            id: "answer-1".into(),
            model: "bench-model".into(),
            created: Some(1_764_240_000),
        },
        StreamEvent::BlockStart { index: 0, block: Block::Text },
    ];
    events
        .extend((0..1_000).map(|i| StreamEvent::Delta { index: 0, delta: Delta::Text(format!("word{i} ")) }));
    events.push(StreamEvent::BlockStop { index: 0 });
    let call = Block::ToolCall { id: "call_1".into(), item_id: None, name: "exec_command".into() };
    events.push(StreamEvent::BlockStart { index: 1, block: call });
    events.push(StreamEvent::Delta { index: 1, delta: Delta::ToolArguments("{\"cmd\":\"".into()) });
    events.extend(
        (0..100).map(|i| StreamEvent::Delta { index: 1, delta: Delta::ToolArguments(format!("arg{i} ")) }),
    );
    events.push(StreamEvent::Delta { index: 1, delta: Delta::ToolArguments("\"}".into()) });
    events.push(StreamEvent::BlockStop { index: 1 });
    events.push(StreamEvent::Stop { reason: StopReason::ToolUse, stop_sequence: None });
    events.push(StreamEvent::Usage(Usage { input: 1_000, output: 1_200, ..Usage::default() }));
    let mut encoder = encoder(format, ClientStream::default());
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    encoder.finish(&mut out);
    out
}

fn translate(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream_translate");
    let recorded_streams = STREAMS.map(|(from, path)| (from, "recorded", recorded(path)));
    let long_streams = WireFormat::ALL.map(|from| (from, "long", long_answer(from)));
    for (from, kind, stream) in recorded_streams.into_iter().chain(long_streams) {
        group.throughput(Throughput::Elements(events_in(&stream)));
        for to in WireFormat::ALL.into_iter().filter(|to| *to != from) {
            group.bench_function(format!("{kind}/{from}_to_{to}"), |b| {
                let mut out = Vec::with_capacity(stream.len() * 2);
                b.iter(|| {
                    out.clear();
                    let mut translator = Translator::new(from, to);
                    for chunk in stream.chunks(37) {
                        translator.feed(black_box(chunk), &mut out);
                    }
                    translator.finish(&mut out);
                    black_box(out.len())
                })
            });
        }
        group.bench_function(format!("{kind}/{from}_passthrough_usage_scan"), |b| {
            b.iter(|| {
                let mut scanner = UsageScanner::new(from);
                for chunk in stream.chunks(37) {
                    scanner.feed(black_box(chunk));
                }
                black_box(scanner.finish().usage())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
