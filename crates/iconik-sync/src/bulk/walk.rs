//! The local side of a sync up: a depth-first walk of a directory tree,
//! a folder before what it holds, names in byte order, holding only the
//! listings of the folders on the current path (memory grows with depth
//! and folder width, not with the tree's size).
//!
//! Symbolic links are reported and not followed unless asked; when
//! followed, a link back to a folder on the current path (the same device
//! and inode) is reported as a loop instead of being entered. Names that
//! are not UTF-8 are kept (their journal key is lossless) and flagged.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::glob::{Filter, Verdict};
use super::names::key_component;

/// Folders deeper than this are reported, not entered.
pub const MAX_DEPTH: usize = 256;

/// A path relative to the sync's root: its journal key (lossless), its
/// display form and the iconik title of its last component.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RelPath {
    /// `/`-joined [`key_component`]s; empty for the root.
    pub(crate) key: String,
    /// `/`-joined names, non-UTF-8 bytes shown as U+FFFD.
    pub(crate) display: String,
    /// The last component, as a title (lossy).
    pub(crate) name: String,
    /// Some component along the path is not UTF-8.
    pub(crate) lossy: bool,
}

impl RelPath {
    pub(crate) fn child(&self, name: &OsString) -> RelPath {
        let key = key_component(name);
        let title = name.to_string_lossy().into_owned();
        let lossy = self.lossy || name.to_str().is_none();
        let join = |a: &str, b: &str| {
            if a.is_empty() {
                b.to_owned()
            } else {
                format!("{a}/{b}")
            }
        };
        RelPath {
            key: join(&self.key, &key),
            display: join(&self.display, &title),
            name: title,
            lossy,
        }
    }

    /// The key of the folder holding this path (empty for top-level).
    pub(crate) fn parent_key(&self) -> &str {
        self.key.rsplit_once('/').map_or("", |(p, _)| p)
    }
}

/// A regular file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalFile {
    pub(crate) rel: RelPath,
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub(crate) mtime: i64,
}

/// Why the walk left an entry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Left {
    /// An exclude pattern matched.
    Excluded(String),
    /// Include patterns were given and none matched.
    NotIncluded,
    /// A symbolic link, and links are not followed.
    Symlink,
    /// Neither a file nor a folder (socket, FIFO, device).
    Special,
    /// The journal of this very sync.
    Journal,
}

/// What went wrong with an entry.
#[derive(Debug)]
pub(crate) enum Trouble {
    /// A followed link leads back to a folder on the current path.
    Loop,
    /// A folder below [`MAX_DEPTH`].
    TooDeep,
    /// Reading the folder or the entry's metadata failed (permissions, a
    /// link to nowhere, the entry vanished).
    Io(io::Error),
}

/// One step of the walk.
#[derive(Debug)]
pub(crate) enum Item {
    /// A folder, before everything in it (the root first, with an empty
    /// relative path).
    Dir {
        rel: RelPath,
    },
    File(LocalFile),
    /// Left out on purpose; `size` when it is a file.
    Left {
        rel: RelPath,
        why: Left,
        is_dir: bool,
    },
    /// Could not be walked; the rest of the walk goes on. `is_dir` when
    /// it is known to be a folder.
    Trouble {
        rel: RelPath,
        what: Trouble,
        is_dir: bool,
    },
}

/// How to walk.
#[derive(Debug, Clone, Default)]
pub(crate) struct WalkOptions {
    pub(crate) follow_symlinks: bool,
    pub(crate) filter: Filter,
    /// A file never to list (the journal), by identity.
    pub(crate) skip: Option<FileId>,
}

/// A file's identity: device and inode where the platform has them, else
/// its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileId {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

impl FileId {
    pub(crate) fn of(path: &Path, meta: &Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            FileId::Inode(meta.dev(), meta.ino())
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId::Path(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()))
        }
    }
}

/// A folder still to read.
struct Pending {
    path: PathBuf,
    rel: RelPath,
    depth: usize,
    /// Identities of the folders from the root down to this one.
    ancestors: Vec<FileId>,
}

/// The walk: an iterator of [`Item`]s.
pub(crate) struct Walk {
    opts: WalkOptions,
    stack: Vec<Pending>,
    queue: VecDeque<Item>,
}

impl Walk {
    /// Walks the folder `root` (which the caller checked is a folder).
    pub(crate) fn new(root: &Path, opts: WalkOptions) -> Walk {
        let ancestors = fs::metadata(root)
            .map(|m| vec![FileId::of(root, &m)])
            .unwrap_or_default();
        Walk {
            opts,
            stack: vec![Pending {
                path: root.to_path_buf(),
                rel: RelPath::default(),
                depth: 0,
                ancestors,
            }],
            queue: VecDeque::new(),
        }
    }

    fn read(&mut self, dir: Pending) {
        self.queue.push_back(Item::Dir {
            rel: dir.rel.clone(),
        });
        let mut entries: Vec<(OsString, PathBuf, io::Result<fs::FileType>)> =
            match fs::read_dir(&dir.path) {
                Ok(rd) => rd
                    .map(|e| match e {
                        Ok(e) => (e.file_name(), e.path(), e.file_type()),
                        Err(err) => (OsString::new(), dir.path.clone(), Err(err)),
                    })
                    .collect(),
                Err(e) => {
                    self.queue.push_back(Item::Trouble {
                        rel: dir.rel,
                        what: Trouble::Io(e),
                        is_dir: true,
                    });
                    return;
                }
            };
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (name, path, kind) in entries {
            let rel = dir.rel.child(&name);
            match self.entry(&dir, rel, path, kind) {
                Some(Ok(pending)) => subdirs.push(pending),
                Some(Err(item)) => self.queue.push_back(item),
                None => {}
            }
        }
        self.stack.extend(subdirs.into_iter().rev());
    }

    /// One entry of a folder: a folder to read later, or an item now.
    fn entry(
        &self,
        dir: &Pending,
        rel: RelPath,
        path: PathBuf,
        kind: io::Result<fs::FileType>,
    ) -> Option<Result<Pending, Item>> {
        let trouble = |rel, what, is_dir| Some(Err(Item::Trouble { rel, what, is_dir }));
        let kind = match kind {
            Ok(k) => k,
            Err(e) => return trouble(rel, Trouble::Io(e), false),
        };
        let meta = if kind.is_symlink() {
            if !self.opts.follow_symlinks {
                let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
                return self.left(rel, Left::Symlink, is_dir);
            }
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        };
        let meta = match meta {
            Ok(m) => m,
            Err(e) => return trouble(rel, Trouble::Io(e), false),
        };
        if meta.is_dir() {
            if let Verdict::Excluded(p) = self.opts.filter.verdict(&rel.display, true) {
                return self.left(rel, Left::Excluded(p), true);
            }
            let id = FileId::of(&path, &meta);
            if dir.ancestors.contains(&id) {
                return trouble(rel, Trouble::Loop, true);
            }
            if dir.depth + 1 > MAX_DEPTH {
                return trouble(rel, Trouble::TooDeep, true);
            }
            let mut ancestors = dir.ancestors.clone();
            ancestors.push(id);
            return Some(Ok(Pending {
                path,
                rel,
                depth: dir.depth + 1,
                ancestors,
            }));
        }
        if !meta.is_file() {
            return self.left(rel, Left::Special, false);
        }
        if self.opts.skip.as_ref() == Some(&FileId::of(&path, &meta)) {
            return self.left(rel, Left::Journal, false);
        }
        match self.opts.filter.verdict(&rel.display, false) {
            Verdict::Included => {}
            Verdict::Excluded(p) => return self.left(rel, Left::Excluded(p), false),
            Verdict::NotIncluded => return self.left(rel, Left::NotIncluded, false),
        }
        Some(Err(Item::File(LocalFile {
            rel,
            path,
            size: meta.len(),
            mtime: mtime_ns(&meta),
        })))
    }

    fn left(&self, rel: RelPath, why: Left, is_dir: bool) -> Option<Result<Pending, Item>> {
        Some(Err(Item::Left { rel, why, is_dir }))
    }
}

impl Iterator for Walk {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            let dir = self.stack.pop()?;
            self.read(dir);
        }
    }
}

/// A file's modification time in nanoseconds since the Unix epoch
/// (negative before it; 0 when the platform has none).
pub(crate) fn mtime_ns(meta: &Metadata) -> i64 {
    match meta.modified() {
        Ok(t) => match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
        },
        Err(_) => 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh empty folder under the system's temporary folder.
    pub(crate) fn scratch(tag: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "iconik-bulk-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn summary(root: &Path, opts: WalkOptions) -> Vec<String> {
        Walk::new(root, opts)
            .map(|item| match item {
                Item::Dir { rel, .. } => format!("dir {}", rel.display),
                Item::File(f) => format!("file {} {}", f.rel.display, f.size),
                Item::Left { rel, why, .. } => format!("left {} {why:?}", rel.display),
                Item::Trouble { rel, what, .. } => {
                    let what = match what {
                        Trouble::Io(e) => format!("{:?}", e.kind()),
                        other => format!("{other:?}"),
                    };
                    format!("trouble {} {what}", rel.display)
                }
            })
            .collect()
    }

    #[test]
    fn folders_come_before_their_contents_in_name_order() {
        let root = scratch("walk-order");
        fs::create_dir_all(root.join("b/inner")).unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("z.txt"), b"zz").unwrap();
        fs::write(root.join("a/1.mov"), b"1").unwrap();
        fs::write(root.join("b/inner/2.mov"), b"22").unwrap();
        fs::write(root.join("b/x.tmp"), b"").unwrap();
        let filter = Filter::new().exclude("*.tmp").unwrap();
        let got = summary(
            &root,
            WalkOptions {
                filter,
                ..WalkOptions::default()
            },
        );
        assert_eq!(
            got,
            [
                "dir ",
                "file z.txt 2",
                "dir a",
                "file a/1.mov 1",
                "dir b",
                "left b/x.tmp Excluded(\"*.tmp\")",
                "dir b/inner",
                "file b/inner/2.mov 2",
            ]
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_left_alone_or_followed_without_looping() {
        use std::os::unix::fs::symlink;
        let root = scratch("walk-links");
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::write(root.join("d/e/f.mov"), b"f").unwrap();
        symlink(root.join("d"), root.join("d/e/back")).unwrap(); // a loop
        symlink(root.join("d/e/f.mov"), root.join("link.mov")).unwrap();
        symlink(root.join("nowhere"), root.join("broken")).unwrap();
        let got = summary(&root, WalkOptions::default());
        assert_eq!(
            got,
            [
                "dir ",
                "left broken Symlink",
                "left link.mov Symlink",
                "dir d",
                "dir d/e",
                "left d/e/back Symlink",
                "file d/e/f.mov 1",
            ]
        );
        let got = summary(
            &root,
            WalkOptions {
                follow_symlinks: true,
                ..WalkOptions::default()
            },
        );
        assert_eq!(
            got,
            [
                "dir ",
                "trouble broken NotFound",
                "file link.mov 1",
                "dir d",
                "dir d/e",
                "trouble d/e/back Loop",
                "file d/e/f.mov 1",
            ]
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn odd_names_and_entries_are_reported() {
        use std::os::unix::ffi::OsStrExt;
        let root = scratch("walk-odd");
        let odd = std::ffi::OsStr::from_bytes(b"bad\xffname.mov");
        fs::write(root.join(odd), b"x").unwrap();
        let fifo = root.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let items: Vec<Item> = Walk::new(&root, WalkOptions::default()).collect();
        let file = items
            .iter()
            .find_map(|i| match i {
                Item::File(f) => Some(f),
                _ => None,
            })
            .unwrap();
        assert!(file.rel.lossy);
        assert_eq!(file.rel.key, "bad%FFname.mov");
        assert_eq!(file.rel.name, "bad\u{fffd}name.mov");
        if made {
            assert!(items.iter().any(|i| matches!(
                i,
                Item::Left {
                    why: Left::Special,
                    ..
                }
            )));
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_folder_is_reported_and_the_rest_goes_on() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch("walk-perm");
        fs::create_dir_all(root.join("locked")).unwrap();
        fs::write(root.join("locked/secret"), b"s").unwrap();
        fs::write(root.join("open.txt"), b"o").unwrap();
        fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
        let readable = fs::read_dir(root.join("locked")).is_ok(); // root ignores modes
        let got = summary(&root, WalkOptions::default());
        fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
        if !readable {
            assert_eq!(
                got,
                [
                    "dir ",
                    "file open.txt 1",
                    "dir locked",
                    "trouble locked PermissionDenied"
                ]
            );
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_skipped_file_is_left_out() {
        let root = scratch("walk-skip");
        fs::write(root.join("journal"), b"j").unwrap();
        fs::write(root.join("a"), b"a").unwrap();
        let meta = fs::metadata(root.join("journal")).unwrap();
        let got = summary(
            &root,
            WalkOptions {
                skip: Some(FileId::of(&root.join("journal"), &meta)),
                ..WalkOptions::default()
            },
        );
        assert_eq!(got, ["dir ", "file a 1", "left journal Journal"]);
        fs::remove_dir_all(&root).unwrap();
    }
}
