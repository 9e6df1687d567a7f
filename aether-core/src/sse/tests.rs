use std::borrow::Cow;

use super::*;

fn events(input: &[u8]) -> Vec<Event> {
    let mut decoder = Decoder::new();
    decoder.feed(input);
    let mut out: Vec<Event> = std::iter::from_fn(|| decoder.next_event()).collect();
    out.extend(decoder.finish());
    out
}

fn data(input: &[u8]) -> Vec<String> {
    events(input).into_iter().map(|e| e.data).collect()
}

#[test]
fn lf_cr_and_crlf_all_end_lines() {
    assert_eq!(data(b"data: a\n\ndata: b\r\rdata: c\r\n\r\n"), ["a", "b", "c"]);
}

#[test]
fn a_crlf_split_across_chunks_is_one_line_end() {
    let mut decoder = Decoder::new();
    decoder.feed(b"data: a\r");
    assert_eq!(decoder.next_event(), None);
    decoder.feed(b"\n\r");
    assert_eq!(decoder.next_event().map(|e| e.data).as_deref(), Some("a"));
    decoder.feed(b"\ndata: b\n\n");
    assert_eq!(decoder.next_event().map(|e| e.data).as_deref(), Some("b"));
}

#[test]
fn data_lines_are_joined_with_lf() {
    assert_eq!(data(b"data: one\ndata:two\ndata:  three\n\n"), ["one\ntwo\n three"]);
}

#[test]
fn comments_unknown_fields_and_dataless_blocks_dispatch_nothing() {
    assert_eq!(data(b": keep-alive\n\nevent: ping\n\nfoo: bar\ndata: x\n\n"), ["x"]);
}

#[test]
fn the_event_type_applies_to_one_event_only() {
    let got: Vec<Option<String>> = events(b"event: a\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n")
        .into_iter()
        .map(|e| e.event.map(String::from))
        .collect();
    assert_eq!(got, [Some("a".into()), None, None]);
}

#[test]
fn common_event_names_are_borrowed() {
    let got: Vec<_> = events(b"event: content_block_delta\ndata: 1\n\nevent: custom\ndata: 2\n\n")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(matches!(got[0], Some(Cow::Borrowed("content_block_delta"))));
    assert!(matches!(&got[1], Some(Cow::Owned(name)) if name == "custom"));
}

#[test]
fn ids_persist_until_changed_and_ignore_nul() {
    let got: Vec<Option<String>> =
        events(b"id: 7\ndata: a\n\ndata: b\n\nid: 8\0\ndata: c\n\nid\ndata: d\n\n")
            .into_iter()
            .map(|e| e.id)
            .collect();
    assert_eq!(got, [Some("7".into()), Some("7".into()), Some("7".into()), None]);
}

#[test]
fn retry_takes_only_digits() {
    let mut decoder = Decoder::new();
    decoder.feed(b"retry: 1500\n\nretry: 2s\n\nretry: 99999999999999999999999\n\n");
    assert_eq!(decoder.next_event(), None);
    assert_eq!(decoder.retry(), Some(1500));
}

#[test]
fn a_field_without_colon_has_an_empty_value() {
    assert_eq!(data(b"data\n\n"), [""]);
    assert_eq!(data(b"data\ndata\n\n"), ["\n"]);
}

#[test]
fn only_one_leading_space_is_stripped() {
    assert_eq!(data(b"data:   x \n\n"), ["  x "]);
}

#[test]
fn a_leading_bom_is_dropped_even_when_split() {
    let mut decoder = Decoder::new();
    for chunk in [&b"\xEF"[..], b"\xBB", b"\xBFdata: a\n\n"] {
        decoder.feed(chunk);
    }
    assert_eq!(decoder.next_event().map(|e| e.data).as_deref(), Some("a"));
    // Only at the very start: a later BOM is part of the field name.
    assert_eq!(data(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"), ["a"]);
}

#[test]
fn the_last_event_is_dispatched_at_the_end_without_its_blank_line() {
    assert_eq!(data(b"data: a\n\ndata: b"), ["a", "b"]);
    assert_eq!(data(b"data: a\n\ndata: b\n"), ["a", "b"]);
    assert_eq!(data(b"data: a\n\n: bye"), ["a"]);
}

#[test]
fn invalid_utf8_is_replaced() {
    assert_eq!(data(b"data: \xFFok\n\n"), ["\u{FFFD}ok"]);
}

#[test]
fn the_encoder_writes_what_the_decoder_reads() {
    let event = Event { event: Some("a\nb".into()), data: "x\r\ny\rz\n".into(), id: Some("9".into()) };
    let mut wire = Vec::new();
    event.encode_into(&mut wire);
    assert_eq!(wire, b"id: 9\nevent: a b\ndata: x\ndata: y\ndata: z\ndata: \n\n");
    let back = events(&wire);
    assert_eq!(back, [Event { event: Some("a b".into()), data: "x\ny\nz\n".into(), id: Some("9".into()) }]);
}

#[test]
fn json_array_elements_survive_every_split() {
    let stream = b"[{\"a\":\"]}\\\"[{\"},\n{\"b\":[1,{\"c\":2}]}\r\n]";
    for split in 0..=stream.len() {
        let mut decoder = JsonArrayDecoder::new();
        let mut got = Vec::new();
        for chunk in [&stream[..split], &stream[split..]] {
            decoder.feed(chunk);
            got.extend(std::iter::from_fn(|| decoder.next_element()).map(|e| e.unwrap()));
        }
        assert_eq!(got, [&b"{\"a\":\"]}\\\"[{\"}"[..], b"{\"b\":[1,{\"c\":2}]}"], "split at {split}");
        assert_eq!(decoder.finish(), Ok(()));
    }
}

#[test]
fn json_array_errors_are_reported() {
    let cases: [(&[u8], ArrayStreamError); 4] = [
        (b"{\"a\":1}", ArrayStreamError::NotAnArray('{')),
        (b"[1]", ArrayStreamError::Unexpected('1')),
        (b"[{\"a\":1]]", ArrayStreamError::Mismatched(']')),
        (b"[{\"a\":1}", ArrayStreamError::Truncated),
    ];
    for (input, want) in cases {
        let mut decoder = JsonArrayDecoder::new();
        decoder.feed(input);
        while let Some(Ok(_)) = decoder.next_element() {}
        assert_eq!(decoder.finish(), Err(want), "{}", String::from_utf8_lossy(input));
    }
}
