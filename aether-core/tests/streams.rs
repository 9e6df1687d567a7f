//! Every stream fixture through every pair of formats: the output is a well-formed stream of the target
//! format, whatever the chunking, and it says what the upstream said.

use std::path::PathBuf;

use aether_core::ir::StopReason;
use aether_core::sse;
use aether_core::stream::{Block, Delta, StreamEvent, Translator, check, decoder};
use aether_core::{Usage, WireFormat};
use serde_json::{Map, Value, json};

struct Fixture {
    format: WireFormat,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Fixture {
    fn name(&self) -> String {
        format!("{}/{}", self.format, self.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
    }
}

fn fixtures() -> Vec<Fixture> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut all = Vec::new();
    for format in WireFormat::ALL {
        let Ok(dir) = std::fs::read_dir(format!("{root}/{format}/stream")) else { continue };
        let mut paths: Vec<PathBuf> =
            dir.flatten().map(|e| e.path()).filter(|p| p.extension() == Some("sse".as_ref())).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("fixture is readable");
            all.push(Fixture { format, path, bytes });
        }
    }
    assert!(all.len() >= 4, "every format has stream fixtures");
    all
}

/// Decodes a whole stream of `format` into events, as the gateway would read an upstream.
fn decode(format: WireFormat, bytes: &[u8]) -> Vec<StreamEvent> {
    let mut sse = sse::Decoder::new();
    let mut decoder = decoder(format);
    let mut events = Vec::new();
    sse.feed(bytes);
    while let Some(event) = sse.next_event() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    if let Some(event) = sse.finish() {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    decoder.finish(&mut events);
    events
}

fn translate(from: WireFormat, to: WireFormat, bytes: &[u8], chunk: usize) -> Vec<u8> {
    let mut translator = Translator::new(from, to);
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        translator.feed(piece, &mut out);
    }
    translator.finish(&mut out);
    out
}

/// What a stream said, in terms every format can express.
#[derive(Debug, Default, PartialEq)]
struct Said {
    text: String,
    tool_calls: Vec<(String, String, Value)>,
    stop: Option<&'static str>,
    usage: Usage,
    error: bool,
}

fn stop_class(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::EndTurn | StopReason::StopSequence | StopReason::PauseTurn | StopReason::Refusal => "end",
        StopReason::MaxTokens | StopReason::ContextWindowExceeded => "length",
        StopReason::ToolUse => "tool_use",
        StopReason::ContentFilter => "filter",
        StopReason::Other(_) => "other",
    }
}

fn said(events: &[StreamEvent]) -> Said {
    let mut said = Said::default();
    let mut calls: Vec<(usize, String, String, String)> = Vec::new();
    let mut text_blocks = Vec::new();
    for event in events {
        match event {
            StreamEvent::BlockStart { index, block: Block::Text } => text_blocks.push(*index),
            StreamEvent::BlockStart { index, block: Block::ToolCall { id, name, .. } } => {
                calls.push((*index, id.clone(), name.clone(), String::new()));
            }
            StreamEvent::Delta { index, delta: Delta::Text(text) } if text_blocks.contains(index) => {
                said.text.push_str(text);
            }
            StreamEvent::Delta { index, delta: Delta::ToolArguments(fragment) } => {
                if let Some(call) = calls.iter_mut().find(|c| c.0 == *index) {
                    call.3.push_str(fragment);
                }
            }
            StreamEvent::Usage(usage) => said.usage = merge(said.usage, *usage),
            StreamEvent::Stop { reason, .. } => said.stop = Some(stop_class(reason)),
            StreamEvent::Error(_) => said.error = true,
            _ => {}
        }
    }
    said.tool_calls = calls
        .into_iter()
        .map(|(_, id, name, args)| {
            // A stream cut inside a call leaves its arguments incomplete: keep them as text.
            let args = if args.is_empty() {
                json!({})
            } else {
                serde_json::from_str(&args).unwrap_or(Value::String(args))
            };
            (id, name, args)
        })
        .collect();
    said
}

fn complete(calls: &[(String, String, Value)]) -> Vec<&(String, String, Value)> {
    calls.iter().filter(|(_, _, args)| args.is_object()).collect()
}

fn merge(known: Usage, new: Usage) -> Usage {
    let pick = |a: u64, b: u64| if b != 0 { b } else { a };
    Usage {
        input: pick(known.input, new.input),
        output: pick(known.output, new.output),
        cache_read: pick(known.cache_read, new.cache_read),
        cache_write_5m: pick(known.cache_write_5m, new.cache_write_5m),
        cache_write_1h: pick(known.cache_write_1h, new.cache_write_1h),
        reasoning: pick(known.reasoning, new.reasoning),
    }
}

#[test]
fn every_fixture_decodes_within_the_contract() {
    for fixture in fixtures() {
        let events = decode(fixture.format, &fixture.bytes);
        if let Err(err) = check(&events) {
            panic!("{}: {err}\n{events:#?}", fixture.name());
        }
        let said = said(&events);
        // Fixtures are named for what they hold: `cut_*` ends early, `*error*` / `*failed*` carry an error.
        let name = fixture.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let expect_error = name.starts_with("cut_") || name.contains("error") || name.contains("failed");
        assert!(said.stop.is_some() || said.error, "{}: neither a stop nor an error", fixture.name());
        assert_eq!(said.error, expect_error, "{}", fixture.name());
    }
}

#[test]
fn every_pair_keeps_text_tool_calls_stop_and_usage() {
    for fixture in fixtures() {
        let source = said(&decode(fixture.format, &fixture.bytes));
        for to in WireFormat::ALL {
            let out = translate(fixture.format, to, &fixture.bytes, usize::MAX);
            let events = decode(to, &out);
            let name = format!("{} → {to}", fixture.name());
            if let Err(err) = check(&events) {
                panic!("{name}: {err}\n{}", String::from_utf8_lossy(&out));
            }
            let target = said(&events);
            assert_eq!(target.text, source.text, "{name}");
            // A call cut mid-arguments cannot reach formats that send calls whole: compare complete ones.
            assert_eq!(complete(&target.tool_calls), complete(&source.tool_calls), "{name}");
            assert_eq!(target.error, source.error, "{name}");
            if !source.error {
                let filter_as_refusal = to == WireFormat::Anthropic && source.stop == Some("filter");
                let expected = if filter_as_refusal { Some("end") } else { source.stop };
                assert_eq!(target.stop, expected, "{name}");
            }
            // An errored stream's usage is the gateway's to record (the translator keeps it); clients
            // of most formats get no usage with an error.
            if source.error {
                continue;
            }
            assert_eq!(target.usage.total_input(), source.usage.total_input(), "{name}");
            assert_eq!(target.usage.cache_read, source.usage.cache_read, "{name}");
            assert_eq!(target.usage.output, source.usage.output, "{name}");
            if fixture.format != WireFormat::Anthropic && to != WireFormat::Anthropic {
                assert_eq!(target.usage.reasoning, source.usage.reasoning, "{name}");
            }
        }
    }
}

#[test]
fn reasoning_reaches_only_clients_of_the_same_family() {
    for fixture in fixtures() {
        for to in WireFormat::ALL {
            let events = decode(to, &translate(fixture.format, to, &fixture.bytes, usize::MAX));
            for event in &events {
                match event {
                    StreamEvent::BlockStart { block: Block::Reasoning { family, .. }, .. } => {
                        assert_eq!(*family, to.family(), "{} → {to}", fixture.name());
                    }
                    StreamEvent::Delta { delta: Delta::Opaque(opaque), .. } => {
                        assert_eq!(opaque.family, to.family(), "{} → {to}", fixture.name());
                    }
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn translation_does_not_depend_on_chunking() {
    for fixture in fixtures() {
        for to in WireFormat::ALL {
            let whole = translate(fixture.format, to, &fixture.bytes, usize::MAX);
            for chunk in [1, 7, 37] {
                let chunked = translate(fixture.format, to, &fixture.bytes, chunk);
                assert!(chunked == whole, "{} → {to} differs in chunks of {chunk}", fixture.name());
            }
        }
    }
}

/// Where each event of an SSE stream ends (after its blank line, LF or CRLF).
fn event_ends(bytes: &[u8]) -> Vec<usize> {
    (0..bytes.len())
        .filter_map(|i| {
            let rest = &bytes[i..];
            if rest.starts_with(b"\r\n\r\n") {
                Some(i + 4)
            } else if rest.starts_with(b"\n\n") && !bytes[..i].ends_with(b"\r") {
                Some(i + 2)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn streams_cut_anywhere_end_well_formed_in_every_format() {
    for fixture in fixtures() {
        let ends = event_ends(&fixture.bytes);
        for cut in ends.iter().copied().chain(ends.first().map(|e| e + 3)) {
            let cut = cut.min(fixture.bytes.len());
            for to in WireFormat::ALL {
                let out = translate(fixture.format, to, &fixture.bytes[..cut], usize::MAX);
                let events = decode(to, &out);
                let name = format!("{} cut at {cut} → {to}", fixture.name());
                if let Err(err) = check(&events) {
                    panic!("{name}: {err}\n{}", String::from_utf8_lossy(&out));
                }
                let said = said(&events);
                assert!(
                    said.stop.is_some() || said.error,
                    "{name}: the client sees neither an end nor an error"
                );
            }
        }
    }
}

/// A translated stream as a list of `{event, data}` with the data parsed, for the snapshots.
fn readable(bytes: &[u8]) -> Value {
    let mut sse = sse::Decoder::new();
    sse.feed(bytes);
    let mut events = Vec::new();
    while let Some(event) = sse.next_event().or_else(|| sse.finish()) {
        let data = serde_json::from_str(&event.data).unwrap_or(Value::String(event.data));
        let mut entry = Map::new();
        if let Some(name) = event.event {
            entry.insert("event".into(), Value::String(name.into_owned()));
        }
        entry.insert("data".into(), data);
        events.push(Value::Object(entry));
    }
    Value::Array(events)
}

#[test]
fn golden_stream_translations() {
    for fixture in fixtures() {
        let mut all = Map::new();
        for to in WireFormat::ALL.into_iter().filter(|to| *to != fixture.format) {
            all.insert(to.to_string(), readable(&translate(fixture.format, to, &fixture.bytes, usize::MAX)));
        }
        let name = fixture.name().replace('/', "__");
        insta::assert_json_snapshot!(name, Value::Object(all));
    }
}

#[test]
fn the_translator_keeps_the_usage_of_a_cut_stream() {
    for fixture in fixtures() {
        let source = said(&decode(fixture.format, &fixture.bytes));
        for to in WireFormat::ALL {
            let mut translator = Translator::new(fixture.format, to);
            let mut out = Vec::new();
            translator.feed(&fixture.bytes, &mut out);
            translator.finish(&mut out);
            assert_eq!(translator.usage().usage(), source.usage, "{} → {to}", fixture.name());
            assert_eq!(translator.usage().error().is_some(), source.error, "{} → {to}", fixture.name());
        }
    }
}

#[test]
fn the_passthrough_scanner_reads_what_a_full_decode_reads() {
    use aether_core::stream::UsageScanner;
    for fixture in fixtures() {
        let source = said(&decode(fixture.format, &fixture.bytes));
        let mut scanner = UsageScanner::new(fixture.format);
        for chunk in fixture.bytes.chunks(37) {
            scanner.feed(chunk);
        }
        let seen = scanner.finish();
        assert_eq!(seen.usage(), source.usage, "{}", fixture.name());
        assert_eq!(seen.stop().map(stop_class), source.stop, "{}", fixture.name());
        assert_eq!(seen.error().is_some(), source.error, "{}", fixture.name());
    }
}

#[test]
fn clients_get_the_stream_shape_they_asked_for() {
    use aether_core::stream::ClientStream;
    let source = fixtures()
        .into_iter()
        .find(|f| f.path.ends_with("anthropic/stream/thinking_text_tool_use.sse"))
        .expect("the Claude Code stream");
    let translate_for = |to, client| {
        let mut translator = Translator::for_client(source.format, to, client);
        let mut out = Vec::new();
        translator.feed(&source.bytes, &mut out);
        translator.finish(&mut out);
        String::from_utf8(out).expect("UTF-8")
    };
    let without_usage = ClientStream { include_usage: false, ..ClientStream::default() };
    let with = translate_for(WireFormat::OpenAiChat, ClientStream::default());
    let without = translate_for(WireFormat::OpenAiChat, without_usage);
    assert!(with.contains(r#""choices":[],"usage":{"#), "{with}");
    assert!(!without.contains(r#""choices":[]"#), "{without}");

    let array =
        translate_for(WireFormat::Gemini, ClientStream { json_array: true, ..ClientStream::default() });
    let elements: Vec<Value> = serde_json::from_str(&array).expect("one JSON array");
    assert!(elements.last().is_some_and(|last| last["candidates"][0]["finishReason"].is_string()), "{array}");
}
