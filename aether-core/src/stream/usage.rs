//! Usage of a stream, gathered as it passes.

use std::sync::LazyLock;

use memchr::memmem;

use super::{StreamDecoder, StreamEvent, decoder};
use crate::ir::StopReason;
use crate::{ApiError, Usage, WireFormat, sse};

/// The usage, stop reason and error of a stream, from the events seen so far.
///
/// Formats report usage in pieces (Anthropic: input at `message_start`, output at `message_delta`; OpenAI:
/// all at the end), so a later report never overwrites a count already known with zero.
///
/// ```
/// use aether_core::Usage;
/// use aether_core::stream::{StreamEvent, UsageAccumulator};
///
/// let mut usage = UsageAccumulator::default();
/// usage.observe(&StreamEvent::Usage(Usage { input: 10, cache_read: 90, ..Usage::default() }));
/// usage.observe(&StreamEvent::Usage(Usage { output: 5, ..Usage::default() }));
/// assert_eq!(usage.usage(), Usage { input: 10, cache_read: 90, output: 5, ..Usage::default() });
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsageAccumulator {
    usage: Usage,
    stop: Option<StopReason>,
    error: Option<ApiError>,
}

impl UsageAccumulator {
    /// Takes what `event` says about usage, stop and errors.
    pub fn observe(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Usage(usage) => self.merge(usage),
            StreamEvent::Stop { reason, .. } => self.stop = Some(reason.clone()),
            StreamEvent::Error(error) => self.error = Some(error.clone()),
            _ => {}
        }
    }

    fn merge(&mut self, new: &Usage) {
        let keep = |known: &mut u64, new: u64| {
            if new != 0 {
                *known = new;
            }
        };
        keep(&mut self.usage.input, new.input);
        keep(&mut self.usage.output, new.output);
        keep(&mut self.usage.cache_read, new.cache_read);
        keep(&mut self.usage.cache_write_5m, new.cache_write_5m);
        keep(&mut self.usage.cache_write_1h, new.cache_write_1h);
        keep(&mut self.usage.reasoning, new.reasoning);
    }

    /// The usage seen so far.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Why generation stopped, if the stream said so.
    pub fn stop(&self) -> Option<&StopReason> {
        self.stop.as_ref()
    }

    /// The error the stream carried, if any.
    pub fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }
}

/// Reads usage from a stream that passes through untranslated (client and upstream of one format).
///
/// Only events that can carry usage, a stop or an error are decoded; the bytes themselves are the
/// caller's to forward unchanged.
///
/// ```
/// use aether_core::WireFormat;
/// use aether_core::stream::UsageScanner;
///
/// let mut scanner = UsageScanner::new(WireFormat::Anthropic);
/// scanner.feed(b"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":12}}\n\n");
/// assert_eq!(scanner.finish().usage().output, 12);
/// ```
pub struct UsageScanner {
    format: WireFormat,
    sse: sse::Decoder,
    decoder: Box<dyn StreamDecoder>,
    events: Vec<StreamEvent>,
    seen: UsageAccumulator,
    sequence: Option<u64>,
}

/// What makes an event of each format worth decoding: usage, a stop reason or an error with a value
/// (Chat sends `"usage":null` and `"finish_reason":null` on every chunk), the format's terminal event
/// (so that a stream cut before it is told apart from a complete one), and Gemini function calls (whose
/// stop says `STOP` even when the answer called tools). Each searcher is built once, and an event is
/// searched only for its own format's markers. (One Aho-Corasick pass for all of them was measured
/// slower: the keys share their first byte, `"`, which JSON is full of.)
fn markers(format: WireFormat) -> &'static [Marker] {
    static CHAT: LazyLock<[Marker; 4]> = LazyLock::new(|| {
        [Marker::key("usage"), Marker::key("finish_reason"), Marker::key("error"), Marker::text("[DONE]")]
    });
    static RESPONSES: LazyLock<[Marker; 5]> = LazyLock::new(|| {
        [
            Marker::key("usage"),
            Marker::key("error"),
            // An `error` event carries its fields at the top.
            Marker::text(r#""type":"error""#),
            Marker::text("response.completed"),
            Marker::text("response.incomplete"),
        ]
    });
    static ANTHROPIC: LazyLock<[Marker; 4]> = LazyLock::new(|| {
        [Marker::key("usage"), Marker::key("stop_reason"), Marker::key("error"), Marker::text("message_stop")]
    });
    static GEMINI: LazyLock<[Marker; 4]> = LazyLock::new(|| {
        [
            Marker::key("usageMetadata"),
            Marker::key("finishReason"),
            Marker::key("error"),
            Marker::text("functionCall"),
        ]
    });
    match format {
        WireFormat::OpenAiChat => &*CHAT,
        WireFormat::OpenAiResponses => &*RESPONSES,
        WireFormat::Anthropic => &*ANTHROPIC,
        WireFormat::Gemini => &*GEMINI,
    }
}

/// A searcher for one marker.
enum Marker {
    /// The text anywhere in the event's data.
    Text(memmem::Finder<'static>),
    /// A JSON key (`"name"`, quotes included) whose value is not `null`.
    Key(memmem::Finder<'static>),
}

impl Marker {
    fn text(text: &'static str) -> Marker {
        Marker::Text(memmem::Finder::new(text))
    }

    fn key(name: &str) -> Marker {
        Marker::Key(memmem::Finder::new(&format!("\"{name}\"")).into_owned())
    }

    fn is_in(&self, data: &[u8]) -> bool {
        match self {
            Marker::Text(finder) => finder.find(data).is_some(),
            Marker::Key(finder) => {
                let len = finder.needle().len();
                finder.find_iter(data).any(|at| has_value(&data[at + len..]))
            }
        }
    }
}

/// Whether an event's data may say something about usage, stop or errors.
fn worth_decoding(markers: &[Marker], data: &[u8]) -> bool {
    markers.iter().any(|marker| marker.is_in(data))
}

/// The `sequence_number` of one Responses event.
fn sequence_number(data: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"sequence_number\":";
    let value = data[memmem::find(data, KEY)? + KEY.len()..].trim_ascii_start();
    let digits = value.iter().take_while(|byte| byte.is_ascii_digit()).count();
    std::str::from_utf8(&value[..digits]).ok()?.parse().ok()
}

/// Whether `after_key` (what follows a quoted key) is a colon and a value other than `null`. A quoted
/// key inside a JSON string has its quotes escaped, so it never reaches here followed by a colon.
fn has_value(after_key: &[u8]) -> bool {
    let mut rest = after_key.trim_ascii_start();
    match rest.split_first() {
        Some((b':', value)) => rest = value.trim_ascii_start(),
        _ => return false,
    }
    !rest.is_empty() && !rest.starts_with(b"null")
}

impl UsageScanner {
    /// A scanner for a stream of `format`.
    pub fn new(format: WireFormat) -> Self {
        UsageScanner {
            format,
            sse: sse::Decoder::new(),
            decoder: decoder(format),
            events: Vec::new(),
            seen: UsageAccumulator::default(),
            sequence: None,
        }
    }

    /// Reads the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.sse.feed(chunk);
        while let Some(event) = self.sse.next_ref() {
            if self.format == WireFormat::OpenAiResponses {
                self.sequence = sequence_number(event.data).or(self.sequence);
            }
            if worth_decoding(markers(self.format), event.data) {
                self.decoder.decode(event.event, &event.text(), &mut self.events);
            }
        }
        self.observe_decoded();
    }

    /// Whether the stream so far stops between two events (see [`sse::Decoder::between_events`]).
    pub fn between_events(&self) -> bool {
        self.sse.between_events()
    }

    /// The `sequence_number` of the last event of a Responses stream, which numbers its events.
    pub fn last_sequence(&self) -> Option<u64> {
        self.sequence
    }

    /// The format of the stream.
    pub fn format(&self) -> WireFormat {
        self.format
    }

    /// What the stream has said so far.
    pub fn so_far(&self) -> &UsageAccumulator {
        &self.seen
    }

    /// Ends the stream and returns what it said.
    pub fn finish(mut self) -> UsageAccumulator {
        if let Some(event) =
            self.sse.finish().filter(|event| worth_decoding(markers(self.format), event.data.as_bytes()))
        {
            self.decoder.decode(event.event.as_deref(), &event.data, &mut self.events);
        }
        self.decoder.finish(&mut self.events);
        self.observe_decoded();
        self.seen
    }

    fn observe_decoded(&mut self) {
        for event in self.events.drain(..) {
            self.seen.observe(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::UsageScanner;
    use crate::WireFormat;

    fn marked(data: &str) -> bool {
        WireFormat::ALL
            .into_iter()
            .any(|format| super::worth_decoding(super::markers(format), data.as_bytes()))
    }

    #[test]
    fn a_key_marks_an_event_only_with_a_value() {
        assert!(!marked(r#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}"#));
        assert!(!marked(
            r#"{"choices": [{"delta": {"content": "Hi"}, "finish_reason" : null}], "usage": null}"#
        ));
        assert!(marked(r#"{"choices": [], "usage" : {"prompt_tokens": 9}}"#));
        assert!(marked(r#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#));
    }

    #[test]
    fn a_key_quoted_inside_a_string_marks_nothing() {
        assert!(!marked(r#"{"choices":[{"delta":{"content":"say \"usage\": 1"}}]}"#));
    }

    #[test]
    fn an_error_event_with_its_fields_at_the_top_is_marked() {
        assert!(marked(r#"{"type":"error","code":"server_error","message":"cut","sequence_number":9}"#));
    }

    #[test]
    fn a_sequence_number_cut_by_a_chunks_end_is_read_whole() {
        let mut scanner = UsageScanner::new(WireFormat::OpenAiResponses);
        scanner.feed(b"data: {\"type\":\"a\",\"sequence_number\":7,\"x\":1}\n\ndata: {\"type\":\"b\",\"sequence_number\":12");
        assert_eq!(scanner.last_sequence().map(|last| last + 1), Some(8));
        scanner.feed(b"3,\"delta\":\"a\"}\n\n");
        assert_eq!(
            scanner.last_sequence().map(|last| last + 1),
            Some(124),
            "read whole across the two chunks"
        );
        assert!(scanner.between_events());
    }
}
