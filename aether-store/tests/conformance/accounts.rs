use aether_core::Timestamp;
use aether_core::WireFormat;
use aether_core::catalogue::{ClientKeyId, Limits, ProviderId};
use aether_core::schedule::{Capabilities, Restrictions};
use aether_core::store::{Accounts, ClientKey, KeyHash, Role, StoreError, User, UserId};

use crate::fixtures::dec;

pub(crate) async fn suite(store: &dyn Accounts) {
    let mut alice = User {
        email: Some("alice@example.com".into()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        quota: Some(dec("50.00")),
        restrictions: Restrictions { formats: Some(vec![WireFormat::Anthropic]), ..Restrictions::default() },
        created_at: Timestamp(1_000),
        ..User::new("alice", Role::Admin)
    };
    alice.id = store.create_user(&alice).await.expect("created");
    assert_eq!(store.user(alice.id).await.expect("read"), Some(alice.clone()));
    assert_eq!(store.user_by_login("alice@example.com").await.expect("read"), Some(alice.clone()));
    assert_eq!(store.user_by_login("alice").await.expect("read").map(|u| u.id), Some(alice.id));
    assert_eq!(store.user_by_login("nobody").await.expect("read"), None);

    let taken = store.create_user(&User::new("alice", Role::User)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    let bob = store.create_user(&User::new("bob", Role::User)).await.expect("created");
    assert_eq!(store.users().await.expect("read").len(), 2);

    // Spend is exact and only moves through add_user_spent.
    assert_eq!(store.add_user_spent(alice.id, dec("0.1")).await.expect("added"), dec("0.1"));
    assert_eq!(store.add_user_spent(alice.id, dec("0.2")).await.expect("added"), dec("0.3"));
    alice.quota = Some(dec("75"));
    alice.limits = Limits { rpm: Some(600), tpm: None, max_concurrency: Some(16) };
    alice.spent = dec("999");
    store.update_user(&alice).await.expect("updated");
    let stored = store.user(alice.id).await.expect("read").expect("exists");
    assert_eq!((stored.quota, stored.spent), (Some(dec("75")), dec("0.3")));
    assert_eq!(stored.limits, alice.limits);
    let missing = store.update_user(&User { id: UserId(999), ..User::new("ghost", Role::User) }).await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");

    let mut laptop = ClientKey {
        user: Some(alice.id),
        restrictions: Restrictions {
            providers: Some(vec![ProviderId(1), ProviderId(2)]),
            models: Some(vec!["claude-opus-4-8".into()]),
            formats: None,
        },
        limits: Limits { rpm: Some(60), tpm: Some(100_000), max_concurrency: Some(4) },
        model_capabilities: vec![("claude-opus-4-8".into(), Capabilities::CONTEXT_1M)],
        quota: Some(dec("10.5")),
        expires_at: Some(Timestamp(9_999_999)),
        created_at: Timestamp(2_000),
        ..ClientKey::new("laptop", KeyHash([1; 32]), "sk-ab12")
    };
    laptop.id = store.create_key(&laptop).await.expect("created");
    assert_eq!(store.key_by_hash(&KeyHash([1; 32])).await.expect("read"), Some(laptop.clone()));
    assert_eq!(store.key(laptop.id).await.expect("read"), Some(laptop.clone()));
    assert_eq!(store.key_by_hash(&KeyHash([2; 32])).await.expect("read"), None);

    let duplicate = store.create_key(&ClientKey::new("copy", KeyHash([1; 32]), "sk-ab12")).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
    let orphan = ClientKey { user: Some(UserId(999)), ..ClientKey::new("orphan", KeyHash([3; 32]), "sk-x") };
    let orphan = store.create_key(&orphan).await;
    assert!(matches!(orphan, Err(StoreError::Invalid(_))), "{orphan:?}");

    // A standalone prepaid key: no user, its quota is its balance.
    let prepaid =
        ClientKey { quota: Some(dec("20")), ..ClientKey::new("prepaid", KeyHash([4; 32]), "sk-pp") };
    let prepaid = store.create_key(&prepaid).await.expect("created");
    assert_eq!(store.add_key_spent(prepaid, dec("1.25")).await.expect("added"), dec("1.25"));
    let standalone = store.keys_of(None).await.expect("read");
    assert_eq!(standalone.iter().map(|k| k.id).collect::<Vec<_>>(), vec![prepaid]);
    assert_eq!(standalone[0].remaining(), Some(dec("18.75")));

    laptop.enabled = false;
    laptop.name = "old laptop".into();
    store.update_key(&laptop).await.expect("updated");
    assert_eq!(store.keys_of(Some(alice.id)).await.expect("read"), vec![laptop.clone()]);

    // Deleting a user deletes their keys, not the others.
    store.delete_user(alice.id).await.expect("deleted");
    assert_eq!(store.key(laptop.id).await.expect("read"), None);
    assert!(store.key(prepaid).await.expect("read").is_some());
    assert_eq!(store.users().await.expect("read").iter().map(|u| u.id).collect::<Vec<_>>(), vec![bob]);
    let gone = store.delete_key(ClientKeyId(999)).await;
    assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{gone:?}");
    store.delete_key(prepaid).await.expect("deleted");
}
