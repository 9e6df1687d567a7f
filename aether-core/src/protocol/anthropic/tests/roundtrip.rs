//! Property: `encode(decode(x)) == x` (as JSON values) for generated requests and responses.
//!
//! Supported subset (what the strategies generate): `model`, `max_tokens`, `system` as a string or as two
//! or more text blocks (or one with `cache_control`), alternating `user` / `assistant` messages whose
//! content is a string or a list of blocks that is not a lone plain text block; text (with or without
//! `cache_control`), base64 / URL / file images, tool results (string or block content, `is_error: true` or
//! absent), signed `thinking` and `redacted_thinking`, `tool_use` with object input; custom tools;
//! `tool_choice` with `disable_parallel_tool_use`; `thinking` (enabled with a budget — then every assistant
//! turn that calls a tool starts with a thinking block, as the API requires —, disabled, adaptive)
//! and `output_config.effort`; `temperature` / `top_p` (non-whole), `top_k`, non-empty `stop_sequences`,
//! `stream: true`, `metadata.user_id`, and an unknown top-level field. Responses: text, thinking and
//! tool_use content, every stop reason, and full usage.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{decode, decode_response, encode, encode_response};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,!?{}\"\\\\é]{0,16}"
}

fn eph() -> Value {
    json!({"type": "ephemeral"})
}

fn text_block() -> impl Strategy<Value = Value> {
    (text(), any::<bool>()).prop_map(|(text, cached)| {
        let mut block = json!({"type": "text", "text": text});
        if cached {
            block["cache_control"] = eph();
        }
        block
    })
}

fn image_block() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[A-Za-z0-9+/]{4,12}".prop_map(|data| json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}})),
        "[a-z]{1,8}".prop_map(|p| json!({"type": "image", "source": {"type": "url", "url": format!("https://x.test/{p}.png")}})),
        "[a-zA-Z0-9]{4,10}".prop_map(|id| json!({"type": "image", "source": {"type": "file", "file_id": format!("file_{id}")}})),
    ]
}

/// A block list that is not a lone plain text block (that one re-encodes as a string).
fn block_list(block: impl Strategy<Value = Value>, max: usize) -> impl Strategy<Value = Value> {
    prop::collection::vec(block, 1..=max).prop_map(|mut blocks| {
        if blocks.len() == 1 && blocks[0]["type"] == "text" && blocks[0].get("cache_control").is_none() {
            blocks[0]["cache_control"] = eph();
        }
        Value::Array(blocks)
    })
}

fn content(block: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![text().prop_map(Value::String), block_list(block, 4)]
}

fn tool_result() -> impl Strategy<Value = Value> {
    let body = prop_oneof![
        Just(None),
        text().prop_map(|t| Some(Value::String(t))),
        block_list(prop_oneof![text_block(), image_block()], 3).prop_map(Some),
    ];
    ("[a-z0-9]{4}", body, any::<bool>(), any::<bool>()).prop_map(|(id, body, error, cached)| {
        let mut block = json!({"type": "tool_result", "tool_use_id": format!("toolu_{id}")});
        if let Some(body) = body {
            block["content"] = body;
        }
        if error {
            block["is_error"] = json!(true);
        }
        if cached {
            block["cache_control"] = eph();
        }
        block
    })
}

fn user_content() -> impl Strategy<Value = Value> {
    content(prop_oneof![text_block(), image_block(), tool_result()])
}

fn tool_use() -> impl Strategy<Value = Value> {
    ("[a-z0-9]{4}", "[a-z_]{1,8}", prop::collection::btree_map("[a-z]{1,6}", text(), 0..3)).prop_map(|(id, name, args)| {
        json!({"type": "tool_use", "id": format!("toolu_{id}"), "name": name, "input": args})
    })
}

fn assistant_content() -> impl Strategy<Value = Value> {
    let thinking = (text(), "[A-Za-z0-9+/=]{8,24}")
        .prop_map(|(t, s)| json!({"type": "thinking", "thinking": t, "signature": s}));
    let redacted = "[A-Za-z0-9+/=]{8,24}".prop_map(|d| json!({"type": "redacted_thinking", "data": d}));
    content(prop_oneof![text_block(), tool_use(), thinking, redacted])
}

fn messages() -> impl Strategy<Value = Value> {
    prop::collection::vec((user_content(), assistant_content()), 0..3).prop_flat_map(|turns| {
        user_content().prop_map(move |last| {
            let mut messages: Vec<Value> = Vec::new();
            for (user, assistant) in turns.clone() {
                messages.push(json!({"role": "user", "content": user}));
                messages.push(json!({"role": "assistant", "content": assistant}));
            }
            messages.push(json!({"role": "user", "content": last}));
            Value::Array(messages)
        })
    })
}

fn system() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![text().prop_map(Value::String), block_list(text_block(), 3)])
}

fn tools() -> impl Strategy<Value = Option<Value>> {
    let tool = ("[a-zA-Z_]{1,10}", prop::option::of(text()), any::<bool>(), prop::option::of(any::<bool>())).prop_map(
        |(name, description, cached, strict)| {
            let mut tool = json!({"name": name, "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}});
            if let Some(description) = description {
                tool["description"] = json!(description);
            }
            if cached {
                tool["cache_control"] = eph();
            }
            if let Some(strict) = strict {
                tool["strict"] = json!(strict);
            }
            tool
        },
    );
    prop::option::of(prop::collection::vec(tool, 1..3).prop_map(Value::Array))
}

fn tool_choice() -> impl Strategy<Value = Option<Value>> {
    let kind = prop_oneof![
        Just(json!({"type": "auto"})),
        Just(json!({"type": "any"})),
        "[a-z]{1,6}".prop_map(|n| json!({"type": "tool", "name": n}))
    ];
    prop::option::of((kind, prop::option::of(any::<bool>())).prop_map(|(mut choice, disable)| {
        if let Some(disable) = disable {
            choice["disable_parallel_tool_use"] = json!(disable);
        }
        choice
    }))
}

fn thinking() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        (1024u64..40000).prop_map(|b| json!({"type": "enabled", "budget_tokens": b})),
        Just(json!({"type": "disabled"})),
        Just(json!({"type": "adaptive"})),
    ])
}

fn effort() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(
        prop_oneof![Just("low"), Just("medium"), Just("high"), Just("max")]
            .prop_map(|e| json!({"effort": e})),
    )
}

fn fraction() -> impl Strategy<Value = Option<Value>> {
    prop::option::of((1u32..100).prop_map(|n| json!(f64::from(n) / 100.0)))
}

fn request() -> impl Strategy<Value = Value> {
    let head = ("claude-[a-z0-9-]{1,12}", 1u64..100_000, system(), messages(), tools(), tool_choice());
    let tail = (
        thinking(),
        effort(),
        (fraction(), fraction(), prop::option::of(1u64..500)),
        prop::option::of(prop::collection::vec(text(), 1..3)),
        any::<bool>(),
        prop::option::of(text()),
        prop::option::of(text()),
    );
    (head, tail).prop_map(
        |(
            (model, max, system, mut messages, tools, choice),
            (thinking, effort, sampling, stop, stream, user, unknown),
        )| {
            if thinking.as_ref().is_some_and(|t| t["type"] == "enabled") {
                sign_tool_turns(&mut messages);
            }
            let mut body = Map::new();
            body.insert("model".into(), json!(model));
            body.insert("max_tokens".into(), json!(max));
            body.insert("messages".into(), messages);
            let optional = [
                ("system", system),
                ("tools", tools),
                ("tool_choice", choice),
                ("thinking", thinking),
                ("output_config", effort),
                ("temperature", sampling.0),
                ("top_p", sampling.1),
                ("top_k", sampling.2.map(|k| json!(k))),
                ("stop_sequences", stop.map(|s| json!(s))),
                ("stream", stream.then_some(json!(true))),
                ("metadata", user.map(|u| json!({"user_id": u}))),
                ("x_future_field", unknown.map(|u| json!({"v": u}))),
            ];
            for (key, value) in optional {
                if let Some(value) = value {
                    body.insert(key.into(), value);
                }
            }
            Value::Object(body)
        },
    )
}

/// With thinking enabled, the API requires an assistant turn that calls a tool to start with a thinking
/// block (the encoder drops `thinking` otherwise), so generated requests respect that.
fn sign_tool_turns(messages: &mut Value) {
    let Some(messages) = messages.as_array_mut() else { return };
    for message in messages.iter_mut().filter(|m| m["role"] == "assistant") {
        let Some(blocks) = message["content"].as_array_mut() else { continue };
        let calls = blocks.iter().any(|b| b["type"] == "tool_use");
        let starts =
            blocks.first().is_some_and(|b| b["type"] == "thinking" || b["type"] == "redacted_thinking");
        if calls && !starts {
            blocks.insert(0, json!({"type": "thinking", "thinking": "t", "signature": "c2ln"}));
        }
    }
}

fn response() -> impl Strategy<Value = Value> {
    let stop = prop_oneof![
        Just("end_turn"),
        Just("max_tokens"),
        Just("stop_sequence"),
        Just("tool_use"),
        Just("pause_turn"),
        Just("refusal"),
        Just("model_context_window_exceeded"),
        Just("some_future_reason"),
    ];
    let block = prop_oneof![
        text_block(),
        tool_use(),
        (text(), "[A-Za-z0-9+/=]{8,24}")
            .prop_map(|(t, s)| json!({"type": "thinking", "thinking": t, "signature": s})),
    ];
    let counts = (0u64..100_000, 0u64..100_000, 0u64..100_000, 0u64..50_000, 0u64..50_000);
    ("[a-zA-Z0-9]{8,20}", prop::collection::vec(block, 0..4), prop::option::of(stop), prop::option::of(text()), counts, any::<bool>())
        .prop_map(|(id, content, stop, sequence, (input, output, read, w5, w1), tier)| {
            let mut usage = json!({
                "input_tokens": input, "cache_creation_input_tokens": w5 + w1, "cache_read_input_tokens": read,
                "cache_creation": {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1},
                "output_tokens": output
            });
            if tier {
                usage["service_tier"] = json!("standard");
            }
            json!({"id": format!("msg_{id}"), "type": "message", "role": "assistant", "model": "claude-opus-4-8",
                   "content": content, "stop_reason": stop, "stop_sequence": sequence, "usage": usage})
        })
}

proptest! {
    #[test]
    fn requests_in_the_supported_subset_roundtrip(body in request()) {
        prop_assert_eq!(encode(decode(body.clone())), body);
    }

    #[test]
    fn responses_roundtrip(body in response()) {
        prop_assert_eq!(encode_response(decode_response(body.clone())), body);
    }
}
