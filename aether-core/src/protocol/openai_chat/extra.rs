//! Moving unmodelled members between wire maps and the IR's [`Extra`].
//!
//! Unknown members of a nested wire object are kept in the enclosing IR value's `Extra` as a partial
//! object under the nested object's own key (the unknown members of a tool call's `function` object sit in
//! `ToolCall.extra["function"]`); encoders take those partial objects back out with [`take_object`].
//!
//! A few members are also kept as *form markers*: the decoder leaves the member in `Extra` to remember the
//! shape it came in (a legacy `max_tokens`, a `stop` string, content given as a one-part array, an explicit
//! `null`), and the encoder removes the marker and writes the IR's value in that shape.

use serde_json::{Map, Value};

use crate::WireFormat;
use crate::ir::Extra;

/// The fields to keep for Chat, as an [`Extra`].
pub(crate) fn keep(fields: Map<String, Value>) -> Extra {
    Extra::new(WireFormat::OpenAiChat, fields)
}

/// Chat's own fields of `extra` (moved out); the fields of any other format are dropped.
pub(crate) fn own(extra: Extra) -> Map<String, Value> {
    if extra.format == Some(WireFormat::OpenAiChat) { extra.fields } else { Map::new() }
}

/// `map` without the members an encoder writes itself.
pub(crate) fn without(mut map: Map<String, Value>, typed: &[&str]) -> Map<String, Value> {
    if !map.is_empty() {
        for key in typed {
            map.remove(*key);
        }
    }
    map
}

/// Keeps the unknown members of a nested object under its key, when there are any.
pub(crate) fn nest(map: &mut Map<String, Value>, key: &str, inner: Map<String, Value>) {
    if !inner.is_empty() {
        map.insert(key.to_owned(), Value::Object(inner));
    }
}

/// Takes back the partial object kept under `key` (empty when there is none).
pub(crate) fn take_object(map: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match map.remove(key) {
        Some(Value::Object(inner)) => inner,
        _ => Map::new(),
    }
}
