//! Every fixture decodes and re-encodes to the same JSON value, or differs exactly as documented.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{decode, decode_response, encode, encode_response};

fn fixtures(kind: &str) -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gemini").join(kind);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable");
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 8, "fixtures of {kind} are missing");
    out
}

/// The documented differences: synthesised `call_<n>` ids are written back, and so is a missing `role`.
fn expected_request(name: &str, mut body: Value) -> Value {
    if name == "function_calls_without_ids.json" {
        let contents = &mut body["contents"];
        contents[1]["parts"][0]["functionCall"]["id"] = json!("call_0");
        contents[1]["parts"][1]["functionCall"]["id"] = json!("call_1");
        contents[2]["role"] = json!("user");
        contents[2]["parts"][0]["functionResponse"]["id"] = json!("call_0");
        contents[2]["parts"][1]["functionResponse"]["id"] = json!("call_1");
    }
    body
}

fn expected_response(name: &str, mut body: Value) -> Value {
    if name == "parallel_tool_calls.json" {
        let parts = &mut body["candidates"][0]["content"]["parts"];
        parts[0]["functionCall"]["id"] = json!("call_0");
        parts[1]["functionCall"]["id"] = json!("call_1");
    }
    body
}

#[test]
fn request_fixtures_survive_decode_and_encode() {
    for (name, body) in fixtures("request") {
        let out = encode(decode(&body));
        assert_eq!(out, expected_request(&name, body), "{name}");
    }
}

#[test]
fn response_fixtures_survive_decode_and_encode() {
    for (name, body) in fixtures("response") {
        let out = encode_response(decode_response(&body));
        assert_eq!(out, expected_response(&name, body), "{name}");
    }
}

#[test]
fn thought_signatures_in_fixtures_are_valid_base64() {
    fn check(value: &Value, name: &str) {
        match value {
            Value::Object(map) => map.iter().for_each(|(key, v)| {
                if key == "thoughtSignature" {
                    let s = v.as_str().expect("string");
                    let ok = s.len() % 4 == 0
                        && s.trim_end_matches('=')
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
                    assert!(ok, "{name}: {s} is not base64");
                }
                check(v, name);
            }),
            Value::Array(items) => items.iter().for_each(|v| check(v, name)),
            _ => {}
        }
    }
    for kind in ["request", "response"] {
        for (name, body) in fixtures(kind) {
            check(&body, &name);
        }
    }
}
