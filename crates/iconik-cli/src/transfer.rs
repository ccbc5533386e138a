//! `iconik upload FILE...` and `iconik download ASSET_ID FILE_ID DEST`: the
//! library's transfers (`iconik_sync::transfer`) with a progress display on
//! stderr and a JSON summary on stdout.
//!
//! Progress: on a terminal, an indicatif bar per file (several at once with
//! `-j`); otherwise one plain line per file at most every second, and one
//! at the end of each file.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use iconik_sync::transfer::{Progress, UploadReport};
use iconik_sync::Client;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use crate::exit::Failure;

/// Most files uploaded at once (`-j`): each is a thread with its own part
/// buffers.
const MAX_JOBS: u64 = 16;

/// How often a plain progress line is printed per file (not a terminal).
const LINE_INTERVAL: Duration = Duration::from_secs(1);

/// `iconik upload`.
pub fn upload_command() -> Command {
    Command::new("upload")
        .about("Upload local files into iconik: one new asset per file (or --asset-id)")
        .after_help(
            "Each FILE becomes an asset (titled by its file name unless --title) with an \
             ORIGINAL format, a file set and a file on the storage (--storage-id, default: \
             the account's default files storage); the bytes go by that storage's method \
             (S3, GCS, AZURE, B2 or FILE) and the file is closed.\n\n\
             Progress goes to stderr: a bar per file on a terminal, plain lines otherwise. \
             At the end stdout gets a JSON array with one object per FILE, in the order \
             given: path, asset_id, file_id, size, md5, storage_method, parts, retries and \
             elapsed (seconds); a FILE that failed has path and error instead, and the exit \
             code is the first failure's.\n\nExamples:\n  \
             iconik upload clip.mov\n  \
             iconik upload *.mxf -j 4 --collection-id 6f1f...\n  \
             iconik upload poster.jpg --asset-id 6f1f... -o ndjson",
        )
        .arg(
            Arg::new("files")
                .value_name("FILE")
                .required(true)
                .num_args(1..)
                .value_parser(value_parser!(PathBuf))
                .help("Files to upload"),
        )
        .arg(
            Arg::new("asset_id")
                .long("asset-id")
                .value_name("ID")
                .conflicts_with("collection_id")
                .help(
                    "Add the file to this existing asset instead of creating one (one FILE only)",
                ),
        )
        .arg(
            Arg::new("collection_id")
                .long("collection-id")
                .value_name("ID")
                .help("Add each new asset to this collection"),
        )
        .arg(
            Arg::new("storage_id")
                .long("storage-id")
                .value_name("ID")
                .help("Storage to upload to [default: the account's default files storage]"),
        )
        .arg(
            Arg::new("title")
                .long("title")
                .value_name("TITLE")
                .help("Title of the new asset(s) [default: the file name]"),
        )
        .arg(
            Arg::new("jobs")
                .short('j')
                .long("jobs")
                .value_name("N")
                .value_parser(value_parser!(u64).range(1..=MAX_JOBS))
                .default_value("1")
                .action(ArgAction::Set)
                .help("Upload N files at once"),
        )
}

/// `iconik download`.
pub fn download_command() -> Command {
    Command::new("download")
        .about("Download a file of an asset to DEST")
        .after_help(
            "The file is streamed from its signed URL to a temporary name beside DEST, \
             resumed with Range after a broken connection, checked against the size and \
             MD5 iconik has for it, then renamed to DEST. Progress goes to stderr; stdout \
             gets a JSON object: asset_id, file_id, path, size, md5, checksum_verified, \
             resumes and elapsed (seconds).\n\nExample:\n  \
             iconik download 6f1f... 9a2b... clip.mov",
        )
        .arg(Arg::new("asset_id").value_name("ASSET_ID").required(true))
        .arg(Arg::new("file_id").value_name("FILE_ID").required(true))
        .arg(
            Arg::new("dest")
                .value_name("DEST")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("Where to write the file (not a directory)"),
        )
}

/// What a transfer command prints, and how it ends.
pub struct Outcome {
    /// The JSON summary for stdout.
    pub summary: Value,
    /// The failure to exit with after printing the summary, if any.
    pub failure: Option<Failure>,
}

/// A line on stderr with the secrets removed.
pub type Note<'a> = &'a (dyn Fn(&str) + Sync);

/// Checks `iconik upload`'s arguments; nothing is sent before they are good.
///
/// # Errors
/// A usage failure for a FILE that is not a readable regular file, or
/// `--asset-id` with more than one FILE.
pub fn check_upload(m: &ArgMatches) -> Result<(), Failure> {
    let files: Vec<&PathBuf> = m
        .get_many::<PathBuf>("files")
        .into_iter()
        .flatten()
        .collect();
    if m.contains_id("asset_id") && files.len() > 1 {
        return Err(Failure::usage(
            "--asset-id takes one FILE (each FILE would add an ORIGINAL format to the asset)",
        ));
    }
    for f in &files {
        match std::fs::metadata(f) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(Failure::usage(format!("{} is not a file", f.display()))),
            Err(e) => return Err(Failure::usage(format!("cannot read {}: {e}", f.display()))),
        }
    }
    Ok(())
}

/// Runs `iconik upload` (arguments checked by [`check_upload`]).
pub fn upload(client: &Client, m: &ArgMatches, note: Note<'_>) -> Outcome {
    let files: Vec<PathBuf> = m
        .get_many::<PathBuf>("files")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let jobs = m.get_one::<u64>("jobs").copied().unwrap_or(1) as usize;
    let s = |id: &str| m.get_one::<String>(id).cloned();
    let (asset_id, collection_id, storage_id, title) = (
        s("asset_id"),
        s("collection_id"),
        s("storage_id"),
        s("title"),
    );
    let options = |path: &Path| {
        let mut u = client.upload(path);
        if let Some(v) = &asset_id {
            u = u.asset_id(v);
        }
        if let Some(v) = &collection_id {
            u = u.collection_id(v);
        }
        if let Some(v) = &storage_id {
            u = u.storage_id(v);
        }
        if let Some(v) = &title {
            u = u.title(v);
        }
        u
    };

    let display = Display::new();
    let results: Vec<Mutex<Option<Result<UploadReport, Failure>>>> =
        files.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, files.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                let label = path.display().to_string();
                let (callback, bar) = display.track(&label, total);
                let upload = options(path)
                    .on_progress(callback)
                    .progress_interval(display.interval());
                let result = upload.send().map_err(Failure::from);
                display.done(
                    bar,
                    &label,
                    result.as_ref().err().map(|f| f.message.as_str()),
                );
                if let Err(f) = &result {
                    note(&format!("iconik: error: upload {label}: {f}"));
                }
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });

    let mut summary = Vec::with_capacity(files.len());
    let mut failure: Option<Failure> = None;
    let mut failed = 0;
    for (path, slot) in files.iter().zip(results) {
        let result = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| Err(Failure::usage("the upload did not run")));
        match result {
            Ok(r) => summary.push(json!({
                "path": path.display().to_string(),
                "asset_id": r.asset_id,
                "file_id": r.file_id,
                "size": r.size,
                "md5": r.md5,
                "storage_method": r.storage_method.as_str(),
                "parts": r.parts,
                "retries": r.retries,
                "elapsed": seconds(r.elapsed),
            })),
            Err(f) => {
                failed += 1;
                summary.push(json!({
                    "path": path.display().to_string(),
                    "error": f.message,
                }));
                failure.get_or_insert(f);
            }
        }
    }
    let failure = failure.map(|mut f| {
        f.message = format!("{failed} of {} upload(s) failed", files.len());
        f
    });
    Outcome {
        summary: Value::Array(summary),
        failure,
    }
}

/// Runs `iconik download`.
///
/// # Errors
/// A usage failure when DEST is a directory; the library's error otherwise
/// (with its exit code).
pub fn download(client: &Client, m: &ArgMatches) -> Result<Value, Failure> {
    let arg = |id: &str| m.get_one::<String>(id).cloned().unwrap_or_default();
    let (asset_id, file_id) = (arg("asset_id"), arg("file_id"));
    let dest = m
        .get_one::<PathBuf>("dest")
        .cloned()
        .ok_or_else(|| Failure::usage("download needs DEST"))?;
    if dest.is_dir() {
        return Err(Failure::usage(format!(
            "DEST {} is a directory; name the file to write",
            dest.display()
        )));
    }
    let display = Display::new();
    let label = dest.display().to_string();
    let (callback, bar) = display.track(&label, 0);
    let result = client
        .download(&asset_id, &file_id, &dest)
        .on_progress(callback)
        .progress_interval(display.interval())
        .send();
    display.done(bar, &label, result.as_ref().err().map(|_| "failed"));
    let report = result?;
    Ok(json!({
        "asset_id": asset_id,
        "file_id": file_id,
        "path": report.path.display().to_string(),
        "size": report.size,
        "md5": report.md5,
        "checksum_verified": report.checksum_verified,
        "resumes": report.resumes,
        "elapsed": seconds(report.elapsed),
    }))
}

/// Seconds with millisecond precision.
fn seconds(d: Duration) -> f64 {
    (d.as_millis() as f64) / 1000.0
}

/// Where progress goes: bars on a terminal, plain lines otherwise.
enum Display {
    Bars(MultiProgress),
    Lines,
}

impl Display {
    fn new() -> Display {
        if io::stderr().is_terminal() {
            Display::Bars(MultiProgress::new())
        } else {
            Display::Lines
        }
    }

    fn interval(&self) -> Duration {
        match self {
            Display::Bars(_) => Duration::from_millis(100),
            Display::Lines => LINE_INTERVAL,
        }
    }

    /// A progress callback for one file of `total` bytes (0: unknown until
    /// the transfer says), and its bar.
    fn track(
        &self,
        label: &str,
        total: u64,
    ) -> (
        Box<dyn FnMut(Progress) + Send + 'static>,
        Option<ProgressBar>,
    ) {
        match self {
            Display::Bars(multi) => {
                let bar = multi.add(ProgressBar::new(total));
                bar.set_style(bar_style());
                bar.set_message(label.to_owned());
                let handle = bar.clone();
                let callback = move |p: Progress| {
                    if let Some(t) = p.total {
                        handle.set_length(t);
                    }
                    handle.set_position(p.bytes_done);
                };
                (Box::new(callback), Some(bar))
            }
            Display::Lines => {
                let label = label.to_owned();
                let mut last_done = None;
                let callback = move |p: Progress| {
                    // the end can be reported twice (last part, then done)
                    if last_done.replace(p.bytes_done) == Some(p.bytes_done) {
                        return;
                    }
                    let text = line(&label, p.bytes_done, p.total, p.bytes_per_second);
                    let _ = writeln!(io::stderr().lock(), "{text}");
                };
                (Box::new(callback), None)
            }
        }
    }

    /// Ends a file's bar (plain lines already printed their last line).
    fn done(&self, bar: Option<ProgressBar>, label: &str, error: Option<&str>) {
        if let Some(bar) = bar {
            match error {
                None => bar.finish_with_message(format!("{label} done")),
                Some(_) => bar.abandon_with_message(format!("{label} failed")),
            }
        }
    }
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

/// One plain progress line: `clip.mov: 5242880/11534336 bytes (45%), 12.3 MiB/s`.
fn line(label: &str, done: u64, total: Option<u64>, bytes_per_second: f64) -> String {
    let rate = bytes_per_second / (1024.0 * 1024.0);
    match total {
        Some(total) if total > 0 => format!(
            "{label}: {done}/{total} bytes ({:.0}%), {rate:.1} MiB/s",
            done as f64 * 100.0 / total as f64
        ),
        _ => format!("{label}: {done} bytes, {rate:.1} MiB/s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_MIB_S: f64 = 2.0 * 1024.0 * 1024.0;

    #[test]
    fn plain_lines_show_bytes_percent_and_rate() {
        assert_eq!(
            line("a.bin", 50, Some(200), TWO_MIB_S),
            "a.bin: 50/200 bytes (25%), 2.0 MiB/s"
        );
        assert_eq!(
            line("a.bin", 7, None, TWO_MIB_S),
            "a.bin: 7 bytes, 2.0 MiB/s"
        );
    }

    #[test]
    fn the_commands_parse() {
        let m = upload_command()
            .try_get_matches_from(["upload", "a", "b", "-j", "2", "--storage-id", "s"])
            .unwrap();
        assert_eq!(m.get_one::<u64>("jobs"), Some(&2));
        assert_eq!(m.get_many::<PathBuf>("files").unwrap().count(), 2);
        assert!(upload_command()
            .try_get_matches_from(["upload", "a", "--asset-id", "x", "--collection-id", "y"])
            .is_err());
        assert!(upload_command()
            .try_get_matches_from(["upload", "a", "-j", "0"])
            .is_err());
        assert!(download_command()
            .try_get_matches_from(["download", "a", "f"])
            .is_err());
    }
}
