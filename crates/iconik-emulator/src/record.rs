//! Operability: the per-request log line and the NDJSON request record.

use crate::server::{lock, Request, Shared};
use crate::util::now_iso;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::time::Duration;

/// Headers whose values are never logged or recorded.
const SECRET_HEADERS: &[&str] = &["auth-token", "authorization", "x-bz-upload-token"];

/// Logs and/or records one answered request.
pub(crate) fn observe(sh: &Shared, req: &Request, status: u16, op: &str, took: Duration) {
    let path = req
        .target
        .split_once('?')
        .map_or(req.target.as_str(), |(p, _)| p);
    let ms = took.as_secs_f64() * 1000.0;
    if sh.config.log_requests {
        eprintln!("{} {path} {status} {ms:.1}ms {op}", req.method);
    }
    if let Some(rec) = &sh.recorder {
        let line = record_line(req, path, status, op, ms);
        let mut w = lock(rec);
        let _ = writeln!(w, "{line}");
        let _ = w.flush();
    }
}

fn record_line(req: &Request, path: &str, status: u16, op: &str, ms: f64) -> Value {
    let query = if path.starts_with("/API/") {
        req.target.split_once('?').map(|(_, q)| q.to_string())
    } else {
        None
    };
    let headers: Map<String, Value> = req
        .header_pairs()
        .into_iter()
        .map(|(k, v)| {
            let secret = SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s));
            let v = if secret { "<redacted>" } else { v.as_str() };
            (k, json!(v))
        })
        .collect();
    let body = if req.body.is_empty() {
        Value::Null
    } else if path.starts_with("/API/") {
        serde_json::from_slice(&req.body).unwrap_or_else(|_| json!({ "bytes": req.body.len() }))
    } else {
        json!({ "bytes": req.body.len() })
    };
    json!({
        "time": now_iso(),
        "method": req.method,
        "path": path,
        "query": query,
        "headers": headers,
        "body": body,
        "status": status,
        "ms": (ms * 1000.0).round() / 1000.0,
        "op": op,
    })
}
