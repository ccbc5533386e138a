//! `iconik upload FILE...` and `iconik download ASSET_ID FILE_ID DEST`: the
//! library's transfers (`iconik_sync::transfer`) with progress on stderr
//! ([`crate::progress`]) and a summary on stdout.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use iconik_sync::bulk::safe_name;
use iconik_sync::transfer::UploadReport;
use iconik_sync::{Client, Method};
use serde_json::{json, Value};

use crate::exit::Failure;
use crate::progress::{Direction, Display};
use crate::session::Session;
use crate::stderr;
use crate::table::Kind;

/// Most files uploaded at once (`-j`): each is a thread with its own part
/// buffers.
const MAX_JOBS: u64 = 16;

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
        .about("Download a file of an asset to DEST (a file name, or a directory)")
        .after_help(
            "DEST may be a directory: the file is then written there under the name it had \
             when uploaded (iconik's original_name), made safe: path separators and control \
             characters become '_', and '.', '..' or an empty name become the file id. An \
             existing file is never overwritten without --force.\n\n\
             The file is streamed from its signed URL to a temporary name beside DEST, \
             resumed with Range after a broken connection, checked against the size and \
             MD5 iconik has for it, then renamed to DEST. Progress goes to stderr; stdout \
             gets a JSON object: asset_id, file_id, path, size, md5, checksum_verified, \
             resumes and elapsed (seconds).\n\nExamples:\n  \
             iconik download 6f1f... 9a2b... clip.mov\n  \
             iconik download 6f1f... 9a2b... ~/Downloads/",
        )
        .arg(Arg::new("asset_id").value_name("ASSET_ID").required(true))
        .arg(Arg::new("file_id").value_name("FILE_ID").required(true))
        .arg(
            Arg::new("dest")
                .value_name("DEST")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("The file to write, or a directory to write it into under its original name"),
        )
        .arg(
            Arg::new("force")
                .long("force")
                .action(ArgAction::SetTrue)
                .help("Overwrite DEST (or the file of that name in the directory) if it exists"),
        )
}

/// `iconik upload`: every FILE, then the summary (also when some failed),
/// then the first failure's exit code.
///
/// # Errors
/// A usage failure for unreadable files; the first upload's failure.
pub fn run_upload(m: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    check_upload(m)?;
    let conn = session.connect()?;
    let (summary, failure) = upload(&conn.client, m, session);
    session.print(&summary, Kind::Transfers)?;
    failure.map_or(Ok(()), Err)
}

/// `iconik download`.
///
/// # Errors
/// A usage failure when DEST exists (without `--force`); the library's
/// error otherwise.
pub fn run_download(m: &ArgMatches, session: &mut Session<'_>) -> Result<(), Failure> {
    let conn = session.connect()?;
    let summary = download(&conn.client, m, session)?;
    session.print(&summary, Kind::Transfers)
}

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

/// Runs `iconik upload` (arguments checked by [`check_upload`]): the
/// summary, and the failure to exit with after printing it.
fn upload(client: &Client, m: &ArgMatches, session: &Session<'_>) -> (Value, Option<Failure>) {
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
                let label = path.display().to_string();
                let (callback, bar) = display.track(&label, Direction::Upload);
                let upload = options(path)
                    .on_progress(callback)
                    .progress_interval(display.interval());
                let started = Instant::now();
                let result = upload.send().map_err(|e| session.fail(e));
                display.done(bar, &label, result.is_ok(), started.elapsed());
                if let Err(f) = &result {
                    stderr::note(&format!("iconik: error: upload {label}: {f}"));
                }
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });

    display.end();
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
                    "error": stderr::redact(&f.message),
                }));
                failure.get_or_insert(f);
            }
        }
    }
    let failure = failure.map(|mut f| {
        f.message = format!("{failed} of {} upload(s) failed", files.len());
        f
    });
    (Value::Array(summary), failure)
}

/// Runs `iconik download`: resolves DEST (a directory gets the file's
/// original name), reserves it, downloads.
fn download(client: &Client, m: &ArgMatches, session: &Session<'_>) -> Result<Value, Failure> {
    let arg = |id: &str| m.get_one::<String>(id).cloned().unwrap_or_default();
    let (asset_id, file_id) = (arg("asset_id"), arg("file_id"));
    let dest = m
        .get_one::<PathBuf>("dest")
        .cloned()
        .ok_or_else(|| Failure::usage("download needs DEST"))?;
    let dest = if dest.is_dir() {
        let record = client
            .request(
                Method::Get,
                "files",
                "/v1/assets/{asset_id}/files/{file_id}/",
            )
            .name("get_asset_file")
            .path_param(&asset_id)
            .path_param(&file_id)
            .send::<Value>()
            .map_err(|e| session.fail(e))?
            .into_data();
        let original = ["original_name", "name"]
            .iter()
            .find_map(|k| record.get(*k).and_then(Value::as_str))
            .unwrap_or("");
        dest.join(safe_file_name(original, &file_id))
    } else {
        dest
    };
    let reserved = reserve(&dest, m.get_flag("force"))?;
    let display = Display::new();
    let label = dest.display().to_string();
    let (callback, bar) = display.track(&label, Direction::Download);
    let started = Instant::now();
    let result = client
        .download(&asset_id, &file_id, &dest)
        .on_progress(callback)
        .progress_interval(display.interval())
        .send();
    display.done(bar, &label, result.is_ok(), started.elapsed());
    display.end();
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            reserved.release();
            return Err(session.fail(e));
        }
    };
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

/// A name from iconik made safe to create in a directory, by the same rule
/// as `iconik sync` ([`safe_name`]: no separators, control or
/// bidirectional characters, none Windows refuses, not `.` or `..`, short
/// enough for the download's temporary name); `fallback` (the file id) when
/// the name has nothing usable.
pub fn safe_file_name(name: &str, fallback: &str) -> String {
    let usable = name.trim().trim_matches('.');
    if usable.is_empty() {
        return if fallback.is_empty() {
            "download".to_owned()
        } else {
            safe_name(fallback).0
        };
    }
    safe_name(name).0
}

/// DEST, reserved by creating it empty (so a file that appears meanwhile
/// is not overwritten); with `force` an existing file is left for the
/// download to replace.
struct Reserved {
    path: PathBuf,
    created: bool,
}

impl Reserved {
    /// Removes the empty placeholder after a failed download.
    fn release(self) {
        if self.created && std::fs::metadata(&self.path).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn reserve(dest: &Path, force: bool) -> Result<Reserved, Failure> {
    let exists = || {
        Failure::usage(format!(
            "{} exists; pass --force to overwrite it",
            dest.display()
        ))
    };
    if dest.is_dir() {
        return Err(Failure::usage(format!(
            "{} is a directory, and so is the name the file would get in it",
            dest.display()
        )));
    }
    match OpenOptions::new().write(true).create_new(true).open(dest) {
        Ok(_) => Ok(Reserved {
            path: dest.to_owned(),
            created: true,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if force {
                Ok(Reserved {
                    path: dest.to_owned(),
                    created: false,
                })
            } else {
                Err(exists())
            }
        }
        Err(e) => Err(Failure::io(format!(
            "cannot create {}: {e}",
            dest.display()
        ))),
    }
}

/// Seconds with millisecond precision.
fn seconds(d: Duration) -> f64 {
    (d.as_millis() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn names_from_iconik_are_made_safe() {
        let safe = |n: &str| safe_file_name(n, "f-1");
        assert_eq!(safe("clip.mov"), "clip.mov");
        assert_eq!(safe("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(safe(".."), "f-1");
        assert_eq!(safe("."), "f-1");
        assert_eq!(safe(""), "f-1");
        assert_eq!(safe("a\\b"), "a_b");
        assert_eq!(safe("C:\\x"), "C__x");
        assert_eq!(safe("evil\u{1b}]0;x\u{7}.mov"), "evil_]0;x_.mov");
        assert_eq!(safe("name\u{202e}vom.exe"), "name_vom.exe");
        assert_eq!(safe("trailing. "), "trailing. _");
        let long = format!("{}.mov", "é".repeat(300));
        let s = safe(&long);
        assert!(
            s.len() <= iconik_sync::bulk::MAX_NAME_BYTES && s.ends_with(".mov"),
            "{s}"
        );
        assert_eq!(safe_file_name("..", "../x"), ".._x");
        assert_eq!(safe_file_name(" . ", ""), "download");
    }
}
