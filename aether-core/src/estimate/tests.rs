//! Token counts against values published for tiktoken, and the shape of request estimates.

use serde_json::json;

use super::*;
use crate::estimate;
use crate::ir::{
    FunctionTool, Media, Message, Part, Role, Source, Text, Tool, ToolCall, ToolOutput, ToolResult,
};

#[cfg(feature = "tokenizer")]
mod exact {
    use super::*;

    #[test]
    fn hello_world_is_two_tokens_in_both_encodings() {
        assert_eq!(Counter::O200k.count("hello world"), TokenCount { tokens: 2, estimated: false });
        assert_eq!(Counter::Cl100k.count("hello world"), TokenCount { tokens: 2, estimated: false });
    }

    #[test]
    fn token_ids_match_tiktoken() {
        // Values from OpenAI's tiktoken (README and cookbook).
        assert_eq!(bpe_openai::cl100k_base().encode("hello world"), [15339, 1917]);
        assert_eq!(bpe_openai::cl100k_base().encode("tiktoken is great!"), [83, 1609, 5963, 374, 2294, 0]);
        assert_eq!(bpe_openai::o200k_base().encode("hello world"), [24912, 2375]);
    }

    #[test]
    fn known_strings_count_as_tiktoken_counts_them() {
        assert_eq!(Counter::Cl100k.count("tiktoken is great!").tokens, 6);
        assert_eq!(Counter::Cl100k.count("antidisestablishmentarianism").tokens, 6);
        assert_eq!(Counter::Cl100k.count("2 + 2 = 4").tokens, 7);
        assert_eq!(Counter::O200k.count("2 + 2 = 4").tokens, 7);
        assert_eq!(Counter::O200k.count("").tokens, 0);
    }

    #[test]
    fn claude_and_gemini_scale_the_o200k_count_up() {
        let text = "The quick brown fox jumps over the lazy dog. ".repeat(10);
        let o200k = Counter::O200k.count(&text).tokens;
        assert_eq!(Counter::Claude.count(&text), TokenCount::estimate((o200k * 5).div_ceil(4)));
        assert_eq!(Counter::Gemini.count(&text), TokenCount::estimate((o200k * 11).div_ceil(10)));
        assert_eq!(Counter::Unknown.count(&text), TokenCount::estimate(o200k));
    }

    #[test]
    fn a_long_run_of_one_character_counts_quickly() {
        // Quadratic BPE implementations take seconds on this; bpe-openai is linear.
        let text = "a".repeat(1_000_000);
        let start = std::time::Instant::now();
        assert!(Counter::O200k.count(&text).tokens > 0);
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
    }
}

#[test]
fn models_map_to_their_family_counter() {
    let cases = [
        ("gpt-4o-mini", Counter::O200k),
        ("GPT-5-codex", Counter::O200k),
        ("openai/gpt-4.1", Counter::O200k),
        ("o1", Counter::O200k),
        ("o4-mini-2025-04-16", Counter::O200k),
        ("gpt-oss-120b", Counter::O200k),
        ("gpt-4", Counter::Cl100k),
        ("gpt-4-0613", Counter::Cl100k),
        ("gpt-3.5-turbo", Counter::Cl100k),
        ("text-embedding-3-small", Counter::Cl100k),
        ("claude-3-5-haiku-20241022", Counter::Claude),
        ("anthropic.claude-sonnet-4-5-v1:0", Counter::Claude),
        ("gemini-2.5-flash", Counter::Gemini),
        ("models/gemini-3-pro-preview", Counter::Gemini),
        ("omni-moderation-latest", Counter::Unknown),
        ("deepseek-chat", Counter::Unknown),
    ];
    for (model, counter) in cases {
        assert_eq!(Counter::for_model(model), counter, "{model}");
    }
}

#[test]
fn estimates_are_flagged_and_exact_counts_are_not() {
    assert!(Counter::Claude.count("hi").estimated);
    assert!(Counter::Gemini.count("hi").estimated);
    assert!(Counter::Unknown.count("hi").estimated);
    assert_eq!(Counter::O200k.count("hi").estimated, !cfg!(feature = "tokenizer"));
    assert_eq!(TokenCount::estimate(1) + TokenCount { tokens: 2, estimated: false }, TokenCount::estimate(3));
}

#[test]
fn the_heuristic_counts_four_ascii_bytes_or_one_other_character_per_token() {
    assert_eq!(counter_heuristic("hello world"), 3);
    assert_eq!(counter_heuristic("お誕生日"), 4);
    assert_eq!(counter_heuristic("ab日本"), 3);
}

fn counter_heuristic(text: &str) -> u64 {
    super::counter::heuristic(text)
}

fn text_tokens(model: &str, text: &str) -> u64 {
    Counter::for_model(model).count(text).tokens
}

#[test]
fn a_request_estimate_adds_framing_text_tools_calls_and_results() {
    let weather = json!({"type": "object", "properties": {"city": {"type": "string"}}});
    let request = Request {
        model: "gpt-4o".into(),
        messages: vec![
            Message::text(Role::System, "Be brief."),
            Message::text(Role::User, "Weather in Paris?"),
            Message {
                role: Role::Assistant,
                content: vec![Part::ToolCall(ToolCall {
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    arguments: r#"{"city":"Paris"}"#.into(),
                    ..ToolCall::default()
                })],
                ..Message::default()
            },
            Message {
                role: Role::User,
                content: vec![Part::ToolResult(ToolResult {
                    call_id: "call_1".into(),
                    content: ToolOutput::Json(json!({"temp_c": 21})),
                    ..ToolResult::default()
                })],
                ..Message::default()
            },
        ],
        tools: vec![Tool::Function(FunctionTool {
            name: "get_weather".into(),
            description: Some("Current weather for a city.".into()),
            parameters: Some(weather.clone()),
            ..FunctionTool::default()
        })],
        ..Request::default()
    };
    let m = "gpt-4o";
    let expected = 3 // reply priming
        + 4 * 3 // four messages
        + text_tokens(m, "Be brief.")
        + text_tokens(m, "Weather in Paris?")
        + text_tokens(m, "get_weather")
        + text_tokens(m, r#"{"city":"Paris"}"#)
        + text_tokens(m, r#"{"temp_c":21}"#)
        + text_tokens(m, "get_weather")
        + text_tokens(m, "Current weather for a city.")
        + text_tokens(m, &weather.to_string());
    assert_eq!(estimate::request(&request), TokenCount::estimate(expected));

    // Claude adds its tool-use system prompt on top of its own (scaled) counts.
    let claude = Request { model: "claude-sonnet-4-5".into(), ..request };
    let tokens = estimate::request(&claude).tokens;
    assert!(tokens > expected + 346, "{tokens} vs {expected}");
}

#[test]
fn images_and_documents_have_flat_documented_costs() {
    let image = |detail: Option<&str>| {
        Part::Image(Media {
            source: Source::Url { url: "https://example.invalid/cat.png".into(), media_type: None },
            name: None,
            detail: detail.map(Into::into),
            extra: Default::default(),
        })
    };
    let pdf = Part::Document(Media {
        source: Source::FileId("file_1".into()),
        name: None,
        detail: None,
        extra: Default::default(),
    });
    let with = |model: &str, part: Part| {
        let message = Message { role: Role::User, content: vec![part], ..Message::default() };
        estimate::request(&Request { model: model.into(), messages: vec![message], ..Request::default() })
            .tokens
            - 6
    };
    assert_eq!(with("gpt-4o", image(None)), 765);
    assert_eq!(with("gpt-4o", image(Some("low"))), 85);
    assert_eq!(with("claude-opus-4-1", image(None)), 1_600);
    assert_eq!(with("gemini-2.5-pro", image(None)), 1_120);
    assert_eq!(with("gpt-4o", pdf), 3_000);
    let inline = Part::Document(Media {
        source: Source::Text("hello world".into()),
        name: None,
        detail: None,
        extra: Default::default(),
    });
    assert_eq!(with("gpt-4o", inline), text_tokens("gpt-4o", "hello world"));
}

#[test]
fn usage_from_a_cut_stream_is_flagged_and_counts_all_input_as_uncached() {
    let request = Request {
        model: "gpt-4o".into(),
        messages: vec![Message { content: vec![Part::Text(Text::new("hello world"))], ..Message::default() }],
        ..Request::default()
    };
    let estimated = estimate::usage(&request, "hello world");
    assert!(estimated.estimated);
    assert_eq!(estimated.usage.input, estimate::request(&request).tokens);
    assert_eq!(estimated.usage.output, text_tokens("gpt-4o", "hello world"));
    assert_eq!(estimated.usage.cache_read + estimated.usage.cache_write(), 0);
}
