//! The server under test: its config file, its process, and what `/proc` says about it.
//!
//! The tool writes a config into a temporary data directory, spawns the release `aether-server` (or the
//! stand-in proxy), waits for `GET /health` = 200, and stops it at the end (SIGTERM, then SIGKILL). CPU time is
//! `utime + stime` from `/proc/<pid>/stat` in clock ticks; memory is `VmRSS` / `VmHWM` from `/proc/<pid>/status`.

use std::fs;
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use tempfile::TempDir;

use crate::driver::HttpClient;

/// The client key the config declares and the driver sends.
pub(crate) const CLIENT_KEY: &str = "sk-load-0123456789abcdef0123456789abcdef";
/// The model the config declares and every request asks for.
pub(crate) const MODEL: &str = "gpt-5";

/// Errors about the server process.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServerError {
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The server exited before it was healthy.
    #[error("the server exited with {status} before answering /health; its log:\n{log}")]
    Exited {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The tail of its stdout/stderr.
        log: String,
    },
    /// `/health` did not answer 200 in time.
    #[error("the server did not answer GET /health with 200 within {0:?}; its log:\n{1}")]
    NotHealthy(Duration, String),
    /// A `/proc` file without the expected field.
    #[error("no {field} in {path}")]
    Proc {
        /// The field looked for.
        field: &'static str,
        /// The file read.
        path: String,
    },
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ServerError {
    let what = what.into();
    move |source| ServerError::Io { what, source }
}

/// What to run as "the server".
#[derive(Debug, Clone)]
pub(crate) enum Launch {
    /// `<bin> --config FILE serve`: the real gateway.
    Aether(PathBuf),
    /// `<this tool> stand-in --upstream URL`: a trivial forwarding proxy, to exercise the tool before the
    /// gateway's request path exists.
    StandIn(PathBuf),
}

/// The config the server is started with: one provider (the mock, OpenAI Chat), one priced model, one user
/// whose key has limits set but huge, so auth, limits, metering and trace are all on without throttling.
pub(crate) fn config(mock_base_url: &str) -> String {
    format!(
        r#"# Written by aether-load for one run.
[server]
request_log = "off"

[[providers]]
name = "mock"
  [[providers.endpoints]]
  format = "openai_chat"
  base_url = "{mock_base_url}"
  [[providers.keys]]
  name = "k1"
  secret = "sk-mock"
  [[providers.models]]
  model = "{MODEL}"

[[models]]
name = "{MODEL}"
  [[models.prices]]
  effective_from = "2025-01-01T00:00:00Z"
  tiers = [{{ input = "1.25", output = "10" }}]

[[users]]
name = "load"
  [[users.keys]]
  name = "bench"
  key = "{CLIENT_KEY}"
  rpm = 100000000
  max_concurrency = 1000
"#
    )
}

/// A running server; dropping it stops the process and removes its data directory.
pub(crate) struct Server {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Server {
    /// Writes the config, spawns the server on a free port and waits until `/health` answers 200.
    pub(crate) async fn start(
        launch: &Launch,
        mock_base_url: &str,
        client: &HttpClient,
        timeout: Duration,
    ) -> Result<Server, ServerError> {
        let dir = tempfile::Builder::new().prefix("aether-load-").tempdir().map_err(io_error("temp dir"))?;
        let config_path = dir.path().join("aether.toml");
        fs::write(&config_path, config(mock_base_url)).map_err(io_error("writing the config"))?;
        let log_path = dir.path().join("server.log");
        let log = fs::File::create(&log_path).map_err(io_error("creating the server log"))?;
        let log_err = log.try_clone().map_err(io_error("server log"))?;
        let port = free_port()?;

        let mut command = match launch {
            Launch::Aether(bin) => {
                let mut command = Command::new(bin);
                command.arg("--config").arg(&config_path).arg("serve");
                command
            }
            Launch::StandIn(bin) => {
                let mut command = Command::new(bin);
                command.arg("stand-in").arg("--upstream").arg(mock_base_url);
                command
            }
        };
        command
            .current_dir(dir.path())
            .env("DATA_DIR", dir.path())
            .env("APP_PORT", port.to_string())
            .env("APP_HOST", "127.0.0.1")
            .env("LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let bin = match launch {
            Launch::Aether(bin) | Launch::StandIn(bin) => bin,
        };
        let child = command.spawn().map_err(io_error(format!("starting {}", bin.display())))?;
        let mut server = Server { child, port, dir };
        server.wait_healthy(client, timeout).await?;
        Ok(server)
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The data directory (config, database, log).
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    async fn wait_healthy(&mut self, client: &HttpClient, timeout: Duration) -> Result<(), ServerError> {
        let started = Instant::now();
        let uri = format!("{}/health", self.base_url());
        while started.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().map_err(io_error("waiting on the server"))? {
                return Err(ServerError::Exited { status, log: self.log_tail() });
            }
            let mut request = Request::new(Full::default());
            if let Ok(parsed) = uri.parse() {
                *request.uri_mut() = parsed;
            }
            if let Ok(response) = client.request(request).await {
                let status = response.status();
                let _ = response.into_body().collect().await;
                if status == StatusCode::OK {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(ServerError::NotHealthy(timeout, self.log_tail()))
    }

    /// SIGTERM (so the server drains its writers), then SIGKILL after `grace`.
    pub(crate) fn stop(&mut self, grace: Duration) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status();
        let started = Instant::now();
        while started.elapsed() < grace {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
    }
}

/// A port nothing listens on right now (the server binds it a moment later).
fn free_port() -> Result<u16, ServerError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(io_error("finding a free port"))?;
    Ok(listener.local_addr().map_err(io_error("finding a free port"))?.port())
}

/// `utime + stime` of a process, in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Result<u64, ServerError> {
    let path = format!("/proc/{pid}/stat");
    let stat = fs::read_to_string(&path).map_err(io_error(format!("reading {path}")))?;
    parse_cpu_ticks(&stat).ok_or(ServerError::Proc { field: "utime/stime", path })
}

/// Parses `utime + stime` (fields 14 and 15) out of a `/proc/<pid>/stat` line. The command name (field 2)
/// may hold spaces and parentheses, so the count starts after its last `)`.
pub(crate) fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name: field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
    let mut fields = after_name.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    /// `VmRSS`: resident now.
    pub(crate) rss_kib: u64,
    /// `VmHWM`: the most ever resident.
    pub(crate) hwm_kib: u64,
}

/// `VmRSS` and `VmHWM` of a process.
pub(crate) fn memory(pid: u32) -> Result<Memory, ServerError> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).map_err(io_error(format!("reading {path}")))?;
    let field = |name: &'static str| {
        status_kib(&status, name).ok_or_else(|| ServerError::Proc { field: name, path: path.clone() })
    };
    Ok(Memory { rss_kib: field("VmRSS")?, hwm_kib: field("VmHWM")? })
}

/// A `Name:   1234 kB` line of `/proc/<pid>/status`, in KiB.
pub(crate) fn status_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.split_ascii_whitespace().next()?.parse().ok()
    })
}

/// The 1-minute load average of the machine (`/proc/loadavg`), to judge how noisy a run was.
pub(crate) fn load_average() -> Option<f64> {
    parse_load_average(&fs::read_to_string("/proc/loadavg").ok()?)
}

/// The first field of `/proc/loadavg`.
pub(crate) fn parse_load_average(loadavg: &str) -> Option<f64> {
    loadavg.split_ascii_whitespace().next()?.parse().ok()
}

/// Clock ticks per second, from `getconf CLK_TCK`; 100 (Linux's usual value) if that cannot be run. The
/// second item says whether it was read (`true`) or assumed.
pub(crate) fn clock_ticks() -> (u64, bool) {
    let read = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|&ticks| ticks > 0);
    match read {
        Some(ticks) => (ticks, true),
        None => (100, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_past_a_command_name_with_spaces_and_parens() {
        let stat = "4242 (aether (x) srv) S 1 4242 4242 0 -1 4194560 1500 0 3 0 731 219 0 0 20 0 4 0 \
                    1234 56789 1024 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";
        assert_eq!(parse_cpu_ticks(stat), Some(731 + 219));
        assert_eq!(parse_cpu_ticks("4242 (short) S 1 2"), None);
    }

    #[test]
    fn our_own_stat_parses() {
        let ticks = cpu_ticks(std::process::id()).unwrap();
        // Monotonic: a second read is never lower.
        assert!(cpu_ticks(std::process::id()).unwrap() >= ticks);
    }

    #[test]
    fn rss_and_hwm_are_read_in_kib() {
        let status = "Name:\taether-server\nVmPeak:\t  900000 kB\nVmHWM:\t   18000 kB\nVmRSS:\t   15360 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(15360));
        assert_eq!(status_kib(status, "VmHWM"), Some(18000));
        assert_eq!(status_kib(status, "VmSwap"), None);
        let own = memory(std::process::id()).unwrap();
        assert!(own.rss_kib > 0 && own.hwm_kib >= own.rss_kib);
    }

    #[test]
    fn config_points_the_provider_at_the_mock_and_declares_the_client_key() {
        let config = config("http://127.0.0.1:4321");
        assert!(config.contains("base_url = \"http://127.0.0.1:4321\"\n"));
        assert!(config.contains("format = \"openai_chat\""));
        assert!(config.contains(&format!("key = \"{CLIENT_KEY}\"")));
        assert!(config.contains("tiers = [{ input = \"1.25\", output = \"10\" }]"));
        assert!(config.contains("request_log = \"off\""));
        // Every table header is one of the schema's.
        for header in config.lines().map(str::trim).filter(|l| l.starts_with('[')) {
            assert!(
                [
                    "[server]",
                    "[[providers]]",
                    "[[providers.endpoints]]",
                    "[[providers.keys]]",
                    "[[providers.models]]",
                    "[[models]]",
                    "[[models.prices]]",
                    "[[users]]",
                    "[[users.keys]]"
                ]
                .contains(&header),
                "{header}"
            );
        }
    }

    #[test]
    fn load_average_is_the_first_field() {
        assert_eq!(parse_load_average("5.89 5.39 2.95 3/412 26412\n"), Some(5.89));
        assert_eq!(parse_load_average(""), None);
    }

    #[test]
    fn clock_ticks_are_positive() {
        assert!(clock_ticks().0 > 0);
    }
}
