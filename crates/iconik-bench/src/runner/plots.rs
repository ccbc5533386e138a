//! What the pacing scenarios (2, 3 and 6) measured, kept and drawn: the
//! emulator records every request of a run (a temporary NDJSON file), the
//! last run of each table row is read back into sends ([`crate::sends`]),
//! drawn as SVG into the plots folder ([`crate::plot`]) and kept as CSV
//! (seconds since the first send, process, status) in `target/bench-sends`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{progress, Report};
use crate::build_budget::measure::TempDir;
use crate::plot::{write_svg, PlotInput};
use crate::sends::{parse_record, Send};

/// A temporary file the emulator of one run records to; removed on drop.
pub(super) struct Recording {
    dir: TempDir,
}

impl Recording {
    /// The file to pass to the emulator.
    pub(super) fn path(&self) -> PathBuf {
        self.dir.path().join("requests.ndjson")
    }

    /// Every request the emulator recorded, sorted by arrival (none when
    /// the server was external or recorded nothing).
    pub(super) fn sends(&self) -> Vec<Send> {
        std::fs::read_to_string(self.path())
            .map(|t| parse_record(&t))
            .unwrap_or_default()
    }
}

/// `iconik: 50/1s + …` → `iconik`; `iconik-sync` → `iconik-sync`.
pub(super) fn slug(s: &str) -> String {
    let head = s.split(':').next().unwrap_or(s);
    let mut out = String::new();
    for c in head.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// The sends as CSV, times relative to the first send.
pub fn sends_csv(title: &str, sends: &[Send]) -> String {
    let origin = sends.first().map_or(0.0, |s| s.at);
    let mut out = format!(
        "# {title}\n# seconds since the first send (arrival at the emulator), process (X-Bench-Process; 0: untagged), status (0: connection reset)\nseconds,process,status\n"
    );
    for s in sends {
        let _ = writeln!(out, "{:.6},{},{}", s.at - origin, s.process, s.status);
    }
    out
}

impl Report {
    /// A recording for one run, when plots are on and the server is ours.
    pub(super) fn recording(&self) -> Option<Recording> {
        if self.opts.plots.is_none() || self.opts.external.is_some() {
            return None;
        }
        TempDir::new(&std::env::temp_dir(), "sends")
            .map(|dir| Recording { dir })
            .map_err(|e| progress(&format!("no recording (no plot): {e}")))
            .ok()
    }

    /// Writes `<stem>.svg` into the plots folder and `<stem>.csv` into
    /// `target/bench-sends`, and remembers the plot for the report's list.
    pub(super) fn plot(&mut self, stem: &str, title: &str, rules: &[(u32, u64)], sends: &[Send]) {
        let Some(dir) = self.opts.plots.clone() else {
            return;
        };
        if sends.is_empty() {
            return;
        }
        let title = format!("{title} · {}", self.stamp);
        let svg = dir.join(format!("{stem}.svg"));
        let input = PlotInput {
            title: title.clone(),
            rules,
            sends,
        };
        // the raw sends stay out of the repository: target/bench-sends
        let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/bench-sends")
            .join(format!("{stem}.csv"));
        let written = write_svg(&svg, &input).and_then(|()| write_csv(&csv, &title, sends));
        match written {
            Ok(()) => self.plots.push((title, svg)),
            Err(e) => progress(&format!("plot {stem}: {e}")),
        }
    }

    /// The list of plots written, as Markdown images.
    pub(super) fn plots_section(&mut self) {
        if self.plots.is_empty() {
            return;
        }
        let _ = writeln!(
            self.out,
            "\n### Plots\n\nSends in every sliding window at the server, per process and in total, against each limit (last run of each row; every send of it in `target/bench-sends/<name>.csv`).\n"
        );
        for (title, path) in &self.plots {
            let shown = relative_to_workspace(path);
            let _ = writeln!(self.out, "![{}]({shown})\n", title.replace(['[', ']'], ""));
        }
    }
}

fn write_csv(path: &Path, title: &str, sends: &[Send]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, sends_csv(title, sends)).map_err(|e| format!("{}: {e}", path.display()))
}

/// `docs/bench/x.svg` when the path is inside this workspace.
fn relative_to_workspace(path: &Path) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(r), Ok(p)) => p
            .strip_prefix(&r)
            .map_or_else(|_| p.display().to_string(), |x| x.display().to_string()),
        _ => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("iconik: 50/1s + 1000/20s"), "iconik");
        assert_eq!(slug("iconik-sync"), "iconik-sync");
        assert_eq!(slug("nsa-pythonik (generated)"), "nsa-pythonik-generated");
    }

    #[test]
    fn csv_is_relative_to_the_first_send() {
        let s = [
            Send {
                at: 100.5,
                process: 1,
                status: 200,
            },
            Send {
                at: 101.0,
                process: 2,
                status: 429,
            },
        ];
        let csv = sends_csv("t", &s);
        assert!(
            csv.ends_with("seconds,process,status\n0.000000,1,200\n0.500000,2,429\n"),
            "{csv}"
        );
    }
}
