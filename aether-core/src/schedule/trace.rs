//! The record of every candidate a request met: skipped, failed or succeeded.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::catalogue::ClientKeyId;
use crate::schedule::{Class, SkipReason, Target};
use crate::store::RequestId;
use crate::{Timestamp, WireFormat};

/// What happened to one candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was not tried.
    Skipped(SkipReason),
    /// It was tried.
    Attempted {
        /// The upstream's status, if it answered.
        status: Option<u16>,
        /// From sending the request to the outcome (headers, or the first body bytes of a stream).
        latency: Duration,
        /// What the outcome meant ([`Class::Success`] for the answer that was committed).
        class: Class,
        /// What went wrong, for failures.
        error: Option<String>,
    },
}

/// One candidate in a [`Trace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// Which candidate.
    pub target: Target,
    /// The model's name there.
    pub upstream_model: String,
    /// It was promoted by cache affinity.
    pub affinity: bool,
    /// It needed translation.
    pub cross_format: bool,
    /// What happened.
    pub outcome: Outcome,
}

/// Every candidate one request met, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The client key.
    pub client_key: ClientKeyId,
    /// The client's format.
    pub format: WireFormat,
    /// The model as requested.
    pub model: String,
    /// The candidates.
    pub entries: Vec<TraceEntry>,
}

/// Where traces go (a batched writer in the server). Must not block: it is called on the request path.
pub trait TraceSink: Send + Sync {
    /// Takes the trace of request `request_id`, which arrived `at`.
    fn record(&self, request_id: RequestId, at: Timestamp, trace: Trace);
}

/// A [`TraceSink`] that keeps traces in memory, for tests and tools.
#[derive(Debug, Default)]
pub struct InMemoryTraces {
    traces: Mutex<Vec<Trace>>,
}

impl InMemoryTraces {
    /// Takes the traces recorded so far.
    pub fn take(&self) -> Vec<Trace> {
        std::mem::take(&mut *self.traces.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl TraceSink for InMemoryTraces {
    fn record(&self, _: RequestId, _: Timestamp, trace: Trace) {
        self.traces.lock().unwrap_or_else(PoisonError::into_inner).push(trace);
    }
}
