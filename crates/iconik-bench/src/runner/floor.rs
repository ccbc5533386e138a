//! Scenario 5: the honest floor. Every client against a static nginx (a
//! fast server nobody here wrote), next to two plain ureq loops: one in
//! ureq's default configuration, one with iconik-sync's timeouts (which,
//! before iconik-sync had its own resolver, cost a thread and a lookup
//! per request in ureq).

use std::fmt::Write as _;

use super::{progress, ratio_of_medians, verdict, Contender, Report, Row, Sample};
use crate::emulator::EmuStats;
use crate::nginx::{self, Nginx};
use crate::peers::Peer;
use crate::stats::{show, Spread};
use crate::workload::{ClientKind, Target};

/// Worker counts of this scenario: the targets are at 1 and 10.
const WORKERS: [usize; 2] = [1, 10];

const CONTENDERS: [Contender; 5] = [
    Contender::Rust(ClientKind::PlainDefault),
    Contender::Rust(ClientKind::Plain),
    Contender::Rust(ClientKind::Sync),
    Contender::Rust(ClientKind::Async),
    Contender::Python(Peer::AioPythonik),
];

/// Index of each contender in [`CONTENDERS`].
const DEFAULT_LOOP: usize = 0;
const SYNC: usize = 2;
const ASYNC: usize = 3;
const AIO: usize = 4;

fn label(c: Contender) -> &'static str {
    match c {
        Contender::Rust(ClientKind::PlainDefault) => "ureq loop, ureq's default config",
        Contender::Rust(ClientKind::Plain) => "ureq loop, iconik-sync's timeouts",
        other => other.name(),
    }
}

impl Report {
    /// Runs scenario 5 and writes its table and targets.
    pub(super) fn floor(&mut self) {
        let _ = writeln!(self.out, "\n### 5. Floor: a static nginx on loopback\n");
        let started = nginx::binary().and_then(|_| {
            progress("floor: fetching the sample asset from an emulator, starting nginx");
            let body = nginx::sample_asset_body(&self.opts.asset_id)?;
            Nginx::start(&self.opts.asset_id, &body)
        });
        let server = match started {
            Ok(s) => s,
            Err(e) => {
                progress(&format!("floor scenario skipped: {e}"));
                let _ = writeln!(self.out, "Not run: {e}.");
                self.targets.push((
                    "floor scenario (nginx)".into(),
                    format!("not run: {e}"),
                    "n/a",
                ));
                return;
            }
        };
        let target = Target {
            base_url: server.base_url.clone(),
            app_id: "bench-app-id".into(),
            auth_token: "bench-auth-token".into(),
            asset_id: self.opts.asset_id.clone(),
        };
        let rows = self.floor_runs(&server, &target);
        self.floor_table(&server, &rows);
        self.floor_targets(&rows);
    }

    /// Interleaved runs: run 1 of every contender at every worker count,
    /// then run 2, ...; one nginx for all (it keeps no state).
    fn floor_runs(&self, server: &Nginx, target: &Target) -> Vec<Vec<Row>> {
        let o = &self.opts;
        let mut rows = vec![vec![Row::default(); CONTENDERS.len()]; WORKERS.len()];
        for run in 0..o.runs {
            for (wi, &w) in WORKERS.iter().enumerate() {
                for (ci, &c) in CONTENDERS.iter().enumerate() {
                    let n = match c {
                        Contender::Rust(_) => o.n_overhead,
                        Contender::Python(_) => o.n_peer_overhead,
                    };
                    let result = match c {
                        Contender::Python(_) if !o.peers || self.python.is_err() => {
                            Err(self.python.as_ref().err().cloned().unwrap_or_default())
                        }
                        _ => {
                            progress(&format!(
                                "floor run {}/{}: {} x{w}, N={n}",
                                run + 1,
                                o.runs,
                                label(c)
                            ));
                            let cpu_before = server.cpu_seconds();
                            let r = match c {
                                Contender::Rust(k) => super::run_client(o, k, w, n, "off", target),
                                Contender::Python(p) => self
                                    .python
                                    .as_ref()
                                    .map_err(Clone::clone)
                                    .and_then(|py| py.run(p, "overhead", n, w, target)),
                            };
                            let cpu = server.cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
                            r.map(|r| Sample {
                                server: cpu.map(|cpu_s| EmuStats {
                                    requests: r.ok + r.failed,
                                    cpu_s,
                                    ..EmuStats::default()
                                }),
                                r,
                            })
                        }
                    };
                    match &result {
                        Err(e) => progress(&format!("  failed: {e}")),
                        Ok(s) if s.r.failed > 0 => progress(&format!(
                            "  {} failures, the first: {}",
                            s.r.failed,
                            s.r.first_error.as_deref().unwrap_or("?")
                        )),
                        Ok(_) => {}
                    }
                    rows[wi][ci].push(result);
                }
            }
        }
        rows
    }

    fn floor_table(&mut self, server: &Nginx, rows: &[Vec<Row>]) {
        let o = &self.opts;
        let _ = writeln!(
            self.out,
            "{} (`master_process off`, one process, no access log, keep-alive never closed by request count) serving the emulator's sample asset, byte for byte, as a static file at the asset path, started by the runner on a free loopback port. N = {} GETs per run for the Rust clients, {} for aiopythonik. The two floors: a plain ureq loop in ureq's default configuration (no timeouts; only the keep-alive pool sized to the workers, as every contender's is), and the same loop with iconik-sync's agent configuration (its timeouts included). Ratios are per run, paired with the default-config loop run just before; aiopythonik's are ratios of medians. Server CPU is nginx's.\n",
            server.version, o.n_overhead, o.n_peer_overhead
        );
        let _ = writeln!(self.out, "| workers | client | requests/s | ×default loop | CPU µs/request | ×default loop | peak RSS MiB | failures | nginx CPU µs/req |");
        let _ = writeln!(self.out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for (wi, &w) in WORKERS.iter().enumerate() {
            let floor = &rows[wi][DEFAULT_LOOP];
            for (ci, &c) in CONTENDERS.iter().enumerate() {
                let row = &rows[wi][ci];
                if let Some(why) = row.unavailable() {
                    let _ = writeln!(
                        self.out,
                        "| {w} | {} | unavailable: {} | | | | | | |",
                        label(c),
                        why.replace('|', "/")
                    );
                    continue;
                }
                let (rps_ratio, cpu_ratio) = match c {
                    _ if ci == DEFAULT_LOOP => ("1".to_owned(), "1".to_owned()),
                    Contender::Rust(_) => (
                        show(&super::paired_ratio(row, floor, Sample::rps), 3),
                        show(&super::paired_ratio(row, floor, Sample::cpu_us), 2),
                    ),
                    Contender::Python(_) => (
                        format!("{:.3}", ratio_of_medians(row, floor, Sample::rps)),
                        format!("{:.1}", ratio_of_medians(row, floor, Sample::cpu_us)),
                    ),
                };
                let _ = writeln!(
                    self.out,
                    "| {w} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    label(c),
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
    }

    fn floor_targets(&mut self, rows: &[Vec<Row>]) {
        for (wi, &w) in WORKERS.iter().enumerate() {
            let floor = &rows[wi][DEFAULT_LOOP];
            let mut goals = vec![(SYNC, 0.95)];
            if w >= 10 {
                goals.push((ASYNC, 0.85));
            }
            for (ci, goal) in goals {
                let r = super::paired_ratio(&rows[wi][ci], floor, Sample::rps);
                let (measured, met) = match Spread::of(&r) {
                    Some(s) => (
                        format!("{:.3}× ({:.3}–{:.3})", s.median, s.min, s.max),
                        verdict(s.median >= goal),
                    ),
                    None => ("not measured".into(), "n/a"),
                };
                self.targets.push((
                    format!(
                        "nginx: {} ≥ {goal}× the default-config ureq loop, {w} worker(s)",
                        label(CONTENDERS[ci])
                    ),
                    measured,
                    met,
                ));
            }
            if w < 10 {
                continue;
            }
            let aio = &rows[wi][AIO];
            for ci in [SYNC, ASYNC] {
                let name = label(CONTENDERS[ci]);
                if aio.samples.is_empty() || rows[wi][ci].samples.is_empty() {
                    self.targets.push((
                        format!("nginx: {name} ≥ 60× aiopythonik's throughput, ≤ 1/60 of its CPU, {w} workers"),
                        format!("not measured: {}", aio.unavailable().unwrap_or_default()),
                        "n/a",
                    ));
                    continue;
                }
                let tput = ratio_of_medians(&rows[wi][ci], aio, Sample::rps);
                let cpu = ratio_of_medians(aio, &rows[wi][ci], Sample::cpu_us);
                self.targets.push((
                    format!("nginx: {name} ≥ 60× aiopythonik's throughput, {w} workers"),
                    format!("{tput:.1}×"),
                    verdict(tput >= 60.0),
                ));
                self.targets.push((
                    format!("nginx: {name} ≤ 1/60 of aiopythonik's CPU per request, {w} workers"),
                    format!("1/{cpu:.1}"),
                    verdict(cpu >= 60.0),
                ));
            }
        }
    }
}
