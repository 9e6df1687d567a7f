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

/// What [`Decoder::next_ref`] lends for `chunks`, made owned to compare, then what `finish` gives.
fn lent(chunks: &[&[u8]]) -> Vec<Event> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        while let Some(event) = decoder.next_ref() {
            out.push(event.into());
        }
    }
    out.extend(decoder.finish());
    out
}

fn event(event: Option<&'static str>, data: &str, id: Option<&str>) -> Event {
    Event { event: event.map(Cow::Borrowed), data: data.into(), id: id.map(String::from) }
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
fn ids_persist_until_changed_and_ignore_nul_in_owned_and_lent_events() {
    let input = b"id: 7\ndata: a\n\ndata: b\n\nid: 8\0\ndata: c\n\nid\ndata: d\n\n";
    for got in [events(input), lent(&[input])] {
        let ids: Vec<Option<String>> = got.into_iter().map(|e| e.id).collect();
        assert_eq!(ids, [Some("7".into()), Some("7".into()), Some("7".into()), None]);
    }
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

#[test]
fn a_lent_event_borrows_a_single_data_line_and_joins_several() {
    let mut decoder = Decoder::new();
    decoder.feed(b"event: ping\ndata: {\"a\":1}\n\ndata: one\ndata:two\ndata\n\n");
    let first = decoder.next_ref().unwrap();
    assert_eq!((first.event, first.id), (Some("ping"), None));
    assert_eq!((first.data, first.text()), (&b"{\"a\":1}"[..], Cow::Borrowed("{\"a\":1}")));
    let second = decoder.next_ref().unwrap();
    assert_eq!((second.event, second.data), (None, &b"one\ntwo\n"[..]));
    assert_eq!(decoder.next_ref(), None);
}

#[test]
fn lent_events_survive_line_ends_split_across_chunks() {
    // A CRLF split after its CR, a blank line in the next chunk, and a data line spread over several.
    let chunks: [&[u8]; 6] = [b"data: a\r", b"\n\r", b"\ndata: b", b"c\r\nda", b"ta: d\r\n", b"\r\n"];
    assert_eq!(lent(&chunks), [event(None, "a", None), event(None, "bc\nd", None)]);
}

#[test]
fn a_lent_data_line_outlives_the_buffer_being_reclaimed() {
    // The decoder reclaims its buffer when every byte fed has been read, or when what has been read
    // outweighs what is left: a pending data line must be kept either way.
    let long = "x".repeat(5000);
    let mut decoder = Decoder::new();
    decoder.feed(b"data: a\n");
    assert_eq!(decoder.next_ref(), None);
    decoder.feed(format!("\ndata: {long}\nda").as_bytes());
    assert_eq!(decoder.next_ref().map(|e| e.text().into_owned()).as_deref(), Some("a"));
    assert_eq!(decoder.next_ref(), None);
    decoder.feed(b"ta: y\n\n");
    assert_eq!(decoder.next_ref().map(|e| e.text().into_owned()), Some(format!("{long}\ny")));
}

#[test]
fn lent_events_skip_a_leading_bom_split_across_chunks() {
    assert_eq!(lent(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]), [event(None, "a", None)]);
}

#[test]
fn finish_dispatches_what_a_lending_reader_left() {
    let mut decoder = Decoder::new();
    decoder.feed(b"event: ping\ndata: a\n\ndata: b\ndata: c");
    assert_eq!(decoder.next_ref().map(|e| e.text().into_owned()).as_deref(), Some("a"));
    assert_eq!(decoder.finish(), Some(event(None, "b\nc", None)));
    assert_eq!(decoder.finish(), None);
}

#[test]
fn a_lent_event_with_invalid_utf8_owns_its_replacement() {
    let mut decoder = Decoder::new();
    decoder.feed(b"data: \xFFok\n\n");
    let event = decoder.next_ref().unwrap();
    assert_eq!(event.data, b"\xFFok");
    assert!(matches!(event.text(), Cow::Owned(data) if data == "\u{FFFD}ok"));
}

#[test]
fn owned_events_keep_common_names_borrowed() {
    let mut decoder = Decoder::new();
    decoder.feed(b"event: message_stop\ndata: {}\n\n");
    let owned = Event::from(decoder.next_ref().unwrap());
    assert!(matches!(owned.event, Some(Cow::Borrowed("message_stop"))));
}
