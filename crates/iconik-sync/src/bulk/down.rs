//! Down: the collection tree is walked (each collection's contents listed
//! once; sub-collections become folders), and each asset's original file
//! is brought to disk by a worker, unless an identical copy is there.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::client::Client;
use crate::error::{Error, Result};

use super::journal::{self, Direction, Ended, Index, Journal, Record};
use super::names::{safe_name, Taken};
use super::plan::{down_start, DownStart, RemoteFile};
use super::remote::{self, Kind};
use super::report::{FailureKind, Outcome, SkipReason, SyncReport, Tracker};
use super::walk::mtime_ns;
use super::{error_text, Options};

/// An asset for a worker: its id, title and the folder it goes to.
struct Job {
    asset: String,
    title: String,
    /// The folder, relative to the local root (`/`-separated, empty for
    /// the root).
    folder: String,
}

struct Ctx<'a> {
    client: &'a Client,
    opts: &'a Options,
    root: PathBuf,
    journal: Journal,
    index: Index,
    tracker: Tracker,
    /// Names taken per local folder.
    taken: Mutex<HashMap<String, Arc<Mutex<Taken>>>>,
    /// Journal names per folder, to mark taken when the folder is first
    /// used.
    journal_names: HashMap<String, Vec<String>>,
    /// Collection id -> the folder the journal gave it.
    journal_folders: HashMap<String, String>,
    /// Assets already handed out, and where they went.
    assets: Mutex<HashMap<String, String>>,
    stop: AtomicBool,
    stopped: Mutex<Option<String>>,
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

impl Ctx<'_> {
    fn stop(&self, why: String) {
        self.stop.store(true, Ordering::SeqCst);
        let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        stopped.get_or_insert(why);
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || crate::cancel::is_cancelled()
    }

    fn record(&self, record: &Record) -> Result<()> {
        self.journal.write(record).inspect_err(|e| {
            self.stop(format!("the journal cannot be written: {}", error_text(e)));
        })
    }

    fn check_fatal(&self, e: &Error) {
        if matches!(e.status(), Some(401)) {
            self.stop(format!("iconik refused the credentials: {}", error_text(e)));
        } else if matches!(e, Error::Cancelled) {
            self.stop("cancelled".into());
        }
    }

    /// The names taken in `folder` (journal names marked on first use).
    fn taken(&self, folder: &str) -> Arc<Mutex<Taken>> {
        let mut all = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(all.entry(folder.to_owned()).or_insert_with(|| {
            let mut t = Taken::default();
            for name in self.journal_names.get(folder).into_iter().flatten() {
                t.insert(name);
            }
            Arc::new(Mutex::new(t))
        }))
    }

    /// A safe, unique local name in `folder` for `raw`; notices when it
    /// had to change.
    fn name(&self, folder: &str, raw: &str) -> String {
        let (safe, unsafe_name) = safe_name(raw);
        let taken = self.taken(folder);
        let (name, collided) = taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unique(&safe);
        if unsafe_name || collided {
            let why = match (unsafe_name, collided) {
                (true, true) => "not a safe local name, and taken",
                (true, false) => "not a safe local name",
                _ => "taken by another item of the collection",
            };
            let path = join(folder, &name);
            self.tracker.with_report(|r| {
                r.notice(
                    &path,
                    format!("iconik's name {raw:?} is {why}: saved as {name:?}"),
                )
            });
        }
        name
    }
}

/// Runs a sync down.
pub(crate) fn run(client: &Client, opts: &Options) -> Result<SyncReport> {
    let started = client.inner.clock.now();
    let top = remote::collection(client, &opts.collection)?;
    if !remote::is_active(top.status.as_deref()) {
        return Err(Error::invalid(format!(
            "collection {} is deleted",
            opts.collection
        )));
    }
    let root_created = !opts.dry_run && !opts.local.is_dir();
    if root_created {
        std::fs::create_dir_all(&opts.local).map_err(|source| Error::Io {
            context: format!("creating {}", opts.local.display()),
            source,
        })?;
    }
    let root = opts.local_root(false)?;
    let start = journal::start_record(Direction::Down, &root, &opts.collection);
    let (journal, index) = opts.open_journal(&start)?;
    let mut journal_names: HashMap<String, Vec<String>> = HashMap::new();
    for path in index.names.values().chain(index.collections.keys()) {
        let (folder, name) = split(path);
        journal_names
            .entry(folder.to_owned())
            .or_default()
            .push(name.to_owned());
    }
    let journal_folders = index
        .collections
        .iter()
        .map(|(path, id)| (id.clone(), path.clone()))
        .collect();
    let mut report = SyncReport::new(Direction::Down, opts.dry_run);
    report.folders_created = u64::from(root_created);
    report.journal = opts.journal.clone();
    report.journal_records = index.records;
    let ctx = Ctx {
        client,
        opts,
        root,
        journal,
        index,
        tracker: Tracker::new(report, opts.progress.clone()),
        taken: Mutex::new(HashMap::new()),
        journal_names,
        journal_folders,
        assets: Mutex::new(HashMap::new()),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
    };
    let clean = super::pool::run(
        opts.jobs,
        |send| walk(&ctx, send),
        |job: Job| asset(&ctx, &job),
    );
    if !clean {
        ctx.stop("a worker panicked (a bug: please report it)".into());
    }
    let stopped = ctx
        .stopped
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let mut report = ctx.tracker.into_report();
    report.stopped = stopped;
    report.elapsed = client.inner.clock.now().saturating_sub(started);
    Ok(report)
}

/// The producer: lists each collection once, depth first, makes its
/// folder, and sends its assets to the workers.
fn walk(ctx: &Ctx<'_>, send: &mut dyn FnMut(Job)) {
    let mut visited: HashMap<String, String> = HashMap::new();
    visited.insert(ctx.opts.collection.clone(), String::new());
    let mut stack = vec![(ctx.opts.collection.clone(), String::new())];
    let (mut files, mut dirs_created) = (0u64, 0u64);
    while let Some((collection, folder)) = stack.pop() {
        if ctx.stopping() {
            break;
        }
        let dir = ctx.root.join(&folder);
        if !ctx.opts.dry_run && !dir.is_dir() {
            if let Err(source) = std::fs::create_dir_all(&dir) {
                let e = Error::Io {
                    context: format!("creating {}", dir.display()),
                    source,
                };
                ctx.tracker
                    .with_report(|r| r.fail_folder(&folder, error_text(&e), FailureKind::Local));
                continue;
            }
            dirs_created += 1;
        } else if ctx.opts.dry_run && !dir.is_dir() && !folder.is_empty() {
            ctx.tracker
                .with_report(|r| r.plan_folder(&format!("{folder}/"), "create a folder".into()));
        }
        let mut children = Vec::new();
        for item in remote::contents(ctx.client, &collection, None, None) {
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    ctx.check_fatal(&e);
                    let why = format!("listing its collection failed: {}", error_text(&e));
                    let kind = FailureKind::of(&e);
                    ctx.tracker
                        .with_report(|r| r.fail_folder(&folder, why, kind));
                    break;
                }
            };
            let (Some(id), true) = (item.id.clone(), item.is_active()) else {
                continue;
            };
            let title = item.title.clone().unwrap_or_else(|| id.clone());
            match item.kind() {
                Kind::Collection => {
                    if let Some(first) = visited.get(&id) {
                        let path = join(&folder, &title);
                        let reason = SkipReason::AlreadySynced {
                            path: first.clone(),
                        };
                        ctx.tracker.with_report(|r| r.skip_folder(&path, &reason));
                        continue;
                    }
                    let sub = match ctx.journal_folders.get(&id) {
                        Some(path) if split(path).0 == folder => path.clone(),
                        _ => {
                            let name = ctx.name(&folder, &title);
                            let path = join(&folder, &name);
                            if ctx
                                .record(&Record::Collection {
                                    path: path.clone(),
                                    id: id.clone(),
                                })
                                .is_err()
                            {
                                break;
                            }
                            path
                        }
                    };
                    visited.insert(id.clone(), sub.clone());
                    children.push((id, sub));
                }
                Kind::Asset => {
                    files += 1;
                    ctx.tracker.counted(files, 0, false);
                    send(Job {
                        asset: id,
                        title,
                        folder: folder.clone(),
                    });
                }
                Kind::Other => {}
            }
        }
        stack.extend(children.into_iter().rev());
    }
    ctx.tracker
        .with_report(|r| r.folders_created += dirs_created);
    ctx.tracker.finish_count();
}

/// One asset: its original file(s), each brought down unless present.
fn asset(ctx: &Ctx<'_>, job: &Job) {
    if ctx.stopping() {
        return;
    }
    let provisional = join(&job.folder, &job.title);
    let first = ctx
        .assets
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&job.asset)
        .cloned();
    if let Some(first) = first {
        let outcome = Outcome::Skipped(SkipReason::AlreadySynced { path: first });
        ctx.tracker.finished(&provisional, 0, &outcome);
        return;
    }
    ctx.assets
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(job.asset.clone(), provisional.clone());
    let files = match originals(ctx, &job.asset) {
        Ok(files) => files,
        Err(e) => {
            ctx.check_fatal(&e);
            let outcome = Outcome::Failed {
                error: error_text(&e),
                kind: FailureKind::of(&e),
            };
            ctx.tracker.finished(&provisional, 0, &outcome);
            return;
        }
    };
    if files.is_empty() {
        ctx.tracker
            .finished(&provisional, 0, &Outcome::Skipped(SkipReason::NoOriginal));
        return;
    }
    // the asset was counted as one file of unknown size
    let bytes: u64 = files.iter().filter_map(|f| f.size).sum();
    ctx.tracker.grow_count(files.len() as u64 - 1, bytes);
    for file in &files {
        if ctx.stopping() {
            return;
        }
        let key = format!("{}/{}", job.asset, file.id);
        let rel = match ctx.index.names.get(&key) {
            Some(path) if split(path).0 == job.folder => path.clone(),
            _ => {
                let raw = file.name.clone().unwrap_or_else(|| job.title.clone());
                let rel = join(&job.folder, &ctx.name(&job.folder, &raw));
                if ctx
                    .record(&Record::Name {
                        key,
                        path: rel.clone(),
                    })
                    .is_err()
                {
                    return;
                }
                rel
            }
        };
        let size = file.size.unwrap_or(0);
        ctx.tracker.started(&rel, size);
        let outcome = match one_file(ctx, &job.asset, file, &rel) {
            Ok(outcome) => outcome,
            Err(e) => {
                ctx.check_fatal(&e);
                Outcome::Failed {
                    error: error_text(&e),
                    kind: FailureKind::of(&e),
                }
            }
        };
        ctx.tracker.finished(&rel, size, &outcome);
    }
}

/// The closed files of the asset's `ORIGINAL` format (the newest one
/// when several versions have one).
fn originals(ctx: &Ctx<'_>, asset: &str) -> Result<Vec<RemoteFile>> {
    let formats = remote::asset_formats(ctx.client, asset)?;
    let original: HashSet<String> = formats
        .iter()
        .rev()
        .filter(|f| f.name == "ORIGINAL" && remote::is_active(f.status.as_deref()))
        .filter_map(|f| f.id.clone())
        .take(1)
        .collect();
    if original.is_empty() {
        return Ok(Vec::new());
    }
    let files = remote::asset_files(ctx.client, asset)?;
    Ok(files
        .into_iter()
        .filter(|f| f.is_closed() && f.format_id.as_ref().is_some_and(|id| original.contains(id)))
        .collect())
}

/// One remote file to `rel`: skipped when an identical copy is there,
/// else downloaded and checked.
fn one_file(ctx: &Ctx<'_>, asset: &str, file: &RemoteFile, rel: &str) -> Result<Outcome> {
    let dest = ctx.root.join(rel);
    let local = match std::fs::metadata(&dest) {
        Ok(m) if m.is_file() => Some((m.len(), mtime_ns(&m))),
        Ok(_) => {
            return Err(super::up_file::local(format!(
                "{} is in the way (not a regular file)",
                dest.display()
            )))
        }
        Err(_) => None,
    };
    let remote_md5 = file
        .checksum
        .as_deref()
        .filter(|c| crate::checksum::is_md5(c));
    let state = ctx.index.files.get(rel);
    match down_start(state, local, file.size, remote_md5) {
        DownStart::Unchanged => return Ok(Outcome::Skipped(SkipReason::Unchanged)),
        DownStart::Compare { md5 } => {
            if let (Some(want), Some((size, mtime))) = (remote_md5, local) {
                let have = match md5 {
                    Some(m) => m,
                    None => {
                        let m = crate::checksum::md5_file(&dest)?;
                        if !ctx.opts.dry_run {
                            ctx.record(&Record::Hashed {
                                path: rel.to_owned(),
                                size,
                                mtime,
                                md5: m.clone(),
                            })?;
                        }
                        m
                    }
                };
                if have.eq_ignore_ascii_case(want) {
                    if !ctx.opts.dry_run {
                        ctx.record(&done(
                            rel,
                            size,
                            mtime,
                            &have,
                            Ended::Present,
                            asset,
                            &file.id,
                        ))?;
                    }
                    return Ok(Outcome::Skipped(SkipReason::Identical));
                }
            }
        }
        DownStart::Download => {}
    }
    if ctx.opts.dry_run {
        return Ok(Outcome::WouldTransfer);
    }
    let size = file.size.unwrap_or(0);
    let progress = ctx.tracker.handle();
    let progress_path = rel.to_owned();
    let download = ctx
        .client
        .download(asset, &file.id, &dest)
        .on_progress(move |p| progress.progress(&progress_path, p.bytes_done, size));
    let temp = download.temp_path();
    let report = match download.send() {
        Ok(report) => report,
        Err(e) => {
            if disk_full(&e) {
                // the partial file only holds space the others need
                let _ = std::fs::remove_file(&temp);
                return Err(super::up_file::local(format!(
                    "the local disk is full (or the file too large for it): {}",
                    error_text(&e)
                )));
            }
            return Err(e);
        }
    };
    if !report.checksum_verified {
        ctx.tracker.with_report(|r| {
            r.notice(
                rel,
                "iconik has no MD5 for this file: the download is not verified".into(),
            )
        });
    }
    let meta = std::fs::metadata(&dest).map_err(|source| Error::Io {
        context: format!("reading {}", dest.display()),
        source,
    })?;
    ctx.record(&done(
        rel,
        meta.len(),
        mtime_ns(&meta),
        &report.md5,
        Ended::Transferred,
        asset,
        &file.id,
    ))?;
    Ok(Outcome::Transferred {
        asset_id: asset.to_owned(),
        file_id: file.id.clone(),
        md5: report.md5,
    })
}

fn done(
    rel: &str,
    size: u64,
    mtime: i64,
    md5: &str,
    ended: Ended,
    asset: &str,
    file: &str,
) -> Record {
    Record::Done {
        path: rel.to_owned(),
        size,
        mtime,
        md5: Some(md5.to_owned()),
        ended,
        asset_id: Some(asset.to_owned()),
        file_id: Some(file.to_owned()),
        note: None,
    }
}

/// An error of a full disk (or a file over the file system's or the
/// process's size limit).
fn disk_full(e: &Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            // ENOSPC, EFBIG, EDQUOT on Linux
            if io.kind() == std::io::ErrorKind::StorageFull
                || io.kind() == std::io::ErrorKind::FileTooLarge
                || matches!(io.raw_os_error(), Some(27 | 28 | 122))
            {
                return true;
            }
        }
        source = s.source();
    }
    false
}
