//! The event names that upstreams send on nearly every event, handed out without allocating.

use std::borrow::Cow;

use super::decode::text;

/// Defines [`event_name`] over the names given, matched as bytes.
macro_rules! known_names {
    ($($name:literal),* $(,)?) => {
        /// `value` as an event name: borrowed when it is a known one, else allocated (invalid UTF-8
        /// replaced).
        pub(super) fn event_name(value: &[u8]) -> Cow<'static, str> {
            match value {
                $($name => Cow::Borrowed(const { as_str($name) }),)*
                _ => Cow::Owned(text(value)),
            }
        }
    };
}

known_names![
    // Anthropic Messages.
    b"message_start",
    b"content_block_start",
    b"content_block_delta",
    b"content_block_stop",
    b"message_delta",
    b"message_stop",
    b"ping",
    b"error",
    // OpenAI Responses.
    b"response.created",
    b"response.queued",
    b"response.in_progress",
    b"response.completed",
    b"response.incomplete",
    b"response.failed",
    b"response.output_item.added",
    b"response.output_item.done",
    b"response.content_part.added",
    b"response.content_part.done",
    b"response.output_text.delta",
    b"response.output_text.done",
    b"response.refusal.delta",
    b"response.refusal.done",
    b"response.function_call_arguments.delta",
    b"response.function_call_arguments.done",
    b"response.reasoning_summary_part.added",
    b"response.reasoning_summary_part.done",
    b"response.reasoning_summary_text.delta",
    b"response.reasoning_summary_text.done",
    b"response.reasoning_text.delta",
    b"response.reasoning_text.done",
];

/// A known name as text; checked when compiled.
const fn as_str(name: &'static [u8]) -> &'static str {
    match std::str::from_utf8(name) {
        Ok(name) => name,
        Err(_) => panic!("event names are UTF-8"),
    }
}
