//! Scenario 3: three processes sharing one credential, pacing alone (adaptive, from `RateLimit-Remaining` and 429s).

use std::fmt::Write as _;

use super::*;
use crate::emulator::{EmuSettings, EmuStats};
use crate::stats::{median, show};
use crate::workload::{ClientKind, RunResult};

impl Report {
    pub(super) fn shared(&mut self) {
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
        let mut sends = Vec::new();
        for run in 0..o.runs {
            progress(&format!(
                "shared run {}/{}: {procs} iconik-sync processes x {per} under {}",
                run + 1,
                o.runs,
                policy.name
            ));
            let recording = self.recording();
            let settings = EmuSettings {
                limits: limits.clone(),
                seed: run as u64,
                record: recording.as_ref().map(|r| r.path()),
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
                .map(|i| {
                    client_command(
                        &o,
                        ClientKind::Sync,
                        workers,
                        per,
                        &limits.join(","),
                        &target,
                    )
                    .args(["--process", &(i + 1).to_string()])
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
            if let Some(r) = recording {
                sends = r.sends();
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
        self.plot(
            &format!("shared-{}-{procs}x{per}", plots::slug(&policy.name)),
            &format!(
                "Scenario 3: {procs} iconik-sync processes × {per} GETs sharing a credential, pacing alone, under {} (last of {} runs)",
                policy.name, o.runs
            ),
            &policy.rules,
            &sends,
        );
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
}
