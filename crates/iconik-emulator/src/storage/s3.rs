//! S3: presigned single `PUT`, and multipart uploads (initiate with
//! `POST ?uploads`, `PUT ?partNumber=&uploadId=`, complete with
//! `POST ?uploadId=` and the part list, abort with `DELETE`, list parts with
//! `GET`). Parts under 5 MiB other than the last fail the completion with
//! `EntityTooSmall`, as on S3.

use super::{md5_hex, urls, xml, xml_all, xml_error, Completed, FakeStorage};
use crate::server::{Request, Response, Shared};
use crate::util::Query;
use md5::{Digest, Md5};
use std::collections::BTreeMap;

/// Smallest part other than the last.
pub(crate) const MIN_PART: usize = 5 * 1024 * 1024;
/// Most parts of one upload.
const MAX_PARTS: u32 = 10_000;

pub(crate) struct Multipart {
    key: String,
    parts: BTreeMap<u32, Vec<u8>>,
    headers: Vec<(String, String)>,
    requests: usize,
}

type Out = (Response, Option<Completed>);

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", md5_hex(bytes))
}

fn signed(key: &str, q: &Query) -> bool {
    q.get("X-Amz-Signature") == Some(urls::signature(key).as_str())
}

fn denied() -> Out {
    (
        xml_error(403, "AccessDenied", "Missing or invalid X-Amz-Signature"),
        None,
    )
}

pub(crate) fn handle(
    st: &mut FakeStorage,
    sh: &Shared,
    req: &Request,
    key: &str,
    q: &Query,
) -> Out {
    match req.method.as_str() {
        "POST" if q.has("uploads") => initiate(st, key),
        "PUT" if q.has("uploadId") || q.has("partNumber") => {
            if !signed(key, q) {
                return denied();
            }
            put_part(st, req, key, q)
        }
        "PUT" => {
            if !signed(key, q) {
                return denied();
            }
            let tag = etag(&req.body);
            let done = Completed {
                key: key.to_string(),
                bytes: req.body.clone(),
                parts: 1,
                headers: req.header_pairs(),
            };
            (Response::empty(200).header("ETag", tag), Some(done))
        }
        "POST" if q.has("uploadId") => {
            if !signed(key, q) {
                return denied();
            }
            complete(st, sh, req, key, q)
        }
        "DELETE" if q.has("uploadId") => {
            if !signed(key, q) {
                return denied();
            }
            match st.s3.get(q.get("uploadId").unwrap_or("")) {
                Some(mp) if mp.key == key => {
                    st.s3.remove(q.get("uploadId").unwrap_or(""));
                    (Response::empty(204), None)
                }
                _ => no_such_upload(),
            }
        }
        "GET" => {
            if !signed(key, q) {
                return denied();
            }
            list_parts(st, sh, key, q)
        }
        _ => (
            xml_error(405, "MethodNotAllowed", "The method is not allowed"),
            None,
        ),
    }
}

fn no_such_upload() -> Out {
    (
        xml_error(404, "NoSuchUpload", "The specified upload does not exist."),
        None,
    )
}

fn initiate(st: &mut FakeStorage, key: &str) -> Out {
    let id = st.new_id();
    st.s3.insert(
        id.clone(),
        Multipart {
            key: key.to_string(),
            parts: BTreeMap::new(),
            headers: Vec::new(),
            requests: 0,
        },
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>iconik-emulator</Bucket><Key>{key}</Key><UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
    );
    (xml(200, body), None)
}

fn put_part(st: &mut FakeStorage, req: &Request, key: &str, q: &Query) -> Out {
    let n = match q.get("partNumber").and_then(|v| v.parse::<u32>().ok()) {
        Some(n) if (1..=MAX_PARTS).contains(&n) => n,
        _ => {
            return (
                xml_error(
                    400,
                    "InvalidArgument",
                    "Part number must be an integer between 1 and 10000, inclusive",
                ),
                None,
            )
        }
    };
    let Some(mp) = st.s3.get_mut(q.get("uploadId").unwrap_or("")) else {
        return no_such_upload();
    };
    if mp.key != key {
        return no_such_upload();
    }
    let tag = etag(&req.body);
    // A part number put again replaces the earlier part.
    mp.parts.insert(n, req.body.clone());
    mp.headers.extend(req.header_pairs());
    mp.requests += 1;
    (Response::empty(200).header("ETag", tag), None)
}

/// The part list of a `CompleteMultipartUpload` body: (number, etag).
fn listed_parts(body: &str) -> Option<Vec<(u32, String)>> {
    let mut out = Vec::new();
    for part in xml_all(body, "Part") {
        let n = xml_all(part, "PartNumber").first()?.trim().parse().ok()?;
        let tag = xml_all(part, "ETag")
            .first()?
            .trim()
            .replace("&quot;", "\"");
        out.push((n, tag.trim_matches('"').to_string()));
    }
    Some(out)
}

fn complete(st: &mut FakeStorage, sh: &Shared, req: &Request, key: &str, q: &Query) -> Out {
    let upload_id = q.get("uploadId").unwrap_or("").to_string();
    match st.s3.get(&upload_id) {
        Some(mp) if mp.key == key => {}
        _ => return no_such_upload(),
    }
    let text = String::from_utf8_lossy(&req.body);
    let listed = match listed_parts(&text) {
        Some(l) if !l.is_empty() => l,
        _ => {
            return (
                xml_error(
                    400,
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate",
                ),
                None,
            )
        }
    };
    let Some(mp) = st.s3.get(&upload_id) else {
        return no_such_upload();
    };
    let mut prev = 0;
    for (i, (n, tag)) in listed.iter().enumerate() {
        if *n <= prev {
            return (
                xml_error(
                    400,
                    "InvalidPartOrder",
                    "The list of parts was not in ascending order.",
                ),
                None,
            );
        }
        prev = *n;
        let Some(bytes) = mp.parts.get(n) else {
            return (
                xml_error(
                    400,
                    "InvalidPart",
                    "One or more of the specified parts could not be found.",
                ),
                None,
            );
        };
        if md5_hex(bytes) != *tag {
            return (
                xml_error(400, "InvalidPart", "The ETag of a part does not match."),
                None,
            );
        }
        if i + 1 < listed.len() && bytes.len() < MIN_PART {
            return (
                xml_error(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed object size.",
                ),
                None,
            );
        }
    }
    let Some(mp) = st.s3.remove(&upload_id) else {
        return no_such_upload();
    };
    let mut bytes = Vec::new();
    let mut digests = Md5::new();
    for (n, _) in &listed {
        if let Some(p) = mp.parts.get(n) {
            bytes.extend_from_slice(p);
            digests.update(Md5::digest(p));
        }
    }
    let tag = format!("\"{}-{}\"", super::hex(&digests.finalize()), listed.len());
    let mut headers = mp.headers;
    headers.extend(req.header_pairs());
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>{}</Location><Bucket>iconik-emulator</Bucket><Key>{key}</Key><ETag>{}</ETag></CompleteMultipartUploadResult>",
        urls::signed_url(&sh.base_url, key).replace('&', "&amp;"),
        tag
    );
    let done = Completed {
        key: key.to_string(),
        bytes,
        parts: mp.requests,
        headers,
    };
    (xml(200, body), Some(done))
}

fn list_parts(st: &FakeStorage, sh: &Shared, key: &str, q: &Query) -> Out {
    let upload_id = q.get("uploadId").unwrap_or("");
    let Some(mp) = st.s3.get(upload_id).filter(|m| m.key == key) else {
        return no_such_upload();
    };
    // as S3: at most `max-parts` (and the configured page) per answer,
    // after `part-number-marker`
    let page = sh.config.list_parts_per_page.max(1) as usize;
    let max = (q.get("max-parts"))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(page)
        .clamp(1, page);
    let marker: u32 = (q.get("part-number-marker"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let after: Vec<(&u32, &Vec<u8>)> = mp.parts.range(marker.saturating_add(1)..).collect();
    let truncated = after.len() > max;
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>iconik-emulator</Bucket><Key>{key}</Key><UploadId>{upload_id}</UploadId><PartNumberMarker>{marker}</PartNumberMarker><MaxParts>{max}</MaxParts><IsTruncated>{truncated}</IsTruncated>"
    );
    if truncated {
        let next = after[max - 1].0;
        body.push_str(&format!(
            "<NextPartNumberMarker>{next}</NextPartNumberMarker>"
        ));
    }
    for (n, p) in after.into_iter().take(max) {
        body.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>\"{}\"</ETag><Size>{}</Size></Part>",
            md5_hex(p),
            p.len()
        ));
    }
    body.push_str("</ListPartsResult>");
    (xml(200, body), None)
}
