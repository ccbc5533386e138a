//! Scenario 2: under iconik's limits (and the scaled variant): failures, 429s and how close to the minimum span.

use std::fmt::Write as _;

use super::*;
use crate::emulator::EmuSettings;
use crate::peers::Peer;
use crate::stats::{median, show};
use crate::workload::ClientKind;

impl Report {
    pub(super) fn limits(&mut self) {
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
            let mut sends = vec![Vec::new(); contenders.len()];
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
                    let recording = self.recording();
                    let settings = EmuSettings {
                        limits: limits.clone(),
                        seed: run as u64,
                        record: recording.as_ref().map(|r| r.path()),
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
                    if let Some(r) = recording {
                        sends[ci] = r.sends();
                    }
                }
            }
            for (ci, c) in contenders.iter().enumerate() {
                self.plot(
                    &format!(
                        "limits-{}-{}",
                        plots::slug(&policy.name),
                        plots::slug(c.name())
                    ),
                    &format!(
                        "Scenario 2: {}, {workers} workers, {n} GETs under {} (last of {} runs)",
                        c.name(),
                        policy.name,
                        o.runs
                    ),
                    &policy.rules,
                    &sends[ci],
                );
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
}
