use std::time::Duration;

use aether_core::catalogue::{ClientKeyId, EndpointId, KeyId, ProviderId};
use aether_core::schedule::{Capabilities, Class, Feature, Outcome, SkipReason, Target, Trace, TraceEntry};
use aether_core::store::{RequestId, TraceRecord, TraceStore};
use aether_core::{Timestamp, WireFormat};

fn entry(key: u64, outcome: Outcome) -> TraceEntry {
    TraceEntry {
        target: Target { provider: ProviderId(1), endpoint: EndpointId(2), key: KeyId(key) },
        upstream_model: "claude-opus-4-8".into(),
        affinity: key == 1,
        cross_format: key.is_multiple_of(2),
        outcome,
    }
}

pub(crate) async fn suite(store: &dyn TraceStore) {
    let skips = [
        SkipReason::ProviderNotAllowed,
        SkipReason::FormatNotAllowed(WireFormat::Gemini),
        SkipReason::MissingCapability(Capabilities::CONTEXT_1M),
        SkipReason::ReservedCapability(Capabilities::CACHE_1H),
        SkipReason::Unsupported(Feature::NativeTools(WireFormat::OpenAiResponses)),
        SkipReason::Unsupported(Feature::Images),
        SkipReason::ContextTooLong { tokens: 300_000, window: 200_000 },
        SkipReason::CircuitOpen { until: Timestamp(42) },
        SkipReason::CoolingDown { until: Timestamp(43) },
        SkipReason::Concurrency,
    ];
    let mut entries: Vec<TraceEntry> = skips.into_iter().map(|s| entry(3, Outcome::Skipped(s))).collect();
    entries.push(entry(
        4,
        Outcome::Attempted {
            status: Some(429),
            latency: Duration::from_micros(1_500),
            class: Class::Throttled { status: 429, retry_after: Some(Duration::from_secs(30)) },
            error: Some("rate limited".into()),
        },
    ));
    entries.push(entry(
        5,
        Outcome::Attempted {
            status: None,
            latency: Duration::from_secs(10),
            class: Class::Transient,
            error: None,
        },
    ));
    entries.push(entry(
        1,
        Outcome::Attempted {
            status: Some(200),
            latency: Duration::from_millis(80),
            class: Class::Success,
            error: None,
        },
    ));
    let record = TraceRecord {
        request_id: RequestId(0x0199_b3c4_7e2a_7d3e_8f00_0123_4567_89ab),
        at: Timestamp(1_750_000_000_000),
        trace: Trace {
            client_key: ClientKeyId(7),
            format: WireFormat::Anthropic,
            model: "opus".into(),
            entries,
        },
    };
    store.append(std::slice::from_ref(&record)).await.expect("appended");
    assert_eq!(store.trace(record.request_id).await.expect("read"), Some(record.clone()));
    assert_eq!(store.trace(RequestId(1)).await.expect("read"), None);

    // A retried batch keeps the first trace.
    let retried = TraceRecord { at: Timestamp(1), ..record.clone() };
    store.append(&[retried]).await.expect("appended");
    assert_eq!(store.trace(record.request_id).await.expect("read"), Some(record));
}
