//! A trace's entries as JSON (the core types carry no serde; the shape is the store's own).
//!
//! Each entry is an object with the target's ids, the upstream model, two flags and an `outcome`, either
//! `{"skipped": {"reason": …, …its details}}` or `{"attempted": {"status": …, "latency_ns": …, …}}`.
//! The rows below are that shape, written and read by serde without an intermediate `Value`.

use std::borrow::Cow;
use std::time::Duration;

use aether_core::Timestamp;
use aether_core::catalogue::{EndpointId, KeyId, ProviderId};
use aether_core::schedule::{Class, Feature, Outcome, SkipReason, Target, TraceEntry};
use aether_core::store::StoreError;
use serde::{Deserialize, Serialize};

use super::codec::{capabilities, corrupt, parse_format};

/// The entries as a JSON array.
pub(crate) fn entries_to_json(entries: &[TraceEntry]) -> Result<String, StoreError> {
    let rows: Vec<EntryRow<'_>> = entries.iter().map(EntryRow::of).collect();
    serde_json::to_string(&rows).map_err(|e| StoreError::Invalid(format!("trace entries: {e}")))
}

/// The entries of a JSON array written by [`entries_to_json`].
pub(crate) fn entries_from_json(text: &str) -> Result<Vec<TraceEntry>, StoreError> {
    let rows: Vec<EntryRow<'_>> =
        serde_json::from_str(text).map_err(|e| corrupt(format!("trace entries: {e}")))?;
    rows.into_iter().map(EntryRow::entry).collect()
}

#[derive(Serialize, Deserialize)]
struct EntryRow<'a> {
    provider: u64,
    endpoint: u64,
    key: u64,
    #[serde(borrow)]
    upstream_model: Cow<'a, str>,
    affinity: bool,
    cross_format: bool,
    #[serde(borrow)]
    outcome: OutcomeRow<'a>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeRow<'a> {
    #[serde(borrow)]
    Skipped(SkipRow<'a>),
    #[serde(borrow)]
    Attempted(AttemptRow<'a>),
}

/// A skip: its reason, and the details that reason has.
#[derive(Default, Serialize, Deserialize)]
struct SkipRow<'a> {
    #[serde(borrow)]
    reason: Cow<'a, str>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    format: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capabilities: Option<u32>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    feature: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct AttemptRow<'a> {
    status: Option<u16>,
    latency_ns: u64,
    #[serde(borrow)]
    class: Cow<'a, str>,
    throttle_status: Option<u16>,
    retry_after_ns: Option<u64>,
    #[serde(borrow)]
    error: Option<Cow<'a, str>>,
}

impl<'a> EntryRow<'a> {
    fn of(entry: &'a TraceEntry) -> Self {
        let outcome = match &entry.outcome {
            Outcome::Skipped(reason) => OutcomeRow::Skipped(SkipRow::of(*reason)),
            Outcome::Attempted { status, latency, class, error } => {
                let (throttle_status, retry_after) = match class {
                    Class::Throttled { status, retry_after } => (Some(*status), retry_after.map(nanos)),
                    _ => (None, None),
                };
                OutcomeRow::Attempted(AttemptRow {
                    status: *status,
                    latency_ns: nanos(*latency),
                    class: class.as_str().into(),
                    throttle_status,
                    retry_after_ns: retry_after,
                    error: error.as_deref().map(Cow::Borrowed),
                })
            }
        };
        EntryRow {
            provider: entry.target.provider.0,
            endpoint: entry.target.endpoint.0,
            key: entry.target.key.0,
            upstream_model: Cow::Borrowed(&entry.upstream_model),
            affinity: entry.affinity,
            cross_format: entry.cross_format,
            outcome,
        }
    }

    fn entry(self) -> Result<TraceEntry, StoreError> {
        let outcome = match self.outcome {
            OutcomeRow::Skipped(skip) => Outcome::Skipped(skip.reason()?),
            OutcomeRow::Attempted(attempt) => attempt.outcome()?,
        };
        Ok(TraceEntry {
            target: Target {
                provider: ProviderId(self.provider),
                endpoint: EndpointId(self.endpoint),
                key: KeyId(self.key),
            },
            upstream_model: self.upstream_model.into_owned(),
            affinity: self.affinity,
            cross_format: self.cross_format,
            outcome,
        })
    }
}

impl SkipRow<'_> {
    fn of(reason: SkipReason) -> Self {
        let skip = SkipRow { reason: reason.as_str().into(), ..SkipRow::default() };
        match reason {
            SkipReason::FormatNotAllowed(format) => SkipRow { format: Some(format.as_str().into()), ..skip },
            SkipReason::MissingCapability(c) | SkipReason::ReservedCapability(c) => {
                SkipRow { capabilities: Some(c.bits()), ..skip }
            }
            SkipReason::Unsupported(feature) => SkipRow { feature: Some(feature_name(feature)), ..skip },
            SkipReason::ContextTooLong { tokens, window } => {
                SkipRow { tokens: Some(tokens), window: Some(window), ..skip }
            }
            SkipReason::CircuitOpen { until } | SkipReason::CoolingDown { until } => {
                SkipRow { until: Some(until.0), ..skip }
            }
            _ => skip,
        }
    }

    fn reason(&self) -> Result<SkipReason, StoreError> {
        let simple = [
            SkipReason::ProviderNotAllowed,
            SkipReason::Expired,
            SkipReason::OverBudget,
            SkipReason::ProbeInFlight,
            SkipReason::Disabled,
            SkipReason::RpmLimit,
            SkipReason::TpmLimit,
            SkipReason::Concurrency,
        ];
        if let Some(simple) = simple.into_iter().find(|r| r.as_str() == self.reason) {
            return Ok(simple);
        }
        let caps = || capabilities(required(self.capabilities, "capabilities")?.into());
        let until = || required(self.until, "until").map(Timestamp);
        Ok(match &*self.reason {
            "format_not_allowed" => {
                SkipReason::FormatNotAllowed(parse_format(required(self.format.as_deref(), "format")?)?)
            }
            "missing_capability" => SkipReason::MissingCapability(caps()?),
            "reserved_capability" => SkipReason::ReservedCapability(caps()?),
            "unsupported_feature" => {
                SkipReason::Unsupported(feature(required(self.feature.as_deref(), "feature")?)?)
            }
            "context_too_long" => SkipReason::ContextTooLong {
                tokens: required(self.tokens, "tokens")?,
                window: required(self.window, "window")?,
            },
            "circuit_open" => SkipReason::CircuitOpen { until: until()? },
            "cooling_down" => SkipReason::CoolingDown { until: until()? },
            other => return Err(corrupt(format!("unknown skip reason `{other}`"))),
        })
    }
}

impl AttemptRow<'_> {
    fn outcome(self) -> Result<Outcome, StoreError> {
        let class = match &*self.class {
            "success" => Class::Success,
            "client_error" => Class::ClientError,
            "key_rejected" => Class::KeyRejected,
            "transient" => Class::Transient,
            "throttled" => Class::Throttled {
                status: required(self.throttle_status, "throttle_status")?,
                retry_after: self.retry_after_ns.map(Duration::from_nanos),
            },
            other => return Err(corrupt(format!("unknown class `{other}`"))),
        };
        Ok(Outcome::Attempted {
            status: self.status,
            latency: Duration::from_nanos(self.latency_ns),
            class,
            error: self.error.map(Cow::into_owned),
        })
    }
}

/// A detail the skip reason or class needs.
fn required<T>(value: Option<T>, name: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| corrupt(format!("trace field `{name}` is missing")))
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn feature_name(feature: Feature) -> Cow<'static, str> {
    match feature {
        Feature::Images => "images".into(),
        Feature::Reasoning => "reasoning".into(),
        Feature::LongContext => "long_context".into(),
        Feature::NativeTools(format) => format!("native_tools:{}", format.as_str()).into(),
    }
}

fn feature(name: &str) -> Result<Feature, StoreError> {
    Ok(match name {
        "images" => Feature::Images,
        "reasoning" => Feature::Reasoning,
        "long_context" => Feature::LongContext,
        _ => match name.strip_prefix("native_tools:") {
            Some(format) => Feature::NativeTools(parse_format(format)?),
            None => return Err(corrupt(format!("unknown feature `{name}`"))),
        },
    })
}
