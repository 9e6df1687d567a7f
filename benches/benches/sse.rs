//! SSE decoding throughput on a recorded stream of more than 2 MB, fed in 37-byte chunks, beside the
//! `sse-stream` crate on the same input.
//!
//! `aether` reads each event's data as the gateway does (bytes, for a JSON parser or the usage
//! scanner); `aether_text` also checks it is UTF-8, as `sse-stream` does when it makes a `String`.
//!
//! Run with: `cargo bench -p aether-benches --bench sse`

use std::hint::black_box;

use aether_core::sse::{Decoder, EventRef};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;

const CHUNK: usize = 37;

/// Every recorded stream fixture, repeated until the whole is over 2 MB.
fn recorded_stream() -> Vec<u8> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../aether-core/tests/fixtures");
    let mut one_of_each = Vec::new();
    for format in ["anthropic", "openai_chat", "openai_responses", "gemini"] {
        for entry in std::fs::read_dir(format!("{root}/{format}/stream")).expect("stream fixtures").flatten()
        {
            one_of_each.extend(std::fs::read(entry.path()).expect("readable"));
        }
    }
    let mut stream = Vec::new();
    while stream.len() < 2 << 20 {
        stream.extend_from_slice(&one_of_each);
    }
    stream
}

/// Decodes `chunks` with Aether's decoder, adding up what `read` makes of each lent event.
fn aether(chunks: &[bytes::Bytes], read: impl Fn(&EventRef<'_>) -> usize) -> usize {
    let mut decoder = Decoder::new();
    let mut total = 0;
    for chunk in chunks {
        decoder.feed(chunk);
        while let Some(event) = decoder.next_ref() {
            total += read(&event);
        }
    }
    total
}

fn decode(c: &mut Criterion) {
    let stream = recorded_stream();
    let chunks: Vec<bytes::Bytes> = stream.chunks(CHUNK).map(bytes::Bytes::copy_from_slice).collect();
    let mut group = c.benchmark_group("sse_decode_2mb_in_37_byte_chunks");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("aether", |b| b.iter(|| black_box(aether(&chunks, |event| event.data.len()))));
    group
        .bench_function("aether_text", |b| b.iter(|| black_box(aether(&chunks, |event| event.text().len()))));
    group.bench_function("sse_stream", |b| {
        b.iter(|| {
            let input = futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, std::io::Error>));
            let blocks = sse_stream::SseByteStream::new(input);
            let bytes = futures_executor::block_on(blocks.fold(0, |bytes, block| async move {
                bytes + block.ok().and_then(|b| b.data).map_or(0, |d| d.len())
            }));
            black_box(bytes)
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
