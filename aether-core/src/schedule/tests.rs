//! Ordering, restriction, capability and spread specifications of the scheduler.

use std::collections::HashSet;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::WireFormat::{self, Anthropic, Gemini, OpenAiChat, OpenAiResponses};
use crate::catalogue::{
    Catalogue, ClientKeyId, Endpoint, EndpointId, Features, GlobalModel, Mapping, Model, Provider,
    ProviderKey,
};

const MODEL: &str = "claude-opus-4-8";

/// A catalogue of `(provider id, priority)` providers, each with one Anthropic endpoint (id = provider × 10)
/// serving MODEL, and `(key id, provider id, priority, global priority)` keys.
fn catalogue(providers: &[(u64, i32)], keys: &[(u64, u64, i32, i32)]) -> Catalogue {
    let mut c = Catalogue::default();
    for &(id, priority) in providers {
        c.providers.push(Provider { priority, ..Provider::new(id, format!("p{id}")) });
        c.endpoints.push(Endpoint::new(id * 10, id, Anthropic, format!("https://p{id}.test")));
        c.models.push(Model::new(MODEL, id, format!("{MODEL}@p{id}")));
    }
    for &(id, provider, priority, global_priority) in keys {
        c.keys.push(ProviderKey {
            priority,
            global_priority,
            ..ProviderKey::new(id, provider, format!("sk-{id}"))
        });
    }
    c.global_models.push(GlobalModel { aliases: vec!["opus".into()], ..GlobalModel::new(MODEL) });
    c
}

fn view(now: u64) -> View<'static> {
    View { now: Timestamp(now), affinity: None, health: &NoState, spend: &NoState }
}

fn order(
    snapshot: &Snapshot,
    principal: &Principal,
    request: &RouteRequest,
    view: View<'_>,
) -> Vec<(u64, Option<SkipReason>)> {
    snapshot.candidates(principal, request, view).expect("routable").map(|c| (c.key.id.0, c.skip)).collect()
}

fn keys(snapshot: &Snapshot, client: u64) -> Vec<u64> {
    let request = RouteRequest::new(Anthropic, MODEL);
    order(snapshot, &Principal::new(client), &request, view(0)).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn provider_mode_orders_by_provider_priority_then_key_priority() {
    let c = catalogue(&[(1, 5), (2, 1)], &[(11, 1, 0, 0), (12, 1, 1, 0), (21, 2, 2, 9), (22, 2, 0, 9)]);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    assert_eq!(keys(&snapshot, 1), [22, 21, 11, 12]);
}

#[test]
fn global_key_mode_orders_by_global_priority_across_all_providers() {
    let c = catalogue(&[(1, 5), (2, 1)], &[(11, 1, 0, 3), (12, 1, 0, 0), (21, 2, 0, 2), (22, 2, 0, 1)]);
    let snapshot = Snapshot::compile(&c, Mode::GlobalKey).expect("compiles");
    assert_eq!(keys(&snapshot, 1), [12, 22, 21, 11]);
}

#[test]
fn ties_are_per_client_and_stable() {
    let c = catalogue(
        &[(1, 0), (2, 0)],
        &[(11, 1, 0, 0), (12, 1, 0, 0), (21, 2, 0, 0), (22, 2, 0, 0), (30, 2, 1, 1)],
    );
    for mode in [Mode::Provider, Mode::GlobalKey] {
        let snapshot = Snapshot::compile(&c, mode).expect("compiles");
        let orders: HashSet<Vec<u64>> = (0..64).map(|client| keys(&snapshot, client)).collect();
        assert!(orders.len() > 8, "clients get different orders over tied keys ({mode:?})");
        assert!(orders.iter().all(|o| o[4] == 30), "a tie never jumps rank");
        for client in 0..64 {
            assert_eq!(keys(&snapshot, client), keys(&snapshot, client));
        }
    }
}

#[test]
fn tied_keys_spread_evenly_over_10_000_clients() {
    let c = catalogue(&[(1, 0)], &[(1, 1, 0, 0), (2, 1, 0, 0), (3, 1, 0, 0), (4, 1, 0, 0)]);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let request = RouteRequest::new(Anthropic, MODEL);
    let mut firsts = [0u32; 4];
    for client in 0..10_000 {
        let principal = Principal::new(client);
        let first =
            snapshot.candidates(&principal, &request, view(0)).expect("routable").next().expect("one");
        firsts[(first.key.id.0 - 1) as usize] += 1;
    }
    for count in firsts {
        assert!((2_375..=2_625).contains(&count), "{firsts:?} is not within ±5 % of 2500 each");
    }
    // The hash is fixed: every replica, run and platform computes these very counts.
    assert_eq!(firsts, SPREAD_10K);
}

const SPREAD_10K: [u32; 4] = [2614, 2505, 2398, 2483];

#[test]
fn the_clients_own_format_goes_before_translation_at_equal_rank() {
    let mut c = catalogue(&[(1, 0)], &[(11, 1, 0, 0)]);
    c.keys[0].endpoint = Some(EndpointId(10));
    c.endpoints.push(Endpoint::new(11, 1, OpenAiChat, "https://p1-openai.test"));
    c.keys.push(ProviderKey { endpoint: Some(EndpointId(11)), ..ProviderKey::new(12, 1, "sk-12") });
    c.models[0]
        .mappings
        .push(Mapping { endpoint: EndpointId(10), upstream_name: Some("opus-on-anthropic".into()) });
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let request = RouteRequest::new(OpenAiChat, "opus");
    let principal = Principal::new(1);
    let got: Vec<(u64, u64, bool, String)> = snapshot
        .candidates(&principal, &request, view(0))
        .expect("routable")
        .map(|c| (c.endpoint.id.0, c.key.id.0, c.cross_format, c.upstream_model.to_owned()))
        .collect();
    assert_eq!(
        got,
        [(11, 12, false, format!("{MODEL}@p1")), (10, 11, true, "opus-on-anthropic".to_owned()),],
        "each key serves its own endpoint; the mapping renames the model there"
    );
    let gemini = RouteRequest::new(Gemini, MODEL);
    let endpoints: Vec<u64> = snapshot
        .candidates(&principal, &gemini, view(0))
        .expect("routable")
        .map(|c| c.endpoint.id.0)
        .collect();
    assert_eq!(endpoints, [10], "the unmapped OpenAI endpoint does not serve a Gemini client");
}

#[test]
fn affinity_promotes_its_target_once_and_ignores_stale_ones() {
    let c = catalogue(&[(1, 0), (2, 1)], &[(11, 1, 0, 0), (21, 2, 0, 0)]);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let request = RouteRequest::new(Anthropic, MODEL);
    let target = Target { provider: ProviderId(2), endpoint: EndpointId(20), key: KeyId(21) };
    let promoted = View { affinity: Some(target), ..view(0) };
    let got: Vec<(u64, bool)> = snapshot
        .candidates(&Principal::new(1), &request, promoted)
        .expect("routable")
        .map(|c| (c.key.id.0, c.affinity))
        .collect();
    assert_eq!(got, [(21, true), (11, false)]);
    let stale = View { affinity: Some(Target { key: KeyId(99), ..target }), ..view(0) };
    assert_eq!(order(&snapshot, &Principal::new(1), &request, stale), [(11, None), (21, None)]);
}

#[test]
fn cache_1h_keys_are_exclusive_and_context_1m_keys_compatible() {
    let mut c = catalogue(&[(1, 0)], &[(1, 1, 0, 0), (2, 1, 1, 0), (3, 1, 2, 0)]);
    c.keys[1].capabilities = Capabilities::CACHE_1H;
    c.keys[2].capabilities = Capabilities::CONTEXT_1M;
    c.global_models[0].features.long_context_window = Some(1_000_000);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let principal = Principal::new(1);
    let ask = |needs: Capabilities| {
        let request =
            RouteRequest { needs: Needs::default().with(needs), ..RouteRequest::new(Anthropic, MODEL) };
        order(&snapshot, &principal, &request, view(0))
    };
    let reserved = Some(SkipReason::ReservedCapability(Capabilities::CACHE_1H));
    assert_eq!(ask(Capabilities::NONE), [(1, None), (2, reserved), (3, None)]);
    let no_1h = Some(SkipReason::MissingCapability(Capabilities::CACHE_1H));
    assert_eq!(ask(Capabilities::CACHE_1H), [(1, no_1h), (2, None), (3, no_1h)]);
    let no_1m = Some(SkipReason::MissingCapability(Capabilities::CONTEXT_1M));
    assert_eq!(ask(Capabilities::CONTEXT_1M), [(1, no_1m), (2, no_1m), (3, None)]);

    let mut wants_1m = Principal::new(1);
    wants_1m.model_capabilities.push((MODEL.into(), Capabilities::CONTEXT_1M));
    let request = RouteRequest::new(Anthropic, "opus");
    assert_eq!(order(&snapshot, &wants_1m, &request, view(0)), [(1, no_1m), (2, no_1m), (3, None)]);
}

#[test]
fn a_forced_long_context_widens_the_window_and_is_passed_on() {
    let mut c = catalogue(&[(1, 0)], &[(1, 1, 0, 0), (2, 1, 1, 0)]);
    c.keys[1].capabilities = Capabilities::CONTEXT_1M;
    c.keys[1].force = Capabilities::CONTEXT_1M;
    c.global_models[0].features =
        Features { context_window: 200_000, long_context_window: Some(1_000_000), ..Features::default() };
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let needs = Needs { input_tokens: Some(300_000), ..Needs::default() };
    let request = RouteRequest { needs, ..RouteRequest::new(Anthropic, MODEL) };
    let got: Vec<(u64, Capabilities, Option<SkipReason>)> = snapshot
        .candidates(&Principal::new(1), &request, view(0))
        .expect("routable")
        .map(|c| (c.key.id.0, c.capabilities, c.skip))
        .collect();
    assert_eq!(
        got,
        [
            (1, Capabilities::NONE, Some(SkipReason::ContextTooLong { tokens: 300_000, window: 200_000 })),
            (2, Capabilities::CONTEXT_1M, None),
        ]
    );
}

#[test]
fn candidates_that_cannot_express_the_request_are_skipped_with_the_reason() {
    let mut c = catalogue(&[(1, 0)], &[(1, 1, 0, 0)]);
    c.endpoints.push(Endpoint::new(11, 1, OpenAiResponses, "https://p1-responses.test"));
    c.models[0].mappings.push(Mapping { endpoint: EndpointId(11), upstream_name: None });
    c.global_models[0].features = Features { vision: false, reasoning: false, ..Features::default() };
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let principal = Principal::new(1);
    let table: [(Needs, Option<SkipReason>, Option<SkipReason>); 4] = [
        (Needs::default(), None, None),
        (
            Needs { native_tools: Some(OpenAiResponses), ..Needs::default() },
            Some(SkipReason::Unsupported(Feature::NativeTools(OpenAiResponses))),
            None,
        ),
        (
            Needs { images: true, ..Needs::default() },
            Some(SkipReason::Unsupported(Feature::Images)),
            Some(SkipReason::Unsupported(Feature::Images)),
        ),
        (
            Needs { reasoning: true, ..Needs::default() },
            Some(SkipReason::Unsupported(Feature::Reasoning)),
            Some(SkipReason::Unsupported(Feature::Reasoning)),
        ),
    ];
    for (needs, on_anthropic, on_responses) in table {
        let request = RouteRequest { needs, ..RouteRequest::new(Anthropic, MODEL) };
        let got: Vec<(WireFormat, Option<SkipReason>)> = snapshot
            .candidates(&principal, &request, view(0))
            .expect("routable")
            .map(|c| (c.endpoint.format, c.skip))
            .collect();
        assert_eq!(got, [(Anthropic, on_anthropic), (OpenAiResponses, on_responses)], "{needs:?}");
    }
}

#[test]
fn restrictions_are_enforced_per_candidate_and_per_request() {
    let c = catalogue(&[(1, 0), (2, 1)], &[(11, 1, 0, 0), (21, 2, 0, 0)]);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let request = RouteRequest::new(Anthropic, MODEL);
    let mut principal = Principal::new(1);
    principal.user.providers = Some(vec![ProviderId(2)]);
    assert_eq!(
        order(&snapshot, &principal, &request, view(0)),
        [(11, Some(SkipReason::ProviderNotAllowed)), (21, None)]
    );
    principal.key.models = Some(vec!["opus".into()]);
    assert!(
        snapshot.candidates(&principal, &request, view(0)).is_ok(),
        "an alias allows the canonical model"
    );
    principal.key.models = Some(vec!["gpt-5".into()]);
    assert_eq!(
        snapshot.candidates(&principal, &request, view(0)).err(),
        Some(RouteError::ModelNotAllowed(MODEL.into()))
    );
    let unknown = RouteRequest::new(Anthropic, "nope");
    assert_eq!(
        snapshot.candidates(&principal, &unknown, view(0)).err(),
        Some(RouteError::UnknownModel("nope".into()))
    );
}

struct Fixed(KeyHealth, u64);

impl HealthView for Fixed {
    fn key_health(&self, key: KeyId, _: Timestamp) -> KeyHealth {
        if key.0 == 11 { self.0 } else { KeyHealth::Healthy }
    }
}

impl SpendView for Fixed {
    fn month_spend_micros(&self, provider: ProviderId, _: Timestamp) -> u64 {
        if provider.0 == 2 { self.1 } else { 0 }
    }
}

#[test]
fn expiry_budget_and_health_skip_keys() {
    let mut c = catalogue(&[(1, 0), (2, 1)], &[(11, 1, 0, 0), (12, 1, 1, 0), (21, 2, 0, 0)]);
    c.keys[1].expires_at = Some(Timestamp(1_000));
    c.providers[1].monthly_budget_micros = Some(5_000_000);
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    let request = RouteRequest::new(Anthropic, MODEL);
    let until = Timestamp(9_000);
    let table = [
        (KeyHealth::Healthy, None),
        (KeyHealth::Probe, None),
        (KeyHealth::ProbeInFlight, Some(SkipReason::ProbeInFlight)),
        (KeyHealth::Open { until }, Some(SkipReason::CircuitOpen { until })),
        (KeyHealth::CoolingDown { until }, Some(SkipReason::CoolingDown { until })),
        (KeyHealth::Disabled, Some(SkipReason::Disabled)),
    ];
    for (health, skip) in table {
        let state = Fixed(health, 5_000_000);
        let view = View { now: Timestamp(1_000), affinity: None, health: &state, spend: &state };
        let got = order(&snapshot, &Principal::new(1), &request, view);
        assert_eq!(
            got,
            [(11, skip), (12, Some(SkipReason::Expired)), (21, Some(SkipReason::OverBudget))],
            "{health:?}"
        );
    }
    let under = Fixed(KeyHealth::Healthy, 4_999_999);
    let view = View { now: Timestamp(999), affinity: None, health: &under, spend: &under };
    assert!(
        snapshot.candidates(&Principal::new(1), &request, view).expect("routable").all(|c| c.is_usable())
    );
    assert_eq!(wait_for(&SkipReason::CoolingDown { until }, Timestamp(8_000)), Some(Duration::from_secs(1)));
}

#[test]
fn disabled_entries_are_not_candidates() {
    let mut c =
        catalogue(&[(1, 0), (2, 0), (3, 0)], &[(11, 1, 0, 0), (12, 1, 0, 0), (21, 2, 0, 0), (31, 3, 0, 0)]);
    c.keys[1].enabled = false;
    c.providers[1].enabled = false;
    c.endpoints[2].enabled = false;
    let snapshot = Snapshot::compile(&c, Mode::Provider).expect("compiles");
    assert_eq!(keys(&snapshot, 1), [11]);
}

#[test]
fn a_catalogue_that_does_not_hold_together_is_refused() {
    let base = catalogue(&[(1, 0)], &[(11, 1, 0, 0)]);
    let mut dup = base.clone();
    dup.keys.push(ProviderKey::new(11, 1, "again"));
    assert_eq!(
        Snapshot::compile(&dup, Mode::Provider).err(),
        Some(CatalogueError::Duplicate { kind: "key", id: "11".into() })
    );
    let mut dangling = base.clone();
    dangling.models.push(Model::new("ghost", 1, "ghost"));
    assert!(matches!(
        Snapshot::compile(&dangling, Mode::Provider),
        Err(CatalogueError::Dangling { kind: "global model", .. })
    ));
    let mut foreign = base.clone();
    foreign.providers.push(Provider::new(2, "p2"));
    foreign.keys.push(ProviderKey { endpoint: Some(EndpointId(10)), ..ProviderKey::new(21, 2, "sk") });
    assert!(matches!(Snapshot::compile(&foreign, Mode::Provider), Err(CatalogueError::Dangling { .. })));
    let mut forced = base;
    forced.keys[0].force = Capabilities::CONTEXT_1M;
    assert_eq!(
        Snapshot::compile(&forced, Mode::Provider).err(),
        Some(CatalogueError::ForcedWithoutCapability { key: KeyId(11) })
    );
}

fn arb_restrictions() -> impl Strategy<Value = Restrictions> {
    (
        proptest::option::of(proptest::collection::vec(1u64..5, 0..3)),
        proptest::option::of(proptest::sample::subsequence(WireFormat::ALL.to_vec(), 0..4)),
    )
        .prop_map(|(providers, formats)| Restrictions {
            providers: providers.map(|p| p.into_iter().map(ProviderId).collect()),
            models: None,
            formats,
        })
}

/// Up to 4 providers with an endpoint per format; keys with random priorities, weights and capabilities.
fn arb_catalogue() -> impl Strategy<Value = Catalogue> {
    let key = (1u64..5, 0i32..3, 0i32..3, 0u32..4, 0u32..4, any::<bool>());
    (proptest::collection::vec(0i32..3, 1..5), proptest::collection::vec(key, 1..30)).prop_map(
        |(priorities, keys)| {
            let mut c = Catalogue::default();
            c.global_models.push(GlobalModel {
                features: Features { long_context_window: Some(1_000_000), ..Features::default() },
                ..GlobalModel::new(MODEL)
            });
            for (i, priority) in priorities.iter().enumerate() {
                let id = i as u64 + 1;
                c.providers.push(Provider { priority: *priority, ..Provider::new(id, "p") });
                let mut model = Model::new(MODEL, id, "up");
                for (f, format) in WireFormat::ALL.into_iter().enumerate() {
                    let endpoint = id * 10 + f as u64;
                    c.endpoints.push(Endpoint::new(endpoint, id, format, "https://x.test"));
                    if f % 2 == 0 {
                        model = model.with_endpoint(endpoint);
                    }
                }
                c.models.push(model);
            }
            for (i, (provider, priority, global, weight, caps, pinned)) in keys.into_iter().enumerate() {
                let provider = provider.min(priorities.len() as u64);
                c.keys.push(ProviderKey {
                    priority,
                    global_priority: global,
                    weight: Some(weight),
                    capabilities: Capabilities::from_bits(caps),
                    endpoint: pinned.then_some(EndpointId(provider * 10 + 2)),
                    ..ProviderKey::new(i as u64 + 100, provider, "sk")
                });
            }
            c
        },
    )
}

proptest! {
    #[test]
    fn no_usable_candidate_breaks_a_restriction_or_capability_rule(
        catalogue in arb_catalogue(),
        user in arb_restrictions(),
        key in arb_restrictions(),
        needs in 0u32..4,
        format in proptest::sample::select(WireFormat::ALL.to_vec()),
        mode in proptest::sample::select(vec![Mode::Provider, Mode::GlobalKey]),
        client in any::<u64>(),
    ) {
        let snapshot = Snapshot::compile(&catalogue, mode).expect("compiles");
        let principal = Principal { client_key: ClientKeyId(client), user, key, ..Principal::default() };
        let required = Capabilities::from_bits(needs);
        let request = RouteRequest { needs: Needs::default().with(required), ..RouteRequest::new(format, MODEL) };
        let all: Vec<Candidate<'_>> = snapshot.candidates(&principal, &request, view(0)).expect("routable").collect();
        let mut seen = HashSet::new();
        let mut last_rank = None;
        for c in &all {
            prop_assert!(seen.insert(c.target()), "each target once");
            let rank = match mode {
                Mode::Provider => (c.provider.priority, c.key.priority, c.cross_format),
                Mode::GlobalKey => (c.key.global_priority, 0, c.cross_format),
            };
            prop_assert!(last_rank.is_none_or(|last| last <= rank), "ranks never go backwards");
            last_rank = Some(rank);
            prop_assert_eq!(c.cross_format, c.endpoint.format != format);
            if c.is_usable() {
                prop_assert!(principal.allows_provider(c.provider.id));
                prop_assert!(principal.allows_format(c.endpoint.format));
                prop_assert!(c.key.capabilities.contains(required));
                prop_assert!((c.key.capabilities & Capabilities::EXCLUSIVE & !required).is_empty());
            }
        }
        let expected = catalogue.keys.iter().map(|k| {
            catalogue.endpoints.iter().filter(|e| e.provider == k.provider && k.endpoint.is_none_or(|p| p == e.id))
                .filter(|e| e.format == format || (e.id.0 % 10) % 2 == 0)
                .count()
        }).sum::<usize>();
        prop_assert_eq!(all.len(), expected, "every route is a candidate");
    }
}
