//! Request settings ↔ IR: `thinking`, `output_config`, `tool_choice`, `metadata`.
//!
//! Members of these objects that the IR does not model are kept in the request's `extra` under the object's
//! own key (`extra["thinking"] = {"display": …}`) and merged back into the object when it is written. A
//! `thinking` or `tool_choice` of an unknown type is kept whole there and re-emitted as is.

use serde_json::{Map, Value};

use super::types::{
    JsonSchemaFormat, JsonSchemaTag, KnownToolChoice, Metadata, OutputConfig, OutputFormat, Thinking,
    ThinkingConfig, ToolChoiceKind, ToolChoiceWire,
};
use crate::TranslateError;
use crate::ir::{Effort, ReasoningConfig, ResponseFormat, ToolChoice};

/// `max_tokens` sent when the IR has none (the API requires it); a thinking budget is added on top.
pub const DEFAULT_MAX_TOKENS: u64 = 8192;

/// The smallest `budget_tokens` the API accepts.
pub const MIN_BUDGET_TOKENS: u64 = 1024;

/// The thinking budget an effort level maps to when the IR asks for enabled thinking without a budget.
///
/// | effort            | `budget_tokens` |
/// |-------------------|-----------------|
/// | minimal           | 1024            |
/// | low               | 2048            |
/// | medium (or none)  | 8192            |
/// | high              | 16384           |
/// | max               | 31999           |
pub const fn effort_budget(effort: Effort) -> u64 {
    match effort {
        Effort::None | Effort::Minimal => MIN_BUDGET_TOKENS,
        Effort::Low => 2048,
        Effort::Medium => 8192,
        Effort::High => 16384,
        Effort::Max => 31999,
    }
}

/// Keeps `fields` in `extra[key]` when there are any.
pub(super) fn stash(extra: &mut Map<String, Value>, key: &str, fields: Map<String, Value>) {
    if !fields.is_empty() {
        extra.insert(key.to_owned(), Value::Object(fields));
    }
}

/// Takes `extra[key]` back as an object (anything else is dropped).
pub(super) fn unstash(extra: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match extra.remove(key) {
        Some(Value::Object(fields)) => fields,
        _ => Map::new(),
    }
}

/// Reads `thinking` and `output_config` into the IR's reasoning settings and response format.
pub(super) fn decode_reasoning(
    thinking: Option<Thinking>,
    output_config: Option<OutputConfig>,
    extra: &mut Map<String, Value>,
) -> (Option<ReasoningConfig>, Option<ResponseFormat>) {
    let mut config = ReasoningConfig::default();
    let mut known = false;
    match thinking {
        Some(Thinking::Known(thinking)) => {
            known = true;
            let fields = match thinking {
                ThinkingConfig::Enabled { budget_tokens, extra } => {
                    config.enabled = Some(true);
                    config.budget_tokens = Some(budget_tokens);
                    extra
                }
                ThinkingConfig::Disabled { extra } => {
                    config.enabled = Some(false);
                    extra
                }
                ThinkingConfig::Adaptive { extra } => {
                    config.enabled = Some(true);
                    config.adaptive = true;
                    extra
                }
            };
            stash(extra, "thinking", fields);
        }
        Some(Thinking::Unknown(value)) => {
            extra.insert("thinking".into(), value);
        }
        None => {}
    }
    let mut format_ir = None;
    if let Some(output) = output_config {
        let mut fields = output.extra;
        match output.effort.as_deref().map(parse_effort) {
            Some(Some(effort)) => {
                config.effort = Some(effort);
                known = true;
            }
            Some(None) => {
                fields.insert("effort".into(), output.effort.map(Value::String).unwrap_or_default());
            }
            None => {}
        }
        match output.format {
            Some(OutputFormat::JsonSchema(format)) => {
                format_ir = Some(ResponseFormat::JsonSchema {
                    name: None,
                    description: None,
                    schema: format.schema,
                    strict: None,
                });
            }
            Some(OutputFormat::Unknown(value)) => {
                fields.insert("format".into(), value);
            }
            None => {}
        }
        stash(extra, "output_config", fields);
    }
    (known.then_some(config), format_ir)
}

fn parse_effort(effort: &str) -> Option<Effort> {
    match effort {
        "low" => Some(Effort::Low),
        "medium" => Some(Effort::Medium),
        "high" => Some(Effort::High),
        "max" => Some(Effort::Max),
        _ => None,
    }
}

const fn effort_name(effort: Effort) -> Option<&'static str> {
    match effort {
        Effort::None => None,
        Effort::Minimal | Effort::Low => Some("low"),
        Effort::Medium => Some("medium"),
        Effort::High => Some("high"),
        Effort::Max => Some("max"),
    }
}

/// `thinking` and `output_config.effort` for the IR's reasoning settings:
/// - off (`enabled: Some(false)` or effort `none`) → `disabled`;
/// - adaptive → `adaptive`;
/// - enabled with a budget → `enabled` with that budget;
/// - enabled without a budget → `enabled` with [`effort_budget`] of the effort (medium when none), kept
///   below `max_tokens` when the IR has one, and no `effort` (it was spent on the budget); a budget that
///   cannot reach [`MIN_BUDGET_TOKENS`] sends no `thinking`;
/// - otherwise no `thinking`, and the effort alone.
pub(super) fn encode_reasoning(
    config: Option<&ReasoningConfig>,
    max_tokens: Option<u64>,
) -> (Option<ThinkingConfig>, Option<&'static str>) {
    let Some(config) = config else { return (None, None) };
    let effort = config.effort.and_then(effort_name);
    let extra = Map::new();
    if config.enabled == Some(false) || config.effort == Some(Effort::None) {
        return (Some(ThinkingConfig::Disabled { extra }), effort);
    }
    if config.adaptive {
        return (Some(ThinkingConfig::Adaptive { extra }), effort);
    }
    match (config.enabled, config.budget_tokens) {
        (Some(true), Some(budget_tokens)) => (Some(ThinkingConfig::Enabled { budget_tokens, extra }), effort),
        (Some(true), None) => {
            let wanted = effort_budget(config.effort.unwrap_or(Effort::Medium));
            let budget = max_tokens.map_or(wanted, |max| wanted.min(max.saturating_sub(1)));
            let thinking = (budget >= MIN_BUDGET_TOKENS)
                .then_some(ThinkingConfig::Enabled { budget_tokens: budget, extra });
            (thinking, None)
        }
        _ => (None, effort),
    }
}

/// Merges the kept members of `thinking` back (or re-emits an unknown `thinking` whole).
pub(super) fn finish_thinking(typed: Option<ThinkingConfig>, kept: Option<Value>) -> Option<Thinking> {
    match (typed, kept) {
        (Some(mut typed), Some(Value::Object(fields))) if !fields.contains_key("type") => {
            let extra = match &mut typed {
                ThinkingConfig::Enabled { extra, .. }
                | ThinkingConfig::Disabled { extra }
                | ThinkingConfig::Adaptive { extra } => extra,
            };
            extra.extend(fields);
            Some(Thinking::Known(typed))
        }
        (Some(typed), _) => Some(Thinking::Known(typed)),
        (None, Some(value @ Value::Object(_))) if value.get("type").is_some() => {
            Some(Thinking::Unknown(value))
        }
        (None, _) => None,
    }
}

/// `output_config` for an effort and a response format, with its kept members.
pub(super) fn encode_output_config(
    effort: Option<&'static str>,
    format: Option<ResponseFormat>,
    mut fields: Map<String, Value>,
) -> Option<OutputConfig> {
    let format = format.and_then(|format| match format {
        ResponseFormat::Text => None,
        ResponseFormat::JsonObject => Some(serde_json::json!({"type": "object"})),
        ResponseFormat::JsonSchema { schema, .. } => Some(schema),
    });
    if effort.is_some() {
        fields.remove("effort");
    }
    if format.is_some() {
        fields.remove("format");
    }
    let format = format
        .map(|schema| OutputFormat::JsonSchema(JsonSchemaFormat { kind: JsonSchemaTag::JsonSchema, schema }));
    let config = OutputConfig { effort: effort.map(str::to_owned), format, extra: fields };
    (config.effort.is_some() || config.format.is_some() || !config.extra.is_empty()).then_some(config)
}

/// Reads `tool_choice` into the IR's choice and `parallel_tool_calls`.
pub(super) fn decode_tool_choice(
    choice: Option<ToolChoiceWire>,
    extra: &mut Map<String, Value>,
) -> Result<(Option<ToolChoice>, Option<bool>), TranslateError> {
    let choice = match choice {
        None => return Ok((None, None)),
        Some(ToolChoiceWire::Unknown(value)) => {
            extra.insert("tool_choice".into(), value);
            return Ok((None, None));
        }
        Some(ToolChoiceWire::Known(choice)) => choice,
    };
    let parallel = choice.disable_parallel_tool_use.map(|disable| !disable);
    let ir = match choice.kind {
        ToolChoiceKind::Auto => ToolChoice::Auto,
        ToolChoiceKind::Any => ToolChoice::Required,
        ToolChoiceKind::None => ToolChoice::None,
        ToolChoiceKind::Tool => match choice.name {
            Some(name) => ToolChoice::Tool(name),
            None => return Err(TranslateError::invalid("tool_choice.name", "required for type `tool`")),
        },
    };
    Ok((Some(ir), parallel))
}

/// `tool_choice` for the IR's choice and `parallel_tool_calls`: `disable_parallel_tool_use` is the negation
/// of `parallel_tool_calls`; `parallel_tool_calls: Some(false)` without a choice is `{"type":"auto",
/// "disable_parallel_tool_use":true}`.
pub(super) fn encode_tool_choice(
    choice: Option<ToolChoice>,
    parallel: Option<bool>,
    kept: Option<Value>,
) -> Option<ToolChoiceWire> {
    let disable = parallel.map(|parallel| !parallel);
    let (kind, name) = match choice {
        Some(ToolChoice::Auto) => (ToolChoiceKind::Auto, None),
        Some(ToolChoice::Required) => (ToolChoiceKind::Any, None),
        Some(ToolChoice::Tool(name)) => (ToolChoiceKind::Tool, Some(name)),
        Some(ToolChoice::None) => {
            return Some(ToolChoiceWire::Known(KnownToolChoice {
                kind: ToolChoiceKind::None,
                name: None,
                disable_parallel_tool_use: None,
            }));
        }
        None if disable == Some(true) => (ToolChoiceKind::Auto, None),
        None => return kept.map(ToolChoiceWire::Unknown),
    };
    Some(ToolChoiceWire::Known(KnownToolChoice { kind, name, disable_parallel_tool_use: disable }))
}

/// Reads `metadata`: `user_id` is the IR's user; other members are kept.
pub(super) fn decode_metadata(metadata: Option<Metadata>, extra: &mut Map<String, Value>) -> Option<String> {
    let metadata = metadata?;
    stash(extra, "metadata", metadata.extra);
    metadata.user_id
}

/// `metadata` for the IR's user and the kept members.
pub(super) fn encode_metadata(user: Option<String>, mut fields: Map<String, Value>) -> Option<Metadata> {
    if user.is_some() {
        fields.remove("user_id");
    }
    (user.is_some() || !fields.is_empty()).then_some(Metadata { user_id: user, extra: fields })
}
