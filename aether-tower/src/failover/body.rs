//! The body of a committed response: replays the frame read to commit, and holds the attempt's
//! concurrency lease until the body ends or is dropped.

use std::pin::Pin;
use std::task::{Context, Poll};

use aether_core::schedule::Lease;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// The response body [`Failover`](super::Failover) returns.
    pub struct FailoverBody<B: Body> {
        #[pin]
        inner: B,
        first: Option<Frame<B::Data>>,
        lease: Option<Lease>,
    }
}

impl<B: Body> FailoverBody<B> {
    pub(crate) fn new(inner: B, first: Option<Frame<B::Data>>, lease: Option<Lease>) -> Self {
        FailoverBody { inner, first, lease }
    }
}

impl<B: Body> Body for FailoverBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        let frame = std::task::ready!(this.inner.poll_frame(cx));
        if frame.is_none() {
            // The stream is over: free the slot now rather than when the body is dropped.
            this.lease.take();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        if self.first.is_none() { self.inner.size_hint() } else { SizeHint::default() }
    }
}

impl<B: Body> std::fmt::Debug for FailoverBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailoverBody")
            .field("replaying", &self.first.is_some())
            .field("lease", &self.lease)
            .finish()
    }
}
