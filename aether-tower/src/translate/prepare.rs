//! The request side: each attempt's body in its endpoint's format, and the check of a committed
//! stream's first bytes.

use aether_core::passthrough;
use aether_core::stream::decoder;
use aether_core::{ApiError, WireFormat, ir, sse, translate};
use bytes::Bytes;
use http::Request;

use crate::BoxError;
use crate::Inbound;
use crate::failover::{Attempt, Prepare};
use crate::route::Parsed;

/// The body rewrite for [`FailoverLayer::prepare`](crate::failover::FailoverLayer::prepare): the
/// client's body with the upstream's model spliced in when the formats match (no re-serialising),
/// translated to the endpoint's format otherwise.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrepareBody;

impl Prepare<Bytes> for PrepareBody {
    fn prepare(&self, request: &mut Request<Bytes>, attempt: &Attempt) -> Result<(), BoxError> {
        let translated;
        let body = if attempt.cross_format {
            translated = translated_body(request, attempt)?;
            &translated[..]
        } else {
            &request.body()[..]
        };
        // Gemini names the model in the URL, and a Gemini body carries none.
        let body = match attempt.format {
            WireFormat::Gemini => Bytes::copy_from_slice(body),
            format => passthrough::Body::scan(body)?.rewrite(format, &attempt.upstream_model)?.into(),
        };
        *request.body_mut() = body;
        Ok(())
    }
}

/// The client's request in the endpoint's format: encoded from the request the route layer already
/// decoded ([`Parsed`]), or decoded here when this layer is used without it.
fn translated_body(request: &Request<Bytes>, attempt: &Attempt) -> Result<Vec<u8>, BoxError> {
    let (from, to) = (attempt.client_format, attempt.format);
    let translated = match request.extensions().get::<Parsed>() {
        Some(Parsed(parsed)) => translate::request_from(ir::Request::clone(parsed), from, to)?,
        None => {
            let path = request.extensions().get::<Inbound>().map(|i| i.path.clone()).unwrap_or_default();
            translate::request(from, to, request.body(), &path)?
        }
    };
    Ok(translated.body)
}

/// The check for [`FailoverLayer::inspect`](crate::failover::FailoverLayer::inspect): an error event
/// in the first bytes of a 2xx stream (an overloaded Anthropic upstream does this) fails over
/// instead of committing.
pub fn embedded_error(attempt: &Attempt, first: &[u8]) -> Option<ApiError> {
    if !attempt.stream || memchr::memmem::find(first, b"error").is_none() {
        return None;
    }
    let mut sse = sse::Decoder::new();
    sse.feed(first);
    let mut decoder = decoder(attempt.format);
    let mut events = Vec::new();
    while let Some(event) = sse.next_ref() {
        decoder.decode(event.event, &event.text(), &mut events);
    }
    events.into_iter().find_map(|event| match event {
        aether_core::stream::StreamEvent::Error(error) => Some(error),
        _ => None,
    })
}
