//! Bulk sync: a local folder tree into an iconik collection tree
//! ([`Client::sync_up`]) and back ([`Client::sync_down`]), resumable,
//! deduplicated, and safe to run from several machines at once.
//!
//! ```no_run
//! use iconik_sync::bulk::Dedupe;
//! # fn main() -> iconik_sync::Result<()> {
//! let client = iconik_sync::Client::from_env()?;
//! let report = client
//!     .sync_up("/media/rushes", "c0ffee00-0000-0000-0000-000000000000")
//!     .exclude("*.tmp")
//!     .dedupe(Dedupe::Md5Anywhere)
//!     .journal("/var/lib/ingest/rushes.journal")
//!     .send()?;
//! println!("{} uploaded, {} skipped, {} failed",
//!          report.transferred.files, report.skipped.files, report.failed.files);
//! # Ok(()) }
//! ```
//!
//! # Up
//!
//! Folders become collections: each sub-folder is found by its title
//! among its parent collection's sub-collections, or created. Files
//! become assets in their folder's collection, uploaded with
//! [`Client::upload`] (asset, `ORIGINAL` format, file set, file, bytes,
//! close). A file is skipped when the journal shows it synced
//! and unchanged (same size and modification time), or when iconik
//! already has it by the [`Dedupe`] mode: by name and size in the
//! folder's collection (the default), by MD5 anywhere, or by MD5 in the
//! target tree. A file whose size or modification time changes while it
//! is uploaded is uploaded again (the asset holding the torn copy is
//! deleted), once.
//!
//! # Down
//!
//! Sub-collections become folders and each asset's original file is
//! downloaded (checked against iconik's size and MD5) unless a file with
//! the same MD5 is already at its place. Names are made safe for the
//! local file system ([`safe_name`]: no separators, no `..`, no control
//! characters) and unique within their folder (without regard to case),
//! and every change is reported. Local files that are not in iconik are
//! left alone; a local file at a synced file's place that differs from
//! iconik's is replaced.
//!
//! # The journal
//!
//! With [`SyncUp::journal`] (and [`SyncDown::journal`]), every step is
//! recorded in an append-only file of JSON lines: each file's size,
//! modification time, MD5 and outcome, each folder's collection, and,
//! before an asset is created, the intent to create it under a fresh
//! `external_id`. A rerun after a crash or `kill -9` hashes no unchanged
//! file again, uploads no finished file again, and creates no second
//! asset or collection: an asset created just before the crash is found
//! by its `external_id` and finished, a collection by its title. A torn
//! last line is tolerated. One journal belongs to one sync (its first
//! line names the folder and the collection) and to one process at a
//! time. Records are written by the process as they happen, which a
//! killed process does not undo; a power cut may lose the last ones.
//!
//! # Bad input
//!
//! Nothing stops the sync but a journal that cannot be written, refused
//! credentials or a caller that went away ([`SyncReport::stopped`]). An
//! unreadable file or folder, a file that keeps changing, a name iconik
//! refuses, a symbolic link loop, a full disk: each is reported
//! ([`SyncReport::failures`]) and the rest goes on. Names that are not
//! UTF-8 are synced under a lossy title and reported
//! ([`SyncReport::notices`]). Every file the walk meets is counted in one
//! outcome; every skip has a reason.
//!
//! # Cost and limits
//!
//! Per new file, up: the calls of an upload (asset, format, file set,
//! file, close; the storage is looked up once per sync), plus the dedupe
//! lookup (`name-size`: one listing per existing folder, and the files of
//! assets with the same title; `md5`: one checksum lookup). Down: per
//! asset, its formats, its files and the download's two calls. Files are
//! processed by [`SyncUp::jobs`] threads (default 4), each sending
//! [`SyncUp::parts`] parts at once (default 4): memory is about
//! `jobs × parts × part size` (16 MiB by default) for large files, plus the
//! listings of the folders on the current path, plus a few hundred bytes
//! per file the journal knows (its index) and, down, per asset (each is
//! synced once).

mod down;
mod glob;
mod journal;
mod names;
mod plan;
mod pool;
mod remote;
mod report;
mod up;
mod up_file;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use glob::{Filter, Glob, Verdict};
pub use journal::Direction;
pub use names::{safe_name, MAX_NAME_BYTES};
pub use plan::Dedupe;
pub use report::{
    Entry, FailureKind, Outcome, Overall, SkipReason, SyncEvent, SyncProgress, SyncReport, Tally,
    MAX_DETAILS,
};
pub use walk::MAX_DEPTH;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::transfer::{DEFAULT_PARALLELISM, MAX_PARALLELISM};
use report::ProgressFn;

/// Files processed at once by default.
pub const DEFAULT_JOBS: usize = 4;
/// The most files processed at once.
pub const MAX_JOBS: usize = 64;

/// The options both directions share.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) local: PathBuf,
    pub(crate) collection: String,
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
    pub(crate) follow_symlinks: bool,
    pub(crate) dedupe: Dedupe,
    pub(crate) jobs: usize,
    pub(crate) parts: usize,
    pub(crate) part_size: Option<u64>,
    pub(crate) storage_id: Option<String>,
    pub(crate) journal: Option<PathBuf>,
    pub(crate) dry_run: bool,
    pub(crate) progress: Option<ProgressFn>,
}

impl Options {
    fn new(local: PathBuf, collection: String) -> Options {
        Options {
            local,
            collection,
            include: Vec::new(),
            exclude: Vec::new(),
            follow_symlinks: false,
            dedupe: Dedupe::default(),
            jobs: DEFAULT_JOBS,
            parts: DEFAULT_PARALLELISM,
            part_size: None,
            storage_id: None,
            journal: None,
            dry_run: false,
            progress: None,
        }
    }

    /// The include and exclude patterns, parsed.
    pub(crate) fn filter(&self) -> Result<Filter> {
        let mut f = Filter::new();
        for p in &self.include {
            f = f.include(p)?;
        }
        for p in &self.exclude {
            f = f.exclude(p)?;
        }
        Ok(f)
    }

    /// The local folder, absolute; `must_exist` for the way up (down
    /// creates it, except in a dry run).
    pub(crate) fn local_root(&self, must_exist: bool) -> Result<PathBuf> {
        match std::fs::canonicalize(&self.local) {
            Ok(p) if p.is_dir() => Ok(p),
            Ok(p) => Err(Error::invalid(format!("{} is not a folder", p.display()))),
            Err(_) if !must_exist => {
                Ok(std::path::absolute(&self.local).unwrap_or_else(|_| self.local.clone()))
            }
            Err(source) => Err(Error::Io {
                context: format!("reading the folder {}", self.local.display()),
                source,
            }),
        }
    }

    /// The journal (read-only in a dry run), or none.
    pub(crate) fn open_journal(
        &self,
        start: &journal::Record,
    ) -> Result<(journal::Journal, journal::Index)> {
        if self.collection.trim().is_empty() {
            return Err(Error::invalid("the collection id is empty"));
        }
        match &self.journal {
            Some(path) => journal::Journal::open(path, start, self.dry_run),
            None => Ok((journal::Journal::none(), journal::Index::default())),
        }
    }
}

/// An error as one line: its message and those of its causes.
pub(crate) fn error_text(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

macro_rules! common_setters {
    () => {
        /// Runs `f` with each event of the sync: the count, and each
        /// file's start, progress and outcome, with the overall
        /// progress. Called from the sync's threads, one call at a time.
        pub fn on_progress(mut self, f: impl FnMut(&SyncProgress<'_>) + Send + 'static) -> Self {
            self.opts.progress = Some(Arc::new(Mutex::new(Box::new(f))));
            self
        }

        /// Records every step in the journal at `path` (created when
        /// missing), so a rerun after a crash goes on where this one
        /// stopped. Default: no journal.
        pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
            self.opts.journal = Some(path.into());
            self
        }

        /// Changes nothing (no collection, asset, folder or file is
        /// created, the journal is only read): the report is the plan.
        /// Lookups still run, so the plan says what would be skipped and
        /// why.
        pub fn dry_run(mut self, dry_run: bool) -> Self {
            self.opts.dry_run = dry_run;
            self
        }

        /// Files processed at once (1 to 64; default 4).
        pub fn jobs(mut self, jobs: usize) -> Self {
            self.opts.jobs = jobs.clamp(1, MAX_JOBS);
            self
        }
    };
}

/// A sync of a local folder into a collection, built by
/// [`Client::sync_up`] and run by [`send`](Self::send).
///
/// ```no_run
/// use iconik_sync::bulk::Dedupe;
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let plan = client
///     .sync_up("./rushes", "collection-id")
///     .include("*.mov")
///     .exclude("**/.cache/")
///     .dedupe(Dedupe::Md5InTree)
///     .dry_run(true)
///     .send()?;
/// for step in &plan.plan {
///     println!("{}: {}", step.path, step.message);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a sync does nothing until sent"]
pub struct SyncUp<C = Client> {
    exec: C,
    opts: Options,
}

impl<C: Executor> SyncUp<C> {
    /// A sync of the local folder `local` into the collection
    /// `collection_id`, carried out by `exec` (what
    /// [`Client::sync_up`] and the async client's `sync_up` build).
    pub fn new(exec: C, local: impl AsRef<Path>, collection_id: impl Into<String>) -> Self {
        SyncUp {
            exec,
            opts: Options::new(local.as_ref().to_path_buf(), collection_id.into()),
        }
    }

    common_setters!();

    /// Syncs only files matching one of the include patterns (and no
    /// exclude pattern); see [`Glob`] for the syntax. Repeatable.
    pub fn include(mut self, pattern: impl Into<String>) -> Self {
        self.opts.include.push(pattern.into());
        self
    }

    /// Leaves out what matches (a folder that matches is not entered);
    /// see [`Glob`]. Repeatable.
    pub fn exclude(mut self, pattern: impl Into<String>) -> Self {
        self.opts.exclude.push(pattern.into());
        self
    }

    /// Follows symbolic links (default: they are reported and left
    /// alone). A link back to a folder above it is reported as a loop
    /// and not entered.
    pub fn follow_symlinks(mut self, follow: bool) -> Self {
        self.opts.follow_symlinks = follow;
        self
    }

    /// How to find that iconik already has a file (default
    /// [`Dedupe::NameAndSize`]).
    pub fn dedupe(mut self, dedupe: Dedupe) -> Self {
        self.opts.dedupe = dedupe;
        self
    }

    /// Parts of one file sent at once (1 to 64; default 4).
    pub fn parts(mut self, parts: usize) -> Self {
        self.opts.parts = parts.clamp(1, MAX_PARALLELISM);
        self
    }

    /// Bytes per part (see [`Upload::part_size`](crate::transfer::Upload::part_size)).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.opts.part_size = Some(bytes);
        self
    }

    /// The storage to upload to (default: the account's default `FILES`
    /// storage).
    pub fn storage_id(mut self, storage_id: impl Into<String>) -> Self {
        self.opts.storage_id = Some(storage_id.into());
        self
    }

    /// Runs the sync: at once with the blocking client, on one worker of
    /// the async client (its files on that worker's own threads).
    ///
    /// # Errors
    /// Only for what stops it before it starts:
    /// [`Error::InvalidArgument`] for a bad pattern, a journal of another
    /// sync (or unreadable), a deleted collection; [`Error::Io`] for a
    /// local folder that cannot be read; the error of reading the target
    /// collection. Everything after is in the [`SyncReport`].
    pub fn send(self) -> C::Output<SyncReport> {
        let SyncUp { exec, opts } = self;
        exec.run(move |client| {
            opts.filter()?;
            up::run(client, &opts)
        })
    }
}

/// A sync of a collection into a local folder, built by
/// [`Client::sync_down`] and run by [`send`](Self::send).
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let report = client
///     .sync_down("collection-id", "./export")
///     .journal("./export.journal")
///     .jobs(8)
///     .send()?;
/// assert!(report.is_success(), "{:?}", report.failures);
/// # Ok(()) }
/// ```
#[must_use = "a sync does nothing until sent"]
pub struct SyncDown<C = Client> {
    exec: C,
    opts: Options,
}

impl<C: Executor> SyncDown<C> {
    /// A sync of the collection `collection_id` into the local folder
    /// `local`, carried out by `exec` (what [`Client::sync_down`] and the
    /// async client's `sync_down` build).
    pub fn new(exec: C, collection_id: impl Into<String>, local: impl AsRef<Path>) -> Self {
        SyncDown {
            exec,
            opts: Options::new(local.as_ref().to_path_buf(), collection_id.into()),
        }
    }

    common_setters!();

    /// Runs the sync: at once with the blocking client, on one worker of
    /// the async client.
    ///
    /// # Errors
    /// Only for what stops it before it starts: the error of reading the
    /// collection; [`Error::InvalidArgument`] for a deleted collection or
    /// a journal of another sync; [`Error::Io`] when the local folder
    /// cannot be created. Everything after is in the [`SyncReport`].
    pub fn send(self) -> C::Output<SyncReport> {
        let SyncDown { exec, opts } = self;
        exec.run(move |client| down::run(client, &opts))
    }
}

impl Client {
    /// A sync of the local folder `local` into the collection
    /// `collection_id` (see [`bulk`](crate::bulk)); set options on it,
    /// then [`send`](SyncUp::send) it.
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let report = client.sync_up("./rushes", "collection-id").send()?;
    /// println!("{:?}", report.transferred);
    /// # Ok(()) }
    /// ```
    pub fn sync_up(&self, local: impl AsRef<Path>, collection_id: impl Into<String>) -> SyncUp {
        SyncUp::new(self.clone(), local, collection_id)
    }

    /// A sync of the collection `collection_id` into the local folder
    /// `local` (created when missing); see [`bulk`](crate::bulk).
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let report = client.sync_down("collection-id", "./export").send()?;
    /// println!("{:?}", report.transferred);
    /// # Ok(()) }
    /// ```
    pub fn sync_down(&self, collection_id: impl Into<String>, local: impl AsRef<Path>) -> SyncDown {
        SyncDown::new(self.clone(), collection_id, local)
    }
}
