//! Reading the file: MD5 in the same pass, part by part.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use md5::{Digest, Md5};

use crate::error::Error;

/// Lowercase hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The bytes of a hex string (pairs that are not hex are skipped).
pub(crate) fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| hex.get(2 * i..2 * i + 2))
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect()
}

/// MD5 of `data`, lowercase hex.
#[cfg(test)]
pub(crate) fn md5_hex(data: &[u8]) -> String {
    hex(&Md5::digest(data))
}

/// Standard base64 (with padding), for Azure block ids and GCS's
/// `md5Hash`.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The whole file's MD5, fed with reads in any order that never leaves a
/// gap: bytes before the frontier (read again after a storage kept less
/// than was sent) are not hashed twice.
#[derive(Default)]
pub(crate) struct Md5Frontier {
    hasher: Md5,
    upto: u64,
}

impl Md5Frontier {
    /// Feeds `data`, read at `offset`.
    pub(crate) fn feed(&mut self, offset: u64, data: &[u8]) {
        let end = offset + data.len() as u64;
        if offset <= self.upto && end > self.upto {
            let skip = (self.upto - offset) as usize;
            self.hasher.update(&data[skip..]);
            self.upto = end;
        }
    }

    /// Bytes hashed so far (all from 0).
    pub(crate) fn upto(&self) -> u64 {
        self.upto
    }

    /// The digest, lowercase hex.
    pub(crate) fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

/// The file being uploaded, read at offsets. Every read also checks that
/// the file still has the size the upload started with: a file that grows
/// or shrinks while it is uploaded fails at the next read, not after its
/// bytes were stored.
pub(crate) struct Source {
    file: File,
    path: String,
    size: u64,
}

impl Source {
    /// Opens `path`, which had `size` bytes when the upload started.
    pub(crate) fn open(path: &Path, size: u64) -> crate::Result<Source> {
        let file = File::open(path).map_err(|source| Error::Io {
            context: format!("opening {} to upload it", path.display()),
            source,
        })?;
        let source = Source {
            file,
            path: path.display().to_string(),
            size,
        };
        source.check_size()?;
        Ok(source)
    }

    /// Fills `buf` (exactly) from `offset`. A file that ended early, or
    /// whose size is no longer the one the upload started with, is an
    /// error, not a short part.
    pub(crate) fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> crate::Result<()> {
        let result = self
            .file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(buf));
        match result {
            Ok(()) => self.check_size(),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                let now = self.file.metadata().map_or(0, |m| m.len());
                Err(changed_size(&self.path, now, self.size))
            }
            Err(source) => Err(Error::Io {
                context: format!("reading {} to upload it", self.path),
                source,
            }),
        }
    }

    /// The file still has the size the upload started with.
    pub(crate) fn check_size(&self) -> crate::Result<()> {
        let now = self
            .file
            .metadata()
            .map_err(|source| Error::Io {
                context: format!("reading {} to upload it", self.path),
                source,
            })?
            .len();
        if now == self.size {
            Ok(())
        } else {
            Err(changed_size(&self.path, now, self.size))
        }
    }
}

/// The error for a file that changed size while it was uploaded.
pub(crate) fn changed_size(path: &str, now: u64, expected: u64) -> Error {
    let context =
        format!("{path} changed size while it was uploaded ({now} bytes now, {expected} expected)");
    Error::Io {
        source: io::Error::new(io::ErrorKind::InvalidData, context.clone()),
        context,
    }
}

/// An error for bytes that did not arrive as sent.
pub(crate) fn integrity(context: String) -> Error {
    let source = io::Error::new(io::ErrorKind::InvalidData, context.clone());
    Error::Io { context, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (input, out) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), out);
        }
    }

    #[test]
    fn frontier_hashes_each_byte_once_whatever_the_rereads() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let mut f = Md5Frontier::default();
        f.feed(0, &data[0..300]);
        f.feed(100, &data[100..500]); // overlaps what was hashed
        f.feed(200, &data[200..250]); // entirely behind the frontier
        f.feed(500, &data[500..1000]);
        assert_eq!(f.upto(), 1000);
        assert_eq!(f.finish(), md5_hex(&data));
    }
}
