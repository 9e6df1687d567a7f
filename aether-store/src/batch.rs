//! Usage records and traces, written off the request path in batches.
//!
//! # Overflow policy
//! [`BatchWriter::usage`] and [`BatchWriter::trace`] never wait: they `try_send` into a bounded queue.
//! When the queue is full (the database is slower than traffic) the record goes to an unbounded
//! overflow list instead, counted in [`BatchStats::overflowed`], and is written with the next batch.
//! Memory grows only while the database lags; nothing is dropped. A batch that fails to write is kept
//! and retried on the next tick (counted in [`BatchStats::failed_flushes`]). Only after
//! [`BatchWriter::shutdown`] is a record refused, and then it is handed back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aether_core::store::{StoreError, TraceRecord, TraceStore, UsageRecord, UsageSink};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// When a [`BatchWriter`] flushes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// Records the queue holds before overflowing (default 4096).
    pub capacity: usize,
    /// Records that trigger a flush (default 256).
    pub batch_size: usize,
    /// The longest a record waits for a flush (default 200 ms).
    pub interval: Duration,
    /// Attempts to write what is left at shutdown before giving up with the error (default 3).
    pub shutdown_attempts: u32,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            capacity: 4096,
            batch_size: 256,
            interval: Duration::from_millis(200),
            shutdown_attempts: 3,
        }
    }
}

/// Counters of a [`BatchWriter`], for metrics.
#[derive(Debug, Default)]
pub struct BatchStats {
    /// Records written.
    pub written: AtomicU64,
    /// Records that found the queue full and went to the overflow list.
    pub overflowed: AtomicU64,
    /// Batches that failed to write (and were kept for the next attempt).
    pub failed_flushes: AtomicU64,
}

/// A record the writer refused because it has shut down.
#[derive(Debug)]
pub enum Refused {
    /// A usage record.
    Usage(Box<UsageRecord>),
    /// A trace.
    Trace(Box<TraceRecord>),
}

enum Item {
    Usage(Box<UsageRecord>),
    Trace(Box<TraceRecord>),
}

impl From<Item> for Refused {
    fn from(item: Item) -> Self {
        match item {
            Item::Usage(record) => Refused::Usage(record),
            Item::Trace(record) => Refused::Trace(record),
        }
    }
}

#[derive(Default)]
struct Overflow {
    items: Vec<Item>,
    closed: bool,
}

struct Shared {
    overflow: Mutex<Overflow>,
    stats: BatchStats,
    stop: Notify,
    /// Wakes the worker before its tick when a batch is waiting.
    full: Notify,
}

impl Shared {
    fn overflow(&self) -> std::sync::MutexGuard<'_, Overflow> {
        self.overflow.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Writes usage records and traces in batches: on size, on time, and everything at shutdown.
///
/// ```
/// use std::sync::Arc;
///
/// use aether_core::store::{InMemoryTraceStore, InMemoryUsage, UsageQuery, UsageSink};
/// use aether_store::{BatchConfig, BatchWriter};
/// # use aether_core::{Timestamp, WireFormat};
/// # use aether_core::pricing::Charge;
/// # use aether_core::store::{RequestId, UsageRecord};
/// # fn record(id: u128) -> UsageRecord {
/// #     UsageRecord { request_id: RequestId(id), at: Timestamp(1), user: None, client_key: None, target: None,
/// #         client_format: WireFormat::Anthropic, upstream_format: None, model: "m".into(), upstream_model: None,
/// #         usage: Default::default(), charge: Charge::Unpriced, status: 200, error_kind: None,
/// #         latency_ms: 1, first_byte_ms: None, stream: false }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aether_core::store::StoreError> {
/// let usage = Arc::new(InMemoryUsage::default());
/// let writer = BatchWriter::spawn(usage.clone(), Arc::new(InMemoryTraceStore::default()), BatchConfig::default());
/// writer.usage(record(1)).expect("running"); // never waits
/// writer.shutdown().await?; // writes what is pending
/// assert_eq!(usage.query(&UsageQuery::default()).await?.records.len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct BatchWriter {
    queue: mpsc::Sender<Item>,
    shared: Arc<Shared>,
    batch_size: usize,
    task: Mutex<Option<JoinHandle<Result<(), StoreError>>>>,
}

impl std::fmt::Debug for BatchWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchWriter").field("stats", &self.shared.stats).finish_non_exhaustive()
    }
}

impl BatchWriter {
    /// Starts the writer's task on the current tokio runtime.
    pub fn spawn(usage: Arc<dyn UsageSink>, traces: Arc<dyn TraceStore>, config: BatchConfig) -> Self {
        let (queue, receiver) = mpsc::channel(config.capacity.max(1));
        let shared = Arc::new(Shared {
            overflow: Mutex::new(Overflow::default()),
            stats: BatchStats::default(),
            stop: Notify::new(),
            full: Notify::new(),
        });
        let worker = Worker { usage, traces, config, shared: shared.clone(), pending: Pending::default() };
        let task = tokio::spawn(worker.run(receiver));
        BatchWriter { queue, shared, batch_size: config.batch_size.max(1), task: Mutex::new(Some(task)) }
    }

    /// Queues a usage record; never waits.
    pub fn usage(&self, record: UsageRecord) -> Result<(), Refused> {
        self.send(Item::Usage(Box::new(record)))
    }

    /// Queues a trace; never waits.
    pub fn trace(&self, record: TraceRecord) -> Result<(), Refused> {
        self.send(Item::Trace(Box::new(record)))
    }

    /// The writer's counters.
    pub fn stats(&self) -> &BatchStats {
        &self.shared.stats
    }

    fn send(&self, item: Item) -> Result<(), Refused> {
        match self.queue.try_send(item) {
            Ok(()) => {
                // The worker sleeps until its tick unless a whole batch is waiting: one wake-up per
                // batch, not one per record.
                if self.queue.max_capacity() - self.queue.capacity() >= self.batch_size {
                    self.shared.full.notify_one();
                }
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(item)) => {
                let mut overflow = self.shared.overflow();
                if overflow.closed {
                    return Err(item.into());
                }
                overflow.items.push(item);
                self.shared.stats.overflowed.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(item)) => Err(item.into()),
        }
    }

    /// Stops taking records and writes every one taken so far; an error means some could not be
    /// written after [`BatchConfig::shutdown_attempts`]. Later calls return at once.
    pub async fn shutdown(&self) -> Result<(), StoreError> {
        let task = self.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(task) = task else { return Ok(()) };
        self.shared.stop.notify_one();
        task.await.map_err(|e| StoreError::Backend(Box::new(e)))?
    }
}

struct Worker {
    usage: Arc<dyn UsageSink>,
    traces: Arc<dyn TraceStore>,
    config: BatchConfig,
    shared: Arc<Shared>,
    pending: Pending,
}

/// Records taken from the queue and not yet written, by kind: each kind is appended from here,
/// without a copy.
#[derive(Default)]
struct Pending {
    usage: Vec<UsageRecord>,
    traces: Vec<TraceRecord>,
}

impl Pending {
    fn push(&mut self, item: Item) {
        match item {
            Item::Usage(record) => self.usage.push(*record),
            Item::Trace(record) => self.traces.push(*record),
        }
    }
}

impl Worker {
    async fn run(mut self, mut receiver: mpsc::Receiver<Item>) -> Result<(), StoreError> {
        let mut tick = tokio::time::interval(self.config.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = self.shared.full.notified() => {}
                () = self.shared.stop.notified() => break,
            }
            let disconnected = loop {
                match receiver.try_recv() {
                    Ok(item) => self.pending.push(item),
                    Err(mpsc::error::TryRecvError::Empty) => break false,
                    Err(mpsc::error::TryRecvError::Disconnected) => break true,
                }
            };
            let _ = self.flush().await;
            if disconnected {
                break;
            }
        }
        // Refuse new records, then take everything already sent or overflowed.
        receiver.close();
        while let Some(item) = receiver.recv().await {
            self.pending.push(item);
        }
        self.shared.overflow().closed = true;
        let mut result = Ok(());
        for _ in 0..self.config.shutdown_attempts.max(1) {
            result = self.flush().await;
            if result.is_ok() {
                break;
            }
            tokio::time::sleep(self.config.interval).await;
        }
        result
    }

    /// Writes what is pending and what overflowed, a batch (one transaction) at a time; what fails
    /// stays pending. Appends skip ids already stored, so retrying a batch whose first half landed is
    /// safe.
    async fn flush(&mut self) -> Result<(), StoreError> {
        for item in std::mem::take(&mut self.shared.overflow().items) {
            self.pending.push(item);
        }
        let size = self.config.batch_size.max(1);
        while !self.pending.usage.is_empty() {
            let records = self.pending.usage.len().min(size);
            let written = self.usage.append(&self.pending.usage[..records]).await;
            self.count(written, records)?;
            self.pending.usage.drain(..records);
        }
        while !self.pending.traces.is_empty() {
            let records = self.pending.traces.len().min(size);
            let written = self.traces.append(&self.pending.traces[..records]).await;
            self.count(written, records)?;
            self.pending.traces.drain(..records);
        }
        Ok(())
    }

    /// Counts the outcome of writing a batch of `records`.
    fn count(&self, written: Result<(), StoreError>, records: usize) -> Result<(), StoreError> {
        let stats = &self.shared.stats;
        match &written {
            Ok(()) => stats.written.fetch_add(records as u64, Ordering::Relaxed),
            Err(_) => stats.failed_flushes.fetch_add(1, Ordering::Relaxed),
        };
        written
    }
}
