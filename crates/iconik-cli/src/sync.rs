//! `iconik sync LOCAL --to-collection ID` and `iconik sync --from-collection
//! ID LOCAL`: the library's bulk sync (`iconik_sync::bulk`) with progress
//! on stderr and the report as JSON on stdout.
//!
//! Progress: on a terminal, an overall bar (files and bytes) and one bar
//! per file in flight; otherwise one line per file that was transferred,
//! failed or skipped for a reason worth reading, and an overall line at
//! most every few seconds. Everything shown on stderr has its control
//! characters replaced (names and messages may come from iconik).

use std::collections::HashMap;
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::{value_parser, Arg, ArgAction, ArgGroup, ArgMatches, Command};
use iconik_sync::bulk::{
    Dedupe, FailureKind, Outcome, SkipReason, SyncEvent, SyncProgress, SyncReport,
};
use iconik_sync::Client;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exit::{Exit, Failure};
use crate::session::Session;
use crate::table::Kind;
use crate::{stderr, term};

/// Most files synced at once (`-j`).
const MAX_JOBS: u64 = 64;

/// How often the overall plain line is printed (not a terminal).
const LINE_INTERVAL: Duration = Duration::from_secs(5);

/// `iconik sync`.
pub fn command() -> Command {
    Command::new("sync")
        .about("Sync a local folder tree into a collection tree (--to-collection) or back (--from-collection)")
        .after_help(
            "Up: sub-folders become sub-collections (found by title or created), each file \
             an asset in its folder's collection, unless --dedupe finds iconik has it \
             already (name-size: same title and size in the collection, the default; md5: \
             same MD5 anywhere; md5-tree: same MD5 in the target tree; none).\n\
             Down: sub-collections become folders and each asset's original file is \
             downloaded, checked against iconik's MD5, unless an identical file is there; \
             names are made safe and unique (and reported).\n\n\
             --journal PATH records every step, so a run that was interrupted (even kill -9) \
             continues where it stopped without duplicates or bytes sent twice. --dry-run \
             prints the plan and changes nothing. --redis URL shares iconik's rate limit \
             with every other process using the same credentials and Redis.\n\n\
             Progress goes to stderr: an overall bar and a bar per file on a terminal, plain \
             lines otherwise. At the end stdout gets the report as JSON: counts and bytes \
             transferred, skipped (by reason) and failed, the failures, notices, the plan \
             (dry run) and the elapsed seconds. The exit code is the first failure's, as \
             for `upload`.\n\nExamples:\n  \
             iconik sync ./rushes --to-collection 6f1f... -j 8 --exclude '*.tmp'\n  \
             iconik sync ./rushes --to-collection 6f1f... --dedupe md5 --journal rushes.journal\n  \
             iconik sync --from-collection 6f1f... ./export --dry-run",
        )
        .arg(
            Arg::new("local")
                .value_name("LOCAL")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("The local folder (up: read; down: written, created when missing)"),
        )
        .arg(
            Arg::new("to_collection")
                .long("to-collection")
                .value_name("ID")
                .help("Sync LOCAL up into this collection"),
        )
        .arg(
            Arg::new("from_collection")
                .long("from-collection")
                .value_name("ID")
                .help("Sync this collection down into LOCAL"),
        )
        .group(
            ArgGroup::new("direction")
                .args(["to_collection", "from_collection"])
                .required(true),
        )
        .arg(
            Arg::new("dry_run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Change nothing; print what would be done"),
        )
        .arg(
            Arg::new("jobs")
                .short('j')
                .long("jobs")
                .value_name("N")
                .value_parser(value_parser!(u64).range(1..=MAX_JOBS))
                .default_value("4")
                .help("Files synced at once"),
        )
        .arg(
            Arg::new("include")
                .long("include")
                .value_name("PATTERN")
                .action(ArgAction::Append)
                .help("Up: sync only files matching a pattern (*, ?, **, [...]; repeatable)"),
        )
        .arg(
            Arg::new("exclude")
                .long("exclude")
                .value_name("PATTERN")
                .action(ArgAction::Append)
                .help("Up: leave out what matches (a folder is not entered; repeatable)"),
        )
        .arg(
            Arg::new("dedupe")
                .long("dedupe")
                .value_name("MODE")
                .value_parser(["none", "name-size", "md5", "md5-tree"])
                .help("Up: how to find that iconik has a file already [default: name-size]"),
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Record every step here, to resume an interrupted sync"),
        )
        .arg(
            Arg::new("redis")
                .long("redis")
                .value_name("URL")
                .help("Share the rate limit through Redis (redis://host:6379/)"),
        )
        .arg(
            Arg::new("follow_symlinks")
                .long("follow-symlinks")
                .action(ArgAction::SetTrue)
                .help("Up: follow symbolic links (loops are reported, not entered)"),
        )
        .arg(
            Arg::new("storage_id")
                .long("storage-id")
                .value_name("ID")
                .help("Up: storage to upload to [default: the account's default files storage]"),
        )
}

/// Runs `iconik sync`: progress on stderr, the report on stdout, the
/// first failure's exit code.
///
/// # Errors
/// What stops the sync before it starts (a bad pattern, a missing folder
/// or collection, another sync's journal, a bad `--redis` URL); the
/// failure to exit with after the report when files failed.
pub fn run(m: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    let local = m
        .get_one::<PathBuf>("local")
        .cloned()
        .ok_or_else(|| Failure::usage("sync needs LOCAL"))?;
    let up = m.get_one::<String>("to_collection").is_some();
    if up && !local.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a folder",
            local.display()
        )));
    }
    if !up {
        for up_only in [
            "include",
            "exclude",
            "dedupe",
            "storage_id",
            "follow_symlinks",
        ] {
            if m.value_source(up_only) == Some(clap::parser::ValueSource::CommandLine) {
                return Err(Failure::usage(format!(
                    "--{} applies to --to-collection only",
                    up_only.replace('_', "-")
                )));
            }
        }
    }
    let limiter = match m.get_one::<String>("redis") {
        Some(url) => Some(redis_limiter(url)?),
        None => None,
    };
    let conn = session.connect_with(|builder| match limiter {
        Some(l) => builder.shared_limiter(l),
        None => builder,
    })?;
    let report = sync(&conn.client, m, local).map_err(|e| session.fail(e))?;
    let summary = serde_json::to_value(&report)
        .map_err(|e| Failure::io(format!("encoding the report: {e}")))?;
    session.print(&summary, Kind::Auto)?;
    failure(&report).map_or(Ok(()), Err)
}

/// The limiter `--redis URL` asks for.
#[cfg(feature = "redis")]
fn redis_limiter(url: &str) -> Result<iconik_redis::RedisLimiter, Failure> {
    iconik_redis::RedisLimiter::connect(url)
        .map_err(|e| Failure::config(format!("--redis {url}: {e}")))
}

/// Without the `redis` feature there is no limiter to make.
#[cfg(not(feature = "redis"))]
fn redis_limiter(url: &str) -> Result<iconik_sync::rate_limit::LocalLimiter, Failure> {
    Err(Failure::config(format!(
        "--redis {url}: this iconik was built without the redis feature \
         (cargo install --path crates/iconik-cli, default features)"
    )))
}

/// Runs the sync the arguments describe, with progress on stderr.
fn sync(client: &Client, m: &ArgMatches, local: PathBuf) -> iconik_sync::Result<SyncReport> {
    let jobs = m.get_one::<u64>("jobs").copied().unwrap_or(4) as usize;
    let strings = |id: &str| -> Vec<String> {
        m.get_many::<String>(id)
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    };
    let display = Arc::new(Display::new());
    let events = Arc::clone(&display);
    let progress = move |p: &SyncProgress<'_>| events.event(p);
    let report = if let Some(to) = m.get_one::<String>("to_collection") {
        let mut sync = client
            .sync_up(&local, to)
            .jobs(jobs)
            .dry_run(m.get_flag("dry_run"))
            .follow_symlinks(m.get_flag("follow_symlinks"))
            .on_progress(progress);
        for p in strings("include") {
            sync = sync.include(p);
        }
        for p in strings("exclude") {
            sync = sync.exclude(p);
        }
        if let Some(mode) = m.get_one::<String>("dedupe") {
            sync = sync.dedupe(mode.parse::<Dedupe>()?);
        }
        if let Some(j) = m.get_one::<PathBuf>("journal") {
            sync = sync.journal(j);
        }
        if let Some(s) = m.get_one::<String>("storage_id") {
            sync = sync.storage_id(s);
        }
        sync.send()
    } else {
        let from = m
            .get_one::<String>("from_collection")
            .cloned()
            .unwrap_or_default();
        let mut sync = client
            .sync_down(from, &local)
            .jobs(jobs)
            .dry_run(m.get_flag("dry_run"))
            .on_progress(progress);
        if let Some(j) = m.get_one::<PathBuf>("journal") {
            sync = sync.journal(j);
        }
        sync.send()
    };
    display.finish();
    report
}

/// The exit of a sync that ran: the first failure's kind, as `upload`.
fn failure(report: &SyncReport) -> Option<Failure> {
    if let Some(why) = &report.stopped {
        return Some(Failure {
            exit: if why.contains("credentials") {
                Exit::Api
            } else {
                Exit::Io
            },
            message: format!("the sync stopped: {why}"),
        });
    }
    if report.is_success() {
        return None;
    }
    let exit = match report.first_failure() {
        Some(FailureKind::Api) | None => Exit::Api,
        Some(FailureKind::Transport) => Exit::Transport,
        Some(FailureKind::Response) => Exit::Response,
        Some(FailureKind::Local) => Exit::Io,
        Some(_) => Exit::Api,
    };
    Some(Failure {
        exit,
        message: format!(
            "{} file(s) and {} folder(s) failed (see \"failures\" in the report)",
            report.failed.files,
            report
                .failures
                .iter()
                .filter(|f| f.path.ends_with('/'))
                .count()
        ),
    })
}

/// One finished file as a plain line, or `None` for routine outcomes
/// (unchanged, identical, excluded).
fn finished_line(path: &str, outcome: &Outcome) -> Option<String> {
    let path = term::visible(path);
    match outcome {
        Outcome::Transferred { .. } => Some(format!("synced {path}")),
        Outcome::WouldTransfer => Some(format!("would sync {path}")),
        Outcome::Failed { error, .. } => Some(format!("failed {path}: {}", term::visible(error))),
        Outcome::Skipped(
            SkipReason::Unchanged
            | SkipReason::Identical
            | SkipReason::Excluded { .. }
            | SkipReason::NotIncluded,
        ) => None,
        Outcome::Skipped(reason) => Some(format!(
            "skipped {path}: {}",
            term::visible(&reason.describe())
        )),
        _ => None,
    }
}

/// Where progress goes: bars on a terminal, plain lines otherwise.
enum Display {
    Bars {
        multi: MultiProgress,
        overall: ProgressBar,
        files: Mutex<HashMap<String, ProgressBar>>,
    },
    Lines {
        last: Mutex<Instant>,
    },
}

impl Display {
    fn new() -> Display {
        if io::stderr().is_terminal() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(0));
            overall.set_style(style(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            ));
            Display::Bars {
                multi,
                overall,
                files: Mutex::new(HashMap::new()),
            }
        } else {
            Display::Lines {
                last: Mutex::new(Instant::now()),
            }
        }
    }

    fn event(&self, p: &SyncProgress<'_>) {
        let o = p.overall;
        match self {
            Display::Bars {
                multi,
                overall,
                files,
            } => {
                overall.set_length(o.bytes_total.max(o.bytes_done));
                overall.set_position(o.bytes_done);
                overall.set_prefix(format!("{}/{} files", o.files_done, o.files_total));
                let mut files = files.lock().unwrap_or_else(PoisonError::into_inner);
                match p.event {
                    SyncEvent::Started { path, size } => {
                        let bar = multi.add(ProgressBar::new(size));
                        bar.set_style(style("  {msg} [{bar:20}] {bytes}/{total_bytes}"));
                        bar.set_message(term::shorten_middle(&term::cell(path), 40));
                        files.insert(path.to_owned(), bar);
                    }
                    SyncEvent::Progress {
                        path, bytes_done, ..
                    } => {
                        if let Some(bar) = files.get(path) {
                            bar.set_position(bytes_done);
                        }
                    }
                    SyncEvent::Finished { path, outcome, .. } => {
                        if let Some(bar) = files.remove(path) {
                            bar.finish_and_clear();
                            multi.remove(&bar);
                        }
                        if let Some(line) = finished_line(path, outcome) {
                            if !matches!(outcome, Outcome::Transferred { .. }) {
                                let _ = multi.println(stderr::redact(&line));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Display::Lines { last } => {
                if let SyncEvent::Finished { path, outcome, .. } = p.event {
                    if let Some(line) = finished_line(path, outcome) {
                        stderr::note(&line);
                    }
                }
                let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
                let counted = matches!(p.event, SyncEvent::Counted);
                if counted || last.elapsed() >= LINE_INTERVAL {
                    *last = Instant::now();
                    stderr::note(&format!(
                        "{}/{} files, {}/{} bytes",
                        o.files_done, o.files_total, o.bytes_done, o.bytes_total
                    ));
                }
            }
        }
    }

    fn finish(&self) {
        if let Display::Bars { overall, files, .. } = self {
            for (_, bar) in files.lock().unwrap_or_else(PoisonError::into_inner).drain() {
                bar.finish_and_clear();
            }
            overall.finish();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_parses_both_directions_and_needs_one() {
        let up = command()
            .try_get_matches_from([
                "sync",
                "./r",
                "--to-collection",
                "c",
                "-j",
                "8",
                "--exclude",
                "*.tmp",
                "--exclude",
                "x/",
            ])
            .unwrap();
        assert_eq!(up.get_one::<u64>("jobs"), Some(&8));
        assert_eq!(up.get_many::<String>("exclude").unwrap().count(), 2);
        assert!(command()
            .try_get_matches_from(["sync", "--from-collection", "c", "./e", "--dry-run"])
            .is_ok());
        assert!(command().try_get_matches_from(["sync", "./r"]).is_err());
        assert!(command()
            .try_get_matches_from([
                "sync",
                "./r",
                "--to-collection",
                "a",
                "--from-collection",
                "b"
            ])
            .is_err());
        assert!(command()
            .try_get_matches_from(["sync", "./r", "--to-collection", "a", "--dedupe", "sha1"])
            .is_err());
    }

    #[test]
    fn lines_strip_control_sequences_and_skip_routine_outcomes() {
        let failed = Outcome::Failed {
            error: "no \u{1b}[2J way".into(),
            kind: FailureKind::Api,
        };
        assert_eq!(
            finished_line("a\u{1b}]0;x\u{7}.mov", &failed).unwrap(),
            "failed a\\u{1b}]0;x\\u{7}.mov: no \\u{1b}[2J way"
        );
        assert_eq!(
            finished_line("a", &Outcome::Skipped(SkipReason::Unchanged)),
            None
        );
        assert!(finished_line("a", &Outcome::Skipped(SkipReason::Symlink)).is_some());
    }
}
