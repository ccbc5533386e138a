//! The build budget's figures and their Markdown table.

use std::fmt::Write as _;

use super::measure::Timed;
use crate::stats::{median, show};

/// Issue 21's targets: a hello-world on iconik-sync against one on its
/// third-party dependencies alone (time ratio, peak RSS in MB = 10⁶ bytes).
pub const DEFAULT_MAX_RATIO: f64 = 2.5;
/// See [`DEFAULT_MAX_RATIO`].
pub const DEFAULT_MAX_MB: f64 = 1500.0;
/// With one service feature.
pub const ONE_FEATURE_MAX_RATIO: f64 = 1.5;
/// See [`ONE_FEATURE_MAX_RATIO`].
pub const ONE_FEATURE_MAX_MB: f64 = 800.0;
/// `cargo doc -p iconik-sync --no-deps` output, MB.
pub const DOC_MAX_MB: f64 = 30.0;

/// Where and how the figures were taken.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// The measured checkout's path.
    pub sync_path: String,
    /// Its commit (`git describe --always --dirty`).
    pub commit: String,
    /// The runner's command line.
    pub command: String,
    /// Cores, CPU, memory, kernel.
    pub machine: String,
    /// `/proc/loadavg` before the first build.
    pub load_before: String,
    /// `/proc/loadavg` after the last.
    pub load_after: String,
    /// `dev` or `release` (the hello-world builds).
    pub profile: String,
    /// How many jobs cargo ran.
    pub jobs: String,
    /// The one feature of build (c).
    pub feature: String,
    /// Anything the reader should know (skipped dependencies, wrappers).
    pub notes: Vec<String>,
}

/// The size of one crate's documentation.
#[derive(Debug, Clone, Default)]
pub struct DocFigure {
    /// `iconik-sync`.
    pub krate: String,
    /// Bytes under `target/doc`.
    pub bytes: u64,
    /// Files under `target/doc`.
    pub files: u64,
    /// Bytes of the crate's item pages (`target/doc/<crate>`).
    pub pages_bytes: u64,
    /// Bytes of its source pages (`target/doc/src/<crate>`).
    pub source_bytes: u64,
    /// The `cargo doc` run.
    pub timed: Timed,
}

/// One clean release build of the CLI.
#[derive(Debug, Clone, Default)]
pub struct CliFigure {
    /// The build.
    pub timed: Timed,
    /// The binary as built, bytes.
    pub binary_bytes: Option<u64>,
    /// The binary after `strip`, bytes.
    pub stripped_bytes: Option<u64>,
}

/// Everything one `build-budget` run measured; empty lists were not asked for.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Where and how.
    pub meta: Meta,
    /// (b) the hello-world on iconik-sync's third-party dependencies, per run.
    pub deps: Vec<Timed>,
    /// (a) on iconik-sync with default features, per run.
    pub default: Vec<Timed>,
    /// (c) on iconik-sync with one feature, per run.
    pub one_feature: Vec<Timed>,
    /// (d) documentation sizes.
    pub docs: Vec<DocFigure>,
    /// The CLI, per run.
    pub cli: Vec<CliFigure>,
}

fn mb(bytes: f64) -> f64 {
    bytes / 1e6
}

fn kib_mb(kib: Option<u64>) -> f64 {
    kib.map_or(f64::NAN, |k| mb(k as f64 * 1024.0))
}

fn ok(runs: &[Timed]) -> Vec<&Timed> {
    runs.iter().filter(|t| t.error.is_none()).collect()
}

fn first_error(runs: &[Timed]) -> Option<String> {
    runs.iter().find_map(|t| t.error.clone()).map(|e| {
        let e = e.replace('|', "/");
        if e.chars().count() > 300 {
            format!("{}…", e.chars().take(300).collect::<String>())
        } else {
            e
        }
    })
}

/// Per-run time ratios to (b), paired run by run.
fn ratios(build: &[Timed], deps: &[Timed]) -> Vec<f64> {
    build
        .iter()
        .zip(deps)
        .filter(|(a, b)| a.error.is_none() && b.error.is_none())
        .map(|(a, b)| a.wall_s / b.wall_s)
        .collect()
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "**met**",
        Some(false) => "**missed**",
        None => "n/a",
    }
}

impl Figures {
    /// One table row of a hello-world build against (b).
    fn build_row(&self, out: &mut String, label: &str, runs: &[Timed], target: Option<(f64, f64)>) {
        if runs.is_empty() {
            return;
        }
        let good = ok(runs);
        if good.is_empty() {
            let why = first_error(runs).unwrap_or_default();
            let _ = writeln!(out, "| {label} | failed: {why} | | | | | |");
            return;
        }
        let wall: Vec<f64> = good.iter().map(|t| t.wall_s).collect();
        let rss: Vec<f64> = good.iter().map(|t| kib_mb(t.max_rss_kib)).collect();
        let tree: Vec<f64> = good.iter().map(|t| kib_mb(t.tree_rss_kib)).collect();
        let (ratio, target_text, met) = match target {
            None => ("1".to_owned(), "baseline".to_owned(), ""),
            Some((max_ratio, max_mb)) => {
                let r = ratios(runs, &self.deps);
                let m = (!r.is_empty() && rss.iter().any(|x| x.is_finite()))
                    .then(|| median(&r) <= max_ratio && median(&rss) <= max_mb);
                (
                    if r.is_empty() {
                        "n/a".to_owned()
                    } else {
                        format!("{}×", show(&r, 2))
                    },
                    format!("≤ {max_ratio}× and ≤ {max_mb:.0} MB"),
                    verdict(m),
                )
            }
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {ratio} | {} MB | {} MB | {target_text} | {met} |",
            show(&wall, 1),
            show(&rss, 0),
            show(&tree, 0),
        );
    }

    /// The Markdown: a header with the provenance, then the tables.
    pub fn markdown(&self) -> String {
        let m = &self.meta;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### Build budget (issue 21 item 7)\n\n\
             - Date: {}\n- Source: `{}` at commit `{}`\n- Command: `{}`\n- Machine: {}\n\
             - Builds: `cargo build` ({} profile), `CARGO_INCREMENTAL=0`, jobs: {}; each hello-world \
             a fresh crate with its own fresh target directory under the system's temp folder \
             (removed afterwards), the checkout's `Cargo.lock` copied in, dependencies fetched \
             before the clock starts; run one after the other, (b) then (a) then (c); \
             median (min–max) over runs, ratios paired run by run\n\
             - Peak RSS: \"largest process\" is GNU time's maximum resident set size (the heaviest \
             single process of the build, a rustc); \"whole tree\" is the most the build's processes \
             held together, sampled every 100 ms. MB = 10⁶ bytes\n\
             - Load average (1, 5, 15 min) before: {}; after: {}",
            m.date,
            m.sync_path,
            m.commit,
            m.command,
            m.machine,
            m.profile,
            m.jobs,
            m.load_before,
            m.load_after
        );
        for n in &m.notes {
            let _ = writeln!(out, "- Note: {n}");
        }
        if !(self.deps.is_empty() && self.default.is_empty() && self.one_feature.is_empty()) {
            let _ = writeln!(
                out,
                "\n| build | wall s | × (b) | peak RSS, largest process | peak RSS, whole tree | target | |\n|---|---:|---:|---:|---:|---|---|"
            );
            self.build_row(
                &mut out,
                "(b) hello-world on iconik-sync's third-party dependencies alone",
                &self.deps,
                None,
            );
            self.build_row(
                &mut out,
                "(a) hello-world on iconik-sync, default features",
                &self.default,
                Some((DEFAULT_MAX_RATIO, DEFAULT_MAX_MB)),
            );
            self.build_row(
                &mut out,
                &format!(
                    "(c) hello-world on iconik-sync, `default-features = false, features = [\"{}\"]`",
                    m.feature
                ),
                &self.one_feature,
                Some((ONE_FEATURE_MAX_RATIO, ONE_FEATURE_MAX_MB)),
            );
        }
        if !self.docs.is_empty() {
            let _ = writeln!(
                out,
                "\n| documentation (fresh target dir) | size | item pages | source pages | files | wall s | target | |\n|---|---:|---:|---:|---:|---:|---|---|"
            );
            for d in &self.docs {
                let sync = d.krate == "iconik-sync";
                let (target, met) = if sync {
                    (
                        format!("≤ {DOC_MAX_MB:.0} MB"),
                        verdict(
                            d.timed
                                .error
                                .is_none()
                                .then(|| mb(d.bytes as f64) <= DOC_MAX_MB),
                        ),
                    )
                } else {
                    ("(report)".to_owned(), "")
                };
                match &d.timed.error {
                    Some(e) => {
                        let _ = writeln!(
                            out,
                            "| `cargo doc -p {} --no-deps` | failed: {} | | | | | {target} | n/a |",
                            d.krate,
                            e.replace('|', "/")
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "| `cargo doc -p {} --no-deps` | {:.1} MB | {:.1} MB | {:.1} MB | {} | {:.1} | {target} | {met} |",
                            d.krate,
                            mb(d.bytes as f64),
                            mb(d.pages_bytes as f64),
                            mb(d.source_bytes as f64),
                            d.files,
                            d.timed.wall_s
                        );
                    }
                }
            }
        }
        if !self.cli.is_empty() {
            let timed: Vec<Timed> = self.cli.iter().map(|c| c.timed.clone()).collect();
            let _ = writeln!(
                out,
                "\n| CLI | wall s | peak RSS, largest process | `iconik` binary | stripped |\n|---|---:|---:|---:|---:|"
            );
            let good: Vec<&CliFigure> = self
                .cli
                .iter()
                .filter(|c| c.timed.error.is_none())
                .collect();
            if good.is_empty() {
                let _ = writeln!(
                    out,
                    "| clean `cargo build --release -p iconik-cli` | failed: {} | | | |",
                    first_error(&timed).unwrap_or_default()
                );
            } else {
                let wall: Vec<f64> = good.iter().map(|c| c.timed.wall_s).collect();
                let rss: Vec<f64> = good.iter().map(|c| kib_mb(c.timed.max_rss_kib)).collect();
                let bin: Vec<f64> = good
                    .iter()
                    .map(|c| c.binary_bytes.map_or(f64::NAN, |b| mb(b as f64)))
                    .collect();
                let stripped: Vec<f64> = good
                    .iter()
                    .map(|c| c.stripped_bytes.map_or(f64::NAN, |b| mb(b as f64)))
                    .collect();
                let _ = writeln!(
                    out,
                    "| clean `cargo build --release -p iconik-cli` | {} | {} MB | {} MB | {} MB |",
                    show(&wall, 1),
                    show(&rss, 0),
                    show(&bin, 1),
                    show(&stripped, 1)
                );
            }
        }
        out
    }
}
