//! The passthrough fast path: when the client's format is the upstream's, the body is forwarded as
//! received, with only the gateway's edits spliced in, without building a JSON tree.
//!
//! [`Body::scan`] walks the top level of the request object once, skipping nested values with `memchr`,
//! and remembers where `model`, `stream` and `stream_options` are. [`Body::rewrite`] then copies the body
//! around those spans.
//!
//! ```
//! use aether_core::WireFormat;
//! use aether_core::passthrough::Body;
//!
//! let body = br#"{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#;
//! let scanned = Body::scan(body)?;
//! assert_eq!(scanned.model().as_deref(), Some("gpt-5"));
//! assert!(scanned.stream());
//!
//! let out = scanned.rewrite(WireFormat::OpenAiChat, "gpt-5-2026-08-01")?;
//! assert_eq!(
//!     std::str::from_utf8(&out).unwrap(),
//!     r#"{"model":"gpt-5-2026-08-01","stream":true,"messages":[{"role":"user","content":"Hi"}],"stream_options":{"include_usage":true}}"#
//! );
//! # Ok::<(), aether_core::TranslateError>(())
//! ```

use std::borrow::Cow;
use std::ops::Range;

use memchr::memchr2;
use serde_json::{Map, Value};

use crate::{TranslateError, WireFormat};

/// Bytes to put in place of a span of the body (an empty span inserts).
type Edit<'a> = (Range<usize>, Cow<'a, [u8]>);

/// A request body whose top-level members the gateway reads or edits have been located.
#[derive(Clone, Debug)]
pub struct Body<'a> {
    bytes: &'a [u8],
    /// Value spans of every `model` member (a duplicated key is rewritten everywhere).
    model: Vec<Range<usize>>,
    stream: Option<Range<usize>>,
    stream_options: Option<Range<usize>>,
    /// The position of the object's closing brace.
    close: usize,
}

impl<'a> Body<'a> {
    /// Locates the top-level members of a JSON object body. Nested values are skipped, not parsed: only
    /// their structure (strings, brackets) is checked.
    pub fn scan(bytes: &'a [u8]) -> Result<Self, TranslateError> {
        let mut scanner = Scanner { bytes, pos: 0 };
        let mut body = Body { bytes, model: Vec::new(), stream: None, stream_options: None, close: 0 };
        scanner.skip_ws();
        scanner.expect(b'{')?;
        scanner.skip_ws();
        if scanner.peek() == Some(b'}') {
            body.close = scanner.pos;
            return Ok(body);
        }
        loop {
            scanner.skip_ws();
            let key = scanner.string()?;
            scanner.skip_ws();
            scanner.expect(b':')?;
            scanner.skip_ws();
            let value = scanner.value()?;
            match key_name(&bytes[key])?.as_ref() {
                "model" => body.model.push(value),
                "stream" => body.stream = Some(value),
                "stream_options" => body.stream_options = Some(value),
                _ => {}
            }
            scanner.skip_ws();
            match scanner.next() {
                Some(b',') => continue,
                Some(b'}') => {
                    body.close = scanner.pos - 1;
                    break;
                }
                _ => return Err(scanner.error("expected `,` or `}` after a member")),
            }
        }
        scanner.skip_ws();
        match scanner.peek() {
            None => Ok(body),
            Some(_) => Err(scanner.error("trailing characters after the object")),
        }
    }

    /// The last `model` member, when it is a string.
    pub fn model(&self) -> Option<Cow<'a, str>> {
        let span = self.model.last()?.clone();
        serde_json::from_slice::<Cow<'a, str>>(&self.bytes[span]).ok()
    }

    /// Whether the body asks for a stream (`"stream": true`).
    pub fn stream(&self) -> bool {
        self.stream.clone().is_some_and(|span| &self.bytes[span] == b"true")
    }

    /// The body with `model` set to `model`, plus what the gateway needs of `format`: for a streaming
    /// OpenAI Chat request, `stream_options.include_usage: true` so that the stream reports usage.
    pub fn rewrite(&self, format: WireFormat, model: &str) -> Result<Vec<u8>, TranslateError> {
        let model_json = serde_json::to_string(model)?;
        let mut edits: Vec<Edit<'_>> =
            self.model.iter().map(|span| (span.clone(), Cow::Borrowed(model_json.as_bytes()))).collect();
        if self.model.is_empty() {
            let member = format!("\"model\":{model_json}{}", if self.is_empty() { "" } else { "," });
            let start = self.open() + 1;
            edits.push((start..start, Cow::Owned(member.into_bytes())));
        }
        if format == WireFormat::OpenAiChat && self.stream() {
            edits.extend(self.include_usage()?);
        }
        edits.sort_by_key(|(span, _)| span.start);
        let extra: usize = edits.iter().map(|(_, text)| text.len()).sum();
        let mut out = Vec::with_capacity(self.bytes.len() + extra);
        let mut copied = 0;
        for (span, text) in edits {
            out.extend_from_slice(&self.bytes[copied..span.start]);
            out.extend_from_slice(&text);
            copied = span.end;
        }
        out.extend_from_slice(&self.bytes[copied..]);
        Ok(out)
    }

    /// The edit, if one is needed, that makes `stream_options.include_usage` true, keeping any other
    /// stream options.
    fn include_usage(&self) -> Result<Option<Edit<'static>>, TranslateError> {
        let Some(span) = self.stream_options.clone() else {
            let member = br#","stream_options":{"include_usage":true}"#;
            return Ok(Some((self.close..self.close, Cow::Borrowed(member))));
        };
        let mut options = match serde_json::from_slice::<Value>(&self.bytes[span.clone()])? {
            Value::Object(options) => options,
            Value::Null => Map::new(),
            _ => return Err(TranslateError::invalid("stream_options", "expected an object")),
        };
        if options.get("include_usage") == Some(&Value::Bool(true)) {
            return Ok(None);
        }
        options.insert("include_usage".to_owned(), Value::Bool(true));
        Ok(Some((span, Cow::Owned(serde_json::to_vec(&options)?))))
    }

    fn is_empty(&self) -> bool {
        self.bytes[self.open() + 1..self.close].iter().all(u8::is_ascii_whitespace)
    }

    fn open(&self) -> usize {
        self.bytes.iter().position(|&b| b == b'{').unwrap_or(0)
    }
}

/// A key's text: the raw bytes unless it has escapes (`"mod\u0065l"` is `model` too).
fn key_name(raw: &[u8]) -> Result<Cow<'_, str>, TranslateError> {
    if raw.contains(&b'\\') {
        return Ok(Cow::Owned(serde_json::from_slice::<String>(raw)?));
    }
    let inner = &raw[1..raw.len() - 1];
    std::str::from_utf8(inner)
        .map(Cow::Borrowed)
        .map_err(|_| TranslateError::invalid("$", "an object key is not valid UTF-8"))
}

/// A cursor over JSON text that skips values without parsing them.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), TranslateError> {
        match self.next() {
            Some(found) if found == byte => Ok(()),
            _ => Err(self.error(&format!("expected `{}`", byte as char))),
        }
    }

    fn error(&self, message: &str) -> TranslateError {
        TranslateError::invalid("$", format!("malformed JSON at byte {}: {message}", self.pos))
    }

    /// Skips a string starting at the cursor; returns its span, quotes included.
    fn string(&mut self) -> Result<Range<usize>, TranslateError> {
        let start = self.pos;
        self.expect(b'"')?;
        self.string_tail()?;
        Ok(start..self.pos)
    }

    /// Skips the rest of a string whose opening quote has been consumed.
    fn string_tail(&mut self) -> Result<(), TranslateError> {
        loop {
            let rest = &self.bytes[self.pos..];
            let Some(offset) = memchr2(b'"', b'\\', rest) else {
                self.pos = self.bytes.len();
                return Err(self.error("unterminated string"));
            };
            self.pos += offset + 1;
            if rest[offset] == b'"' {
                return Ok(());
            }
            // A backslash escapes the next byte, whatever it is.
            if self.next().is_none() {
                return Err(self.error("unterminated string"));
            }
        }
    }

    /// Skips one value starting at the cursor; returns its span.
    fn value(&mut self) -> Result<Range<usize>, TranslateError> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                self.string()?;
            }
            Some(b'{' | b'[') => self.container()?,
            Some(_) => {
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.pos += 1;
                }
            }
            None => return Err(self.error("expected a value")),
        }
        if self.pos == start {
            return Err(self.error("expected a value"));
        }
        Ok(start..self.pos)
    }

    /// Skips an object or array, checking that its brackets nest.
    fn container(&mut self) -> Result<(), TranslateError> {
        let mut open = Vec::with_capacity(8);
        while let Some(byte) = self.next() {
            match byte {
                b'"' => self.string_tail()?,
                b'{' => open.push(b'}'),
                b'[' => open.push(b']'),
                b'}' | b']' => {
                    if open.pop() != Some(byte) {
                        return Err(self.error("mismatched bracket"));
                    }
                    if open.is_empty() {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(self.error("unterminated object or array"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rewrite(format: WireFormat, body: &str, model: &str) -> Value {
        let out = Body::scan(body.as_bytes()).unwrap().rewrite(format, model).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn replaces_the_model_and_leaves_every_other_byte_alone() {
        let body =
            "{ \"messages\" : [ {\"content\": \"a \\\"model\\\": x\"} ] ,\n \"model\": \"claude-opus-4-8\" }";
        let out = Body::scan(body.as_bytes()).unwrap().rewrite(WireFormat::Anthropic, "claude-x").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{ \"messages\" : [ {\"content\": \"a \\\"model\\\": x\"} ] ,\n \"model\": \"claude-x\" }"
        );
    }

    #[test]
    fn nested_model_members_are_not_touched() {
        let json = rewrite(WireFormat::Anthropic, r#"{"metadata":{"model":"keep"},"model":"a"}"#, "b");
        assert_eq!(json, serde_json::json!({"metadata": {"model": "keep"}, "model": "b"}));
    }

    #[test]
    fn an_escaped_or_duplicated_model_key_is_rewritten_too() {
        let body = r#"{"model":"a","mod\u0065l":"b"}"#;
        let out = Body::scan(body.as_bytes()).unwrap().rewrite(WireFormat::Anthropic, "c").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"model":"c","mod\u0065l":"c"}"#);
    }

    #[test]
    fn a_missing_model_is_added() {
        assert_eq!(
            rewrite(WireFormat::Anthropic, r#"{"max_tokens":1}"#, "m"),
            serde_json::json!({"model": "m", "max_tokens": 1})
        );
        assert_eq!(rewrite(WireFormat::Anthropic, " { } ", "m"), serde_json::json!({"model": "m"}));
    }

    #[test]
    fn streaming_chat_requests_ask_for_usage() {
        let json = rewrite(
            WireFormat::OpenAiChat,
            r#"{"model":"a","stream":true,"stream_options":{"include_obfuscation":false}}"#,
            "b",
        );
        assert_eq!(
            json["stream_options"],
            serde_json::json!({"include_obfuscation": false, "include_usage": true})
        );
        let json =
            rewrite(WireFormat::OpenAiChat, r#"{"model":"a","stream":true,"stream_options":null}"#, "b");
        assert_eq!(json["stream_options"], serde_json::json!({"include_usage": true}));
        let json = rewrite(WireFormat::OpenAiChat, r#"{"model":"a","stream":false}"#, "b");
        assert_eq!(json.get("stream_options"), None);
        let json = rewrite(WireFormat::OpenAiResponses, r#"{"model":"a","stream":true}"#, "b");
        assert_eq!(json.get("stream_options"), None);
    }

    #[test]
    fn reads_model_and_stream() {
        let scanned = Body::scan(br#"{"model":"caf\u00e9","stream":true}"#).unwrap();
        assert_eq!(scanned.model().as_deref(), Some("café"));
        assert!(scanned.stream());
        assert!(!Body::scan(br#"{"stream":"true"}"#).unwrap().stream());
        assert_eq!(Body::scan(br#"{"model":7}"#).unwrap().model(), None);
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [
            "",
            "[]",
            r#"{"model":"a""#,
            r#"{"model":"a",}"#,
            r#"{"model":"a" "x":1}"#,
            r#"{"messages":[{"a":1]}"#,
            r#"{"model":"a\"}"#,
            r#"{"model":}"#,
            r#"{"model":"a"} x"#,
        ] {
            assert!(Body::scan(body.as_bytes()).is_err(), "{body:?} should be rejected");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-z\"\\\\]{0,6}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever the other members hold, the rewrite equals a full parse-edit-serialise.
        #[test]
        fn rewrite_agrees_with_a_full_parse(
            members in prop::collection::vec(("[a-z_\"\\\\]{1,8}", json_value()), 0..6),
            model in ".*",
            stream in any::<bool>(),
            pretty in any::<bool>(),
        ) {
            let mut object: Map<String, Value> = members.into_iter().collect();
            object.insert("stream".into(), Value::Bool(stream));
            let body = if pretty { serde_json::to_vec_pretty(&object) } else { serde_json::to_vec(&object) }.unwrap();
            let rewritten = Body::scan(&body).unwrap().rewrite(WireFormat::OpenAiChat, &model);
            let mut want = object.clone();
            want.insert("model".into(), Value::String(model));
            if stream {
                let mut options = match want.get("stream_options") {
                    Some(Value::Object(options)) => options.clone(),
                    Some(Value::Null) | None => Map::new(),
                    Some(_) => {
                        prop_assert!(rewritten.is_err(), "non-object stream_options must be rejected");
                        return Ok(());
                    }
                };
                options.insert("include_usage".into(), Value::Bool(true));
                want.insert("stream_options".into(), Value::Object(options));
            }
            let got: Map<String, Value> = serde_json::from_slice(&rewritten.unwrap()).unwrap();
            let sorted = |m: Map<String, Value>| m.into_iter().collect::<std::collections::BTreeMap<_, _>>();
            prop_assert_eq!(sorted(got), sorted(want));
        }

        /// No byte string makes the scanner panic.
        #[test]
        fn scanning_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            if let Ok(body) = Body::scan(&bytes) {
                let _ = body.model();
                let _ = body.rewrite(WireFormat::OpenAiChat, "m");
            }
        }
    }
}
