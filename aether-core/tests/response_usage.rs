//! `Codec::response_usage` reads the same usage as a full decode, from every recorded response.

use std::path::Path;

use aether_core::WireFormat;
use aether_core::protocol::codec;

#[test]
fn the_usage_read_alone_is_the_usage_of_the_full_decode() {
    let formats = [
        ("anthropic", WireFormat::Anthropic),
        ("openai_chat", WireFormat::OpenAiChat),
        ("openai_responses", WireFormat::OpenAiResponses),
        ("gemini", WireFormat::Gemini),
    ];
    let mut checked = 0;
    for (folder, format) in formats {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(folder).join("response");
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            let body = std::fs::read(&path).expect("readable");
            let full = codec(format).decode_response(&body).expect("a recorded response decodes").usage;
            let alone = codec(format).response_usage(&body).unwrap_or_default();
            assert_eq!(alone, full, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} fixtures");
    assert_eq!(codec(WireFormat::Anthropic).response_usage(b"{not json"), None);
}
