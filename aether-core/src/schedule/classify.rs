//! Error classification: one policy for what an attempt's outcome means for the request and the key.

use std::time::Duration;

use crate::{ApiError, ErrorKind};

/// What came back from one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation<'a> {
    /// The upstream answered with `status` (and, for streams, its first events carried no error).
    Response {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` it asked for.
        retry_after: Option<Duration>,
        /// Its error body, parsed by the endpoint format's codec, when one was read.
        error: Option<&'a ApiError>,
    },
    /// A 2xx stream whose first events were an error.
    EmbeddedError(Option<&'a ApiError>),
    /// The connection could not be made or broke before the response.
    Connect,
    /// No response headers in time.
    Timeout,
    /// Headers came but no first body byte in time.
    FirstByteTimeout,
}

/// What an outcome means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The attempt worked: commit it.
    Success,
    /// The request itself is at fault (invalid, context too long, …): stop and answer the client.
    ClientError,
    /// The key is refused (authentication, permission, billing): disable it and try the next candidate.
    KeyRejected,
    /// The key is throttled (429) or the upstream overloaded (529): cool the key, try the next.
    Throttled {
        /// The upstream's status.
        status: u16,
        /// How long it asked to be left alone.
        retry_after: Option<Duration>,
    },
    /// The upstream failed (5xx, timeout, connection, embedded error): count it against the key's
    /// breaker and try the next candidate.
    Transient,
}

impl Class {
    /// Whether the next candidate should be tried.
    pub const fn fails_over(self) -> bool {
        matches!(self, Class::KeyRejected | Class::Throttled { .. } | Class::Transient)
    }

    /// A short, stable label for metrics and traces.
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Success => "success",
            Class::ClientError => "client_error",
            Class::KeyRejected => "key_rejected",
            Class::Throttled { .. } => "throttled",
            Class::Transient => "transient",
        }
    }
}

/// Classifies an attempt's outcome.
///
/// ```
/// use std::time::Duration;
/// use aether_core::schedule::{classify, Class, Observation};
///
/// let status = |status| Observation::Response { status, retry_after: None, error: None };
/// assert_eq!(classify(status(200)), Class::Success);
/// assert_eq!(classify(status(400)), Class::ClientError);
/// assert_eq!(classify(status(401)), Class::KeyRejected);
/// assert_eq!(classify(status(503)), Class::Transient);
/// let limited = Observation::Response { status: 429, retry_after: Some(Duration::from_secs(7)), error: None };
/// assert_eq!(classify(limited), Class::Throttled { status: 429, retry_after: Some(Duration::from_secs(7)) });
/// ```
pub fn classify(observation: Observation<'_>) -> Class {
    match observation {
        Observation::Response { status, retry_after, error } => match status {
            200..=399 => Class::Success,
            401..=403 => Class::KeyRejected,
            429 if error.is_some_and(is_out_of_credit) => Class::KeyRejected,
            429 | 529 => Class::Throttled { status, retry_after },
            400..=499 if error.is_some_and(is_out_of_credit) => Class::KeyRejected,
            404 | 408 => Class::Transient,
            400..=499 => Class::ClientError,
            _ => Class::Transient,
        },
        Observation::EmbeddedError(Some(error)) => match error.kind {
            ErrorKind::InvalidRequest | ErrorKind::RequestTooLarge => Class::ClientError,
            ErrorKind::Authentication | ErrorKind::PermissionDenied => Class::KeyRejected,
            ErrorKind::RateLimited => Class::Throttled { status: 429, retry_after: None },
            ErrorKind::Overloaded => Class::Throttled { status: 529, retry_after: None },
            ErrorKind::NotFound | ErrorKind::Internal | ErrorKind::Timeout => Class::Transient,
        },
        Observation::EmbeddedError(None)
        | Observation::Connect
        | Observation::Timeout
        | Observation::FirstByteTimeout => Class::Transient,
    }
}

/// Errors that say the key's account has no money or quota left (Anthropic's 400 "credit balance is
/// too low", OpenAI's 429 `insufficient_quota`): the key is unusable, the request is fine.
fn is_out_of_credit(error: &ApiError) -> bool {
    let code = error.code.as_deref().unwrap_or("");
    let message = error.message.to_ascii_lowercase();
    code == "insufficient_quota" || message.contains("credit balance") || message.contains("billing")
}

/// Reads a `Retry-After` value in seconds (the HTTP-date form is not used by LLM APIs), or a
/// `retry-after-ms` value when `millis` is set.
///
/// ```
/// use std::time::Duration;
/// use aether_core::schedule::parse_retry_after;
///
/// assert_eq!(parse_retry_after("7", false), Some(Duration::from_secs(7)));
/// assert_eq!(parse_retry_after("1500", true), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", false), None);
/// ```
pub fn parse_retry_after(value: &str, millis: bool) -> Option<Duration> {
    let value = value.trim();
    if let Ok(n) = value.parse::<u64>() {
        return Some(if millis { Duration::from_millis(n) } else { Duration::from_secs(n) });
    }
    let seconds = value.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    Some(if millis { Duration::from_secs_f64(seconds / 1000.0) } else { Duration::from_secs_f64(seconds) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, error: Option<&ApiError>) -> Class {
        classify(Observation::Response { status, retry_after: None, error })
    }

    #[test]
    fn every_status_class_has_one_meaning() {
        let table: &[(u16, Class)] = &[
            (200, Class::Success),
            (204, Class::Success),
            (400, Class::ClientError),
            (413, Class::ClientError),
            (422, Class::ClientError),
            (401, Class::KeyRejected),
            (402, Class::KeyRejected),
            (403, Class::KeyRejected),
            (404, Class::Transient),
            (408, Class::Transient),
            (429, Class::Throttled { status: 429, retry_after: None }),
            (529, Class::Throttled { status: 529, retry_after: None }),
            (500, Class::Transient),
            (502, Class::Transient),
            (503, Class::Transient),
            (504, Class::Transient),
        ];
        for (status, class) in table {
            assert_eq!(response(*status, None), *class, "status {status}");
        }
    }

    #[test]
    fn transport_failures_fail_over() {
        for observation in [
            Observation::Connect,
            Observation::Timeout,
            Observation::FirstByteTimeout,
            Observation::EmbeddedError(None),
        ] {
            assert_eq!(classify(observation), Class::Transient);
            assert!(classify(observation).fails_over());
        }
    }

    #[test]
    fn out_of_credit_rejects_the_key_not_the_request() {
        let anthropic =
            ApiError::new(ErrorKind::InvalidRequest, "Your credit balance is too low to access the API");
        assert_eq!(response(400, Some(&anthropic)), Class::KeyRejected);
        let openai = ApiError {
            code: Some("insufficient_quota".into()),
            ..ApiError::new(ErrorKind::RateLimited, "quota")
        };
        assert_eq!(response(429, Some(&openai)), Class::KeyRejected);
        let too_long =
            ApiError::new(ErrorKind::InvalidRequest, "prompt is too long: 250000 tokens > 200000 maximum");
        assert_eq!(response(400, Some(&too_long)), Class::ClientError);
        assert!(!Class::ClientError.fails_over());
    }

    #[test]
    fn embedded_errors_follow_their_kind() {
        let table = [
            (ErrorKind::InvalidRequest, Class::ClientError),
            (ErrorKind::Authentication, Class::KeyRejected),
            (ErrorKind::RateLimited, Class::Throttled { status: 429, retry_after: None }),
            (ErrorKind::Overloaded, Class::Throttled { status: 529, retry_after: None }),
            (ErrorKind::Internal, Class::Transient),
        ];
        for (kind, class) in table {
            assert_eq!(
                classify(Observation::EmbeddedError(Some(&ApiError::new(kind, "x")))),
                class,
                "{kind:?}"
            );
        }
    }
}
