//! The scenarios: each run in fresh processes, results as Markdown.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::emulator::{ChildEmulator, EmuSettings, EmuStats};
use crate::peers::{self, Peer, Python};
use crate::stats::{median, show};
use crate::workload::{ClientKind, RunResult, Target};

mod faults;
pub(crate) mod fleet;
mod floor;
mod limits;
mod overhead;
mod plots;
mod shared;

/// A scenario of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// 1. client overhead, rate limiting off.
    Overhead,
    /// 2. under iconik's limits.
    Limits,
    /// 3. three processes sharing credentials.
    Shared,
    /// 4. 503s and resets.
    Faults,
    /// 5. every client against a static nginx, next to two ureq floors.
    Floor,
    /// 6. fleets of processes sharing one credential through Redis.
    Fleet,
}

/// A rate-limit policy: rules as `count/window` strings (`50/1s`).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Display name.
    pub name: String,
    /// (count, window seconds) pairs.
    pub rules: Vec<(u32, u64)>,
}

impl Policy {
    /// iconik's published limits: 50/s and 1000/20 s.
    pub fn iconik() -> Policy {
        Policy {
            name: "iconik: 50/1s + 1000/20s".into(),
            rules: vec![(50, 1), (1000, 20)],
        }
    }

    /// iconik's shape, 10× faster: 500/s and 10,000/20 s.
    pub fn scaled() -> Policy {
        Policy {
            name: "scaled: 500/1s + 10000/20s".into(),
            rules: vec![(500, 1), (10_000, 20)],
        }
    }

    /// The rules as strings, `50/1s`.
    pub fn rule_strings(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|(n, w)| format!("{n}/{w}s"))
            .collect()
    }

    /// The shortest possible span from the first send to the last for `n`
    /// requests: `max_i((ceil(n / n_i) - 1) * w_i)`.
    pub fn min_span(&self, n: u64) -> f64 {
        self.rules
            .iter()
            .map(|&(c, w)| (n.div_ceil(u64::from(c)).saturating_sub(1) * w) as f64)
            .fold(0.0, f64::max)
    }

    /// The sustained rate the policy allows, requests/s.
    pub fn rate(&self) -> f64 {
        self.rules
            .iter()
            .map(|&(c, w)| f64::from(c) / w as f64)
            .fold(f64::INFINITY, f64::min)
    }
}

/// What to run and how big.
#[derive(Debug, Clone)]
pub struct Options {
    /// Scenarios to run, in order.
    pub scenarios: Vec<Scenario>,
    /// Small N, the scaled policy only, one run by default.
    pub quick: bool,
    /// Runs per figure.
    pub runs: usize,
    /// Requests per overhead run.
    pub n_overhead: u64,
    /// Requests per overhead run for the Python peers.
    pub n_peer_overhead: u64,
    /// Worker counts of the overhead scenario.
    pub workers: Vec<usize>,
    /// Requests per limits run, per policy (iconik, scaled).
    pub n_limits: (u64, u64),
    /// Requests per limits run for aiopythonik under iconik's own policy
    /// (it paces itself to a few requests/s there: see BENCHMARKS.md).
    pub n_peer_limits: u64,
    /// Requests per process in the shared-credentials scenario.
    pub n_shared: u64,
    /// Requests per fault run.
    pub n_faults: u64,
    /// Fleet sizes: (processes, requests per process).
    pub fleet: Vec<(usize, u64)>,
    /// Run the Python peers.
    pub peers: bool,
    /// An external server instead of emulator processes.
    pub external: Option<Target>,
    /// The asset every GET fetches.
    pub asset_id: String,
    /// Where the Python venv lives.
    pub venv: PathBuf,
    /// This binary (spawned for `__client` and `__emulator`).
    pub exe: PathBuf,
    /// The command line, for the report.
    pub command: String,
    /// Where the pacing scenarios' plots (SVG) and sends (CSV) go; `None`:
    /// not recorded.
    pub plots: Option<PathBuf>,
}

impl Options {
    /// Defaults for a full or a quick run.
    pub fn new(quick: bool, exe: PathBuf) -> Options {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let venv = root.join("target/bench-venv");
        // a quick run's plots never replace the committed ones
        let plots = root.join(if quick {
            "target/bench-plots"
        } else {
            "docs/bench"
        });
        Options {
            scenarios: vec![
                Scenario::Overhead,
                Scenario::Limits,
                Scenario::Shared,
                Scenario::Faults,
                Scenario::Floor,
                Scenario::Fleet,
            ],
            quick,
            runs: if quick { 1 } else { 3 },
            n_overhead: if quick { 2_000 } else { 20_000 },
            n_peer_overhead: if quick { 2_000 } else { 20_000 },
            workers: vec![1, 10, 64],
            n_limits: (2_000, if quick { 1_500 } else { 5_000 }),
            n_peer_limits: 200,
            n_shared: if quick { 500 } else { 600 },
            n_faults: if quick { 300 } else { 1_000 },
            fleet: vec![(3, 600), (10, 100), (20, 50)],
            peers: true,
            external: None,
            asset_id: iconik_emulator::SAMPLE_ASSET_IDS[0].to_owned(),
            venv,
            exe,
            command: String::new(),
            plots: Some(plots),
        }
    }
}

/// The server of one run: a fresh emulator process, or the external URL.
enum Server {
    Child(ChildEmulator),
    External(Target),
}

impl Server {
    fn start(opts: &Options, settings: &EmuSettings) -> Result<Server, String> {
        match &opts.external {
            Some(t) => Ok(Server::External(t.clone())),
            None => ChildEmulator::start(&opts.exe, settings).map(Server::Child),
        }
    }

    fn target(&self, asset_id: &str) -> Target {
        match self {
            Server::External(t) => t.clone(),
            Server::Child(c) => Target {
                base_url: c.base_url.clone(),
                app_id: c.app_id.clone(),
                auth_token: c.auth_token.clone(),
                asset_id: asset_id.to_owned(),
            },
        }
    }

    fn stats(&mut self) -> Option<EmuStats> {
        match self {
            Server::Child(c) => c.stats(),
            Server::External(_) => None,
        }
    }
}

/// The `__client` arguments for one run; `limits`: `off` (handling
/// disabled), `retries` (default handling, no pacing) or `50/1s,1000/20s`.
fn client_command(
    opts: &Options,
    kind: ClientKind,
    workers: usize,
    n: u64,
    limits: &str,
    t: &Target,
) -> Command {
    let mut c = Command::new(&opts.exe);
    c.arg("__client")
        .args(["--kind", kind.token(), "--workers", &workers.to_string()])
        .args(["--n", &n.to_string(), "--limits", limits])
        .args(["--base-url", &t.base_url, "--app-id", &t.app_id])
        .args(["--auth-token", &t.auth_token, "--asset-id", &t.asset_id])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    c
}

fn parse_child_output(out: &std::process::Output) -> Result<RunResult, String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|v| RunResult::from_json(&v))
        .ok_or_else(|| format!("client process exited {} without a result", out.status))
}

fn run_client(
    opts: &Options,
    kind: ClientKind,
    workers: usize,
    n: u64,
    limits: &str,
    t: &Target,
) -> Result<RunResult, String> {
    let out = client_command(opts, kind, workers, n, limits, t)
        .output()
        .map_err(|e| format!("cannot start a client process: {e}"))?;
    parse_child_output(&out)
}

/// A client under test in the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contender {
    Rust(ClientKind),
    Python(Peer),
}

impl Contender {
    fn name(self) -> &'static str {
        match self {
            Contender::Rust(k) => k.name(),
            Contender::Python(p) => p.name(),
        }
    }
}

/// One run's client result plus what the server saw.
#[derive(Debug, Clone)]
struct Sample {
    r: RunResult,
    server: Option<EmuStats>,
}

impl Sample {
    fn rps(&self) -> f64 {
        self.r.ok as f64 / self.r.wall_s
    }
    fn cpu_us(&self) -> f64 {
        self.r.cpu_s / self.r.ok.max(1) as f64 * 1e6
    }
    fn rss_mib(&self) -> f64 {
        self.r.peak_rss_kib as f64 / 1024.0
    }
    fn server_cpu_us(&self) -> f64 {
        self.server
            .as_ref()
            .map_or(f64::NAN, |s| s.cpu_s / self.r.ok.max(1) as f64 * 1e6)
    }
}

/// Results of one table row over runs; errors keep the reason.
#[derive(Debug, Clone, Default)]
struct Row {
    samples: Vec<Sample>,
    errors: Vec<String>,
}

impl Row {
    fn values(&self, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
        self.samples.iter().map(f).collect()
    }
    fn push(&mut self, r: Result<Sample, String>) {
        match r {
            Ok(s) => self.samples.push(s),
            Err(e) => self.errors.push(e),
        }
    }
    fn failures(&self) -> String {
        if self.samples.is_empty() {
            return "n/a".into();
        }
        let f: Vec<f64> = self.values(|s| s.r.failed as f64);
        show(&f, 0)
    }
    fn unavailable(&self) -> Option<String> {
        (self.samples.is_empty()).then(|| {
            self.errors
                .first()
                .cloned()
                .unwrap_or_else(|| "not run".into())
        })
    }
}

fn paired_ratio(a: &Row, b: &Row, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    a.samples
        .iter()
        .zip(&b.samples)
        .map(|(x, y)| f(x) / f(y))
        .collect()
}

fn ratio_of_medians(a: &Row, b: &Row, f: impl Fn(&Sample) -> f64 + Copy) -> f64 {
    median(&a.values(f)) / median(&b.values(f))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "**met**"
    } else {
        "**missed**"
    }
}

/// Everything measured, and the Markdown built from it.
pub struct Report {
    opts: Options,
    python: Result<Python, String>,
    out: String,
    targets: Vec<(String, String, &'static str)>,
    /// `commit X, date`, for the plots' titles.
    stamp: String,
    /// Plots written: (title, path).
    plots: Vec<(String, PathBuf)>,
}

fn progress(msg: &str) {
    eprintln!("[iconik-bench {}] {msg}", clock());
}

fn clock() -> String {
    let s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02}", (s / 3600) % 24, (s / 60) % 60, s % 60)
}

impl Report {
    /// Sets up the peers (when asked) and runs nothing yet.
    pub fn new(opts: Options) -> Report {
        let python = if opts.peers {
            progress("setting up the Python peers");
            peers::setup(&opts.venv)
        } else {
            Err("skipped (--no-peers)".into())
        };
        if let Err(e) = &python {
            progress(&format!("Python peers unavailable: {e}"));
        }
        Report {
            opts,
            python,
            out: String::new(),
            targets: Vec::new(),
            stamp: String::new(),
            plots: Vec::new(),
        }
    }

    /// Runs every scenario and returns the Markdown report.
    pub fn run(mut self) -> String {
        let started = std::time::Instant::now();
        self.header();
        for s in self.opts.scenarios.clone() {
            match s {
                Scenario::Overhead => self.overhead(),
                Scenario::Limits => self.limits(),
                Scenario::Shared => self.shared(),
                Scenario::Faults => self.faults(),
                Scenario::Floor => self.floor(),
                Scenario::Fleet => self.fleet(),
            }
        }
        self.plots_section();
        self.targets_table();
        let _ = writeln!(
            self.out,
            "\nTotal time of this run: {:.1} min.",
            started.elapsed().as_secs_f64() / 60.0
        );
        self.out
    }

    fn header(&mut self) {
        let o = &self.opts;
        let peers = match &self.python {
            Ok(p) => format!(
                "aiopythonik {}, nsa-pythonik {} (requests {}, urllib3 {}, httpx {}, pydantic {}) on Python {}",
                p.version("aiopythonik"),
                p.version("nsa-pythonik"),
                p.version("requests"),
                p.version("urllib3"),
                p.version("httpx"),
                p.version("pydantic"),
                p.version("python"),
            ),
            Err(e) => format!("unavailable: {e}"),
        };
        let server = match &o.external {
            Some(t) => format!("external server {}", t.base_url),
            None => "iconik-emulator in a separate process (`iconik-bench __emulator`, 2 tokio workers), a fresh one per run (scenario 5: nginx, see its section)".into(),
        };
        let commit = Command::new("git")
            .args(["describe", "--always", "--dirty", "--exclude", "*"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".into());
        let date = Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        self.stamp = format!("commit {commit}, {date}");
        let _ = writeln!(
            self.out,
            "## Results\n\n- Machine: {}\n- Source: commit {commit}\n- Command: `{}`\n- Mode: {}, {} run(s) per figure; figures are median (min–max) over runs\n- Server: {}\n- Peers: {}\n- Every client run is a process of its own; CPU is that process's user+sys time during the work (`/proc/<pid>/stat`), the server's is not included; peak RSS is the client process's `VmHWM` (`ru_maxrss` for Python)",
            crate::procfs::machine_line(),
            o.command,
            if o.quick { "quick" } else { "full" },
            o.runs,
            server,
            peers
        );
    }

    fn run_rust(
        &self,
        kind: ClientKind,
        workers: usize,
        n: u64,
        limits: &str,
        settings: &EmuSettings,
    ) -> Result<Sample, String> {
        let mut server = Server::start(&self.opts, settings)?;
        let target = server.target(&self.opts.asset_id);
        let r = run_client(&self.opts, kind, workers, n, limits, &target)?;
        Ok(Sample {
            r,
            server: server.stats(),
        })
    }

    fn run_peer(
        &self,
        peer: Peer,
        mode: &str,
        workers: usize,
        n: u64,
        settings: &EmuSettings,
    ) -> Result<Sample, String> {
        let python = self.python.as_ref().map_err(Clone::clone)?;
        let mut server = Server::start(&self.opts, settings)?;
        let target = server.target(&self.opts.asset_id);
        let r = python.run(peer, mode, n, workers, &target)?;
        Ok(Sample {
            r,
            server: server.stats(),
        })
    }

    fn targets_table(&mut self) {
        let _ = writeln!(
            self.out,
            "\n### Targets\n\n| target | measured (median (min–max)) | |\n|---|---|---|"
        );
        for (t, m, v) in &self.targets {
            let _ = writeln!(self.out, "| {t} | {m} | {v} |");
        }
    }
}
