//! The four wire formats, one module each, all behind the [`Codec`] trait.
//!
//! Each format module owns its typed wire structs (`types`), the mapping of requests and responses to
//! and from the IR (`request`, `response`), its usage fields (`usage`) and its error body (`error`).
//! Formats meet only in the [IR](crate::ir); [`crate::translate`] chains two codecs.
//!
//! ```
//! use aether_core::protocol::{codec, PathParams};
//! use aether_core::WireFormat;
//!
//! let body = br#"{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}]}"#;
//! let request = codec(WireFormat::OpenAiChat).decode_request(body, &PathParams::default())?;
//! assert_eq!(request.model, "gpt-5");
//! # Ok::<(), aether_core::TranslateError>(())
//! ```

/// Declares a format's codec: its unit struct, and a [`Codec`] impl that delegates to the format
/// module's `request`, `response` and `error` modules (which every format module has).
macro_rules! codec {
    ($(#[$doc:meta])* $name:ident, $format:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;

        impl $crate::protocol::Codec for $name {
            fn format(&self) -> $crate::WireFormat {
                $format
            }

            fn decode_request(
                &self,
                body: &[u8],
                path: &$crate::protocol::PathParams,
            ) -> Result<$crate::ir::Request, $crate::TranslateError> {
                request::decode(body, path)
            }

            fn encode_request(&self, request: $crate::ir::Request) -> Result<Vec<u8>, $crate::TranslateError> {
                request::encode(request)
            }

            fn decode_response(&self, body: &[u8]) -> Result<$crate::ir::Response, $crate::TranslateError> {
                response::decode(body)
            }

            fn encode_response(&self, response: $crate::ir::Response) -> Result<Vec<u8>, $crate::TranslateError> {
                response::encode(response)
            }

            fn response_usage(&self, body: &[u8]) -> Option<$crate::Usage> {
                usage::of_response(body)
            }

            fn parse_error(&self, status: u16, body: &[u8]) -> $crate::ApiError {
                error::parse(status, body)
            }

            fn render_error(&self, error: &$crate::ApiError) -> (u16, Vec<u8>) {
                error::render(error)
            }
        }
    };
}

pub mod anthropic;
mod data_url;
pub mod gemini;
mod media_type;
pub mod openai_chat;
mod openai_error;
pub mod openai_responses;

use serde::Serialize;

use crate::{ApiError, TranslateError, WireFormat, ir};

/// What a request carries in its URL rather than its body: Gemini names the model and the streaming
/// mode in the path (`models/{model}:streamGenerateContent`). Other formats ignore it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathParams {
    /// The model named in the path.
    pub model: Option<String>,
    /// Whether the path asks for a stream.
    pub stream: bool,
}

/// Decoding and encoding of one wire format, to and from the IR.
pub trait Codec: Send + Sync + 'static {
    /// The format this codec speaks.
    fn format(&self) -> WireFormat;

    /// Reads a client request body.
    fn decode_request(&self, body: &[u8], path: &PathParams) -> Result<ir::Request, TranslateError>;

    /// Writes a request body for an upstream of this format. For Gemini the model and the streaming
    /// mode go into the URL, which the caller builds from `request.model` and `request.stream`.
    fn encode_request(&self, request: ir::Request) -> Result<Vec<u8>, TranslateError>;

    /// Reads a non-streaming response body from an upstream.
    fn decode_response(&self, body: &[u8]) -> Result<ir::Response, TranslateError>;

    /// Writes a non-streaming response body for a client.
    fn encode_response(&self, response: ir::Response) -> Result<Vec<u8>, TranslateError>;

    /// The usage a whole response body reports, read without decoding the rest of it (to meter an
    /// answer that passes through untranslated); `None` when the body reports none.
    fn response_usage(&self, body: &[u8]) -> Option<crate::Usage>;

    /// Reads an error body an upstream answered with `status`. Never fails: a body that is not this
    /// format's error object becomes an error of the status's kind carrying the body as text.
    fn parse_error(&self, status: u16, body: &[u8]) -> ApiError;

    /// Writes `error` as this format's error body, with the HTTP status to answer with.
    fn render_error(&self, error: &ApiError) -> (u16, Vec<u8>);
}

/// The codec of `format`.
pub fn codec(format: WireFormat) -> &'static dyn Codec {
    match format {
        WireFormat::OpenAiChat => &openai_chat::OpenAiChat,
        WireFormat::OpenAiResponses => &openai_responses::OpenAiResponses,
        WireFormat::Anthropic => &anthropic::Anthropic,
        WireFormat::Gemini => &gemini::Gemini,
    }
}

/// An id for an answer that came without one: `prefix` and the FNV-1a hash of `seed` (the encoded
/// content), so that the same answer always gets the same id. A server sets real ids before encoding.
pub(crate) fn content_id(prefix: &str, seed: &[u8]) -> String {
    let hash = seed.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{prefix}{hash:016x}")
}

/// Serialises a wire struct. Our structs only have string keys, so this cannot fail in practice; the
/// error is still carried rather than unwrapped.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, TranslateError> {
    Ok(serde_json::to_vec(value)?)
}
