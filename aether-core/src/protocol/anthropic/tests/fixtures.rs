//! Every fixture under `tests/fixtures/anthropic` decodes and re-encodes to the same JSON, except for the
//! documented normalisations, which are applied to the expected value here.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::{decode, decode_response, encode, encode_response};

fn fixtures(kind: &str) -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anthropic").join(kind);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("fixture");
            (
                path.file_name().expect("name").to_string_lossy().into_owned(),
                serde_json::from_str(&text).expect("JSON"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

/// The documented request normalisations: mid-conversation `role: "system"` messages are appended to the
/// top-level `system` as text blocks, and an empty `tools` list is omitted.
fn normalised(mut body: Value) -> Value {
    let messages = body["messages"].as_array_mut().expect("messages");
    let mut folded = Vec::new();
    messages.retain(|message| {
        if message["role"] != "system" {
            return true;
        }
        match &message["content"] {
            Value::String(text) => folded.push(json!({"type": "text", "text": text})),
            Value::Array(blocks) => folded.extend(blocks.iter().cloned()),
            _ => {}
        }
        false
    });
    if !folded.is_empty() {
        let mut system = match body.get("system") {
            Some(Value::String(text)) => vec![json!({"type": "text", "text": text})],
            Some(Value::Array(blocks)) => blocks.clone(),
            _ => Vec::new(),
        };
        system.extend(folded);
        body["system"] = Value::Array(system);
    }
    if body.get("tools").is_some_and(|tools| tools == &json!([])) {
        body.as_object_mut().expect("object").remove("tools");
    }
    body
}

#[test]
fn request_fixtures_reencode_to_the_same_json_up_to_documented_normalisations() {
    for (name, body) in fixtures("request") {
        let encoded = encode(decode(body.clone()));
        assert_eq!(encoded, normalised(body), "{name}");
    }
}

#[test]
fn claude_code_mid_conversation_system_message_moves_to_the_end_of_system() {
    let (_, body) = fixtures("request")
        .into_iter()
        .find(|(name, _)| name == "claude_code_opus_main_turn.json")
        .expect("fixture");
    let encoded = encode(decode(body.clone()));
    assert_eq!(encoded["messages"].as_array().map(Vec::len), Some(1));
    let system = encoded["system"].as_array().expect("blocks");
    assert_eq!(system.len(), 4);
    assert_eq!(system[3]["text"], body["messages"][1]["content"]);
}

#[test]
fn response_fixtures_reencode_to_the_same_json() {
    for (name, body) in fixtures("response") {
        assert_eq!(encode_response(decode_response(body.clone())), body, "{name}");
    }
}
