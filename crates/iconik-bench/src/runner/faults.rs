//! Scenario 4: 10% 503s and 2% resets: success rate and extra attempts per request.

use std::fmt::Write as _;

use super::*;
use crate::emulator::EmuSettings;
use crate::peers::Peer;
use crate::stats::show;
use crate::workload::ClientKind;

impl Report {
    pub(super) fn faults(&mut self) {
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
                    record: None,
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
}
