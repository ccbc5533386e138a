//! Scenario 1: overhead, a plain ureq loop against iconik-sync and iconik-async (and the Python peers) on the emulator.

use std::fmt::Write as _;

use super::*;
use crate::emulator::EmuSettings;
use crate::peers::Peer;
use crate::stats::{show, Spread};
use crate::workload::ClientKind;

impl Report {
    pub(super) fn overhead(&mut self) {
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
}
