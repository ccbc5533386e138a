//! S3: one PUT up to the part size; above it, a multipart upload through
//! iconik's multipart URL endpoints.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::operation::Method;

use super::http::{bytes, Ctx};
use super::parts::{self, PartJob};
use super::state::{PartRecord, Session, UploadState};
use super::stream::{integrity, Md5Frontier, Source};

/// S3's limit on parts per upload.
pub(crate) const MAX_PARTS: u64 = 10_000;

#[derive(Deserialize)]
struct PartUrls {
    #[serde(default)]
    objects: Vec<PartUrl>,
}

#[derive(Deserialize)]
struct PartUrl {
    number: u32,
    url: String,
}

#[derive(Deserialize)]
struct MultipartUrls {
    complete_url: Option<String>,
    abort_url: Option<String>,
    #[serde(default)]
    list_parts_url: Vec<String>,
}

/// Uploads the file; returns its MD5.
pub(crate) fn upload(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<String> {
    let resuming = matches!(state.session, Some(Session::S3 { .. }));
    if ctx.size <= ctx.part_size && !resuming {
        return single(ctx, state);
    }
    if ctx.object == super::http::Object::Keyframe {
        return Err(Error::invalid(format!(
            "a keyframe goes in one request: {} bytes is over the part size of {}",
            ctx.size, ctx.part_size
        )));
    }
    let upload_id = match &state.session {
        Some(Session::S3 { upload_id }) => {
            let upload_id = upload_id.clone();
            state.parts = listed_parts(ctx, &upload_id)?;
            upload_id
        }
        _ => {
            let url = state
                .multipart_upload_url
                .clone()
                .ok_or_else(|| missing("multipart_upload_url"))?;
            let op = ctx
                .storage(Method::Post, "s3_create_multipart_upload", &url)
                .retry_safe();
            let ex = ctx.send(&op, &[200])?;
            let upload_id = xml_value(&ex.body, "UploadId").ok_or_else(|| {
                integrity("S3 answered the multipart start without an UploadId".into())
            })?;
            state.session = Some(Session::S3 {
                upload_id: upload_id.clone(),
            });
            state.parts.clear();
            upload_id
        }
    };

    let count = parts::count(ctx.size, ctx.part_size);
    let urls: PartUrls = ctx
        .api(
            Method::Get,
            "get_asset_file_multipart_url_part",
            "/v1/assets/{asset_id}/files/{file_id}/multipart_url/part/",
        )
        .query("upload_id", &upload_id)
        .query("parts_num", count)
        .send::<PartUrls>()?
        .into_data();
    let mut by_number = vec![None; count as usize];
    for part in urls.objects {
        if let Some(slot) = part
            .number
            .checked_sub(1)
            .and_then(|i| by_number.get_mut(i as usize))
        {
            *slot = Some(part.url);
        }
    }
    if let Some(n) = by_number.iter().position(Option::is_none) {
        return Err(integrity(format!(
            "iconik handed out no URL for part {} of {count}",
            n + 1
        )));
    }
    let by_number: Vec<String> = by_number.into_iter().flatten().collect();

    let send = |job: &PartJob| -> Result<String> {
        let url = &by_number[job.number as usize - 1];
        let mut op = ctx.storage(Method::Put, "s3_upload_part", url);
        op.payload = Some(bytes(job.data.clone(), job.len, None));
        let ex = ctx.send(&op, &[200])?;
        ctx.parts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // the part's ETag is not compared with its MD5 here: that would
        // hash every byte a second time; the whole file's MD5 goes to
        // iconik at close (and a single PUT's ETag is checked)
        ex.headers
            .get("etag")
            .map(str::to_owned)
            .ok_or_else(|| integrity(format!("S3 stored part {} without an ETag", job.number)))
    };
    let already = state.parts.len() as u32;
    let outcome = parts::run(ctx, count, &state.parts, &send);
    state.parts.extend(outcome.stored);
    if let Some(e) = outcome.error {
        return Err(e);
    }
    ctx.parts
        .fetch_add(already, std::sync::atomic::Ordering::Relaxed);
    let md5 = outcome
        .md5
        .ok_or_else(|| integrity("the file was not read to its end".into()))?;

    let urls = multipart_urls(ctx, &upload_id)?;
    let complete = urls.complete_url.ok_or_else(|| missing("complete_url"))?;
    let mut body = String::from("<CompleteMultipartUpload>");
    for (number, part) in &state.parts {
        body.push_str(&format!(
            "<Part><PartNumber>{number}</PartNumber><ETag>{}</ETag></Part>",
            xml_escape(&part.tag)
        ));
    }
    body.push_str("</CompleteMultipartUpload>");
    let mut op = ctx.storage(Method::Post, "s3_complete_multipart_upload", &complete);
    let len = body.len();
    op.payload = Some(bytes(
        std::sync::Arc::new(body.into_bytes()),
        len,
        Some("application/xml"),
    ));
    let ex = ctx.send(&op, &[200])?;
    // S3 may answer 200 and still report a failure in the body
    if xml_value(&ex.body, "Code").is_some()
        && !ex
            .body
            .windows(29)
            .any(|w| w == b"<CompleteMultipartUploadResult")
    {
        let code = xml_value(&ex.body, "Code").unwrap_or_default();
        return Err(integrity(format!(
            "S3 refused to complete the upload: {code}"
        )));
    }
    Ok(md5)
}

/// One PUT of the whole file (at most one part size, so one buffer).
fn single(ctx: &Ctx<'_>, state: &UploadState) -> Result<String> {
    let url = state
        .upload_url
        .clone()
        .ok_or_else(|| missing("upload_url"))?;
    let mut buffer = vec![0u8; ctx.size as usize];
    Source::open(&ctx.upload.path)?.read_at(0, &mut buffer)?;
    let mut md5 = Md5Frontier::default();
    md5.feed(0, &buffer);
    let md5 = md5.finish();
    let data = std::sync::Arc::new(buffer);
    let mut op = ctx.storage(Method::Put, "s3_put_object", &url);
    op.payload = Some(bytes(data.clone(), data.len(), None));
    let ex = ctx.send(&op, &[200, 201])?;
    ctx.parts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Some(etag) = ex.headers.get("etag") {
        check_etag(etag, &md5, 1)?;
    }
    ctx.reporter.add(ctx.size);
    Ok(md5)
}

/// Aborts the multipart upload in `state`, if one is open.
pub(crate) fn abort(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<()> {
    let Some(Session::S3 { upload_id }) = state.session.clone() else {
        return Ok(());
    };
    let urls = multipart_urls(ctx, &upload_id)?;
    let abort = urls.abort_url.ok_or_else(|| missing("abort_url"))?;
    let op = ctx.storage(Method::Delete, "s3_abort_multipart_upload", &abort);
    ctx.send(&op, &[200, 204, 404])?;
    state.session = None;
    state.parts.clear();
    Ok(())
}

fn multipart_urls(ctx: &Ctx<'_>, upload_id: &str) -> Result<MultipartUrls> {
    Ok(ctx
        .api(
            Method::Get,
            "get_asset_file_multipart_url",
            "/v1/assets/{asset_id}/files/{file_id}/multipart_url/",
        )
        .query("upload_id", upload_id)
        .send::<MultipartUrls>()?
        .into_data())
}

/// The parts S3 has for this upload (the truth when resuming).
fn listed_parts(
    ctx: &Ctx<'_>,
    upload_id: &str,
) -> Result<std::collections::BTreeMap<u32, PartRecord>> {
    let urls = multipart_urls(ctx, upload_id)?;
    let list = urls
        .list_parts_url
        .first()
        .ok_or_else(|| missing("list_parts_url"))?;
    let op = ctx.storage(Method::Get, "s3_list_parts", list);
    let ex = ctx.send(&op, &[200])?;
    let text = String::from_utf8_lossy(&ex.body);
    let mut parts = std::collections::BTreeMap::new();
    for chunk in text.split("<Part>").skip(1) {
        let chunk = chunk.split("</Part>").next().unwrap_or("");
        let number = xml_value(chunk.as_bytes(), "PartNumber").and_then(|v| v.parse().ok());
        let etag = xml_value(chunk.as_bytes(), "ETag");
        let size = xml_value(chunk.as_bytes(), "Size").and_then(|v| v.parse().ok());
        if let (Some(number), Some(tag), Some(size)) = (number, etag, size) {
            parts.insert(number, PartRecord { size, tag });
        }
    }
    Ok(parts)
}

/// An ETag that is a plain MD5 must be the MD5 of what was sent.
fn check_etag(etag: &str, md5: &str, part: u32) -> Result<()> {
    let bare = etag.trim().trim_matches('"');
    if crate::checksum::is_md5(bare) && !bare.eq_ignore_ascii_case(md5) {
        return Err(integrity(format!(
            "S3 stored part {part} with MD5 {bare}, but {md5} was sent"
        )));
    }
    Ok(())
}

/// The text of the first `<tag>` element, entities decoded.
pub(crate) fn xml_value(body: &[u8], tag: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(
        text[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn missing(field: &str) -> Error {
    Error::InvalidArgument(format!(
        "iconik's file record has no {field} for this S3 upload"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_xml_values_and_checks_etags() {
        let body = b"<R><UploadId>abc&amp;1</UploadId></R>";
        assert_eq!(xml_value(body, "UploadId").as_deref(), Some("abc&1"));
        assert_eq!(xml_value(body, "Nope"), None);
        let md5 = super::super::stream::md5_hex(b"x");
        assert!(check_etag(&format!("\"{md5}\""), &md5, 1).is_ok());
        assert!(check_etag("\"0123456789abcdef0123456789abcdef\"", &md5, 1).is_err());
        // multipart-style ETags are not MD5s: not checked
        assert!(check_etag("\"abc-2\"", &md5, 1).is_ok());
    }
}
