//! Errors of the protocol core, and the format-neutral error that every format renders.

use crate::WireFormat;

/// Why a request or response could not be decoded or translated.
///
/// Every variant is the client's fault (or the upstream's, for responses): the server answers a
/// request that fails here with a 400 in the client's own format (see [`TranslateError::to_api_error`]).
///
/// ```
/// use aether_core::{ErrorKind, TranslateError};
///
/// let err = TranslateError::invalid("messages[0].role", "expected `user` or `assistant`");
/// assert_eq!(err.to_string(), "invalid request: messages[0].role: expected `user` or `assistant`");
/// assert_eq!(err.to_api_error().kind, ErrorKind::InvalidRequest);
/// ```
#[derive(Debug, thiserror::Error)]
pub enum TranslateError {
    /// The body is not JSON of the expected shape.
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The body is JSON of the right shape but a field's value is not acceptable.
    #[error("invalid request: {path}: {message}")]
    Invalid {
        /// Where the problem is, as a JSON path (`messages[2].content[0]`).
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request asks for something the target format cannot express.
    #[error("{feature} cannot be translated to {target}: {reason}")]
    Unsupported {
        /// What the request asked for.
        feature: String,
        /// The format it was being translated to.
        target: WireFormat,
        /// Why it cannot be expressed there, and what to do instead.
        reason: String,
    },
}

impl TranslateError {
    /// A field's value is not acceptable.
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        TranslateError::Invalid { path: path.into(), message: message.into() }
    }

    /// The target format cannot express a feature of the request.
    pub fn unsupported(feature: impl Into<String>, target: WireFormat, reason: impl Into<String>) -> Self {
        TranslateError::Unsupported { feature: feature.into(), target, reason: reason.into() }
    }

    /// The format-neutral error a server renders for this failure (always a 400).
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(ErrorKind::InvalidRequest, self.to_string())
    }
}

/// What went wrong, in the categories all four formats share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request is malformed or asks for something impossible (400).
    InvalidRequest,
    /// The credential is missing or wrong (401).
    Authentication,
    /// The credential may not do this, or the quota is exhausted (403).
    PermissionDenied,
    /// No such model, route or resource (404).
    NotFound,
    /// The body is larger than allowed (413).
    RequestTooLarge,
    /// Too many requests or tokens (429).
    RateLimited,
    /// An internal failure (500).
    Internal,
    /// The service is temporarily overloaded (529 for Anthropic, 503 elsewhere).
    Overloaded,
    /// The upstream did not answer in time (504).
    Timeout,
}

impl ErrorKind {
    /// The HTTP status this kind is answered with (the Anthropic formats use 529 for [`ErrorKind::Overloaded`]).
    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::InvalidRequest => 400,
            ErrorKind::Authentication => 401,
            ErrorKind::PermissionDenied => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::RequestTooLarge => 413,
            ErrorKind::RateLimited => 429,
            ErrorKind::Internal => 500,
            ErrorKind::Overloaded => 503,
            ErrorKind::Timeout => 504,
        }
    }

    /// The kind an HTTP status most likely means, for upstream errors whose body says nothing better.
    pub const fn from_status(status: u16) -> Self {
        match status {
            401 => ErrorKind::Authentication,
            402 | 403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            413 => ErrorKind::RequestTooLarge,
            429 => ErrorKind::RateLimited,
            503 | 529 => ErrorKind::Overloaded,
            504 => ErrorKind::Timeout,
            400..=499 => ErrorKind::InvalidRequest,
            _ => ErrorKind::Internal,
        }
    }
}

/// An error as every format can say it: each protocol module parses its own error body into this
/// and renders this into its own error body.
///
/// ```
/// use aether_core::{ApiError, ErrorKind};
///
/// let err = ApiError::new(ErrorKind::NotFound, "model `gpt-9` is not configured");
/// assert_eq!(err.status, 404);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The category.
    pub kind: ErrorKind,
    /// The HTTP status to answer with (or that the upstream answered with).
    pub status: u16,
    /// A human-readable explanation.
    pub message: String,
    /// The format's own error code or type, when it had a more precise one than `kind`
    /// (OpenAI `code`, Gemini `status`, Anthropic `error.type`).
    pub code: Option<String>,
    /// The request parameter at fault, where known.
    pub param: Option<String>,
}

impl ApiError {
    /// An error of `kind` with the kind's usual status.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError { kind, status: kind.status(), message: message.into(), code: None, param: None }
    }
}
