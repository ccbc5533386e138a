//! Progress of transfers on stderr: a bar per file on a terminal, plain
//! lines otherwise.
//!
//! A bar fits the terminal's width: the path is shortened in its middle
//! (the file name stays), never the numbers; on a very narrow terminal
//! the bar itself goes. Before the first byte a bar says what it waits
//! for, after the last one what is still being done (an upload closes the
//! file in iconik, a download syncs the file to disk and checks its MD5),
//! and the time left is shown only once there is a rate to estimate it
//! from (a second of transfer).

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
const NUMBERS: usize = 46;
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
            Direction::Upload => "creating the asset and file in iconik",
            Direction::Download => "asking iconik for the file",
        }
    }

    fn after(self) -> &'static str {
        match self {
            Direction::Upload => "all bytes sent; closing the file in iconik",
            Direction::Download => "all bytes received; syncing to disk, checking the MD5",
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
    pub fn track(&self, label: &str, direction: Direction) -> (Callback, Option<ProgressBar>) {
        let label = term::cell(label);
        match self {
            Display::Bars(multi) => {
                let width = console::Term::stderr()
                    .size_checked()
                    .map_or(80, |(_, cols)| cols as usize);
                let (style, label_width) = bar_style(width);
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(style);
                bar.set_prefix(term::shorten_middle(&label, label_width));
                bar.set_message(direction.before());
                let handle = bar.clone();
                let mut finishing = false;
                let callback = move |p: Progress| {
                    if let Some(t) = p.total {
                        handle.set_length(t);
                    }
                    handle.set_position(p.bytes_done);
                    if finishing {
                        return;
                    }
                    if p.total.is_some_and(|t| p.bytes_done >= t) {
                        finishing = true;
                        handle.set_message(direction.after());
                    } else {
                        handle.set_message(numbers(&p));
                    }
                };
                (Box::new(callback), Some(bar))
            }
            Display::Lines => {
                let mut last_done = None;
                let mut finishing = false;
                let callback = move |p: Progress| {
                    // the end can be reported twice (last part, then done)
                    if finishing || last_done.replace(p.bytes_done) == Some(p.bytes_done) {
                        return;
                    }
                    stderr::note(&line(&label, &p));
                    if p.total.is_some_and(|t| p.bytes_done >= t) {
                        finishing = true;
                        stderr::note(&format!("{label}: {}", direction.after()));
                    }
                };
                (Box::new(callback), None)
            }
        }
    }

    /// Ends a file's bar or line: done, or failed.
    pub fn done(&self, bar: Option<ProgressBar>, label: &str, ok: bool, took: Duration) {
        let what = if ok {
            format!("done in {:.1} s", took.as_secs_f64())
        } else {
            "failed".to_owned()
        };
        match bar {
            Some(bar) if ok => bar.finish_with_message(what),
            Some(bar) => bar.abandon_with_message(what),
            None => stderr::note(&format!("{}: {what}", term::cell(label))),
        }
    }
}

/// The bar's style for a terminal `width` columns wide, and the room left
/// for the path.
fn bar_style(width: usize) -> (ProgressStyle, usize) {
    let with_bar = MIN_LABEL + 1 + MIN_BAR + 2 + 1 + NUMBERS;
    let (template, label) = if width >= with_bar {
        // the path gets what the numbers and the narrowest bar leave
        ("{prefix} [{wide_bar}] {msg}", width - with_bar + MIN_LABEL)
    } else {
        (
            "{prefix} {msg}",
            width.saturating_sub(NUMBERS + 1).max(MIN_LABEL),
        )
    };
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    (style, label)
}

/// The numbers of a bar: bytes done of total, rate, and the time left
/// once there is a rate (after a second of transfer).
fn numbers(p: &Progress) -> String {
    numbers_of(p.bytes_done, p.total, p.bytes_per_second, p.elapsed)
}

fn numbers_of(done: u64, total: Option<u64>, rate: f64, elapsed: Duration) -> String {
    let mut s = match total {
        Some(t) => format!("{}/{}", bytes(done), bytes(t)),
        None => bytes(done),
    };
    if elapsed >= Duration::from_secs(1) && rate > 0.0 {
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
fn line(label: &str, p: &Progress) -> String {
    line_of(label, p.bytes_done, p.total, p.bytes_per_second, p.elapsed)
}

fn line_of(label: &str, done: u64, total: Option<u64>, rate: f64, elapsed: Duration) -> String {
    let rate = if elapsed >= Duration::from_secs(1) {
        format!(", {:.1} MiB/s", rate / (1024.0 * 1024.0))
    } else {
        String::new()
    };
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
    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn plain_lines_show_bytes_percent_and_a_rate_once_there_is_one() {
        assert_eq!(
            line_of("a.bin", 50, Some(200), TWO_MIB_S, SECOND),
            "a.bin: 50/200 bytes (25%), 2.0 MiB/s"
        );
        assert_eq!(
            line_of("a.bin", 7, None, TWO_MIB_S, SECOND),
            "a.bin: 7 bytes, 2.0 MiB/s"
        );
        assert_eq!(
            line_of("a.bin", 7, Some(14), TWO_MIB_S, Duration::from_millis(50)),
            "a.bin: 7/14 bytes (50%)"
        );
    }

    #[test]
    fn the_time_left_waits_for_a_rate() {
        let mib = 1024 * 1024;
        assert_eq!(
            numbers_of(mib, Some(11 * mib), 9e9, Duration::from_millis(200)),
            "1.0 MiB/11.0 MiB"
        );
        assert_eq!(
            numbers_of(mib, Some(11 * mib), TWO_MIB_S, 2 * SECOND),
            "1.0 MiB/11.0 MiB  2.0 MiB/s  eta 5s"
        );
        assert_eq!(clock(3599.5), "1h00m");
        assert_eq!(clock(125.0), "2m05s");
        assert_eq!(bytes(1023), "1023 B");
    }

    #[test]
    fn bars_leave_room_for_the_numbers_and_drop_the_bar_when_narrow() {
        for width in [40, 60, 80, 120, 200] {
            let (_, label) = bar_style(width);
            let with_bar = MIN_LABEL + 1 + MIN_BAR + 2 + 1 + NUMBERS;
            let used = if width >= with_bar {
                label + 1 + MIN_BAR + 2 + 1 + NUMBERS
            } else {
                label + 1 + NUMBERS
            };
            assert!(
                used <= width.max(MIN_LABEL + 1 + NUMBERS),
                "{width}: {used}"
            );
            assert!(label >= MIN_LABEL);
        }
    }
}
