//! Behaviour of pricing as a whole: tiers, cache TTLs, per-request, key terms, dating, validation.

use super::money::dec;
use super::*;
use crate::{Timestamp, Usage};

/// A Claude-Sonnet-like model: ≤ 200k tokens of context at one price, above it (1M context) at another.
fn sonnet() -> ModelPrices {
    serde_json::from_str(
        r#"[{
            "effective_from": "2025-01-01",
            "per_request": "0.002",
            "tiers": [
                {"up_to": 200000, "input": "3", "output": "15",
                 "cache_read": "0.30", "cache_write_5m": "3.75", "cache_write_1h": "6"},
                {"input": "6", "output": "22.50",
                 "cache_read": "0.60", "cache_write_5m": "7.50", "cache_write_1h": "12"}
            ]
        }]"#,
    )
    .expect("a valid price list")
}

fn at() -> Timestamp {
    Timestamp::from_date(2025, 6, 1).expect("a date")
}

fn cost(prices: &ModelPrices, usage: Usage, outcome: Outcome, key: &KeyTerms) -> Cost {
    *prices.cost(at(), &usage, outcome, key).cost().expect("priced")
}

fn list(prices: &ModelPrices, usage: Usage) -> Cost {
    cost(prices, usage, Outcome::Failure, &KeyTerms::LIST)
}

#[test]
fn total_input_at_the_tier_bound_uses_that_tier_and_one_more_uses_the_next() {
    let prices = sonnet();
    let at_bound = list(&prices, Usage { input: 200_000, output: 1_000, ..Usage::default() });
    assert_eq!(at_bound.tier, 0);
    assert_eq!(at_bound.list.input, dec("0.6"));
    assert_eq!(at_bound.list.output, dec("0.015"));
    assert_eq!(at_bound.list.total, dec("0.615"));

    let above = list(&prices, Usage { input: 200_001, output: 1_000, ..Usage::default() });
    assert_eq!(above.tier, 1);
    assert_eq!(above.list.input, dec("1.200006"));
    assert_eq!(above.list.output, dec("0.0225"));
    assert_eq!(above.list.total, dec("1.222506"));
}

#[test]
fn cache_reads_and_writes_count_towards_the_tier() {
    // 1 uncached + 150,000 read + 50,000 written = 200,001 tokens of input: the upper tier.
    let usage = Usage { input: 1, cache_read: 150_000, cache_write_5m: 50_000, ..Usage::default() };
    let cost = list(&sonnet(), usage);
    assert_eq!(cost.tier, 1);
    assert_eq!(cost.list.input, dec("0.000006"));
    assert_eq!(cost.list.cache_read, dec("0.09"));
    assert_eq!(cost.list.cache_write_5m, dec("0.375"));
    assert_eq!(cost.list.total, dec("0.465006"));
}

#[test]
fn beyond_the_last_bounded_tier_the_last_tier_applies() {
    let prices = ModelPrices::new(vec![PriceSchedule {
        effective_from: Timestamp(0),
        per_request: Decimal::ZERO,
        tiers: vec![Tier::new(Some(1_000), dec("1"), dec("2")), Tier::new(Some(2_000), dec("10"), dec("20"))],
    }])
    .expect("valid");
    let cost = list(&prices, Usage { input: 5_000, ..Usage::default() });
    assert_eq!((cost.tier, cost.list.total), (1, dec("0.05")));
    let first = list(&prices, Usage { input: 0, output: 10, ..Usage::default() });
    assert_eq!((first.tier, first.list.total), (0, dec("0.00002")));
}

#[test]
fn each_cache_ttl_has_its_own_write_price() {
    let usage =
        Usage { cache_write_5m: 10_000, cache_write_1h: 10_000, cache_read: 10_000, ..Usage::default() };
    let cost = list(&sonnet(), usage);
    assert_eq!(cost.list.cache_write_5m, dec("0.0375"));
    assert_eq!(cost.list.cache_write_1h, dec("0.06"));
    assert_eq!(cost.list.cache_read, dec("0.003"));
    assert_eq!(cost.list.total, dec("0.1005"));
}

#[test]
fn cache_prices_left_out_are_charged_as_input() {
    let prices = ModelPrices::new(vec![PriceSchedule {
        effective_from: Timestamp(0),
        per_request: Decimal::ZERO,
        tiers: vec![Tier { cache_read: Some(dec("0.5")), ..Tier::new(None, dec("2"), dec("8")) }],
    }])
    .expect("valid");
    let usage = Usage {
        cache_read: 1_000_000,
        cache_write_5m: 1_000_000,
        cache_write_1h: 1_000_000,
        ..Usage::default()
    };
    let cost = list(&prices, usage);
    assert_eq!(cost.list.cache_read, dec("0.5"));
    assert_eq!(cost.list.cache_write_5m, dec("2"));
    assert_eq!(cost.list.cache_write_1h, dec("2"));
}

#[test]
fn the_per_request_price_is_charged_only_on_success() {
    let usage = Usage { input: 1_000, ..Usage::default() };
    let ok = cost(&sonnet(), usage, Outcome::Success, &KeyTerms::LIST);
    assert_eq!((ok.list.per_request, ok.list.total), (dec("0.002"), dec("0.005")));
    let failed = cost(&sonnet(), usage, Outcome::Failure, &KeyTerms::LIST);
    assert_eq!((failed.list.per_request, failed.list.total), (Decimal::ZERO, dec("0.003")));
}

#[test]
fn the_rate_multiplier_scales_actual_cost_and_leaves_list_cost_alone() {
    let usage = Usage { input: 10_000, output: 2_000, cache_read: 5_000, ..Usage::default() };
    let key = KeyTerms::new(dec("0.8")).expect("valid");
    let cost = cost(&sonnet(), usage, Outcome::Success, &key);
    assert_eq!(cost.list.total, dec("0.0635")); // 0.03 + 0.03 + 0.0015 + 0.002
    assert_eq!(cost.actual.input, dec("0.024"));
    assert_eq!(cost.actual.output, dec("0.024"));
    assert_eq!(cost.actual.cache_read, dec("0.0012"));
    assert_eq!(cost.actual.per_request, dec("0.0016"));
    assert_eq!(cost.actual.total, dec("0.0508"));
    assert_eq!(cost.free_used, FreeAllowance::NONE);
}

#[test]
fn a_free_request_waives_the_whole_actual_cost_and_is_used_up() {
    let usage = Usage { input: 10_000, output: 2_000, ..Usage::default() };
    let key = KeyTerms::LIST.with_free(FreeAllowance { requests: 3, tokens: 1_000_000 });
    let cost = cost(&sonnet(), usage, Outcome::Success, &key);
    assert_eq!(cost.list.total, dec("0.062"));
    assert_eq!(cost.actual, CostBreakdown::default());
    assert_eq!(cost.free_used, FreeAllowance { requests: 1, tokens: 0 });
    assert_eq!(key.free().minus(cost.free_used), FreeAllowance { requests: 2, tokens: 1_000_000 });
}

#[test]
fn free_tokens_cover_input_then_cache_then_output_but_not_the_per_request_price() {
    let usage =
        Usage { input: 1_000, cache_read: 1_000, cache_write_1h: 1_000, output: 1_000, ..Usage::default() };
    // 2,500 free tokens: all input, all cache reads, half the 1-hour writes, no output.
    let key = KeyTerms::LIST.with_free(FreeAllowance { requests: 0, tokens: 2_500 });
    let cost = cost(&sonnet(), usage, Outcome::Success, &key);
    assert_eq!(cost.actual.input, Decimal::ZERO);
    assert_eq!(cost.actual.cache_read, Decimal::ZERO);
    assert_eq!(cost.actual.cache_write_1h, dec("0.003"));
    assert_eq!(cost.actual.output, dec("0.015"));
    assert_eq!(cost.actual.per_request, dec("0.002"));
    assert_eq!(cost.actual.total, dec("0.02"));
    assert_eq!(cost.free_used, FreeAllowance { requests: 0, tokens: 2_500 });

    // More free tokens than the request used: only what it used is taken.
    let roomy = KeyTerms::LIST.with_free(FreeAllowance { requests: 0, tokens: 1_000_000 });
    let cost = super::cost::compute(&sonnet().schedules()[0], &usage, Outcome::Failure, &roomy);
    let cost = cost.cost().expect("priced");
    assert_eq!((cost.actual.total, cost.free_used.tokens), (Decimal::ZERO, 4_000));
}

#[test]
fn a_request_that_costs_the_operator_nothing_uses_no_free_allowance() {
    let key =
        KeyTerms::new(Decimal::ZERO).expect("valid").with_free(FreeAllowance { requests: 1, tokens: 10 });
    let cost = cost(&sonnet(), Usage { input: 5, ..Usage::default() }, Outcome::Success, &key);
    assert_eq!(cost.actual.total, Decimal::ZERO);
    assert_eq!(cost.free_used, FreeAllowance::NONE);
    assert_eq!(cost.list.total, dec("0.002015"));
}

#[test]
fn the_schedule_in_force_at_the_request_time_applies() {
    let prices: ModelPrices = serde_json::from_str(
        r#"[
            {"effective_from": "2025-01-01", "tiers": [{"input": "2", "output": "8"}]},
            {"effective_from": "2025-07-01T12:00:00Z", "tiers": [{"input": "1", "output": "4"}]}
        ]"#,
    )
    .expect("valid");
    let usage = Usage { input: 1_000_000, ..Usage::default() };
    let price_at = |t: &str| {
        let t: Timestamp = t.parse().expect("a timestamp");
        prices.cost(t, &usage, Outcome::Success, &KeyTerms::LIST).list_total()
    };
    assert_eq!(price_at("2024-12-31T23:59:59Z"), None);
    assert_eq!(price_at("2025-01-01"), Some(dec("2")));
    assert_eq!(price_at("2025-07-01T11:59:59Z"), Some(dec("2")));
    assert_eq!(price_at("2025-07-01T12:00:00Z"), Some(dec("1")));
    assert_eq!(price_at("2030-01-01"), Some(dec("1")));
}

#[test]
fn a_model_without_a_price_is_unpriced_never_zero() {
    let mut table = PriceTable::new();
    table.insert("claude-sonnet-4-5", sonnet());
    let usage = Usage { input: 10, ..Usage::default() };
    let charge = table.cost("claude-opus-4-1", at(), &usage, Outcome::Success, &KeyTerms::LIST);
    assert_eq!(charge, Charge::Unpriced);
    assert_eq!((charge.list_total(), charge.actual_total()), (None, None));
    assert_eq!(serde_json::to_value(charge).expect("serialises"), serde_json::json!({"status": "unpriced"}));
    assert!(
        table.cost("claude-sonnet-4-5", at(), &usage, Outcome::Success, &KeyTerms::LIST).cost().is_some()
    );
}

#[test]
fn a_charge_round_trips_through_json_with_exact_string_amounts() {
    let usage = Usage { input: 3, output: 7, ..Usage::default() };
    let charge = sonnet().cost(at(), &usage, Outcome::Success, &KeyTerms::new(dec("1.1")).expect("valid"));
    let json = serde_json::to_value(charge).expect("serialises");
    assert_eq!(json["status"], "priced");
    assert_eq!(json["list"]["input"], "0.000009");
    assert_eq!(json["list"]["total"], "0.002114");
    assert_eq!(json["actual"]["total"], "0.0023254");
    assert_eq!(json["effective_from"], "2025-01-01T00:00:00Z");
    assert_eq!(serde_json::from_value::<Charge>(json).expect("deserialises"), charge);
}

#[test]
fn a_price_table_round_trips_through_json() {
    let mut table = PriceTable::new();
    table.insert("claude-sonnet-4-5", sonnet());
    let json = serde_json::to_string(&table).expect("serialises");
    assert_eq!(serde_json::from_str::<PriceTable>(&json).expect("deserialises"), table);
    assert!(json.starts_with(r#"{"claude-sonnet-4-5":[{"effective_from":"2025-01-01T00:00:00Z""#), "{json}");
}

fn table_error(json: &str) -> String {
    serde_json::from_str::<PriceTable>(json).expect_err("an invalid table").to_string()
}

#[test]
fn invalid_tables_are_rejected_with_the_model_and_place_at_fault() {
    let cases = [
        (r#"{"m": [{"effective_from": 0, "tiers": []}]}"#, "model `m`: schedule 0: no tiers"),
        (
            r#"{"m": [{"effective_from": 0, "tiers": [{"up_to": 10, "input": "1", "output": "1"},
                                                     {"up_to": 10, "input": "1", "output": "1"}]}]}"#,
            "model `m`: schedule 0: tier 1: up_to 10 is not above the previous tier's 10",
        ),
        (
            r#"{"m": [{"effective_from": 0, "tiers": [{"input": "1", "output": "1"},
                                                     {"up_to": 10, "input": "1", "output": "1"}]}]}"#,
            "model `m`: schedule 0: tier 0 has no up_to but is not the last tier",
        ),
        (
            r#"{"m": [{"effective_from": 0, "tiers": [{"input": "1", "output": "1", "cache_read": "-0.1"}]}]}"#,
            "model `m`: schedule 0: tiers[0].cache_read price -0.1 is out of range (0 to 1000000, at most 10 \
             decimal places)",
        ),
        (
            r#"{"m": [{"effective_from": 0, "per_request": "2000000", "tiers": [{"input": "1", "output": "1"}]}]}"#,
            "model `m`: schedule 0: per_request price 2000000 is out of range",
        ),
        (
            r#"{"m": [{"effective_from": 0, "tiers": [{"input": "0.00000000001", "output": "1"}]}]}"#,
            "model `m`: schedule 0: tiers[0].input price 0.00000000001 is out of range",
        ),
        (
            r#"{"m": [{"effective_from": "2025-02-01", "tiers": [{"input": "1", "output": "1"}]},
                      {"effective_from": "2025-02-01", "tiers": [{"input": "1", "output": "1"}]}]}"#,
            "model `m`: schedule 1: effective from 2025-02-01T00:00:00Z, which is not after the previous \
             schedule's 2025-02-01T00:00:00Z",
        ),
        (r#"{"m": []}"#, "model `m`: no price schedules"),
    ];
    for (json, expected) in cases {
        let error = table_error(json);
        assert!(error.starts_with(expected), "{error}\n  expected: {expected}");
    }
}

#[test]
fn floats_unknown_fields_and_bad_dates_are_rejected_in_price_files() {
    let float = table_error(r#"{"m": [{"effective_from": 0, "tiers": [{"input": 0.3, "output": "1"}]}]}"#);
    assert!(float.contains(r#"money must be exact: write 0.3 as a string ("0.3")"#), "{float}");
    let unknown = table_error(
        r#"{"m": [{"effective_from": 0, "tiers": [{"input": "1", "output": "1", "inptu": "1"}]}]}"#,
    );
    assert!(unknown.contains("unknown field `inptu`"), "{unknown}");
    let date =
        table_error(r#"{"m": [{"effective_from": "2025-02-30", "tiers": [{"input": "1", "output": "1"}]}]}"#);
    assert!(date.contains("`2025-02-30` is not a timestamp"), "{date}");
    // Integers are exact, so they are accepted.
    let ok: PriceTable =
        serde_json::from_str(r#"{"m": [{"effective_from": 0, "tiers": [{"input": 3, "output": 15}]}]}"#)
            .expect("integers are exact");
    assert_eq!(ok.get("m").map(|m| m.schedules()[0].tiers[0].output), Some(dec("15")));
}

#[test]
fn rate_multipliers_outside_zero_to_a_thousand_or_too_fine_are_rejected() {
    assert_eq!(KeyTerms::new(dec("-0.5")), Err(PriceError::MultiplierOutOfRange(dec("-0.5"))));
    assert_eq!(KeyTerms::new(dec("1000.01")), Err(PriceError::MultiplierOutOfRange(dec("1000.01"))));
    assert!(KeyTerms::new(dec("0.00000000001")).is_err());
    assert!(KeyTerms::new(dec("1000")).is_ok());
    assert!(KeyTerms::new(dec("0.0000000001")).is_ok());
}

#[test]
fn money_stays_exact_where_floats_would_drift() {
    // 0.1 + 0.2 per million tokens, a million times over: floats give 0.30000000000000004.
    let prices = ModelPrices::new(vec![PriceSchedule {
        effective_from: Timestamp(0),
        per_request: Decimal::ZERO,
        tiers: vec![Tier::new(None, dec("0.1"), dec("0.2"))],
    }])
    .expect("valid");
    let cost = list(&prices, Usage { input: 1_000_000, output: 1_000_000, ..Usage::default() });
    assert_eq!(cost.list.total, dec("0.3"));
    assert_eq!(serde_json::to_value(cost.list).expect("serialises")["total"], "0.3");
    // The largest possible usage at the highest price does not overflow.
    let max = Usage { input: u64::MAX, output: u64::MAX, cache_read: u64::MAX, ..Usage::default() };
    let huge = ModelPrices::new(vec![PriceSchedule {
        effective_from: Timestamp(0),
        per_request: Decimal::from(MAX_PRICE),
        tiers: vec![Tier::new(None, Decimal::from(MAX_PRICE), Decimal::from(MAX_PRICE))],
    }])
    .expect("valid");
    let key = KeyTerms::new(Decimal::from(MAX_MULTIPLIER)).expect("valid");
    assert!(cost_of(&huge, max, &key) > Decimal::ZERO);
}

fn cost_of(prices: &ModelPrices, usage: Usage, key: &KeyTerms) -> Decimal {
    cost(prices, usage, Outcome::Success, key).actual.total
}

#[test]
fn free_periods_start_at_utc_midnight_and_on_the_first_of_the_month() {
    let t: Timestamp = "2024-02-29T23:59:59Z".parse().expect("valid");
    assert_eq!(FreePeriod::Day.start(t), "2024-02-29".parse().expect("valid"));
    assert_eq!(FreePeriod::Month.start(t), "2024-02-01".parse().expect("valid"));
    let tier: FreeTier = serde_json::from_str(r#"{"requests": 50, "period": "month"}"#).expect("valid");
    assert_eq!(tier.allowance(), FreeAllowance { requests: 50, tokens: 0 });
}
