//! `aether-server`: the reference Aether gateway.
//!
//! Run with: `cargo run --release -p aether-server -- --help`

use clap::Parser;

/// Aether: one self-hosted entry point for the Claude, OpenAI and Gemini APIs and their CLIs.
///
/// This build carries the protocol core (the four wire formats and translation between them); the
/// gateway server, its store and its admin API are assembled on top of it.
#[derive(Debug, Parser)]
#[command(name = "aether-server", version, about, long_about)]
struct Cli {}

fn main() {
    let Cli {} = Cli::parse();
    let mut command = <Cli as clap::CommandFactory>::command();
    // Nothing to serve yet: say what the binary is.
    if let Err(err) = command.print_long_help() {
        eprintln!("aether-server: {err}");
        std::process::exit(1);
    }
}
