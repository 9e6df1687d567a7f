//! A request that cannot be translated is answered with a 400 in the client's own error format, and
//! upstream errors cross formats with their kind intact.

use aether_core::protocol::{PathParams, codec};
use aether_core::{ApiError, ErrorKind, WireFormat, translate};
use serde_json::{Value, json};

fn path() -> PathParams {
    PathParams { model: Some("gemini-3.8-flash".into()), stream: false }
}

/// The client-facing error for a failed translation, as the server renders it.
fn rendered(from: WireFormat, to: WireFormat, body: &[u8]) -> (u16, Value) {
    let err = translate::request(from, to, body, &path()).expect_err("the request is bad");
    let (status, body) = codec(from).render_error(&err.to_api_error());
    (status, serde_json::from_slice(&body).expect("error bodies are JSON"))
}

fn assert_shape(format: WireFormat, status: u16, body: &Value) {
    assert_eq!(status, 400, "{format}: {body}");
    match format {
        WireFormat::Anthropic => {
            assert_eq!(body["type"], "error", "{body}");
            assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
            assert!(body["error"]["message"].is_string(), "{body}");
        }
        WireFormat::OpenAiChat | WireFormat::OpenAiResponses => {
            assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
            assert!(body["error"]["message"].is_string(), "{body}");
        }
        WireFormat::Gemini => {
            assert_eq!(body["error"]["code"], 400, "{body}");
            assert_eq!(body["error"]["status"], "INVALID_ARGUMENT", "{body}");
            assert!(body["error"]["message"].is_string(), "{body}");
        }
    }
}

#[test]
fn malformed_json_is_a_400_in_the_clients_format() {
    for from in WireFormat::ALL {
        for to in WireFormat::ALL.into_iter().filter(|to| *to != from) {
            let (status, body) = rendered(from, to, b"{\"model\": \"x\", \"messages\": [");
            assert_shape(from, status, &body);
            assert!(body.to_string().contains("JSON"), "{from} → {to}: {body}");
        }
    }
}

#[test]
fn a_wrong_shape_names_what_is_wrong() {
    let bad = [
        (
            WireFormat::Anthropic,
            json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": 7}]}),
        ),
        (WireFormat::OpenAiChat, json!({"model": "m", "messages": [{"role": "user", "content": 7}]})),
        (WireFormat::OpenAiResponses, json!({"model": "m", "input": 7})),
        (WireFormat::Gemini, json!({"contents": [{"role": "user", "parts": 7}]})),
    ];
    for (from, body) in bad {
        let to = if from == WireFormat::Gemini { WireFormat::Anthropic } else { WireFormat::Gemini };
        let (status, rendered) = rendered(from, to, &serde_json::to_vec(&body).expect("serialises"));
        assert_shape(from, status, &rendered);
    }
}

#[test]
fn tool_arguments_that_are_not_an_object_cannot_reach_object_only_formats() {
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "[1, 2"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}
    ]});
    let body = serde_json::to_vec(&body).expect("serialises");
    for to in [WireFormat::Anthropic, WireFormat::Gemini] {
        let (status, rendered) = rendered(WireFormat::OpenAiChat, to, &body);
        assert_shape(WireFormat::OpenAiChat, status, &rendered);
    }
}

#[test]
fn upstream_errors_keep_their_kind_across_formats() {
    let kinds = [
        ErrorKind::InvalidRequest,
        ErrorKind::Authentication,
        ErrorKind::PermissionDenied,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::Internal,
        ErrorKind::Overloaded,
    ];
    for upstream in WireFormat::ALL {
        for client in WireFormat::ALL {
            for kind in kinds {
                let (status, body) = codec(upstream).render_error(&ApiError::new(kind, "upstream said no"));
                let parsed = codec(upstream).parse_error(status, &body);
                assert_eq!((parsed.kind, parsed.message.as_str()), (kind, "upstream said no"), "{upstream}");
                let (status, body) = codec(client).render_error(&parsed);
                let again = codec(client).parse_error(status, &body);
                assert_eq!(again.kind, kind, "{upstream} → {client}: {}", String::from_utf8_lossy(&body));
            }
        }
    }
}
