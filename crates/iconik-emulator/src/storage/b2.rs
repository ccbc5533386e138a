//! Backblaze B2: small files (`POST upload_url` with the upload token in
//! `Authorization`, `X-Bz-File-Name` and `X-Bz-Content-Sha1`) and large
//! files through iconik's `multipart/b2/{start,finish,cancel}/` operations,
//! with parts posted to the part URL (`X-Bz-Part-Number`, SHA-1 per part,
//! parts of 5 MB or more except the last).

use super::{hex, md5_hex, urls, Completed, FakeStorage};
use crate::server::{lock, Request, Response, Shared};
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

/// Smallest part other than the last (B2's 5 MB).
pub(crate) const MIN_PART: usize = 5_000_000;
/// Most parts of one large file.
const MAX_PARTS: u32 = 10_000;

pub(crate) struct Large {
    key: String,
    token: String,
    parts: BTreeMap<u32, Vec<u8>>,
    headers: Vec<(String, String)>,
    requests: usize,
}

type Out = (Response, Option<Completed>);

fn sha1_hex(b: &[u8]) -> String {
    hex(&Sha1::digest(b))
}

fn b2_error(status: u16, code: &str, msg: &str) -> Response {
    Response::json(
        status,
        &json!({"status": status, "code": code, "message": msg}),
    )
}

/// Checks `X-Bz-Content-Sha1` against the body.
fn sha1_ok(req: &Request) -> Result<String, Response> {
    let got = sha1_hex(&req.body);
    match req.header("x-bz-content-sha1").map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case(&got) || v == "do_not_verify" => Ok(got),
        Some(_) => Err(b2_error(
            400,
            "bad_request",
            "Checksum did not match data received",
        )),
        None => Err(b2_error(
            400,
            "bad_request",
            "Missing header: X-Bz-Content-Sha1",
        )),
    }
}

/// A small file: the whole content in one `POST`.
pub(crate) fn small(req: &Request, key: &str) -> Out {
    if req.method != "POST" {
        return (b2_error(405, "method_not_allowed", "Use POST"), None);
    }
    if req.header("authorization") != Some(urls::b2_token(key).as_str()) {
        return (
            b2_error(401, "bad_auth_token", "Invalid authorization token"),
            None,
        );
    }
    let Some(name) = req.header("x-bz-file-name").map(str::to_string) else {
        return (
            b2_error(400, "bad_request", "Missing header: X-Bz-File-Name"),
            None,
        );
    };
    let sha1 = match sha1_ok(req) {
        Ok(s) => s,
        Err(r) => return (r, None),
    };
    let body = json!({
        "action": "upload",
        "fileId": key,
        "fileName": name,
        "contentLength": req.body.len(),
        "contentSha1": sha1,
        "contentMd5": md5_hex(&req.body),
        "contentType": req.header("content-type").unwrap_or("b2/x-auto"),
    });
    let done = Completed {
        key: key.to_string(),
        bytes: req.body.clone(),
        parts: 1,
        headers: req.header_pairs(),
    };
    (Response::json(200, &body), Some(done))
}

/// One part of a large file, posted to `/storage/b2-parts/{upload_file_id}`.
pub(crate) fn part(st: &mut FakeStorage, req: &Request, upload_file_id: &str) -> Out {
    if req.method != "POST" {
        return (b2_error(405, "method_not_allowed", "Use POST"), None);
    }
    let Some(large) = st.b2.get_mut(upload_file_id) else {
        return (b2_error(400, "bad_request", "No such large file"), None);
    };
    if req.header("authorization") != Some(large.token.as_str()) {
        return (
            b2_error(401, "bad_auth_token", "Invalid authorization token"),
            None,
        );
    }
    let n = match req
        .header("x-bz-part-number")
        .and_then(|v| v.trim().parse::<u32>().ok())
    {
        Some(n) if (1..=MAX_PARTS).contains(&n) => n,
        _ => {
            return (
                b2_error(400, "bad_request", "X-Bz-Part-Number must be 1..=10000"),
                None,
            )
        }
    };
    let sha1 = match sha1_ok(req) {
        Ok(s) => s,
        Err(r) => return (r, None),
    };
    large.parts.insert(n, req.body.clone());
    large.headers.extend(req.header_pairs());
    large.requests += 1;
    let body = json!({
        "fileId": upload_file_id,
        "partNumber": n,
        "contentLength": req.body.len(),
        "contentSha1": sha1,
    });
    (Response::json(200, &body), None)
}

/// Which of iconik's large-file operations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Step {
    Start,
    Finish,
    Cancel,
}

/// `POST /API/files/v1/assets/{a}/files/{f}/multipart/b2/{start,finish,cancel}/`.
/// The file record is read under the store lock, the session changed under
/// the storage lock, never both at once.
pub(crate) fn api(sh: &Shared, step: Step, asset_id: &str, file_id: &str, body: &[u8]) -> Response {
    let key = match lock(&sh.store).storage_key(asset_id, file_id) {
        Ok(k) => k,
        Err(resp) => return resp,
    };
    if !key.starts_with("b2/") {
        return Response::json(
            400,
            &json!({"errors": ["The file's storage is not a B2 storage"]}),
        );
    }
    let body: Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
    let ufid = body
        .get("upload_file_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (resp, done) = {
        let mut st = lock(&sh.storage);
        match step {
            Step::Start => {
                let ufid = format!("4_z{}", st.new_id());
                let token = urls::b2_token(&format!("{key}#{ufid}"));
                st.b2.insert(
                    ufid.clone(),
                    Large {
                        key: key.clone(),
                        token: token.clone(),
                        parts: BTreeMap::new(),
                        headers: Vec::new(),
                        requests: 0,
                    },
                );
                let out = json!({
                    "upload_url": urls::b2_part_url(&sh.base_url, &ufid),
                    "authorization_token": token,
                    "upload_file_id": ufid,
                    "status": "started",
                });
                (Response::json(200, &out), None)
            }
            Step::Cancel => match st.b2.get(&ufid) {
                Some(l) if l.key == key => {
                    st.b2.remove(&ufid);
                    (Response::json(200, &json!({"upload_file_id": ufid})), None)
                }
                _ => (not_found(), None),
            },
            Step::Finish => finish(&mut st, &key, &ufid, &body),
        }
    };
    if let Some(done) = done {
        let size = done.bytes.len() as u64;
        let md5 = md5_hex(&done.bytes);
        let key = done.key.clone();
        lock(&sh.storage).store(done, md5.clone());
        lock(&sh.store).object_uploaded(&key, size, &md5);
    }
    resp
}

fn not_found() -> Response {
    Response::json(404, &json!({"errors": ["Large file upload not found"]}))
}

fn bad(field: &str, msg: &str) -> Out {
    (Response::json(400, &json!({"errors": {field: msg}})), None)
}

fn finish(st: &mut FakeStorage, key: &str, ufid: &str, body: &Map<String, Value>) -> Out {
    let Some(large) = st.b2.get(ufid).filter(|l| l.key == key) else {
        return (not_found(), None);
    };
    let list: Vec<String> = body
        .get("sha1_list")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty() || list.len() != large.parts.len() {
        return bad("sha1_list", "One SHA-1 per uploaded part is required");
    }
    for (i, sha) in list.iter().enumerate() {
        let n = i as u32 + 1;
        let Some(p) = large.parts.get(&n) else {
            return bad("sha1_list", &format!("Part {n} was not uploaded"));
        };
        if sha1_hex(p) != *sha {
            return bad("sha1_list", &format!("SHA-1 of part {n} does not match"));
        }
        if i + 1 < list.len() && p.len() < MIN_PART {
            return bad(
                "sha1_list",
                &format!("Part {n} is smaller than the 5 MB minimum"),
            );
        }
    }
    let Some(large) = st.b2.remove(ufid) else {
        return (not_found(), None);
    };
    let bytes: Vec<u8> = large.parts.into_values().flatten().collect();
    let out = json!({
        "action": "upload",
        "fileId": ufid,
        "fileName": key,
        "contentLength": bytes.len(),
        "contentSha1": "none",
    });
    let done = Completed {
        key: key.to_string(),
        bytes,
        parts: large.requests,
        headers: large.headers,
    };
    (Response::json(200, &out), Some(done))
}
