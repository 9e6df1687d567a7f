//! Gemini's non-SSE stream: `streamGenerateContent` without `alt=sse` answers one JSON array whose
//! elements arrive over time.

use memchr::memchr2;

/// Why a JSON-array stream could not be split into elements.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArrayStreamError {
    /// The stream does not start with `[`.
    #[error("a JSON array stream must start with `[`, found {0:?}")]
    NotAnArray(char),
    /// Something other than an object or array stands where an element should.
    #[error("unexpected {0:?} between array elements")]
    Unexpected(char),
    /// A closing bracket does not match its opening one.
    #[error("mismatched bracket {0:?} inside an element")]
    Mismatched(char),
    /// The stream ended inside the array.
    #[error("the stream ended before the array was closed")]
    Truncated,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Before the opening `[`.
    #[default]
    Start,
    /// Between elements.
    Between,
    /// Inside an element.
    Element,
    /// After the closing `]`.
    Done,
}

/// Splits a streamed JSON array into its elements (each an object's raw JSON), whatever the chunking.
///
/// ```
/// use aether_core::sse::JsonArrayDecoder;
///
/// let mut decoder = JsonArrayDecoder::new();
/// decoder.feed(b"[{\"candidates\":[]}\n,\r\n{\"usage");
/// assert_eq!(decoder.next_element().unwrap().unwrap(), b"{\"candidates\":[]}");
/// assert_eq!(decoder.next_element(), None);
/// decoder.feed(b"Metadata\":{}}]");
/// assert_eq!(decoder.next_element().unwrap().unwrap(), b"{\"usageMetadata\":{}}");
/// assert_eq!(decoder.finish(), Ok(()));
/// ```
#[derive(Clone, Debug, Default)]
pub struct JsonArrayDecoder {
    buf: Vec<u8>,
    /// Where unconsumed bytes start.
    start: usize,
    /// How far the current element has been scanned.
    pos: usize,
    state: State,
    /// Closing brackets expected inside the current element.
    open: Vec<u8>,
    in_string: bool,
    escaped: bool,
}

impl JsonArrayDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        JsonArrayDecoder::default()
    }

    /// Appends the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.pos = self.pos.saturating_sub(self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete element, if the bytes fed so far hold one.
    pub fn next_element(&mut self) -> Option<Result<Vec<u8>, ArrayStreamError>> {
        loop {
            match self.state {
                State::Start | State::Between | State::Done => {
                    let byte = self.skip_ws()?;
                    if let Err(err) = self.punctuation(byte) {
                        return Some(Err(err));
                    }
                }
                State::Element => return self.element(),
            }
        }
    }

    /// Ends the stream: an error unless the array was closed.
    pub fn finish(&mut self) -> Result<(), ArrayStreamError> {
        match self.next_element() {
            Some(Err(err)) => Err(err),
            _ if self.state == State::Done => Ok(()),
            _ => Err(ArrayStreamError::Truncated),
        }
    }

    /// Skips white space; returns the next byte without consuming it.
    fn skip_ws(&mut self) -> Option<u8> {
        while let Some(&byte) = self.buf.get(self.start) {
            if !byte.is_ascii_whitespace() {
                return Some(byte);
            }
            self.start += 1;
        }
        None
    }

    /// Handles the byte at `start` outside an element.
    fn punctuation(&mut self, byte: u8) -> Result<(), ArrayStreamError> {
        self.state = match (self.state, byte) {
            (State::Start, b'[') => State::Between,
            (State::Start, other) => return Err(ArrayStreamError::NotAnArray(other as char)),
            (State::Between, b',') => State::Between,
            (State::Between, b']') => State::Done,
            (State::Between, b'{' | b'[') => {
                self.pos = self.start;
                State::Element
            }
            (_, other) => return Err(ArrayStreamError::Unexpected(other as char)),
        };
        if self.state != State::Element {
            self.start += 1;
        }
        Ok(())
    }

    /// Scans the current element; returns it once its brackets close.
    fn element(&mut self) -> Option<Result<Vec<u8>, ArrayStreamError>> {
        while self.pos < self.buf.len() {
            if self.in_string {
                self.scan_string();
                continue;
            }
            let byte = self.buf[self.pos];
            self.pos += 1;
            match byte {
                b'"' => self.in_string = true,
                b'{' => self.open.push(b'}'),
                b'[' => self.open.push(b']'),
                b'}' | b']' => {
                    if self.open.pop() != Some(byte) {
                        return Some(Err(ArrayStreamError::Mismatched(byte as char)));
                    }
                    if self.open.is_empty() {
                        let element = self.buf[self.start..self.pos].to_vec();
                        self.start = self.pos;
                        self.state = State::Between;
                        return Some(Ok(element));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn scan_string(&mut self) {
        if self.escaped {
            self.escaped = false;
            self.pos += 1;
            return;
        }
        match memchr2(b'"', b'\\', &self.buf[self.pos..]) {
            Some(offset) => {
                let byte = self.buf[self.pos + offset];
                self.pos += offset + 1;
                if byte == b'"' {
                    self.in_string = false;
                } else {
                    self.escaped = true;
                }
            }
            None => self.pos = self.buf.len(),
        }
    }
}
