//! No input makes any decoder or translator panic, and whatever translates is a body the target accepts.

use std::sync::LazyLock;

use aether_core::WireFormat;
use aether_core::protocol::{PathParams, codec};
use aether_core::translate;
use proptest::prelude::*;
use serde_json::Value;

fn path() -> PathParams {
    PathParams { model: Some("gemini-3.8-flash".into()), stream: true }
}

/// Every fixture, with the format it is written in.
static FIXTURES: LazyLock<Vec<(WireFormat, Value)>> = LazyLock::new(|| {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut fixtures = Vec::new();
    for format in WireFormat::ALL {
        for kind in ["request", "response"] {
            let Ok(dir) = std::fs::read_dir(format!("{root}/{format}/{kind}")) else { continue };
            for entry in dir.flatten() {
                let text = std::fs::read(entry.path()).expect("fixture is readable");
                fixtures.push((format, serde_json::from_slice(&text).expect("fixture is JSON")));
            }
        }
    }
    fixtures
});

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("user".to_string()),
            Just("text".into()),
            Just("".into()),
            ".{0,8}".prop_map(String::from)
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_string()),
                        Just("role".into()),
                        Just("content".into()),
                        Just("text".into()),
                        Just("parts".into()),
                        "[a-z_]{1,10}".prop_map(String::from)
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Replaces the value found by walking `steps` into `value` (each step picks a child modulo the count).
fn mutate(value: &mut Value, steps: &[usize], replacement: Value) {
    let child = match value {
        Value::Array(items) if !items.is_empty() && !steps.is_empty() => {
            let n = items.len();
            &mut items[steps[0] % n]
        }
        Value::Object(members) if !members.is_empty() && !steps.is_empty() => {
            let n = members.len();
            members.values_mut().nth(steps[0] % n).expect("index is in range")
        }
        _ => {
            *value = replacement;
            return;
        }
    };
    mutate(child, &steps[1..], replacement);
}

fn check(from: WireFormat, body: &[u8]) {
    let _ = codec(from).decode_request(body, &path());
    let _ = codec(from).decode_response(body);
    let _ = codec(from).parse_error(400, body);
    for to in WireFormat::ALL {
        if let Ok(out) = translate::request(from, to, body, &path()) {
            let target = PathParams { model: Some(out.model), stream: out.stream };
            if let Err(err) = codec(to).decode_request(&out.body, &target) {
                panic!("{from} → {to} wrote a request its own decoder rejects: {err}");
            }
        }
        if let Ok(out) = translate::response(from, to, body)
            && let Err(err) = codec(to).decode_response(&out)
        {
            panic!("{from} → {to} wrote a response its own decoder rejects: {err}");
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics(value in json_value(), format in 0..4usize) {
        check(WireFormat::ALL[format], &serde_json::to_vec(&value).expect("serialises"));
    }

    #[test]
    fn mutated_fixtures_never_panic(
        index in any::<prop::sample::Index>(),
        steps in prop::collection::vec(any::<usize>(), 0..6),
        replacement in json_value(),
    ) {
        let (format, fixture) = &FIXTURES[index.index(FIXTURES.len())];
        let mut value = fixture.clone();
        mutate(&mut value, &steps, replacement);
        check(*format, &serde_json::to_vec(&value).expect("serialises"));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..128), format in 0..4usize) {
        check(WireFormat::ALL[format], &bytes);
    }
}
