use aether_core::pricing::{KeyTerms, Outcome, PriceSchedule, Tier};
use aether_core::store::{PriceStore, StoreError};
use aether_core::{Timestamp, Usage};

use crate::fixtures::{dec, schedule};

pub(crate) async fn suite(store: &dyn PriceStore) {
    assert!(store.load().await.expect("read").get("m").is_none());
    // Written out of order, read back in effective order.
    let later = PriceSchedule { tiers: vec![Tier::new(None, dec("6"), dec("30"))], ..schedule(2_000) };
    store.put_schedule("m", &later).await.expect("written");
    store.put_schedule("m", &schedule(1_000)).await.expect("written");
    let table = store.load().await.expect("read");
    let prices = table.get("m").expect("priced");
    assert_eq!(prices.schedules(), &[schedule(1_000), later.clone()]);
    let usage = Usage { input: 1_000_000, ..Usage::default() };
    let at = |t| table.cost("m", Timestamp(t), &usage, Outcome::Failure, &KeyTerms::LIST).list_total();
    assert_eq!((at(500), at(1_500), at(2_500)), (None, Some(dec("3")), Some(dec("6"))));

    // The same effective time replaces; an invalid schedule is refused.
    let replaced = PriceSchedule { per_request: dec("0.5"), ..later.clone() };
    store.put_schedule("m", &replaced).await.expect("written");
    assert_eq!(store.load().await.expect("read").get("m").expect("priced").schedules()[1], replaced);
    let invalid = store.put_schedule("m", &PriceSchedule { tiers: vec![], ..schedule(3_000) }).await;
    assert!(matches!(invalid, Err(StoreError::Invalid(_))), "{invalid:?}");

    store.delete_schedule("m", Timestamp(1_000)).await.expect("deleted");
    assert_eq!(store.load().await.expect("read").get("m").expect("priced").schedules(), &[replaced]);
    let gone = store.delete_schedule("m", Timestamp(1_000)).await;
    assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{gone:?}");
}
