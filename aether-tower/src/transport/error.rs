//! What can go wrong in the transport, and which limit fired.

use std::error::Error as StdError;
use std::fmt::{self, Write as _};

use crate::BoxError;

/// Why the transport produced no response, or why a response body ended early.
///
/// Each variant names the limit or the party that failed, so the failover layer can classify it and
/// metrics can count it by [`kind`](TransportError::kind).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection to the upstream could not be opened (refused, unreachable, DNS, TLS, or the
    /// connect timeout).
    #[error("could not connect to the upstream: {}", Chain(&**.0))]
    Connect(#[source] BoxError),
    /// No response head within the first-byte limit.
    #[error("no response headers within the first-byte timeout")]
    FirstByte,
    /// The body stalled: no frame within the idle limit of the previous one (or of the head).
    #[error("the response body stalled past the idle timeout")]
    Idle,
    /// The whole exchange, head and body, ran past the total limit.
    #[error("the exchange ran past the total timeout")]
    Total,
    /// The endpoint's proxy is invalid, could not be reached, or refused the tunnel.
    #[error("proxy failure: {}", Chain(&**.0))]
    Proxy(#[source] BoxError),
    /// The HTTP exchange failed after connecting: the connection broke, or the upstream did not
    /// speak valid HTTP. The source is a `hyper::Error` or a `hyper_util` client error.
    #[error("upstream HTTP error: {}", Chain(&**.0))]
    Http(#[source] BoxError),
}

impl TransportError {
    /// Whether another attempt (on this or another upstream) may succeed: every failure of the
    /// upstream or the path to it, but not an error in the request body the caller supplied. Whether
    /// a retry is still possible (nothing sent to the client yet) is the caller's call.
    pub fn retryable(&self) -> bool {
        match self {
            TransportError::Http(source) => !is_user_error(&**source),
            _ => true,
        }
    }

    /// A low-cardinality name for metrics and traces.
    pub fn kind(&self) -> &'static str {
        match self {
            TransportError::Connect(_) => "connect",
            TransportError::FirstByte => "first_byte_timeout",
            TransportError::Idle => "idle_timeout",
            TransportError::Total => "total_timeout",
            TransportError::Proxy(_) => "proxy",
            TransportError::Http(_) => "http",
        }
    }

    /// Whether a time limit fired.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::FirstByte | TransportError::Idle | TransportError::Total)
    }
}

/// Whether hyper blames the caller (for example, the request body failed).
fn is_user_error(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_user) {
            return true;
        }
        next = error.source();
    }
    false
}

/// Displays an error and its sources, `a: b: c`: hyper's own messages are terse ("client error
/// (Connect)") and the cause is what a trace needs.
struct Chain<'a>(&'a (dyn StdError + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut next = self.0.source();
        while let Some(source) = next {
            let message = source.to_string();
            if !text.contains(&message) {
                write!(text, ": {message}")?;
            }
            next = source.source();
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_carries_the_cause() {
        let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let error = TransportError::Connect(Box::new(cause));
        assert_eq!(error.to_string(), "could not connect to the upstream: connection refused");
        assert!(error.retryable());
        assert_eq!(error.kind(), "connect");
        assert!(!error.is_timeout());
    }

    #[test]
    fn every_timeout_is_retryable_and_named() {
        for (error, kind) in [
            (TransportError::FirstByte, "first_byte_timeout"),
            (TransportError::Idle, "idle_timeout"),
            (TransportError::Total, "total_timeout"),
        ] {
            assert!(error.retryable() && error.is_timeout());
            assert_eq!(error.kind(), kind);
        }
    }
}
