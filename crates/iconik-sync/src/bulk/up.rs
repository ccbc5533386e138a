//! Up: the walk feeds the folders (each found or created as a collection
//! under its parent's, in order) and hands the files to the workers
//! ([`super::up_file`]).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::client::Client;
use crate::error::{Error, Result};

use super::journal::{self, Direction, Index, Journal, Record};
use super::remote::{self, Kind};
use super::report::{FailureKind, Outcome, SkipReason, SyncReport, Tracker};
use super::walk::{FileId, Item, Left, LocalFile, RelPath, Trouble, Walk, WalkOptions};
use super::{error_text, Options};

/// A local folder and the collection it maps to.
pub(crate) struct Folder {
    pub(crate) rel: RelPath,
    /// The collection: found, created, or (dry run) `None` with
    /// `would_create`; `None` without it when it failed.
    pub(crate) collection: Option<String>,
    pub(crate) would_create: bool,
    /// Why this folder has no collection.
    pub(crate) failed: Option<(String, FailureKind)>,
    /// Created by this run: known empty, nothing to list.
    created: bool,
    /// Sub-collections by title (listed once, when first needed).
    subcollections: Mutex<Option<HashMap<String, String>>>,
    /// Titles given to sub-folders in this run.
    used_titles: Mutex<HashSet<String>>,
    /// Assets by title (listed once, when first needed).
    assets: OnceLock<std::result::Result<HashMap<String, Vec<String>>, String>>,
}

impl Folder {
    fn new(rel: RelPath, collection: Option<String>, created: bool) -> Folder {
        Folder {
            rel,
            collection,
            would_create: false,
            failed: None,
            created,
            subcollections: Mutex::new(None),
            used_titles: Mutex::new(HashSet::new()),
            assets: OnceLock::new(),
        }
    }

    fn failed(rel: RelPath, why: String, kind: FailureKind) -> Folder {
        let mut f = Folder::new(rel, None, false);
        f.failed = Some((why, kind));
        f
    }

    /// The assets of this folder's collection whose title is `title`.
    pub(crate) fn assets_titled(&self, client: &Client, title: &str) -> Result<Vec<String>> {
        let Some(collection) = &self.collection else {
            return Ok(Vec::new());
        };
        if self.created {
            return Ok(Vec::new());
        }
        let listed = self.assets.get_or_init(|| {
            let mut by_title: HashMap<String, Vec<String>> = HashMap::new();
            for item in remote::contents(client, collection, Some("assets"), None) {
                let item = item.map_err(|e| error_text(&e))?;
                if item.kind() == Kind::Asset && item.is_active() {
                    if let (Some(id), Some(t)) = (item.id, item.title) {
                        by_title.entry(t).or_default().push(id);
                    }
                }
            }
            Ok(by_title)
        });
        match listed {
            Ok(map) => Ok(map.get(title).cloned().unwrap_or_default()),
            Err(e) => Err(Error::invalid(format!(
                "listing collection {collection} failed: {e}"
            ))),
        }
    }
}

/// A file handed to a worker, with its folder.
pub(crate) struct Job {
    pub(crate) file: LocalFile,
    pub(crate) folder: Arc<Folder>,
}

/// What every worker shares.
pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a Client,
    pub(crate) opts: &'a Options,
    pub(crate) journal: Journal,
    pub(crate) index: Index,
    pub(crate) tracker: Tracker,
    /// The target collection.
    pub(crate) root: String,
    /// Collections known to be in the target tree (for `md5-tree`), and
    /// those known to be outside it.
    pub(crate) inside: Mutex<HashSet<String>>,
    pub(crate) outside: Mutex<HashSet<String>>,
    /// The storage the first upload used, for the others (saves a lookup
    /// per file).
    pub(crate) storage: Mutex<Option<(String, crate::transfer::StorageMethod)>>,
    stop: AtomicBool,
    stopped: Mutex<Option<String>>,
}

impl Ctx<'_> {
    /// Stops the sync after the files in flight (the journal cannot be
    /// written, the credentials are refused, the caller went away).
    pub(crate) fn stop(&self, why: String) {
        self.stop.store(true, Ordering::SeqCst);
        let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        stopped.get_or_insert(why);
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || crate::cancel::is_cancelled()
    }

    /// Writes a journal record; a failure stops the sync (going on
    /// without a journal could duplicate on the next run).
    pub(crate) fn record(&self, record: &Record) -> Result<()> {
        self.journal.write(record).inspect_err(|e| {
            self.stop(format!("the journal cannot be written: {}", error_text(e)));
        })
    }

    /// An error that every further call would hit too stops the sync.
    pub(crate) fn check_fatal(&self, e: &Error) {
        if matches!(e.status(), Some(401)) {
            self.stop(format!("iconik refused the credentials: {}", error_text(e)));
        } else if matches!(e, Error::Cancelled) {
            self.stop("cancelled".into());
        }
    }

    pub(crate) fn mark_inside(&self, collection: &str) {
        self.inside
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(collection.to_owned());
    }
}

/// Runs a sync up.
pub(crate) fn run(client: &Client, opts: &Options) -> Result<SyncReport> {
    let started = client.inner.clock.now();
    let root = opts.local_root(true)?;
    let top = remote::collection(client, &opts.collection)?;
    if !remote::is_active(top.status.as_deref()) {
        return Err(Error::invalid(format!(
            "collection {} is deleted",
            opts.collection
        )));
    }
    let start = journal::start_record(Direction::Up, &root, &opts.collection);
    let (journal, index) = opts.open_journal(&start)?;
    let skip = opts
        .journal
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok().map(|m| FileId::of(p, &m)));
    let walk_opts = WalkOptions {
        follow_symlinks: opts.follow_symlinks,
        filter: opts.filter()?,
        skip,
    };
    let mut report = SyncReport::new(Direction::Up, opts.dry_run);
    report.journal = opts.journal.clone();
    report.journal_records = index.records;
    let tracker = Tracker::new(report, opts.progress.clone());
    count(&root, &walk_opts, &tracker);

    let ctx = Ctx {
        client,
        opts,
        journal,
        index,
        tracker,
        root: opts.collection.clone(),
        inside: Mutex::new(HashSet::from([opts.collection.clone()])),
        outside: Mutex::new(HashSet::new()),
        storage: Mutex::new(None),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
    };
    let clean = super::pool::run(
        opts.jobs,
        |send| walk(&ctx, &root, walk_opts, send),
        |job: Job| super::up_file::run(&ctx, &job),
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

/// Counts the files (and their bytes) the walk will find, for progress.
pub(crate) fn count(root: &std::path::Path, opts: &WalkOptions, tracker: &Tracker) {
    let (mut files, mut bytes) = (0u64, 0u64);
    for item in Walk::new(root, opts.clone()) {
        match item {
            Item::File(f) => {
                files += 1;
                bytes += f.size;
            }
            Item::Left { is_dir: false, .. } | Item::Trouble { is_dir: false, .. } => files += 1,
            _ => {}
        }
    }
    tracker.counted(files, bytes, true);
}

/// The producer: walks the tree, sets up each folder's collection before
/// its files, and sends the files to the workers.
fn walk(ctx: &Ctx<'_>, root: &std::path::Path, opts: WalkOptions, send: &mut dyn FnMut(Job)) {
    // the folders from the root down to the current one
    let mut path: Vec<Arc<Folder>> = Vec::new();
    for item in Walk::new(root, opts) {
        if ctx.stopping() {
            break;
        }
        match item {
            Item::Dir { rel, .. } => {
                while path
                    .last()
                    .is_some_and(|f| !is_parent(&f.rel.key, rel.parent_key(), &rel.key))
                {
                    path.pop();
                }
                let folder = match path.last() {
                    None => Folder::new(rel, Some(ctx.root.clone()), false),
                    Some(parent) => folder(ctx, parent, rel),
                };
                path.push(Arc::new(folder));
            }
            Item::File(file) => {
                while path
                    .last()
                    .is_some_and(|f| f.rel.key != file.rel.parent_key())
                {
                    path.pop();
                }
                let Some(folder) = path.last().cloned() else {
                    continue;
                };
                send(Job { file, folder });
            }
            Item::Left {
                rel, why, is_dir, ..
            } => {
                let reason = match why {
                    Left::Excluded(pattern) => SkipReason::Excluded { pattern },
                    Left::NotIncluded => SkipReason::NotIncluded,
                    Left::Symlink => SkipReason::Symlink,
                    Left::Special => SkipReason::NotAFile,
                    // the journal is not part of the tree, and not counted
                    Left::Journal => continue,
                };
                if is_dir {
                    ctx.tracker
                        .with_report(|r| r.skip_folder(&rel.display, &reason));
                } else {
                    ctx.tracker
                        .finished(&rel.display, 0, &Outcome::Skipped(reason));
                }
            }
            Item::Trouble {
                rel, what, is_dir, ..
            } => {
                let (error, kind) = match what {
                    Trouble::Loop => (
                        "a symbolic link back to a folder above it (a loop): not followed".into(),
                        FailureKind::Other,
                    ),
                    Trouble::TooDeep => (
                        format!(
                            "more than {} folders deep: not entered",
                            super::walk::MAX_DEPTH
                        ),
                        FailureKind::Other,
                    ),
                    Trouble::Io(e) => (format!("cannot be read: {e}"), FailureKind::Local),
                };
                if is_dir {
                    ctx.tracker
                        .with_report(|r| r.fail_folder(&rel.display, error, kind));
                } else {
                    ctx.tracker
                        .finished(&rel.display, 0, &Outcome::Failed { error, kind });
                }
            }
        }
    }
}

/// Whether the folder keyed `candidate` holds the entry `key` whose
/// parent is `parent_key`.
fn is_parent(candidate: &str, parent_key: &str, key: &str) -> bool {
    !key.is_empty() && candidate == parent_key
}

/// The collection of the folder `rel` under `parent`: from the journal,
/// found by title among the parent's sub-collections, or created.
fn folder(ctx: &Ctx<'_>, parent: &Folder, rel: RelPath) -> Folder {
    let display = rel.display.clone();
    if rel.lossy {
        ctx.tracker.with_report(|r| {
            r.notice(
                &display,
                format!(
                    "the folder name is not valid UTF-8: its collection is titled {:?}",
                    rel.name
                ),
            )
        });
    }
    let fresh = parent
        .used_titles
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(rel.name.clone());
    if !fresh {
        ctx.tracker.with_report(|r| {
            r.notice(
                &display,
                format!(
                    "another folder here has the title {:?} too: they share one collection",
                    rel.name
                ),
            )
        });
    }
    if let Some((why, kind)) = &parent.failed {
        let why = format!("not synced: {why}");
        ctx.tracker
            .with_report(|r| r.fail_folder(&display, why.clone(), *kind));
        return Folder::failed(rel, why, *kind);
    }
    let Some(parent_id) = parent.collection.clone() else {
        // dry run below a collection that would be created
        ctx.tracker
            .with_report(|r| r.plan_folder(&format!("{display}/"), "create a collection".into()));
        let mut f = Folder::new(rel, None, false);
        f.would_create = true;
        return f;
    };
    if let Some(id) = ctx.index.collections.get(&rel.key) {
        ctx.mark_inside(id);
        return Folder::new(rel, Some(id.clone()), false);
    }
    match find_or_create(ctx, parent, &parent_id, &rel) {
        Ok(Some((id, created))) => {
            ctx.mark_inside(&id);
            Folder::new(rel, Some(id), created)
        }
        Ok(None) => {
            ctx.tracker.with_report(|r| {
                r.plan_folder(&format!("{display}/"), "create a collection".into())
            });
            let mut f = Folder::new(rel, None, false);
            f.would_create = true;
            f
        }
        Err(e) => {
            ctx.check_fatal(&e);
            let why = format!("its collection could not be set up: {}", error_text(&e));
            let kind = FailureKind::of(&e);
            ctx.tracker
                .with_report(|r| r.fail_folder(&display, why.clone(), kind));
            Folder::failed(rel, why, kind)
        }
    }
}

/// Finds the sub-collection titled like the folder under `parent_id`, or
/// creates it (not in a dry run: `None`). Returns the id and whether it
/// was created.
fn find_or_create(
    ctx: &Ctx<'_>,
    parent: &Folder,
    parent_id: &str,
    rel: &RelPath,
) -> Result<Option<(String, bool)>> {
    let mut subs = parent
        .subcollections
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if subs.is_none() {
        let mut by_title = HashMap::new();
        if !parent.created {
            for item in remote::contents(ctx.client, parent_id, Some("collections"), None) {
                let item = item?;
                if item.kind() == Kind::Collection && item.is_active() {
                    if let (Some(id), Some(title)) = (item.id, item.title) {
                        // the oldest of several with one title wins
                        by_title.entry(title).or_insert(id);
                    }
                }
            }
        }
        *subs = Some(by_title);
    }
    let by_title = subs.get_or_insert_with(HashMap::new);
    if let Some(id) = by_title.get(&rel.name) {
        ctx.record(&Record::Collection {
            path: rel.key.clone(),
            id: id.clone(),
        })?;
        return Ok(Some((id.clone(), false)));
    }
    if ctx.opts.dry_run {
        return Ok(None);
    }
    // a run killed between this creation and its record finds the
    // collection again by its title under the parent
    let id = remote::create_collection(ctx.client, parent_id, &rel.name)?;
    by_title.insert(rel.name.clone(), id.clone());
    ctx.tracker.with_report(|r| r.folders_created += 1);
    ctx.record(&Record::Collection {
        path: rel.key.clone(),
        id: id.clone(),
    })?;
    Ok(Some((id, true)))
}
