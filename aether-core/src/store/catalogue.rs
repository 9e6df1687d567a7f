//! The durable catalogue: providers, endpoints, provider keys, global models and provider models.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::StoreError;
use super::error::lock;
use crate::catalogue::{
    Catalogue, Endpoint, EndpointId, GlobalModel, KeyId, Model, Provider, ProviderId, ProviderKey,
};

/// The catalogue, row by row; [`CatalogueStore::load`] reads it whole, to compile a snapshot.
///
/// `create_*` assign the id (the one passed in is ignored) and `update_*` replace a row by id. A row
/// must refer to rows that exist ([`StoreError::Invalid`]); deleting a row deletes what depends on it:
/// a provider its endpoints, keys and models; an endpoint the keys bound to it and the mappings onto
/// it; a global model its provider models. Provider key secrets are stored encrypted where the backend
/// is durable.
#[async_trait]
pub trait CatalogueStore: Send + Sync {
    /// Everything, each list by id (models by global name, then provider).
    async fn load(&self) -> Result<Catalogue, StoreError>;

    /// Adds a provider and returns its id.
    async fn create_provider(&self, provider: &Provider) -> Result<ProviderId, StoreError>;
    /// Replaces a provider.
    async fn update_provider(&self, provider: &Provider) -> Result<(), StoreError>;
    /// Deletes a provider and everything of it.
    async fn delete_provider(&self, id: ProviderId) -> Result<(), StoreError>;

    /// Adds an endpoint and returns its id.
    async fn create_endpoint(&self, endpoint: &Endpoint) -> Result<EndpointId, StoreError>;
    /// Replaces an endpoint.
    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError>;
    /// Deletes an endpoint, the keys bound to it and the mappings onto it.
    async fn delete_endpoint(&self, id: EndpointId) -> Result<(), StoreError>;

    /// Adds a provider key and returns its id.
    async fn create_key(&self, key: &ProviderKey) -> Result<KeyId, StoreError>;
    /// Replaces a provider key.
    async fn update_key(&self, key: &ProviderKey) -> Result<(), StoreError>;
    /// Deletes a provider key.
    async fn delete_key(&self, id: KeyId) -> Result<(), StoreError>;

    /// Adds or replaces a global model, by name.
    async fn put_global_model(&self, model: &GlobalModel) -> Result<(), StoreError>;
    /// Deletes a global model and its provider models.
    async fn delete_global_model(&self, name: &str) -> Result<(), StoreError>;

    /// Adds or replaces a provider's model, by (global name, provider).
    async fn put_model(&self, model: &Model) -> Result<(), StoreError>;
    /// Deletes a provider's model.
    async fn delete_model(&self, global: &str, provider: ProviderId) -> Result<(), StoreError>;
}

/// [`CatalogueStore`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemoryCatalogue {
    state: Mutex<CatalogueState>,
}

#[derive(Debug, Default)]
struct CatalogueState {
    providers: BTreeMap<ProviderId, Provider>,
    endpoints: BTreeMap<EndpointId, Endpoint>,
    keys: BTreeMap<KeyId, ProviderKey>,
    global_models: BTreeMap<String, GlobalModel>,
    models: BTreeMap<(String, ProviderId), Model>,
    last_id: u64,
}

impl CatalogueState {
    fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    fn provider_exists(&self, id: ProviderId) -> Result<(), StoreError> {
        match self.providers.contains_key(&id) {
            true => Ok(()),
            false => Err(StoreError::Invalid(format!("provider `{id}` does not exist"))),
        }
    }

    fn endpoint_exists(&self, id: EndpointId) -> Result<(), StoreError> {
        match self.endpoints.contains_key(&id) {
            true => Ok(()),
            false => Err(StoreError::Invalid(format!("endpoint `{id}` does not exist"))),
        }
    }

    fn check_key(&self, key: &ProviderKey) -> Result<(), StoreError> {
        self.provider_exists(key.provider)?;
        key.endpoint.map_or(Ok(()), |endpoint| self.endpoint_exists(endpoint))
    }

    fn check_model(&self, model: &Model) -> Result<(), StoreError> {
        if !self.global_models.contains_key(&model.global) {
            return Err(StoreError::Invalid(format!("global model `{}` does not exist", model.global)));
        }
        self.provider_exists(model.provider)?;
        model.mappings.iter().try_for_each(|mapping| self.endpoint_exists(mapping.endpoint))
    }

    fn remove_endpoints(&mut self, gone: impl Fn(&Endpoint) -> bool) {
        let removed: Vec<EndpointId> = self.endpoints.values().filter(|e| gone(e)).map(|e| e.id).collect();
        self.endpoints.retain(|id, _| !removed.contains(id));
        self.keys.retain(|_, key| key.endpoint.is_none_or(|endpoint| !removed.contains(&endpoint)));
        for model in self.models.values_mut() {
            model.mappings.retain(|mapping| !removed.contains(&mapping.endpoint));
        }
    }
}

/// Replaces the row with `id` in `rows`, or fails with [`StoreError::NotFound`].
fn replace<K: Ord + Copy + std::fmt::Display, V: Clone>(
    rows: &mut BTreeMap<K, V>,
    what: &'static str,
    id: K,
    value: &V,
) -> Result<(), StoreError> {
    let row = rows.get_mut(&id).ok_or_else(|| StoreError::not_found(what, id))?;
    *row = value.clone();
    Ok(())
}

#[async_trait]
impl CatalogueStore for InMemoryCatalogue {
    async fn load(&self) -> Result<Catalogue, StoreError> {
        let state = lock(&self.state);
        Ok(Catalogue {
            providers: state.providers.values().cloned().collect(),
            endpoints: state.endpoints.values().cloned().collect(),
            keys: state.keys.values().cloned().collect(),
            global_models: state.global_models.values().cloned().collect(),
            models: state.models.values().cloned().collect(),
        })
    }

    async fn create_provider(&self, provider: &Provider) -> Result<ProviderId, StoreError> {
        let mut state = lock(&self.state);
        let id = ProviderId(state.next_id());
        state.providers.insert(id, Provider { id, ..provider.clone() });
        Ok(id)
    }

    async fn update_provider(&self, provider: &Provider) -> Result<(), StoreError> {
        replace(&mut lock(&self.state).providers, "provider", provider.id, provider)
    }

    async fn delete_provider(&self, id: ProviderId) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.providers.remove(&id).ok_or_else(|| StoreError::not_found("provider", id))?;
        state.remove_endpoints(|endpoint| endpoint.provider == id);
        state.keys.retain(|_, key| key.provider != id);
        state.models.retain(|(_, provider), _| *provider != id);
        Ok(())
    }

    async fn create_endpoint(&self, endpoint: &Endpoint) -> Result<EndpointId, StoreError> {
        let mut state = lock(&self.state);
        state.provider_exists(endpoint.provider)?;
        let id = EndpointId(state.next_id());
        state.endpoints.insert(id, Endpoint { id, ..endpoint.clone() });
        Ok(id)
    }

    async fn update_endpoint(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.provider_exists(endpoint.provider)?;
        replace(&mut state.endpoints, "endpoint", endpoint.id, endpoint)
    }

    async fn delete_endpoint(&self, id: EndpointId) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        if !state.endpoints.contains_key(&id) {
            return Err(StoreError::not_found("endpoint", id));
        }
        state.remove_endpoints(|endpoint| endpoint.id == id);
        Ok(())
    }

    async fn create_key(&self, key: &ProviderKey) -> Result<KeyId, StoreError> {
        let mut state = lock(&self.state);
        state.check_key(key)?;
        let id = KeyId(state.next_id());
        state.keys.insert(id, ProviderKey { id, ..key.clone() });
        Ok(id)
    }

    async fn update_key(&self, key: &ProviderKey) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.check_key(key)?;
        replace(&mut state.keys, "provider key", key.id, key)
    }

    async fn delete_key(&self, id: KeyId) -> Result<(), StoreError> {
        let removed = lock(&self.state).keys.remove(&id);
        removed.map(drop).ok_or_else(|| StoreError::not_found("provider key", id))
    }

    async fn put_global_model(&self, model: &GlobalModel) -> Result<(), StoreError> {
        lock(&self.state).global_models.insert(model.name.clone(), model.clone());
        Ok(())
    }

    async fn delete_global_model(&self, name: &str) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.global_models.remove(name).ok_or_else(|| StoreError::not_found("global model", name))?;
        state.models.retain(|(global, _), _| global != name);
        Ok(())
    }

    async fn put_model(&self, model: &Model) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.check_model(model)?;
        state.models.insert((model.global.clone(), model.provider), model.clone());
        Ok(())
    }

    async fn delete_model(&self, global: &str, provider: ProviderId) -> Result<(), StoreError> {
        let removed = lock(&self.state).models.remove(&(global.to_owned(), provider));
        removed.map(drop).ok_or_else(|| StoreError::not_found("model", format!("{global}@{provider}")))
    }
}
