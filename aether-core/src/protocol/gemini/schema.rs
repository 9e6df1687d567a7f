//! OpenAPI-style schemas (`"type": "OBJECT"`) normalised to JSON-schema lower-case types for the IR.

use serde_json::Value;

/// The OpenAPI `Type` names Gemini spells in upper case.
const UPPER_TYPES: [&str; 8] =
    ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL", "TYPE_UNSPECIFIED"];

fn is_upper_type(value: &Value) -> bool {
    match value {
        Value::String(name) => UPPER_TYPES.contains(&name.as_str()),
        Value::Array(names) => names.iter().any(is_upper_type),
        _ => false,
    }
}

/// Whether any `type` member in the schema (at any depth) is an upper-case OpenAPI type.
pub(crate) fn has_upper_types(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            map.iter().any(|(key, value)| (key == "type" && is_upper_type(value)) || has_upper_types(value))
        }
        Value::Array(items) => items.iter().any(has_upper_types),
        _ => false,
    }
}

fn lower_type(value: &mut Value) {
    match value {
        Value::String(name) if UPPER_TYPES.contains(&name.as_str()) => name.make_ascii_lowercase(),
        Value::Array(names) => names.iter_mut().for_each(lower_type),
        _ => {}
    }
}

/// Rewrites every upper-case OpenAPI `type` (at any depth) into its JSON-schema lower-case name.
pub(crate) fn lower_types(schema: &mut Value) {
    match schema {
        Value::Object(map) => map.iter_mut().for_each(|(key, value)| {
            // A `type` member holds a type name (or several); a property named `type` holds a schema.
            if key == "type" && (value.is_string() || value.is_array()) {
                lower_type(value);
            } else {
                lower_types(value);
            }
        }),
        Value::Array(items) => items.iter_mut().for_each(lower_types),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn upper_case_types_are_lowered_at_every_depth() {
        let mut schema = json!({"type": "OBJECT", "properties": {
            "type": {"type": "STRING", "enum": ["OBJECT"]},
            "n": {"type": ["INTEGER", "NULL"]},
            "list": {"type": "ARRAY", "items": {"anyOf": [{"type": "BOOLEAN"}]}}}});
        assert!(has_upper_types(&schema));
        lower_types(&mut schema);
        assert_eq!(
            schema,
            json!({"type": "object", "properties": {
                "type": {"type": "string", "enum": ["OBJECT"]},
                "n": {"type": ["integer", "null"]},
                "list": {"type": "array", "items": {"anyOf": [{"type": "boolean"}]}}}})
        );
        assert!(!has_upper_types(&schema));
    }
}
