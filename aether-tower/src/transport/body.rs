//! The response body: enforces the idle and total limits per frame.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

use super::TransportError;

pin_project! {
    /// The body of a response from [`UpstreamTransport`](super::UpstreamTransport).
    ///
    /// Fails with [`TransportError::Idle`] when no frame arrives within the idle limit of the
    /// previous one (or of the head), and with [`TransportError::Total`] past the exchange's total
    /// limit; after an error it ends. One timer serves both limits: it is reset to the nearer of the
    /// two after each frame. The timer is boxed so the body is `Unpin`, as the failover layer needs;
    /// the response future hands over the box it used for the head.
    pub struct TransportBody {
        #[pin]
        inner: Incoming,
        timer: Option<Pin<Box<Sleep>>>,
        idle: Option<Duration>,
        total: Option<Instant>,
        done: bool,
    }
}

impl TransportBody {
    pub(super) fn new(
        inner: Incoming,
        timer: Option<Pin<Box<Sleep>>>,
        idle: Option<Duration>,
        total: Option<Instant>,
    ) -> Self {
        let mut body = TransportBody { inner, timer, idle, total, done: false };
        body.rearm(Instant::now());
        body
    }

    /// Points the timer at the nearer of the idle and total deadlines, from `now`.
    fn rearm(&mut self, now: Instant) {
        rearm(&mut self.timer, self.idle, self.total, now);
    }
}

fn rearm(timer: &mut Option<Pin<Box<Sleep>>>, idle: Option<Duration>, total: Option<Instant>, now: Instant) {
    match (earliest(idle.map(|idle| now + idle), total), timer.as_mut()) {
        (Some(deadline), Some(timer)) => timer.as_mut().reset(deadline),
        (Some(deadline), None) => *timer = Some(Box::pin(tokio::time::sleep_until(deadline))),
        (None, _) => *timer = None,
    }
}

/// The nearer of two optional deadlines.
pub(super) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Body for TransportBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        // The body first: a frame that arrives with the deadline still counts.
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                rearm(this.timer, *this.idle, *this.total, Instant::now());
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(Some(Err(error))) => {
                *this.done = true;
                *this.timer = None;
                return Poll::Ready(Some(Err(TransportError::Http(Box::new(error)))));
            }
            Poll::Ready(None) => {
                *this.done = true;
                *this.timer = None;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        let Some(timer) = this.timer.as_mut() else { return Poll::Pending };
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        *this.done = true;
        *this.timer = None;
        let total = this.total.is_some_and(|total| Instant::now() >= total);
        Poll::Ready(Some(Err(if total { TransportError::Total } else { TransportError::Idle })))
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        if self.done { SizeHint::with_exact(0) } else { self.inner.size_hint() }
    }
}

impl std::fmt::Debug for TransportBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBody")
            .field("idle", &self.idle)
            .field("total", &self.total)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
