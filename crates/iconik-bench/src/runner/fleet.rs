//! Scenario 5, fleets: N processes sharing one credential through Redis
//! (`iconik_redis::RedisLimiter`), with Redis up the whole run and with
//! Redis stopped halfway. Mirrors scenario 3 (shared credentials), whose
//! processes pace alone.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::plots::{slug, Recording};
use super::{client_command, parse_child_output, progress, verdict, Policy, Report, Server};
use crate::emulator::{EmuSettings, EmuStats};
use crate::procfs::load_average;
use crate::sends::Send;
use crate::stats::{median, show};
use crate::workload::{ClientKind, RunResult};

/// Threads per client process (as in scenario 3).
const WORKERS: usize = 10;

/// A `redis-server` on a free loopback port (no persistence), stopped on drop.
pub(crate) struct RedisProcess {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl RedisProcess {
    pub(crate) fn start() -> Result<RedisProcess, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("iconik-bench-redis-{port}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("temp dir: {e}"))?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start redis-server (apt-get install redis-server): {e}")
            })?;
        let redis = RedisProcess {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if redis.ping() {
                return Ok(redis);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("redis-server did not answer within 10 s".into())
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    /// Redis's `total_connections_received` (this query's own included).
    fn connections(&self) -> Option<u64> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
        s.write_all(b"INFO stats\r\n").ok()?;
        let mut text = String::new();
        let mut buf = [0u8; 4096];
        while !text.contains("total_connections_received:") || !text.ends_with("\r\n") {
            let n = s.read(&mut buf).ok()?;
            if n == 0 || text.len() > 64 * 1024 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        text.lines()
            .find_map(|l| l.strip_prefix("total_connections_received:"))
            .and_then(|v| v.trim().parse().ok())
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One run: the fleet's aggregate, the server's count, and how many times
/// the processes reconnected to Redis (each reconnection follows a switch
/// to local pacing; `None` when Redis was stopped or did not say).
struct FleetRun {
    agg: RunResult,
    stats: Option<EmuStats>,
    reconnects: Option<u64>,
    sends: Vec<Send>,
}

impl Report {
    pub(super) fn fleet(&mut self) {
        let o = self.opts.clone();
        let policy = if o.quick {
            Policy::scaled()
        } else {
            Policy::iconik()
        };
        let load_before = load_average();
        let _ = writeln!(
            self.out,
            "\n### 6. Fleets: processes sharing one credential through Redis\n\n\
             N processes (`iconik-bench __client`), each an iconik-sync client with {WORKERS} threads, \
             `RateLimitConfig::default().limits(<the policy>)` and \
             `.shared_limiter(RedisLimiter::builder(url).local_share(1/N).connect()?)`, \
             the same App-ID and Auth-Token, started together against one emulator and one local \
             `redis-server`. \"stopped halfway\": Redis is killed after half the minimum span, the \
             processes finish on local pacing at 1/N of the limits plus proactive throttling. \
             Share of capacity = minimum span / measured span (last end − first start), as in scenario 3.\n"
        );
        let _ = writeln!(self.out, "| policy | processes × GETs | Redis | span s | share of capacity | 429s received | retries (attempts − N) | failures | Redis reconnects (switches to local pacing) | most in any window (last run) | first error |");
        let _ = writeln!(
            self.out,
            "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
        );
        for &(procs, per) in &o.fleet {
            for stop_halfway in [false, true] {
                self.fleet_row(&policy, procs, per, stop_halfway);
            }
        }
        let _ = writeln!(
            self.out,
            "\nLoad average (1, 5, 15 min) before: {load_before}; after: {}.",
            load_average()
        );
    }

    fn fleet_row(&mut self, policy: &Policy, procs: usize, per: u64, stop_halfway: bool) {
        let o = self.opts.clone();
        let total = per * procs as u64;
        let min = policy.min_span(total);
        let redis_mode = if stop_halfway {
            "stopped halfway"
        } else {
            "up"
        };
        let mut runs = Vec::new();
        let mut errors = Vec::new();
        for run in 0..o.runs {
            progress(&format!(
                "fleet run {}/{}: {procs} processes x {per}, Redis {redis_mode}, under {}",
                run + 1,
                o.runs,
                policy.name
            ));
            let recording = self.recording();
            match fleet_run(&o, policy, procs, per, stop_halfway, run as u64, recording) {
                Ok(r) => runs.push(r),
                Err(e) => errors.push(e),
            }
        }
        let label = format!("{procs} × {per}");
        if let Some(last) = runs.last() {
            self.plot(
                &format!(
                    "fleet-{}-{procs}x{per}-redis-{}",
                    slug(&policy.name),
                    slug(redis_mode)
                ),
                &format!(
                    "Scenario 6: {procs} processes × {per} GETs sharing a credential through Redis, Redis {redis_mode}, under {} (last of {} runs)",
                    policy.name, o.runs
                ),
                &policy.rules,
                &last.sends,
            );
        }
        if runs.is_empty() {
            let _ = writeln!(
                self.out,
                "| {} | {label} | {redis_mode} | unavailable: {} | | | | | | | |",
                policy.name,
                errors.first().cloned().unwrap_or_default()
            );
            self.targets.push((
                format!("fleet ({label}, Redis {redis_mode}): ran"),
                errors.join("; "),
                verdict(false),
            ));
            return;
        }
        let span: Vec<f64> = runs.iter().map(|r| r.agg.wall_s).collect();
        let share: Vec<f64> = span.iter().map(|s| min / s * 100.0).collect();
        let r429: Vec<f64> = (runs.iter())
            .map(|r| r.stats.as_ref().map_or(f64::NAN, |s| s.rate_limited as f64))
            .collect();
        let retries: Vec<f64> = (runs.iter())
            .map(|r| r.agg.attempts as f64 - r.agg.ok as f64)
            .collect();
        let fails: Vec<f64> = runs.iter().map(|r| r.agg.failed as f64).collect();
        let reconnects: Vec<f64> = (runs.iter())
            .filter_map(|r| r.reconnects.map(|n| n as f64))
            .collect();
        let reconnects = if reconnects.is_empty() {
            "–".to_owned()
        } else {
            show(&reconnects, 0)
        };
        let most = (runs.iter())
            .filter_map(|r| r.stats.as_ref())
            .map(|s| {
                (s.max_in_window.iter())
                    .map(|(l, w, m)| format!("{m}/{l} in {}s", w / 1000))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .next_back()
            .unwrap_or_default();
        let first_error = (runs.iter())
            .find_map(|r| r.agg.first_error.clone())
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            self.out,
            "| {} | {label} | {redis_mode} | {} | {}% | {} | {} | {} | {reconnects} | {most} | {} |",
            policy.name,
            show(&span, 2),
            show(&share, 1),
            show(&r429, 0),
            show(&retries, 0),
            show(&fails, 0),
            first_error
                .replace('|', "/")
                .chars()
                .take(160)
                .collect::<String>(),
        );
        if !errors.is_empty() {
            let _ = writeln!(
                self.out,
                "\nRuns that failed to complete ({label}, Redis {redis_mode}): {}\n",
                errors.join("; ")
            );
        }
        let max_fail = fails.iter().copied().fold(0.0, f64::max);
        self.targets.push((
            format!(
                "fleet ({label}, Redis {redis_mode}, {}): zero failures",
                policy.name
            ),
            format!("{} (max {max_fail:.0})", show(&fails, 0)),
            verdict(max_fail == 0.0 && errors.is_empty()),
        ));
        if !stop_halfway {
            let max_429 = r429.iter().copied().fold(0.0, f64::max);
            self.targets.push((
                format!("fleet ({label}, Redis up, {}): zero 429s", policy.name),
                format!("{} (max {max_429:.0})", show(&r429, 0)),
                verdict(max_429 == 0.0),
            ));
            self.targets.push((
                format!(
                    "fleet ({label}, Redis up, {}): ≥ 97% of capacity",
                    policy.name
                ),
                format!("{}%", show(&share, 1)),
                verdict(median(&share) >= 97.0),
            ));
        }
    }
}

/// Starts Redis, the emulator and `procs` client processes; stops Redis
/// halfway when asked; collects the processes' results.
fn fleet_run(
    o: &super::Options,
    policy: &Policy,
    procs: usize,
    per: u64,
    stop_halfway: bool,
    seed: u64,
    recording: Option<Recording>,
) -> Result<FleetRun, String> {
    let mut redis = RedisProcess::start()?;
    let limits = policy.rule_strings();
    let settings = EmuSettings {
        limits: limits.clone(),
        seed,
        record: recording.as_ref().map(Recording::path),
        ..EmuSettings::default()
    };
    let mut server = Server::start(o, &settings)?;
    let target = server.target(&o.asset_id);
    let connections_before = redis.connections();
    let share = format!("{}", 1.0 / procs as f64);
    let children: Vec<_> = (0..procs)
        .map(|i| {
            client_command(
                o,
                ClientKind::Sync,
                WORKERS,
                per,
                &limits.join(","),
                &target,
            )
            .args(["--redis", &redis.url(), "--local-share", &share])
            .args(["--process", &(i + 1).to_string()])
            .spawn()
        })
        .collect();
    if stop_halfway {
        let half = policy.min_span(per * procs as u64) / 2.0;
        std::thread::sleep(Duration::from_secs_f64(half));
        redis.stop();
    }
    let mut results = Vec::new();
    let mut errors = Vec::new();
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
        return Err(errors.join("; "));
    }
    let start = (results.iter())
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
    // every process connects once; more means some reconnected after a
    // timeout (the query itself is one more connection)
    let reconnects = match (connections_before, redis.connections()) {
        (Some(a), Some(b)) if !stop_halfway => Some(b.saturating_sub(a + 1 + procs as u64)),
        _ => None,
    };
    Ok(FleetRun {
        agg,
        stats: server.stats(),
        reconnects,
        sends: recording.map(|r| r.sends()).unwrap_or_default(),
    })
}
