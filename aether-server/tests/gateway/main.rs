//! The gateway end to end: the real server over HTTP, in front of a mock upstream of every format.

#![allow(unreachable_pub, clippy::unwrap_used)]

mod harness;
mod mock;

use aether_core::WireFormat;
use aether_core::pricing::Charge;
use aether_core::protocol::codec;
use aether_core::schedule::{Outcome, SkipReason};
use aether_core::sse;
use aether_core::stream::{StreamEvent, check, decoder};
use harness::{FORMATS, Gateway, KEY, LIMITED_KEY, client_request, pairs};
use http::Method;
use http_body_util::BodyExt;

fn wire(format: &str) -> WireFormat {
    match format {
        "openai_chat" => WireFormat::OpenAiChat,
        "openai_responses" => WireFormat::OpenAiResponses,
        "anthropic" => WireFormat::Anthropic,
        _ => WireFormat::Gemini,
    }
}

/// The IR events of a client stream of `format`, checked against the stream contract.
fn stream_events(format: WireFormat, body: &[u8]) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    let mut decoder = decoder(format);
    let mut sse = sse::Decoder::new();
    sse.feed(body);
    while let Some(event) = sse.next_event() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    if let Some(event) = sse.finish() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    decoder.finish(&mut events);
    check(&events).unwrap_or_else(|e| panic!("{format:?} stream breaks the contract: {e}"));
    events
}

#[tokio::test]
async fn every_client_format_is_served_by_every_upstream_format() {
    let gateway = Gateway::start().await;
    let mut sent = 0;
    for client in FORMATS {
        for upstream in FORMATS {
            for stream in [false, true] {
                let (path, headers, body) = client_request(client, &format!("m-{upstream}"), stream, KEY);
                let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
                let case = format!("{client} client, {upstream} upstream, stream {stream}");
                assert_eq!(answer.status, 200, "{case}: {}", String::from_utf8_lossy(&answer.body));
                sent += 1;
                let upstream_request = gateway.mock.received().pop().expect("the upstream was called");
                let expected_path = match upstream {
                    "openai_chat" => "/v1/chat/completions".to_owned(),
                    "openai_responses" => "/v1/responses".to_owned(),
                    "anthropic" => "/v1/messages".to_owned(),
                    _ if stream => "/v1beta/models/m-gemini:streamGenerateContent?alt=sse".to_owned(),
                    _ => "/v1beta/models/m-gemini:generateContent".to_owned(),
                };
                assert_eq!(upstream_request.path, expected_path, "{case}");
                // The upstream got its own format, its own key, and none of the client's.
                let key = format!("sk-up-{upstream}");
                let credential = match upstream {
                    "anthropic" => upstream_request.headers["x-api-key"].to_str().unwrap().to_owned(),
                    "gemini" => upstream_request.headers["x-goog-api-key"].to_str().unwrap().to_owned(),
                    _ => upstream_request.headers["authorization"].to_str().unwrap().replace("Bearer ", ""),
                };
                assert_eq!(credential, key, "{case}");
                let flat = format!("{:?}", upstream_request.headers);
                assert!(!flat.contains(KEY), "{case}: the client's key leaked upstream");
                let path_params =
                    aether_core::protocol::PathParams { model: Some(format!("m-{upstream}")), stream };
                let forwarded = codec(wire(upstream)).decode_request(&upstream_request.body, &path_params);
                assert!(forwarded.is_ok(), "{case}: the upstream got a body it cannot read: {forwarded:?}");
                if stream {
                    let events = stream_events(wire(client), &answer.body);
                    assert!(events.iter().any(|e| matches!(e, StreamEvent::Stop { .. })), "{case}: no stop");
                } else {
                    let decoded = codec(wire(client)).decode_response(&answer.body);
                    assert!(decoded.is_ok(), "{case}: {decoded:?}");
                }
                if client == upstream {
                    assert_eq!(
                        answer.body,
                        mock::fixture(upstream, stream),
                        "{case}: passthrough is byte-exact"
                    );
                }
            }
        }
    }
    let records = gateway.usage(sent).await;
    assert_eq!(records.len(), sent);
    assert!(records.iter().all(|r| r.status == 200 && r.usage.usage.input > 0), "{records:#?}");
}

#[tokio::test]
async fn usage_and_cost_are_recorded_exactly() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("openai_chat", "m-anthropic", false, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(answer.status, 200);
    let id = answer.headers["x-request-id"].to_str().unwrap().to_owned();
    assert!(answer.headers.contains_key("x-aether-overhead-us"));

    let record = gateway.usage(1).await.remove(0);
    assert_eq!(record.request_id.to_string(), id);
    // What the upstream said, normalised, priced at 3 / 15 / 0.3 per million.
    let upstream = codec(WireFormat::Anthropic).decode_response(&mock::fixture("anthropic", false)).unwrap();
    assert_eq!(record.usage.usage, upstream.usage);
    assert!(!record.usage.estimated);
    let u = upstream.usage;
    let expected = (rust_decimal::Decimal::from(u.input) * rust_decimal::Decimal::from(3)
        + rust_decimal::Decimal::from(u.output) * rust_decimal::Decimal::from(15)
        + rust_decimal::Decimal::from(u.cache_read) * "0.3".parse::<rust_decimal::Decimal>().unwrap()
        + rust_decimal::Decimal::from(u.cache_write_5m + u.cache_write_1h) * rust_decimal::Decimal::from(3))
        / rust_decimal::Decimal::from(1_000_000);
    match &record.charge {
        Charge::Priced(cost) => assert_eq!(cost.list.total, expected),
        other => panic!("unpriced: {other:?}"),
    }
    assert_eq!(
        (record.client_format, record.upstream_format),
        (WireFormat::OpenAiChat, Some(WireFormat::Anthropic))
    );
    assert_eq!(record.model, "m-anthropic");
    // The cost is charged to the key in the store, with the record.
    let key = gateway.state.stores.accounts.key(record.client_key.unwrap()).await.unwrap().unwrap();
    assert_eq!(key.spent, expected);
}

#[tokio::test]
async fn an_overloaded_key_fails_over_to_the_next_and_both_are_traced() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("anthropic", "m-failover", true, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    let keys: Vec<String> =
        gateway.mock.received().iter().map(|r| r.headers["x-api-key"].to_str().unwrap().to_owned()).collect();
    assert_eq!(keys, ["sk-529", "sk-up-healthy"]);
    let id = answer.headers["x-request-id"].to_str().unwrap().parse().unwrap();
    let trace = gateway.trace(id).await;
    let statuses: Vec<Option<u16>> = trace
        .trace
        .entries
        .iter()
        .map(|e| match &e.outcome {
            Outcome::Attempted { status, .. } => *status,
            Outcome::Skipped(_) => None,
        })
        .collect();
    assert_eq!(statuses, [Some(529), Some(200)]);
}

#[tokio::test]
async fn errors_are_answered_in_the_clients_own_format() {
    let gateway = Gateway::start().await;
    // A wrong key, for each client format.
    for client in FORMATS {
        let (path, headers, body) = client_request(client, "m-anthropic", false, "sk-wrong-key-0123456789");
        let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
        assert_eq!(answer.status, 401, "{client}");
        assert!(answer.headers.contains_key("x-request-id"), "{client}: every answer names its request");
        let error = codec(wire(client)).parse_error(401, &answer.body);
        assert_eq!(error.kind, aether_core::ErrorKind::Authentication, "{client}: {}", answer.json());
    }
    let anthropic = |model: &str, body: Option<&[u8]>| {
        let (path, headers, default) = client_request("anthropic", model, false, KEY);
        (path, headers, body.map(<[u8]>::to_vec).unwrap_or(default))
    };
    let cases: [(&str, Option<&[u8]>, u16, &str); 5] = [
        ("m-nonexistent", None, 404, "not_found_error"),
        ("m-anthropic", Some(b"{not json"), 400, "invalid_request_error"),
        // An upstream's refusal reaches the client as the upstream said it.
        ("m-refused", None, 400, "invalid_request_error"),
        // A model no provider serves: nothing to retry.
        ("m-unrouted", None, 404, "not_found_error"),
        // Only an expired key serves it: a 400 that says so, not an invitation to retry.
        ("m-expired", None, 400, "invalid_request_error"),
    ];
    for (model, body, status, kind) in cases {
        let (path, headers, body) = anthropic(model, body);
        let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
        assert_eq!(answer.status.as_u16(), status, "{model}: {}", String::from_utf8_lossy(&answer.body));
        let json = answer.json();
        assert_eq!(
            (json["type"].as_str(), json["error"]["type"].as_str()),
            (Some("error"), Some(kind)),
            "{model}"
        );
    }
    // An Anthropic upstream's refusal, translated for an OpenAI client.
    let (path, headers, body) = client_request("openai_chat", "m-refused", false, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["error"]["message"], "max_tokens: too large");
    // A body over the limit.
    let huge = vec![b' '; 33 << 20];
    let (path, headers, _) = client_request("gemini", "m-gemini", false, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &huge).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"]["code"], 413, "a Gemini error body");
}

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_a_429_with_retry_after() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("openai_chat", "m-openai_chat", false, LIMITED_KEY);
    let first = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(first.status, 200);
    let second = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(second.status, 429);
    assert!(second.headers.contains_key("retry-after"));
    let error = codec(WireFormat::OpenAiChat).parse_error(429, &second.body);
    assert_eq!(error.kind, aether_core::ErrorKind::RateLimited, "{}", second.json());
}

#[tokio::test]
async fn a_provider_key_counts_the_tokens_an_answer_used_against_its_tpm() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("openai_chat", "m-tpm", false, KEY);
    let first = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(first.status, 200, "the estimate of a short request fits in 1,000 tokens");
    // The answer used 2,331 tokens: the key is spent for this minute.
    let second = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(second.status, 503, "{}", String::from_utf8_lossy(&second.body));
    let error = codec(WireFormat::OpenAiChat).parse_error(503, &second.body);
    assert_eq!(error.kind, aether_core::ErrorKind::Overloaded, "{}", second.json());
    let id = second.headers["x-request-id"].to_str().unwrap().parse().unwrap();
    let outcomes: Vec<Outcome> =
        gateway.trace(id).await.trace.entries.into_iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, [Outcome::Skipped(SkipReason::TpmLimit)]);
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_the_upstream_and_is_recorded_as_499() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("anthropic", "m-slow", true, KEY);
    let response = gateway.open(&path, &pairs(&headers), &body).await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let first = body.frame().await.expect("a first event").expect("readable");
    assert!(first.data_ref().is_some_and(|d| d.starts_with(b"event: message_start")));
    drop(body);
    let record = gateway.usage(1).await.remove(0);
    assert_eq!(record.status, 499);
    assert_eq!(record.usage.usage.input, 42, "the usage seen before the client left");
    assert_eq!(record.error_kind.as_deref(), Some("client_disconnected"));
}

#[tokio::test]
async fn model_lists_need_a_key_and_head_root_answers_at_once() {
    let gateway = Gateway::start().await;
    let head = gateway.send(Method::HEAD, "/", &[], b"").await;
    assert_eq!(head.status, 200);
    let anonymous = gateway.send(Method::GET, "/v1/models", &[], b"").await;
    assert_eq!(anonymous.status, 401);
    let auth = format!("Bearer {KEY}");
    let listed = gateway.send(Method::GET, "/v1/models", &[("authorization", &auth)], b"").await;
    assert_eq!(listed.status, 200);
    let ids: Vec<String> = listed.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"m-anthropic".to_owned()), "{ids:?}");
}

#[tokio::test]
async fn an_overloaded_provider_fails_over_to_another_of_another_format() {
    let gateway = Gateway::start().await;
    let (path, headers, body) = client_request("anthropic", "m-two-providers", true, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    let paths: Vec<String> = gateway.mock.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/messages", "/v1/chat/completions"], "Anthropic first, then the Chat provider");
    let events = stream_events(WireFormat::Anthropic, &answer.body);
    assert!(events.iter().any(|e| matches!(e, StreamEvent::Stop { .. })));
}

#[tokio::test]
async fn a_stream_cut_upstream_ends_with_an_error_event_in_the_clients_format() {
    let gateway = Gateway::start().await;
    // Passed through: the upstream's bytes, then Anthropic's error event.
    let (path, headers, body) = client_request("anthropic", "m-cut", true, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    assert_eq!(answer.status, 200);
    let text = String::from_utf8_lossy(&answer.body);
    assert!(text.starts_with("event: message_start"), "{text}");
    assert!(text.trim_end().rsplit("\n\n").next().unwrap().starts_with("event: error"), "{text}");
    // Translated: a well-formed Chat stream that ends with an error.
    let (path, headers, body) = client_request("openai_chat", "m-cut", true, KEY);
    let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
    let events = stream_events(WireFormat::OpenAiChat, &answer.body);
    assert!(matches!(events.last(), Some(StreamEvent::Error(_))), "{events:?}");
    let records = gateway.usage(2).await;
    assert!(records.iter().all(|r| r.error_kind.as_deref() == Some("upstream_stream_error")), "{records:#?}");
    assert!(records.iter().all(|r| r.usage.usage.input > 0), "the usage seen before the cut is kept");
}

#[tokio::test]
async fn a_gemini_stream_without_alt_sse_is_one_json_array() {
    let gateway = Gateway::start().await;
    for model in ["m-gemini", "m-anthropic"] {
        let path = format!("/v1beta/models/{model}:streamGenerateContent");
        let (_, headers, body) = client_request("gemini", model, true, KEY);
        let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
        assert_eq!(answer.status, 200);
        let chunks = answer.json();
        let chunks = chunks.as_array().unwrap_or_else(|| panic!("{model}: not an array"));
        assert!(chunks.iter().any(|c| c["candidates"][0]["finishReason"].is_string()), "{model}: {chunks:?}");
    }
}

#[tokio::test]
async fn format_headers_reach_only_upstreams_of_their_format() {
    let gateway = Gateway::start().await;
    for model in ["m-anthropic", "m-openai_chat"] {
        let (path, mut headers, body) = client_request("anthropic", model, true, KEY);
        headers.push(("anthropic-beta", "interleaved-thinking-2025-05-14".to_owned()));
        headers.push(("accept-encoding", "gzip, br".to_owned()));
        let answer = gateway.send(Method::POST, &path, &pairs(&headers), &body).await;
        assert_eq!(answer.status, 200);
    }
    let received = gateway.mock.received();
    assert_eq!(received[0].headers["anthropic-beta"], "interleaved-thinking-2025-05-14");
    assert!(
        received[1].headers.get("anthropic-beta").is_none(),
        "an OpenAI upstream gets no Anthropic flags"
    );
    assert!(received.iter().all(|r| r.headers.get("accept-encoding").is_none_or(|v| v != "gzip, br")));
}

#[tokio::test]
async fn codexs_built_in_web_search_is_dropped_for_an_upstream_of_another_format() {
    let gateway = Gateway::start().await;
    let body = serde_json::json!({
        "model": "m-anthropic",
        "stream": true,
        "input": "Hi",
        "tools": [
            {"type": "web_search", "external_web_access": false},
            {"type": "function", "name": "exec_command", "parameters": {"type": "object"}, "strict": false}
        ]
    });
    let auth = format!("Bearer {KEY}");
    let body = serde_json::to_vec(&body).unwrap();
    let answer = gateway.send(Method::POST, "/v1/responses", &[("authorization", &auth)], &body).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    let sent: serde_json::Value = serde_json::from_slice(&gateway.mock.received()[0].body).unwrap();
    let names: Vec<&str> =
        sent["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["exec_command"], "the function tool is kept, the built-in one dropped");
}
