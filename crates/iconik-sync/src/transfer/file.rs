//! iconik's own storage (FILE): one `PUT` of the whole file to the URL
//! iconik's storage gateway handler hands out, streamed from disk and
//! sent again whole after a fault (a PUT is idempotent).

use std::io::{self, Read};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use md5::{Digest, Md5};
use serde::Deserialize;

use crate::error::Result;
use crate::operation::{Method, Payload};

use super::http::Ctx;
use super::progress::Reporter;
use super::state::UploadState;
use super::stream::{changed_size, hex};

#[derive(Deserialize)]
struct HandlerUrl {
    url: String,
}

/// What the attempt that is sending has read so far.
#[derive(Default)]
struct Tally {
    md5: Md5,
    bytes: u64,
}

/// Hashes and counts what the transport reads from the file.
struct Hashing {
    file: std::fs::File,
    tally: Arc<Mutex<Tally>>,
    reporter: Arc<Reporter>,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
        tally.md5.update(&buf[..n]);
        tally.bytes += n as u64;
        self.reporter.set(tally.bytes);
        Ok(n)
    }
}

/// Uploads the file; returns its MD5.
pub(crate) fn upload(ctx: &Ctx<'_>, _state: &mut UploadState) -> Result<String> {
    ctx.files_only("an upload to iconik's storage gateway (FILE)")?;
    let handler = ctx
        .api(
            Method::Get,
            "get_asset_file_isg_handler_url",
            "/v1/assets/{asset_id}/files/{file_id}/isg_handler_url/",
        )
        .send::<HandlerUrl>()?
        .into_data();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let path = ctx.upload.path.clone();
    let (shared, reporter) = (Arc::clone(&tally), Arc::clone(&ctx.reporter));
    let open = move || -> io::Result<Box<dyn Read + Send>> {
        // each attempt reads (and hashes) the file from its start
        *shared.lock().unwrap_or_else(PoisonError::into_inner) = Tally::default();
        Ok(Box::new(Hashing {
            file: std::fs::File::open(&path)?,
            tally: Arc::clone(&shared),
            reporter: Arc::clone(&reporter),
        }))
    };
    let mut op = ctx.storage(Method::Put, "isg_put_file", &handler.url);
    op.payload = Some(Payload::Source {
        open: Arc::new(open),
        len: Some(ctx.size),
        content_type: None,
    });
    let now = || std::fs::metadata(&ctx.upload.path).map_or(0, |m| m.len());
    let changed = |now: u64| changed_size(&ctx.upload.path.display().to_string(), now, ctx.size);
    // the transport holds the body to its length: a file that shrinks or
    // grows fails the send at once (a local error: never retried)
    match ctx.send(&op, &[200, 201, 204]) {
        Err(e @ crate::Error::Io { .. }) => {
            let now = now();
            return Err(if now == ctx.size { e } else { changed(now) });
        }
        other => other?,
    };
    ctx.parts.fetch_add(1, Ordering::Relaxed);
    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(PoisonError::into_inner));
    if tally.bytes != ctx.size {
        return Err(changed(now()));
    }
    Ok(hex(&tally.md5.finalize()))
}
