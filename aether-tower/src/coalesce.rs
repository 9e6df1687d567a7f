//! Joining the data a stream has ready into one frame, so that events that arrive together leave in
//! one write rather than one write each.
//!
//! ```
//! use aether_tower::coalesce::Coalesce;
//! use bytes::Bytes;
//! use http_body::Frame;
//! use http_body_util::{BodyExt, StreamBody};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let events = ["data: 1\n\n", "data: 2\n\n", "data: 3\n\n"];
//! let frames = events.map(|event| Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(event))));
//! let mut body = Coalesce::new(StreamBody::new(futures_util::stream::iter(frames)));
//! // The first event goes at once (with the response head); the two that were ready behind it, together.
//! assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap(), "data: 1\n\n");
//! assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap(), "data: 2\n\ndata: 3\n\n");
//! assert!(body.frame().await.is_none());
//! # }
//! ```

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use bytes::{Bytes, BytesMut};
use futures_util::task::AtomicWaker;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

/// The most data held back to join more to it.
const MOST_HELD: usize = 64 * 1024;

pin_project! {
    /// A body that hands on, as one data frame, all the data its inner body has ready.
    ///
    /// Having taken data, it yields until the runtime has run the tasks that were ready before
    /// handing the data on (on tokio, until its deferred wake-ups: when no other task is ready, or
    /// after a bounded number of them). A connection that has read several events in one go decodes
    /// them meanwhile, and they join the first; once the runtime has come round and the inner body
    /// still has nothing, what is held goes. A stream whose events come apart is delayed by that one
    /// turn, never held. The first frame goes at once, with the response head; data that ends a body
    /// of known length goes at once too.
    pub struct Coalesce<B: Body> {
        #[pin]
        inner: B,
        held: Held,
        // What came after the held data: a trailers frame, or an error.
        next: Option<Result<Frame<Bytes>, B::Error>>,
        // The turn of the runtime taken since data was last held, if one is.
        turn: Option<Arc<Turn>>,
        started: bool,
        ended: bool,
    }
}

impl<B: Body<Data = Bytes>> Coalesce<B> {
    /// Coalesces `inner`'s data.
    pub fn new(inner: B) -> Self {
        Coalesce { inner, held: Held::Nothing, next: None, turn: None, started: false, ended: false }
    }
}

impl<B: Body<Data = Bytes>> Body for Coalesce<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let mut this = self.project();
        if let Some(next) = this.next.take() {
            return Poll::Ready(Some(next));
        }
        while !*this.ended {
            let after_held = match this.inner.as_mut().poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => {
                        this.held.push(data);
                        let first = !std::mem::replace(this.started, true);
                        if first || this.held.len() >= MOST_HELD || this.inner.is_end_stream() {
                            break;
                        }
                        continue;
                    }
                    Err(frame) => Ok(frame),
                },
                Poll::Ready(Some(Err(error))) => Err(error),
                Poll::Ready(None) => {
                    *this.ended = true;
                    break;
                }
                Poll::Pending if this.held.is_empty() => return Poll::Pending,
                Poll::Pending => match this.turn {
                    Some(turn) if turn.taken.load(Ordering::Acquire) => break,
                    // Polled again before the runtime came round (hyper does, right after a flush).
                    Some(turn) => {
                        turn.task.register(cx.waker());
                        return Poll::Pending;
                    }
                    None => {
                        *this.turn = Some(Turn::take(cx));
                        return Poll::Pending;
                    }
                },
            };
            // A trailers frame or an error: after the held data, if any.
            *this.ended = after_held.is_err();
            *this.turn = None;
            match this.held.take() {
                Some(data) => {
                    *this.next = Some(after_held);
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                None => return Poll::Ready(Some(after_held)),
            }
        }
        *this.turn = None;
        Poll::Ready(this.held.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_empty() && self.next.is_none() && (self.ended || self.inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        let held = self.held.len() as u64;
        let inner = self.inner.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + held);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + held);
        }
        hint
    }
}

/// A turn of the runtime: taken once the runtime wakes it, after the tasks that were ready.
#[derive(Debug, Default)]
struct Turn {
    taken: AtomicBool,
    task: AtomicWaker,
}

impl Turn {
    /// Yields the task polled with `cx` until the runtime comes round to it again.
    fn take(cx: &Context<'_>) -> Arc<Turn> {
        let turn = Arc::new(Turn::default());
        turn.task.register(cx.waker());
        let waker = Waker::from(turn.clone());
        // tokio defers the wake-up of a task that yields; elsewhere it comes at once.
        let _ = pin!(tokio::task::yield_now()).poll(&mut Context::from_waker(&waker));
        turn
    }
}

impl Wake for Turn {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.taken.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// The data held back.
#[derive(Debug, Default)]
enum Held {
    #[default]
    Nothing,
    /// One frame's, as it came.
    One(Bytes),
    /// Several frames', joined.
    Joined(BytesMut),
}

impl Held {
    fn push(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        *self = match std::mem::take(self) {
            Held::Nothing => Held::One(data),
            Held::One(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + data.len());
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&data);
                Held::Joined(joined)
            }
            Held::Joined(mut joined) => {
                joined.extend_from_slice(&data);
                Held::Joined(joined)
            }
        };
    }

    fn take(&mut self) -> Option<Bytes> {
        match std::mem::take(self) {
            Held::Nothing => None,
            Held::One(data) => Some(data),
            Held::Joined(joined) => Some(joined.freeze()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Held::Nothing => 0,
            Held::One(data) => data.len(),
            Held::Joined(joined) => joined.len(),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Held::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// What a scripted body's next poll gives.
    enum Step {
        Data(&'static str),
        Trailers,
        Fail,
        Pending,
    }

    /// A body that answers its polls from a script, then ends; of known length when `sized`.
    struct Script {
        steps: VecDeque<Step>,
        sized: bool,
        polls_after_end: usize,
    }

    impl Script {
        fn new(steps: impl IntoIterator<Item = Step>) -> Self {
            Script { steps: steps.into_iter().collect(), sized: false, polls_after_end: 0 }
        }
    }

    impl Body for Script {
        type Data = Bytes;
        type Error = &'static str;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, &'static str>>> {
            Poll::Ready(Some(match self.steps.pop_front() {
                Some(Step::Data(data)) => Ok(Frame::data(Bytes::from(data))),
                Some(Step::Trailers) => Ok(Frame::trailers(http::HeaderMap::new())),
                Some(Step::Fail) => Err("cut"),
                Some(Step::Pending) => return Poll::Pending,
                None => {
                    self.polls_after_end += 1;
                    return Poll::Ready(None);
                }
            }))
        }

        fn is_end_stream(&self) -> bool {
            self.sized && self.steps.is_empty()
        }
    }

    /// What one poll of `body` gives: its data as text, `trailers`, `error`, `end` or `pending`.
    fn poll(body: &mut Coalesce<Script>) -> String {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(body).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) if frame.is_trailers() => "trailers".into(),
            Poll::Ready(Some(Ok(frame))) => {
                String::from_utf8(frame.into_data().expect("data").to_vec()).expect("text")
            }
            Poll::Ready(Some(Err(error))) => format!("error: {error}"),
            Poll::Ready(None) => "end".into(),
            Poll::Pending => "pending".into(),
        }
    }

    fn polls(body: &mut Coalesce<Script>, count: usize) -> Vec<String> {
        (0..count).map(|_| poll(body)).collect()
    }

    use Step::*;

    #[test]
    fn data_that_arrives_while_it_yields_joins_what_it_holds() {
        let script =
            [Data("a"), Data("b"), Pending, Data("c"), Pending, Pending, Data("d"), Pending, Pending];
        let mut body = Coalesce::new(Script::new(script));
        let got = polls(&mut body, 7);
        // Outside a tokio runtime a turn is over at once. a goes at once; b is held while it yields,
        // and c, which came in that turn, joins it; then d the same way.
        assert_eq!(got, ["a", "pending", "bc", "pending", "pending", "d", "end"]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn held_data_waits_for_the_runtime_to_come_round_not_for_a_poll_in_the_same_turn() {
        let mut body = Coalesce::new(Script::new([Data("a"), Data("b"), Pending, Pending, Pending]));
        let mut turns = 0;
        let got = std::future::poll_fn(|cx| {
            turns += 1;
            let mut polled = Vec::new();
            // Twice in one turn, as hyper polls a body again right after flushing.
            for _ in 0..2 {
                match Pin::new(&mut body).poll_frame(cx) {
                    Poll::Ready(Some(Ok(frame))) => polled.push(frame.into_data().expect("data")),
                    Poll::Ready(other) => panic!("{:?}", other.map(|r| r.map(|_| ()))),
                    Poll::Pending => {}
                }
            }
            match polled.len() {
                0 => Poll::Pending,
                _ => Poll::Ready(polled),
            }
        })
        .await;
        assert_eq!(got, ["a"], "the first frame at once");
        let got = std::future::poll_fn(|cx| match Pin::new(&mut body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(frame.into_data().expect("data")),
            Poll::Ready(_) => panic!("ended"),
            Poll::Pending => {
                turns += 1;
                Poll::Pending
            }
        })
        .await;
        assert_eq!(got, "b", "sent once the runtime came round");
        assert_eq!(turns, 2, "one turn for a; b held through the poll after it, sent in the next");
    }

    #[test]
    fn nothing_is_held_past_one_yield() {
        let mut body = Coalesce::new(Script::new([Data("a"), Pending, Data("b"), Pending, Pending]));
        assert_eq!(polls(&mut body, 5), ["a", "pending", "pending", "b", "end"]);
    }

    #[test]
    fn trailers_and_errors_come_after_the_held_data_and_an_error_ends_the_body() {
        let mut body = Coalesce::new(Script::new([Data("a"), Data("b"), Data("c"), Trailers]));
        assert_eq!(polls(&mut body, 4), ["a", "bc", "trailers", "end"]);
        let mut body = Coalesce::new(Script::new([Data("a"), Data("b"), Fail, Data("never")]));
        assert_eq!(polls(&mut body, 4), ["a", "b", "error: cut", "end"]);
        assert!(body.is_end_stream());
    }

    #[test]
    fn the_end_of_a_body_of_known_length_goes_without_a_yield() {
        let script = Script { sized: true, ..Script::new([Data("a"), Data("b"), Data("c")]) };
        let mut body = Coalesce::new(script);
        assert_eq!(polls(&mut body, 2), ["a", "bc"]);
        assert!(body.is_end_stream(), "ended without being polled again");
        assert_eq!(body.inner.polls_after_end, 0);
    }

    #[test]
    fn the_inner_body_is_not_polled_after_its_end() {
        let mut body = Coalesce::new(Script::new([Data("a"), Data("b")]));
        assert_eq!(polls(&mut body, 4), ["a", "b", "end", "end"]);
        assert_eq!(body.inner.polls_after_end, 1);
    }
}
