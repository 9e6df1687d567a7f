//! Stream translation throughput for every ordered pair of formats, in upstream events per second: one
//! recorded stream per upstream format (reasoning, text and tool calls), fed in 37-byte chunks.
//!
//! Run with: `cargo bench -p aether-benches --bench stream`

use std::hint::black_box;

use aether_core::WireFormat;
use aether_core::sse;
use aether_core::stream::{Translator, UsageScanner};
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

fn translate(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream_translate");
    for (from, path) in STREAMS {
        let stream = recorded(path);
        group.throughput(Throughput::Elements(events_in(&stream)));
        for to in WireFormat::ALL.into_iter().filter(|to| *to != from) {
            group.bench_function(format!("{from}_to_{to}"), |b| {
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
        group.bench_function(format!("{from}_passthrough_usage_scan"), |b| {
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
