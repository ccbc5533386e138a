//! Progress of transfers on stderr: a bar per file on a terminal, plain
//! lines otherwise.
//!
//! A bar fits the terminal's width: the path is shortened in its middle
//! (the file name stays), never the numbers; on a very narrow terminal
//! the bar itself goes. Before the first byte a bar says what it waits
//! for, after the last one what is still being done (an upload closes the
//! file in iconik, a download syncs the file to disk and checks its MD5),
//! and the rate and time left are shown only once there is a rate to
//! estimate them from: bytes moving for a second, measured over the last
//! five seconds (not from the start, which includes the requests before
//! the first byte).

use std::io::{self, IsTerminal};
use std::time::Duration;

use iconik_sync::transfer::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{stderr, term};

/// How often a plain progress line is printed per file (not a terminal).
const LINE_INTERVAL: Duration = Duration::from_secs(1);
/// How often a bar is updated.
const BAR_INTERVAL: Duration = Duration::from_millis(100);
/// The widest the numbers get: `1023.9 GiB/1023.9 GiB  1023.9 MiB/s  eta 99h59m`.
const NUMBERS: usize = 47;
/// The narrowest a bar is drawn; below, the bar is left out.
const MIN_BAR: usize = 10;
/// The narrowest a shortened path gets.
const MIN_LABEL: usize = 12;

/// Which way the bytes go: says what happens before the first byte and
/// after the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Local file to iconik.
    Upload,
    /// iconik to a local file.
    Download,
}

impl Direction {
    fn before(self) -> &'static str {
        match self {
            Direction::Upload => "creating the asset in iconik",
            Direction::Download => "asking iconik for the file",
        }
    }

    fn after(self) -> &'static str {
        match self {
            Direction::Upload => "sent; closing the file in iconik",
            Direction::Download => "received; syncing, checking the MD5",
        }
    }
}

/// Where progress goes: bars on a terminal, plain lines otherwise.
pub enum Display {
    /// indicatif bars, one per file.
    Bars(MultiProgress),
    /// One line per file at most every second.
    Lines,
}

/// A progress callback for the library.
pub type Callback = Box<dyn FnMut(Progress) + Send + 'static>;

impl Display {
    /// Bars when stderr is a terminal, else lines.
    pub fn new() -> Display {
        if io::stderr().is_terminal() {
            Display::Bars(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
        } else {
            Display::Lines
        }
    }

    /// The interval to ask the library for.
    pub fn interval(&self) -> Duration {
        match self {
            Display::Bars(_) => BAR_INTERVAL,
            Display::Lines => LINE_INTERVAL,
        }
    }

    /// A callback for one file, and its bar.
    pub fn track(&self, label: &str, direction: Direction) -> (Callback, Option<Tracked>) {
        let label = term::cell(label);
        match self {
            Display::Bars(multi) => {
                let width = console::Term::stderr()
                    .size_checked()
                    .map_or(80, |(_, cols)| cols as usize);
                let layout = Layout::for_width(width);
                // an empty bar until the size is known (0 of 0 draws full)
                let bar = multi.add(ProgressBar::new(1));
                bar.set_style(layout.style());
                // a change that came too soon after a draw is drawn at the
                // next tick, not only at the next change (which may be the
                // end: "closing the file" would never show)
                bar.enable_steady_tick(BAR_INTERVAL * 2);
                let shown = Shown {
                    layout,
                    label: label.clone(),
                };
                let show = move |bar: &ProgressBar, msg: String| layout.show(bar, &label, msg);
                show(&bar, direction.before().to_owned());
                let handle = bar.clone();
                let mut finishing = false;
                let mut rate = Rate::default();
                let callback = move |p: Progress| {
                    rate.add(p.elapsed, p.bytes_done);
                    if let Some(t) = p.total {
                        handle.set_length(t);
                    }
                    handle.set_position(p.bytes_done);
                    if finishing {
                        return;
                    }
                    if p.total.is_some_and(|t| p.bytes_done >= t) {
                        finishing = true;
                        show(&handle, direction.after().to_owned());
                    } else {
                        show(&handle, numbers(p.bytes_done, p.total, rate.get()));
                    }
                };
                (Box::new(callback), Some((bar, shown)))
            }
            Display::Lines => {
                let mut last_done = None;
                let mut finishing = false;
                let mut rate = Rate::default();
                let callback = move |p: Progress| {
                    rate.add(p.elapsed, p.bytes_done);
                    // the end can be reported twice (last part, then done)
                    if finishing || last_done.replace(p.bytes_done) == Some(p.bytes_done) {
                        return;
                    }
                    stderr::note(&line(&label, p.bytes_done, p.total, rate.get()));
                    if p.total.is_some_and(|t| p.bytes_done >= t) {
                        finishing = true;
                        stderr::note(&format!("{label}: {}", direction.after()));
                    }
                };
                (Box::new(callback), None)
            }
        }
    }

    /// After the last file: the cursor goes below the bars, so what
    /// follows (the summary) starts on a line of its own.
    pub fn end(self) {
        if let Display::Bars(_) = self {
            stderr::note("");
        }
    }

    /// Ends a file's bar or line: done, or failed.
    pub fn done(&self, tracked: Option<Tracked>, label: &str, ok: bool, took: Duration) {
        let what = if ok {
            format!("done in {:.1} s", took.as_secs_f64())
        } else {
            "failed".to_owned()
        };
        match tracked {
            Some((bar, shown)) => {
                shown.layout.show(&bar, &shown.label, what);
                if ok {
                    bar.finish();
                } else {
                    bar.abandon();
                }
            }
            None => stderr::note(&format!("{}: {what}", term::cell(label))),
        }
    }
}

/// A file's bar and how its label is fitted.
pub type Tracked = (ProgressBar, Shown);

/// What a bar needs to fit its label again.
pub struct Shown {
    layout: Layout,
    label: String,
}

/// How a bar is laid out on a terminal of a given width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    width: usize,
    bar: bool,
}

impl Layout {
    /// A bar where the path, the bar and the widest numbers all fit.
    fn for_width(width: usize) -> Layout {
        Layout {
            width,
            bar: width >= MIN_LABEL + 1 + MIN_BAR + 2 + 1 + NUMBERS,
        }
    }

    fn style(self) -> ProgressStyle {
        let template = if self.bar {
            "{prefix} [{wide_bar}] {msg}"
        } else {
            "{prefix} {msg}"
        };
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }

    /// Shows `msg` and the label fitted to it. Each change may be drawn:
    /// what shrinks is changed first, so no frame is wider than the
    /// terminal (a wider one wraps and leaves a stray line).
    fn show(self, bar: &ProgressBar, label: &str, msg: String) {
        let prefix = self.label(label, &msg);
        if term::width(&msg) > term::width(&bar.message()) {
            bar.set_prefix(prefix);
            bar.set_message(msg);
        } else {
            bar.set_message(msg);
            bar.set_prefix(prefix);
        }
    }

    /// The label shortened to what `msg` and the bar leave of the width
    /// (one column spare: a full last column makes some terminals wrap).
    fn label(self, label: &str, msg: &str) -> String {
        let fixed = term::width(msg) + if self.bar { MIN_BAR + 4 } else { 1 } + 1;
        term::shorten_path(label, self.width.saturating_sub(fixed).max(MIN_LABEL))
    }
}

/// The transfer rate over the last few seconds, from the progress
/// reports: none until the bytes have moved for a second (the first
/// report comes after the requests that precede the bytes, and bytes a
/// resumed transfer found done are not a rate).
#[derive(Default)]
struct Rate {
    samples: std::collections::VecDeque<(Duration, u64)>,
}

impl Rate {
    /// How far back the rate looks.
    const WINDOW: Duration = Duration::from_secs(5);

    fn add(&mut self, at: Duration, done: u64) {
        // a restart from zero: the old samples say nothing
        if self.samples.back().is_some_and(|&(_, d)| done < d) {
            self.samples.clear();
        }
        self.samples.push_back((at, done));
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|&(t, _)| at.saturating_sub(t) >= Self::WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes per second, once the samples span a second.
    fn get(&self) -> Option<f64> {
        let (&(t0, d0), &(t1, d1)) = (self.samples.front()?, self.samples.back()?);
        let span = t1.saturating_sub(t0);
        (span >= Duration::from_secs(1) && d1 > d0).then(|| (d1 - d0) as f64 / span.as_secs_f64())
    }
}

/// The numbers of a bar: bytes done of total, and once there is a rate,
/// the rate and the time left.
fn numbers(done: u64, total: Option<u64>, rate: Option<f64>) -> String {
    let mut s = match total {
        Some(t) => format!("{}/{}", bytes(done), bytes(t)),
        None => bytes(done),
    };
    if let Some(rate) = rate {
        s.push_str(&format!("  {}/s", bytes(rate as u64)));
        if let Some(t) = total {
            let left = t.saturating_sub(done) as f64 / rate;
            s.push_str(&format!("  eta {}", clock(left)));
        }
    }
    s
}

/// `12.3 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `42s`, `3m07s`, `2h05m` (capped at 99h59m).
fn clock(seconds: f64) -> String {
    let s = seconds.ceil().clamp(0.0, 359_940.0) as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// One plain progress line: `clip.mov: 5242880/11534336 bytes (45%), 12.3 MiB/s`.
fn line(label: &str, done: u64, total: Option<u64>, rate: Option<f64>) -> String {
    let rate = rate
        .map(|r| format!(", {:.1} MiB/s", r / (1024.0 * 1024.0)))
        .unwrap_or_default();
    match total {
        Some(total) if total > 0 => format!(
            "{label}: {done}/{total} bytes ({:.0}%){rate}",
            done as f64 * 100.0 / total as f64
        ),
        _ => format!("{label}: {done} bytes{rate}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_MIB_S: f64 = 2.0 * 1024.0 * 1024.0;

    #[test]
    fn plain_lines_show_bytes_percent_and_a_rate_once_there_is_one() {
        assert_eq!(
            line("a.bin", 50, Some(200), Some(TWO_MIB_S)),
            "a.bin: 50/200 bytes (25%), 2.0 MiB/s"
        );
        assert_eq!(
            line("a.bin", 7, None, Some(TWO_MIB_S)),
            "a.bin: 7 bytes, 2.0 MiB/s"
        );
        assert_eq!(line("a.bin", 7, Some(14), None), "a.bin: 7/14 bytes (50%)");
    }

    #[test]
    fn the_rate_starts_with_the_bytes_and_looks_back_a_few_seconds() {
        let ms = Duration::from_millis;
        let mut r = Rate::default();
        // the requests before the first byte take 3 s: no rate from them
        r.add(ms(3000), 0);
        r.add(ms(3500), 1_000_000);
        assert_eq!(r.get(), None);
        r.add(ms(4000), 2_000_000);
        assert_eq!(r.get(), Some(2_000_000.0));
        // a slow spell: the last 5 s count
        for i in 1..=10 {
            r.add(ms(4000 + i * 1000), 2_000_000 + i * 100_000);
        }
        let rate = r.get().unwrap();
        assert!((rate - 100_000.0).abs() < 1.0, "{rate}");
        // a restart from zero forgets the old samples
        r.add(ms(15_000), 10);
        assert_eq!(r.get(), None);
    }

    #[test]
    fn the_time_left_waits_for_a_rate() {
        let mib = 1024 * 1024;
        assert_eq!(numbers(mib, Some(11 * mib), None), "1.0 MiB/11.0 MiB");
        assert_eq!(
            numbers(mib, Some(11 * mib), Some(TWO_MIB_S)),
            "1.0 MiB/11.0 MiB  2.0 MiB/s  eta 5s"
        );
        assert_eq!(clock(3599.5), "1h00m");
        assert_eq!(clock(125.0), "2m05s");
        assert_eq!(bytes(1023), "1023 B");
    }

    #[test]
    fn bars_fit_the_width_with_the_file_name_kept_where_it_can_be() {
        let path = "/home/someone/projects/rushes/day-2/interview-take-2.mov";
        for width in [40, 60, 80, 120, 200] {
            let layout = Layout::for_width(width);
            assert_eq!(layout.bar, width >= 73, "{width}");
            for msg in [
                "creating the asset in iconik",
                "1023.9 GiB/1023.9 GiB  1023.9 MiB/s  eta 99h59m",
            ] {
                let label = layout.label(path, msg);
                let used = term::width(&label)
                    + term::width(msg)
                    + if layout.bar { MIN_BAR + 4 } else { 1 };
                assert!(
                    used < width.max(MIN_LABEL + term::width(msg) + 2),
                    "{width}: {label} {msg}"
                );
            }
        }
        let label = Layout::for_width(60).label(path, "3.0 MiB/11.0 MiB  2.0 MiB/s  eta 4s");
        assert!(label.ends_with("…/interview-take-2.mov"), "{label}");
    }
}
