//! Candidate selection at 10, 100, 1,000 and 10,000 provider keys: the first candidate, and the first
//! three (a request that fails over twice).
//!
//! - `tiered`: `provider` mode, one provider per 100 keys with distinct priorities, key priorities in
//!   ten levels (ties of ten): a realistic catalogue.
//! - `all_tied`: `global_key` mode, every key of equal global priority: the worst case for the spread.
//!
//! Run with: `cargo bench -p aether-benches --bench schedule`

use aether_core::Timestamp;
use aether_core::WireFormat;
use aether_core::catalogue::{Catalogue, Endpoint, GlobalModel, Model, Provider, ProviderKey};
use aether_core::schedule::{Mode, NoState, Principal, RouteRequest, Snapshot, View};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const MODEL: &str = "claude-opus-4-8";

fn catalogue(keys: u64, tied: bool) -> Catalogue {
    let mut c = Catalogue::default();
    let providers = keys.div_ceil(100);
    for p in 1..=providers {
        c.providers.push(Provider { priority: p as i32, ..Provider::new(p, format!("p{p}")) });
        c.endpoints.push(Endpoint::new(p, p, WireFormat::Anthropic, "https://upstream.test"));
        c.models.push(Model::new(MODEL, p, MODEL));
    }
    for k in 0..keys {
        let provider = k / 100 + 1;
        let priority = if tied { 0 } else { (k % 10) as i32 };
        c.keys.push(ProviderKey {
            priority,
            global_priority: priority,
            ..ProviderKey::new(k + 1, provider, "sk")
        });
    }
    c.global_models.push(GlobalModel::new(MODEL));
    c
}

fn select(c: &mut Criterion) {
    let request = RouteRequest::new(WireFormat::Anthropic, MODEL);
    let view = View { now: Timestamp(0), affinity: None, health: &NoState, spend: &NoState };
    for (name, mode, tied) in [("tiered", Mode::Provider, false), ("all_tied", Mode::GlobalKey, true)] {
        let mut group = c.benchmark_group(format!("schedule_{name}"));
        for keys in [10u64, 100, 1_000, 10_000] {
            let snapshot = Snapshot::compile(&catalogue(keys, tied), mode).expect("the catalogue compiles");
            let mut client = 0u64;
            group.bench_function(BenchmarkId::new("first", keys), |b| {
                b.iter(|| {
                    client += 1;
                    let principal = Principal::new(client);
                    let first =
                        snapshot.candidates(&principal, black_box(&request), view).expect("routable").next();
                    black_box(first.map(|c| c.key.id))
                })
            });
            group.bench_function(BenchmarkId::new("first_three", keys), |b| {
                b.iter(|| {
                    client += 1;
                    let principal = Principal::new(client);
                    let candidates =
                        snapshot.candidates(&principal, black_box(&request), view).expect("routable");
                    black_box(candidates.take(3).map(|c| c.key.id.0).sum::<u64>())
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, select);
criterion_main!(benches);
