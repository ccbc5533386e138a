//! MD5 checksums as iconik stores them (lowercase hex), computed by
//! streaming: a file of any size is read in fixed 64 KiB chunks, so memory
//! use stays constant.
//!
//! ```no_run
//! # fn main() -> iconik_sync::Result<()> {
//! let md5 = iconik_sync::checksum::md5_file(std::path::Path::new("clip.mov"))?;
//! assert!(iconik_sync::checksum::is_md5(&md5));
//! # Ok(()) }
//! ```

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use md5::{Digest, Md5};

use crate::error::{Error, Result};

/// Size of the buffer files are streamed through.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// True when `s` is exactly 32 hexadecimal digits (either case): an MD5.
///
/// ```
/// use iconik_sync::checksum::is_md5;
/// assert!(is_md5("d41d8cd98f00b204e9800998ecf8427e"));
/// assert!(is_md5("D41D8CD98F00B204E9800998ECF8427E"));
/// assert!(!is_md5("clip.mov"));
/// assert!(!is_md5("d41d8cd98f00b204e9800998ecf8427"));
/// ```
pub fn is_md5(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The MD5 of everything `reader` yields, as lowercase hex, read in
/// [`CHUNK_SIZE`] chunks.
///
/// ```
/// let md5 = iconik_sync::checksum::md5_reader(&b"hello"[..]).unwrap();
/// assert_eq!(md5, "5d41402abc4b2a76b9719d911017c592");
/// ```
///
/// # Errors
/// Any read error other than `Interrupted` (which is retried).
pub fn md5_reader(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; CHUNK_SIZE];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// The MD5 of the file at `path`, as lowercase hex, streamed in
/// [`CHUNK_SIZE`] chunks.
///
/// # Errors
/// [`Error::Io`] with the path as context when the file cannot be opened
/// or read (missing, a directory, no permission).
pub fn md5_file(path: &Path) -> Result<String> {
    let io_error = |source| Error::Io {
        context: format!("reading {} for its MD5", path.display()),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    md5_reader(file).map_err(io_error)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The files iconik has with a given MD5: an MD5 as given, anything else
/// hashed as a local file's path first. Built by
/// `client.files_by_checksum(md5_or_path)`; every page is read (lazily,
/// `last_id` style) and at most [`max_items`](Self::max_items) files are
/// kept.
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// let client = iconik_sync::Client::from_env()?;
/// for file in client.files_by_checksum("clip.mov").send()? {
///     println!("already in iconik: asset {:?}, file {}", file.asset_id, file.id);
/// }
/// # Ok(()) }
/// ```
#[cfg(feature = "files")]
#[must_use = "a lookup does nothing until it is sent"]
#[derive(Debug, Clone)]
pub struct FilesByChecksum<C = crate::Client> {
    exec: C,
    md5_or_path: String,
    max_items: usize,
}

#[cfg(feature = "files")]
impl<C: crate::Executor> FilesByChecksum<C> {
    /// The files with `md5_or_path`'s checksum.
    pub fn new(exec: C, md5_or_path: impl Into<String>) -> Self {
        FilesByChecksum {
            exec,
            md5_or_path: md5_or_path.into(),
            max_items: crate::page::DEFAULT_MAX_COLLECTED_ITEMS,
        }
    }

    /// The most files kept (default
    /// [`DEFAULT_MAX_COLLECTED_ITEMS`](crate::page::DEFAULT_MAX_COLLECTED_ITEMS)):
    /// more is an [`Error::BoundReached`], never a silent truncation.
    pub fn max_items(mut self, max: usize) -> Self {
        self.max_items = max;
        self
    }

    /// Hashes the file (when given a path), then reads every page.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; any error of the
    /// lookup's pages; [`Error::BoundReached`] past `max_items`.
    pub fn send(self) -> C::Output<Vec<crate::models::files::File>> {
        let FilesByChecksum {
            exec,
            md5_or_path,
            max_items,
        } = self;
        exec.run(move |client| {
            let md5 = if is_md5(&md5_or_path) {
                md5_or_path.to_ascii_lowercase()
            } else {
                md5_file(Path::new(&md5_or_path))?
            };
            client
                .files()
                .get_files_checksum_by_checksum(&md5)
                .items()
                .collect_bounded(max_items)
        })
    }
}

#[cfg(feature = "files")]
impl crate::Client {
    /// The files iconik has with the checksum of `md5_or_path` (an MD5, or
    /// a local file to hash): see [`FilesByChecksum`].
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let same = client.files_by_checksum("d41d8cd98f00b204e9800998ecf8427e").send()?;
    /// println!("{} file(s)", same.len());
    /// # Ok(()) }
    /// ```
    pub fn files_by_checksum(&self, md5_or_path: impl Into<String>) -> FilesByChecksum {
        FilesByChecksum::new(self.clone(), md5_or_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            md5_reader(&b""[..]).unwrap(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            md5_reader(&b"The quick brown fox jumps over the lazy dog"[..]).unwrap(),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
    }

    /// A reader that hands out at most 7 bytes per call and is interrupted
    /// now and then: the digest must not depend on how reads are split.
    struct Awkward<'a> {
        data: &'a [u8],
        calls: usize,
    }

    impl Read for Awkward<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = self.data.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunking_and_interruptions_do_not_change_the_digest() {
        let data: Vec<u8> = (0..(CHUNK_SIZE * 2 + 13))
            .map(|i| (i % 251) as u8)
            .collect();
        let whole = md5_reader(&data[..]).unwrap();
        let awkward = md5_reader(Awkward {
            data: &data,
            calls: 0,
        })
        .unwrap();
        assert_eq!(whole, awkward);
        let mut h = Md5::new();
        h.update(&data);
        assert_eq!(whole, hex(&h.finalize()));
    }

    #[test]
    fn read_errors_are_reported() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        assert_eq!(md5_reader(Broken).unwrap_err().to_string(), "disk on fire");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_the_path() {
        let path = Path::new("/definitely/not/here/clip.mov");
        match md5_file(path) {
            Err(Error::Io { context, source }) => {
                assert!(
                    context.contains("/definitely/not/here/clip.mov"),
                    "{context}"
                );
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("expected Error::Io, got {other:?}"),
        }
    }

    #[test]
    fn md5_detection() {
        assert!(is_md5("0123456789abcdefABCDEF0123456789"));
        assert!(!is_md5("0123456789abcdefABCDEF012345678g"));
        assert!(!is_md5(""));
        assert!(!is_md5("./d41d8cd98f00b204e9800998ecf8427e"));
    }
}
