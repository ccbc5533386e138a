//! The fake object storages under `/storage/` (no iconik auth): one per
//! storage method iconik hands out, following the vendors' protocols as far
//! as the transfer contract uses them. S3 (single PUT and multipart), GCS
//! (resumable), Azure (block blob), B2 (small and large files) and FILE
//! (plain PUT); `GET` downloads with `Range`. Completed uploads update the
//! file record (size, md5 checksum, status).

mod azure;
mod b2;
mod gcs;
mod s3;
pub(crate) mod urls;

pub(crate) use b2::{api as b2_api, Step as B2Step};

use crate::server::{lock, Request, Response, Shared};
use crate::util::{percent_decode, Query};
use crate::{StorageRequest, Upload};
use md5::{Digest, Md5};
use std::collections::HashMap;

/// Most storage requests kept for [`crate::Emulator::storage_requests`].
const MAX_RECORDED: usize = 100_000;

/// Hex MD5 of some bytes.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Standard base64 (with padding).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An upload that completed: what to store and record.
pub(crate) struct Completed {
    pub(crate) key: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) parts: usize,
    pub(crate) headers: Vec<(String, String)>,
}

/// Storage state.
pub(crate) struct FakeStorage {
    pub(crate) uploads: Vec<Upload>,
    pub(crate) requests: Vec<StorageRequest>,
    /// Stored objects: their bytes and MD5 (the ETag of a read), computed
    /// once when stored rather than on every read of a large object.
    objects: HashMap<String, (Vec<u8>, String)>,
    s3: HashMap<String, s3::Multipart>,
    gcs: HashMap<String, gcs::Session>,
    azure: HashMap<String, azure::Staged>,
    b2: HashMap<String, b2::Large>,
    rng: fastrand::Rng,
    /// Keep upload bytes in `uploads` too.
    keep_upload_bytes: bool,
}

impl FakeStorage {
    pub(crate) fn new(seed: u64, seed_data: bool, keep_upload_bytes: bool) -> FakeStorage {
        let mut objects = HashMap::new();
        if seed_data {
            for (i, id) in crate::store::SAMPLE_FILE_IDS.iter().enumerate() {
                let bytes = crate::store::SAMPLE_CONTENTS[i].to_vec();
                let md5 = md5_hex(&bytes);
                objects.insert(urls::key("S3", "files", id), (bytes, md5));
            }
        }
        FakeStorage {
            uploads: Vec::new(),
            requests: Vec::new(),
            objects,
            s3: HashMap::new(),
            gcs: HashMap::new(),
            azure: HashMap::new(),
            b2: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed ^ 0x5354_4f52_4147_4521),
            keep_upload_bytes,
        }
    }

    fn new_id(&mut self) -> String {
        crate::util::new_id(&mut self.rng).replace('-', "")
    }

    fn store(&mut self, c: Completed, md5: String) {
        let bytes = if self.keep_upload_bytes {
            c.bytes.clone()
        } else {
            Vec::new()
        };
        self.objects.insert(c.key.clone(), (c.bytes, md5));
        self.uploads.push(Upload {
            key: c.key,
            bytes,
            parts: c.parts,
            headers: c.headers,
        });
    }

    /// Records one storage request (bounded).
    pub(crate) fn note(&mut self, req: &Request, status: u16) {
        if self.requests.len() < MAX_RECORDED {
            self.requests.push(StorageRequest {
                method: req.method.clone(),
                target: req.target.clone(),
                headers: req.header_pairs(),
                status,
            });
        }
    }
}

/// What the storage handler was asked to do beyond the protocol (targeted
/// faults that need to act inside it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Twist {
    /// GCS: persist this many bytes fewer of the chunk than were sent.
    pub(crate) short_range: u64,
}

/// An S3/Azure-style XML error.
pub(crate) fn xml_error(status: u16, code: &str, msg: &str) -> Response {
    xml(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message></Error>"),
    )
}

pub(crate) fn xml(status: u16, body: String) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "application/xml".into())],
        body: body.into_bytes(),
        json: false,
    }
}

/// The text of every `<tag>...</tag>` in `s`, in order.
pub(crate) fn xml_all<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// Handles `/storage/...`.
pub(crate) fn handle(sh: &Shared, req: &Request, path: &str, q: &Query, twist: Twist) -> Response {
    let rest = path.trim_start_matches("/storage/");
    let (method, key_rest) = rest.split_once('/').unwrap_or((rest, ""));
    let key_rest = percent_decode(key_rest);
    if key_rest.is_empty() {
        return xml_error(400, "InvalidURI", "Missing object key");
    }
    let key = format!("{method}/{key_rest}");
    let (resp, done) = {
        let mut st = lock(&sh.storage);
        let st = &mut *st;
        let out = if is_download(req, method, q) {
            (download(st, req, &key), None)
        } else {
            match method {
                "s3" => s3::handle(st, sh, req, &key, q),
                "gcs" => gcs::handle(st, sh, req, &key, q, twist),
                "azure" => azure::handle(st, req, &key, q),
                "b2" => b2::small(req, &key),
                "b2-parts" => b2::part(st, req, &key_rest),
                "file" => file(req, &key, q),
                _ => (xml_error(404, "NoSuchBucket", "No such storage"), None),
            }
        };
        match out {
            (resp, Some(done)) => {
                let size = done.bytes.len() as u64;
                let md5 = md5_hex(&done.bytes);
                let key = done.key.clone();
                st.store(done, md5.clone());
                (resp, Some((key, size, md5)))
            }
            (resp, None) => (resp, None),
        }
    };
    if let Some((key, size, md5)) = done {
        lock(&sh.store).object_uploaded(&key, size, &md5);
    }
    resp
}

/// A read of a stored object (S3's list-parts `GET ?uploadId=` is not).
fn is_download(req: &Request, method: &str, q: &Query) -> bool {
    (req.method == "GET" || req.method == "HEAD") && !(method == "s3" && q.has("uploadId"))
}

/// FILE (and other plain methods): `PUT url` stores the body -> 201.
fn file(req: &Request, key: &str, q: &Query) -> (Response, Option<Completed>) {
    if req.method != "PUT" {
        return (Response::error(405, "Method not allowed"), None);
    }
    if q.get("token") != Some(urls::signature(key).as_str()) {
        return (Response::error(403, "Invalid or missing token"), None);
    }
    let done = Completed {
        key: key.to_string(),
        bytes: req.body.clone(),
        parts: 1,
        headers: req.header_pairs(),
    };
    (Response::empty(201), Some(done))
}

/// `GET` of a stored object, with `Range: bytes=a-b`, `a-` or `-n`.
fn download(st: &FakeStorage, req: &Request, key: &str) -> Response {
    let Some((bytes, md5)) = st.objects.get(key) else {
        return xml_error(404, "NoSuchKey", "The specified key does not exist.");
    };
    let total = bytes.len() as u64;
    let etag = format!("\"{md5}\"");
    let base = |status: u16, body: Vec<u8>| Response {
        status,
        headers: vec![
            ("Content-Type".into(), "application/octet-stream".into()),
            ("ETag".into(), etag.clone()),
            ("Accept-Ranges".into(), "bytes".into()),
        ],
        body,
        json: false,
    };
    let Some(range) = req.header("range") else {
        return base(200, bytes.clone());
    };
    match parse_range(range, total) {
        Some((a, b)) => {
            let body = bytes[a as usize..=b as usize].to_vec();
            base(206, body).header("Content-Range", format!("bytes {a}-{b}/{total}"))
        }
        None => xml_error(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
        .header("Content-Range", format!("bytes */{total}")),
    }
}

/// A satisfiable single byte range of an object of `total` bytes.
fn parse_range(v: &str, total: u64) -> Option<(u64, u64)> {
    let spec = v.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') || total == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        return Some((total.saturating_sub(n), total - 1));
    }
    let a: u64 = a.parse().ok()?;
    if a >= total {
        return None;
    }
    let b = if b.is_empty() {
        total - 1
    } else {
        b.parse::<u64>().ok()?.min(total - 1)
    };
    (a <= b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=3-5", 10), Some((3, 5)));
        assert_eq!(parse_range("bytes=3-50", 10), Some((3, 9)));
        assert_eq!(parse_range("bytes=-4", 10), Some((6, 9)));
        assert_eq!(parse_range("bytes=10-", 10), None);
        assert_eq!(parse_range("bytes=5-3", 10), None);
        assert_eq!(parse_range("items=0-1", 10), None);
    }

    #[test]
    fn base64_and_xml() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(xml_all("<a>1</a><b/><a>2</a>", "a"), vec!["1", "2"]);
    }
}
