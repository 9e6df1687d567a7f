//! `aether-load`: runs `aether-server` against a fast local mock and reports the latency it adds over calling
//! the mock directly (p50 / p99, and as ratios, from one run), its CPU time per request and its idle and peak
//! resident memory, with a verdict per goal.
//!
//! Run with: `load/run` (builds the release server and this tool, then runs it), or
//! `cargo run --release -p aether-load -- --help`.
//!
//! Layout: [`mock`] the upstream, [`driver`] the load, [`server`] the process under test and `/proc`,
//! [`proxy`] a stand-in server, [`report`] the table, JSON and verdicts.

mod driver;
mod mock;
mod proxy;
mod report;
mod server;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use clap::{Args, Parser, Subcommand};
use http::{HeaderName, HeaderValue, header};

use crate::driver::{Limit, Target};
use crate::mock::Mock;
use crate::report::{Api, MemoryReport, Report, Scenario, Stats, mib};
use crate::server::{CLIENT_KEY, Launch, Server};

/// Aether's added latency, CPU per request and memory, against a fast local mock.
///
/// Every scenario ({passthrough, translated} × {JSON, SSE} × each concurrency) is measured directly
/// (client → mock) and then through the server (client → server → mock), after a warm-up each.
#[derive(Debug, Parser)]
#[command(name = "aether-load", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve as the stand-in server: a trivial forwarding proxy to UPSTREAM on $APP_PORT.
    #[command(hide = true)]
    StandIn {
        /// Base URL to forward to.
        #[arg(long)]
        upstream: String,
        /// Port to listen on (127.0.0.1).
        #[arg(long, env = "APP_PORT")]
        port: u16,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The aether-server binary [default: $CARGO_TARGET_DIR/release/aether-server, else
    /// target/release/aether-server].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Measure a trivial forwarding proxy instead of Aether: checks the tool, and gives the floor of one hop.
    #[arg(long, conflicts_with = "server_bin")]
    stand_in: bool,
    /// Also measure every scenario through the stand-in proxy, right after the server, in the same run:
    /// the floor of one bare hop, beside each figure and goal.
    #[arg(long, conflicts_with = "stand_in")]
    floor: bool,
    /// Seconds each measured phase lasts.
    #[arg(long, default_value_t = 4.0)]
    secs: f64,
    /// Requests per measured phase, instead of --secs.
    #[arg(long)]
    requests: Option<u64>,
    /// Seconds of warm-up before each measured phase (same load, not recorded).
    #[arg(long, default_value_t = 0.5)]
    warmup_secs: f64,
    /// Concurrency levels, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 64])]
    concurrency: Vec<usize>,
    /// Only these scenarios, comma-separated: `passthrough-json`, `passthrough-sse`, `translated-json`,
    /// `translated-sse` [default: all four].
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Seconds the server idles after start-up before its idle RSS is read.
    #[arg(long, default_value_t = 2.0)]
    idle_secs: f64,
    /// Worker threads of the driver's runtime (the mock has one of its own).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Seconds to wait for the server's GET /health = 200.
    #[arg(long, default_value_t = 30.0)]
    start_timeout_secs: f64,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    match dispatch(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Display, not Debug: a server that failed to start shows its log as written.
            eprintln!("aether-load: {err}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), Box<dyn Error>> {
    match cli.command {
        Some(Command::StandIn { upstream, port }) => {
            let upstream = upstream.parse()?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(proxy::serve(upstream, port))?;
        }
        None => {
            let report = run(&cli.run)?;
            print!("{}", report.render());
            if let Some(path) = &cli.run.json {
                std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
                eprintln!("JSON report written to {}", path.display());
            }
        }
    }
    Ok(())
}

fn default_server_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("release").join("aether-server")
}

fn run(args: &RunArgs) -> Result<Report, Box<dyn Error>> {
    let launch = if args.stand_in {
        Launch::StandIn(std::env::current_exe()?)
    } else {
        let bin = args.server_bin.clone().unwrap_or_else(default_server_bin);
        if !bin.is_file() {
            return Err(format!(
                "no server binary at {}: build it with `cargo build --release -p aether-server`, or pass \
                 --server-bin (or --stand-in to check the tool alone)",
                bin.display()
            )
            .into());
        }
        Launch::Aether(bin)
    };
    let mock = Mock::start()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .thread_name("driver")
        .enable_all()
        .build()?;
    runtime.block_on(measure(args, &launch, &mock))
}

/// The chat request every scenario sends; only its envelope changes with the format.
const SYSTEM: &str = "You are a terse assistant. Use the tools when they help.";
const QUESTION: &str = "What is the weather in Paris and in Tokyo right now? Answer in one sentence.";

/// The request an OpenAI Chat client sends.
fn chat_body(stream: bool) -> Bytes {
    let stream = if stream { r#","stream":true,"stream_options":{"include_usage":true}"# } else { "" };
    Bytes::from(format!(
        r#"{{"model":"{model}","messages":[{{"role":"system","content":"{SYSTEM}"}},{{"role":"user","content":"{QUESTION}"}}],"max_completion_tokens":512,"temperature":0.2{stream}}}"#,
        model = server::MODEL
    ))
}

/// The request an Anthropic client sends.
fn messages_body(stream: bool) -> Bytes {
    let stream = if stream { r#","stream":true"# } else { "" };
    Bytes::from(format!(
        r#"{{"model":"{model}","max_tokens":512,"system":"{SYSTEM}","messages":[{{"role":"user","content":"{QUESTION}"}}],"temperature":0.2{stream}}}"#,
        model = server::MODEL
    ))
}

/// The same request aimed at the mock (direct) and at the server (through).
fn targets(api: Api, stream: bool, mock: &str, server: &str) -> Result<(Target, Target), Box<dyn Error>> {
    let (path, body, headers) = match api {
        Api::Passthrough => (
            "/v1/chat/completions",
            chat_body(stream),
            vec![(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {CLIENT_KEY}"))?)],
        ),
        Api::Translated => (
            "/v1/messages",
            messages_body(stream),
            vec![
                (HeaderName::from_static("x-api-key"), HeaderValue::from_static(CLIENT_KEY)),
                (HeaderName::from_static("anthropic-version"), HeaderValue::from_static("2023-06-01")),
            ],
        ),
    };
    Ok((
        Target::new(&format!("{mock}{path}"), headers.clone(), body.clone())?,
        Target::new(&format!("{server}{path}"), headers, body)?,
    ))
}

async fn measure(args: &RunArgs, launch: &Launch, mock: &Mock) -> Result<Report, Box<dyn Error>> {
    let phase = match args.requests {
        Some(count) => Limit::Requests(count),
        None => Limit::Time(Duration::try_from_secs_f64(args.secs)?),
    };
    let warmup = Duration::try_from_secs_f64(args.warmup_secs)?;
    let load_at_start = server::load_average();
    let client = driver::client();
    let (ticks_per_sec, ticks_read) = server::clock_ticks();
    let server_label = match launch {
        Launch::Aether(bin) => format!("aether-server ({})", bin.display()),
        Launch::StandIn(_) => "STAND-IN forwarding proxy, not Aether (--stand-in)".to_owned(),
    };
    eprintln!("mock on {}; starting {server_label}", mock.addr());
    let start_timeout = Duration::try_from_secs_f64(args.start_timeout_secs)?;
    let mut server = Server::start(launch, &mock.base_url(), &client, start_timeout).await?;
    let pid = server.pid();
    eprintln!("server pid {pid} on {} (data dir {})", server.base_url(), server.dir().display());
    let mut floor = None;
    if args.floor {
        let launch = Launch::StandIn(std::env::current_exe()?);
        let stand_in = Server::start(&launch, &mock.base_url(), &client, start_timeout).await?;
        eprintln!("stand-in pid {} on {} (the floor)", stand_in.pid(), stand_in.base_url());
        floor = Some(stand_in);
    }
    tokio::time::sleep(Duration::try_from_secs_f64(args.idle_secs)?).await;
    let mut memory = MemoryReport {
        idle_rss_mib: server::memory(pid).ok().map(|m| mib(m.rss_kib)),
        ..MemoryReport::default()
    };
    let top_concurrency = args.concurrency.iter().copied().max().unwrap_or(1);

    let mut scenarios = Vec::new();
    for api in [Api::Passthrough, Api::Translated] {
        for stream in [false, true] {
            let kind = format!("{}-{}", api.label(), if stream { "sse" } else { "json" });
            if !args.only.is_empty() && !args.only.contains(&kind) {
                continue;
            }
            for &concurrency in &args.concurrency {
                let (direct, through) = targets(api, stream, &mock.base_url(), &server.base_url())?;
                driver::drive(&client, &direct, concurrency, Limit::Time(warmup)).await;
                let direct = driver::drive(&client, &direct, concurrency, phase).await;
                let drive = Drive { client: &client, concurrency, warmup, phase, ticks_per_sec };
                let (through, cpu) = drive.through(&through, pid).await;
                if concurrency == top_concurrency
                    && let Ok(now) = server::memory(pid)
                {
                    let rss = mib(now.rss_kib);
                    memory.rss_after_c64_mib = Some(memory.rss_after_c64_mib.map_or(rss, |m| m.max(rss)));
                }
                let mut scenario =
                    Scenario::new(api, stream, concurrency, Stats::of(&direct), Stats::of(&through), cpu);
                if let Some(floor) = &floor {
                    let (_, target) = targets(api, stream, &mock.base_url(), &floor.base_url())?;
                    let (through, cpu) = drive.through(&target, floor.pid()).await;
                    scenario = scenario.with_floor(Stats::of(&through), cpu);
                }
                let us = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} µs"));
                eprintln!(
                    "{:<22} direct p50 {:>11}  through p50 {:>11}  added {:>11}  errors {}/{}",
                    scenario.name(),
                    us(scenario.direct.p50_us),
                    us(scenario.through.p50_us),
                    us(scenario.added_p50_us),
                    scenario.direct.errors,
                    scenario.through.errors
                );
                scenarios.push(scenario);
            }
        }
    }
    memory.peak_hwm_mib = server::memory(pid).ok().map(|m| mib(m.hwm_kib));
    server.stop(Duration::from_secs(5));
    if let Some(floor) = &mut floor {
        floor.stop(Duration::from_secs(5));
    }

    let phases = match phase {
        Limit::Time(d) => format!("{:.1} s each", d.as_secs_f64()),
        Limit::Requests(n) => format!("{n} requests each"),
    };
    Ok(Report {
        caveat: report::CAVEAT,
        server: server_label,
        phases: format!(
            "{phases}, after {:.1} s of warm-up; concurrency {:?}; driver threads {}",
            warmup.as_secs_f64(),
            args.concurrency,
            args.client_threads
        ),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        load_average: [load_at_start, server::load_average()],
        clock_ticks_per_sec: ticks_per_sec,
        clock_ticks_read: ticks_read,
        goals: report::goals(&scenarios, &memory),
        scenarios,
        memory,
    })
}

/// How a scenario's phases through a server are driven.
struct Drive<'a> {
    client: &'a driver::HttpClient,
    concurrency: usize,
    warmup: Duration,
    phase: Limit,
    ticks_per_sec: u64,
}

impl Drive<'_> {
    /// Drives `target` after a warm-up; with the CPU time of process `pid` per successful request, in µs.
    async fn through(&self, target: &Target, pid: u32) -> (driver::Outcome, Option<f64>) {
        driver::drive(self.client, target, self.concurrency, Limit::Time(self.warmup)).await;
        let before = server::cpu_ticks(pid).ok();
        let outcome = driver::drive(self.client, target, self.concurrency, self.phase).await;
        let after = server::cpu_ticks(pid).ok();
        let cpu = match (before, after) {
            (Some(before), Some(after)) if outcome.ok > 0 => {
                let us = after.saturating_sub(before) as f64 * 1e6 / self.ticks_per_sec as f64;
                Some(report::round1(us / outcome.ok as f64))
            }
            _ => None,
        };
        (outcome, cpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_json_and_ask_for_a_stream_only_when_streaming() {
        for stream in [false, true] {
            for body in [chat_body(stream), messages_body(stream)] {
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(json["model"], server::MODEL);
                assert_eq!(mock::stream_flag(&body), stream);
            }
        }
        let chat: serde_json::Value = serde_json::from_slice(&chat_body(true)).unwrap();
        assert_eq!(chat["stream_options"]["include_usage"], true);
    }

    #[test]
    fn translated_targets_carry_anthropic_credentials() {
        let (direct, through) =
            targets(Api::Translated, true, "http://127.0.0.1:1", "http://127.0.0.1:2").unwrap();
        let request = through.request();
        assert_eq!(request.uri(), "http://127.0.0.1:2/v1/messages");
        assert_eq!(request.headers()["x-api-key"], CLIENT_KEY);
        assert_eq!(request.headers()["anthropic-version"], "2023-06-01");
        assert_eq!(direct.request().uri(), "http://127.0.0.1:1/v1/messages");
    }
}
