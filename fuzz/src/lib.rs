//! What every fuzz target checks, shared by the targets in `fuzz_targets/`.
//!
//! Seed the corpora from the fixtures with `./seed`, then run a target with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run <target>` in this folder.

use aether_core::WireFormat;
use aether_core::protocol::{PathParams, codec};

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
