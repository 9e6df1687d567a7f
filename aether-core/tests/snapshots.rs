//! Golden translations: every fixture, translated into every format, recorded with insta so that any
//! change to a translation shows as a diff (`cargo insta review`).

use std::path::Path;

use aether_core::protocol::PathParams;
use aether_core::{WireFormat, translate};
use serde_json::{Map, Value, json};

/// Gemini bodies do not carry the model: the harness decodes them as Gemini CLI's main turn.
fn path() -> PathParams {
    PathParams { model: Some("gemini-3.8-flash".into()), stream: true }
}

fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("translations are JSON")
}

/// The fixture translated into each format (itself included, through the IR), or the error it gives.
fn translations(fixture: &Path, from: WireFormat, kind: &str) -> Value {
    let body = std::fs::read(fixture).expect("fixture is readable");
    let mut all = Map::new();
    for to in WireFormat::ALL {
        let result = match kind {
            "request" => translate::request(from, to, &body, &path()).map(|out| parse(&out.body)),
            _ => translate::response(from, to, &body).map(|out| parse(&out)),
        };
        let value = result.unwrap_or_else(|err| json!({ "error": err.to_string() }));
        all.insert(to.to_string(), value);
    }
    Value::Object(all)
}

macro_rules! golden {
    ($name:ident, $format:expr, $kind:literal, $glob:literal) => {
        #[test]
        fn $name() {
            insta::glob!($glob, |fixture| {
                insta::assert_json_snapshot!(translations(fixture, $format, $kind));
            });
        }
    };
}

golden!(anthropic_requests, WireFormat::Anthropic, "request", "fixtures/anthropic/request/*.json");
golden!(anthropic_responses, WireFormat::Anthropic, "response", "fixtures/anthropic/response/*.json");
golden!(openai_chat_requests, WireFormat::OpenAiChat, "request", "fixtures/openai_chat/request/*.json");
golden!(openai_chat_responses, WireFormat::OpenAiChat, "response", "fixtures/openai_chat/response/*.json");
golden!(
    openai_responses_requests,
    WireFormat::OpenAiResponses,
    "request",
    "fixtures/openai_responses/request/*.json"
);
golden!(
    openai_responses_responses,
    WireFormat::OpenAiResponses,
    "response",
    "fixtures/openai_responses/response/*.json"
);
golden!(gemini_requests, WireFormat::Gemini, "request", "fixtures/gemini/request/*.json");
golden!(gemini_responses, WireFormat::Gemini, "response", "fixtures/gemini/response/*.json");
