//! What every fuzz target checks, shared by the targets in `fuzz_targets/`.
//!
//! Seed the corpora from the fixtures with `./seed`, then run a target with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run <target>` in this folder.

use aether_core::WireFormat;
use aether_core::protocol::{PathParams, codec};
use aether_core::sse;
use aether_core::stream::{StreamEvent, Translator, check, decoder};

/// The path parameters the targets decode Gemini bodies with.
fn path() -> PathParams {
    PathParams { model: Some("gemini-3.8-flash".into()), stream: true }
}

/// Feeds arbitrary bytes to every decoder of `format`: none may panic, and whatever decodes must encode
/// back into a body the same decoder accepts.
pub fn decode(format: WireFormat, data: &[u8]) {
    let codec = codec(format);
    if let Ok(request) = codec.decode_request(data, &path()) {
        let body = codec.encode_request(request).expect("a decoded request re-encodes");
        codec.decode_request(&body, &path()).expect("an encoded request decodes");
    }
    if let Ok(response) = codec.decode_response(data) {
        let body = codec.encode_response(response).expect("a decoded response re-encodes");
        codec.decode_response(&body).expect("an encoded response decodes");
    }
    let error = codec.parse_error(400, data);
    let (_, body) = codec.render_error(&error);
    serde_json::from_slice::<serde_json::Value>(&body).expect("a rendered error is JSON");
}

/// Translates arbitrary bytes from `from` to `to` as a request and as a response: no panic, and a
/// successful translation is a body that the target's decoder accepts.
pub fn translate(from: WireFormat, to: WireFormat, data: &[u8]) {
    if let Ok(out) = aether_core::translate::request(from, to, data, &path()) {
        let path = PathParams { model: Some(out.model), stream: out.stream };
        codec(to).decode_request(&out.body, &path).expect("a translated request decodes as the target format");
    }
    if let Ok(body) = aether_core::translate::response(from, to, data) {
        codec(to).decode_response(&body).expect("a translated response decodes as the target format");
    }
}

/// Decodes arbitrary bytes as an event stream in chunks whose sizes the input picks, and compares the
/// events with a one-shot decoding of the same bytes: chunk boundaries must not matter.
pub fn sse_chunking(data: &[u8]) {
    let Some((&size, stream)) = data.split_first() else { return };
    let reference = sse_events(stream, stream.len().max(1));
    assert_eq!(sse_events(stream, usize::from(size % 64) + 1), reference, "chunking changed the events");
}

fn sse_events(stream: &[u8], chunk: usize) -> Vec<sse::Event> {
    let mut decoder = sse::Decoder::new();
    let mut events = Vec::new();
    for piece in stream.chunks(chunk) {
        decoder.feed(piece);
        events.extend(std::iter::from_fn(|| decoder.next_event()));
    }
    events.extend(decoder.finish());
    events
}

/// Translates an arbitrary upstream stream of `from` into every format: no panic, and each output
/// decodes, as its own format, into events that keep the stream contract and end in a stop or an error.
pub fn stream(from: WireFormat, data: &[u8]) {
    for to in WireFormat::ALL {
        let mut translator = Translator::new(from, to);
        let mut out = Vec::new();
        for piece in data.chunks(61) {
            translator.feed(piece, &mut out);
        }
        translator.finish(&mut out);
        let events = stream_events(to, &out);
        if let Err(err) = check(&events) {
            panic!("{from} → {to} wrote a stream that breaks the contract: {err}");
        }
        let ends = events.iter().any(|e| matches!(e, StreamEvent::Stop { .. } | StreamEvent::Error(_)));
        assert!(ends, "{from} → {to} wrote a stream with neither a stop nor an error");
    }
}

fn stream_events(format: WireFormat, bytes: &[u8]) -> Vec<StreamEvent> {
    let mut decoder = decoder(format);
    let mut events = Vec::new();
    for event in sse_events(bytes, bytes.len().max(1)) {
        decoder.decode(event.event.as_deref(), &event.data, &mut events);
    }
    decoder.finish(&mut events);
    events
}
