//! The batch writer, against SQLite on a temporary file.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aether_core::catalogue::ClientKeyId;
use aether_core::schedule::Trace;
use aether_core::store::{
    InMemoryTraceStore, InMemoryUsage, RequestId, StoreError, TraceRecord, TraceStore, UsagePage, UsageQuery,
    UsageRecord, UsageSink,
};
use aether_core::{Timestamp, WireFormat};
use aether_store::{BatchConfig, BatchWriter, Cipher, SqliteStore};
use async_trait::async_trait;

use crate::fixtures::record;

async fn count(store: &SqliteStore) -> usize {
    let mut query = UsageQuery { limit: 1_000, ..UsageQuery::default() };
    let mut total = 0;
    loop {
        let page = store.query(&query).await.expect("read");
        total += page.records.len();
        match page.next {
            Some(next) => query.after = Some(next),
            None => return total,
        }
    }
}

async fn file_store(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open_path(dir.path().join("aether.db"), Cipher::new([5; 32])).await.expect("opens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_written_concurrently_all_land_even_past_the_queue() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Arc::new(file_store(&dir).await);
    // A queue of 8 for 2,000 records: most go through the overflow list.
    let config = BatchConfig {
        capacity: 8,
        batch_size: 64,
        interval: Duration::from_millis(20),
        ..BatchConfig::default()
    };
    let writer = Arc::new(BatchWriter::spawn(
        store.clone(),
        Arc::new(aether_core::store::InMemoryTraceStore::default()),
        config,
    ));
    let tasks: Vec<_> = (0..8u128)
        .map(|task| {
            let writer = writer.clone();
            tokio::spawn(async move {
                for i in 0..250u128 {
                    let id = task * 1_000 + i + 1;
                    writer.usage(record(id, id as u64, 1, 1)).expect("running");
                    if i % 50 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("the task finishes");
    }
    writer.shutdown().await.expect("everything written");
    assert_eq!(count(&store).await, 2_000);
    let stats = writer.stats();
    assert_eq!(stats.written.load(Ordering::Relaxed), 2_000);
    assert!(writer.usage(record(9_999_999, 1, 1, 1)).is_err(), "refused after shutdown");
}

#[tokio::test]
async fn shutdown_persists_pending_records_and_they_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Arc::new(file_store(&dir).await);
    // Neither size nor time would flush these: only shutdown does.
    let config =
        BatchConfig { batch_size: 10_000, interval: Duration::from_secs(3_600), ..BatchConfig::default() };
    let writer = BatchWriter::spawn(store.clone(), store.clone(), config);
    for id in 1..=100u128 {
        writer.usage(record(id, id as u64, 1, 1)).expect("running");
    }
    writer.shutdown().await.expect("everything written");
    store.close().await;
    assert_eq!(count(&file_store(&dir).await).await, 100);
}

/// A usage sink whose first `failures` appends fail, as a database that is briefly down.
struct Flaky {
    inner: InMemoryUsage,
    failures: AtomicU32,
}

#[async_trait]
impl UsageSink for Flaky {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        if self
            .failures
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1))
            .is_ok()
        {
            return Err(StoreError::Invalid("the database is down".into()));
        }
        self.inner.append(records).await
    }

    async fn query(&self, query: &UsageQuery) -> Result<UsagePage, StoreError> {
        self.inner.query(query).await
    }
}

#[tokio::test]
async fn a_batch_that_fails_is_kept_and_written_later_with_nothing_lost_or_doubled() {
    let usage = Arc::new(Flaky { inner: InMemoryUsage::default(), failures: AtomicU32::new(2) });
    let traces = Arc::new(InMemoryTraceStore::default());
    let config = BatchConfig { batch_size: 64, interval: Duration::from_millis(5), ..BatchConfig::default() };
    let writer = BatchWriter::spawn(usage.clone(), traces.clone(), config);
    for id in 1..=150u128 {
        writer.usage(record(id, id as u64, 1, 1)).expect("running");
    }
    let trace = |id: u128| TraceRecord {
        request_id: RequestId(id),
        at: Timestamp(id as u64),
        trace: Trace {
            client_key: ClientKeyId(1),
            format: WireFormat::OpenAiChat,
            model: "gpt-5".into(),
            entries: Vec::new(),
        },
    };
    for id in 1..=3u128 {
        writer.trace(trace(id)).expect("running");
    }
    writer.shutdown().await.expect("written once the database is back");

    let stored = usage.query(&UsageQuery { limit: 1_000, ..UsageQuery::default() }).await.expect("read");
    let mut ids: Vec<u128> = stored.records.iter().map(|r| r.request_id.0).collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=150).collect::<Vec<_>>());
    for id in 1..=3u128 {
        assert_eq!(traces.trace(RequestId(id)).await.expect("read"), Some(trace(id)));
    }
    let stats = writer.stats();
    assert_eq!(stats.failed_flushes.load(Ordering::Relaxed), 2);
    assert_eq!(stats.written.load(Ordering::Relaxed), 153);
}
