//! S3: one PUT up to the part size; above it, a multipart upload through
//! iconik's multipart URL endpoints.

use md5::{Digest, Md5};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::operation::Method;

use super::http::{bytes, Ctx};
use super::parts::{self, PartJob};
use super::state::{PartRecord, Session, UploadState};
use super::stream::{base64, hex, integrity, Source};

/// S3's limit on parts per upload.
pub(crate) const MAX_PARTS: u64 = 10_000;
/// Part URLs asked for per page of `…/multipart_url/part/`.
const PART_URLS_PER_PAGE: u32 = 500;

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
            state.parts = listed_parts(ctx, &upload_id, parts::count(ctx.size, ctx.part_size))?;
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
    let by_number = part_urls(ctx, &upload_id, count)?;

    let send = |job: &PartJob| -> Result<String> {
        let url = &by_number[job.number as usize - 1];
        // the part's MD5, from the buffer in memory: sent for S3 to verify
        // (where the signature allows it) and compared with its ETag
        let md5 = Md5::digest(job.bytes());
        let mut op = ctx.storage(Method::Put, "s3_upload_part", url);
        add_content_md5(&mut op, url, &md5);
        op.payload = Some(bytes(job.data.clone(), job.len, None));
        let ex = ctx.send(&op, &[200])?;
        ctx.parts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let etag =
            ex.headers.get("etag").map(str::to_owned).ok_or_else(|| {
                integrity(format!("S3 stored part {} without an ETag", job.number))
            })?;
        check_etag(&ex, &etag, &hex(&md5), job.number)?;
        Ok(etag)
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

    let urls = multipart_urls(ctx, &upload_id, "complete_url", None)?;
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

/// One PUT of the whole file (at most one part size, so one buffer). S3
/// answers with the object's ETag, its MD5 unless the object is encrypted
/// with a KMS or customer key: it must be there, and match.
fn single(ctx: &Ctx<'_>, state: &UploadState) -> Result<String> {
    let url = state
        .upload_url
        .clone()
        .ok_or_else(|| missing("upload_url"))?;
    let mut buffer = vec![0u8; ctx.size as usize];
    Source::open(&ctx.upload.path, ctx.size)?.read_at(0, &mut buffer)?;
    let digest = Md5::digest(&buffer);
    let md5 = hex(&digest);
    let data = std::sync::Arc::new(buffer);
    let mut op = ctx.storage(Method::Put, "s3_put_object", &url);
    add_content_md5(&mut op, &url, &digest);
    op.payload = Some(bytes(data.clone(), data.len(), None));
    let ex = ctx.send(&op, &[200, 201])?;
    ctx.parts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let etag = ex
        .headers
        .get("etag")
        .ok_or_else(|| integrity("S3 stored the object without an ETag".into()))?;
    check_etag(&ex, etag, &md5, 1)?;
    ctx.reporter.add(ctx.size);
    Ok(md5)
}

/// Adds `Content-MD5` (S3 then refuses bytes that arrive otherwise) when
/// the URL's signature leaves it free: a SigV4 presigned URL signs only
/// the headers it names, while SigV2 signs `Content-MD5` itself, so there
/// it would break the signature. Never twice (iconik's upload headers may
/// carry one).
fn add_content_md5(op: &mut crate::operation::Operation, url: &str, md5: &[u8]) {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let sigv4 = query
        .split('&')
        .any(|kv| kv.starts_with("X-Amz-Signature=") || kv.starts_with("X-Amz-Algorithm="));
    let present = op
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-md5"));
    if sigv4 && !present {
        op.headers.push(("Content-MD5".into(), base64(md5)));
    }
}

/// Aborts the multipart upload in `state`, if one is open.
pub(crate) fn abort(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<()> {
    let Some(Session::S3 { upload_id }) = state.session.clone() else {
        return Ok(());
    };
    let urls = multipart_urls(ctx, &upload_id, "abort_url", None)?;
    let abort = urls.abort_url.ok_or_else(|| missing("abort_url"))?;
    let op = ctx.storage(Method::Delete, "s3_abort_multipart_upload", &abort);
    ctx.send(&op, &[200, 204, 404])?;
    state.session = None;
    state.parts.clear();
    Ok(())
}

/// iconik's multipart URLs for `upload_id`, of the `type` wanted
/// (`complete_url`, `abort_url`, `list_parts_url`, as the spec declares).
fn multipart_urls(
    ctx: &Ctx<'_>,
    upload_id: &str,
    kind: &str,
    max_part_number: Option<u32>,
) -> Result<MultipartUrls> {
    let mut request = ctx
        .api(
            Method::Get,
            "get_asset_file_multipart_url",
            "/v1/assets/{asset_id}/files/{file_id}/multipart_url/",
        )
        .query("upload_id", upload_id)
        .query("type", kind);
    if let Some(n) = max_part_number {
        request = request.query("max_part_number", n);
    }
    Ok(request.send::<MultipartUrls>()?.into_data())
}

/// The URL of every part `1..=count`, read page by page (`per_page`,
/// `page`, as the spec declares) until each part has one. A page that
/// brings no new part ends the listing, so at most `count + 1` pages are
/// asked for.
fn part_urls(ctx: &Ctx<'_>, upload_id: &str, count: u32) -> Result<Vec<String>> {
    let per_page = count.clamp(1, PART_URLS_PER_PAGE);
    let mut by_number: Vec<Option<String>> = vec![None; count as usize];
    let mut missing = count as usize;
    for page in 1..=count.saturating_add(1) {
        let urls = ctx
            .api(
                Method::Get,
                "get_asset_file_multipart_url_part",
                "/v1/assets/{asset_id}/files/{file_id}/multipart_url/part/",
            )
            .query("upload_id", upload_id)
            .query("parts_num", count)
            .query("per_page", per_page)
            .query("page", page)
            .send::<PartUrls>()?
            .into_data();
        let mut new = 0;
        for part in urls.objects {
            let slot = (part.number.checked_sub(1)).and_then(|i| by_number.get_mut(i as usize));
            if let Some(slot @ None) = slot {
                *slot = Some(part.url);
                new += 1;
            }
        }
        missing -= new;
        if missing == 0 || new == 0 {
            break;
        }
    }
    if let Some(n) = by_number.iter().position(Option::is_none) {
        return Err(integrity(format!(
            "iconik handed out no URL for part {} of {count}",
            n + 1
        )));
    }
    Ok(by_number.into_iter().flatten().collect())
}

/// The parts S3 has for this upload (the truth when resuming), read to
/// the end: S3 lists at most 1,000 parts per answer. The pages are the
/// `list_parts_url`s iconik hands out (asked for with `max_part_number`),
/// in order; when those run out while S3 says the list goes on, the last
/// one is continued with `part-number-marker` (where the URL's signature
/// allows it). Each page must move the marker forward. Parts not listed
/// are sent again, which is safe.
fn listed_parts(
    ctx: &Ctx<'_>,
    upload_id: &str,
    count: u32,
) -> Result<std::collections::BTreeMap<u32, PartRecord>> {
    let urls = multipart_urls(ctx, upload_id, "list_parts_url", Some(count))?;
    let mut given = urls.list_parts_url.into_iter();
    let first = given.next().ok_or_else(|| missing("list_parts_url"))?;
    let mut parts = std::collections::BTreeMap::new();
    let mut url = first.clone();
    let mut marker = 0u32;
    for page in 1..=count.saturating_add(1) {
        let op = ctx.storage(Method::Get, "s3_list_parts", &url);
        let ex = match ctx.send(&op, &[200]) {
            Ok(ex) => ex,
            Err(e) if page == 1 => return Err(e),
            Err(e) => {
                log::debug!(
                    "listing S3 parts stopped at page {page} ({e}): the rest is sent again"
                );
                break;
            }
        };
        let text = String::from_utf8_lossy(&ex.body);
        for chunk in text.split("<Part>").skip(1) {
            let chunk = chunk.split("</Part>").next().unwrap_or("");
            let number = xml_value(chunk.as_bytes(), "PartNumber").and_then(|v| v.parse().ok());
            let etag = xml_value(chunk.as_bytes(), "ETag");
            let size = xml_value(chunk.as_bytes(), "Size").and_then(|v| v.parse().ok());
            if let (Some(number), Some(tag), Some(size)) = (number, etag, size) {
                parts.insert(number, PartRecord { size, tag });
            }
        }
        let truncated = xml_value(&ex.body, "IsTruncated").is_some_and(|v| v.trim() == "true");
        let next = xml_value(&ex.body, "NextPartNumberMarker").and_then(|v| v.trim().parse().ok());
        match next {
            Some(next) if truncated && next > marker => marker = next,
            _ => break,
        }
        url = given.next().unwrap_or_else(|| with_marker(&first, marker));
    }
    Ok(parts)
}

/// `url` listing the parts after `marker`.
fn with_marker(url: &str, marker: u32) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}part-number-marker={marker}")
}

/// An ETag must be the MD5 of what was sent, except where S3 says it is
/// not an MD5: an object encrypted with a KMS or customer-provided key.
fn check_etag(ex: &crate::transport::Exchange, etag: &str, md5: &str, part: u32) -> Result<()> {
    let sse = ex.headers.get("x-amz-server-side-encryption").unwrap_or("");
    if sse.to_ascii_lowercase().starts_with("aws:kms")
        || ex
            .headers
            .get("x-amz-server-side-encryption-customer-algorithm")
            .is_some()
    {
        return Ok(());
    }
    let bare = etag.trim().trim_matches('"');
    if !bare.eq_ignore_ascii_case(md5) {
        return Err(integrity(format!(
            "S3 stored part {part} with ETag {bare}, but {md5} was sent"
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
        let ex = |headers: &[(&str, &str)]| crate::transport::Exchange {
            status: 200,
            headers: crate::Headers::from_pairs(headers.iter().copied()),
            body: Vec::new(),
            received_at: std::time::SystemTime::UNIX_EPOCH,
        };
        let plain = ex(&[]);
        assert!(check_etag(&plain, &format!("\"{md5}\""), &md5, 1).is_ok());
        assert!(check_etag(&plain, "\"0123456789abcdef0123456789abcdef\"", &md5, 1).is_err());
        assert!(check_etag(&plain, "\"abc-2\"", &md5, 1).is_err());
        // a KMS- or customer-key-encrypted object's ETag is not its MD5
        let kms = ex(&[("x-amz-server-side-encryption", "aws:kms")]);
        assert!(check_etag(&kms, "\"0123456789abcdef0123456789abcdef\"", &md5, 1).is_ok());
        let ssec = ex(&[("x-amz-server-side-encryption-customer-algorithm", "AES256")]);
        assert!(check_etag(&ssec, "\"0123\"", &md5, 1).is_ok());
    }

    #[test]
    fn content_md5_only_where_the_signature_leaves_it_free() {
        let with = |url: &str| {
            let mut op = crate::operation::Operation::storage(Method::Put, "p", url);
            add_content_md5(&mut op, url, b"0123456789abcdef");
            op.headers.iter().any(|(k, _)| k == "Content-MD5")
        };
        assert!(with(
            "https://b.s3/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s"
        ));
        assert!(!with(
            "https://b.s3/k?AWSAccessKeyId=a&Signature=s&Expires=1"
        ));
        assert!(!with("https://b.s3/k"));
        assert_eq!(
            with_marker("https://b/k?uploadId=u", 1000),
            "https://b/k?uploadId=u&part-number-marker=1000"
        );
    }
}
