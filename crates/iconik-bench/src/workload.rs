//! One measured run: N GETs of one asset by W workers with one client kind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use iconik_sync::models::assets::AssetPost as Asset;
use iconik_sync::{Rate, RateLimitConfig};
use serde_json::{json, Value};

use crate::procfs;

/// The client under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A plain ureq loop, its agent configured as iconik-sync configures
    /// its own (timeouts included).
    Plain,
    /// A plain ureq loop in ureq's default configuration (no timeouts),
    /// the pool sized to the workers: the honest floor.
    PlainDefault,
    /// `iconik-sync`: threads sharing one client.
    Sync,
    /// `iconik-async`: tasks on a multi-thread runtime.
    Async,
}

impl ClientKind {
    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Plain => "plain ureq loop",
            ClientKind::PlainDefault => "plain ureq loop, ureq defaults",
            ClientKind::Sync => "iconik-sync",
            ClientKind::Async => "iconik-async",
        }
    }

    /// The command-line token.
    pub fn token(self) -> &'static str {
        match self {
            ClientKind::Plain => "plain",
            ClientKind::PlainDefault => "plain-default",
            ClientKind::Sync => "sync",
            ClientKind::Async => "async",
        }
    }

    /// Parses [`token`](Self::token).
    pub fn parse(s: &str) -> Option<ClientKind> {
        match s {
            "plain" => Some(ClientKind::Plain),
            "plain-default" => Some(ClientKind::PlainDefault),
            "sync" => Some(ClientKind::Sync),
            "async" => Some(ClientKind::Async),
            _ => None,
        }
    }
}

/// How the iconik clients handle limits and retries in a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Handling {
    /// `.disable_rate_limit_handling()`: one send per call (overhead runs).
    Disabled,
    /// `RateLimitConfig::default().limits(..)`: pacing at these limits plus
    /// the default retry policy (an empty list: retries only).
    Default(Vec<Rate>),
}

/// Where to send and what to fetch.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// `App-ID`.
    pub app_id: String,
    /// `Auth-Token`.
    pub auth_token: String,
    /// The asset every request fetches.
    pub asset_id: String,
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Client under test.
    pub kind: ClientKind,
    /// Threads (sync, plain) or tasks and `max_workers` (async).
    pub workers: usize,
    /// Requests in total.
    pub n: u64,
    /// Limits and retries (ignored by the plain loop, which never retries).
    pub handling: Handling,
    /// Pace against this Redis (URL, local share) with the other processes
    /// of a fleet (scenario 5).
    pub redis: Option<(String, f64)>,
    /// Sent as `X-Bench-Process` on every request, so the server's record
    /// tells the processes of a run apart (see [`crate::sends`]).
    pub process: Option<u32>,
}

/// What a run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResult {
    /// Requests that ended in a decoded 200.
    pub ok: u64,
    /// Requests that ended in an error.
    pub failed: u64,
    /// Sum of attempts over successful requests (`Response.attempts`).
    pub attempts: u64,
    /// Wall time of the work, seconds.
    pub wall_s: f64,
    /// CPU time (user + sys) of this process during the work, seconds.
    pub cpu_s: f64,
    /// Peak RSS of the process at the end, KiB.
    pub peak_rss_kib: u64,
    /// Unix time the work started / ended (for aggregating processes).
    pub start_unix: f64,
    /// See `start_unix`.
    pub end_unix: f64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

impl RunResult {
    /// As one JSON object (the line a child process prints).
    pub fn to_json(&self) -> Value {
        json!({
            "ok": self.ok,
            "failed": self.failed,
            "attempts": self.attempts,
            "wall_s": self.wall_s,
            "cpu_s": self.cpu_s,
            "peak_rss_kib": self.peak_rss_kib,
            "start_unix": self.start_unix,
            "end_unix": self.end_unix,
            "first_error": self.first_error,
        })
    }

    /// Parses [`to_json`](Self::to_json) (also the Python driver's output).
    pub fn from_json(v: &Value) -> Option<RunResult> {
        let f = |k: &str| v.get(k).and_then(Value::as_f64);
        let u = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(RunResult {
            ok: u("ok")?,
            failed: u("failed")?,
            attempts: u("attempts").unwrap_or(0),
            wall_s: f("wall_s")?,
            cpu_s: f("cpu_s").unwrap_or(f64::NAN),
            peak_rss_kib: u("peak_rss_kib").unwrap_or(0),
            start_unix: f("start_unix").unwrap_or(0.0),
            end_unix: f("end_unix").unwrap_or(0.0),
            first_error: v
                .get("first_error")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Counters shared by the workers of one run.
#[derive(Default)]
struct Tally {
    next: AtomicU64,
    ok: AtomicU64,
    failed: AtomicU64,
    attempts: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Tally {
    /// Claims the next request number; false once `n` are claimed.
    fn claim(&self, n: u64) -> bool {
        self.next.fetch_add(1, Ordering::Relaxed) < n
    }

    fn success(&self, attempts: u32) {
        self.ok.fetch_add(1, Ordering::Relaxed);
        self.attempts
            .fetch_add(u64::from(attempts), Ordering::Relaxed);
    }

    fn failure(&self, e: impl std::fmt::Display) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(e.to_string());
        }
    }
}

/// The iconik-sync client for a run (shared by the async client).
pub fn iconik_client(target: &Target, w: &Workload) -> iconik_sync::Result<iconik_sync::Client> {
    let builder = iconik_sync::Client::builder()
        .app_id(&target.app_id)
        .auth_token(&target.auth_token)
        .base_url(&target.base_url)
        .max_idle_connections(w.workers.max(1));
    let builder = match &w.handling {
        Handling::Disabled => builder.disable_rate_limit_handling(),
        Handling::Default(limits) => {
            builder.rate_limit(RateLimitConfig::default().limits(limits.clone()))
        }
    };
    let builder = match w.process {
        Some(p) => builder.default_header(crate::sends::PROCESS_HEADER, p.to_string()),
        None => builder,
    };
    let builder = match &w.redis {
        Some((url, share)) => builder.shared_limiter(
            iconik_redis::RedisLimiter::builder(url.as_str())
                .local_share(*share)
                .connect()
                .map_err(|e| iconik_sync::Error::Config(e.to_string()))?,
        ),
        None => builder,
    };
    builder.build()
}

/// The plain loop's agent: ureq configured exactly as iconik-sync configures
/// it (keep-alive pool sized to the workers, statuses not turned into
/// errors, no redirects, the same timeouts and user agent).
fn plain_agent(workers: usize) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(iconik_sync::DEFAULT_TIMEOUT))
        .timeout_connect(Some(iconik_sync::DEFAULT_CONNECT_TIMEOUT))
        .max_idle_connections(workers.max(1))
        .max_idle_connections_per_host(workers.max(1))
        .user_agent("iconik-rs/0.1.0")
        .build();
    ureq::Agent::new_with_config(config)
}

/// ureq's default configuration, except that the keep-alive pool is sized
/// to the workers as every other contender's is (ureq keeps 3 idle
/// connections per host by default: 10 workers would reconnect all the
/// time, which would measure connection set-up, not the client).
fn default_agent(workers: usize) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .max_idle_connections(workers.max(1))
        .max_idle_connections_per_host(workers.max(1))
        .build();
    ureq::Agent::new_with_config(config)
}

fn plain_get(agent: &ureq::Agent, url: &str, target: &Target) -> Result<Asset, String> {
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .header("App-ID", &target.app_id)
        .header("Auth-Token", &target.auth_token)
        .call()
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(iconik_sync::DEFAULT_MAX_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("HTTP {status}"));
    }
    serde_json::from_slice::<Asset>(&body).map_err(|e| e.to_string())
}

/// Runs one workload in this process and measures it. The CPU figure is
/// this process's: run it in a process of its own (the `__client`
/// subcommand) for a clean number.
pub fn run(target: &Target, w: &Workload) -> Result<RunResult, String> {
    let tally = Arc::new(Tally::default());
    let workers = w.workers.max(1);
    let n = w.n;
    let cpu_before = procfs::cpu_seconds(None).unwrap_or(f64::NAN);
    let start_unix;
    let started;
    match w.kind {
        ClientKind::Plain | ClientKind::PlainDefault => {
            let agent = match w.kind {
                ClientKind::PlainDefault => default_agent(workers),
                _ => plain_agent(workers),
            };
            let url = format!(
                "{}/API/assets/v1/assets/{}/",
                target.base_url.trim_end_matches('/'),
                target.asset_id
            );
            start_unix = unix_now();
            started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|| {
                        while tally.claim(n) {
                            match plain_get(&agent, &url, target) {
                                Ok(asset) => {
                                    std::hint::black_box(asset);
                                    tally.success(1);
                                }
                                Err(e) => tally.failure(e),
                            }
                        }
                    });
                }
            });
        }
        ClientKind::Sync => {
            let client = iconik_client(target, w).map_err(|e| e.to_string())?;
            start_unix = unix_now();
            started = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|| {
                        let assets = client.assets();
                        while tally.claim(n) {
                            match assets.get_asset(&target.asset_id).send() {
                                Ok(r) => tally.success(r.attempts),
                                Err(e) => tally.failure(e),
                            }
                        }
                    });
                }
            });
        }
        ClientKind::Async => {
            let sync = iconik_client(target, w).map_err(|e| e.to_string())?;
            let client = iconik_async::Client::from_sync(sync, workers);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            start_unix = unix_now();
            started = Instant::now();
            runtime.block_on(async {
                let mut tasks = Vec::with_capacity(workers);
                for _ in 0..workers {
                    let (client, tally, id) =
                        (client.clone(), tally.clone(), target.asset_id.clone());
                    tasks.push(tokio::spawn(async move {
                        let assets = client.assets();
                        while tally.claim(n) {
                            match assets.get_asset(&id).send().await {
                                Ok(r) => tally.success(r.attempts),
                                Err(e) => tally.failure(e),
                            }
                        }
                    }));
                }
                for t in tasks {
                    if let Err(e) = t.await {
                        tally.failure(format!("task failed: {e}"));
                    }
                }
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
    let wall_s = started.elapsed().as_secs_f64();
    let end_unix = unix_now();
    let cpu_s = procfs::cpu_seconds(None).unwrap_or(f64::NAN) - cpu_before;
    let first_error = tally
        .first_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(RunResult {
        ok: tally.ok.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        attempts: tally.attempts.load(Ordering::Relaxed),
        wall_s,
        cpu_s,
        peak_rss_kib: procfs::peak_rss_kib(None).unwrap_or(0),
        start_unix,
        end_unix,
        first_error,
    })
}
