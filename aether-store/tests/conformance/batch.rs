//! The batch writer, against SQLite on a temporary file.

use std::sync::Arc;
use std::time::Duration;

use aether_core::store::{UsageQuery, UsageSink};
use aether_store::{BatchConfig, BatchWriter, Cipher, SqliteStore};

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
    assert_eq!(stats.written.load(std::sync::atomic::Ordering::Relaxed), 2_000);
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
