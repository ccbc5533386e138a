//! Backblaze B2: one upload up to the part size; above it, a large file
//! through iconik's start / finish / cancel endpoints, parts in parallel.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};
use crate::operation::Method;

use super::http::{bytes, Ctx};
use super::parts::{self, PartJob};
use super::state::{Session, UploadState};
use super::stream::{hex, integrity, Md5Frontier, Source};

/// B2's limit on parts per large file.
pub(crate) const MAX_PARTS: u64 = 10_000;

#[derive(Deserialize)]
struct Started {
    upload_url: String,
    authorization_token: String,
    upload_file_id: String,
}

#[derive(Serialize)]
struct Finish<'a> {
    upload_file_id: &'a str,
    sha1_list: Vec<&'a str>,
}

#[derive(Serialize)]
struct Cancel<'a> {
    upload_file_id: &'a str,
}

/// Uploads the file; returns its MD5.
pub(crate) fn upload(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<String> {
    let resuming = matches!(state.session, Some(Session::B2 { .. }));
    if ctx.size <= ctx.part_size && !resuming {
        let url = state.upload_url.clone().ok_or_else(|| {
            Error::InvalidArgument("iconik's file record has no upload_url for B2".into())
        })?;
        let mut buffer = vec![0u8; ctx.size as usize];
        Source::open(&ctx.upload.path, ctx.size)?.read_at(0, &mut buffer)?;
        let mut md5 = Md5Frontier::default();
        md5.feed(0, &buffer);
        let sha1 = hex(&Sha1::digest(&buffer));
        let data = Arc::new(buffer);
        // the same name uploaded again replaces the object: safe to resend
        let mut op = ctx
            .storage(Method::Post, "b2_upload_file", &url)
            .retry_safe();
        op.headers.push(("X-Bz-Content-Sha1".into(), sha1.clone()));
        let content_type = (!op
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type")))
        .then_some("b2/x-auto");
        op.payload = Some(bytes(data.clone(), data.len(), content_type));
        let ex = ctx.send(&op, &[200])?;
        check_stored(&ex, &sha1, ctx.size, "the file")?;
        ctx.parts.fetch_add(1, Ordering::Relaxed);
        ctx.reporter.add(ctx.size);
        return Ok(md5.finish());
    }
    ctx.files_only("a B2 upload larger than the part size")?;

    let (upload_url, token, file_id) = match &state.session {
        Some(Session::B2 {
            upload_url,
            authorization_token,
            upload_file_id,
        }) => (
            upload_url.clone(),
            authorization_token.clone(),
            upload_file_id.clone(),
        ),
        _ => {
            let started = ctx
                .api(
                    Method::Post,
                    "post_asset_file_multipart_b2_start",
                    "/v1/assets/{asset_id}/files/{file_id}/multipart/b2/start/",
                )
                .send::<Started>()?
                .into_data();
            state.session = Some(Session::B2 {
                upload_url: started.upload_url.clone(),
                authorization_token: started.authorization_token.clone(),
                upload_file_id: started.upload_file_id.clone(),
            });
            state.parts.clear();
            (
                started.upload_url,
                started.authorization_token,
                started.upload_file_id,
            )
        }
    };

    let count = parts::count(ctx.size, ctx.part_size);
    let send = |job: &PartJob| -> Result<String> {
        let sha1 = hex(&Sha1::digest(job.bytes()));
        // a part number sent again replaces the part: safe to resend
        let mut op = crate::operation::Operation::storage(
            Method::Post,
            "b2_upload_part",
            upload_url.as_str(),
        )
        .retry_safe();
        op.headers = vec![
            ("Authorization".into(), token.clone()),
            ("X-Bz-Part-Number".into(), job.number.to_string()),
            ("X-Bz-Content-Sha1".into(), sha1.clone()),
        ];
        op.payload = Some(bytes(job.data.clone(), job.len, None));
        let ex = ctx.send(&op, &[200])?;
        check_stored(&ex, &sha1, job.len as u64, &format!("part {}", job.number))?;
        ctx.parts.fetch_add(1, Ordering::Relaxed);
        Ok(sha1)
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
    let sha1_list = state.parts.values().map(|p| p.tag.as_str()).collect();
    ctx.api(
        Method::Post,
        "post_asset_file_multipart_b2_finish",
        "/v1/assets/{asset_id}/files/{file_id}/multipart/b2/finish/",
    )
    .json(&Finish {
        upload_file_id: &file_id,
        sha1_list,
    })
    .send::<serde_json::Value>()?;
    Ok(md5)
}

/// What B2 answers for a stored file or part.
#[derive(Deserialize)]
struct Stored {
    #[serde(rename = "contentSha1")]
    content_sha1: Option<String>,
    #[serde(rename = "contentLength")]
    content_length: Option<u64>,
}

/// B2 checks the SHA-1 sent with the bytes itself; what it answers it
/// stored (`contentSha1`, `contentLength`), when it says, must be what
/// was sent.
fn check_stored(ex: &crate::transport::Exchange, sha1: &str, len: u64, what: &str) -> Result<()> {
    let Ok(stored) = serde_json::from_slice::<Stored>(&ex.body) else {
        return Ok(());
    };
    if let Some(got) = stored.content_sha1.filter(|got| {
        // "unverified:<sha1>" is B2's form for a SHA-1 given at the end
        let got = got.strip_prefix("unverified:").unwrap_or(got);
        got != "none" && !got.eq_ignore_ascii_case(sha1)
    }) {
        return Err(integrity(format!(
            "B2 stored {what} with SHA-1 {got}, but {sha1} was sent"
        )));
    }
    if let Some(got) = stored.content_length.filter(|&got| got != len) {
        return Err(integrity(format!(
            "B2 stored {what} of {got} bytes, but {len} were sent"
        )));
    }
    Ok(())
}

/// Cancels the large file in `state`, if one was started.
pub(crate) fn cancel(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<()> {
    let Some(Session::B2 { upload_file_id, .. }) = state.session.clone() else {
        return Ok(());
    };
    ctx.api(
        Method::Post,
        "post_asset_file_multipart_b2_cancel",
        "/v1/assets/{asset_id}/files/{file_id}/multipart/b2/cancel/",
    )
    .json(&Cancel {
        upload_file_id: &upload_file_id,
    })
    .send::<serde_json::Value>()?;
    state.session = None;
    state.parts.clear();
    Ok(())
}
