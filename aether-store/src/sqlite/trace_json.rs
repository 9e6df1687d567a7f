//! A trace's entries as JSON (the core types carry no serde; the shape is the store's own).

use std::time::Duration;

use aether_core::Timestamp;
use aether_core::catalogue::{EndpointId, KeyId, ProviderId};
use aether_core::schedule::{Class, Feature, Outcome, SkipReason, Target, TraceEntry};
use aether_core::store::StoreError;
use serde_json::{Map, Value, json};

use super::codec::{capabilities, corrupt, parse_format};

pub(crate) fn entries_to_json(entries: &[TraceEntry]) -> Value {
    Value::Array(entries.iter().map(entry_to_json).collect())
}

pub(crate) fn entries_from_json(value: &Value) -> Result<Vec<TraceEntry>, StoreError> {
    value
        .as_array()
        .ok_or_else(|| corrupt("trace entries are not an array"))?
        .iter()
        .map(entry_from_json)
        .collect()
}

fn entry_to_json(entry: &TraceEntry) -> Value {
    json!({
        "provider": entry.target.provider.0,
        "endpoint": entry.target.endpoint.0,
        "key": entry.target.key.0,
        "upstream_model": entry.upstream_model,
        "affinity": entry.affinity,
        "cross_format": entry.cross_format,
        "outcome": outcome_to_json(&entry.outcome),
    })
}

fn entry_from_json(value: &Value) -> Result<TraceEntry, StoreError> {
    let fields = Fields(value.as_object().ok_or_else(|| corrupt("a trace entry is not an object"))?);
    Ok(TraceEntry {
        target: Target {
            provider: ProviderId(fields.u64("provider")?),
            endpoint: EndpointId(fields.u64("endpoint")?),
            key: KeyId(fields.u64("key")?),
        },
        upstream_model: fields.str("upstream_model")?.to_owned(),
        affinity: fields.bool("affinity")?,
        cross_format: fields.bool("cross_format")?,
        outcome: outcome_from_json(fields.get("outcome")?)?,
    })
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn outcome_to_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Skipped(reason) => {
            let mut skip = json!({ "reason": reason.as_str() });
            let extra = match *reason {
                SkipReason::FormatNotAllowed(format) => json!({ "format": format.as_str() }),
                SkipReason::MissingCapability(c) | SkipReason::ReservedCapability(c) => {
                    json!({ "capabilities": c.bits() })
                }
                SkipReason::Unsupported(feature) => json!({ "feature": feature_to_json(feature) }),
                SkipReason::ContextTooLong { tokens, window } => {
                    json!({ "tokens": tokens, "window": window })
                }
                SkipReason::CircuitOpen { until } | SkipReason::CoolingDown { until } => {
                    json!({ "until": until.0 })
                }
                _ => json!({}),
            };
            if let (Some(skip), Value::Object(extra)) = (skip.as_object_mut(), extra) {
                skip.extend(extra);
            }
            json!({ "skipped": skip })
        }
        Outcome::Attempted { status, latency, class, error } => {
            let (throttle_status, retry_after) = match class {
                Class::Throttled { status, retry_after } => (Some(*status), retry_after.map(nanos)),
                _ => (None, None),
            };
            json!({ "attempted": {
                "status": status,
                "latency_ns": nanos(*latency),
                "class": class.as_str(),
                "throttle_status": throttle_status,
                "retry_after_ns": retry_after,
                "error": error,
            }})
        }
    }
}

fn outcome_from_json(value: &Value) -> Result<Outcome, StoreError> {
    let outcome = Fields(value.as_object().ok_or_else(|| corrupt("an outcome is not an object"))?);
    if let Ok(skip) = outcome.get("skipped") {
        let skip = Fields(skip.as_object().ok_or_else(|| corrupt("a skip is not an object"))?);
        return skip_from_json(&skip).map(Outcome::Skipped);
    }
    let attempt =
        Fields(outcome.get("attempted")?.as_object().ok_or_else(|| corrupt("an attempt is not an object"))?);
    let class = match attempt.str("class")? {
        "success" => Class::Success,
        "client_error" => Class::ClientError,
        "key_rejected" => Class::KeyRejected,
        "transient" => Class::Transient,
        "throttled" => Class::Throttled {
            status: attempt.u16("throttle_status")?,
            retry_after: attempt.opt_u64("retry_after_ns")?.map(Duration::from_nanos),
        },
        other => return Err(corrupt(format!("unknown class `{other}`"))),
    };
    Ok(Outcome::Attempted {
        status: attempt
            .opt_u64("status")?
            .map(|s| u16::try_from(s).map_err(|_| corrupt("status")))
            .transpose()?,
        latency: Duration::from_nanos(attempt.u64("latency_ns")?),
        class,
        error: attempt.opt_str("error")?.map(str::to_owned),
    })
}

fn skip_from_json(skip: &Fields<'_>) -> Result<SkipReason, StoreError> {
    let reason = skip.str("reason")?;
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
    if let Some(simple) = simple.into_iter().find(|r| r.as_str() == reason) {
        return Ok(simple);
    }
    let caps = || {
        u32::try_from(skip.u64("capabilities")?)
            .map_err(|_| corrupt("capabilities"))
            .and_then(|b| capabilities(b.into()))
    };
    Ok(match reason {
        "format_not_allowed" => SkipReason::FormatNotAllowed(parse_format(skip.str("format")?)?),
        "missing_capability" => SkipReason::MissingCapability(caps()?),
        "reserved_capability" => SkipReason::ReservedCapability(caps()?),
        "unsupported_feature" => SkipReason::Unsupported(feature_from_json(skip.str("feature")?)?),
        "context_too_long" => {
            SkipReason::ContextTooLong { tokens: skip.u64("tokens")?, window: skip.u64("window")? }
        }
        "circuit_open" => SkipReason::CircuitOpen { until: Timestamp(skip.u64("until")?) },
        "cooling_down" => SkipReason::CoolingDown { until: Timestamp(skip.u64("until")?) },
        other => return Err(corrupt(format!("unknown skip reason `{other}`"))),
    })
}

fn feature_to_json(feature: Feature) -> String {
    match feature {
        Feature::Images => "images".into(),
        Feature::Reasoning => "reasoning".into(),
        Feature::LongContext => "long_context".into(),
        Feature::NativeTools(format) => format!("native_tools:{}", format.as_str()),
    }
}

fn feature_from_json(name: &str) -> Result<Feature, StoreError> {
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

/// Typed access to a JSON object's fields.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn get(&self, name: &str) -> Result<&Value, StoreError> {
        self.0.get(name).ok_or_else(|| corrupt(format!("trace field `{name}` is missing")))
    }

    fn u64(&self, name: &str) -> Result<u64, StoreError> {
        self.get(name)?.as_u64().ok_or_else(|| corrupt(format!("trace field `{name}` is not a count")))
    }

    fn u16(&self, name: &str) -> Result<u16, StoreError> {
        u16::try_from(self.u64(name)?).map_err(|_| corrupt(format!("trace field `{name}` is out of range")))
    }

    fn opt_u64(&self, name: &str) -> Result<Option<u64>, StoreError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.u64(name).map(Some),
        }
    }

    fn str(&self, name: &str) -> Result<&str, StoreError> {
        self.get(name)?.as_str().ok_or_else(|| corrupt(format!("trace field `{name}` is not a string")))
    }

    fn opt_str(&self, name: &str) -> Result<Option<&str>, StoreError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.str(name).map(Some),
        }
    }

    fn bool(&self, name: &str) -> Result<bool, StoreError> {
        self.get(name)?.as_bool().ok_or_else(|| corrupt(format!("trace field `{name}` is not a boolean")))
    }
}
