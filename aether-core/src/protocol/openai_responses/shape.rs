//! Private markers this codec leaves in its own [`Extra`] so that a Responses body re-encodes exactly.
//!
//! They live only in `Extra`s tagged [`WireFormat::OpenAiResponses`], so every other format ignores
//! them, and this codec's encoders strip them before writing. Keys start with `_aether` (no OpenAI
//! field does).

use serde_json::{Map, Value};

use crate::WireFormat;
use crate::ir::Extra;

/// Shape flags: an array of strings under this key.
const FLAGS: &str = "_aether";
/// On a flattened function tool: the `namespace` tool it came from, without its `tools`.
pub(crate) const NAMESPACE: &str = "_aether_namespace";
/// On an output text part of a response: its `message` item, without its `content`.
pub(crate) const MESSAGE: &str = "_aether_message";

/// The request's `input` was a plain string.
pub(crate) const INPUT_STRING: &str = "input_string";
/// The request's end-user id came from `safety_identifier`, not `user`.
pub(crate) const SAFETY_IDENTIFIER: &str = "safety_identifier";
/// This system message is the request's `instructions`.
pub(crate) const INSTRUCTIONS: &str = "instructions";
/// This message item had no `type` member.
pub(crate) const UNTYPED: &str = "untyped";
/// This message item's `content` was a plain string.
pub(crate) const STRING_CONTENT: &str = "string_content";
/// This message holds input items of unknown types, not a `message` item.
pub(crate) const ITEMS: &str = "items";
/// This tool output was an array although it would fit a string.
pub(crate) const ARRAY_OUTPUT: &str = "array_output";
/// This file's `file_data` was raw base64, not a `data:` URL.
pub(crate) const RAW_FILE_DATA: &str = "raw_file_data";

/// Adds `flags` to `fields` (nothing when `flags` is empty).
pub(crate) fn flag(fields: &mut Map<String, Value>, flags: &[&str]) {
    if !flags.is_empty() {
        let values = flags.iter().map(|f| Value::String((*f).to_owned())).collect();
        fields.insert(FLAGS.to_owned(), Value::Array(values));
    }
}

/// `fields` tagged as this format's, with `flags` added.
pub(crate) fn extra(mut fields: Map<String, Value>, flags: &[&str]) -> Extra {
    flag(&mut fields, flags);
    Extra::new(WireFormat::OpenAiResponses, fields)
}

/// Whether `extra` is this format's and carries `flag`.
pub(crate) fn has(extra: &Extra, flag: &str) -> bool {
    extra
        .fields_for(WireFormat::OpenAiResponses)
        .and_then(|fields| fields.get(FLAGS))
        .and_then(Value::as_array)
        .is_some_and(|flags| flags.iter().any(|f| f.as_str() == Some(flag)))
}

/// This format's fields of `extra`, markers removed (empty for another format's).
pub(crate) fn own(extra: Extra) -> Map<String, Value> {
    match extra.format {
        Some(WireFormat::OpenAiResponses) => {
            let mut fields = extra.fields;
            fields.remove(FLAGS);
            fields.remove(NAMESPACE);
            fields.remove(MESSAGE);
            fields
        }
        _ => Map::new(),
    }
}

/// Inserts every member of `extra` that `object` does not already have (typed fields win).
pub(crate) fn merge(object: &mut Map<String, Value>, extra: Map<String, Value>) {
    for (key, value) in extra {
        object.entry(key).or_insert(value);
    }
}
