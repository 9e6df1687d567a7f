//! The SSE decoder is independent of chunk boundaries, and agrees with the `sse-stream` crate.

use aether_core::sse::{Decoder, Event};
use proptest::prelude::*;

fn fixture_streams() -> Vec<(String, Vec<u8>)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut streams = Vec::new();
    for format in ["anthropic", "openai_chat", "openai_responses", "gemini"] {
        for entry in std::fs::read_dir(format!("{root}/{format}/stream")).expect("stream fixtures").flatten()
        {
            // Gemini's JSON-array streams (`*.json`) are not SSE.
            if entry.path().extension().is_none_or(|ext| ext != "sse") {
                continue;
            }
            let name = entry.path().display().to_string();
            streams.push((name, std::fs::read(entry.path()).expect("readable")));
        }
    }
    assert!(streams.len() >= 4, "every format has a stream fixture");
    streams
}

/// Decodes `chunks` in order, then finishes the stream.
fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Event> {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        events.extend(std::iter::from_fn(|| decoder.next_event()));
    }
    events.extend(decoder.finish());
    events
}

/// Decodes `chunks` as [`decode`] does, with the events lent by [`Decoder::next_ref`].
fn decode_lent<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Event> {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        while let Some(event) = decoder.next_ref() {
            events.push(event.into());
        }
    }
    events.extend(decoder.finish());
    events
}

/// What `sse-stream` makes of the same bytes: (event type, data) of every block that has data.
fn reference(stream: &[u8], chunk: usize) -> Vec<(Option<String>, String)> {
    use futures_util::StreamExt;
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> =
        stream.chunks(chunk.max(1)).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
    let blocks = sse_stream::SseByteStream::new(futures_util::stream::iter(chunks));
    futures_executor::block_on(blocks.collect::<Vec<_>>())
        .into_iter()
        .map(|block| block.expect("the reference decodes"))
        .filter_map(|block| Some((block.event.filter(|e| !e.is_empty()), block.data?)))
        .collect()
}

fn ours(stream: &[u8]) -> Vec<(Option<String>, String)> {
    decode([stream]).into_iter().map(|e| (e.event.map(String::from), e.data)).collect()
}

#[test]
fn fixtures_decode_identically_when_split_at_every_byte() {
    for (name, stream) in fixture_streams() {
        let whole = decode([&stream[..]]);
        assert!(whole.len() > 3, "{name} has events");
        for split in 0..=stream.len() {
            assert_eq!(decode([&stream[..split], &stream[split..]]), whole, "{name} split at {split}");
        }
        assert_eq!(decode(stream.chunks(1)), whole, "{name} byte by byte");
    }
}

#[test]
fn fixtures_lend_the_events_they_give() {
    for (name, stream) in fixture_streams() {
        for chunk in [1, 37, stream.len()] {
            assert_eq!(
                decode_lent(stream.chunks(chunk)),
                decode([&stream[..]]),
                "{name} in chunks of {chunk}"
            );
        }
    }
}

#[test]
fn fixtures_agree_with_sse_stream() {
    for (name, stream) in fixture_streams() {
        for chunk in [1, 37, stream.len()] {
            assert_eq!(ours(&stream), reference(&stream, chunk), "{name} in chunks of {chunk}");
        }
    }
}

/// Streams made of the lines servers really send, with every kind of line end.
fn generated_stream() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        "[ -~]{0,12}".prop_map(|s| format!("data: {s}")),
        "[ -~]{0,12}".prop_map(|s| format!("data:{s}")),
        "[a-z_.]{0,10}".prop_map(|s| format!("event: {s}")),
        "[0-9]{1,4}".prop_map(|s| format!("id: {s}")),
        "[0-9]{1,4}".prop_map(|s| format!("retry: {s}")),
        "[ -~]{0,8}".prop_map(|s| format!(":{s}")),
        Just(String::new()),
        Just("data".to_string()),
    ];
    let end = prop_oneof![Just("\n"), Just("\r"), Just("\r\n")];
    prop::collection::vec((line, end), 0..40).prop_map(|lines| {
        let mut stream: String = lines.into_iter().map(|(line, end)| line + end).collect();
        stream.push_str("\n\n");
        stream.into_bytes()
    })
}

proptest! {
    #[test]
    fn generated_streams_do_not_depend_on_chunking(
        stream in generated_stream(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([stream.len()]) {
            chunks.push(&stream[from..cut]);
            from = cut;
        }
        prop_assert_eq!(decode(chunks), decode([&stream[..]]));
    }

    #[test]
    fn generated_streams_lend_the_events_they_give(stream in generated_stream(), chunk in 1..64usize) {
        prop_assert_eq!(decode_lent(stream.chunks(chunk)), decode([&stream[..]]));
    }

    #[test]
    fn generated_streams_agree_with_sse_stream(stream in generated_stream(), chunk in 1..64usize) {
        prop_assert_eq!(ours(&stream), reference(&stream, chunk));
    }
}
