//! The journal: an append-only file of JSON lines, one record per step of
//! a sync, written (one `write` per line, no buffering in this process)
//! before the next step starts, so a run killed at any point leaves a
//! journal that tells the next run what is done.
//!
//! Creating something remote is always preceded by an intent record: an
//! asset is created with the intent's `external_id`, so a run killed
//! between the creation and its record finds the asset by that id instead
//! of creating another. A folder's collection is found again by its title
//! under its parent.
//!
//! Reading tolerates a torn last line (the process died while writing
//! it): it is cut off before appending. Any other unreadable line is an
//! error, never a silently forgotten record.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The journal format's version, in its first record.
const VERSION: u32 = 1;

/// The longest line read back (a record is a few hundred bytes).
const MAX_LINE: usize = 1 << 20;

/// Which way a journal's sync goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A local folder into a collection.
    Up,
    /// A collection into a local folder.
    Down,
}

/// How a file ended, as the journal keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Ended {
    /// Uploaded (up) or downloaded (down).
    Transferred,
    /// iconik already had it (a dedupe match), or the local copy was
    /// identical.
    Present,
    /// Failed; the next run tries again.
    Failed,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Record {
    /// The first line: which sync the journal belongs to.
    Start {
        version: u32,
        direction: Direction,
        local: String,
        collection: String,
    },
    /// A local file's MD5 at this size and modification time.
    Hashed {
        path: String,
        size: u64,
        mtime: i64,
        md5: String,
    },
    /// Up: the collection a folder maps to. Down: the folder a collection
    /// was given.
    Collection { path: String, id: String },
    /// Up: an asset is about to be created for `path`, tagged with
    /// `external_id`, in `collection`.
    Intent {
        path: String,
        size: u64,
        mtime: i64,
        external_id: String,
        collection: String,
    },
    /// Up: the asset of the last intent for `path`.
    Asset { path: String, asset_id: String },
    /// Up: the asset of the last intent is given up (the file changed
    /// while it was uploaded); a later run starts afresh.
    Discarded { path: String, asset_id: String },
    /// A file's outcome.
    Done {
        path: String,
        size: u64,
        mtime: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        md5: Option<String>,
        ended: Ended,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asset_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Down: the local path chosen for a remote file (`asset_id/file_id`),
    /// so a rerun gives it the same name.
    Name { key: String, path: String },
}

/// The state of a journal, folded from its records.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub(crate) files: HashMap<String, FileState>,
    /// Up: folder -> collection id. Down: collection id -> folder.
    pub(crate) collections: HashMap<String, String>,
    /// Down: `asset_id/file_id` -> local path.
    pub(crate) names: HashMap<String, String>,
    /// Records read (for the report).
    pub(crate) records: u64,
    /// A torn last line was cut off.
    pub(crate) torn: bool,
}

/// What the journal knows about one file.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct FileState {
    /// (size, mtime, md5)
    pub(crate) hashed: Option<(u64, i64, String)>,
    pub(crate) intent: Option<Intent>,
    pub(crate) done: Option<DoneState>,
}

/// An asset creation announced by an intent record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Intent {
    pub(crate) size: u64,
    pub(crate) mtime: i64,
    pub(crate) external_id: String,
    pub(crate) collection: String,
    /// Known once the asset record follows.
    pub(crate) asset_id: Option<String>,
}

/// The last outcome recorded for a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DoneState {
    pub(crate) size: u64,
    pub(crate) mtime: i64,
    pub(crate) md5: Option<String>,
    pub(crate) ended: Ended,
    pub(crate) asset_id: Option<String>,
    pub(crate) file_id: Option<String>,
}

impl FileState {
    /// The MD5 recorded for exactly this size and modification time.
    pub(crate) fn md5_for(&self, size: u64, mtime: i64) -> Option<&str> {
        let from_hash = self
            .hashed
            .as_ref()
            .filter(|h| h.0 == size && h.1 == mtime)
            .map(|h| h.2.as_str());
        from_hash.or_else(|| {
            self.done
                .as_ref()
                .filter(|d| d.size == size && d.mtime == mtime)
                .and_then(|d| d.md5.as_deref())
        })
    }

    /// The outcome recorded for exactly this size and modification time,
    /// unless it failed.
    pub(crate) fn finished(&self, size: u64, mtime: i64) -> Option<&DoneState> {
        self.done
            .as_ref()
            .filter(|d| d.size == size && d.mtime == mtime && d.ended != Ended::Failed)
    }
}

impl Index {
    fn apply(&mut self, record: Record) {
        self.records += 1;
        match record {
            Record::Start { .. } => {}
            Record::Hashed {
                path,
                size,
                mtime,
                md5,
            } => self.files.entry(path).or_default().hashed = Some((size, mtime, md5)),
            Record::Collection { path, id } => {
                self.collections.insert(path, id);
            }
            Record::Intent {
                path,
                size,
                mtime,
                external_id,
                collection,
            } => {
                self.files.entry(path).or_default().intent = Some(Intent {
                    size,
                    mtime,
                    external_id,
                    collection,
                    asset_id: None,
                })
            }
            Record::Asset { path, asset_id } => {
                if let Some(intent) = &mut self.files.entry(path).or_default().intent {
                    intent.asset_id = Some(asset_id);
                }
            }
            Record::Discarded { path, asset_id } => {
                let state = self.files.entry(path).or_default();
                if state
                    .intent
                    .as_ref()
                    .is_some_and(|i| i.asset_id.as_deref() == Some(&asset_id))
                {
                    state.intent = None;
                }
            }
            Record::Done {
                path,
                size,
                mtime,
                md5,
                ended,
                asset_id,
                file_id,
                note: _,
            } => {
                let state = self.files.entry(path).or_default();
                if ended != Ended::Failed {
                    state.intent = None;
                }
                state.done = Some(DoneState {
                    size,
                    mtime,
                    md5,
                    ended,
                    asset_id,
                    file_id,
                });
            }
            Record::Name { key, path } => {
                self.names.insert(key, path);
            }
        }
    }
}

/// An open journal (or none: every write does nothing).
#[derive(Debug)]
pub(crate) struct Journal {
    file: Mutex<Option<File>>,
    path: Option<PathBuf>,
}

impl Journal {
    /// No journal: nothing is read or written.
    pub(crate) fn none() -> Journal {
        Journal {
            file: Mutex::new(None),
            path: None,
        }
    }

    /// The journal at `path` for the sync `start` describes: read back
    /// (its torn last line cut off) and opened for appending, or created
    /// with `start` as its first line. With `read_only` (a dry run)
    /// nothing is written: a missing journal reads as empty.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read or written;
    /// [`Error::InvalidArgument`] when it belongs to another sync or has
    /// an unreadable line before its last.
    pub(crate) fn open(path: &Path, start: &Record, read_only: bool) -> Result<(Journal, Index)> {
        let io_err = |what: &str| {
            let context = format!("{what} the journal {}", path.display());
            move |source| Error::Io { context, source }
        };
        let mut index = Index::default();
        let exists = path.exists();
        if read_only {
            if exists {
                let file = File::open(path).map_err(io_err("reading"))?;
                read(path, &file, start, &mut index)?;
            }
            return Ok((Journal::none(), index));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_err("opening"))?;
        let (keep, newline) = read(path, &file, start, &mut index)?;
        let len = file.metadata().map_err(io_err("reading"))?.len();
        if keep < len {
            file.set_len(keep).map_err(io_err("repairing"))?;
            index.torn = true;
        }
        file.seek(SeekFrom::End(0)).map_err(io_err("opening"))?;
        if newline {
            file.write_all(b"\n").map_err(io_err("repairing"))?;
            index.torn = true;
        }
        let journal = Journal {
            file: Mutex::new(Some(file)),
            path: Some(path.to_path_buf()),
        };
        if index.records == 0 {
            journal.write(start)?;
        }
        Ok((journal, index))
    }

    /// Appends one record (one `write` of one whole line).
    ///
    /// # Errors
    /// [`Error::Io`] when the write fails (the sync stops: going on
    /// without a journal could duplicate on the next run).
    pub(crate) fn write(&self, record: &Record) -> Result<()> {
        let mut guard = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = guard.as_mut() else {
            return Ok(());
        };
        let mut line = serde_json::to_vec(record).map_err(|e| Error::Io {
            context: "encoding a journal record".into(),
            source: io::Error::other(e),
        })?;
        line.push(b'\n');
        file.write_all(&line).map_err(|source| Error::Io {
            context: format!(
                "writing the journal {}",
                self.path.as_deref().unwrap_or(Path::new("")).display()
            ),
            source,
        })
    }
}

/// Reads every record into `index`; returns the length of the part to
/// keep (everything but a torn last line) and whether it lacks its last
/// newline (a whole last record whose newline was not written).
fn read(path: &Path, file: &File, start: &Record, index: &mut Index) -> Result<(u64, bool)> {
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut number = 0u64;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|source| Error::Io {
                context: format!("reading the journal {}", path.display()),
                source,
            })?;
        if n == 0 {
            return Ok((offset, false));
        }
        number += 1;
        if n > MAX_LINE {
            return Err(Error::invalid(format!(
                "the journal {} has a line over {MAX_LINE} bytes (line {number}): not a journal?",
                path.display()
            )));
        }
        let complete = line.last() == Some(&b'\n');
        // a JSON object that parses is whole: only its newline is missing
        let record = match serde_json::from_slice::<Record>(&line) {
            Ok(r) => r,
            // the process died while writing this line: it is the last
            Err(_) if !complete => return Ok((offset, false)),
            Err(e) => {
                return Err(Error::invalid(format!(
                    "the journal {} has an unreadable record on line {number} ({e}); \
                     move it aside to start afresh",
                    path.display()
                )))
            }
        };
        if number == 1 {
            check_start(path, &record, start)?;
        }
        index.apply(record);
        offset += n as u64;
        if !complete {
            return Ok((offset, true));
        }
    }
}

fn check_start(path: &Path, found: &Record, want: &Record) -> Result<()> {
    let same = match (found, want) {
        (
            Record::Start {
                version,
                direction,
                local,
                collection,
            },
            Record::Start {
                direction: d,
                local: l,
                collection: c,
                ..
            },
        ) => *version == VERSION && direction == d && local == l && collection == c,
        _ => false,
    };
    if same {
        return Ok(());
    }
    let describe = |r: &Record| match r {
        Record::Start {
            direction: Direction::Up,
            local,
            collection,
            ..
        } => format!("{local} up into collection {collection}"),
        Record::Start {
            direction: Direction::Down,
            local,
            collection,
            ..
        } => format!("collection {collection} down into {local}"),
        _ => "an unknown sync".to_owned(),
    };
    Err(Error::invalid(format!(
        "the journal {} belongs to a sync of {}, not of {}: give this sync its own journal",
        path.display(),
        describe(found),
        describe(want)
    )))
}

/// The first record of a journal for this sync.
pub(crate) fn start_record(direction: Direction, local: &Path, collection: &str) -> Record {
    Record::Start {
        version: VERSION,
        direction,
        local: local.to_string_lossy().into_owned(),
        collection: collection.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::walk::tests::scratch;

    fn start() -> Record {
        start_record(Direction::Up, Path::new("/media/rushes"), "c-1")
    }

    fn done(path: &str, ended: Ended) -> Record {
        Record::Done {
            path: path.into(),
            size: 4,
            mtime: 7,
            md5: Some("m".into()),
            ended,
            asset_id: Some("a".into()),
            file_id: None,
            note: None,
        }
    }

    #[test]
    fn records_survive_a_reopen() {
        let dir = scratch("journal-reopen");
        let path = dir.join("j.jsonl");
        {
            let (j, index) = Journal::open(&path, &start(), false).unwrap();
            assert_eq!(index.records, 0);
            j.write(&Record::Collection {
                path: "day1".into(),
                id: "c-2".into(),
            })
            .unwrap();
            j.write(&Record::Intent {
                path: "day1/a.mov".into(),
                size: 4,
                mtime: 7,
                external_id: "x-1".into(),
                collection: "c-2".into(),
            })
            .unwrap();
            j.write(&Record::Asset {
                path: "day1/a.mov".into(),
                asset_id: "a-1".into(),
            })
            .unwrap();
            j.write(&Record::Intent {
                path: "day1/b.mov".into(),
                size: 4,
                mtime: 7,
                external_id: "x-2".into(),
                collection: "c-2".into(),
            })
            .unwrap();
            j.write(&done("day1/b.mov", Ended::Transferred)).unwrap();
            j.write(&done("day1/c.mov", Ended::Failed)).unwrap();
        }
        let (_, index) = Journal::open(&path, &start(), false).unwrap();
        assert_eq!(index.records, 7);
        assert_eq!(index.collections["day1"], "c-2");
        let a = &index.files["day1/a.mov"];
        let intent = a.intent.as_ref().unwrap();
        assert_eq!(
            (intent.external_id.as_str(), intent.asset_id.as_deref()),
            ("x-1", Some("a-1"))
        );
        let b = &index.files["day1/b.mov"];
        assert!(b.intent.is_none(), "a finished file has no pending intent");
        assert!(b.finished(4, 7).is_some());
        assert!(b.finished(4, 8).is_none(), "another mtime is another file");
        assert_eq!(b.md5_for(4, 7), Some("m"));
        assert!(index.files["day1/c.mov"].finished(4, 7).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_last_line_is_cut_off_before_appending() {
        let dir = scratch("journal-torn");
        let path = dir.join("j.jsonl");
        {
            let (j, _) = Journal::open(&path, &start(), false).unwrap();
            j.write(&done("a", Ended::Transferred)).unwrap();
        }
        let whole = std::fs::read(&path).unwrap();
        let mut torn = whole.clone();
        torn.extend_from_slice(br#"{"kind":"done","path":"b","si"#);
        std::fs::write(&path, &torn).unwrap();
        {
            let (j, index) = Journal::open(&path, &start(), false).unwrap();
            assert!(index.torn);
            assert_eq!(index.records, 2);
            assert_eq!(std::fs::read(&path).unwrap(), whole);
            j.write(&done("c", Ended::Transferred)).unwrap();
        }
        let (_, index) = Journal::open(&path, &start(), false).unwrap();
        assert!(!index.torn);
        assert!(index.files.contains_key("a") && index.files.contains_key("c"));
        assert!(!index.files.contains_key("b"));
        // a whole record missing only its newline is kept, and the
        // newline added before the next record
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        {
            let (j, index) = Journal::open(&path, &start(), false).unwrap();
            assert!(index.torn && index.files.contains_key("c"));
            j.write(&done("d", Ended::Transferred)).unwrap();
        }
        let (_, index) = Journal::open(&path, &start(), false).unwrap();
        assert_eq!(index.records, 4);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_line_in_the_middle_or_another_sync_is_refused() {
        let dir = scratch("journal-bad");
        let path = dir.join("j.jsonl");
        drop(Journal::open(&path, &start(), false).unwrap());
        let other = start_record(Direction::Down, Path::new("/x"), "c-9");
        let e = Journal::open(&path, &other, false).unwrap_err().to_string();
        assert!(
            e.contains("belongs to a sync of /media/rushes up into collection c-1"),
            "{e}"
        );
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("not json\n{\"kind\":\"collection\",\"path\":\"a\",\"id\":\"b\"}\n");
        std::fs::write(&path, text).unwrap();
        let e = Journal::open(&path, &start(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let dir = scratch("journal-dry");
        let path = dir.join("j.jsonl");
        let (j, index) = Journal::open(&path, &start(), true).unwrap();
        assert_eq!(index.records, 0);
        j.write(&done("a", Ended::Transferred)).unwrap();
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_discarded_asset_is_not_resumed() {
        let mut index = Index::default();
        index.apply(Record::Intent {
            path: "a".into(),
            size: 1,
            mtime: 1,
            external_id: "x".into(),
            collection: "c".into(),
        });
        index.apply(Record::Asset {
            path: "a".into(),
            asset_id: "as".into(),
        });
        index.apply(Record::Discarded {
            path: "a".into(),
            asset_id: "as".into(),
        });
        assert!(index.files["a"].intent.is_none());
    }
}
