//! One attempt: which candidate, and the request rewritten for its endpoint.

use aether_core::WireFormat;
use aether_core::catalogue::{Endpoint, Multiplier, Timeouts};
use aether_core::schedule::{Candidate, Capabilities, Target};
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Request, Uri};

use crate::BoxError;

/// The candidate an attempt goes to, placed in the upstream request's extensions and handed to
/// [`Prepare`]: what a body rewrite (model splice or translation) and a transport need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// Which provider, endpoint and key.
    pub target: Target,
    /// The client's format.
    pub client_format: WireFormat,
    /// The endpoint's format (the body must be in it).
    pub format: WireFormat,
    /// The model's canonical (global) name: what prices are keyed by.
    pub model: String,
    /// The model's name upstream (the body's `model`, or Gemini's path).
    pub upstream_model: String,
    /// Whether the body must be translated (`client_format != format`).
    pub cross_format: bool,
    /// Capabilities to turn on upstream.
    pub capabilities: Capabilities,
    /// Whether the client asked for a stream.
    pub stream: bool,
    /// The endpoint's time limits.
    pub timeouts: Timeouts,
    /// The endpoint's HTTP proxy, for the transport.
    pub proxy: Option<String>,
    /// The key's price multiplier: the operator's actual cost against the list price.
    pub rate_multiplier: Multiplier,
}

impl Attempt {
    pub(crate) fn new(
        candidate: &Candidate<'_>,
        model: &str,
        client_format: WireFormat,
        stream: bool,
    ) -> Attempt {
        Attempt {
            target: candidate.target(),
            client_format,
            format: candidate.endpoint.format,
            model: model.to_owned(),
            upstream_model: candidate.upstream_model.to_owned(),
            cross_format: candidate.cross_format,
            capabilities: candidate.capabilities,
            stream,
            timeouts: candidate.endpoint.timeouts,
            proxy: candidate.endpoint.proxy.clone(),
            rate_multiplier: candidate.key.rate_multiplier,
        }
    }
}

/// Rewrites the body (and anything else) of a request for one attempt, after the layer has set the
/// URI and headers: splice the model on the passthrough path, or translate. Any
/// `Fn(&mut http::Request<B>, &Attempt) -> Result<(), BoxError>` is one; [`Unchanged`] does nothing.
pub trait Prepare<B>: Send + Sync + 'static {
    /// Rewrites `request` for `attempt`.
    fn prepare(&self, request: &mut Request<B>, attempt: &Attempt) -> Result<(), BoxError>;
}

impl<B, F> Prepare<B> for F
where
    F: Fn(&mut Request<B>, &Attempt) -> Result<(), BoxError> + Send + Sync + 'static,
{
    fn prepare(&self, request: &mut Request<B>, attempt: &Attempt) -> Result<(), BoxError> {
        self(request, attempt)
    }
}

/// A [`Prepare`] that leaves the body as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unchanged;

impl<B> Prepare<B> for Unchanged {
    fn prepare(&self, _: &mut Request<B>, _: &Attempt) -> Result<(), BoxError> {
        Ok(())
    }
}

/// The `anthropic-beta` flag that turns on the 1M context.
const CONTEXT_1M_BETA: &str = "context-1m-2025-08-07";

/// The upstream path of a format's generation call.
fn path(format: WireFormat, model: &str, stream: bool) -> String {
    match format {
        WireFormat::OpenAiChat => "/v1/chat/completions".to_owned(),
        WireFormat::OpenAiResponses => "/v1/responses".to_owned(),
        WireFormat::Anthropic => "/v1/messages".to_owned(),
        WireFormat::Gemini if stream => format!("/v1beta/models/{model}:streamGenerateContent?alt=sse"),
        WireFormat::Gemini => format!("/v1beta/models/{model}:generateContent"),
    }
}

/// The endpoint's URL for the attempt: its base URL, then the format's path (a base that already ends
/// in the path's version segment, such as `https://api.openai.com/v1`, does not repeat it).
pub(crate) fn upstream_uri(endpoint: &Endpoint, attempt: &Attempt) -> Result<Uri, BoxError> {
    let base = endpoint.base_url.trim_end_matches('/');
    let path = path(attempt.format, &attempt.upstream_model, attempt.stream);
    let version = path.split('/').nth(1).unwrap_or_default();
    let path = match base.rsplit('/').next() {
        Some(last) if last == version => &path[version.len() + 1..],
        _ => path.as_str(),
    };
    Ok(format!("{base}{path}").parse()?)
}

/// Headers that never reach an upstream: the client's credentials, hop-by-hop headers (RFC 9110
/// §7.6.1), what the new body invalidates, and `accept-encoding`, because the gateway reads every
/// answer (usage, translation) and so takes it uncompressed.
const STRIPPED: [HeaderName; 14] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("x-goog-api-key"),
    header::PROXY_AUTHORIZATION,
    header::COOKIE,
    header::HOST,
    header::CONTENT_LENGTH,
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::ACCEPT_ENCODING,
];

/// Header prefixes that belong to one format's API: they reach only upstreams of that format (an
/// `anthropic-beta` flag means nothing to Gemini, and an unknown `openai-*` flag may be refused).
const FORMAT_HEADERS: [(&str, TakesHeaders); 3] = [
    ("anthropic-", |format| format == WireFormat::Anthropic),
    ("x-goog-", |format| format == WireFormat::Gemini),
    ("openai-", |format| matches!(format, WireFormat::OpenAiChat | WireFormat::OpenAiResponses)),
];

/// Whether an upstream of a format takes a family of headers.
type TakesHeaders = fn(WireFormat) -> bool;

/// Removes what must not reach an upstream of `format` (see [`STRIPPED`] and [`FORMAT_HEADERS`]).
fn strip(headers: &mut HeaderMap, format: WireFormat) {
    for name in &STRIPPED {
        headers.remove(name);
    }
    let foreign: Vec<HeaderName> = headers
        .keys()
        .filter(|name| {
            FORMAT_HEADERS.iter().any(|(prefix, takes)| name.as_str().starts_with(prefix) && !takes(format))
        })
        .cloned()
        .collect();
    for name in foreign {
        headers.remove(name);
    }
}

/// Replaces the client's credential with the key's, in the endpoint format's own header, and adds
/// the endpoint's headers and the capabilities to turn on.
pub(crate) fn set_headers(
    headers: &mut HeaderMap,
    endpoint: &Endpoint,
    secret: &str,
    attempt: &Attempt,
) -> Result<(), BoxError> {
    strip(headers, attempt.format);
    match attempt.format {
        WireFormat::Anthropic => {
            headers.insert(HeaderName::from_static("x-api-key"), sensitive(secret)?);
            headers
                .entry(HeaderName::from_static("anthropic-version"))
                .or_insert(HeaderValue::from_static("2023-06-01"));
            if attempt.capabilities.contains(Capabilities::CONTEXT_1M) {
                add_beta(headers, CONTEXT_1M_BETA)?;
            }
        }
        WireFormat::Gemini => {
            headers.insert(HeaderName::from_static("x-goog-api-key"), sensitive(secret)?);
        }
        WireFormat::OpenAiChat | WireFormat::OpenAiResponses => {
            headers.insert(header::AUTHORIZATION, sensitive(&format!("Bearer {secret}"))?);
        }
    }
    for (name, value) in &endpoint.headers {
        headers.insert(HeaderName::try_from(name.as_str())?, HeaderValue::try_from(value.as_str())?);
    }
    Ok(())
}

fn sensitive(value: &str) -> Result<HeaderValue, BoxError> {
    let mut value = HeaderValue::try_from(value)?;
    value.set_sensitive(true);
    Ok(value)
}

fn add_beta(headers: &mut HeaderMap, beta: &str) -> Result<(), BoxError> {
    let name = HeaderName::from_static("anthropic-beta");
    let current = headers.get(&name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if current.split(',').any(|b| b.trim() == beta) {
        return Ok(());
    }
    let value = if current.is_empty() { beta.to_owned() } else { format!("{current},{beta}") };
    headers.insert(name, HeaderValue::try_from(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aether_core::catalogue::{EndpointId, KeyId, ProviderId};

    fn attempt(format: WireFormat, capabilities: Capabilities) -> Attempt {
        Attempt {
            target: Target { provider: ProviderId(1), endpoint: EndpointId(1), key: KeyId(1) },
            client_format: WireFormat::Anthropic,
            format,
            model: "m".into(),
            upstream_model: "m-1".into(),
            cross_format: false,
            capabilities,
            stream: true,
            timeouts: Timeouts::default(),
            proxy: None,
            rate_multiplier: Multiplier::ONE,
        }
    }

    #[test]
    fn the_uri_is_the_base_url_and_the_formats_path() {
        let table = [
            (
                "https://api.openai.com/v1",
                WireFormat::OpenAiChat,
                "https://api.openai.com/v1/chat/completions",
            ),
            ("https://api.openai.com", WireFormat::OpenAiResponses, "https://api.openai.com/v1/responses"),
            ("https://api.anthropic.com/", WireFormat::Anthropic, "https://api.anthropic.com/v1/messages"),
            (
                "https://generativelanguage.googleapis.com/v1beta",
                WireFormat::Gemini,
                "https://generativelanguage.googleapis.com/v1beta/models/m-1:streamGenerateContent?alt=sse",
            ),
            (
                "https://relay.test/openai",
                WireFormat::OpenAiChat,
                "https://relay.test/openai/v1/chat/completions",
            ),
        ];
        for (base, format, expected) in table {
            let endpoint = Endpoint::new(1, 1, format, base);
            let uri = upstream_uri(&endpoint, &attempt(format, Capabilities::NONE)).expect("valid");
            assert_eq!(uri.to_string(), expected);
        }
    }

    #[test]
    fn the_client_credential_is_replaced_by_the_keys_in_the_formats_header() {
        let mut endpoint = Endpoint::new(1, 1, WireFormat::Anthropic, "https://a.test");
        endpoint.headers.push(("x-org".into(), "acme".into()));
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer client-key"));
        headers.insert("anthropic-beta", HeaderValue::from_static("claude-code-20250219"));
        set_headers(
            &mut headers,
            &endpoint,
            "sk-up",
            &attempt(WireFormat::Anthropic, Capabilities::CONTEXT_1M),
        )
        .expect("valid");
        assert!(headers.get(header::AUTHORIZATION).is_none());
        assert_eq!(headers["x-api-key"], "sk-up");
        assert_eq!(headers["anthropic-version"], "2023-06-01");
        assert_eq!(headers["anthropic-beta"], "claude-code-20250219,context-1m-2025-08-07");
        assert_eq!(headers["x-org"], "acme");

        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("client-key"));
        set_headers(&mut headers, &endpoint, "sk-up", &attempt(WireFormat::OpenAiChat, Capabilities::NONE))
            .expect("valid");
        assert_eq!(headers[header::AUTHORIZATION], "Bearer sk-up");
        assert!(headers.get("x-api-key").is_none());
        assert!(headers[header::AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn hop_by_hop_encoding_and_foreign_format_headers_are_dropped() {
        let endpoint = Endpoint::new(1, 1, WireFormat::Gemini, "https://g.test");
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive"),
            ("accept-encoding", "gzip, br"),
            ("anthropic-beta", "context-1m-2025-08-07"),
            ("anthropic-version", "2023-06-01"),
            ("openai-beta", "responses=v1"),
            ("x-goog-api-client", "genai-sdk"),
            ("x-claude-code-session-id", "s-1"),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        set_headers(&mut headers, &endpoint, "g-key", &attempt(WireFormat::Gemini, Capabilities::NONE))
            .expect("valid");
        let mut names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["x-claude-code-session-id", "x-goog-api-client", "x-goog-api-key"]);
    }
}
