//! Downloads: the file's signed URL streamed to a temporary file beside
//! the destination, continued with `Range` after a fault, checked against
//! the size and MD5 iconik has, then renamed into place.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Arc;

use md5::{Digest, Md5};
use serde::Deserialize;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::{Method, Operation};

use super::http::{max_retries, pause};
use super::progress::Reporter;
use super::stream::{hex, integrity};
use super::{DownloadOptions, DownloadReport};

/// Bytes read from the network per write to disk.
const CHUNK: usize = 256 * 1024;

#[derive(Deserialize)]
struct Url {
    url: String,
}

#[derive(Deserialize)]
struct FileRecord {
    size: Option<u64>,
    checksum: Option<String>,
}

/// The temporary file and the MD5 of what it holds.
struct Partial {
    file: File,
    md5: Md5,
    len: u64,
}

pub(crate) fn run(client: &Client, download: &DownloadOptions) -> Result<DownloadReport> {
    let clock = Arc::clone(&client.inner.clock);
    let started = clock.now();
    let record = client
        .request(
            Method::Get,
            "files",
            "/v1/assets/{asset_id}/files/{file_id}/",
        )
        .name("get_asset_file")
        .path_param(&download.asset_id)
        .path_param(&download.file_id)
        .send::<FileRecord>()?
        .into_data();
    let url = client
        .request(
            Method::Get,
            "files",
            "/v1/assets/{asset_id}/files/{file_id}/download_url/",
        )
        .name("get_asset_file_download_url")
        .path_param(&download.asset_id)
        .path_param(&download.file_id)
        .send::<Url>()?
        .into_data()
        .url;
    let expected_md5 = record
        .checksum
        .filter(|c| crate::checksum::is_md5(c))
        .map(|c| c.to_ascii_lowercase());

    let temp = download.temp_path();
    let io_error = |what: &str, source| Error::Io {
        context: format!("{what} {}", temp.display()),
        source,
    };
    // the size iconik has bounds what is written, whatever the storage says
    let size = record.size.ok_or_else(|| {
        integrity(format!(
            "iconik's record of file {} has no size: a download needs one to bound it",
            download.file_id
        ))
    })?;
    let mut partial = open_partial(&temp).map_err(|e| {
        if e.kind() == io::ErrorKind::InvalidInput {
            Error::Io {
                context: format!("{} {e}", temp.display()),
                source: e,
            }
        } else {
            io_error("opening", e)
        }
    })?;
    let mut resumes = u32::from(partial.len > 0);
    if partial.len > size {
        restart(&mut partial).map_err(|e| io_error("truncating", e))?;
        resumes = 0;
    }
    let reporter = Reporter::new(
        download.progress.clone(),
        clock.clone(),
        download.progress_interval,
        record.size,
    );
    reporter.already_done(partial.len);

    let mut faults = 0u32;
    let total = loop {
        if crate::cancel::is_cancelled() {
            return Err(Error::Cancelled);
        }
        match fetch(client, &url, &mut partial, size, &reporter) {
            Ok(total) => break total,
            Err(Fault::Fatal(e)) => {
                // what it holds may be garbage: never left to be resumed
                drop(partial);
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
            Err(Fault::Retry(e)) => {
                faults += 1;
                if faults > max_retries(client) {
                    return Err(e);
                }
                log::debug!(
                    "download of {} interrupted ({e}); continuing",
                    download.file_id
                );
                resumes += 1;
                pause(client, faults);
            }
        }
    };

    partial.file.flush().map_err(|e| io_error("writing", e))?;
    partial
        .file
        .sync_all()
        .map_err(|e| io_error("writing", e))?;
    let md5 = hex(&partial.md5.clone().finalize());
    let problem = if partial.len != total || partial.len != size {
        Some(format!(
            "download of file {} ended at {} bytes, expected {size}",
            download.file_id, partial.len,
        ))
    } else {
        match &expected_md5 {
            Some(want) if *want != md5 => Some(format!(
                "download of file {} has MD5 {md5}, iconik has {want}",
                download.file_id
            )),
            _ => None,
        }
    };
    if let Some(problem) = problem {
        drop(partial);
        let _ = std::fs::remove_file(&temp);
        return Err(integrity(problem));
    }
    drop(partial);
    std::fs::rename(&temp, &download.dest).map_err(|source| Error::Io {
        context: format!("renaming {} to {}", temp.display(), download.dest.display()),
        source,
    })?;
    reporter.finish();
    Ok(DownloadReport {
        path: download.dest.clone(),
        size: total,
        md5,
        checksum_verified: expected_md5.is_some(),
        resumes,
        elapsed: clock.now().saturating_sub(started),
    })
}

enum Fault {
    /// Worth continuing from where the file stands.
    Retry(Error),
    Fatal(Error),
}

/// One GET from where `partial` ends to the end; returns the total size,
/// which is always `size` (iconik's): an answer announcing another length
/// is refused before its body is read, and one whose body runs past it is
/// cut off there.
fn fetch(
    client: &Client,
    url: &str,
    partial: &mut Partial,
    size: u64,
    reporter: &Reporter,
) -> std::result::Result<u64, Fault> {
    let from = partial.len;
    if size == from && from > 0 {
        return Ok(from);
    }
    let mut op = Operation::storage(Method::Get, "storage_download", url);
    if from > 0 {
        op.headers.push(("Range".into(), format!("bytes={from}-")));
    }
    let mut stream = crate::transport::open_stream(client, &op).map_err(|e| {
        if e.is_retryable() || matches!(e, Error::Transport { .. } | Error::Timeout { .. }) {
            Fault::Retry(e)
        } else {
            Fault::Fatal(e)
        }
    })?;
    let announced = |what: &str, n: u64| {
        Fault::Fatal(integrity(format!(
            "storage announced {n} bytes ({what}) for a file iconik records as {size} bytes"
        )))
    };
    match stream.status {
        206 => {
            let (start, total) =
                content_range(stream.headers.get("content-range")).ok_or_else(|| {
                    Fault::Fatal(integrity(
                        "storage answered 206 without a usable Content-Range".into(),
                    ))
                })?;
            if total != size {
                return Err(announced("Content-Range", total));
            }
            if start != from {
                restart(partial).map_err(|e| Fault::Fatal(disk(e)))?;
                reporter.set(0);
                return Err(Fault::Retry(integrity(format!(
                    "storage resumed at byte {start} instead of {from}"
                ))));
            }
        }
        200 => {
            if from > 0 {
                // the storage ignored the Range: start again from zero
                restart(partial).map_err(|e| Fault::Fatal(disk(e)))?;
                reporter.set(0);
            }
            let length = stream
                .headers
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(length) = length.filter(|&l| l != size) {
                return Err(announced("Content-Length", length));
            }
        }
        416 if size == from => return Ok(from),
        status => {
            let mut body = Vec::new();
            let _ = (&mut stream.body)
                .take(crate::error::EXCERPT_LIMIT as u64)
                .read_to_end(&mut body);
            let ex = crate::transport::Exchange {
                status,
                headers: stream.headers,
                body,
                received_at: std::time::SystemTime::now(),
            };
            let e = crate::transport::status_error(client, &op, ex, 1);
            return Err(if matches!(status, 408 | 429 | 500 | 502 | 503 | 504) {
                Fault::Retry(e)
            } else {
                Fault::Fatal(e)
            });
        }
    }
    copy_body(&mut stream.body, partial, size, reporter)?;
    if partial.len < size {
        return Err(Fault::Retry(integrity(format!(
            "storage closed the body at byte {} of {size}",
            partial.len
        ))));
    }
    Ok(size)
}

/// Copies the body to the temporary file: this thread reads from the
/// network while a writer thread writes and hashes what was read before
/// (a few buffers of [`CHUNK`] bytes between them).
fn copy_body(
    body: &mut impl Read,
    partial: &mut Partial,
    total: u64,
    reporter: &Reporter,
) -> std::result::Result<(), Fault> {
    const IN_FLIGHT: usize = 3;
    let (full_tx, full_rx) = sync_channel::<(Vec<u8>, usize)>(IN_FLIGHT);
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    for _ in 0..IN_FLIGHT {
        let _ = free_tx.send(vec![0u8; CHUNK]);
    }
    let mut received = partial.len;
    let (read, written) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            for (buffer, n) in full_rx {
                partial.file.write_all(&buffer[..n])?;
                partial.md5.update(&buffer[..n]);
                partial.len += n as u64;
                reporter.add(n as u64);
                let _ = free_tx.send(buffer);
            }
            Ok(())
        });
        let read = loop {
            // no free buffer: the writer stopped (its error is reported)
            let Ok(mut buffer) = free_rx.recv() else {
                break Ok(());
            };
            let n = loop {
                match body.read(&mut buffer) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let n = match n {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) => {
                    break Err(Fault::Retry(Error::Transport {
                        operation: "storage_download".into(),
                        stage: "reading the response body",
                        may_have_reached_server: true,
                        attempts: 1,
                        source: Box::new(e),
                    }))
                }
            };
            received += n as u64;
            if received > total {
                break Err(Fault::Fatal(integrity(format!(
                    "storage sent more than the {total} bytes of the file"
                ))));
            }
            if full_tx.send((buffer, n)).is_err() {
                break Ok(());
            }
        };
        drop(full_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the download writer panicked")));
        (read, written)
    });
    written.map_err(|e| Fault::Fatal(disk(e)))?;
    read
}

fn disk(source: io::Error) -> Error {
    Error::Io {
        context: "writing the download to disk".into(),
        source,
    }
}

/// Opens (or creates) the temporary file; what it already holds is
/// hashed so the download can continue after it.
///
/// A new file is created with `O_CREAT|O_EXCL` (`create_new`), which
/// never follows a symbolic link. One left by an earlier call is resumed
/// only when it is ours: opened without following a link (`O_NOFOLLOW`,
/// and `O_NONBLOCK` so a FIFO put there cannot hang the call), a regular
/// file with one name. Anything else is an error, and is left alone.
fn open_partial(path: &Path) -> io::Result<Partial> {
    match options().create_new(true).open(path) {
        Ok(file) => {
            return Ok(Partial {
                file,
                md5: Md5::new(),
                len: 0,
            })
        }
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        Err(_) => {}
    }
    let not_ours = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "exists and is not a regular file of this download's own \
             (a symbolic link, a hard link or a special file): remove it to download",
        )
    };
    if !std::fs::symlink_metadata(path)?.file_type().is_file() {
        return Err(not_ours());
    }
    let mut file = options().open(path).map_err(|e| {
        // O_NOFOLLOW on a link: ELOOP
        if e.raw_os_error().is_some()
            && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        {
            not_ours()
        } else {
            e
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() || links(&meta) != 1 {
        return Err(not_ours());
    }
    let mut md5 = Md5::new();
    let mut len = 0u64;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        md5.update(&buffer[..n]);
        len += n as u64;
    }
    Ok(Partial { file, md5, len })
}

/// How the temporary file is opened: read and append, never through a
/// symbolic link, never blocking on a special file.
fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_meta: &std::fs::Metadata) -> u64 {
    1
}

fn restart(partial: &mut Partial) -> io::Result<()> {
    partial.file.set_len(0)?;
    partial.md5 = Md5::new();
    partial.len = 0;
    Ok(())
}

/// `bytes START-END/TOTAL` -> (START, TOTAL).
fn content_range(value: Option<&str>) -> Option<(u64, u64)> {
    let rest = value?.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end, total): (u64, u64, u64) = (
        start.trim().parse().ok()?,
        end.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (start <= end && end < total).then_some((start, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_range() {
        assert_eq!(content_range(Some("bytes 100-199/200")), Some((100, 200)));
        assert_eq!(content_range(Some("bytes 0-0/1")), Some((0, 1)));
        assert_eq!(content_range(Some("bytes 5-4/10")), None);
        assert_eq!(content_range(Some("bytes 0-10/10")), None);
        assert_eq!(content_range(Some("bytes */10")), None);
        assert_eq!(content_range(None), None);
    }
}
