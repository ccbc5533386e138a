//! The fake object storage under `/storage/{key}` (no auth): S3-style single
//! PUT and multipart uploads, GCS-style resumable uploads, and GET downloads.

use crate::server::{lock, Request, Response, Shared};
use crate::util::{new_id, percent_decode, percent_encode, Query};
use crate::Upload;
use md5::{Digest, Md5};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Hex MD5 of some bytes.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    let d = Md5::digest(bytes);
    let mut s = String::with_capacity(32);
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

struct Multipart {
    key: String,
    parts: BTreeMap<u32, Vec<u8>>,
    headers: Vec<(String, String)>,
    requests: usize,
}

struct Resumable {
    key: String,
    data: Vec<u8>,
    headers: Vec<(String, String)>,
    requests: usize,
}

/// Storage state.
pub(crate) struct FakeStorage {
    pub(crate) uploads: Vec<Upload>,
    objects: HashMap<String, Vec<u8>>,
    multipart: HashMap<String, Multipart>,
    resumable: HashMap<String, Resumable>,
    rng: fastrand::Rng,
}

impl FakeStorage {
    pub(crate) fn new(seed: u64, seed_data: bool) -> FakeStorage {
        let mut objects = HashMap::new();
        if seed_data {
            for (i, id) in crate::store::SAMPLE_FILE_IDS.iter().enumerate() {
                objects.insert(
                    format!("files/{id}"),
                    crate::store::SAMPLE_CONTENTS[i].to_vec(),
                );
            }
        }
        FakeStorage {
            uploads: Vec::new(),
            objects,
            multipart: HashMap::new(),
            resumable: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed ^ 0x5354_4f52_4147_4521),
        }
    }

    fn record(
        &mut self,
        key: String,
        bytes: Vec<u8>,
        parts: usize,
        headers: Vec<(String, String)>,
    ) {
        self.objects.insert(key.clone(), bytes.clone());
        self.uploads.push(Upload {
            key,
            bytes,
            parts,
            headers,
        });
    }
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", md5_hex(bytes))
}

/// Parsed `Content-Range: bytes a-b/total`.
enum ContentRange {
    Absent,
    Chunk { start: u64, total: Option<u64> },
    Query { total: Option<u64> },
    Bad,
}

fn parse_content_range(v: Option<&str>) -> ContentRange {
    let Some(v) = v else {
        return ContentRange::Absent;
    };
    let Some(rest) = v.trim().strip_prefix("bytes") else {
        return ContentRange::Bad;
    };
    let rest = rest.trim();
    let Some((range, total)) = rest.split_once('/') else {
        return ContentRange::Bad;
    };
    let total = match total.trim() {
        "*" => None,
        t => match t.parse() {
            Ok(n) => Some(n),
            Err(_) => return ContentRange::Bad,
        },
    };
    if range.trim() == "*" {
        return ContentRange::Query { total };
    }
    let Some((a, _b)) = range.split_once('-') else {
        return ContentRange::Bad;
    };
    match a.trim().parse() {
        Ok(start) => ContentRange::Chunk { start, total },
        Err(_) => ContentRange::Bad,
    }
}

/// Handles `/storage/...`.
pub(crate) fn handle(sh: &Shared, req: &Request, path: &str, q: &Query) -> Response {
    let key = percent_decode(path.trim_start_matches("/storage/"));
    if key.is_empty() {
        return Response::error(400, "Missing object key");
    }
    let mut st = lock(&sh.storage);
    let headers = req.headers.clone();
    match req.method.as_str() {
        "PUT" => {
            if let (Some(upload_id), Some(part)) = (q.get("uploadId"), q.get("partNumber")) {
                let Ok(n) = part.parse::<u32>() else {
                    return Response::error(400, "Invalid partNumber");
                };
                let Some(mp) = st.multipart.get_mut(upload_id) else {
                    return Response::error(404, "NoSuchUpload");
                };
                if mp.key != key {
                    return Response::error(400, "Key does not match upload");
                }
                let tag = etag(&req.body);
                mp.parts.insert(n, req.body.clone());
                mp.headers.extend(headers);
                mp.requests += 1;
                return Response::empty(200).header("ETag", tag);
            }
            if let Some(session) = q.get("upload_id") {
                return resumable_put(&mut st, session, &key, req, headers);
            }
            let tag = etag(&req.body);
            st.record(key, req.body.clone(), 1, headers);
            Response::empty(200).header("ETag", tag)
        }
        "POST" => {
            if q.has("uploads") {
                let id = new_id(&mut st.rng).replace('-', "");
                st.multipart.insert(
                    id.clone(),
                    Multipart {
                        key: key.clone(),
                        parts: BTreeMap::new(),
                        headers: Vec::new(),
                        requests: 0,
                    },
                );
                return Response::json(
                    200,
                    &json!({"Bucket": "iconik-emulator", "Key": key, "UploadId": id, "upload_id": id}),
                );
            }
            if let Some(upload_id) = q.get("uploadId") {
                let Some(mp) = st.multipart.remove(upload_id) else {
                    return Response::error(404, "NoSuchUpload");
                };
                let n = mp.parts.len();
                let mut bytes = Vec::new();
                for p in mp.parts.values() {
                    bytes.extend_from_slice(p);
                }
                let tag = format!("\"{}-{n}\"", md5_hex(&bytes));
                let mut hdrs = mp.headers;
                hdrs.extend(headers);
                st.record(mp.key, bytes, mp.requests, hdrs);
                return Response::json(
                    200,
                    &json!({"Bucket": "iconik-emulator", "Key": key, "ETag": tag}),
                )
                .header("ETag", tag);
            }
            if q.get("uploadType") == Some("resumable")
                || req
                    .header("x-goog-resumable")
                    .is_some_and(|v| v.eq_ignore_ascii_case("start"))
            {
                let id = new_id(&mut st.rng).replace('-', "");
                st.resumable.insert(
                    id.clone(),
                    Resumable {
                        key: key.clone(),
                        data: Vec::new(),
                        headers: Vec::new(),
                        requests: 0,
                    },
                );
                let location = format!(
                    "{}/storage/{}?uploadType=resumable&upload_id={id}",
                    sh.base_url,
                    key.split('/')
                        .map(percent_encode)
                        .collect::<Vec<_>>()
                        .join("/")
                );
                return Response::empty(200).header("Location", location);
            }
            let tag = etag(&req.body);
            st.record(key, req.body.clone(), 1, headers);
            Response::empty(200).header("ETag", tag)
        }
        "GET" => match st.objects.get(&key) {
            Some(b) => Response {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/octet-stream".into()),
                    ("ETag".into(), etag(b)),
                ],
                body: b.clone(),
                json: false,
            },
            None => Response::error(404, "NoSuchKey"),
        },
        "DELETE" => {
            if let Some(upload_id) = q.get("uploadId") {
                st.multipart.remove(upload_id);
            } else if let Some(session) = q.get("upload_id") {
                st.resumable.remove(session);
            } else {
                st.objects.remove(&key);
            }
            Response::empty(204)
        }
        _ => Response::error(405, "Method not allowed"),
    }
}

fn resumable_put(
    st: &mut FakeStorage,
    session: &str,
    key: &str,
    req: &Request,
    headers: Vec<(String, String)>,
) -> Response {
    let Some(r) = st.resumable.get_mut(session) else {
        return Response::error(404, "No such upload session");
    };
    if r.key != key {
        return Response::error(400, "Key does not match upload");
    }
    let total = match parse_content_range(req.header("content-range")) {
        ContentRange::Bad => return Response::error(400, "Invalid Content-Range"),
        ContentRange::Absent => {
            r.data.extend_from_slice(&req.body);
            r.requests += 1;
            r.headers.extend(headers);
            Some(r.data.len() as u64)
        }
        ContentRange::Query { total } => total,
        ContentRange::Chunk { start, total } => {
            let start = usize::try_from(start).unwrap_or(usize::MAX);
            if start > r.data.len() {
                return Response::error(400, "Content-Range starts past the received bytes");
            }
            r.data.truncate(start);
            r.data.extend_from_slice(&req.body);
            r.requests += 1;
            r.headers.extend(headers);
            total
        }
    };
    let received = r.data.len();
    if total == Some(received as u64) {
        if let Some(r) = st.resumable.remove(session) {
            let size = r.data.len();
            let md5 = md5_hex(&r.data);
            st.record(r.key.clone(), r.data, r.requests, r.headers);
            return Response::json(
                200,
                &json!({"name": r.key, "size": size.to_string(), "md5Hash": md5}),
            );
        }
    }
    let mut resp = Response::empty(308);
    if received > 0 {
        resp = resp.header("Range", format!("bytes=0-{}", received - 1));
    }
    resp
}
