//! The fake storages: S3, GCS, Azure, B2 and downloads, on the state of
//! the fake iconik.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::json;

use super::{base64, id, md5_hex, sha1_hex, Reply, Request, State, SIG};

pub(super) fn storage_s3(st: &mut State, _base: &str, req: &Request, fid: &str) -> Reply {
    if req.q("X-Amz-Signature").as_deref() != Some(SIG) {
        return Reply::status(403);
    }
    let etag = |b: &[u8]| format!("\"{}\"", md5_hex(b));
    match (req.method.as_str(), req.q("uploadId")) {
        ("POST", None) if req.has_q("uploads") => {
            let uid = id(st, "s3upload");
            st.s3_uploads.insert(uid.clone(), BTreeMap::new());
            Reply::with(
                200,
                &[("Content-Type", "application/xml")],
                format!("<InitiateMultipartUploadResult><UploadId>{uid}</UploadId></InitiateMultipartUploadResult>"),
            )
        }
        ("PUT", None) => {
            st.objects.insert(fid.to_owned(), req.body.clone());
            Reply::with(200, &[("ETag", &etag(&req.body))], "")
        }
        ("PUT", Some(uid)) => {
            let n: u32 = req
                .q("partNumber")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let Some(parts) = st.s3_uploads.get_mut(&uid) else {
                return Reply::status(404);
            };
            parts.insert(n, req.body.clone());
            *st.part_puts.entry((uid, n)).or_insert(0) += 1;
            Reply::with(200, &[("ETag", &etag(&req.body))], "")
        }
        ("GET", Some(uid)) => {
            let Some(parts) = st.s3_uploads.get(&uid) else {
                return Reply::status(404);
            };
            // pages of at most `list_parts_page` parts, as S3 (1,000)
            let marker: u32 = req
                .q("part-number-marker")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let max: usize = req
                .q("max-parts")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000);
            let max = max.min(st.list_parts_page);
            let after: Vec<(&u32, &Vec<u8>)> = parts.range(marker + 1..).collect();
            let truncated = after.len() > max;
            let mut xml = String::from("<ListPartsResult>");
            if let (true, Some((last, _))) = (truncated, after.get(max - 1)) {
                xml.push_str(&format!(
                    "<IsTruncated>true</IsTruncated><NextPartNumberMarker>{last}</NextPartNumberMarker>"
                ));
            } else {
                xml.push_str("<IsTruncated>false</IsTruncated>");
            }
            for (n, b) in after.into_iter().take(max) {
                xml.push_str(&format!(
                    "<Part><PartNumber>{n}</PartNumber><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Part>",
                    md5_hex(b),
                    b.len()
                ));
            }
            xml.push_str("</ListPartsResult>");
            Reply::with(200, &[("Content-Type", "application/xml")], xml)
        }
        ("POST", Some(uid)) => {
            let Some(parts) = st.s3_uploads.get(&uid).cloned() else {
                return Reply::status(404);
            };
            let body = String::from_utf8_lossy(&req.body).to_string();
            let mut bytes = Vec::new();
            let listed: Vec<&str> = body.split("<Part>").skip(1).collect();
            let mut numbers = Vec::new();
            for (i, p) in listed.iter().enumerate() {
                let n: u32 = between(p, "<PartNumber>", "</PartNumber>")
                    .parse()
                    .unwrap_or(0);
                let tag = between(p, "<ETag>", "</ETag>").replace("&quot;", "\"");
                let Some(part) = parts.get(&n) else {
                    return Reply::with(400, &[], "<Error><Code>InvalidPart</Code></Error>");
                };
                if tag != etag(part) {
                    return Reply::with(400, &[], "<Error><Code>InvalidPart</Code></Error>");
                }
                if i + 1 < listed.len() && part.len() < 5 * 1024 * 1024 {
                    return Reply::with(400, &[], "<Error><Code>EntityTooSmall</Code></Error>");
                }
                numbers.push(n);
                bytes.extend_from_slice(part);
            }
            st.s3_uploads.remove(&uid);
            st.assembled_parts.insert(fid.to_owned(), numbers);
            st.objects.insert(fid.to_owned(), bytes);
            Reply::with(200, &[], "<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag></CompleteMultipartUploadResult>")
        }
        ("DELETE", Some(uid)) => {
            st.s3_uploads.remove(&uid);
            st.s3_aborted.push(uid);
            Reply::status(204)
        }
        _ => Reply::status(400),
    }
}

pub(super) fn storage_gcs(st: &mut State, base: &str, req: &Request) -> Reply {
    let seg: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    if seg[1] == "gcs" {
        if req.method != "POST"
            || req.header("x-goog-resumable") != Some("start")
            || req.q("X-Goog-Signature").as_deref() != Some(SIG)
        {
            return Reply::status(403);
        }
        let sid = id(st, "gcssession");
        st.gcs.insert(sid.clone(), (seg[2].to_owned(), Vec::new()));
        let location = format!("{base}/storage/gcs-session/{sid}?upload_id={sid}");
        return Reply::with(201, &[("Location", &location)], "");
    }
    let sid = seg.get(2).copied().unwrap_or("").to_owned();
    if req.method == "DELETE" {
        st.gcs.remove(&sid);
        st.gcs_cancelled.push(sid);
        return Reply::status(499);
    }
    let Some((fid, kept)) = st.gcs.get_mut(&sid) else {
        return Reply::status(404);
    };
    let range = req.header("content-range").unwrap_or("").to_owned();
    let Some(rest) = range.strip_prefix("bytes ") else {
        return Reply::status(400);
    };
    let (span, total) = rest.split_once('/').unwrap_or(("", "*"));
    let range_header = |n: usize| -> Vec<(String, String)> {
        if n == 0 {
            Vec::new()
        } else {
            vec![("Range".into(), format!("bytes=0-{}", n - 1))]
        }
    };
    if span != "*" {
        let (a, b) = span.split_once('-').unwrap_or(("0", "0"));
        let (a, b): (usize, usize) = (a.parse().unwrap_or(0), b.parse().unwrap_or(0));
        if b + 1 - a != req.body.len() || a > kept.len() {
            return Reply::status(400);
        }
        if total == "*" && req.body.len() % (256 * 1024) != 0 {
            return Reply::status(400);
        }
        kept.truncate(a);
        kept.extend_from_slice(&req.body);
    }
    let total: Option<usize> = total.parse().ok();
    if total == Some(kept.len()) {
        let bytes = kept.clone();
        let fid = fid.clone();
        let md5 = Md5::digest(&bytes);
        let b64 = base64(&md5);
        st.objects.insert(fid.clone(), bytes.clone());
        return Reply::json(
            200,
            json!({"name": fid, "size": bytes.len().to_string(), "md5Hash": b64}),
        );
    }
    let n = kept.len();
    Reply::Http {
        status: 308,
        headers: range_header(n),
        body: Vec::new(),
    }
}

pub(super) fn storage_azure(st: &mut State, req: &Request, fid: &str) -> Reply {
    if req.q("sig").as_deref() != Some(SIG) || req.method != "PUT" {
        return Reply::status(403);
    }
    match req.q("comp").as_deref() {
        Some("block") => {
            let block = req.q("blockid").unwrap_or_default();
            st.azure_blocks
                .entry(fid.to_owned())
                .or_default()
                .insert(block.clone(), req.body.clone());
            *st.part_puts
                .entry((fid.to_owned(), block.len() as u32))
                .or_insert(0) += 1;
            // Azure answers the MD5 of what it stored
            Reply::with(
                201,
                &[("Content-MD5", &base64(&Md5::digest(&req.body)))],
                "",
            )
        }
        Some("blocklist") => {
            let body = String::from_utf8_lossy(&req.body).to_string();
            if !body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>") {
                return Reply::status(400);
            }
            let blocks = st.azure_blocks.remove(fid).unwrap_or_default();
            let mut bytes = Vec::new();
            let mut count = Vec::new();
            for (i, item) in body.split("<Latest>").skip(1).enumerate() {
                let id = item.split("</Latest>").next().unwrap_or("");
                let Some(b) = blocks.get(id) else {
                    return Reply::status(400);
                };
                count.push(i as u32 + 1);
                bytes.extend_from_slice(b);
            }
            st.assembled_parts.insert(fid.to_owned(), count);
            st.objects.insert(fid.to_owned(), bytes);
            Reply::status(201)
        }
        None if req.header("x-ms-blob-type") == Some("BlockBlob") => {
            st.objects.insert(fid.to_owned(), req.body.clone());
            Reply::with(
                201,
                &[("Content-MD5", &base64(&Md5::digest(&req.body)))],
                "",
            )
        }
        _ => Reply::status(400),
    }
}

pub(super) fn storage_b2(st: &mut State, req: &Request, seg: &[&str]) -> Reply {
    if req.q("sig").as_deref() != Some(SIG) || req.method != "POST" {
        return Reply::status(403);
    }
    let sha1 = req.header("x-bz-content-sha1").unwrap_or("");
    if sha1 != sha1_hex(&req.body) {
        return Reply::json(
            400,
            json!({"code": "bad_request", "message": "sha1 mismatch"}),
        );
    }
    match seg.get(2).copied() {
        Some("upload") => {
            if req.header("authorization") != Some("B2-UPLOAD-TOKEN")
                || req.header("x-bz-file-name").is_none()
            {
                return Reply::status(401);
            }
            st.objects.insert(seg[3].to_owned(), req.body.clone());
            Reply::json(200, json!({"fileId": "b2-file"}))
        }
        Some("part") => {
            if req.header("authorization") != Some("B2-PART-TOKEN") {
                return Reply::status(401);
            }
            let uid = seg[3].to_owned();
            let n: u32 = req
                .header("x-bz-part-number")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let Some((_, parts)) = st.b2.get_mut(&uid) else {
                return Reply::status(404);
            };
            parts.insert(n, req.body.clone());
            *st.part_puts.entry((uid, n)).or_insert(0) += 1;
            Reply::json(200, json!({"partNumber": n}))
        }
        _ => Reply::status(404),
    }
}

pub(super) fn download(st: &mut State, req: &Request, fid: &str) -> Reply {
    if req.q("X-Amz-Signature").as_deref() != Some(SIG) {
        return Reply::status(403);
    }
    let Some(bytes) = st.objects.get(fid).cloned() else {
        return Reply::status(404);
    };
    if let Some(range) = req.header("range") {
        let from: usize = range
            .trim_start_matches("bytes=")
            .trim_end_matches('-')
            .parse()
            .unwrap_or(0);
        if from >= bytes.len() {
            return Reply::status(416);
        }
        let cr = format!("bytes {from}-{}/{}", bytes.len() - 1, bytes.len());
        return Reply::with(206, &[("Content-Range", &cr)], bytes[from..].to_vec());
    }
    Reply::with(200, &[], bytes)
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split(open)
        .nth(1)
        .and_then(|t| t.split(close).next())
        .unwrap_or("")
}
