//! The Responses error body, shared with Chat Completions: `{"error": {"message", "type", "param", "code"}}`.

pub(crate) use crate::protocol::openai_error::{parse, render};
