//! Request bodies other than a JSON model: streamed payloads (bytes,
//! files, readers) and the encoders for form-urlencoded and multipart
//! bodies built from a typed schema.

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;

/// A request body other than JSON.
#[derive(Clone)]
pub(crate) enum Payload {
    /// Bytes in memory (`range` of a shared buffer, so a retry resends
    /// them without copying).
    Bytes {
        data: SharedBytes,
        range: std::ops::Range<usize>,
        content_type: Option<String>,
    },
    /// A file, opened again for each attempt (so it can be retried).
    File {
        path: PathBuf,
        content_type: Option<String>,
    },
    /// Opens a fresh reader for each attempt (so it can be retried);
    /// `len` is sent as `Content-Length` when known.
    Source {
        open: Arc<dyn Fn() -> std::io::Result<Box<dyn Read + Send>> + Send + Sync>,
        len: Option<u64>,
        content_type: Option<String>,
    },
    /// A reader that can be read once: the request is never retried after
    /// it started sending.
    Reader {
        reader: Arc<Mutex<Option<Box<dyn Read + Send>>>>,
        content_type: Option<String>,
    },
}

impl Payload {
    pub(crate) fn content_type(&self) -> Option<&str> {
        match self {
            Payload::Bytes { content_type, .. }
            | Payload::File { content_type, .. }
            | Payload::Source { content_type, .. }
            | Payload::Reader { content_type, .. } => content_type.as_deref(),
        }
    }

    /// Whether a second attempt can send the same bytes again.
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self, Payload::Reader { .. })
    }

    /// The reader for one attempt. A one-shot reader is handed out once;
    /// after that this is an error rather than an empty body.
    pub(crate) fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        match self {
            Payload::Bytes { data, range, .. } => Ok(Box::new(SharedSlice {
                data: Arc::clone(data),
                pos: range.start,
                end: range.end,
            })),
            Payload::File { path, .. } => Ok(Box::new(std::fs::File::open(path)?)),
            Payload::Source { open, .. } => open(),
            Payload::Reader { reader, .. } => reader
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .map(|r| Box::new(r) as Box<dyn Read + Send>)
                .ok_or_else(|| std::io::Error::other("the body reader was already consumed")),
        }
    }

    /// The body's length when known before sending (sent as
    /// `Content-Length`; storages such as S3 refuse chunked uploads).
    pub(crate) fn len(&self) -> std::io::Result<Option<u64>> {
        match self {
            Payload::Bytes { range, .. } => Ok(Some(range.len() as u64)),
            Payload::File { path, .. } => std::fs::metadata(path).map(|m| Some(m.len())),
            Payload::Source { len, .. } => Ok(*len),
            Payload::Reader { .. } => Ok(None),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Payload::Bytes { range, .. } => format!("{} bytes", range.len()),
            Payload::File { path, .. } => format!("file {}", path.display()),
            Payload::Source { len, .. } => format!("stream of {len:?} bytes"),
            Payload::Reader { .. } => "reader".to_owned(),
        }
    }
}

/// Bytes shared between a request and its owner (a transfer's pooled part
/// buffer goes back to its pool when the last holder drops it).
pub(crate) type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Reads a range of a shared buffer, so each attempt resends it uncopied.
struct SharedSlice {
    data: SharedBytes,
    pos: usize,
    end: usize,
}

impl Read for SharedSlice {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.end - self.pos);
        let data: &[u8] = (*self.data).as_ref();
        buf[..n].copy_from_slice(&data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
fn form_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

pub(crate) fn push_query_value(
    query: &mut Vec<(String, String)>,
    key: &str,
    value: serde_json::Value,
) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::String(s) => query.push((key.to_owned(), s)),
        Value::Array(items) => {
            for item in items {
                push_query_value(query, key, item);
            }
        }
        other => query.push((key.to_owned(), other.to_string())),
    }
}

/// The pairs of a typed form body: each set field once (text as is,
/// anything else as JSON text), lists as repeated names, `None`s left out.
#[cfg_attr(not(any(feature = "auth", feature = "files")), allow(dead_code))] // only auth and files operations send form or multipart bodies
pub(crate) fn form_pairs<B: Serialize + ?Sized>(body: &B) -> Result<Vec<(String, String)>, String> {
    match serde_json::to_value(body).map_err(|e| format!("form body: {e}"))? {
        Value::Object(map) => {
            let mut pairs = Vec::new();
            for (k, v) in map {
                push_query_value(&mut pairs, &k, v);
            }
            Ok(pairs)
        }
        other => Err(format!("a form body must be an object, got {other}")),
    }
}

/// `application/x-www-form-urlencoded` text of `pairs`.
pub(crate) fn form_text<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut body = String::new();
    for (k, v) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        form_encode(&mut body, k.as_ref());
        body.push('=');
        form_encode(&mut body, v.as_ref());
    }
    body
}

/// A `multipart/form-data` body of a typed schema: one part per set field
/// (text as is, anything else as JSON text), with a random boundary that
/// occurs in none of the values. Returns the content type and the bytes.
#[cfg_attr(not(any(feature = "auth", feature = "files")), allow(dead_code))] // only auth and files operations send form or multipart bodies
pub(crate) fn multipart<B: Serialize + ?Sized>(body: &B) -> Result<(String, Vec<u8>), String> {
    let pairs = form_pairs(body)?;
    let boundary = loop {
        let candidate = format!(
            "iconik-rs-{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        if !pairs.iter().any(|(_, v)| v.contains(&candidate)) {
            break candidate;
        }
    };
    let mut out = Vec::new();
    for (name, value) in &pairs {
        // a name is a schema's field name; quotes and line breaks are
        // percent-encoded as browsers do, so no header can be injected
        let name = name
            .replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A");
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms_and_multipart() {
        let body = serde_json::json!({"grant_type": "refresh_token", "n": 2, "gone": null, "l": ["a", "b"]});
        let pairs = form_pairs(&body).unwrap();
        assert_eq!(form_text(&pairs), "grant_type=refresh_token&l=a&l=b&n=2");
        let (ct, bytes) =
            multipart(&serde_json::json!({"file_name": "a \"b\".mov", "x\"y": true})).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file_name\"\r\n\r\na \"b\".mov\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"x%22y\"\r\n\r\ntrue\r\n--{boundary}--\r\n"
            )
        );
        assert!(form_pairs(&1).is_err());
    }
}
