//! The catalogue compiled for selection: per model and request format, every route in its static order.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::WireFormat;
use crate::catalogue::{Catalogue, Endpoint, EndpointId, Features, KeyId, Provider, ProviderKey};
use crate::fast_map::FastMap;
use crate::schedule::Mode;

/// Why a catalogue cannot be compiled: the message names the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// Two entries of one kind share an id or a name.
    #[error("duplicate {kind} `{id}`")]
    Duplicate {
        /// The kind of entry (`provider`, `endpoint`, `key`, `model name`).
        kind: &'static str,
        /// The repeated id or name.
        id: String,
    },
    /// An entry refers to one that does not exist or belongs to another provider.
    #[error("{from} refers to unknown {kind} `{id}`")]
    Dangling {
        /// The referring entry.
        from: String,
        /// The kind of entry referred to.
        kind: &'static str,
        /// The id or name referred to.
        id: String,
    },
    /// A key forces a capability it does not have.
    #[error("key {key} forces capabilities it does not have")]
    ForcedWithoutCapability {
        /// The key.
        key: KeyId,
    },
}

/// One way to serve a model: a key on an endpoint, under an upstream name.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub(crate) provider: u32,
    pub(crate) endpoint: u32,
    pub(crate) key: u32,
    pub(crate) key_id: KeyId,
    weight: u32,
    pub(crate) upstream_model: Box<str>,
    pub(crate) cross_format: bool,
    pub(crate) features: Features,
}

/// The routes of one model for one request format, sorted statically and cut into tiers of equal rank.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub(crate) routes: Vec<Route>,
    /// Consecutive ranges of `routes` that tie on rank; the tie-break is per client.
    pub(crate) tiers: Vec<Tier>,
    /// `(key id, weight)` of each route, contiguous: the tie-break pass reads only this.
    pub(crate) spread: Vec<(KeyId, u32)>,
    pub(crate) by_target: FastMap<(EndpointId, KeyId), u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct Tier {
    pub(crate) range: Range<u32>,
    pub(crate) weighted: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) name: String,
    tables: [Table; 4],
}

impl Entry {
    pub(crate) fn table(&self, format: WireFormat) -> &Table {
        &self.tables[format_index(format)]
    }
}

const fn format_index(format: WireFormat) -> usize {
    match format {
        WireFormat::OpenAiChat => 0,
        WireFormat::OpenAiResponses => 1,
        WireFormat::Anthropic => 2,
        WireFormat::Gemini => 3,
    }
}

/// An immutable, precompiled view of a [`Catalogue`] in one scheduling [`Mode`]: build it when the
/// catalogue changes, share it behind an `Arc`, and select from it per request with
/// [`Snapshot::candidates`]. Disabled providers, endpoints and keys are left out.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub(crate) mode: Mode,
    pub(crate) providers: Vec<Provider>,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) keys: Vec<ProviderKey>,
    names: FastMap<String, u32>,
    entries: Vec<Entry>,
}

impl Snapshot {
    /// Validates and compiles `catalogue` for `mode`.
    pub fn compile(catalogue: &Catalogue, mode: Mode) -> Result<Snapshot, CatalogueError> {
        validate(catalogue)?;
        let providers: Vec<Provider> = catalogue.providers.iter().filter(|p| p.enabled).cloned().collect();
        let provider_index: HashMap<_, _> =
            providers.iter().enumerate().map(|(i, p)| (p.id, i as u32)).collect();
        let endpoints: Vec<Endpoint> = catalogue
            .endpoints
            .iter()
            .filter(|e| e.enabled && provider_index.contains_key(&e.provider))
            .cloned()
            .collect();
        let keys: Vec<ProviderKey> = catalogue
            .keys
            .iter()
            .filter(|k| k.enabled && provider_index.contains_key(&k.provider))
            .cloned()
            .collect();
        let mut names = FastMap::default();
        let mut entries = Vec::new();
        for global in &catalogue.global_models {
            let index = entries.len() as u32;
            for name in std::iter::once(&global.name).chain(&global.aliases) {
                names.insert(name.clone(), index);
            }
            let tables = WireFormat::ALL.map(|format| {
                let mut routes = Vec::new();
                for model in catalogue.models.iter().filter(|m| m.global == global.name) {
                    let Some(&provider) = provider_index.get(&model.provider) else { continue };
                    let features = model.features.unwrap_or(global.features);
                    for (e, endpoint) in
                        endpoints.iter().enumerate().filter(|(_, e)| e.provider == model.provider)
                    {
                        let mapping = model.mappings.iter().find(|m| m.endpoint == endpoint.id);
                        if endpoint.format != format && mapping.is_none() {
                            continue;
                        }
                        let name =
                            mapping.and_then(|m| m.upstream_name.as_deref()).unwrap_or(&model.upstream_name);
                        let serving = keys.iter().enumerate().filter(|(_, k)| {
                            k.provider == model.provider && k.endpoint.is_none_or(|id| id == endpoint.id)
                        });
                        for (k, key) in serving {
                            routes.push(Route {
                                provider,
                                endpoint: e as u32,
                                key: k as u32,
                                key_id: key.id,
                                weight: key.weight.unwrap_or(1),
                                upstream_model: name.into(),
                                cross_format: endpoint.format != format,
                                features,
                            });
                        }
                    }
                }
                table(routes, mode, &providers, &endpoints, &keys)
            });
            entries.push(Entry { name: global.name.clone(), tables });
        }
        Ok(Snapshot { mode, providers, endpoints, keys, names, entries })
    }

    /// The scheduling mode it was compiled for.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The canonical name of the model a client calls `name`, if it is configured.
    pub fn canonical_model(&self, name: &str) -> Option<&str> {
        self.entry(name).map(|e| e.name.as_str())
    }

    pub(crate) fn entry(&self, name: &str) -> Option<&Entry> {
        self.names.get(name).and_then(|&i| self.entries.get(i as usize))
    }
}

/// The static rank of a route: what decides the order before the per-client tie-break.
fn rank(route: &Route, mode: Mode, providers: &[Provider], keys: &[ProviderKey]) -> (i32, i32, bool) {
    let key = &keys[route.key as usize];
    match mode {
        Mode::Provider => (providers[route.provider as usize].priority, key.priority, route.cross_format),
        Mode::GlobalKey => (key.global_priority, 0, route.cross_format),
    }
}

fn table(
    mut routes: Vec<Route>,
    mode: Mode,
    providers: &[Provider],
    endpoints: &[Endpoint],
    keys: &[ProviderKey],
) -> Table {
    let endpoint_id = |r: &Route| endpoints[r.endpoint as usize].id;
    routes.sort_by_key(|r| (rank(r, mode, providers, keys), r.key_id, endpoint_id(r)));
    let mut seen = HashSet::new();
    routes.retain(|r| seen.insert((endpoint_id(r), r.key_id)));
    let mut tiers: Vec<Tier> = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let i = i as u32;
        let same = tiers.last().is_some_and(|t| {
            rank(&routes[t.range.start as usize], mode, providers, keys) == rank(route, mode, providers, keys)
        });
        match tiers.last_mut() {
            Some(tier) if same => {
                tier.range.end = i + 1;
                tier.weighted |= route.weight != routes[tier.range.start as usize].weight;
            }
            _ => tiers.push(Tier { range: i..i + 1, weighted: route.weight != 1 }),
        }
    }
    let by_target = routes.iter().enumerate().map(|(i, r)| ((endpoint_id(r), r.key_id), i as u32)).collect();
    let spread = routes.iter().map(|r| (r.key_id, r.weight)).collect();
    Table { routes, tiers, spread, by_target }
}

fn validate(catalogue: &Catalogue) -> Result<(), CatalogueError> {
    fn unique<T: std::hash::Hash + Eq + ToString>(
        kind: &'static str,
        ids: impl Iterator<Item = T>,
    ) -> Result<HashSet<T>, CatalogueError> {
        let mut seen = HashSet::new();
        for id in ids {
            let text = id.to_string();
            if !seen.insert(id) {
                return Err(CatalogueError::Duplicate { kind, id: text });
            }
        }
        Ok(seen)
    }
    let dangling = |from: String, kind, id: String| CatalogueError::Dangling { from, kind, id };
    let providers = unique("provider", catalogue.providers.iter().map(|p| p.id))?;
    unique("endpoint", catalogue.endpoints.iter().map(|e| e.id))?;
    unique("key", catalogue.keys.iter().map(|k| k.id))?;
    let globals = unique(
        "model name",
        catalogue.global_models.iter().flat_map(|g| std::iter::once(&g.name).chain(&g.aliases)),
    )?;
    let endpoint_of: HashMap<_, _> = catalogue.endpoints.iter().map(|e| (e.id, e.provider)).collect();
    for endpoint in &catalogue.endpoints {
        if !providers.contains(&endpoint.provider) {
            return Err(dangling(
                format!("endpoint {}", endpoint.id),
                "provider",
                endpoint.provider.to_string(),
            ));
        }
    }
    for key in &catalogue.keys {
        if !providers.contains(&key.provider) {
            return Err(dangling(format!("key {}", key.id), "provider", key.provider.to_string()));
        }
        if let Some(endpoint) = key.endpoint
            && endpoint_of.get(&endpoint) != Some(&key.provider)
        {
            return Err(dangling(
                format!("key {}", key.id),
                "endpoint of its provider",
                endpoint.to_string(),
            ));
        }
        if !key.capabilities.contains(key.force) {
            return Err(CatalogueError::ForcedWithoutCapability { key: key.id });
        }
    }
    for model in &catalogue.models {
        let from = || format!("model `{}` of provider {}", model.global, model.provider);
        if !globals.contains(&model.global) {
            return Err(dangling(from(), "global model", model.global.clone()));
        }
        if !providers.contains(&model.provider) {
            return Err(dangling(from(), "provider", model.provider.to_string()));
        }
        if let Some(m) = model.mappings.iter().find(|m| endpoint_of.get(&m.endpoint) != Some(&model.provider))
        {
            return Err(dangling(from(), "endpoint of its provider", m.endpoint.to_string()));
        }
    }
    Ok(())
}
