//! The gateway's own errors, rendered once, in the client's wire format.

use std::time::Duration;

use aether_core::protocol::codec;
use aether_core::schedule::RouteError;
use aether_core::store::StoreError;
use aether_core::{ApiError, ErrorKind, TranslateError, WireFormat};
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};

use crate::failover::FailoverError;
use crate::{Body, BoxError};

/// Why the gateway answered a request itself instead of with an upstream's answer.
///
/// Each error knows its [`ErrorKind`] (and so its status), a low-cardinality [`GatewayError::kind`]
/// for metrics, and when to retry; [`GatewayError::to_response`] renders it in the client's format.
///
/// ```
/// use aether_core::WireFormat;
/// use aether_tower::GatewayError;
///
/// let response = GatewayError::InvalidCredential.to_response(WireFormat::Anthropic);
/// assert_eq!(response.status(), 401);
/// ```
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No credential in any of the places clients send one.
    #[error("no API key: send it as `Authorization: Bearer <key>`, `x-api-key`, `x-goog-api-key` or `?key=`")]
    MissingCredential,
    /// The credential is not a known key.
    #[error("invalid API key")]
    InvalidCredential,
    /// The key or its user is disabled, or the key has expired.
    #[error("this API key {0}")]
    KeyUnusable(&'static str),
    /// The key's or the user's quota is spent.
    #[error("the {0}'s quota is exhausted")]
    QuotaExhausted(&'static str),
    /// A rate or concurrency limit of the key or its user.
    #[error("rate limit exceeded: {what}")]
    RateLimited {
        /// Which limit.
        what: String,
        /// When a retry may succeed.
        retry_after: Option<Duration>,
    },
    /// The body is larger than the server accepts.
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// The body could not be read.
    #[error("could not read the request body: {0}")]
    Body(BoxError),
    /// The body is malformed or cannot be translated.
    #[error(transparent)]
    Translate(#[from] TranslateError),
    /// The model is unknown or not allowed.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// Failover found no upstream to send the request to, or every attempt failed.
    #[error(transparent)]
    Failover(#[from] FailoverError),
    /// The store did not answer.
    #[error("storage is unavailable: {0}")]
    Store(#[from] StoreError),
}

impl GatewayError {
    /// The error as every format can say it.
    pub fn to_api_error(&self) -> ApiError {
        let kind = match self {
            GatewayError::MissingCredential | GatewayError::InvalidCredential => ErrorKind::Authentication,
            GatewayError::KeyUnusable(_) | GatewayError::QuotaExhausted(_) => ErrorKind::PermissionDenied,
            GatewayError::RateLimited { .. } => ErrorKind::RateLimited,
            GatewayError::BodyTooLarge(_) => ErrorKind::RequestTooLarge,
            GatewayError::Body(_) | GatewayError::Translate(_) => ErrorKind::InvalidRequest,
            GatewayError::Route(RouteError::UnknownModel(_)) => ErrorKind::NotFound,
            GatewayError::Route(RouteError::ModelNotAllowed(_)) => ErrorKind::PermissionDenied,
            GatewayError::Failover(FailoverError::Route(RouteError::UnknownModel(_))) => ErrorKind::NotFound,
            GatewayError::Failover(FailoverError::Route(RouteError::ModelNotAllowed(_))) => {
                ErrorKind::PermissionDenied
            }
            // Nothing serves the model at all, or nothing can serve this request: retrying will not help.
            GatewayError::Failover(FailoverError::NoCandidate { skipped: 0, .. }) => ErrorKind::NotFound,
            GatewayError::Failover(FailoverError::NoCandidate { lasting: true, .. }) => {
                ErrorKind::InvalidRequest
            }
            GatewayError::Failover(FailoverError::NoCandidate { .. }) => ErrorKind::Overloaded,
            GatewayError::Failover(FailoverError::Exhausted { .. }) => ErrorKind::Overloaded,
            GatewayError::Failover(_) | GatewayError::Store(_) => ErrorKind::Internal,
        };
        let mut error = ApiError::new(kind, self.to_string());
        if let GatewayError::Translate(TranslateError::Invalid { path, .. }) = self {
            error.param = Some(path.clone());
        }
        error
    }

    /// A low-cardinality name for metrics and usage records.
    pub fn kind(&self) -> &'static str {
        match self {
            GatewayError::MissingCredential => "missing_credential",
            GatewayError::InvalidCredential => "invalid_credential",
            GatewayError::KeyUnusable(_) => "key_unusable",
            GatewayError::QuotaExhausted(_) => "quota_exhausted",
            GatewayError::RateLimited { .. } => "rate_limited",
            GatewayError::BodyTooLarge(_) => "body_too_large",
            GatewayError::Body(_) => "body_unreadable",
            GatewayError::Translate(_) => "invalid_request",
            GatewayError::Route(_) | GatewayError::Failover(FailoverError::Route(_)) => "no_such_model",
            GatewayError::Failover(FailoverError::NoCandidate { skipped: 0, .. }) => "no_route",
            GatewayError::Failover(FailoverError::NoCandidate { lasting: true, .. }) => "unservable",
            GatewayError::Failover(FailoverError::NoCandidate { .. }) => "no_upstream",
            GatewayError::Failover(FailoverError::Exhausted { .. }) => "upstream_failed",
            GatewayError::Failover(_) => "internal",
            GatewayError::Store(_) => "store_unavailable",
        }
    }

    /// When a retry may succeed, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GatewayError::RateLimited { retry_after, .. }
            | GatewayError::Failover(FailoverError::NoCandidate { retry_after, .. }) => *retry_after,
            _ => None,
        }
    }

    /// The answer to the client: the error body of its format, with `Retry-After` when known.
    pub fn to_response(&self, format: WireFormat) -> Response<Body> {
        let mut response = error_response(format, &self.to_api_error());
        if let Some(wait) = self.retry_after() {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response.extensions_mut().insert(ErrorKindName(self.kind()));
        response
    }
}

/// The [`GatewayError::kind`] of a response the gateway made itself, in its extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorKindName(pub &'static str);

/// `error` rendered as `format`'s error body and status.
///
/// ```
/// use aether_core::{ApiError, ErrorKind, WireFormat};
///
/// let error = ApiError::new(ErrorKind::NotFound, "no such method");
/// assert_eq!(aether_tower::error_response(WireFormat::Gemini, &error).status(), 404);
/// ```
pub fn error_response(format: WireFormat, error: &ApiError) -> Response<Body> {
    let (status, body) = codec(format).render_error(error);
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A complete body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}
