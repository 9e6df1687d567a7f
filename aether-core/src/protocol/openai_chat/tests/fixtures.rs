//! Every fixture decodes and re-encodes to the same JSON value.

use std::path::PathBuf;

use serde_json::Value;

use super::{decode, decode_response, encode, encode_response};

fn fixtures(kind: &str) -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openai_chat").join(kind);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("fixture");
            (path.display().to_string(), serde_json::from_str(&text).expect("fixture is JSON"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 5, "fixtures missing in {}", dir.display());
    out
}

#[test]
fn every_request_fixture_round_trips() {
    for (name, body) in fixtures("request") {
        assert_eq!(encode(decode(&body)), body, "{name}");
    }
}

#[test]
fn every_response_fixture_round_trips() {
    for (name, body) in fixtures("response") {
        assert_eq!(encode_response(decode_response(&body)), body, "{name}");
    }
}
