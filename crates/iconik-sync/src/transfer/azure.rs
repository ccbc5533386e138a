//! Azure Blob Storage: a block blob. One `PUT` up to the part size;
//! above it, `Put Block` for each part (in parallel) and one
//! `Put Block List`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use md5::{Digest, Md5};

use crate::error::{Error, Result};
use crate::operation::Method;

use super::http::{bytes, Ctx};
use super::parts::{self, PartJob};
use super::state::{Session, UploadState};
use super::stream::{base64, hex, hex_bytes, integrity, Source};

/// Azure's limit on blocks per blob.
pub(crate) const MAX_BLOCKS: u64 = 50_000;
/// Azure's largest block: 4000 MiB.
pub(crate) const MAX_BLOCK: u64 = 4000 * 1024 * 1024;

/// The id of block `number`: base64 of a fixed-length string, as Azure
/// requires every id of a blob to have the same length. Twelve bytes
/// encode without padding, and `blk-` plus digits never produce `+` or
/// `/`, so the id reads the same in a query whether or not the server
/// percent-decodes it.
pub(crate) fn block_id(number: u32) -> String {
    base64(format!("blk-{number:08}").as_bytes())
}

/// `url` with `extra` added to its query (SAS URLs already have one).
fn with_query(url: &str, extra: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{extra}")
}

/// Percent-encodes a base64 id for a query value.
fn encode(id: &str) -> String {
    id.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// Uploads the file; returns its MD5.
pub(crate) fn upload(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<String> {
    let url = state.upload_url.clone().ok_or_else(|| {
        Error::InvalidArgument("iconik's file record has no upload_url for Azure".into())
    })?;
    let resuming = matches!(state.session, Some(Session::Azure));
    if ctx.size <= ctx.part_size && !resuming {
        let mut buffer = vec![0u8; ctx.size as usize];
        Source::open(&ctx.upload.path, ctx.size)?.read_at(0, &mut buffer)?;
        let digest = Md5::digest(&buffer);
        let data = Arc::new(buffer);
        let mut op = ctx.storage(Method::Put, "azure_put_blob", &url);
        op.headers
            .push(("x-ms-blob-type".into(), "BlockBlob".into()));
        // the whole file's MD5 is known before it goes: Azure checks it
        op.headers.push(("Content-MD5".into(), base64(&digest)));
        op.payload = Some(bytes(data.clone(), data.len(), None));
        let ex = ctx.send(&op, &[201])?;
        check_md5(&ex, &digest, "the blob")?;
        ctx.parts.fetch_add(1, Ordering::Relaxed);
        ctx.reporter.add(ctx.size);
        return Ok(hex(&digest));
    }
    state.session = Some(Session::Azure);
    let count = parts::count(ctx.size, ctx.part_size);
    let send = |job: &PartJob| -> Result<String> {
        let id = block_id(job.number);
        let block_url = with_query(&url, &format!("comp=block&blockid={}", encode(&id)));
        // the block's MD5, from its buffer: Azure checks it on arrival and
        // answers the MD5 of what it stored, which must be the same
        let digest = Md5::digest(job.bytes());
        let mut op = ctx.storage(Method::Put, "azure_put_block", &block_url);
        op.headers.push(("Content-MD5".into(), base64(&digest)));
        op.payload = Some(bytes(job.data.clone(), job.len, None));
        let ex = ctx.send(&op, &[201])?;
        check_md5(&ex, &digest, &format!("block {}", job.number))?;
        ctx.parts.fetch_add(1, Ordering::Relaxed);
        Ok(id)
    };
    let already = state.parts.len() as u32;
    let outcome = parts::run(ctx, count, &state.parts, &send);
    state.parts.extend(outcome.stored);
    if let Some(e) = outcome.error {
        return Err(e);
    }
    ctx.parts.fetch_add(already, Ordering::Relaxed);
    let md5 = outcome
        .md5
        .ok_or_else(|| integrity("the file was not read to its end".into()))?;
    let mut body = String::from(r#"<?xml version="1.0" encoding="utf-8"?><BlockList>"#);
    for number in 1..=count {
        body.push_str(&format!("<Latest>{}</Latest>", block_id(number)));
    }
    body.push_str("</BlockList>");
    let len = body.len();
    let mut op = ctx.storage(
        Method::Put,
        "azure_put_block_list",
        &with_query(&url, "comp=blocklist"),
    );
    // the blob's Content-MD5 property: the whole file's, known by now
    // (Azure keeps it as given; each block was checked on arrival)
    op.headers
        .push(("x-ms-blob-content-md5".into(), base64(&hex_bytes(&md5))));
    op.payload = Some(bytes(
        Arc::new(body.into_bytes()),
        len,
        Some("application/xml"),
    ));
    ctx.send(&op, &[201])?;
    Ok(md5)
}

/// Azure answers `Content-MD5` (base64) for Put Blob and Put Block: the
/// MD5 of what it stored. It must be there, and be the MD5 sent.
fn check_md5(ex: &crate::transport::Exchange, sent: &[u8], what: &str) -> Result<()> {
    let want = base64(sent);
    match ex.headers.get("content-md5").map(str::trim) {
        Some(got) if got == want => Ok(()),
        Some(got) => Err(integrity(format!(
            "Azure stored {what} with MD5 {got}, but {want} was sent"
        ))),
        None => Err(integrity(format!(
            "Azure stored {what} without reporting its MD5 (Content-MD5)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ids_have_one_length_and_need_no_encoding() {
        let a = block_id(1);
        assert_eq!(a, "YmxrLTAwMDAwMDAx");
        for n in 1..=MAX_BLOCKS as u32 {
            let id = block_id(n);
            assert_eq!(id.len(), a.len());
            assert_eq!(encode(&id), id, "block {n}");
        }
        assert_eq!(
            with_query("https://a.blob/c/x?sv=1&sig=s", "comp=blocklist"),
            "https://a.blob/c/x?sv=1&sig=s&comp=blocklist"
        );
    }
}
