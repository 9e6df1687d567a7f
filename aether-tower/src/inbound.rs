//! What the ingress knows of a client request before any layer runs.

use aether_core::protocol::PathParams;
use aether_core::store::RequestId;
use aether_core::stream::ClientStream;
use aether_core::{Timestamp, WireFormat};
use http::HeaderMap;
use tokio::time::Instant;

/// A client request as the ingress saw it: its id, when it arrived, its wire format and what its URL
/// says. The ingress (the server's routes, or your own) inserts it in the request's extensions; every
/// layer reads it, if only to answer errors in the client's format.
///
/// ```
/// use aether_core::WireFormat;
/// use aether_tower::Inbound;
///
/// let a = Inbound::new(WireFormat::Anthropic);
/// let b = Inbound::new(WireFormat::Anthropic);
/// assert!(a.id < b.id, "v7 ids sort by arrival");
/// ```
#[derive(Clone, Debug)]
pub struct Inbound {
    /// The request's id (a UUID v7), echoed in `x-request-id` and kept with its usage and trace.
    pub id: RequestId,
    /// When it arrived, on the wall clock.
    pub at: Timestamp,
    /// When it arrived, on the monotonic clock: the base of latencies and of the overhead header.
    pub started: Instant,
    /// The client's wire format.
    pub format: WireFormat,
    /// What the URL says (Gemini's model and streaming mode).
    pub path: PathParams,
    /// How the client wants its stream framed.
    pub stream: ClientStream,
}

impl Inbound {
    /// A request of `format` arriving now, with nothing in its URL.
    pub fn new(format: WireFormat) -> Self {
        Inbound {
            id: RequestId(uuid::Uuid::now_v7().as_u128()),
            at: Timestamp::from_system_time(std::time::SystemTime::now()),
            started: Instant::now(),
            format,
            path: PathParams::default(),
            stream: ClientStream::default(),
        }
    }
}

/// The credential a client sent, where its SDK sends it: `Authorization: Bearer` (OpenAI, Claude
/// Code's `ANTHROPIC_AUTH_TOKEN`), `x-api-key` (Anthropic), `x-goog-api-key` (Gemini), or the `key`
/// query parameter (Gemini's REST API).
///
/// ```
/// use aether_tower::credential;
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-goog-api-key", "sk-abc".parse()?);
/// assert_eq!(credential(&headers, None), Some("sk-abc"));
/// assert_eq!(credential(&HeaderMap::new(), Some("alt=sse&key=sk-q")), Some("sk-q"));
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn credential<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<&'a str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let bearer = header("authorization").and_then(|v| {
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    bearer
        .or_else(|| header("x-api-key"))
        .or_else(|| header("x-goog-api-key"))
        .or_else(|| query?.split('&').find_map(|pair| pair.strip_prefix("key=")))
        .filter(|key| !key.is_empty())
}
