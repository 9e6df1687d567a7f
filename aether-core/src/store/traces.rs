//! Request traces: every candidate a request met, by request id.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::error::lock;
use super::{RequestId, StoreError};
use crate::Timestamp;
use crate::schedule::Trace;

/// One request's [`Trace`], as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRecord {
    /// The request.
    pub request_id: RequestId,
    /// When it arrived.
    pub at: Timestamp,
    /// Its candidates.
    pub trace: Trace,
}

/// Where traces go (from a batch writer) and how they are read back.
#[async_trait]
pub trait TraceStore: Send + Sync {
    /// Appends traces at once; a request id already stored is skipped, so a batch may be retried.
    async fn append(&self, traces: &[TraceRecord]) -> Result<(), StoreError>;
    /// The trace of a request.
    async fn trace(&self, request_id: RequestId) -> Result<Option<TraceRecord>, StoreError>;
}

/// [`TraceStore`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemoryTraceStore {
    traces: Mutex<HashMap<RequestId, TraceRecord>>,
}

#[async_trait]
impl TraceStore for InMemoryTraceStore {
    async fn append(&self, traces: &[TraceRecord]) -> Result<(), StoreError> {
        let mut stored = lock(&self.traces);
        for trace in traces {
            stored.entry(trace.request_id).or_insert_with(|| trace.clone());
        }
        Ok(())
    }

    async fn trace(&self, request_id: RequestId) -> Result<Option<TraceRecord>, StoreError> {
        Ok(lock(&self.traces).get(&request_id).cloned())
    }
}
