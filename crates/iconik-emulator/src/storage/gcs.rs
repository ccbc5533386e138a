//! GCS resumable uploads: `POST upload_url` with `x-goog-resumable: start`
//! opens a session (201 + `Location`); `PUT` chunks with
//! `Content-Range: bytes A-B/*` (multiples of 256 KiB) answer 308 with
//! `Range: bytes=0-K`; the final `bytes A-B/TOTAL` answers 200 with the object;
//! `bytes */TOTAL` asks the status; `DELETE` cancels (499).

use super::{base64, md5_hex, urls, Completed, FakeStorage, Twist};
use crate::server::{Request, Response, Shared};
use crate::util::Query;
use md5::{Digest, Md5};
use serde_json::json;

/// Non-final chunks are multiples of this.
pub(crate) const CHUNK_QUANTUM: usize = 256 * 1024;

pub(crate) struct Session {
    key: String,
    data: Vec<u8>,
    headers: Vec<(String, String)>,
    requests: usize,
    /// The object, once complete (status queries then answer 200).
    done: Option<serde_json::Value>,
}

type Out = (Response, Option<Completed>);

fn error(status: u16, msg: &str) -> Out {
    (
        Response::json(status, &json!({"error": {"code": status, "message": msg}})),
        None,
    )
}

/// `Content-Range` of a resumable `PUT`.
enum Range {
    /// `bytes A-B/T` (T `None` for `*`).
    Chunk {
        start: u64,
        end: u64,
        total: Option<u64>,
    },
    /// `bytes */T`.
    Status { total: Option<u64> },
}

fn parse(v: &str) -> Option<Range> {
    let rest = v.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    if range.trim() == "*" {
        return Some(Range::Status { total });
    }
    let (a, b) = range.trim().split_once('-')?;
    let (start, end) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (start <= end && end < u64::MAX).then_some(Range::Chunk { start, end, total })
}

pub(crate) fn handle(
    st: &mut FakeStorage,
    sh: &Shared,
    req: &Request,
    key: &str,
    q: &Query,
    twist: Twist,
) -> Out {
    let session = q.get("upload_id").map(str::to_string);
    match (req.method.as_str(), session) {
        ("POST", None) => start(st, sh, req, key, q),
        ("PUT", Some(s)) => put(st, req, key, &s, twist),
        ("DELETE", Some(s)) => match st.gcs.get(&s) {
            Some(sess) if sess.key == key => {
                st.gcs.remove(&s);
                (Response::empty(499), None)
            }
            _ => error(404, "No such upload session"),
        },
        _ => error(405, "Method not allowed"),
    }
}

fn start(st: &mut FakeStorage, sh: &Shared, req: &Request, key: &str, q: &Query) -> Out {
    if q.get("X-Goog-Signature") != Some(urls::signature(key).as_str()) {
        return error(403, "Missing or invalid X-Goog-Signature");
    }
    if !req
        .header("x-goog-resumable")
        .is_some_and(|v| v.eq_ignore_ascii_case("start"))
    {
        return error(
            400,
            "A resumable upload starts with x-goog-resumable: start",
        );
    }
    let id = st.new_id();
    st.gcs.insert(
        id.clone(),
        Session {
            key: key.to_string(),
            data: Vec::new(),
            headers: req.header_pairs(),
            requests: 0,
            done: None,
        },
    );
    let location = urls::gcs_session_url(&sh.base_url, key, &id);
    (
        Response::empty(201)
            .header("Location", location)
            .header("X-GUploader-UploadID", id),
        None,
    )
}

fn incomplete(received: usize) -> Response {
    let r = Response::empty(308);
    if received > 0 {
        r.header("Range", format!("bytes=0-{}", received - 1))
    } else {
        r
    }
}

fn put(st: &mut FakeStorage, req: &Request, key: &str, id: &str, twist: Twist) -> Out {
    let Some(sess) = st.gcs.get_mut(id).filter(|s| s.key == key) else {
        return error(404, "No such upload session");
    };
    if let Some(obj) = &sess.done {
        return (Response::json(200, obj), None);
    }
    let Some(range) = req.header("content-range").and_then(parse) else {
        return error(400, "Missing or invalid Content-Range");
    };
    let total = match range {
        Range::Status { total } => {
            if total != Some(sess.data.len() as u64) || !req.body.is_empty() {
                return (incomplete(sess.data.len()), None);
            }
            total
        }
        Range::Chunk { start, end, total } => {
            let len = end - start + 1;
            if req.body.len() as u64 != len {
                return error(400, "The Content-Range does not match the body length");
            }
            let len = req.body.len();
            let is_final = total == Some(end + 1);
            if !is_final && len % CHUNK_QUANTUM != 0 {
                return error(
                    400,
                    "Invalid request. The chunk size must be a multiple of 256 KiB",
                );
            }
            let have = sess.data.len() as u64;
            if start > have {
                return error(400, "The Content-Range starts past the persisted bytes");
            }
            // Bytes already persisted are not written again.
            let skip = (have - start) as usize;
            let mut fresh = &req.body[skip.min(req.body.len())..];
            let keep = fresh.len().saturating_sub(twist.short_range as usize);
            fresh = &fresh[..keep];
            sess.data.extend_from_slice(fresh);
            sess.requests += 1;
            sess.headers.extend(req.header_pairs());
            total
        }
    };
    let received = sess.data.len();
    match total {
        Some(t) if t == received as u64 => {
            let obj = json!({
                "kind": "storage#object",
                "bucket": "iconik-emulator",
                "name": key,
                "size": received.to_string(),
                "md5Hash": base64(&Md5::digest(&sess.data)),
                "etag": md5_hex(&sess.data),
            });
            sess.done = Some(obj.clone());
            let done = Completed {
                key: key.to_string(),
                bytes: std::mem::take(&mut sess.data),
                parts: sess.requests,
                headers: std::mem::take(&mut sess.headers),
            };
            (Response::json(200, &obj), Some(done))
        }
        Some(t) if (received as u64) > t => error(400, "More bytes than the declared total"),
        _ => (incomplete(received), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert!(matches!(
            parse("bytes 0-9/*"),
            Some(Range::Chunk {
                start: 0,
                end: 9,
                total: None
            })
        ));
        assert!(matches!(
            parse("bytes 10-19/20"),
            Some(Range::Chunk {
                start: 10,
                end: 19,
                total: Some(20)
            })
        ));
        assert!(matches!(
            parse("bytes */20"),
            Some(Range::Status { total: Some(20) })
        ));
        assert!(parse("bytes 9-0/*").is_none());
        assert!(parse("bytes 0-18446744073709551615/*").is_none());
        assert!(parse("items 0-1/2").is_none());
    }
}
