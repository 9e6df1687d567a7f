use std::time::Duration;

use aether_core::catalogue::{
    Endpoint, EndpointId, Features, GlobalModel, Limits, Mapping, Model, Multiplier, Provider, ProviderKey,
    Timeouts,
};
use aether_core::schedule::Capabilities;
use aether_core::store::{CatalogueStore, StoreError};
use aether_core::{Timestamp, WireFormat};

pub(crate) async fn suite(store: &dyn CatalogueStore) {
    let mut anthropic =
        Provider { priority: 2, monthly_budget_micros: Some(5_000_000), ..Provider::new(0, "anthropic") };
    anthropic.id = store.create_provider(&anthropic).await.expect("created");
    let mut openai = Provider::new(0, "openai");
    openai.id = store.create_provider(&openai).await.expect("created");

    let mut messages = Endpoint {
        headers: vec![("anthropic-version".into(), "2023-06-01".into())],
        timeouts: Timeouts {
            connect: Some(Duration::from_secs(5)),
            first_byte: Some(Duration::from_millis(30_500)),
            idle: None,
            total: Some(Duration::from_secs(600)),
        },
        proxy: Some("http://proxy:3128".into()),
        limits: Limits { rpm: Some(60), tpm: Some(1_000_000), max_concurrency: None },
        ..Endpoint::new(0, anthropic.id.0, WireFormat::Anthropic, "https://api.anthropic.com")
    };
    messages.id = store.create_endpoint(&messages).await.expect("created");
    let mut chat = Endpoint::new(0, openai.id.0, WireFormat::OpenAiChat, "https://api.openai.com");
    chat.id = store.create_endpoint(&chat).await.expect("created");

    let mut key = ProviderKey {
        endpoint: Some(messages.id),
        priority: -1,
        global_priority: 7,
        weight: Some(3),
        limits: Limits { rpm: None, tpm: None, max_concurrency: Some(4) },
        capabilities: Capabilities::CACHE_1H,
        force: Capabilities::CONTEXT_1M,
        rate_multiplier: Multiplier(800_000),
        cache_ttl: Duration::from_secs(3_600),
        expires_at: Some(Timestamp(1_900_000_000_000)),
        ..ProviderKey::new(0, anthropic.id.0, "sk-ant-secret")
    };
    key.id = store.create_key(&key).await.expect("created");
    let mut plain = ProviderKey::new(0, openai.id.0, "sk-oai");
    plain.id = store.create_key(&plain).await.expect("created");

    let opus = GlobalModel {
        aliases: vec!["opus".into()],
        features: Features {
            vision: true,
            reasoning: true,
            context_window: 200_000,
            long_context_window: Some(1_000_000),
        },
        ..GlobalModel::new("claude-opus-4-8")
    };
    store.put_global_model(&opus).await.expect("written");
    let native = Model::new("claude-opus-4-8", anthropic.id.0, "claude-opus-4-8");
    let mapped = Model {
        mappings: vec![
            Mapping { endpoint: chat.id, upstream_name: Some("opus-compat".into()) },
            Mapping { endpoint: messages.id, upstream_name: None },
        ],
        features: Some(Features {
            vision: false,
            reasoning: true,
            context_window: 128_000,
            long_context_window: None,
        }),
        ..Model::new("claude-opus-4-8", openai.id.0, "opus-via-openai")
    };
    store.put_model(&native).await.expect("written");
    store.put_model(&mapped).await.expect("written");

    let loaded = store.load().await.expect("read");
    assert_eq!(loaded.providers, vec![anthropic.clone(), openai.clone()]);
    assert_eq!(loaded.endpoints, vec![messages.clone(), chat.clone()]);
    assert_eq!(loaded.keys, vec![key.clone(), plain.clone()]);
    assert_eq!(loaded.global_models, vec![opus.clone()]);
    let mut expected_models = vec![native.clone(), mapped.clone()];
    expected_models.sort_by_key(|m| m.provider);
    assert_eq!(loaded.models, expected_models);

    // Updates replace; references must exist; a missing row is not found.
    key.secret = aether_core::catalogue::Secret("sk-ant-rotated".into());
    key.enabled = false;
    store.update_key(&key).await.expect("updated");
    anthropic.name = "Anthropic".into();
    store.update_provider(&anthropic).await.expect("updated");
    let loaded = store.load().await.expect("read");
    assert_eq!((loaded.keys[0].clone(), loaded.providers[0].clone()), (key.clone(), anthropic.clone()));
    let dangling =
        ProviderKey { endpoint: Some(EndpointId(999)), ..ProviderKey::new(0, anthropic.id.0, "s") };
    let dangling = store.create_key(&dangling).await;
    assert!(matches!(dangling, Err(StoreError::Invalid(_))), "{dangling:?}");
    let unknown = store.put_model(&Model::new("no-such-model", anthropic.id.0, "x")).await;
    assert!(matches!(unknown, Err(StoreError::Invalid(_))), "{unknown:?}");
    let missing = store.update_endpoint(&Endpoint { id: EndpointId(999), ..chat.clone() }).await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })), "{missing:?}");

    // Deleting an endpoint takes the keys bound to it and the mappings onto it.
    store.delete_endpoint(messages.id).await.expect("deleted");
    let loaded = store.load().await.expect("read");
    assert_eq!(loaded.keys, vec![plain.clone()]);
    let remapped = loaded.models.iter().find(|m| m.provider == openai.id).expect("kept");
    assert_eq!(
        remapped.mappings,
        vec![Mapping { endpoint: chat.id, upstream_name: Some("opus-compat".into()) }]
    );

    // Deleting a provider takes its endpoints, keys and models; a global model its provider models.
    store.delete_provider(openai.id).await.expect("deleted");
    let loaded = store.load().await.expect("read");
    assert!(loaded.endpoints.is_empty() && loaded.keys.is_empty());
    assert_eq!(loaded.models, vec![native.clone()]);
    store.delete_global_model("claude-opus-4-8").await.expect("deleted");
    let loaded = store.load().await.expect("read");
    assert!(loaded.global_models.is_empty() && loaded.models.is_empty());
    assert_eq!(loaded.providers, vec![anthropic.clone()]);
    let gone = store.delete_model("claude-opus-4-8", anthropic.id).await;
    assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{gone:?}");
}
