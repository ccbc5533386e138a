//! GCS: a resumable upload. Chunks go in order, each a multiple of
//! 256 KiB (but the last) with `Content-Range`; a `308` says how much the
//! server kept (`Range: bytes=0-K`) and the next chunk starts at `K+1`.
//! After a fault the client asks the session how much it has and
//! continues from there.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::operation::Method;
use crate::transport::Exchange;

use super::http::{bytes, max_retries, pause, Ctx};
use super::state::{Session, UploadState};
use super::stream::{base64, hex_bytes, integrity, Md5Frontier, Source};

/// Chunks are multiples of this.
pub(crate) const CHUNK_QUANTUM: u64 = 256 * 1024;

/// The object resource GCS's JSON API answers a finished upload with.
#[derive(Deserialize)]
struct Finished {
    #[serde(rename = "md5Hash")]
    md5_hash: Option<String>,
    /// A decimal string in the JSON API (a number is accepted too).
    size: Option<serde_json::Value>,
}

/// The chunk size for a requested part size: a multiple of 256 KiB.
pub(crate) fn chunk_size(requested: u64) -> u64 {
    (requested / CHUNK_QUANTUM).max(1) * CHUNK_QUANTUM
}

/// Uploads the file; returns its MD5.
///
/// Nothing the session says is taken on trust: a `Range` beyond the
/// bytes sent, a "finished" before the last byte was sent, and a final
/// answer without the object's MD5 (or with another MD5 or size) are
/// errors.
pub(crate) fn upload(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<String> {
    let total = ctx.size;
    let (session, mut offset, mut sent) = match &state.session {
        Some(Session::Gcs { session_url, sent }) => {
            let (url, sent) = (session_url.clone(), *sent);
            match status(ctx, &url, sent.unwrap_or(total))? {
                Stored::Complete(ex) => {
                    if sent.is_some_and(|s| s < total) {
                        return Err(integrity(format!(
                            "GCS reports the upload complete, but only {} of {total} bytes were sent",
                            sent.unwrap_or(0)
                        )));
                    }
                    // everything is stored: hash the file to check and report its MD5
                    return finished(ctx, Md5Frontier::default(), &ex);
                }
                Stored::Upto(next) => (url, next, sent.unwrap_or(next)),
            }
        }
        _ => {
            let url = state.upload_url.clone().ok_or_else(|| {
                Error::InvalidArgument("iconik's file record has no upload_url for GCS".into())
            })?;
            let mut op = ctx
                .storage(Method::Post, "gcs_start_resumable_upload", &url)
                .retry_safe();
            op.headers.push(("x-goog-resumable".into(), "start".into()));
            let ex = ctx.send(&op, &[200, 201])?;
            let location = ex
                .headers
                .get("location")
                .map(str::to_owned)
                .ok_or_else(|| integrity("GCS started a session without a Location".into()))?;
            state.session = Some(Session::Gcs {
                session_url: location.clone(),
                sent: Some(0),
            });
            (location, 0, 0)
        }
    };
    ctx.reporter.already_done(offset);

    let chunk = chunk_size(ctx.part_size);
    let mut source = Source::open(&ctx.upload.path, total)?;
    let mut md5 = Md5Frontier::default();
    let mut buffer: Vec<u8> = Vec::new();
    let mut faults = 0u32;
    loop {
        if crate::cancel::is_cancelled() {
            return Err(Error::Cancelled);
        }
        // hash what a resumed session already has, reading it once
        if md5.upto() < offset {
            let len = (offset - md5.upto()).min(chunk);
            buffer.resize(len as usize, 0);
            let at = md5.upto();
            source.read_at(at, &mut buffer)?;
            md5.feed(at, &buffer);
            continue;
        }
        let len = chunk.min(total - offset);
        let last = offset + len == total;
        let mut data = std::mem::take(&mut buffer);
        data.resize(len as usize, 0);
        source.read_at(offset, &mut data)?;
        md5.feed(offset, &data);
        let range = match (len, last) {
            (0, _) => format!("bytes */{total}"),
            (_, true) => format!("bytes {}-{}/{total}", offset, offset + len - 1),
            (_, false) => format!("bytes {}-{}/*", offset, offset + len - 1),
        };
        // recorded before the bytes go: a later answer (or a resumed
        // upload) may not claim more than this
        sent = sent.max(offset + len);
        state.session = Some(Session::Gcs {
            session_url: session.clone(),
            sent: Some(sent),
        });
        let data = Arc::new(data);
        let mut op = ctx.storage(Method::Put, "gcs_upload_chunk", &session);
        op.headers.push(("Content-Range".into(), range));
        op.payload = Some(bytes(data.clone(), len as usize, None));
        // a failed chunk is not resent blindly: the session says what it kept
        op = op.no_retry();
        let answer = crate::transport::exchange(ctx.client, &op);
        // the request lets go of the chunk, so its buffer is reused
        op.payload = None;
        buffer = Arc::try_unwrap(data).unwrap_or_default();
        let next = match answer {
            Ok((ex, _)) if matches!(ex.status, 200 | 201) => {
                if !last {
                    return Err(integrity(format!(
                        "GCS finished the upload after {} of {total} bytes",
                        offset + len
                    )));
                }
                ctx.parts.fetch_add(1, Ordering::Relaxed);
                ctx.reporter.add(total - offset);
                return finished(ctx, md5, &ex);
            }
            Ok((ex, _)) if ex.status == 308 => {
                ctx.parts.fetch_add(1, Ordering::Relaxed);
                kept(&ex, sent)?
            }
            Ok((ex, attempts)) if !is_transient(ex.status) => {
                return Err(crate::transport::status_error(
                    ctx.client, &op, ex, attempts,
                ));
            }
            other => {
                faults += 1;
                ctx.retries.fetch_add(1, Ordering::Relaxed);
                if faults > max_retries(ctx.client) {
                    return Err(match other {
                        Err(e) => e,
                        Ok((ex, attempts)) => {
                            crate::transport::status_error(ctx.client, &op, ex, attempts)
                        }
                    });
                }
                pause(ctx.client, faults);
                match status(ctx, &session, sent)? {
                    Stored::Complete(ex) => {
                        if sent < total {
                            return Err(integrity(format!(
                                "GCS reports the upload complete, but only {sent} of {total} bytes were sent"
                            )));
                        }
                        ctx.reporter.set(total);
                        return finished(ctx, md5, &ex);
                    }
                    Stored::Upto(next) => next,
                }
            }
        };
        if next <= offset && len > 0 {
            // the server kept nothing of this chunk: a fault, bounded
            faults += 1;
            if faults > max_retries(ctx.client) {
                return Err(integrity(format!(
                    "GCS kept none of the chunk at byte {offset} after {faults} tries"
                )));
            }
        }
        ctx.reporter.set(next);
        offset = next;
    }
}

enum Stored {
    /// The session holds the whole object: its final answer.
    Complete(Exchange),
    /// The next byte to send.
    Upto(u64),
}

/// Asks the session how much it has: `PUT` with `Content-Range: bytes */TOTAL`.
/// It may not claim more than the `sent` bytes.
fn status(ctx: &Ctx<'_>, session: &str, sent: u64) -> Result<Stored> {
    let mut op = ctx.storage(Method::Put, "gcs_upload_status", session);
    op.headers
        .push(("Content-Range".into(), format!("bytes */{}", ctx.size)));
    let ex = ctx.send(&op, &[200, 201, 308])?;
    if ex.status == 308 {
        Ok(Stored::Upto(kept(&ex, sent)?))
    } else {
        Ok(Stored::Complete(ex))
    }
}

/// The next byte after a 308's `Range: bytes=0-K` (0 without a Range),
/// which must be within the `sent` bytes.
fn kept(ex: &Exchange, sent: u64) -> Result<u64> {
    let Some(range) = ex.headers.get("range") else {
        return Ok(0);
    };
    let next = range
        .trim()
        .strip_prefix("bytes=0-")
        .and_then(|k| k.trim().parse::<u64>().ok())
        .and_then(|k| k.checked_add(1))
        .ok_or_else(|| {
            integrity(format!(
                "GCS answered 308 with an unreadable Range {range:?}"
            ))
        })?;
    if next > sent {
        return Err(integrity(format!(
            "GCS reports {next} bytes stored, but only {sent} were sent"
        )));
    }
    Ok(next)
}

fn is_transient(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Finishes the file's MD5 and checks it, and the size, against GCS's
/// final answer: the JSON API's object resource (`md5Hash`, `size`) or
/// the XML API's headers (`x-goog-hash: md5=…`,
/// `x-goog-stored-content-length`). GCS reports the MD5 of every object
/// a resumable upload makes, so an answer without one is an error too.
fn finished(ctx: &Ctx<'_>, md5: Md5Frontier, ex: &Exchange) -> Result<String> {
    let mine = hash_rest(ctx, md5)?;
    let resource = serde_json::from_slice::<Finished>(&ex.body).ok();
    let header_md5 = ex.headers.get("x-goog-hash").and_then(|h| {
        h.split(',')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("md5"))
            .map(|(_, v)| v.trim().to_owned())
    });
    let remote = resource
        .as_ref()
        .and_then(|r| r.md5_hash.clone())
        .or(header_md5)
        .ok_or_else(|| {
            integrity("GCS finished the upload without reporting the object's MD5".into())
        })?;
    let mine_b64 = base64(&hex_bytes(&mine));
    if remote.trim() != mine_b64 && !remote.trim().eq_ignore_ascii_case(&mine) {
        return Err(integrity(format!(
            "GCS stored an object with MD5 {remote}, but {mine_b64} was sent"
        )));
    }
    let size = resource
        .and_then(|r| r.size)
        .and_then(|v| match v {
            serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
            other => other.as_u64(),
        })
        .or_else(|| {
            (ex.headers.get("x-goog-stored-content-length"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        });
    if let Some(size) = size.filter(|&s| s != ctx.size) {
        return Err(integrity(format!(
            "GCS stored an object of {size} bytes, but {} were sent",
            ctx.size
        )));
    }
    Ok(mine)
}

/// Finishes the MD5 over the bytes not hashed yet (a session found
/// complete), and returns it.
fn hash_rest(ctx: &Ctx<'_>, mut md5: Md5Frontier) -> Result<String> {
    if md5.upto() < ctx.size {
        let mut source = Source::open(&ctx.upload.path, ctx.size)?;
        let mut buffer = vec![0u8; chunk_size(ctx.part_size).min(ctx.size) as usize];
        while md5.upto() < ctx.size {
            let at = md5.upto();
            let len = (ctx.size - at).min(buffer.len() as u64) as usize;
            source.read_at(at, &mut buffer[..len])?;
            md5.feed(at, &buffer[..len]);
        }
    }
    Ok(md5.finish())
}

/// Cancels the session in `state`, if one is open (GCS answers 499).
pub(crate) fn cancel(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<()> {
    let Some(Session::Gcs { session_url, .. }) = state.session.clone() else {
        return Ok(());
    };
    let op = ctx.storage(Method::Delete, "gcs_cancel_upload", &session_url);
    ctx.send(&op, &[200, 204, 404, 410, 499])?;
    state.session = None;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_multiples_of_256_kib() {
        assert_eq!(chunk_size(1), CHUNK_QUANTUM);
        assert_eq!(chunk_size(16 * 1024 * 1024), 16 * 1024 * 1024);
        assert_eq!(chunk_size(CHUNK_QUANTUM * 3 + 5), CHUNK_QUANTUM * 3);
    }

    #[test]
    fn reads_the_kept_range() {
        let ex = |range: Option<&str>| Exchange {
            status: 308,
            headers: crate::Headers::from_pairs(range.map(|r| ("Range", r))),
            body: Vec::new(),
            received_at: std::time::SystemTime::UNIX_EPOCH,
        };
        assert_eq!(kept(&ex(Some("bytes=0-262143")), 262_144).unwrap(), 262_144);
        assert_eq!(kept(&ex(None), 10).unwrap(), 0);
        assert!(kept(&ex(Some("bytes=5-9")), 100).is_err());
        assert!(kept(&ex(Some("garbage")), 100).is_err());
        // more than was sent: refused
        assert!(kept(&ex(Some("bytes=0-262144")), 262_144).is_err());
    }
}
