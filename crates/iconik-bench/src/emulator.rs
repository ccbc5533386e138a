//! The emulator as a separate process, so that the client's CPU time is
//! the client's alone.
//!
//! The child is this binary's hidden `__emulator` subcommand: the
//! `iconik-emulator` library plus a line protocol on stdin/stdout that the
//! stock `iconik-emulator` binary lacks (its statistics, and 503-only error
//! injection). The child prints `READY <base_url>`, then answers `stats`
//! with one JSON line and exits at end of input (or when killed).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig, RateLimitRule};
use serde_json::{json, Value};

/// Server settings for one emulator process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmuSettings {
    /// Rate limit rules (`50/1s`, ...); empty: no limiting.
    pub limits: Vec<String>,
    /// Share of requests answered 503.
    pub error_rate: f64,
    /// Share of connections reset.
    pub reset_rate: f64,
    /// RNG seed.
    pub seed: u64,
    /// Record every request (NDJSON, see [`crate::sends`]) to this file.
    pub record: Option<std::path::PathBuf>,
}

impl EmuSettings {
    /// The `__emulator` arguments.
    pub fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if self.limits.is_empty() {
            a.push("--no-rate-limit".to_owned());
        }
        for l in &self.limits {
            a.push("--rate-limit".to_owned());
            a.push(l.clone());
        }
        a.extend([
            "--error-rate".to_owned(),
            self.error_rate.to_string(),
            "--reset-rate".to_owned(),
            self.reset_rate.to_string(),
            "--seed".to_owned(),
            self.seed.to_string(),
        ]);
        if let Some(p) = &self.record {
            a.push("--record".to_owned());
            a.push(p.to_string_lossy().into_owned());
        }
        a
    }

    fn parse(args: &[String]) -> Result<EmuSettings, String> {
        let mut s = EmuSettings::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{a} needs a value"))
            };
            match a.as_str() {
                "--no-rate-limit" => s.limits.clear(),
                "--rate-limit" => s.limits.push(val()?),
                "--error-rate" => s.error_rate = val()?.parse().map_err(|_| "bad --error-rate")?,
                "--reset-rate" => s.reset_rate = val()?.parse().map_err(|_| "bad --reset-rate")?,
                "--seed" => s.seed = val()?.parse().map_err(|_| "bad --seed")?,
                "--record" => s.record = Some(val()?.into()),
                other => return Err(format!("__emulator: unknown argument {other:?}")),
            }
        }
        Ok(s)
    }

    /// The library configuration (seed data on; 503 as the only error status).
    pub fn config(&self) -> Result<EmulatorConfig, String> {
        let rules = self
            .limits
            .iter()
            .map(|l| RateLimitRule::parse(l).ok_or_else(|| format!("bad rate limit rule {l:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        let config = EmulatorConfig::new();
        let config = match &self.record {
            Some(p) => config.record(p.clone()),
            None => config,
        };
        Ok(config
            .seed_data(true)
            .seed(self.seed)
            // the sync benchmark's 2 GiB file: one copy, not two
            .keep_upload_bytes(false)
            .rate_limits(rules)
            .faults(
                FaultConfig::none()
                    .error_rate(self.error_rate)
                    .error_statuses(vec![503])
                    .reset_rate(self.reset_rate),
            ))
    }
}

/// The emulator's counters that the tables use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmuStats {
    /// Requests received.
    pub requests: u64,
    /// 429 answers sent.
    pub rate_limited: u64,
    /// Faults injected (errors and resets).
    pub faults: u64,
    /// Connections reset.
    pub resets: u64,
    /// Per rule: (limit, window ms, most requests seen in any such window).
    pub max_in_window: Vec<(u32, u64, u32)>,
    /// CPU seconds used by the emulator process so far.
    pub cpu_s: f64,
    /// Requests by operation id (`storage` for the fake storages).
    pub by_operation: std::collections::BTreeMap<String, u64>,
    /// Body bytes the fake storages received.
    pub storage_bytes_in: u64,
    /// Objects created, by kind.
    pub creations: std::collections::BTreeMap<String, u64>,
}

fn stats_json(emu: &Emulator) -> Value {
    let s = emu.stats();
    json!({
        "requests": s.requests,
        "rate_limited": s.rate_limited,
        "faults": s.faults_injected,
        "resets": s.resets,
        "max_in_window": s.max_in_window.iter()
            .map(|(r, most)| json!([r.limit, r.window.as_millis() as u64, most]))
            .collect::<Vec<_>>(),
        "cpu_s": crate::procfs::cpu_seconds(None),
        "by_operation": s.by_operation,
        "storage_bytes_in": s.storage_bytes_in,
        "creations": s.creations,
    })
}

/// A JSON object of counts as a map.
fn counts(v: Option<&Value>) -> std::collections::BTreeMap<String, u64> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// The hidden `__emulator` subcommand: serve until stdin closes.
pub fn serve_child(args: &[String]) -> Result<(), String> {
    let settings = EmuSettings::parse(args)?;
    let emu = Emulator::start(settings.config()?).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "READY {} {} {}",
        emu.base_url(),
        emu.app_id(),
        emu.auth_token()
    )
    .and_then(|()| out.flush())
    .map_err(|e| e.to_string())?;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let reply = match line.trim() {
            "stats" => stats_json(&emu).to_string(),
            "reset" => {
                emu.reset_stats();
                "ok".to_owned()
            }
            other => format!("error unknown command {other:?}"),
        };
        if writeln!(out, "{reply}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    Ok(())
}

/// A running emulator child process; killed on drop.
pub struct ChildEmulator {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Its base URL.
    pub base_url: String,
    /// Its App-ID.
    pub app_id: String,
    /// Its Auth-Token.
    pub auth_token: String,
}

impl ChildEmulator {
    /// Starts `exe __emulator <settings>` and waits for it to listen.
    pub fn start(exe: &Path, settings: &EmuSettings) -> Result<ChildEmulator, String> {
        let mut child = Command::new(exe)
            .arg("__emulator")
            .args(settings.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the emulator process: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line).map_err(|e| e.to_string())?;
        let mut parts = line.split_whitespace();
        if parts.next() != Some("READY") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the emulator process did not start: {line:?}"));
        }
        let mut next = || parts.next().unwrap_or_default().to_owned();
        let (base_url, app_id, auth_token) = (next(), next(), next());
        Ok(ChildEmulator {
            child,
            stdin,
            stdout,
            base_url,
            app_id,
            auth_token,
        })
    }

    fn ask(&mut self, command: &str) -> Option<String> {
        writeln!(self.stdin, "{command}").ok()?;
        self.stdin.flush().ok()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).ok()?;
        Some(line)
    }

    /// The emulator's counters now.
    pub fn stats(&mut self) -> Option<EmuStats> {
        let line = self.ask("stats")?;
        let v: Value = serde_json::from_str(&line).ok()?;
        let u = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        let max_in_window = v
            .get("max_in_window")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| {
                        let t = t.as_array()?;
                        Some((
                            u32::try_from(t.first()?.as_u64()?).ok()?,
                            t.get(1)?.as_u64()?,
                            u32::try_from(t.get(2)?.as_u64()?).ok()?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(EmuStats {
            requests: u("requests"),
            rate_limited: u("rate_limited"),
            faults: u("faults"),
            resets: u("resets"),
            max_in_window,
            cpu_s: v.get("cpu_s").and_then(Value::as_f64).unwrap_or(f64::NAN),
            by_operation: counts(v.get("by_operation")),
            storage_bytes_in: u("storage_bytes_in"),
            creations: counts(v.get("creations")),
        })
    }

    /// Zeroes the counters.
    pub fn reset(&mut self) {
        let _ = self.ask("reset");
    }
}

impl Drop for ChildEmulator {
    fn drop(&mut self) {
        // closing stdin ends the child; kill it if it lingers
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
