//! The response side: an upstream body on its way to the client, translated when the formats differ,
//! with its usage read on the way and reported to the request's [`Tally`].

use std::pin::Pin;
use std::task::{Context, Poll};

use aether_core::protocol::codec;
use aether_core::stream::{ClientStream, Translator, UsageScanner};
use aether_core::{ApiError, ErrorKind, WireFormat, translate};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::time::Instant;

use crate::BoxError;
use crate::meter::Tally;

/// What happens to the bytes.
pub(super) enum Mode {
    /// A stream in the client's own format: forwarded unchanged, usage read on the side.
    Scan(Box<UsageScanner>),
    /// A stream in another format: translated event by event.
    Translate(Box<Translator>),
    /// A whole answer in the client's format: forwarded, and kept to read its usage at the end.
    Keep { format: WireFormat, kept: Vec<u8> },
    /// A whole answer in another format: gathered, then translated at the end.
    Convert { from: WireFormat, to: WireFormat, kept: Vec<u8> },
}

impl Mode {
    /// The mode for an answer from an upstream of `from` to a client of `to`.
    pub(super) fn new(from: WireFormat, to: WireFormat, stream: bool, client: ClientStream) -> Mode {
        // Upstreams always stream SSE: a Gemini client that asked for a JSON array gets it re-framed.
        let same_framing = from == to && !client.json_array;
        match (stream, same_framing) {
            (true, true) => Mode::Scan(Box::new(UsageScanner::new(from))),
            (true, false) => Mode::Translate(Box::new(Translator::for_client(from, to, client))),
            (false, _) if from == to => Mode::Keep { format: from, kept: Vec::new() },
            (false, _) => Mode::Convert { from, to, kept: Vec::new() },
        }
    }

    /// Takes a chunk of upstream bytes; returns what goes to the client now.
    fn feed(&mut self, chunk: Bytes, tally: Option<&Tally>) -> Option<Bytes> {
        match self {
            Mode::Scan(scanner) => {
                scanner.feed(&chunk);
                if let Some(tally) = tally {
                    tally.seen(|seen| seen.usage = scanner.so_far().usage());
                }
                Some(chunk)
            }
            Mode::Translate(translator) => {
                let mut out = Vec::new();
                translator.feed(&chunk, &mut out);
                if let Some(tally) = tally {
                    tally.seen(|seen| seen.usage = translator.usage().usage());
                }
                (!out.is_empty()).then(|| out.into())
            }
            Mode::Keep { kept, .. } => {
                kept.extend_from_slice(&chunk);
                Some(chunk)
            }
            Mode::Convert { kept, .. } => {
                kept.extend_from_slice(&chunk);
                None
            }
        }
    }

    /// The upstream body ended (`cut`: by a failure): returns the client's last bytes, and reports the
    /// final usage and any error.
    fn finish(&mut self, cut: Option<String>, tally: Option<&Tally>) -> Option<Bytes> {
        let mut error = cut;
        let (usage, out) = match self {
            Mode::Scan(scanner) => {
                let format = scanner.format();
                let ended = scanner.so_far().stop().is_some() || scanner.so_far().error().is_some();
                let (between_events, sequence) = (scanner.between_events(), scanner.last_sequence());
                let seen = std::mem::replace(scanner, Box::new(UsageScanner::new(format))).finish();
                error = error.or_else(|| seen.error().map(|e| e.message.clone()));
                // The bytes so far are the upstream's own; a stream cut short between two events gets
                // its format's error event, so the client sees an end rather than a silent truncation.
                // (Cut inside an event, it cannot: ending that event would hand the client its broken
                // half. The client sees the stream end.)
                let tail = match &error {
                    Some(message) if !ended && between_events => {
                        Some(cut_event(format, message, sequence.map_or(0, |last| last + 1)))
                    }
                    _ => None,
                };
                (seen.usage(), tail)
            }
            Mode::Translate(translator) => {
                let mut out = Vec::new();
                translator.finish(&mut out);
                error = error.or_else(|| translator.usage().error().map(|e| e.message.clone()));
                (translator.usage().usage(), (!out.is_empty()).then(|| out.into()))
            }
            Mode::Keep { format, kept } => (codec(*format).response_usage(kept).unwrap_or_default(), None),
            Mode::Convert { from, to, kept } => match translate::response(*from, *to, kept) {
                Ok(body) => (codec(*from).response_usage(kept).unwrap_or_default(), Some(body.into())),
                Err(failure) => {
                    error = Some(format!("the upstream's answer could not be translated: {failure}"));
                    let rendered = codec(*to).render_error(&failure.to_api_error()).1;
                    (Default::default(), Some(rendered.into()))
                }
            },
        };
        if let Some(tally) = tally {
            tally.seen(|seen| {
                seen.usage = usage;
                seen.error = error;
                seen.completed = true;
            });
        }
        out
    }
}

pin_project! {
    /// The client's response body: the upstream's, translated or passed through, reporting its usage
    /// to the request's [`Tally`] as it goes and when it ends. Dropped before its end (the client went
    /// away), it drops the upstream body too, which cancels the upstream call.
    pub struct TranslateBody<B> {
        #[pin]
        inner: B,
        mode: Mode,
        tally: Option<Tally>,
        started: Instant,
        first_sent: bool,
        done: bool,
    }
}

impl<B> TranslateBody<B> {
    pub(super) fn new(inner: B, mode: Mode, tally: Option<Tally>, started: Instant) -> Self {
        TranslateBody { inner, mode, tally, started, first_sent: false, done: false }
    }
}

impl<B> Body for TranslateBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Display,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        while !*this.done {
            let out = match std::task::ready!(this.inner.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => {
                    let out =
                        frame.into_data().ok().and_then(|chunk| this.mode.feed(chunk, this.tally.as_ref()));
                    // A body of known length may never be polled past its last bytes: end it now.
                    if this.inner.is_end_stream() {
                        *this.done = true;
                        join(out, this.mode.finish(None, this.tally.as_ref()))
                    } else {
                        out
                    }
                }
                Some(Err(error)) => {
                    *this.done = true;
                    this.mode.finish(Some(format!("the upstream body failed: {error}")), this.tally.as_ref())
                }
                None => {
                    *this.done = true;
                    this.mode.finish(None, this.tally.as_ref())
                }
            };
            if let Some(out) = out.filter(|out| !out.is_empty()) {
                if !*this.first_sent {
                    *this.first_sent = true;
                    if let Some(tally) = this.tally {
                        tally.seen(|seen| seen.first_byte = Some(this.started.elapsed()));
                    }
                }
                return Poll::Ready(Some(Ok(Frame::data(out))));
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// Two optional chunks as one.
fn join(a: Option<Bytes>, b: Option<Bytes>) -> Option<Bytes> {
    match (a, b) {
        (Some(a), Some(b)) => Some([a, b].concat().into()),
        (a, b) => a.or(b),
    }
}

/// The event that ends a passed-through stream of `format` cut short: Anthropic's `error` event, an
/// OpenAI Chat error chunk, a Gemini error chunk, or a Responses `error` event numbered `sequence`.
fn cut_event(format: WireFormat, message: &str, sequence: u64) -> Bytes {
    let error = ApiError::new(ErrorKind::Overloaded, format!("the upstream stream was cut: {message}"));
    if format == WireFormat::OpenAiResponses {
        let event = serde_json::json!({
            "type": "error",
            "code": "server_error",
            "message": error.message,
            "param": null,
            "sequence_number": sequence,
        });
        return format!("event: error\ndata: {event}\n\n").into();
    }
    let body = codec(format).render_error(&error).1;
    let body = String::from_utf8_lossy(&body);
    match format {
        WireFormat::Anthropic => format!("event: error\ndata: {body}\n\n").into(),
        _ => format!("data: {body}\n\n").into(),
    }
}

#[cfg(test)]
mod tests {
    use memchr::memmem;

    use super::*;

    fn fixture(path: &str) -> Bytes {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../aether-core/tests/fixtures").join(path);
        std::fs::read(path).expect("fixture").into()
    }

    #[test]
    fn a_passed_through_stream_cut_short_ends_with_the_formats_error_event() {
        let mut mode = Mode::new(WireFormat::Anthropic, WireFormat::Anthropic, true, ClientStream::default());
        let sent = mode.feed(fixture("anthropic/stream/cut_mid_tool_use.sse"), None);
        assert!(sent.is_some(), "the upstream's bytes pass unchanged");
        let tail = mode.finish(None, None).expect("an error event");
        assert!(tail.starts_with(b"event: error\ndata: {\"type\":\"error\""), "{tail:?}");
    }

    /// The first `events` events of a recorded stream.
    fn first_events(path: &str, events: usize) -> Bytes {
        let stream = fixture(path);
        let end = memmem::find_iter(&stream, b"\n\n").nth(events - 1).expect("enough events") + 2;
        stream.slice(..end)
    }

    #[test]
    fn a_passed_through_responses_stream_cut_short_ends_with_a_numbered_error_event() {
        let format = WireFormat::OpenAiResponses;
        let mut mode = Mode::new(format, format, true, ClientStream::default());
        let stream = first_events("openai_responses/stream/cut_mid_function_call.sse", 10);
        // In pieces, the first ending inside the last event's `sequence_number` value (9).
        let split = memmem::rfind(&stream, b"\"sequence_number\":9").expect("numbered") + 19;
        let mut sent = Vec::new();
        for piece in [stream.slice(..split), stream.slice(split..)] {
            sent.extend_from_slice(&mode.feed(piece, None).expect("passed on"));
        }
        let tail = mode.finish(Some("connection reset".to_owned()), None).expect("an error event");
        let text = String::from_utf8_lossy(&tail);
        assert!(text.starts_with("event: error\ndata: {\"type\":\"error\""), "{text}");
        assert!(text.contains("\"sequence_number\":10"), "continues after 9: {text}");
        sent.extend_from_slice(&tail);
        let mut scanner = UsageScanner::new(format);
        scanner.feed(&sent);
        let error = scanner.finish().error().cloned().expect("the client reads an error");
        assert!(error.message.contains("connection reset"), "{error:?}");
    }

    #[test]
    fn a_stream_cut_inside_an_event_gets_nothing_glued_to_its_broken_half() {
        let format = WireFormat::OpenAiResponses;
        let mut mode = Mode::new(format, format, true, ClientStream::default());
        let stream = first_events("openai_responses/stream/cut_mid_function_call.sse", 10);
        mode.feed(stream.slice(..stream.len() - 30), None);
        assert_eq!(mode.finish(Some("connection reset".to_owned()), None), None);
    }

    #[test]
    fn a_complete_passed_through_stream_gets_nothing_added() {
        let mut mode = Mode::new(WireFormat::Anthropic, WireFormat::Anthropic, true, ClientStream::default());
        mode.feed(fixture("anthropic/stream/thinking_text_tool_use.sse"), None);
        assert_eq!(mode.finish(None, None), None);
    }
}
