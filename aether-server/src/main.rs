//! `aether-server`: the reference Aether gateway.
//!
//! Run with: `cargo run --release -p aether-server -- --help`

use std::process::ExitCode;

use aether_server::cli::{Cli, Command, ConfigCommand};
use aether_server::config::{Config, process_env};
use clap::Parser;

/// A request makes a few hundred small allocations; mimalloc serves them in a fraction of the
/// instructions glibc's malloc takes. (Built without transparent huge pages, which would round its
/// arenas' resident memory up to 2 MiB pages.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = cli.config_file();
    let command = cli.command.unwrap_or(Command::Serve);
    let config = match Config::load(file.as_deref(), &process_env) {
        Ok(config) => config,
        Err(error) => {
            let source = file.map_or_else(|| "defaults".to_owned(), |f| f.display().to_string());
            eprintln!("aether-server: invalid configuration ({source}): {error}");
            return ExitCode::from(2);
        }
    };
    if !matches!(command, Command::Config(ConfigCommand::Check)) {
        let filter = tracing_subscriber::EnvFilter::new(&config.server.log_level);
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init();
    }
    // Start-up, the batch writer and the refresh task; requests are served on threads of their own
    // (`app::serve_threads`).
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("aether-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    match runtime.block_on(aether_server::cli::run(&command, config, &mut stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("aether-server: {error}");
            match error {
                aether_server::Error::Config(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
