//! What a run found: per scenario the direct and through-Aether percentiles, the added latency and the ratio,
//! the server's CPU time per request and memory, and a verdict per goal. Rendered as a table for people and
//! serialised as JSON for scripts.

use std::fmt::Write as _;

use serde::Serialize;

use crate::driver::Outcome;

/// Said in every report, table and JSON alike.
pub(crate) const CAVEAT: &str = "Figures are from one run on a shared machine: they move between runs; compare \
     ratios from the same run rather than absolute figures across runs.";

/// How the client's format relates to the upstream's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Api {
    /// OpenAI Chat client → OpenAI Chat upstream.
    Passthrough,
    /// Anthropic Messages client → OpenAI Chat upstream.
    Translated,
}

impl Api {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Api::Passthrough => "passthrough",
            Api::Translated => "translated",
        }
    }
}

/// One side of a scenario (direct or through), in µs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stats {
    /// Median latency (`None`: no successful request).
    pub(crate) p50_us: Option<f64>,
    /// 99th percentile latency.
    pub(crate) p99_us: Option<f64>,
    /// Highest latency.
    pub(crate) max_us: Option<f64>,
    /// Successful requests measured.
    pub(crate) requests: u64,
    /// Failed requests.
    pub(crate) errors: u64,
    /// Successful requests per second of the phase.
    pub(crate) requests_per_sec: f64,
    /// The first failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) first_error: Option<String>,
}

impl Stats {
    /// Percentiles and throughput of one phase.
    pub(crate) fn of(outcome: &Outcome) -> Stats {
        let measured = outcome.ok > 0;
        let us = |ns: u64| measured.then(|| round1(ns as f64 / 1000.0));
        let secs = outcome.elapsed.as_secs_f64();
        Stats {
            p50_us: us(outcome.latency.value_at_quantile(0.50)),
            p99_us: us(outcome.latency.value_at_quantile(0.99)),
            max_us: us(outcome.latency.max()),
            requests: outcome.ok,
            errors: outcome.errors,
            requests_per_sec: if secs > 0.0 { (outcome.ok as f64 / secs).round() } else { 0.0 },
            first_error: outcome.first_error.clone(),
        }
    }

    /// Whether the figures mean something: requests measured and none failed.
    pub(crate) fn clean(&self) -> bool {
        self.requests > 0 && self.errors == 0
    }
}

/// One scenario, measured directly and through the server one after the other.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Scenario {
    /// `passthrough json c1`, `translated sse c64`, ….
    pub(crate) name: String,
    /// Passthrough or translated.
    pub(crate) api: Api,
    /// Streaming (SSE) or not.
    pub(crate) stream: bool,
    /// Concurrent workers.
    pub(crate) concurrency: usize,
    /// Client → mock.
    pub(crate) direct: Stats,
    /// Client → server → mock.
    pub(crate) through: Stats,
    /// through p50 − direct p50 (`None` unless both sides have successful requests; likewise below).
    pub(crate) added_p50_us: Option<f64>,
    /// through p99 − direct p99.
    pub(crate) added_p99_us: Option<f64>,
    /// through p50 / direct p50.
    pub(crate) ratio_p50: Option<f64>,
    /// through p99 / direct p99.
    pub(crate) ratio_p99: Option<f64>,
    /// Server CPU time (user + system) during the through phase, per successful request.
    pub(crate) server_cpu_us_per_request: Option<f64>,
    /// The same requests through the stand-in proxy, right after (`--floor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) floor: Option<Floor>,
}

/// A scenario through the stand-in proxy in the same run: what one bare hop adds and costs.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Floor {
    /// Client → stand-in → mock.
    pub(crate) through: Stats,
    /// Its p50 − the scenario's direct p50.
    pub(crate) added_p50_us: Option<f64>,
    /// Its p99 − the scenario's direct p99.
    pub(crate) added_p99_us: Option<f64>,
    /// The stand-in's CPU time per successful request.
    pub(crate) cpu_us_per_request: Option<f64>,
}

impl Scenario {
    /// Derives the added latency and ratios.
    pub(crate) fn new(
        api: Api,
        stream: bool,
        concurrency: usize,
        direct: Stats,
        through: Stats,
        server_cpu_us_per_request: Option<f64>,
    ) -> Scenario {
        let ratio = |through: Option<f64>, direct: Option<f64>| {
            let direct = direct.filter(|&d| d > 0.0)?;
            Some(round2(through? / direct))
        };
        let name = format!("{} {} c{concurrency}", api.label(), if stream { "sse" } else { "json" });
        Scenario {
            name,
            api,
            stream,
            concurrency,
            added_p50_us: added(through.p50_us, direct.p50_us),
            added_p99_us: added(through.p99_us, direct.p99_us),
            ratio_p50: ratio(through.p50_us, direct.p50_us),
            ratio_p99: ratio(through.p99_us, direct.p99_us),
            direct,
            through,
            server_cpu_us_per_request,
            floor: None,
        }
    }

    /// The scenario with its requests through the stand-in: `through`, at `cpu` µs per request.
    pub(crate) fn with_floor(self, through: Stats, cpu: Option<f64>) -> Scenario {
        let floor = Floor {
            added_p50_us: added(through.p50_us, self.direct.p50_us),
            added_p99_us: added(through.p99_us, self.direct.p99_us),
            cpu_us_per_request: cpu,
            through,
        };
        Scenario { floor: Some(floor), ..self }
    }

    /// Whether the floor was measured cleanly, when there is one.
    fn floor_clean(&self) -> Option<&Floor> {
        self.floor.as_ref().filter(|floor| floor.through.clean() && self.direct.clean())
    }

    /// `passthrough json c1`, `translated sse c64`, ….
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// The server's resident memory, in MiB.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct MemoryReport {
    /// `VmRSS` after start-up and a short idle.
    pub(crate) idle_rss_mib: Option<f64>,
    /// The highest `VmRSS` read right after a concurrency-64 phase.
    pub(crate) rss_after_c64_mib: Option<f64>,
    /// `VmHWM` at the end of the run: the most ever resident.
    pub(crate) peak_hwm_mib: Option<f64>,
}

/// KiB → MiB, one decimal.
pub(crate) fn mib(kib: u64) -> f64 {
    round1(kib as f64 / 1024.0)
}

/// One goal from the issue and how this run did against it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Goal {
    /// What is measured, and where.
    pub(crate) goal: String,
    /// The bound (at most).
    pub(crate) limit: f64,
    /// µs or MiB.
    pub(crate) unit: &'static str,
    /// The figure, if it could be measured cleanly.
    pub(crate) measured: Option<f64>,
    /// `measured ≤ limit`; `None` when not measured.
    pub(crate) met: Option<bool>,
    /// The same figure through the stand-in proxy in the same run (`--floor`): one bare hop's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) floor: Option<f64>,
}

impl Goal {
    fn new(goal: String, limit: f64, unit: &'static str, measured: Option<f64>) -> Goal {
        Goal { goal, limit, unit, met: measured.map(|m| m <= limit), measured, floor: None }
    }

    fn with_floor(self, floor: Option<f64>) -> Goal {
        Goal { floor, ..self }
    }
}

/// The goals, with auth, limits, metering and trace all on: at concurrency 1, added p50 ≤ 30 µs and added
/// p99 ≤ 100 µs passthrough / ≤ 150 µs translated; ≤ 50 µs of server CPU per request (worst scenario); idle
/// RSS ≤ 20 MiB; peak RSS ≤ 64 MiB over the concurrency-64 phases.
pub(crate) fn goals(scenarios: &[Scenario], memory: &MemoryReport) -> Vec<Goal> {
    let mut goals = Vec::new();
    for scenario in scenarios.iter().filter(|s| s.concurrency == 1) {
        let clean = scenario.direct.clean() && scenario.through.clean();
        let p99_limit = match scenario.api {
            Api::Passthrough => 100.0,
            Api::Translated => 150.0,
        };
        let name = scenario.name();
        let floor = scenario.floor_clean();
        goals.push(
            Goal::new(format!("{name}: added p50"), 30.0, "µs", scenario.added_p50_us.filter(|_| clean))
                .with_floor(floor.and_then(|floor| floor.added_p50_us)),
        );
        goals.push(
            Goal::new(format!("{name}: added p99"), p99_limit, "µs", scenario.added_p99_us.filter(|_| clean))
                .with_floor(floor.and_then(|floor| floor.added_p99_us)),
        );
    }
    let worst_cpu = scenarios
        .iter()
        .filter(|s| s.through.clean())
        .filter_map(|s| s.server_cpu_us_per_request.map(|cpu| (cpu, s)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let cpu_goal = match &worst_cpu {
        Some((_, s)) => format!("server CPU per request (worst: {})", s.name()),
        None => "server CPU per request".to_owned(),
    };
    let cpu_floor = worst_cpu.and_then(|(_, s)| s.floor_clean()?.cpu_us_per_request);
    goals.push(Goal::new(cpu_goal, 50.0, "µs", worst_cpu.map(|(cpu, _)| cpu)).with_floor(cpu_floor));
    goals.push(Goal::new("idle RSS".to_owned(), 20.0, "MiB", memory.idle_rss_mib));
    let peak = match (memory.peak_hwm_mib, memory.rss_after_c64_mib) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    goals.push(Goal::new("peak RSS (VmHWM) with the concurrency-64 phases".to_owned(), 64.0, "MiB", peak));
    goals
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    /// [`CAVEAT`].
    pub(crate) caveat: &'static str,
    /// What stood "through": the server binary or the stand-in.
    pub(crate) server: String,
    /// CPUs available to the run.
    pub(crate) cores: usize,
    /// How each phase was bounded, and the warm-up.
    pub(crate) phases: String,
    /// The machine's 1-minute load average before the run and at its end. The run itself keeps about 2–3
    /// threads busy; well above the core count before it means other work competed with it.
    pub(crate) load_average: [Option<f64>; 2],
    /// Clock ticks per second used for CPU time.
    pub(crate) clock_ticks_per_sec: u64,
    /// Whether that figure was read (`getconf CLK_TCK`) or assumed.
    pub(crate) clock_ticks_read: bool,
    /// Every scenario, in the order run.
    pub(crate) scenarios: Vec<Scenario>,
    /// The server's memory.
    pub(crate) memory: MemoryReport,
    /// A verdict per goal.
    pub(crate) goals: Vec<Goal>,
}

impl Report {
    /// The human-readable table.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Aether load: added latency, CPU and memory against a local mock");
        let _ = writeln!(out, "{}", self.caveat);
        let _ = writeln!(out, "server: {}", self.server);
        let _ = writeln!(out, "phases: {}", self.phases);
        let load = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
        let _ = writeln!(
            out,
            "machine: {} cores, load average {} before the run, {} at its end",
            self.cores,
            load(self.load_average[0]),
            load(self.load_average[1])
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<22} {:>15} {:>15} {:>15} {:>11} {:>15} {:>8} {:>7}",
            "scenario",
            "direct p50/p99",
            "through p50/p99",
            "added p50/p99",
            "ratio",
            "req/s dir/thr",
            "cpu/req",
            "errors"
        );
        let _ = writeln!(
            out,
            "{:<22} {:>15} {:>15} {:>15} {:>11} {:>15} {:>8} {:>7}",
            "", "µs", "µs", "µs", "p50/p99", "", "µs", "dir/thr"
        );
        for s in &self.scenarios {
            let one =
                |v: Option<f64>, digits: usize| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"));
            let pair = |a, b| format!("{}/{}", one(a, 1), one(b, 1));
            let _ = writeln!(
                out,
                "{:<22} {:>15} {:>15} {:>15} {:>11} {:>15} {:>8} {:>7}",
                s.name(),
                pair(s.direct.p50_us, s.direct.p99_us),
                pair(s.through.p50_us, s.through.p99_us),
                pair(s.added_p50_us, s.added_p99_us),
                format!("{}/{}", one(s.ratio_p50, 2), one(s.ratio_p99, 2)),
                format!("{}/{}", s.direct.requests_per_sec, s.through.requests_per_sec),
                one(s.server_cpu_us_per_request, 1),
                format!("{}/{}", s.direct.errors, s.through.errors),
            );
        }
        for s in &self.scenarios {
            let floor = s.floor.as_ref().map(|floor| ("stand-in", &floor.through));
            for (side, stats) in [("direct", &s.direct), ("through", &s.through)].into_iter().chain(floor) {
                if let Some(err) = &stats.first_error {
                    let _ = writeln!(out, "  {} {side}: {} errors, first: {err}", s.name(), stats.errors);
                }
            }
        }
        self.render_floor(&mut out);
        let _ = writeln!(out);
        let mem = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} MiB"));
        let _ = writeln!(
            out,
            "memory: idle RSS {}, RSS after c64 {}, peak (VmHWM) {}",
            mem(self.memory.idle_rss_mib),
            mem(self.memory.rss_after_c64_mib),
            mem(self.memory.peak_hwm_mib)
        );
        let _ = writeln!(
            out,
            "cpu: utime+stime from /proc/<pid>/stat at {} ticks/s ({}); 1 tick = {} µs",
            self.clock_ticks_per_sec,
            if self.clock_ticks_read { "getconf CLK_TCK" } else { "assumed" },
            1_000_000 / self.clock_ticks_per_sec.max(1)
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "goals (auth, limits, metering and trace on):");
        for goal in &self.goals {
            let verdict = match goal.met {
                Some(true) => "met",
                Some(false) => "NOT MET",
                None => "not measured",
            };
            let measured = goal.measured.map_or_else(|| "-".to_owned(), |m| format!("{m:.1} {}", goal.unit));
            let floor = goal.floor.map_or_else(String::new, |f| format!(" (stand-in: {f:.1} {})", goal.unit));
            let _ = writeln!(
                out,
                "  [{verdict:^12}] {} ≤ {} {}: {measured}{floor}",
                goal.goal, goal.limit, goal.unit
            );
        }
        out
    }

    /// The stand-in's figures beside Aether's, when the run measured them (`--floor`).
    fn render_floor(&self, out: &mut String) {
        if self.scenarios.iter().all(|s| s.floor.is_none()) {
            return;
        }
        let one = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
        let times = |aether: Option<f64>, floor: Option<f64>| match (aether, floor) {
            (Some(aether), Some(floor)) if floor > 0.0 => format!("{:.2}", aether / floor),
            _ => "-".to_owned(),
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "stand-in (a bare hyper forwarding proxy), the same requests right after each through phase:"
        );
        let _ = writeln!(
            out,
            "{:<22} {:>15} {:>15} {:>8} {:>19}",
            "scenario", "through p50/p99", "added p50/p99", "cpu/req", "aether÷stand-in"
        );
        let _ = writeln!(out, "{:<22} {:>15} {:>15} {:>8} {:>19}", "", "µs", "µs", "µs", "added p50, cpu");
        for s in &self.scenarios {
            let Some(floor) = &s.floor else { continue };
            let _ = writeln!(
                out,
                "{:<22} {:>15} {:>15} {:>8} {:>19}",
                s.name(),
                format!("{}/{}", one(floor.through.p50_us), one(floor.through.p99_us)),
                format!("{}/{}", one(floor.added_p50_us), one(floor.added_p99_us)),
                one(floor.cpu_us_per_request),
                format!(
                    "{}, {}",
                    times(s.added_p50_us, floor.added_p50_us),
                    times(s.server_cpu_us_per_request, floor.cpu_us_per_request)
                ),
            );
        }
    }
}

/// `through − direct`, when both were measured.
fn added(through: Option<f64>, direct: Option<f64>) -> Option<f64> {
    Some(round1(through? - direct?))
}

/// `v` to one decimal.
pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::driver::histogram;

    fn outcome(latencies_us: impl IntoIterator<Item = u64>, errors: u64) -> Outcome {
        let mut latency = histogram();
        let mut ok = 0;
        for us in latencies_us {
            latency.record(us * 1000).unwrap();
            ok += 1;
        }
        Outcome { latency, ok, errors, first_error: None, elapsed: Duration::from_secs(2) }
    }

    #[test]
    fn percentiles_are_reported_in_microseconds() {
        let stats = Stats::of(&outcome(1..=1000, 0));
        let near = |v: Option<f64>, expected: f64, within: f64| (v.unwrap() - expected).abs() <= within;
        assert!(near(stats.p50_us, 500.0, 0.5), "{:?}", stats.p50_us);
        assert!(near(stats.p99_us, 990.0, 1.0), "{:?}", stats.p99_us);
        assert!(near(stats.max_us, 1000.0, 1.0), "{:?}", stats.max_us);
        assert_eq!(stats.requests, 1000);
        assert_eq!(stats.requests_per_sec, 500.0);
        assert!(stats.clean());
    }

    #[test]
    fn added_latency_and_ratio_are_through_against_direct() {
        let direct = Stats::of(&outcome([40; 99].into_iter().chain([80]), 0));
        let through = Stats::of(&outcome([60; 99].into_iter().chain([200]), 0));
        let scenario = Scenario::new(Api::Passthrough, false, 1, direct, through, Some(21.0));
        assert_eq!(scenario.added_p50_us, Some(20.0));
        assert_eq!(scenario.ratio_p50, Some(1.5));
        assert_eq!(scenario.name(), "passthrough json c1");
    }

    #[test]
    fn a_side_without_successes_has_no_percentiles_and_no_added_latency() {
        let failed = Stats::of(&outcome([], 50));
        assert_eq!((failed.p50_us, failed.p99_us, failed.requests), (None, None, 0));
        let scenario =
            Scenario::new(Api::Passthrough, true, 1, Stats::of(&outcome([40; 10], 0)), failed, None);
        assert_eq!((scenario.added_p50_us, scenario.ratio_p99), (None, None));
    }

    #[test]
    fn verdicts_say_met_not_met_or_not_measured() {
        let fast = Scenario::new(
            Api::Passthrough,
            false,
            1,
            Stats::of(&outcome([40; 100], 0)),
            Stats::of(&outcome([60; 100], 0)),
            Some(20.0),
        );
        let slow = Scenario::new(
            Api::Translated,
            true,
            1,
            Stats::of(&outcome([40; 100], 0)),
            Stats::of(&outcome([100; 100], 0)),
            Some(70.0),
        );
        let broken = Scenario::new(
            Api::Translated,
            false,
            1,
            Stats::of(&outcome([40; 100], 0)),
            Stats::of(&outcome([], 100)),
            Some(1.0),
        );
        let memory =
            MemoryReport { idle_rss_mib: Some(12.0), rss_after_c64_mib: Some(30.0), peak_hwm_mib: None };
        let goals = goals(&[fast, slow, broken], &memory);
        let verdict = |name: &str| goals.iter().find(|g| g.goal == name).map(|g| g.met).unwrap();
        assert_eq!(verdict("passthrough json c1: added p50"), Some(true));
        assert_eq!(verdict("translated sse c1: added p50"), Some(false));
        assert_eq!(verdict("translated sse c1: added p99"), Some(true), "60 µs ≤ 150 µs translated");
        assert_eq!(verdict("translated json c1: added p50"), None);
        assert_eq!(verdict("server CPU per request (worst: translated sse c1)"), Some(false));
        assert_eq!(verdict("idle RSS"), Some(true));
        assert_eq!(verdict("peak RSS (VmHWM) with the concurrency-64 phases"), Some(true));
    }

    #[test]
    fn the_floor_is_added_against_the_same_direct_run_and_set_beside_each_goal() {
        let direct = Stats::of(&outcome([40; 100], 0));
        let scenario =
            Scenario::new(Api::Passthrough, false, 1, direct, Stats::of(&outcome([100; 100], 0)), Some(90.0))
                .with_floor(Stats::of(&outcome([55; 100], 0)), Some(30.0));
        let floor = scenario.floor.as_ref().unwrap();
        assert_eq!((floor.added_p50_us, floor.cpu_us_per_request), (Some(15.0), Some(30.0)));
        let goals = goals(std::slice::from_ref(&scenario), &MemoryReport::default());
        let floor_of = |name: &str| goals.iter().find(|g| g.goal.starts_with(name)).unwrap().floor;
        assert_eq!(floor_of("passthrough json c1: added p50"), Some(15.0));
        assert_eq!(floor_of("server CPU per request"), Some(30.0));
        assert_eq!(floor_of("idle RSS"), None);
        let report = Report {
            caveat: CAVEAT,
            server: "test".to_owned(),
            phases: "2 s".to_owned(),
            cores: 2,
            load_average: [None, None],
            clock_ticks_per_sec: 100,
            clock_ticks_read: true,
            goals,
            scenarios: vec![scenario],
            memory: MemoryReport::default(),
        };
        let table = report.render();
        assert!(table.contains("4.00, 3.00"), "60 µs added against 15, 90 µs of CPU against 30:\n{table}");
        assert!(table.contains("60.0 µs (stand-in: 15.0 µs)"), "{table}");
    }

    #[test]
    fn a_failed_floor_is_no_goal_floor() {
        let direct = Stats::of(&outcome([40; 10], 0));
        let scenario =
            Scenario::new(Api::Translated, true, 1, direct, Stats::of(&outcome([60; 10], 0)), None)
                .with_floor(Stats::of(&outcome([50; 10], 3)), Some(10.0));
        let goals = goals(std::slice::from_ref(&scenario), &MemoryReport::default());
        assert!(goals.iter().all(|goal| goal.floor.is_none()));
    }

    #[test]
    fn the_table_states_the_caveat_and_every_scenario() {
        let scenario = Scenario::new(
            Api::Translated,
            true,
            64,
            Stats::of(&outcome([40; 10], 0)),
            Stats::of(&outcome([50; 10], 0)),
            None,
        );
        let report = Report {
            caveat: CAVEAT,
            server: "test".to_owned(),
            phases: "2 s".to_owned(),
            cores: 2,
            load_average: [Some(0.5), None],
            clock_ticks_per_sec: 100,
            clock_ticks_read: true,
            goals: goals(std::slice::from_ref(&scenario), &MemoryReport::default()),
            scenarios: vec![scenario],
            memory: MemoryReport::default(),
        };
        let table = report.render();
        assert!(table.contains(CAVEAT));
        assert!(table.contains("translated sse c64"));
        assert!(table.contains("not measured"));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["scenarios"][0]["added_p50_us"], 10.0);
        assert_eq!(json["scenarios"][0]["name"], "translated sse c64");
        assert_eq!(json["caveat"], CAVEAT);
    }
}
