//! Round-trip properties: `encode(decode(x)) == x` as JSON values for generated Chat bodies.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{decode, decode_response, encode, encode_response};

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,!?]{0,16}"
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,10}"
}

fn text_part() -> impl Strategy<Value = Value> {
    word().prop_map(|text| json!({"type": "text", "text": text}))
}

/// A string, or an array of one to three text parts.
fn text_content() -> impl Strategy<Value = Value> {
    prop_oneof![word().prop_map(Value::String), vec(text_part(), 1..4).prop_map(Value::Array)]
}

fn image_part() -> impl Strategy<Value = Value> {
    let url = prop_oneof![
        "[A-Za-z0-9+/]{4,24}".prop_map(|data| format!("data:image/png;base64,{data}")),
        ident().prop_map(|name| format!("https://img.example.com/{name}.jpg")),
    ];
    let detail = option::of(prop_oneof![Just("low"), Just("high"), Just("auto")]);
    (url, detail).prop_map(|(url, detail)| match detail {
        Some(detail) => json!({"type": "image_url", "image_url": {"url": url, "detail": detail}}),
        None => json!({"type": "image_url", "image_url": {"url": url}}),
    })
}

fn file_part() -> impl Strategy<Value = Value> {
    prop_oneof![
        ("[A-Za-z0-9+/]{4,24}", ident()).prop_map(|(data, name)| json!({"type": "file", "file": {
            "filename": format!("{name}.pdf"), "file_data": format!("data:application/pdf;base64,{data}")}})),
        ident().prop_map(|id| json!({"type": "file", "file": {"file_id": format!("file-{id}")}})),
    ]
}

fn with(mut object: Value, key: &str, value: Option<Value>) -> Value {
    if let (Some(value), Some(map)) = (value, object.as_object_mut()) {
        map.insert(key.to_owned(), value);
    }
    object
}

fn user_message() -> impl Strategy<Value = Vec<Value>> {
    let parts = vec(prop_oneof![3 => text_part(), 1 => image_part(), 1 => file_part()], 1..4);
    let content = prop_oneof![word().prop_map(Value::String), parts.prop_map(Value::Array)];
    (content, option::of(ident())).prop_map(|(content, name)| {
        vec![with(json!({"role": "user", "content": content}), "name", name.map(Value::String))]
    })
}

fn instruction(role: &'static str) -> impl Strategy<Value = Vec<Value>> {
    text_content().prop_map(move |content| vec![json!({"role": role, "content": content})])
}

fn assistant_text() -> impl Strategy<Value = Vec<Value>> {
    (word(), option::of(word())).prop_map(|(content, refusal)| {
        vec![with(json!({"role": "assistant", "content": content}), "refusal", refusal.map(Value::String))]
    })
}

/// An assistant turn with one to three tool calls, then one tool message per call.
fn tool_round() -> impl Strategy<Value = Vec<Value>> {
    let call = (ident(), ident(), 0..1000u32);
    let content = prop_oneof![Just(Value::Null), word().prop_map(Value::String)];
    (content, vec((call, text_content()), 1..4)).prop_map(|(content, calls)| {
        let tool_calls: Vec<Value> = calls
            .iter()
            .map(|((id, name, n), _)| {
                json!({"id": format!("call_{id}"), "type": "function",
                "function": {"name": name, "arguments": format!("{{\"n\":{n}}}")}})
            })
            .collect();
        let mut out = vec![json!({"role": "assistant", "content": content, "tool_calls": tool_calls})];
        out.extend(calls.into_iter().map(|((id, _, _), output)| {
            json!({"role": "tool", "tool_call_id": format!("call_{id}"), "content": output})
        }));
        out
    })
}

fn conversation() -> impl Strategy<Value = Vec<Value>> {
    vec(
        prop_oneof![
            1 => instruction("system"),
            1 => instruction("developer"),
            3 => user_message(),
            2 => assistant_text(),
            2 => tool_round(),
        ],
        1..6,
    )
    .prop_map(|groups| groups.into_iter().flatten().collect())
}

fn tool() -> impl Strategy<Value = Value> {
    (ident(), option::of(word()), option::of(any::<bool>())).prop_map(|(name, description, strict)| {
        let function =
            json!({"name": name, "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}}});
        let function = with(function, "description", description.map(Value::String));
        json!({"type": "function", "function": with(function, "strict", strict.map(Value::Bool))})
    })
}

fn tool_choice() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("auto")),
        Just(json!("none")),
        Just(json!("required")),
        ident().prop_map(|name| json!({"type": "function", "function": {"name": name}})),
    ]
}

fn response_format() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "text"})),
        Just(json!({"type": "json_object"})),
        (ident(), option::of(any::<bool>())).prop_map(|(name, strict)| {
            let schema = json!({"name": name, "schema": {"type": "object"}});
            json!({"type": "json_schema", "json_schema": with(schema, "strict", strict.map(Value::Bool))})
        }),
    ]
}

fn sampling() -> impl Strategy<Value = Map<String, Value>> {
    let unit = || option::of((0u32..=200).prop_map(|n| f64::from(n) / 100.0));
    (unit(), unit(), unit(), unit(), option::of(any::<i64>())).prop_map(|(t, p, pp, fp, seed)| {
        let mut map = Map::new();
        let fields = [
            ("temperature", t.map(Value::from)),
            ("top_p", p.map(Value::from)),
            ("presence_penalty", pp.map(Value::from)),
            ("frequency_penalty", fp.map(Value::from)),
            ("seed", seed.map(Value::from)),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                map.insert(key.into(), value);
            }
        }
        map
    })
}

fn limits() -> impl Strategy<Value = Map<String, Value>> {
    let max = option::of((prop_oneof![Just("max_completion_tokens"), Just("max_tokens")], 1u64..100_000));
    let stop = option::of(prop_oneof![
        word().prop_map(Value::String),
        vec(word(), 1..4).prop_map(|s| Value::Array(s.into_iter().map(Value::String).collect())),
    ]);
    let effort = option::of(prop_oneof![
        Just("none"),
        Just("minimal"),
        Just("low"),
        Just("medium"),
        Just("high"),
        Just("xhigh")
    ]);
    (max, stop, effort, option::of(any::<bool>())).prop_map(|(max, stop, effort, stream)| {
        let mut map = Map::new();
        if let Some((key, n)) = max {
            map.insert(key.into(), n.into());
        }
        let fields = [
            ("stop", stop),
            ("reasoning_effort", effort.map(Value::from)),
            ("stream", stream.map(Value::Bool)),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                map.insert(key.into(), value);
            }
        }
        map
    })
}

fn identity() -> impl Strategy<Value = Map<String, Value>> {
    let user = option::of(prop_oneof![
        ident().prop_map(|u| ("user", u)),
        ident().prop_map(|u| ("safety_identifier", u))
    ]);
    (user, option::of(ident()), option::of((ident(), word())), option::of(1u32..4)).prop_map(
        |(user, cache_key, metadata, n)| {
            let mut map = Map::new();
            if let Some((key, user)) = user {
                map.insert(key.into(), user.into());
            }
            if let Some(key) = cache_key {
                map.insert("prompt_cache_key".into(), key.into());
            }
            if let Some((k, v)) = metadata {
                map.insert("metadata".into(), json!({ k: v }));
            }
            if let Some(n) = n {
                map.insert("n".into(), n.into());
            }
            map
        },
    )
}

/// Requests over the supported subset: system, developer, user (text, images by data URL or https with
/// detail, files by data or id, names), assistant text with refusals, parallel tool calls and their tool
/// messages (string or text-part content), function tools, every tool choice, `parallel_tool_calls`,
/// either max-token field, sampling, stop as string or array, every reasoning effort, every response
/// format, `user` or `safety_identifier`, cache key, metadata, `stream`, and `n` as an unmodelled member.
fn chat_request() -> impl Strategy<Value = Value> {
    let tools = option::of((vec(tool(), 1..3), option::of(tool_choice()), option::of(any::<bool>())));
    (ident(), conversation(), tools, option::of(response_format()), sampling(), limits(), identity())
        .prop_map(|(model, messages, tools, format, sampling, limits, identity)| {
            let mut body = json!({"model": model, "messages": messages});
            if let Some((tools, choice, parallel)) = tools {
                body = with(body, "tools", Some(Value::Array(tools)));
                body = with(body, "tool_choice", choice);
                body = with(body, "parallel_tool_calls", parallel.map(Value::Bool));
            }
            body = with(body, "response_format", format);
            if let Some(map) = body.as_object_mut() {
                map.extend(sampling);
                map.extend(limits);
                map.extend(identity);
            }
            body
        })
}

fn usage() -> impl Strategy<Value = Value> {
    (0u64..100_000, 0u64..100_000, 0u64..=100, 0u64..=100, any::<bool>()).prop_map(
        |(prompt, completion, cached_pct, reasoning_pct, audio)| {
            let cached = prompt * cached_pct / 100;
            let reasoning = completion * reasoning_pct / 100;
            let mut usage = json!({"prompt_tokens": prompt, "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached},
                "completion_tokens_details": {"reasoning_tokens": reasoning}});
            if audio {
                usage["prompt_tokens_details"]["audio_tokens"] = json!(0);
                usage["completion_tokens_details"]["accepted_prediction_tokens"] = json!(0);
            }
            usage
        },
    )
}

/// Responses over the supported subset: text or null content, a refusal (or an explicit null one),
/// parallel tool calls, every finish reason, usage with cached and reasoning tokens, annotations,
/// logprobs, `system_fingerprint` and `service_tier` as unmodelled members.
fn chat_response() -> impl Strategy<Value = Value> {
    let content = prop_oneof![Just(Value::Null), word().prop_map(Value::String)];
    let refusal = option::of(prop_oneof![Just(Value::Null), word().prop_map(Value::String)]);
    let calls = vec((ident(), ident(), 0..1000u32), 0..3);
    let finish = prop_oneof![
        Just("stop"),
        Just("length"),
        Just("tool_calls"),
        Just("content_filter"),
        Just("function_call")
    ];
    let meta = (ident(), 0i64..2_000_000_000, ident(), option::of(ident()), any::<bool>());
    (content, refusal, calls, finish, usage(), meta).prop_map(
        |(content, refusal, calls, finish, usage, (id, created, model, fingerprint, annotations))| {
            let mut message = with(json!({"role": "assistant", "content": content}), "refusal", refusal);
            if !calls.is_empty() {
                let calls: Vec<Value> = calls
                    .into_iter()
                    .map(|(id, name, n)| json!({"id": format!("call_{id}"), "type": "function",
                        "function": {"name": name, "arguments": format!("{{\"n\":{n}}}")}}))
                    .collect();
                message = with(message, "tool_calls", Some(Value::Array(calls)));
            }
            if annotations {
                message = with(message, "annotations", Some(json!([])));
            }
            let body = json!({"id": format!("chatcmpl-{id}"), "object": "chat.completion", "created": created,
                "model": model, "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
                "usage": usage, "service_tier": "default"});
            with(body, "system_fingerprint", fingerprint.map(Value::String))
        },
    )
}

proptest! {
    #[test]
    fn requests_round_trip(body in chat_request()) {
        prop_assert_eq!(encode(decode(&body)), body);
    }

    #[test]
    fn responses_round_trip(body in chat_response()) {
        prop_assert_eq!(encode_response(decode_response(&body)), body);
    }
}
