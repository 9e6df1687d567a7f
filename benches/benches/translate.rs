//! Request translation for every ordered pair of formats, on a 40-message agent conversation with
//! 20 tools, and the passthrough splice on a 500 KB body, beside the full decode the route layer makes of it.
//!
//! Run with: `cargo bench -p aether-benches --bench translate`

use aether_benches::agent_conversation;
use aether_core::passthrough::Body;
use aether_core::protocol::{PathParams, codec};
use aether_core::{WireFormat, translate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn path() -> PathParams {
    PathParams { model: Some("bench-model".into()), stream: true }
}

fn translate_pairs(c: &mut Criterion) {
    let mut group = c.benchmark_group("translate_request_40_messages_20_tools");
    for from in WireFormat::ALL {
        let body = codec(from).encode_request(agent_conversation(13, 20)).expect("the conversation encodes");
        for to in WireFormat::ALL.into_iter().filter(|&to| to != from) {
            group.bench_function(format!("{from}_to_{to}"), |b| {
                b.iter(|| translate::request(from, to, black_box(&body), &path()).expect("translates"))
            });
        }
    }
    group.finish();
}

fn passthrough_splice(c: &mut Criterion) {
    let body = codec(WireFormat::OpenAiChat).encode_request(agent_conversation(300, 20)).expect("encodes");
    assert!(body.len() >= 500_000, "the splice input is {} bytes", body.len());
    let mut group = c.benchmark_group("passthrough");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("splice_model_and_include_usage", |b| {
        b.iter(|| {
            Body::scan(black_box(&body)).and_then(|scanned| scanned.rewrite(WireFormat::OpenAiChat, "gpt-5"))
        })
    });
    // What the route layer does with every body today, passthrough or not: the whole request decoded.
    group.bench_function("decode_request_for_routing", |b| {
        b.iter(|| codec(WireFormat::OpenAiChat).decode_request(black_box(&body), &path()).expect("decodes"))
    });
    group.bench_function("full_parse_and_serialise_baseline", |b| {
        b.iter(|| {
            let mut value: serde_json::Value = serde_json::from_slice(black_box(&body)).expect("JSON");
            value["model"] = "gpt-5".into();
            serde_json::to_vec(&value).expect("serialises")
        })
    });
    group.finish();
}

criterion_group!(benches, translate_pairs, passthrough_splice);
criterion_main!(benches);
