//! A sans-IO decoder for `text/event-stream`, following the WHATWG rules.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;

use super::names::event_name;
use super::scan::line_ends;

/// One dispatched server-sent event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event` field, when the event named its type (`None` means the default, `message`). The
    /// names that Anthropic and OpenAI send are borrowed rather than allocated.
    pub event: Option<Cow<'static, str>>,
    /// The `data` lines, joined with `\n`.
    pub data: String,
    /// The last event id in force when the event was dispatched.
    pub id: Option<String>,
}

/// Decodes a byte stream into [`Event`]s, whatever the chunk boundaries.
///
/// Lines may end in LF, CR or CRLF (a CRLF split across chunks counts once); `data` lines are joined
/// with `\n`; comments (lines starting with `:`) and unknown fields are skipped; an `id` persists
/// across events until changed; a leading UTF-8 BOM is dropped. Invalid UTF-8 is replaced with U+FFFD.
/// At the end of the stream, [`Decoder::finish`] dispatches a last event that lacks its blank line
/// (the WHATWG rules would drop it; upstreams that close without one still mean it).
///
/// ```
/// use aether_core::sse::Decoder;
///
/// let mut decoder = Decoder::new();
/// decoder.feed(b"event: ping\ndata: {\"a\"");
/// assert_eq!(decoder.next_event(), None); // the event is not complete yet
/// decoder.feed(b":1}\r\n\r\ndata: last");
/// let event = decoder.next_event().unwrap();
/// assert_eq!((event.event.as_deref(), event.data.as_str()), (Some("ping"), "{\"a\":1}"));
/// assert_eq!(decoder.finish().unwrap().data, "last");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Decoder {
    /// Bytes fed but not yet consumed as whole lines.
    buf: Vec<u8>,
    /// Where the unconsumed bytes start in `buf`.
    start: usize,
    /// Where the CRs and LFs not yet consumed are in `buf`, in order; an LF before `start` is the
    /// second half of a CRLF already consumed.
    ends: VecDeque<usize>,
    /// The last line ended in CR: an LF at the start of the next chunk belongs to it.
    after_cr: bool,
    /// The stream's first bytes have been checked for a BOM.
    bom_checked: bool,
    /// The `data` of the event being built; its capacity is kept across events.
    data: Vec<u8>,
    has_data: bool,
    event: Option<Cow<'static, str>>,
    id: Option<String>,
    retry: Option<u64>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Appends the next chunk of the stream, and finds its line ends.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.start == self.buf.len() || (self.start > 4096 && self.start * 2 > self.buf.len()) {
            self.drop_consumed();
        }
        line_ends(chunk, self.buf.len(), &mut self.ends);
        self.buf.extend_from_slice(chunk);
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if chunk[0] == b'\n' {
                self.start += 1;
            }
        }
        if !self.bom_checked {
            self.check_bom(false);
        }
    }

    /// Drops the bytes before `start`, and the line ends among them.
    fn drop_consumed(&mut self) {
        let consumed = self.start;
        self.buf.drain(..consumed);
        self.start = 0;
        self.ends.retain(|&end| end >= consumed);
        self.ends.iter_mut().for_each(|end| *end -= consumed);
    }

    /// The next complete event, if the bytes fed so far hold one.
    pub fn next_event(&mut self) -> Option<Event> {
        while let Some(end) = self.ends.pop_front() {
            if end < self.start {
                continue;
            }
            let line = self.start..end;
            self.start = self.after_line_end(end);
            if let Some(event) = self.line(line) {
                return Some(event);
            }
        }
        None
    }

    /// Ends the stream: processes a last line without its line end and dispatches the event it
    /// completes, if any.
    pub fn finish(&mut self) -> Option<Event> {
        if let Some(event) = self.next_event() {
            return Some(event);
        }
        if !self.bom_checked {
            self.check_bom(true);
        }
        if self.start < self.buf.len() {
            let line = self.start..self.buf.len();
            self.start = self.buf.len();
            if let Some(event) = self.line(line) {
                return Some(event);
            }
        }
        self.dispatch()
    }

    /// Drops a leading BOM, once enough bytes have arrived to tell (or the stream has ended).
    fn check_bom(&mut self, at_end: bool) {
        let head = &self.buf[self.start..];
        let n = head.len().min(BOM.len());
        if head[..n] != BOM[..n] {
            self.bom_checked = true;
        } else if n == BOM.len() {
            self.start += BOM.len();
            self.bom_checked = true;
        } else if at_end {
            self.bom_checked = true;
        }
    }

    /// Where the line ending at `end` (a CR or LF) is followed by the next one. A CR that ends `buf`
    /// may be the first half of a CRLF: the next chunk tells.
    fn after_line_end(&mut self, end: usize) -> usize {
        if self.buf[end] == b'\r' {
            match self.buf.get(end + 1) {
                Some(b'\n') => return end + 2,
                None => self.after_cr = true,
                Some(_) => {}
            }
        }
        end + 1
    }

    /// Processes one line; a blank line dispatches the event built so far.
    fn line(&mut self, range: Range<usize>) -> Option<Event> {
        let line = &self.buf[range];
        if line.is_empty() {
            return self.dispatch();
        }
        let (field, value) = match line.iter().position(|&byte| byte == b':') {
            Some(0) => return None,
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => self.event = (!value.is_empty()).then(|| event_name(value)),
            b"id" if !value.contains(&0) => self.id = (!value.is_empty()).then(|| text(value)),
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|digits| digits.parse().ok()) {
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
        None
    }

    /// The reconnection time the stream last asked for (`retry`), in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// Dispatches the event built so far, if it has data; resets the per-event fields either way.
    fn dispatch(&mut self) -> Option<Event> {
        let event = self.event.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        let data = text(&self.data);
        self.data.clear();
        Some(Event { event, data, id: self.id.clone() })
    }
}

/// Bytes as text, invalid UTF-8 replaced.
pub(super) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}
