//! What every handler shares: the config, the stores, the batch writer, and the live views
//! (catalogue snapshot, prices, settings) that are reloaded on an interval and on demand.

use std::sync::Arc;
use std::time::Duration;

use aether_core::catalogue::GlobalModel;
use aether_core::pricing::PriceTable;
use aether_core::schedule::Snapshot;
use aether_core::store::{
    Accounts, CatalogueStore, PriceStore, Settings, SettingsStore, TraceStore, UsageSink,
};
use aether_store::{BatchConfig, BatchWriter, Cipher, SqliteStore};
use aether_tower::UpstreamTransport;
use aether_tower::failover::SnapshotSource;
use arc_swap::ArcSwap;

use crate::config::Config;
use crate::gateway::Layers;
use crate::secrets::Secrets;
use crate::{Error, seed};

/// The storage traits, all served by one backend.
#[derive(Clone)]
pub struct Stores {
    /// Users and client keys.
    pub accounts: Arc<dyn Accounts>,
    /// Providers, endpoints, provider keys, models.
    pub catalogue: Arc<dyn CatalogueStore>,
    /// Price schedules.
    pub prices: Arc<dyn PriceStore>,
    /// Gateway settings.
    pub settings: Arc<dyn SettingsStore>,
    /// Usage records.
    pub usage: Arc<dyn UsageSink>,
    /// Request traces.
    pub traces: Arc<dyn TraceStore>,
}

impl Stores {
    /// Every trait on one SQLite store.
    pub fn sqlite(store: Arc<SqliteStore>) -> Stores {
        Stores {
            accounts: store.clone(),
            catalogue: store.clone(),
            prices: store.clone(),
            settings: store.clone(),
            usage: store.clone(),
            traces: store,
        }
    }

    /// Opens (and migrates) the configured database with the server's encryption key.
    pub async fn open(config: &Config, secrets: &Secrets) -> Result<(Stores, Arc<SqliteStore>), Error> {
        let url = config.server.database_url();
        if config.server.database_url.is_none() {
            let dir = &config.server.data_dir;
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        let store = Arc::new(SqliteStore::open(&url, Cipher::new(secrets.encryption_key)).await?);
        Ok((Stores::sqlite(store.clone()), store))
    }
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stores").finish_non_exhaustive()
    }
}

/// The compiled catalogue the scheduler reads, swapped whole on refresh; with the global models it
/// was compiled from, for listing.
#[derive(Debug)]
pub struct Catalogue {
    snapshot: ArcSwap<Snapshot>,
    models: ArcSwap<Vec<GlobalModel>>,
}

impl Catalogue {
    /// A handle on `snapshot`, compiled from `models`.
    pub fn new(snapshot: Snapshot, models: Vec<GlobalModel>) -> Self {
        Catalogue { snapshot: ArcSwap::from_pointee(snapshot), models: ArcSwap::from_pointee(models) }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The global models of the current snapshot.
    pub fn models(&self) -> Arc<Vec<GlobalModel>> {
        self.models.load_full()
    }

    /// Replaces both.
    pub fn replace(&self, snapshot: Snapshot, models: Vec<GlobalModel>) {
        self.models.store(Arc::new(models));
        self.snapshot.store(Arc::new(snapshot));
    }
}

impl SnapshotSource for Catalogue {
    fn load(&self) -> Arc<Snapshot> {
        self.snapshot()
    }
}

/// The server's shared state; cloning it clones `Arc`s.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The configuration it was opened with.
    pub config: Arc<Config>,
    /// The server's own secrets.
    pub secrets: Arc<Secrets>,
    /// The stores.
    pub stores: Stores,
    /// Usage records and traces, written in batches.
    pub batch: Arc<BatchWriter>,
    /// The compiled catalogue.
    pub catalogue: Arc<Catalogue>,
    /// The price table.
    pub prices: Arc<ArcSwap<PriceTable>>,
    /// The settings.
    pub settings: Arc<ArcSwap<Settings>>,
    /// The request path's layers, with the state they share.
    pub layers: Layers,
    /// The pooled upstream client: each serving thread has its own ([`AppState::with_transport`]).
    pub transport: UpstreamTransport,
    sqlite: Arc<SqliteStore>,
}

impl AppState {
    /// Resolves the secrets, opens and migrates the database, applies the config's declarations
    /// ([`seed::seed`]), starts the batch writer and loads the live views.
    pub async fn open(config: Config) -> Result<AppState, Error> {
        let secrets = Secrets::load_or_generate(&config)?;
        let (stores, sqlite) = Stores::open(&config, &secrets).await?;
        let report = seed::seed(&config, &stores).await?;
        tracing::info!(%report, "configuration applied to the store");
        let (snapshot, models, prices, settings) = load(&stores).await?;
        let transport = transport()?;
        let batch =
            Arc::new(BatchWriter::spawn(stores.usage.clone(), stores.traces.clone(), BatchConfig::default()));
        let catalogue = Arc::new(Catalogue::new(snapshot, models));
        let prices = Arc::new(ArcSwap::from_pointee(prices));
        Ok(AppState {
            config: Arc::new(config),
            secrets: Arc::new(secrets),
            layers: Layers::new(&stores, &batch, &catalogue, &prices),
            stores,
            batch,
            catalogue,
            prices,
            settings: Arc::new(ArcSwap::from_pointee(settings)),
            transport,
            sqlite,
        })
    }

    /// The same state with its own upstream `transport`, for a serving thread: connections are
    /// driven on the thread that opened them.
    pub fn with_transport(&self, transport: UpstreamTransport) -> AppState {
        AppState { transport, ..self.clone() }
    }

    /// Reloads the catalogue, prices and settings now. On error the previous views stay.
    pub async fn refresh(&self) -> Result<(), Error> {
        let (snapshot, models, prices, settings) = load(&self.stores).await?;
        self.settings.store(Arc::new(settings));
        self.prices.store(Arc::new(prices));
        self.catalogue.replace(snapshot, models);
        Ok(())
    }

    /// Refreshes every `catalogue_refresh_secs` until the task is aborted.
    pub fn spawn_refresh(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        let period = Duration::from_secs(self.config.server.catalogue_refresh_secs.max(1));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(error) = state.refresh().await {
                    tracing::warn!(%error, "refresh failed; keeping the previous catalogue");
                }
            }
        })
    }

    /// Writes what the batch writer holds and closes the database.
    pub async fn shutdown(&self) -> Result<(), Error> {
        let drained = self.batch.shutdown().await;
        self.sqlite.close().await;
        drained.map_err(Error::from)
    }
}

/// A pooled upstream client.
pub(crate) fn transport() -> Result<UpstreamTransport, Error> {
    UpstreamTransport::builder().build().map_err(|e| Error::Tls(e.to_string()))
}

async fn load(stores: &Stores) -> Result<(Snapshot, Vec<GlobalModel>, PriceTable, Settings), Error> {
    let (settings, catalogue, prices) =
        tokio::try_join!(stores.settings.settings(), stores.catalogue.load(), stores.prices.load())?;
    let snapshot = Snapshot::compile(&catalogue, settings.priority_mode)?;
    Ok((snapshot, catalogue.global_models, prices, settings))
}
