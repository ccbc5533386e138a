//! A fake iconik and its storages for transfer tests, following the
//! transfer contract: iconik's upload/download endpoints plus S3 (single
//! and multipart), GCS (resumable), Azure (block blob), B2 (single and
//! large file) and FILE (ISG PUT) under `/storage/`, with targeted faults
//! and a record of every request.
#![allow(dead_code)]

pub mod http;
mod storage;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iconik_sync::clock::FakeClock;
use iconik_sync::Client;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sha1::Sha1;
use storage::{download, storage_azure, storage_b2, storage_gcs, storage_s3};

pub use http::{Reply, Request};

pub const APP_ID: &str = "test-app-id";
pub const TOKEN: &str = "test-auth-token-SECRET";
/// The signature every signed storage URL carries in its query.
pub const SIG: &str = "SIGNATURE-SECRET";

pub fn md5_hex(data: &[u8]) -> String {
    hex(&Md5::digest(data))
}

pub fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic test data.
pub fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u64 * 31 + u64::from(seed) * 7 + (i as u64 >> 9)) % 251) as u8)
        .collect()
}

/// A fault: the `nth` (1-based) request matching `method` and `path_has`
/// (and `query_has`, when set) gets `action` instead of its answer.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: &'static str,
    pub path_has: &'static str,
    pub query_has: Option<&'static str>,
    pub nth: usize,
    pub action: Action,
}

#[derive(Clone, Debug)]
pub enum Action {
    Status(u16),
    /// Break the connection after reading this many body bytes.
    ResetMidBody(usize),
    /// GCS: keep only the first `n` bytes of the session, answer 308.
    ShortRange(u64),
    /// Downloads: announce the whole body, send `n` bytes, close.
    Cut(usize),
    /// Answer this instead, without handling the request.
    Answer(u16, Vec<(String, String)>, String),
    /// Answer with this status and headers, announcing this length
    /// (chunked when `None`), and a body that never ends.
    Endless(u16, Vec<(String, String)>, Option<u64>),
    /// Handle the request, then leave this header out of the answer.
    DropHeader(&'static str),
    /// Handle the request, then answer with this header set to this value.
    SetHeader(&'static str, String),
    /// Handle the request, then leave this field out of the JSON answer.
    DropJson(&'static str),
    /// Handle the request, then set this field of the JSON answer.
    SetJson(&'static str, Value),
    /// When the request's head arrives (before its body is read), set the
    /// local file's length: a file that shrinks or grows mid-upload.
    SetLen(std::path::PathBuf, u64),
}

impl Action {
    /// Acts when the request's head arrives, before its body is read.
    fn before_body(&self) -> bool {
        matches!(self, Action::ResetMidBody(_) | Action::SetLen(..))
    }
}

/// One recorded request (body kept as its length and MD5).
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body_len: usize,
    pub body_md5: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn is_storage(&self) -> bool {
        self.path.starts_with("/storage/")
    }
}

#[derive(Default)]
pub struct State {
    pub method: String,
    pub faults: Vec<Fault>,
    counts: HashMap<usize, usize>,
    pub seen: Vec<Seen>,
    /// Every request's method and path as its head arrived (a request
    /// whose body never fully arrived is in `heads` but not in `seen`).
    pub heads: Vec<String>,
    next_id: u32,
    /// Closed file records: id -> (size, checksum).
    pub closed: BTreeMap<String, (u64, String)>,
    pub titles: Vec<String>,
    /// Final objects by file id.
    pub objects: BTreeMap<String, Vec<u8>>,
    /// S3 multipart: upload id -> part number -> bytes.
    pub s3_uploads: BTreeMap<String, BTreeMap<u32, Vec<u8>>>,
    pub s3_aborted: Vec<String>,
    /// GCS: session id -> (file id, bytes kept).
    pub gcs: BTreeMap<String, (String, Vec<u8>)>,
    pub gcs_cancelled: Vec<String>,
    /// Azure: file id -> block id -> bytes.
    pub azure_blocks: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// B2 large files: upload_file_id -> (file id, part number -> bytes).
    pub b2: BTreeMap<String, (String, BTreeMap<u32, Vec<u8>>)>,
    pub b2_cancelled: Vec<String>,
    /// Every part stored, by (upload, part number): how often.
    pub part_puts: BTreeMap<(String, u32), u32>,
    /// Assembled objects: how many parts each was made of (each once).
    pub assembled_parts: BTreeMap<String, Vec<u32>>,
    /// iconik pages part URLs: at most this many per page (`per_page`,
    /// `page`); `None`: all on one page, whatever was asked.
    pub part_urls_per_page: Option<u32>,
    /// S3 lists at most this many parts per ListParts answer (S3: 1,000).
    pub list_parts_page: usize,
    /// iconik hands out one `list_parts_url` per page (each with its
    /// `part-number-marker`) when asked with `max_part_number`; otherwise
    /// one URL, which the client continues itself.
    pub list_parts_url_per_page: bool,
    pub keyframes: u32,
    pub transcodes: Vec<String>,
    pub collection_adds: Vec<(String, String)>,
}

/// The fake iconik + storages.
pub struct Fake {
    pub server: http::Server,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    /// A fake whose default storage uses `method` (S3, GCS, AZURE, B2, FILE).
    pub fn new(method: &str) -> Fake {
        let state = Arc::new(Mutex::new(State {
            method: method.to_owned(),
            list_parts_page: 1000,
            ..State::default()
        }));
        let base = Arc::new(Mutex::new(String::new()));
        let (s1, b1) = (state.clone(), base.clone());
        let handler = Arc::new(move |req: &mut Request| {
            let base = b1.lock().unwrap().clone();
            handle(&s1, &base, req)
        });
        let s2 = state.clone();
        let partial = Arc::new(move |req: &Request| {
            let mut st = s2.lock().unwrap();
            st.heads.push(format!("{} {}", req.method, req.path));
            match fault_for(&mut st, req, true) {
                Some(Action::ResetMidBody(n)) => {
                    record(&mut st, req);
                    Some(n)
                }
                Some(Action::SetLen(path, len)) => {
                    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
                    file.set_len(len).unwrap();
                    None
                }
                _ => None,
            }
        });
        let server = http::Server::start(handler, partial);
        *base.lock().unwrap() = server.url.clone();
        Fake { server, state }
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push(fault);
    }

    /// A client on this fake with a fake clock (backoff never sleeps).
    pub fn client(&self) -> Client {
        self.client_with(|b| b)
    }

    pub fn client_with(
        &self,
        f: impl FnOnce(iconik_sync::ClientBuilder) -> iconik_sync::ClientBuilder,
    ) -> Client {
        f(Client::builder()
            .app_id(APP_ID)
            .auth_token(TOKEN)
            .base_url(self.url())
            .default_header("X-Custom-Default", "api-only")
            .timeout(Duration::from_secs(20))
            .clock(Arc::new(FakeClock::new())))
        .build()
        .unwrap()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn storage_requests(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(Seen::is_storage).collect()
    }

    pub fn object(&self, file_id: &str) -> Option<Vec<u8>> {
        self.state.lock().unwrap().objects.get(file_id).cloned()
    }

    pub fn closed(&self, file_id: &str) -> Option<(u64, String)> {
        self.state.lock().unwrap().closed.get(file_id).cloned()
    }

    /// Asserts iconik's credentials and default headers went to every API
    /// request and to no storage request.
    pub fn assert_credentials_only_to_the_api(&self) {
        let seen = self.seen();
        assert!(seen.iter().any(Seen::is_storage), "no storage request made");
        for s in &seen {
            if s.is_storage() {
                for h in ["app-id", "auth-token", "x-custom-default"] {
                    assert!(
                        s.header(h).is_none(),
                        "{h} sent to storage: {} {}",
                        s.method,
                        s.path
                    );
                }
                assert!(
                    !s.headers.iter().any(|(_, v)| v.contains(TOKEN)),
                    "token in a storage header"
                );
            } else {
                assert_eq!(s.header("app-id"), Some(APP_ID), "{} {}", s.method, s.path);
                assert_eq!(s.header("auth-token"), Some(TOKEN));
            }
        }
    }
}

fn record(st: &mut State, req: &Request) {
    st.seen.push(Seen {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body_len: req.body.len(),
        body_md5: md5_hex(&req.body),
    });
}

/// The fault for this request, counting matches. `before_body`: only
/// ResetMidBody faults are considered (and counted) then; the others
/// after the body was read.
fn fault_for(st: &mut State, req: &Request, before_body: bool) -> Option<Action> {
    let mut hit = None;
    for (i, f) in st.faults.iter().enumerate() {
        if f.action.before_body() != before_body {
            continue;
        }
        if f.method == req.method
            && req.path.contains(f.path_has)
            && f.query_has.is_none_or(|q| req.query.contains(q))
        {
            let n = st.counts.entry(i).or_insert(0);
            *n += 1;
            if *n == f.nth && hit.is_none() {
                hit = Some(f.action.clone());
            }
        }
    }
    hit
}

pub(crate) fn id(st: &mut State, prefix: &str) -> String {
    st.next_id += 1;
    format!("{prefix}-{}", st.next_id)
}

fn handle(state: &Mutex<State>, base: &str, req: &mut Request) -> Reply {
    let mut st = state.lock().unwrap();
    record(&mut st, req);
    let fault = fault_for(&mut st, req, false);
    match fault {
        Some(Action::Status(code)) => {
            return Reply::json(code, json!({"errors": ["injected fault"]}));
        }
        Some(Action::ShortRange(keep)) => {
            // store the chunk, then forget everything past `keep`
            let reply = storage_gcs(&mut st, base, req);
            let sid = req.path.rsplit('/').next().unwrap_or("").to_owned();
            if let Some((_, bytes)) = st.gcs.get_mut(&sid) {
                bytes.truncate(keep as usize);
                let range = format!("bytes=0-{}", keep.saturating_sub(1));
                return Reply::with(308, &[("Range", &range)], "");
            }
            return reply;
        }
        Some(Action::Answer(status, headers, body)) => {
            return Reply::Http {
                status,
                headers,
                body: body.into_bytes(),
            };
        }
        Some(Action::Endless(status, headers, declared)) => {
            return Reply::Endless {
                status,
                headers,
                declared,
            };
        }
        Some(Action::DropHeader(name)) => {
            let mut reply = route(&mut st, base, req);
            if let Reply::Http { headers, .. } = &mut reply {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            }
            return reply;
        }
        Some(Action::SetHeader(name, value)) => {
            let mut reply = route(&mut st, base, req);
            if let Reply::Http { headers, .. } = &mut reply {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                headers.push((name.to_owned(), value));
            }
            return reply;
        }
        Some(Action::DropJson(field)) | Some(Action::SetJson(field, _)) => {
            let set = match &fault {
                Some(Action::SetJson(_, v)) => Some(v.clone()),
                _ => None,
            };
            let mut reply = route(&mut st, base, req);
            if let Reply::Http { body, .. } = &mut reply {
                let mut json: Value = serde_json::from_slice(body).unwrap_or(json!({}));
                if let Some(object) = json.as_object_mut() {
                    match set {
                        Some(v) => object.insert(field.to_owned(), v),
                        None => object.remove(field),
                    };
                }
                *body = json.to_string().into_bytes();
            }
            return reply;
        }
        Some(Action::Cut(n)) => {
            if let Reply::Http {
                status,
                headers,
                body,
            } = route(&mut st, base, req)
            {
                return Reply::Cut {
                    status,
                    headers,
                    body,
                    send: n,
                };
            }
        }
        _ => {}
    }
    route(&mut st, base, req)
}

fn route(st: &mut State, base: &str, req: &Request) -> Reply {
    let path = req.path.clone();
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    if seg.first() == Some(&"storage") {
        return match seg.get(1).copied() {
            Some("s3") => storage_s3(st, base, req, seg.get(2).copied().unwrap_or("")),
            Some("gcs") | Some("gcs-session") => storage_gcs(st, base, req),
            Some("azure") => storage_azure(st, req, seg.get(2).copied().unwrap_or("")),
            Some("b2") => storage_b2(st, req, &seg),
            Some("isg") => {
                let fid = seg.get(2).copied().unwrap_or("").to_owned();
                if req.method != "PUT" || req.q("sig").as_deref() != Some(SIG) {
                    return Reply::status(403);
                }
                st.objects.insert(fid, req.body.clone());
                Reply::status(201)
            }
            Some("objects") => download(st, req, seg.get(2).copied().unwrap_or("")),
            _ => Reply::status(404),
        };
    }
    if req.header("auth-token") != Some(TOKEN) {
        return Reply::json(401, json!({"errors": ["no credentials"]}));
    }
    let m = req.method.as_str();
    match (m, &seg[..]) {
        ("GET", ["API", "files", "v1", "storages", "FILES", "default"]) => {
            let method = st.method.clone();
            Reply::json(
                200,
                json!({"id": format!("{}-files", method.to_lowercase()), "method": method}),
            )
        }
        ("GET", ["API", "files", "v1", "storages", sid]) => {
            let method = sid.split('-').next().unwrap_or("").to_uppercase();
            Reply::json(200, json!({"id": sid, "method": method}))
        }
        ("POST", ["API", "assets", "v1", "assets"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["type"], "ASSET");
            st.titles
                .push(body["title"].as_str().unwrap_or("").to_owned());
            let id = id(st, "asset");
            Reply::json(201, json!({"id": id}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "formats"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["name"], "ORIGINAL");
            let id = id(st, "format");
            Reply::json(201, json!({"id": id}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "file_sets"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert!(body["format_id"].is_string() && body["storage_id"].is_string());
            let id = id(st, "fileset");
            Reply::json(201, json!({"id": id}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "files"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["type"], "FILE");
            assert!(body["size"].is_u64() && body["file_set_id"].is_string());
            let fid = id(st, "file");
            let method = st.method.clone();
            let mut file = json!({"id": fid, "storage_method": method, "version_id": "version-1"});
            match method.as_str() {
                "S3" => {
                    file["upload_url"] =
                        json!(format!("{base}/storage/s3/{fid}?X-Amz-Signature={SIG}"));
                    file["multipart_upload_url"] = json!(format!(
                        "{base}/storage/s3/{fid}?X-Amz-Signature={SIG}&uploads"
                    ));
                    file["upload_headers"] = json!({"x-amz-acl": "private"});
                }
                "GCS" => {
                    file["upload_url"] =
                        json!(format!("{base}/storage/gcs/{fid}?X-Goog-Signature={SIG}"));
                    file["upload_headers"] = Value::Null;
                }
                "AZURE" => {
                    file["upload_url"] = json!(format!(
                        "{base}/storage/azure/{fid}?sv=2020-10-02&sig={SIG}"
                    ));
                }
                "B2" => {
                    file["upload_url"] = json!(format!("{base}/storage/b2/upload/{fid}?sig={SIG}"));
                    file["upload_headers"] =
                        json!({"Authorization": "B2-UPLOAD-TOKEN", "X-Bz-File-Name": "clip.bin"});
                }
                _ => {}
            }
            Reply::json(201, file)
        }
        (
            "GET",
            ["API", "files", "v1", "assets", _, "files" | "proxies", fid, "multipart_url", "part"],
        ) => {
            let upload = req.q("upload_id").unwrap_or_default();
            let n: u32 = req.q("parts_num").and_then(|v| v.parse().ok()).unwrap_or(0);
            let (first, last) = match st.part_urls_per_page {
                Some(cap) => {
                    let per_page: u32 =
                        req.q("per_page").and_then(|v| v.parse().ok()).unwrap_or(10);
                    let per_page = per_page.clamp(1, cap);
                    let page: u32 = req
                        .q("page")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .max(1);
                    let first = (page - 1) * per_page + 1;
                    (first, (first + per_page - 1).min(n))
                }
                None => (1, n),
            };
            let objects: Vec<Value> = (first..=last)
                .map(|i| json!({"number": i, "url": format!("{base}/storage/s3/{fid}?partNumber={i}&uploadId={upload}&X-Amz-Signature={SIG}")}))
                .collect();
            Reply::json(200, json!({"objects": objects}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files" | "proxies", fid, "multipart_url"]) => {
            let upload = req.q("upload_id").unwrap_or_default();
            let url = format!("{base}/storage/s3/{fid}?uploadId={upload}&X-Amz-Signature={SIG}");
            let max: usize = req
                .q("max_part_number")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let page = st.list_parts_page;
            let list: Vec<String> = if st.list_parts_url_per_page && max > page {
                (0..max.div_ceil(page))
                    .map(|k| format!("{url}&max-parts={page}&part-number-marker={}", k * page))
                    .collect()
            } else {
                vec![url.clone()]
            };
            Reply::json(
                200,
                json!({"complete_url": url, "abort_url": url, "list_parts_url": list}),
            )
        }
        ("POST", ["API", "files", "v1", "assets", _, "files", fid, "multipart", "b2", "start"]) => {
            let uid = id(st, "b2large");
            st.b2
                .insert(uid.clone(), (fid.to_string(), BTreeMap::new()));
            Reply::json(
                200,
                json!({
                    "upload_url": format!("{base}/storage/b2/part/{uid}?sig={SIG}"),
                    "authorization_token": "B2-PART-TOKEN",
                    "upload_file_id": uid,
                }),
            )
        }
        ("POST", ["API", "files", "v1", "assets", _, "files", _, "multipart", "b2", "finish"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let uid = body["upload_file_id"].as_str().unwrap_or("").to_owned();
            let Some((fid, parts)) = st.b2.remove(&uid) else {
                return Reply::json(404, json!({"errors": ["no such large file"]}));
            };
            let list: Vec<String> = body["sha1_list"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if list.len() != parts.len() {
                return Reply::json(
                    400,
                    json!({"errors": ["sha1_list does not match the parts"]}),
                );
            }
            let mut bytes = Vec::new();
            for (i, (n, part)) in parts.iter().enumerate() {
                if sha1_hex(part) != list[i] || (*n as usize) != i + 1 {
                    return Reply::json(400, json!({"errors": ["sha1 mismatch"]}));
                }
                if i + 1 < parts.len() && part.len() < 5_000_000 {
                    return Reply::json(400, json!({"errors": ["part too small"]}));
                }
                bytes.extend_from_slice(part);
            }
            st.assembled_parts
                .insert(fid.clone(), parts.keys().copied().collect());
            st.objects.insert(fid, bytes);
            Reply::json(200, json!({}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "files", _, "multipart", "b2", "cancel"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let uid = body["upload_file_id"].as_str().unwrap_or("").to_owned();
            st.b2.remove(&uid);
            st.b2_cancelled.push(uid);
            Reply::json(200, json!({}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", fid, "isg_handler_url"]) => {
            Reply::json(
                200,
                json!({"url": format!("{base}/storage/isg/{fid}?sig={SIG}")}),
            )
        }
        ("PATCH", ["API", "files", "v1", "assets", _, "files", fid]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["status"], "CLOSED");
            assert_eq!(body["file_set_status"], "ACTIVE");
            assert_eq!(body["format_status"], "ACTIVE");
            let size = body["size"].as_u64().unwrap_or(0);
            let checksum = body["checksum"].as_str().unwrap_or("").to_owned();
            st.closed.insert(fid.to_string(), (size, checksum));
            Reply::json(200, json!({"id": fid, "status": "CLOSED"}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", fid]) => {
            let (size, checksum) = st.closed.get(*fid).cloned().unwrap_or_default();
            Reply::json(200, json!({"id": fid, "size": size, "checksum": checksum}))
        }
        ("GET", ["API", "files", "v1", "assets", _, "files", fid, "download_url"]) => Reply::json(
            200,
            json!({"url": format!("{base}/storage/objects/{fid}?X-Amz-Signature={SIG}")}),
        ),
        ("POST", ["API", "files", "v1", "assets", _, kind @ ("proxies" | "keyframes")]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert!(body["filename"].is_string() && body["size"].is_u64());
            if *kind == "keyframes" {
                assert!(body["type"].is_string(), "keyframes need a type");
            }
            let prefix = if *kind == "proxies" {
                "proxy"
            } else {
                "keyframe"
            };
            let oid = id(st, prefix);
            let method = st.method.clone();
            let mut object = json!({"id": oid, "storage_id": format!("{}-{kind}", method.to_lowercase()), "storage_method": method});
            match method.as_str() {
                "S3" => {
                    object["upload_url"] =
                        json!(format!("{base}/storage/s3/{oid}?X-Amz-Signature={SIG}"));
                    object["multipart_upload_url"] = json!(format!(
                        "{base}/storage/s3/{oid}?X-Amz-Signature={SIG}&uploads"
                    ));
                }
                "GCS" => {
                    object["upload_url"] =
                        json!(format!("{base}/storage/gcs/{oid}?X-Goog-Signature={SIG}"));
                }
                "AZURE" => {
                    object["upload_url"] = json!(format!(
                        "{base}/storage/azure/{oid}?sv=2020-10-02&sig={SIG}"
                    ));
                }
                "B2" => {
                    object["upload_url"] =
                        json!(format!("{base}/storage/b2/upload/{oid}?sig={SIG}"));
                    object["upload_headers"] =
                        json!({"Authorization": "B2-UPLOAD-TOKEN", "X-Bz-File-Name": "proxy.mp4"});
                }
                _ => {}
            }
            Reply::json(201, object)
        }
        ("PATCH", ["API", "files", "v1", "assets", _, "proxies" | "keyframes", oid]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["status"], "CLOSED");
            let size = body["size"].as_u64().unwrap_or(0);
            let md5 = st.objects.get(*oid).map(|b| md5_hex(b)).unwrap_or_default();
            st.closed.insert(oid.to_string(), (size, md5));
            Reply::json(200, json!({"id": oid, "status": "CLOSED"}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "files", _, "keyframes"]) => {
            st.keyframes += 1;
            Reply::json(201, json!({}))
        }
        ("POST", ["API", "files", "v1", "assets", _, "versions", version, "transcode"]) => {
            st.transcodes.push(version.to_string());
            Reply::json(201, json!({}))
        }
        ("POST", ["API", "assets", "v1", "collections", cid, "contents"]) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            assert_eq!(body["object_type"], "assets");
            st.collection_adds.push((
                cid.to_string(),
                body["object_id"].as_str().unwrap_or("").to_owned(),
            ));
            Reply::json(201, json!({}))
        }
        _ => Reply::json(
            404,
            json!({"errors": [format!("no route {m} {}", req.path)]}),
        ),
    }
}

pub fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes `bytes` to a fresh file in a directory unique to `tag`, under
/// Cargo's scratch folder for this test binary (`target/tmp`): the next run
/// empties it first, so runs leave one set of files behind, not one per run.
pub fn temp_file(tag: &str, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
