//! A sans-IO decoder for `text/event-stream`, following the WHATWG rules.

use memchr::memchr2;

/// One dispatched server-sent event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The `event` field, when the event named its type (`None` means the default, `message`).
    pub event: Option<String>,
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
    /// How far past `start` the current partial line has been searched for a line end.
    scanned: usize,
    /// The last line ended in CR: an LF at the start of the next chunk belongs to it.
    after_cr: bool,
    /// The stream's first bytes have been checked for a BOM.
    bom_checked: bool,
    /// The event being built.
    data: Vec<u8>,
    has_data: bool,
    event: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Appends the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete event, if the bytes fed so far hold one.
    pub fn next_event(&mut self) -> Option<Event> {
        if !self.bom_checked && !self.check_bom(false) {
            return None;
        }
        while let Some((line_end, next)) = self.next_line_end() {
            let line = self.start..line_end;
            self.start = next;
            self.scanned = 0;
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

    /// Drops a leading BOM. Returns false while too few bytes have arrived to tell.
    fn check_bom(&mut self, at_end: bool) -> bool {
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
        self.bom_checked
    }

    /// Finds the end of the next whole line: (end of its content, start of the following line).
    fn next_line_end(&mut self) -> Option<(usize, usize)> {
        if self.after_cr && self.start < self.buf.len() {
            self.after_cr = false;
            if self.buf[self.start] == b'\n' {
                self.start += 1;
            }
        }
        let from = self.start + self.scanned;
        let Some(offset) = memchr2(b'\n', b'\r', &self.buf[from..]) else {
            self.scanned = self.buf.len() - self.start;
            return None;
        };
        let end = from + offset;
        if self.buf[end] == b'\n' {
            return Some((end, end + 1));
        }
        match self.buf.get(end + 1) {
            Some(b'\n') => Some((end, end + 2)),
            Some(_) => Some((end, end + 1)),
            None => {
                self.after_cr = true;
                Some((end, end + 1))
            }
        }
    }

    /// Processes one line; a blank line dispatches the event built so far.
    fn line(&mut self, range: std::ops::Range<usize>) -> Option<Event> {
        let line = &self.buf[range];
        if line.is_empty() {
            return self.dispatch();
        }
        let (field, value) = match memchr::memchr(b':', line) {
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
            b"event" => self.event = (!value.is_empty()).then(|| text(value)),
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
        let data = std::mem::take(&mut self.data);
        let data = match String::from_utf8(data) {
            Ok(data) => data,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        Some(Event { event, data, id: self.id.clone() })
    }
}

/// Bytes as text, invalid UTF-8 replaced.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}
