//! What a sync did: per-file outcomes, the report that sums them up, and
//! the progress events handed to a callback while it runs.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Serialize, Serializer};

use super::journal::Direction;
use crate::error::Error;

/// The most entries each list of a [`SyncReport`] keeps; the rest are
/// counted in [`SyncReport::details_dropped`] (the journal has them all).
pub const MAX_DETAILS: usize = 10_000;

/// Why a file (or folder) was not transferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// An exclude pattern matched it.
    Excluded {
        /// The pattern.
        pattern: String,
    },
    /// Include patterns were given and none matched it.
    NotIncluded,
    /// A symbolic link, and links are not followed.
    Symlink,
    /// Not a regular file (socket, FIFO, device).
    NotAFile,
    /// The journal says it was synced and it has not changed since (same
    /// size and modification time).
    Unchanged,
    /// iconik has a file with the same MD5 ([`Dedupe::Md5Anywhere`],
    /// [`Dedupe::Md5InTree`]).
    ///
    /// [`Dedupe::Md5Anywhere`]: super::Dedupe::Md5Anywhere
    /// [`Dedupe::Md5InTree`]: super::Dedupe::Md5InTree
    SameMd5 {
        /// The asset that has it.
        asset_id: String,
    },
    /// The folder's collection has an asset with this title whose file
    /// has this size ([`Dedupe::NameAndSize`](super::Dedupe::NameAndSize)).
    SameNameAndSize {
        /// That asset.
        asset_id: String,
    },
    /// Down: the local file is already there, with iconik's MD5.
    Identical,
    /// Down: the asset or collection was reached a second time through
    /// another collection; it was synced once, at `path`.
    AlreadySynced {
        /// Where it went the first time.
        path: String,
    },
    /// Down: the asset has no closed original file to download.
    NoOriginal,
}

impl SkipReason {
    /// A short stable name (`"excluded"`, `"same_md5"`, ...), the key of
    /// [`SyncReport::skip_reasons`].
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::Excluded { .. } => "excluded",
            SkipReason::NotIncluded => "not_included",
            SkipReason::Symlink => "symlink",
            SkipReason::NotAFile => "not_a_file",
            SkipReason::Unchanged => "unchanged",
            SkipReason::SameMd5 { .. } => "same_md5",
            SkipReason::SameNameAndSize { .. } => "same_name_and_size",
            SkipReason::Identical => "identical",
            SkipReason::AlreadySynced { .. } => "already_synced",
            SkipReason::NoOriginal => "no_original",
        }
    }

    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Excluded { pattern } => format!("excluded by {pattern}"),
            SkipReason::NotIncluded => "matches no include pattern".into(),
            SkipReason::Symlink => "a symbolic link (not followed)".into(),
            SkipReason::NotAFile => "not a regular file".into(),
            SkipReason::Unchanged => "synced before and unchanged since (journal)".into(),
            SkipReason::SameMd5 { asset_id } => {
                format!("iconik has the same MD5 in asset {asset_id}")
            }
            SkipReason::SameNameAndSize { asset_id } => {
                format!("asset {asset_id} has the same name and size")
            }
            SkipReason::Identical => "already there, identical".into(),
            SkipReason::AlreadySynced { path } => format!("already synced as {path}"),
            SkipReason::NoOriginal => "the asset has no closed original file".into(),
        }
    }

    /// Routine skips (unchanged, identical) are counted but not listed
    /// one by one in the report.
    fn is_routine(&self) -> bool {
        matches!(self, SkipReason::Unchanged | SkipReason::Identical)
    }
}

/// What kind of trouble a failure was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// iconik answered with an error status (it refused a name, a call).
    Api,
    /// The connection failed or timed out.
    Transport,
    /// iconik's answer could not be used.
    Response,
    /// A local file or folder: unreadable, changing, in the way, a full
    /// disk.
    Local,
    /// Anything else (a link loop, an argument refused before sending).
    Other,
}

impl FailureKind {
    /// The kind of a library error.
    pub fn of(e: &Error) -> FailureKind {
        match e {
            Error::Api(_) => FailureKind::Api,
            Error::Transport { .. } | Error::Timeout { .. } => FailureKind::Transport,
            Error::Decode(_) | Error::BodyTooLarge { .. } | Error::BoundReached { .. } => {
                FailureKind::Response
            }
            Error::Io { .. } => FailureKind::Local,
            _ => FailureKind::Other,
        }
    }
}

/// How one file ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Up: uploaded into a new asset. Down: downloaded and checked.
    Transferred {
        /// The asset.
        asset_id: String,
        /// Its file.
        file_id: String,
        /// The file's MD5, lowercase hex.
        md5: String,
    },
    /// Dry run: would be transferred.
    WouldTransfer,
    /// Not transferred, on purpose.
    Skipped(SkipReason),
    /// Failed; the rest of the sync went on.
    Failed {
        /// What went wrong.
        error: String,
        /// What kind of trouble it was.
        kind: FailureKind,
    },
}

/// A number of files and their bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Files.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }
}

/// A file (or folder) and a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// Relative to the sync's local folder, `/`-separated (a folder ends
    /// with `/`).
    pub path: String,
    /// What happened, for people.
    pub message: String,
    /// For a failure: what kind of trouble it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<FailureKind>,
}

/// What a sync did. Serialises to the JSON summary `iconik sync` prints.
///
/// ```no_run
/// # fn show(report: &iconik_sync::bulk::SyncReport) {
/// println!("{} files ({} bytes) transferred, {} skipped, {} failed in {:?}",
///          report.transferred.files, report.transferred.bytes,
///          report.skipped.files, report.failed.files, report.elapsed);
/// for f in &report.failures {
///     eprintln!("{}: {}", f.path, f.message);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SyncReport {
    /// Up or down.
    pub direction: Direction,
    /// Nothing was changed: the report is the plan.
    pub dry_run: bool,
    /// Files uploaded (up) or downloaded (down).
    pub transferred: Tally,
    /// Dry run: files that would be transferred.
    pub planned: Tally,
    /// Files skipped, for any reason.
    pub skipped: Tally,
    /// Files that failed.
    pub failed: Tally,
    /// Skipped files by [`SkipReason::code`].
    pub skip_reasons: BTreeMap<String, Tally>,
    /// Up: collections created for folders. Down: folders created.
    pub folders_created: u64,
    /// Every failure: path and error.
    pub failures: Vec<Entry>,
    /// Every skip except the routine ones (unchanged, identical): path and
    /// reason.
    pub skips: Vec<Entry>,
    /// Things worth knowing that did not stop a file: names changed to be
    /// safe or unique, names that are not UTF-8, files that changed while
    /// read and were sent again.
    pub notices: Vec<Entry>,
    /// Dry run: what would be done, in order (folders to create, files to
    /// transfer).
    pub plan: Vec<Entry>,
    /// Entries left out of the lists above past [`MAX_DETAILS`] each.
    pub details_dropped: u64,
    /// The journal, when there was one.
    pub journal: Option<PathBuf>,
    /// Records read back from the journal at the start (a resumed run).
    pub journal_records: u64,
    /// Why the sync stopped before the end, when it did (the journal
    /// could not be written, iconik refused the credentials, the caller
    /// went away): files not reached are in no count.
    pub stopped: Option<String>,
    /// Time taken.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl SyncReport {
    pub(crate) fn new(direction: Direction, dry_run: bool) -> SyncReport {
        SyncReport {
            direction,
            dry_run,
            transferred: Tally::default(),
            planned: Tally::default(),
            skipped: Tally::default(),
            failed: Tally::default(),
            skip_reasons: BTreeMap::new(),
            folders_created: 0,
            failures: Vec::new(),
            skips: Vec::new(),
            notices: Vec::new(),
            plan: Vec::new(),
            details_dropped: 0,
            journal: None,
            journal_records: 0,
            stopped: None,
            elapsed: Duration::ZERO,
        }
    }

    /// The kind of the first failure listed, if any.
    pub fn first_failure(&self) -> Option<FailureKind> {
        self.failures.first().and_then(|f| f.kind)
    }

    /// True when nothing failed (no file, no folder) and the sync ran to
    /// its end.
    pub fn is_success(&self) -> bool {
        self.failed.files == 0 && self.failures.is_empty() && self.stopped.is_none()
    }

    fn push(list: &mut Vec<Entry>, dropped: &mut u64, path: &str, message: String) {
        Self::push_kind(list, dropped, path, message, None);
    }

    fn push_kind(
        list: &mut Vec<Entry>,
        dropped: &mut u64,
        path: &str,
        message: String,
        kind: Option<FailureKind>,
    ) {
        if list.len() < MAX_DETAILS {
            list.push(Entry {
                path: path.to_owned(),
                message,
                kind,
            });
        } else {
            *dropped += 1;
        }
    }

    /// Counts one file's outcome.
    pub(crate) fn count(&mut self, path: &str, size: u64, outcome: &Outcome) {
        match outcome {
            Outcome::Transferred { .. } => self.transferred.add(size),
            Outcome::WouldTransfer => {
                self.planned.add(size);
                let verb = match self.direction {
                    Direction::Up => "upload",
                    Direction::Down => "download",
                };
                Self::push(
                    &mut self.plan,
                    &mut self.details_dropped,
                    path,
                    format!("{verb} ({size} bytes)"),
                );
            }
            Outcome::Skipped(reason) => {
                self.skipped.add(size);
                self.skip_reasons
                    .entry(reason.code().to_owned())
                    .or_default()
                    .add(size);
                if !reason.is_routine() {
                    Self::push(
                        &mut self.skips,
                        &mut self.details_dropped,
                        path,
                        reason.describe(),
                    );
                }
            }
            Outcome::Failed { error, kind } => {
                self.failed.add(size);
                Self::push_kind(
                    &mut self.failures,
                    &mut self.details_dropped,
                    path,
                    error.clone(),
                    Some(*kind),
                );
            }
        }
    }

    /// A skipped folder (excluded, a link not followed): listed, counted
    /// by reason with no bytes, not as a file.
    pub(crate) fn skip_folder(&mut self, path: &str, reason: &SkipReason) {
        self.skip_reasons
            .entry(reason.code().to_owned())
            .or_default();
        Self::push(
            &mut self.skips,
            &mut self.details_dropped,
            &format!("{path}/"),
            reason.describe(),
        );
    }

    /// A folder that could not be synced (unreadable, a loop, its
    /// collection could not be created): a failure, not a file.
    pub(crate) fn fail_folder(&mut self, path: &str, error: String, kind: FailureKind) {
        Self::push_kind(
            &mut self.failures,
            &mut self.details_dropped,
            &format!("{path}/"),
            error,
            Some(kind),
        );
    }

    /// A notice about a path.
    pub(crate) fn notice(&mut self, path: &str, message: String) {
        Self::push(&mut self.notices, &mut self.details_dropped, path, message);
    }

    /// A plan line (dry run): a folder to create.
    pub(crate) fn plan_folder(&mut self, path: &str, message: String) {
        Self::push(&mut self.plan, &mut self.details_dropped, path, message);
    }
}

/// Overall progress of a sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Overall {
    /// Files finished (any outcome).
    pub files_done: u64,
    /// Files found so far by the count that runs first (final once
    /// [`SyncEvent::Counted`] was seen).
    pub files_total: u64,
    /// Bytes of finished files plus bytes moved of files in flight.
    pub bytes_done: u64,
    /// Bytes of all files counted.
    pub bytes_total: u64,
}

/// Something that happened during a sync, with the overall progress.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SyncEvent<'a> {
    /// The count is complete: `files_total` and `bytes_total` are final.
    Counted,
    /// A file is being transferred (hashed, looked up, sent or fetched).
    Started {
        /// Relative path, `/`-separated.
        path: &'a str,
        /// Its size.
        size: u64,
    },
    /// Bytes of a file in flight.
    Progress {
        /// Relative path.
        path: &'a str,
        /// Bytes sent or written so far.
        bytes_done: u64,
        /// Its size.
        size: u64,
    },
    /// A file is finished.
    Finished {
        /// Relative path.
        path: &'a str,
        /// Its size.
        size: u64,
        /// How it ended.
        outcome: &'a Outcome,
    },
}

/// What the progress callback receives.
///
/// ```
/// # use iconik_sync::bulk::{SyncEvent, SyncProgress};
/// fn show(p: &SyncProgress<'_>) {
///     if let SyncEvent::Finished { path, outcome, .. } = p.event {
///         println!("[{}/{}] {path}: {outcome:?}", p.overall.files_done, p.overall.files_total);
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SyncProgress<'a> {
    /// Where the whole sync stands.
    pub overall: Overall,
    /// What just happened.
    pub event: SyncEvent<'a>,
}

/// A progress callback shared by the sync's threads.
pub(crate) type ProgressFn = Arc<Mutex<Box<dyn FnMut(&SyncProgress<'_>) + Send>>>;

/// Counts outcomes into the report and tells the callback, from any
/// thread; cheap to clone (a shared handle), so transfer callbacks can
/// hold one.
#[derive(Clone)]
pub(crate) struct Tracker {
    inner: Arc<TrackerInner>,
}

struct TrackerInner {
    callback: Option<ProgressFn>,
    state: Mutex<TrackerState>,
}

struct TrackerState {
    report: SyncReport,
    overall: Overall,
    /// Bytes moved of files in flight.
    in_flight: HashMap<String, u64>,
}

impl Tracker {
    pub(crate) fn new(report: SyncReport, callback: Option<ProgressFn>) -> Tracker {
        Tracker {
            inner: Arc::new(TrackerInner {
                callback,
                state: Mutex::new(TrackerState {
                    report,
                    overall: Overall::default(),
                    in_flight: HashMap::new(),
                }),
            }),
        }
    }

    /// Another handle on the same tracker.
    pub(crate) fn handle(&self) -> Tracker {
        self.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TrackerState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn tell(&self, overall: Overall, event: SyncEvent<'_>) {
        if let Some(cb) = &self.inner.callback {
            let mut f = cb.lock().unwrap_or_else(PoisonError::into_inner);
            f(&SyncProgress { overall, event });
        }
    }

    /// The count of files to sync so far; `finished` when it is final.
    pub(crate) fn counted(&self, files: u64, bytes: u64, finished: bool) {
        let overall = {
            let mut st = self.lock();
            st.overall.files_total = files;
            st.overall.bytes_total = bytes;
            st.overall
        };
        if finished {
            self.tell(overall, SyncEvent::Counted);
        }
    }

    /// Adds to the count (an item found to hold more files or bytes).
    pub(crate) fn grow_count(&self, files: u64, bytes: u64) {
        let mut st = self.lock();
        st.overall.files_total += files;
        st.overall.bytes_total += bytes;
    }

    /// The count is final.
    pub(crate) fn finish_count(&self) {
        let overall = self.lock().overall;
        self.tell(overall, SyncEvent::Counted);
    }

    pub(crate) fn started(&self, path: &str, size: u64) {
        let overall = {
            let mut st = self.lock();
            st.in_flight.insert(path.to_owned(), 0);
            st.overall
        };
        self.tell(overall, SyncEvent::Started { path, size });
    }

    /// `bytes_done` of the file at `path` are moved (it may go back: a
    /// transfer that starts over).
    pub(crate) fn progress(&self, path: &str, bytes_done: u64, size: u64) {
        let overall = {
            let mut st = self.lock();
            let before = st
                .in_flight
                .insert(path.to_owned(), bytes_done)
                .unwrap_or(0);
            st.overall.bytes_done = (st.overall.bytes_done + bytes_done).saturating_sub(before);
            st.overall
        };
        self.tell(
            overall,
            SyncEvent::Progress {
                path,
                bytes_done,
                size,
            },
        );
    }

    pub(crate) fn finished(&self, path: &str, size: u64, outcome: &Outcome) {
        let overall = {
            let mut st = self.lock();
            let moved = st.in_flight.remove(path).unwrap_or(0);
            st.overall.bytes_done = st.overall.bytes_done.saturating_sub(moved) + size;
            st.overall.files_done += 1;
            st.report.count(path, size, outcome);
            st.overall
        };
        self.tell(
            overall,
            SyncEvent::Finished {
                path,
                size,
                outcome,
            },
        );
    }

    /// Changes the report under the lock (folders, notices).
    pub(crate) fn with_report<R>(&self, f: impl FnOnce(&mut SyncReport) -> R) -> R {
        f(&mut self.lock().report)
    }

    /// The report (a copy when another handle is still alive).
    pub(crate) fn into_report(self) -> SyncReport {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => {
                inner
                    .state
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .report
            }
            Err(shared) => shared
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .report
                .clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted_and_listed() {
        let mut r = SyncReport::new(Direction::Up, false);
        let ok = Outcome::Transferred {
            asset_id: "a".into(),
            file_id: "f".into(),
            md5: "m".into(),
        };
        r.count("a.mov", 10, &ok);
        r.count("b.mov", 5, &Outcome::Skipped(SkipReason::Unchanged));
        r.count(
            "c.mov",
            7,
            &Outcome::Skipped(SkipReason::SameMd5 {
                asset_id: "x".into(),
            }),
        );
        r.count(
            "d.mov",
            1,
            &Outcome::Failed {
                error: "denied".into(),
                kind: FailureKind::Local,
            },
        );
        assert_eq!(
            r.transferred,
            Tally {
                files: 1,
                bytes: 10
            }
        );
        assert_eq!(
            r.skipped,
            Tally {
                files: 2,
                bytes: 12
            }
        );
        assert_eq!(r.failed, Tally { files: 1, bytes: 1 });
        assert_eq!(r.skip_reasons["unchanged"], Tally { files: 1, bytes: 5 });
        assert_eq!(r.skips.len(), 1, "routine skips are not listed");
        assert_eq!(r.skips[0].message, "iconik has the same MD5 in asset x");
        assert_eq!(r.failures[0].path, "d.mov");
        assert!(!r.is_success());
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["direction"], "up");
        assert_eq!(json["transferred"]["bytes"], 10);
        assert!(json["elapsed"].is_number());
    }

    #[test]
    fn lists_are_bounded() {
        let mut r = SyncReport::new(Direction::Down, false);
        for i in 0..MAX_DETAILS + 5 {
            let failed = Outcome::Failed {
                error: "x".into(),
                kind: FailureKind::Api,
            };
            r.count(&format!("f{i}"), 1, &failed);
        }
        assert_eq!(r.failures.len(), MAX_DETAILS);
        assert_eq!(r.details_dropped, 5);
        assert_eq!(r.failed.files, (MAX_DETAILS + 5) as u64);
    }

    #[test]
    fn the_tracker_keeps_overall_bytes_straight() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let cb: ProgressFn = Arc::new(Mutex::new(Box::new(move |p: &SyncProgress<'_>| {
            sink.lock().unwrap().push(p.overall)
        })));
        let t = Tracker::new(SyncReport::new(Direction::Up, false), Some(cb));
        t.counted(2, 300, true);
        t.started("a", 100);
        t.progress("a", 60, 100);
        t.started("b", 200);
        t.progress("b", 50, 200);
        t.progress("a", 20, 100); // started over
        t.finished("a", 100, &Outcome::Skipped(SkipReason::Unchanged));
        let failed = Outcome::Failed {
            error: "e".into(),
            kind: FailureKind::Transport,
        };
        t.finished("b", 200, &failed);
        let seen = seen.lock().unwrap();
        let bytes: Vec<u64> = seen.iter().map(|o| o.bytes_done).collect();
        assert_eq!(bytes, [0, 0, 60, 60, 110, 70, 150, 300]);
        assert_eq!(seen.last().unwrap().files_done, 2);
        assert_eq!(seen.last().unwrap().files_total, 2);
        let report = t.into_report();
        assert_eq!(report.failed.files, 1);
    }
}
