use aether_core::Timestamp;
use aether_core::catalogue::ClientKeyId;
use aether_core::store::{UsageQuery, UsageRecord, UsageSink, UserId};

use crate::fixtures::{record, unpriced};

fn ids(records: &[UsageRecord]) -> Vec<u128> {
    records.iter().map(|r| r.request_id.0).collect()
}

pub(crate) async fn suite(store: &dyn UsageSink) {
    let records = [
        record(1, 1_000, 1, 10),
        record(2, 2_000, 1, 11),
        record(3, 2_000, 2, 20),
        unpriced(4, 3_000),
        record(5, 4_000, 1, 10),
    ];
    store.append(&records[..3]).await.expect("appended");
    // A retried batch: ids already stored are skipped.
    store.append(&records[2..]).await.expect("appended");

    let all = store.query(&UsageQuery::default()).await.expect("read");
    assert_eq!(ids(&all.records), vec![5, 4, 3, 2, 1]);
    assert_eq!(all.next, None);
    assert_eq!(all.records[4], records[0], "a priced record reads back exactly");
    assert_eq!(all.records[1], records[3], "an unpriced record reads back exactly");

    let of_user =
        store.query(&UsageQuery { user: Some(UserId(1)), ..UsageQuery::default() }).await.expect("read");
    assert_eq!(ids(&of_user.records), vec![5, 2, 1]);
    let of_key = store
        .query(&UsageQuery { client_key: Some(ClientKeyId(10)), ..UsageQuery::default() })
        .await
        .expect("read");
    assert_eq!(ids(&of_key.records), vec![5, 1]);
    let window =
        UsageQuery { from: Some(Timestamp(2_000)), until: Some(Timestamp(4_000)), ..UsageQuery::default() };
    assert_eq!(ids(&store.query(&window).await.expect("read").records), vec![4, 3, 2]);

    // Pages of two, newest first, through records that share a timestamp.
    let mut query = UsageQuery { limit: 2, ..UsageQuery::default() };
    let mut pages = Vec::new();
    loop {
        let page = store.query(&query).await.expect("read");
        pages.push(ids(&page.records));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, vec![vec![5, 4], vec![3, 2], vec![1]]);
}
