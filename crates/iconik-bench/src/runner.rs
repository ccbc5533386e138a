//! The scenarios: each run in fresh processes, results as Markdown.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::emulator::{ChildEmulator, EmuSettings, EmuStats};
use crate::peers::{self, Peer, Python};
use crate::stats::{median, show, Spread};
use crate::workload::{ClientKind, RunResult, Target};

mod fleet;
mod floor;

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
}

impl Options {
    /// Defaults for a full or a quick run.
    pub fn new(quick: bool, exe: PathBuf) -> Options {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv");
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

    // ---------------------------------------------------------------- 1
    fn overhead(&mut self) {
        let o = self.opts.clone();
        let settings = EmuSettings::default();
        let contenders = [
            Contender::Rust(ClientKind::Plain),
            Contender::Rust(ClientKind::Sync),
            Contender::Rust(ClientKind::Async),
            Contender::Python(Peer::AioPythonik),
            Contender::Python(Peer::NsaPythonik),
        ];
        let mut rows: Vec<Vec<Row>> = vec![vec![Row::default(); contenders.len()]; o.workers.len()];
        for run in 0..o.runs {
            for (wi, &w) in o.workers.iter().enumerate() {
                for (ci, &c) in contenders.iter().enumerate() {
                    let result = match c {
                        Contender::Rust(k) => {
                            progress(&format!(
                                "overhead run {}/{}: {} x{w}, N={}",
                                run + 1,
                                o.runs,
                                k.name(),
                                o.n_overhead
                            ));
                            self.run_rust(k, w, o.n_overhead, "off", &settings)
                        }
                        Contender::Python(p) => {
                            if !o.peers || self.python.is_err() {
                                Err(self.python.as_ref().err().cloned().unwrap_or_default())
                            } else {
                                progress(&format!(
                                    "overhead run {}/{}: {} x{w}, N={}",
                                    run + 1,
                                    o.runs,
                                    p.name(),
                                    o.n_peer_overhead
                                ));
                                self.run_peer(p, "overhead", w, o.n_peer_overhead, &settings)
                            }
                        }
                    };
                    if let Err(e) = &result {
                        progress(&format!("  failed: {e}"));
                    }
                    rows[wi][ci].push(result);
                }
            }
        }

        let _ = writeln!(
            self.out,
            "\n### 1. Overhead: GET one asset, rate limiting off\n\nN = {} GETs per run for the Rust clients, {} for the Python peers; `workers` threads (plain, iconik-sync, nsa-pythonik) or tasks with `max_workers = workers` (iconik-async, aiopythonik); keep-alive pools sized to the workers. Ratios are per run, paired with the plain loop run just before. Server CPU is the emulator's, for scale.\n",
            o.n_overhead, o.n_peer_overhead
        );
        let _ = writeln!(self.out, "| workers | client | requests/s | ×plain | CPU µs/request | ×plain | peak RSS MiB | failures | server CPU µs/req |");
        let _ = writeln!(self.out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for (wi, &w) in o.workers.iter().enumerate() {
            let plain = rows[wi][0].clone();
            for (ci, c) in contenders.iter().enumerate() {
                let row = &rows[wi][ci];
                if let Some(why) = row.unavailable() {
                    let _ = writeln!(
                        self.out,
                        "| {w} | {} | unavailable: {} | | | | | | |",
                        c.name(),
                        why.replace('|', "/")
                    );
                    continue;
                }
                let (rps_ratio, cpu_ratio) = if ci == 0 {
                    ("1".to_owned(), "1".to_owned())
                } else if matches!(c, Contender::Rust(_)) {
                    (
                        show(&paired_ratio(row, &plain, Sample::rps), 3),
                        show(&paired_ratio(row, &plain, Sample::cpu_us), 2),
                    )
                } else {
                    (
                        format!("{:.3}", ratio_of_medians(row, &plain, Sample::rps)),
                        format!("{:.1}", ratio_of_medians(row, &plain, Sample::cpu_us)),
                    )
                };
                let _ = writeln!(
                    self.out,
                    "| {w} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    c.name(),
                    show(&row.values(Sample::rps), 0),
                    rps_ratio,
                    show(&row.values(Sample::cpu_us), 1),
                    cpu_ratio,
                    show(&row.values(Sample::rss_mib), 1),
                    row.failures(),
                    show(&row.values(Sample::server_cpu_us), 1),
                );
            }
        }

        // targets
        for (wi, &w) in o.workers.iter().enumerate() {
            let plain = &rows[wi][0];
            for (ci, floor) in [(1usize, 0.90), (2usize, 0.85)] {
                let r = paired_ratio(&rows[wi][ci], plain, Sample::rps);
                if let Some(s) = Spread::of(&r) {
                    self.targets.push((
                        format!(
                            "{} ≥ {:.0}% of the plain loop, {w} worker(s)",
                            contenders[ci].name(),
                            floor * 100.0
                        ),
                        format!(
                            "{:.1}% ({:.1}–{:.1})",
                            s.median * 100.0,
                            s.min * 100.0,
                            s.max * 100.0
                        ),
                        verdict(s.median >= floor),
                    ));
                }
            }
        }
        for (wi, &w) in o.workers.iter().enumerate() {
            let aio = &rows[wi][3];
            if aio.samples.is_empty() {
                self.targets.push((
                    format!("≥ 30× aiopythonik's throughput, ≤ 1/30 of its CPU, {w} worker(s)"),
                    format!(
                        "aiopythonik unavailable: {}",
                        aio.unavailable().unwrap_or_default()
                    ),
                    "n/a",
                ));
                continue;
            }
            // the ceiling: what the floor itself (a bare ureq loop) reaches
            let tput = ratio_of_medians(&rows[wi][0], aio, Sample::rps);
            let cpu = ratio_of_medians(aio, &rows[wi][0], Sample::cpu_us);
            self.targets.push((
                format!("(ceiling) plain ureq loop vs aiopythonik, {w} worker(s)"),
                format!("{tput:.1}× the throughput, 1/{cpu:.1} of the CPU"),
                "context",
            ));
            for ci in [2usize, 1usize] {
                let tput = ratio_of_medians(&rows[wi][ci], aio, Sample::rps);
                let cpu = ratio_of_medians(aio, &rows[wi][ci], Sample::cpu_us);
                self.targets.push((
                    format!(
                        "{} ≥ 30× aiopythonik's throughput, {w} worker(s)",
                        contenders[ci].name()
                    ),
                    format!("{tput:.1}×"),
                    verdict(tput >= 30.0),
                ));
                self.targets.push((
                    format!(
                        "{} ≤ 1/30 of aiopythonik's CPU per request, {w} worker(s)",
                        contenders[ci].name()
                    ),
                    format!("1/{cpu:.1}"),
                    verdict(cpu >= 30.0),
                ));
            }
        }
    }

    // ---------------------------------------------------------------- 2
    fn limits(&mut self) {
        let o = self.opts.clone();
        let workers = 10;
        let mut plan: Vec<(Policy, u64, Vec<Contender>)> = Vec::new();
        if !o.quick {
            plan.push((
                Policy::iconik(),
                o.n_limits.0,
                vec![Contender::Rust(ClientKind::Sync)],
            ));
            plan.push((
                Policy::iconik(),
                o.n_peer_limits,
                vec![Contender::Python(Peer::AioPythonik)],
            ));
        }
        plan.push((
            Policy::scaled(),
            o.n_limits.1,
            vec![
                Contender::Rust(ClientKind::Sync),
                Contender::Rust(ClientKind::Async),
                Contender::Python(Peer::AioPythonik),
            ],
        ));
        let _ = writeln!(
            self.out,
            "\n### 2. Under iconik's limits\n\n{workers} workers; the emulator enforces the policy; the Rust clients use `RateLimitConfig::default().limits(<the policy>)` (pacing with its window margin, proactive throttling, retries); aiopythonik uses its default `RateLimitConfig`. Minimum = `max_i((ceil(N/n_i) - 1) * w_i)`, the shortest possible span from first send to last.\n"
        );
        let _ = writeln!(self.out, "| policy | client | N | wall s | minimum s | wall / minimum | 429s received | 429s % of N | failures | most in any window (per rule) |");
        let _ = writeln!(self.out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for (policy, n, contenders) in plan {
            let mut rows = vec![Row::default(); contenders.len()];
            let limits = policy.rule_strings();
            for run in 0..o.runs {
                for (ci, &c) in contenders.iter().enumerate() {
                    progress(&format!(
                        "limits run {}/{}: {} under {}, N={n}",
                        run + 1,
                        o.runs,
                        c.name(),
                        policy.name
                    ));
                    let settings = EmuSettings {
                        limits: limits.clone(),
                        seed: run as u64,
                        ..EmuSettings::default()
                    };
                    let result = match c {
                        Contender::Rust(k) => {
                            self.run_rust(k, workers, n, &limits.join(","), &settings)
                        }
                        Contender::Python(p) => self.run_peer(p, "limits", workers, n, &settings),
                    };
                    if let Err(e) = &result {
                        progress(&format!("  failed: {e}"));
                    }
                    rows[ci].push(result);
                }
            }
            let min = policy.min_span(n);
            for (ci, c) in contenders.iter().enumerate() {
                let row = &rows[ci];
                if let Some(why) = row.unavailable() {
                    let _ = writeln!(
                        self.out,
                        "| {} | {} | {n} | unavailable: {} | | | | | | |",
                        policy.name,
                        c.name(),
                        why.replace('|', "/")
                    );
                    continue;
                }
                let walls = row.values(|s| s.r.wall_s);
                let ratio: Vec<f64> = walls.iter().map(|w| w / min).collect();
                let r429 = row.values(|s| {
                    s.server
                        .as_ref()
                        .map_or(f64::NAN, |x| x.rate_limited as f64)
                });
                let r429pct: Vec<f64> = r429.iter().map(|x| x / n as f64 * 100.0).collect();
                let most = row
                    .samples
                    .iter()
                    .filter_map(|s| s.server.as_ref())
                    .map(|s| {
                        s.max_in_window
                            .iter()
                            .map(|(l, w, m)| format!("{m}/{l} in {}s", w / 1000))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .next_back()
                    .unwrap_or_default();
                let _ = writeln!(
                    self.out,
                    "| {} | {} | {n} | {} | {min:.0} | {} | {} | {} | {} | {most} (last run) |",
                    policy.name,
                    c.name(),
                    show(&walls, 2),
                    show(&ratio, 3),
                    show(&r429, 0),
                    show(&r429pct, 2),
                    row.failures(),
                );
                if let Contender::Rust(_) = c {
                    let fails = median(&row.values(|s| s.r.failed as f64));
                    let max_fail = row
                        .values(|s| s.r.failed as f64)
                        .into_iter()
                        .fold(0.0, f64::max);
                    self.targets.push((
                        format!("{}, {}: zero failures", c.name(), policy.name),
                        format!("{} (max {max_fail:.0})", show(&[fails], 0)),
                        verdict(max_fail == 0.0),
                    ));
                    let m = median(&r429pct);
                    self.targets.push((
                        format!("{}, {}: 429s ≤ 1% of requests", c.name(), policy.name),
                        format!("{}%", show(&r429pct, 2)),
                        verdict(m <= 1.0),
                    ));
                    self.targets.push((
                        format!("{}, {}: wall ≤ 1.05× the minimum", c.name(), policy.name),
                        format!("{}×", show(&ratio, 3)),
                        verdict(median(&ratio) <= 1.05),
                    ));
                } else {
                    self.targets.push((
                        format!("aiopythonik, {}: failures (report only)", policy.name),
                        format!("{} failures, {} 429s", row.failures(), show(&r429, 0)),
                        "reported",
                    ));
                }
            }
        }
    }

    // ---------------------------------------------------------------- 3
    fn shared(&mut self) {
        let o = self.opts.clone();
        let policy = if o.quick {
            Policy::scaled()
        } else {
            Policy::iconik()
        };
        let per = o.n_shared;
        let procs = 3;
        let workers = 10;
        let limits = policy.rule_strings();
        let mut samples: Vec<(RunResult, Option<EmuStats>)> = Vec::new();
        let mut errors = Vec::new();
        for run in 0..o.runs {
            progress(&format!(
                "shared run {}/{}: {procs} iconik-sync processes x {per} under {}",
                run + 1,
                o.runs,
                policy.name
            ));
            let settings = EmuSettings {
                limits: limits.clone(),
                seed: run as u64,
                ..EmuSettings::default()
            };
            let mut server = match Server::start(&o, &settings) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let target = server.target(&o.asset_id);
            let children: Vec<_> = (0..procs)
                .map(|_| {
                    client_command(
                        &o,
                        ClientKind::Sync,
                        workers,
                        per,
                        &limits.join(","),
                        &target,
                    )
                    .spawn()
                })
                .collect();
            let mut results = Vec::new();
            for c in children {
                match c
                    .map_err(|e| e.to_string())
                    .and_then(|c| c.wait_with_output().map_err(|e| e.to_string()))
                {
                    Ok(out) => match parse_child_output(&out) {
                        Ok(r) => results.push(r),
                        Err(e) => errors.push(e),
                    },
                    Err(e) => errors.push(e),
                }
            }
            if results.len() != procs {
                continue;
            }
            let start = results
                .iter()
                .map(|r| r.start_unix)
                .fold(f64::INFINITY, f64::min);
            let end = results.iter().map(|r| r.end_unix).fold(0.0, f64::max);
            let agg = RunResult {
                ok: results.iter().map(|r| r.ok).sum(),
                failed: results.iter().map(|r| r.failed).sum(),
                attempts: results.iter().map(|r| r.attempts).sum(),
                wall_s: end - start,
                first_error: results.iter().find_map(|r| r.first_error.clone()),
                ..RunResult::default()
            };
            samples.push((agg, server.stats()));
        }
        let total = per * procs as u64;
        let min = policy.min_span(total);
        let _ = writeln!(
            self.out,
            "\n### 3. Shared credentials: {procs} processes, one emulator\n\n{procs} processes (`iconik-bench __client`), each an iconik-sync client with {workers} threads and `RateLimitConfig::default().limits(<the policy>)`, {per} GETs each, same App-ID and Auth-Token, started together. Aggregate = all successes / (last end − first start). Share of capacity = minimum span for {total} requests ({min:.0} s) / measured span (100% = as fast as the policy allows; the plain rate ratio counts the initial burst as well).\n"
        );
        let _ = writeln!(self.out, "| policy | N total | span s | aggregate req/s | ÷ limit rate | share of capacity | 429s received | retries (attempts − N) | failures | most in any window (last run) | first error |");
        let _ = writeln!(
            self.out,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
        );
        if samples.is_empty() {
            let _ = writeln!(
                self.out,
                "| {} | {total} | unavailable: {} | | | | | | | | | |",
                policy.name,
                errors.first().cloned().unwrap_or_default()
            );
            return;
        }
        let span: Vec<f64> = samples.iter().map(|(r, _)| r.wall_s).collect();
        let rps: Vec<f64> = samples
            .iter()
            .map(|(r, _)| r.ok as f64 / r.wall_s)
            .collect();
        let of_rate: Vec<f64> = rps.iter().map(|x| x / policy.rate() * 100.0).collect();
        let share: Vec<f64> = span.iter().map(|s| min / s * 100.0).collect();
        let r429: Vec<f64> = samples
            .iter()
            .map(|(_, s)| s.as_ref().map_or(f64::NAN, |x| x.rate_limited as f64))
            .collect();
        let retries: Vec<f64> = samples
            .iter()
            .map(|(r, _)| r.attempts as f64 - r.ok as f64)
            .collect();
        let fails: Vec<f64> = samples.iter().map(|(r, _)| r.failed as f64).collect();
        let most = samples
            .iter()
            .filter_map(|(_, s)| s.as_ref())
            .map(|s| {
                s.max_in_window
                    .iter()
                    .map(|(l, w, m)| format!("{m}/{l} in {}s", w / 1000))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .next_back()
            .unwrap_or_default();
        let first_error = samples
            .iter()
            .find_map(|(r, _)| r.first_error.clone())
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            self.out,
            "| {} | {total} | {} | {} | {}% | {}% | {} | {} | {} | {} | {} |",
            policy.name,
            show(&span, 2),
            show(&rps, 1),
            show(&of_rate, 1),
            show(&share, 1),
            show(&r429, 0),
            show(&retries, 0),
            show(&fails, 0),
            most,
            first_error
                .replace('|', "/")
                .chars()
                .take(160)
                .collect::<String>(),
        );
        if !errors.is_empty() {
            let _ = writeln!(
                self.out,
                "\nRuns that failed to complete: {}",
                errors.join("; ")
            );
        }
        let max_fail = fails.iter().copied().fold(0.0, f64::max);
        self.targets.push((
            format!(
                "shared credentials ({procs} processes, {}): zero failures",
                policy.name
            ),
            format!("{} (max {max_fail:.0})", show(&fails, 0)),
            verdict(max_fail == 0.0 && errors.is_empty()),
        ));
        self.targets.push((
            format!(
                "shared credentials ({procs} processes, {}): ≥ 90% of the limit",
                policy.name
            ),
            format!(
                "{}% of capacity; {}% of the rate",
                show(&share, 1),
                show(&of_rate, 1)
            ),
            verdict(median(&share) >= 90.0),
        ));
    }

    // ---------------------------------------------------------------- 4
    fn faults(&mut self) {
        let o = self.opts.clone();
        if o.external.is_some() {
            let _ = writeln!(self.out, "\n### 4. Faults\n\nSkipped: faults are injected by the emulator, and an external server was given.");
            return;
        }
        let n = o.n_faults;
        let workers = 10;
        let contenders = [
            Contender::Rust(ClientKind::Sync),
            Contender::Rust(ClientKind::Async),
            Contender::Python(Peer::AioPythonik),
        ];
        let mut rows = vec![Row::default(); contenders.len()];
        for run in 0..o.runs {
            for (ci, &c) in contenders.iter().enumerate() {
                progress(&format!(
                    "faults run {}/{}: {}, N={n}",
                    run + 1,
                    o.runs,
                    c.name()
                ));
                let settings = EmuSettings {
                    limits: Vec::new(),
                    error_rate: 0.10,
                    reset_rate: 0.02,
                    seed: 100 + run as u64,
                };
                let result = match c {
                    Contender::Rust(k) => self.run_rust(k, workers, n, "retries", &settings),
                    Contender::Python(p) => self.run_peer(p, "faults", workers, n, &settings),
                };
                if let Err(e) = &result {
                    progress(&format!("  failed: {e}"));
                }
                rows[ci].push(result);
            }
        }
        let _ = writeln!(
            self.out,
            "\n### 4. Faults: 10% 503s and 2% connection resets, no rate limit\n\nN = {n} GETs, {workers} workers. Rust: `RateLimitConfig::default().limits(vec![])` (default retries: 6, backoff from 1 s with jitter, retry budget); aiopythonik: its defaults. Extra attempts per request: client-side (sum of `Response.attempts` − N) / N, and server-side (requests the emulator received − N) / N.\n"
        );
        let _ = writeln!(self.out, "| client | success rate % | failures | extra attempts/request (client) | extra attempts/request (server) | wall s | faults injected | first error |");
        let _ = writeln!(self.out, "|---|---:|---:|---:|---:|---:|---:|---|");
        for (ci, c) in contenders.iter().enumerate() {
            let row = &rows[ci];
            if let Some(why) = row.unavailable() {
                let _ = writeln!(
                    self.out,
                    "| {} | unavailable: {} | | | | | | |",
                    c.name(),
                    why.replace('|', "/")
                );
                continue;
            }
            let success = row.values(|s| s.r.ok as f64 / n as f64 * 100.0);
            let client_extra = if matches!(c, Contender::Rust(_)) {
                show(
                    &row.values(|s| (s.r.attempts as f64 - n as f64) / n as f64),
                    3,
                )
            } else {
                "n/a".into()
            };
            let server_extra = row.values(|s| {
                s.server
                    .as_ref()
                    .map_or(f64::NAN, |x| (x.requests as f64 - n as f64) / n as f64)
            });
            let injected = row.values(|s| s.server.as_ref().map_or(f64::NAN, |x| x.faults as f64));
            let first = row
                .samples
                .iter()
                .find_map(|s| s.r.first_error.clone())
                .unwrap_or_else(|| "none".into());
            let _ = writeln!(
                self.out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                c.name(),
                show(&success, 2),
                row.failures(),
                client_extra,
                show(&server_extra, 3),
                show(&row.values(|s| s.r.wall_s), 2),
                show(&injected, 0),
                first
                    .replace('|', "/")
                    .chars()
                    .take(120)
                    .collect::<String>(),
            );
            let label = if matches!(c, Contender::Rust(_)) {
                ""
            } else {
                " (report only)"
            };
            self.targets.push((
                format!("faults, {}: success rate{label}", c.name()),
                format!("{}%", show(&success, 2)),
                if label.is_empty() {
                    verdict(success.iter().all(|s| *s >= 100.0))
                } else {
                    "reported"
                },
            ));
        }
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
