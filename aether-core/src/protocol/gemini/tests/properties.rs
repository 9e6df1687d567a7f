//! Round-trip properties: `encode(decode(x)) == x` for generated Gemini requests and responses.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{decode, decode_response, encode, encode_response};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,!?\n]{0,16}"
}

fn signature() -> impl Strategy<Value = String> {
    "([A-Za-z0-9+/]{4}){1,6}"
}

fn user_part() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(|t| json!({"text": t})),
        Just(json!({"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}})),
        Just(json!({"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0xLjQ="}})),
        Just(json!({"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://bucket/cat.jpg"}})),
        Just(json!({"fileData": {"fileUri": "https://generativelanguage.googleapis.com/v1beta/files/x"}})),
    ]
}

fn model_part() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(|t| json!({"text": t})),
        (text(), signature()).prop_map(|(t, s)| json!({"text": t, "thoughtSignature": s})),
        text().prop_map(|t| json!({"text": t, "thought": true})),
        (text(), signature()).prop_map(|(t, s)| json!({"text": t, "thought": true, "thoughtSignature": s})),
    ]
}

fn output() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(|t| json!({"output": t})),
        text().prop_map(|t| json!({"error": t})),
        (text(), any::<i32>()).prop_map(|(t, n)| json!({"result": t, "count": n})),
    ]
}

/// One step: the model's text and function calls (the first signed), then the user's responses.
fn tool_step() -> impl Strategy<Value = (Vec<Value>, Vec<(String, Value)>, String)> {
    (
        prop::collection::vec(model_part(), 0..2),
        prop::collection::vec(
            (prop::sample::select(vec!["glob", "read_file", "run_shell_command"]), output()),
            1..4,
        ),
        signature(),
    )
        .prop_map(|(texts, calls, sig)| {
            (texts, calls.into_iter().map(|(n, o)| (n.to_owned(), o)).collect(), sig)
        })
}

#[derive(Debug)]
enum Turn {
    User(Vec<Value>),
    Model(Vec<Value>),
    Tools(Vec<Value>, Vec<(String, Value)>, String),
}

fn turn() -> impl Strategy<Value = Turn> {
    prop_oneof![
        prop::collection::vec(user_part(), 1..4).prop_map(Turn::User),
        prop::collection::vec(model_part(), 1..3).prop_map(Turn::Model),
        tool_step().prop_map(|(texts, calls, sig)| Turn::Tools(texts, calls, sig)),
    ]
}

fn contents(turns: Vec<Turn>) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, turn) in turns.into_iter().enumerate() {
        match turn {
            Turn::User(parts) => out.push(json!({"role": "user", "parts": parts})),
            Turn::Model(parts) => out.push(json!({"role": "model", "parts": parts})),
            Turn::Tools(mut parts, calls, sig) => {
                let mut responses = Vec::new();
                for (k, (name, response)) in calls.into_iter().enumerate() {
                    let id = format!("{name}_{i}_{k}");
                    let mut call = json!({"functionCall": {"id": id, "name": name, "args": {"k": k}}});
                    if k == 0 {
                        call["thoughtSignature"] = json!(sig);
                    }
                    parts.push(call);
                    responses
                        .push(json!({"functionResponse": {"id": id, "name": name, "response": response}}));
                }
                out.push(json!({"role": "model", "parts": parts}));
                out.push(json!({"role": "user", "parts": responses}));
            }
        }
    }
    out
}

fn tools() -> impl Strategy<Value = Option<Value>> {
    let declaration = prop_oneof![
        Just(json!({"name": "glob", "description": "Find files.",
            "parametersJsonSchema": {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}})),
        Just(json!({"name": "read_file",
            "parameters": {"type": "OBJECT", "properties": {"path": {"type": "STRING"}, "limit": {"type": "INTEGER"}}}})),
        Just(json!({"name": "run_shell_command", "description": "Run a command."})),
    ];
    proptest::option::of((prop::collection::vec(declaration, 1..3), any::<bool>()).prop_map(
        |(decls, search)| {
            let mut tools = vec![json!({"functionDeclarations": decls})];
            if search {
                tools.push(json!({"googleSearch": {}}));
            }
            Value::Array(tools)
        },
    ))
}

fn tool_config() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(prop_oneof![
        Just(json!({"mode": "AUTO"})),
        Just(json!({"mode": "NONE"})),
        Just(json!({"mode": "ANY"})),
        Just(json!({"mode": "ANY", "allowedFunctionNames": ["glob"]})),
        Just(json!({"mode": "ANY", "allowedFunctionNames": ["glob", "read_file"]})),
        Just(json!({"mode": "VALIDATED"})),
    ])
    .prop_map(|fcc| fcc.map(|fcc| json!({"functionCallingConfig": fcc})))
}

fn thinking() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["MINIMAL", "LOW", "MEDIUM", "HIGH"])
            .prop_map(|level| json!({"includeThoughts": true, "thinkingLevel": level})),
        prop::sample::select(vec![-1_i64, 0, 1024, 24576])
            .prop_map(|budget| json!({"thinkingBudget": budget})),
    ]
}

fn generation_config() -> impl Strategy<Value = Option<Value>> {
    let sampling = (
        proptest::option::of(prop::sample::select(vec![json!(0), json!(0.2), json!(1), json!(1.5)])),
        proptest::option::of(prop::sample::select(vec![json!(0.95), json!(1)])),
        proptest::option::of(1_u64..100),
        proptest::option::of(1_u64..65536),
        prop::collection::vec("[A-Z]{1,5}", 0..3),
        proptest::option::of(any::<i32>()),
    );
    let shape = (proptest::option::of(thinking()), proptest::option::of(0_usize..3));
    proptest::option::of((sampling, shape).prop_map(
        |((temperature, top_p, top_k, max, stop, seed), (thinking, format))| {
            let mut config = Map::new();
            let mut put = |key: &str, value: Option<Value>| {
                if let Some(value) = value {
                    config.insert(key.into(), value);
                }
            };
            put("temperature", temperature);
            put("topP", top_p);
            put("topK", top_k.map(Value::from));
            put("maxOutputTokens", max.map(Value::from));
            put("stopSequences", (!stop.is_empty()).then(|| json!(stop)));
            put("seed", seed.map(Value::from));
            put("thinkingConfig", thinking);
            match format {
                Some(0) => put("responseMimeType", Some(json!("application/json"))),
                Some(1) => {
                    put("responseMimeType", Some(json!("application/json")));
                    put(
                        "responseJsonSchema",
                        Some(json!({"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}})),
                    );
                }
                Some(_) => put("responseMimeType", Some(json!("text/plain"))),
                None => {}
            }
            Value::Object(config)
        },
    ))
    // An empty `generationConfig` is not written back (documented).
    .prop_filter("a generation config says something", |config| {
        config.as_ref().is_none_or(|c| c != &json!({}))
    })
}

fn system_instruction() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of((prop::collection::vec(text(), 1..3), any::<bool>()).prop_map(|(texts, role)| {
        let parts: Vec<Value> = texts.into_iter().map(|t| json!({"text": t})).collect();
        if role { json!({"role": "user", "parts": parts}) } else { json!({"parts": parts}) }
    }))
}

fn request() -> impl Strategy<Value = Value> {
    (prop::collection::vec(turn(), 0..5), system_instruction(), tools(), tool_config(), generation_config())
        .prop_map(|(turns, system, tools, tool_config, generation)| {
            let mut body = Map::new();
            body.insert("contents".into(), Value::Array(contents(turns)));
            for (key, value) in [
                ("systemInstruction", system),
                ("tools", tools),
                ("toolConfig", tool_config),
                ("generationConfig", generation),
            ] {
                if let Some(value) = value {
                    body.insert(key.into(), value);
                }
            }
            Value::Object(body)
        })
}

fn response() -> impl Strategy<Value = Value> {
    let usage = (1_u64..5000, 0_u64..5000, 1_u64..500, 0_u64..300, 0_u64..50);
    (
        prop::collection::vec(model_part(), 0..3),
        proptest::option::of(tool_step()),
        prop::sample::select(vec!["STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "MALFORMED_FUNCTION_CALL"]),
        any::<bool>(),
        usage,
    )
        .prop_filter("a candidate has content", |(parts, step, ..)| !parts.is_empty() || step.is_some())
        .prop_map(
            |(mut parts, step, reason, index, (prompt, cached, candidates, thoughts, tool_use))| {
                if let Some((texts, calls, sig)) = step {
                    parts.extend(texts);
                    for (k, (name, _)) in calls.into_iter().enumerate() {
                        let mut call =
                            json!({"functionCall": {"id": format!("{name}_{k}"), "name": name, "args": {}}});
                        if k == 0 {
                            call["thoughtSignature"] = json!(sig);
                        }
                        parts.push(call);
                    }
                }
                let mut candidate =
                    json!({"content": {"role": "model", "parts": parts}, "finishReason": reason});
                if index {
                    candidate["index"] = json!(0);
                }
                let cached = cached.min(prompt);
                let mut usage = json!({"promptTokenCount": prompt, "candidatesTokenCount": candidates,
                "totalTokenCount": prompt + candidates + thoughts + tool_use});
                let mut put = |key: &str, n: u64| {
                    if n > 0 {
                        usage[key] = json!(n);
                    }
                };
                put("cachedContentTokenCount", cached);
                put("thoughtsTokenCount", thoughts);
                put("toolUsePromptTokenCount", tool_use);
                json!({"candidates": [candidate], "usageMetadata": usage,
                "modelVersion": "gemini-3.8-flash", "responseId": "resp-1"})
            },
        )
}

proptest! {
    /// Supported subset: user/model contents with text, thoughts (signed or not), signed text, inline
    /// images and PDFs, file URIs, function calls with ids (the first of each step signed) and their
    /// responses (`output`, `error` or any object); a system instruction with or without `role`;
    /// function declarations (JSON schema, or OpenAPI with upper-case types) and `googleSearch`; every
    /// function-calling mode; sampling, limits, stop sequences, thinking levels and budgets, JSON mode,
    /// JSON schemas with upper-case types and `text/plain`.
    #[test]
    fn requests_round_trip(body in request()) {
        prop_assert_eq!(encode(decode(&body)), body);
    }

    /// Supported subset: one candidate whose content has text, thoughts, signed text and function calls
    /// with ids; every finish reason kind; usage with cache, thoughts and tool-use prompt tokens.
    #[test]
    fn responses_round_trip(body in response()) {
        prop_assert_eq!(encode_response(decode_response(&body)), body);
    }
}
