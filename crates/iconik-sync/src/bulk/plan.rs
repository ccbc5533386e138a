//! The decisions of a sync, apart from the I/O that feeds them: what the
//! journal says about a file, which remote file counts as a duplicate,
//! whether a local copy can stay.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::journal::{DoneState, FileState};
use crate::error::Error;

/// How a sync up finds that iconik already has a file (and skips it).
///
/// ```
/// use iconik_sync::bulk::Dedupe;
/// assert_eq!("md5".parse::<Dedupe>().unwrap(), Dedupe::Md5Anywhere);
/// assert_eq!(Dedupe::default(), Dedupe::NameAndSize);
/// assert_eq!(Dedupe::Md5InTree.to_string(), "md5-tree");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Dedupe {
    /// Never: every file the journal does not show as synced is uploaded
    /// (`none`).
    None,
    /// The folder's collection has an asset with the file's name as its
    /// title and an original file of the same size (`name-size`, the
    /// default: one listing per folder, no hashing).
    #[default]
    NameAndSize,
    /// iconik has a file with the same MD5, anywhere in the account
    /// (`md5`): each file is hashed, then looked up by checksum.
    Md5Anywhere,
    /// iconik has a file with the same MD5 in an asset inside the target
    /// collection or below it (`md5-tree`).
    Md5InTree,
}

impl Dedupe {
    /// The name `FromStr` reads: `none`, `name-size`, `md5`, `md5-tree`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dedupe::None => "none",
            Dedupe::NameAndSize => "name-size",
            Dedupe::Md5Anywhere => "md5",
            Dedupe::Md5InTree => "md5-tree",
        }
    }

    /// Whether files are hashed before they are uploaded.
    pub(crate) fn needs_md5(self) -> bool {
        matches!(self, Dedupe::Md5Anywhere | Dedupe::Md5InTree)
    }
}

impl fmt::Display for Dedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dedupe {
    type Err = Error;

    fn from_str(s: &str) -> Result<Dedupe, Error> {
        [
            Dedupe::None,
            Dedupe::NameAndSize,
            Dedupe::Md5Anywhere,
            Dedupe::Md5InTree,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            Error::invalid(format!(
                "dedupe mode {s:?}: expected none, name-size, md5 or md5-tree"
            ))
        })
    }
}

/// What the journal says to do with a local file on the way up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UpStart {
    /// Synced before and unchanged since.
    Finished,
    /// An asset was (maybe) created for it by a run that did not finish:
    /// find it by `external_id` (or take `asset_id`) and finish it.
    Resume {
        external_id: String,
        asset_id: Option<String>,
        /// The file is as it was when the intent was recorded.
        unchanged: bool,
    },
    /// Nothing pending; `md5` when the journal has it for this size and
    /// modification time.
    Fresh { md5: Option<String> },
}

/// The journal's verdict on a file of `size` bytes modified at `mtime`
/// going into `collection`.
pub(crate) fn up_start(
    state: Option<&FileState>,
    size: u64,
    mtime: i64,
    collection: &str,
) -> UpStart {
    let Some(state) = state else {
        return UpStart::Fresh { md5: None };
    };
    if state.finished(size, mtime).is_some() {
        return UpStart::Finished;
    }
    if let Some(intent) = state.intent.as_ref().filter(|i| i.collection == collection) {
        return UpStart::Resume {
            external_id: intent.external_id.clone(),
            asset_id: intent.asset_id.clone(),
            unchanged: intent.size == size && intent.mtime == mtime,
        };
    }
    UpStart::Fresh {
        md5: state.md5_for(size, mtime).map(str::to_owned),
    }
}

/// A file iconik reported (checksum lookup, an asset's files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteFile {
    pub(crate) id: String,
    pub(crate) asset_id: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) size: Option<u64>,
    pub(crate) format_id: Option<String>,
    pub(crate) checksum: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) version_id: Option<String>,
}

impl RemoteFile {
    /// Its bytes are all stored: `CLOSED` (or no status said).
    pub(crate) fn is_closed(&self) -> bool {
        self.status
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("CLOSED"))
    }
}

/// The assets (in order, each once) holding a closed copy among checksum
/// matches, at most `max`.
pub(crate) fn md5_candidates(matches: &[RemoteFile], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in matches.iter().filter(|f| f.is_closed()) {
        if let Some(a) = &f.asset_id {
            if !out.contains(a) {
                out.push(a.clone());
                if out.len() == max {
                    break;
                }
            }
        }
    }
    out
}

/// Whether an asset's files include a closed one of `size` bytes.
pub(crate) fn has_closed_of_size(files: &[RemoteFile], size: u64) -> bool {
    files.iter().any(|f| f.is_closed() && f.size == Some(size))
}

/// What to do with a remote file on the way down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DownStart {
    /// The journal shows this very local file as the download of this
    /// remote file: nothing to read.
    Unchanged,
    /// The local file's MD5 is known (journal) or must be computed
    /// (`None`) before deciding.
    Compare { md5: Option<String> },
    /// Download (nothing local, or another size).
    Download,
}

/// The journal's and the disk's verdict on a remote file of
/// `remote_size` bytes with MD5 `remote_md5`, whose local path holds
/// `local` (size, mtime) or nothing.
pub(crate) fn down_start(
    state: Option<&FileState>,
    local: Option<(u64, i64)>,
    remote_size: Option<u64>,
    remote_md5: Option<&str>,
) -> DownStart {
    let Some((size, mtime)) = local else {
        return DownStart::Download;
    };
    if remote_size.is_some_and(|r| r != size) {
        return DownStart::Download;
    }
    let done = state.and_then(|s| s.finished(size, mtime));
    if let Some(DoneState { md5, .. }) = done {
        let same = match (md5.as_deref(), remote_md5) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if same {
            return DownStart::Unchanged;
        }
    }
    DownStart::Compare {
        md5: state
            .and_then(|s| s.md5_for(size, mtime))
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::journal::{Ended, Intent};

    fn done(size: u64, mtime: i64, md5: &str, ended: Ended) -> FileState {
        FileState {
            done: Some(DoneState {
                size,
                mtime,
                md5: Some(md5.into()),
                ended,
                asset_id: Some("a".into()),
                file_id: None,
            }),
            ..FileState::default()
        }
    }

    #[test]
    fn dedupe_names_round_trip() {
        for d in [
            Dedupe::None,
            Dedupe::NameAndSize,
            Dedupe::Md5Anywhere,
            Dedupe::Md5InTree,
        ] {
            assert_eq!(d.to_string().parse::<Dedupe>().unwrap(), d);
        }
        assert!("sha1".parse::<Dedupe>().is_err());
        assert!(Dedupe::Md5InTree.needs_md5() && !Dedupe::NameAndSize.needs_md5());
    }

    #[test]
    fn up_start_follows_the_journal() {
        assert_eq!(up_start(None, 1, 1, "c"), UpStart::Fresh { md5: None });
        let finished = done(4, 7, "m", Ended::Transferred);
        assert_eq!(up_start(Some(&finished), 4, 7, "c"), UpStart::Finished);
        // changed since: fresh, and the old MD5 is not reused
        assert_eq!(
            up_start(Some(&finished), 5, 7, "c"),
            UpStart::Fresh { md5: None }
        );
        let failed = done(4, 7, "m", Ended::Failed);
        assert_eq!(
            up_start(Some(&failed), 4, 7, "c"),
            UpStart::Fresh {
                md5: Some("m".into())
            }
        );
        let pending = FileState {
            intent: Some(Intent {
                size: 4,
                mtime: 7,
                external_id: "x".into(),
                collection: "c".into(),
                asset_id: Some("as".into()),
            }),
            ..FileState::default()
        };
        assert_eq!(
            up_start(Some(&pending), 4, 8, "c"),
            UpStart::Resume {
                external_id: "x".into(),
                asset_id: Some("as".into()),
                unchanged: false
            }
        );
        // an intent for another collection is not this sync's business
        assert_eq!(
            up_start(Some(&pending), 4, 7, "other"),
            UpStart::Fresh { md5: None }
        );
    }

    fn file(asset: &str, status: Option<&str>, size: u64) -> RemoteFile {
        RemoteFile {
            id: format!("f-{asset}"),
            asset_id: Some(asset.into()),
            status: status.map(Into::into),
            size: Some(size),
            format_id: None,
            checksum: None,
            name: None,
            version_id: None,
        }
    }

    #[test]
    fn only_closed_copies_count() {
        let matches = [
            file("a", Some("OPEN"), 4),
            file("b", Some("CLOSED"), 4),
            file("b", Some("CLOSED"), 4),
            file("c", None, 4),
            file("d", Some("closed"), 4),
        ];
        assert_eq!(md5_candidates(&matches, 10), ["b", "c", "d"]);
        assert_eq!(md5_candidates(&matches, 2), ["b", "c"]);
        assert!(has_closed_of_size(&matches, 4));
        assert!(!has_closed_of_size(&matches[..1], 4));
        assert!(!has_closed_of_size(&matches, 5));
    }

    #[test]
    fn down_start_reads_nothing_it_need_not() {
        assert_eq!(
            down_start(None, None, Some(4), Some("m")),
            DownStart::Download
        );
        assert_eq!(
            down_start(None, Some((5, 1)), Some(4), Some("m")),
            DownStart::Download
        );
        assert_eq!(
            down_start(None, Some((4, 1)), Some(4), Some("m")),
            DownStart::Compare { md5: None }
        );
        let j = done(4, 1, "m", Ended::Transferred);
        assert_eq!(
            down_start(Some(&j), Some((4, 1)), Some(4), Some("M")),
            DownStart::Unchanged
        );
        // iconik's file changed: compare with what the journal knows
        assert_eq!(
            down_start(Some(&j), Some((4, 1)), Some(4), Some("n")),
            DownStart::Compare {
                md5: Some("m".into())
            }
        );
        // the local file changed since: hash it
        assert_eq!(
            down_start(Some(&j), Some((4, 2)), Some(4), Some("m")),
            DownStart::Compare { md5: None }
        );
    }
}
