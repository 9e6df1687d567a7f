//! Records shared by the suites.

use aether_core::catalogue::{ClientKeyId, EndpointId, KeyId, ProviderId};
use aether_core::estimate::EstimatedUsage;
use aether_core::pricing::Decimal;
use aether_core::pricing::{Charge, KeyTerms, ModelPrices, Outcome, PriceSchedule, Tier};
use aether_core::schedule::Target;
use aether_core::store::{RequestId, UsageRecord, UserId};
use aether_core::{Timestamp, Usage, WireFormat};

/// A decimal literal.
pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

/// $3 / $15 per million tokens, with cache prices.
pub(crate) fn schedule(from: u64) -> PriceSchedule {
    PriceSchedule {
        effective_from: Timestamp(from),
        per_request: dec("0.01"),
        tiers: vec![Tier { cache_read: Some(dec("0.30")), ..Tier::new(None, dec("3"), dec("15")) }],
    }
}

/// A usage record of `user`'s `key` at `at`, priced.
pub(crate) fn record(id: u128, at: u64, user: u64, key: u64) -> UsageRecord {
    let usage = Usage { input: 1_000, output: 200, cache_read: 5_000, reasoning: 50, ..Usage::default() };
    let prices = ModelPrices::new(vec![schedule(0)]).expect("valid prices");
    let key_terms = KeyTerms::new(dec("0.8")).expect("a valid multiplier");
    UsageRecord {
        request_id: RequestId(id),
        at: Timestamp(at),
        user: Some(UserId(user)),
        client_key: Some(ClientKeyId(key)),
        target: Some(Target { provider: ProviderId(1), endpoint: EndpointId(2), key: KeyId(3) }),
        client_format: WireFormat::Anthropic,
        upstream_format: Some(WireFormat::OpenAiChat),
        model: "claude-sonnet-4-5".into(),
        upstream_model: Some("gpt-5".into()),
        usage: EstimatedUsage { usage, estimated: true },
        charge: prices.cost(Timestamp(at), &usage, Outcome::Success, &key_terms),
        status: 200,
        error_kind: None,
        latency_ms: 1_234,
        first_byte_ms: Some(321),
        stream: true,
    }
}

/// A failed, unpriced record without a key or an upstream.
pub(crate) fn unpriced(id: u128, at: u64) -> UsageRecord {
    UsageRecord {
        request_id: RequestId(id),
        at: Timestamp(at),
        user: None,
        client_key: None,
        target: None,
        client_format: WireFormat::Gemini,
        upstream_format: None,
        model: "unknown".into(),
        upstream_model: None,
        usage: EstimatedUsage::default(),
        charge: Charge::Unpriced,
        status: 404,
        error_kind: Some("unknown_model".into()),
        latency_ms: 1,
        first_byte_ms: None,
        stream: false,
    }
}
