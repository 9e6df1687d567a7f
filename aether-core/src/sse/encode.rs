//! Writing server-sent events.

use super::Event;

/// Appends one event to `out`: an optional `event:` line, one `data:` line per line of `data`, and the
/// blank line that dispatches it. Line breaks inside `event` would start a new field, so they become
/// spaces.
///
/// ```
/// let mut out = Vec::new();
/// aether_core::sse::encode(Some("message_stop"), "{\"type\":\"message_stop\"}", &mut out);
/// aether_core::sse::encode(None, "a\nb", &mut out);
/// assert_eq!(out, b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\ndata: a\ndata: b\n\n");
/// ```
pub fn encode(event: Option<&str>, data: &str, out: &mut Vec<u8>) {
    if let Some(event) = event {
        out.extend_from_slice(b"event: ");
        push_single_line(event, out);
        out.push(b'\n');
    }
    push_data(data, out);
    out.push(b'\n');
}

impl Event {
    /// Appends this event to `out`, its `id` included.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        if let Some(id) = &self.id {
            out.extend_from_slice(b"id: ");
            push_single_line(id, out);
            out.push(b'\n');
        }
        encode(self.event.as_deref(), &self.data, out);
    }
}

fn push_data(data: &str, out: &mut Vec<u8>) {
    let mut rest = data.as_bytes();
    loop {
        out.extend_from_slice(b"data: ");
        match memchr::memchr2(b'\n', b'\r', rest) {
            Some(end) => {
                out.extend_from_slice(&rest[..end]);
                out.push(b'\n');
                let skip = if rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n') { 2 } else { 1 };
                rest = &rest[end + skip..];
            }
            None => {
                out.extend_from_slice(rest);
                out.push(b'\n');
                return;
            }
        }
    }
}

fn push_single_line(text: &str, out: &mut Vec<u8>) {
    out.extend(text.bytes().map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }));
}
