//! The command line: `serve` (the default), `migrate`, `keys create`, `config check`.

use std::io::Write;
use std::path::{Path, PathBuf};

use aether_core::store::ClientKey;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::secrets::{Secrets, display_prefix, new_client_key};
use crate::state::{AppState, Stores};
use crate::{Error, app, seed};

/// Aether: one self-hosted entry point for the Claude, OpenAI and Gemini APIs and their CLIs.
#[derive(Debug, Parser)]
#[command(name = "aether-server", version, about, long_about)]
pub struct Cli {
    /// The configuration file (default: `./aether.toml` if it exists, else built-in defaults).
    /// Environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway (the default).
    Serve,
    /// Open the database, apply its migrations and exit.
    Migrate,
    /// Client API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key for an existing user and print it once (only its hash is stored).
    Create {
        /// The user's login name.
        #[arg(long)]
        user: String,
        /// A display name for the key (default `cli`).
        #[arg(long)]
        name: Option<String>,
    },
}

/// `config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and validate the configuration; print what it declares, or the error (exit code 2).
    Check,
}

impl Cli {
    /// The config file to read: `--config`, else `./aether.toml` if it exists.
    pub fn config_file(&self) -> Option<PathBuf> {
        let default = Path::new("aether.toml");
        self.config.clone().or_else(|| default.exists().then(|| default.to_owned()))
    }
}

/// Runs `command` with a loaded `config`, writing what the user should see to `out`.
pub async fn run(command: &Command, config: Config, out: &mut (dyn Write + Send)) -> Result<(), Error> {
    let written = |e| Error::io("writing to stdout", e);
    match command {
        Command::Serve => {
            let address = config.server.listen_addr();
            let threads = config.server.threads();
            let address = tokio::net::lookup_host(&address)
                .await
                .map_err(|e| Error::io(format!("resolving {address}"), e))?
                .next()
                .ok_or_else(|| Error::NotFound(format!("no address for {address}")))?;
            let state = AppState::open(config).await?;
            let listeners = app::Listeners::bind(address, threads)?;
            app::serve(state, listeners).await
        }
        Command::Migrate => {
            let secrets = Secrets::load_or_generate(&config)?;
            let (_, store) = Stores::open(&config, &secrets).await?;
            store.close().await;
            writeln!(out, "database migrated: {}", redact_url(&config.server.database_url())).map_err(written)
        }
        Command::Keys(KeysCommand::Create { user, name }) => {
            let key = create_key(&config, user, name.as_deref().unwrap_or("cli")).await?;
            writeln!(out, "{key}").map_err(written)
        }
        Command::Config(ConfigCommand::Check) => writeln!(out, "ok: {}", config.summary()).map_err(written),
    }
}

/// Creates a key for the user named `user` (seeding the config first, so a declared user exists);
/// returns the key, of which only the hash and display prefix are stored.
pub async fn create_key(config: &Config, user: &str, name: &str) -> Result<String, Error> {
    let secrets = Secrets::load_or_generate(config)?;
    let (stores, store) = Stores::open(config, &secrets).await?;
    seed::seed(config, &stores).await?;
    let found = stores.accounts.users().await?.into_iter().find(|u| u.name == user);
    let owner = found.ok_or_else(|| Error::NotFound(format!("no user named `{user}`")))?;
    let key = new_client_key(&config.server.api_key_prefix)?;
    let record = ClientKey {
        user: Some(owner.id),
        created_at: aether_core::Timestamp::from_system_time(std::time::SystemTime::now()),
        ..ClientKey::new(name, aether_core::store::KeyHash::of(&key), display_prefix(&key))
    };
    stores.accounts.create_key(&record).await?;
    store.close().await;
    Ok(key)
}

/// A database URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://***{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}
