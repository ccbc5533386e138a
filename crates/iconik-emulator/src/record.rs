//! Operability: the per-request log line and the NDJSON request record.

use crate::server::{lock, Request, Shared};
use crate::util::now_iso;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::time::Duration;

/// Headers whose values are never logged or recorded.
const SECRET_HEADERS: &[&str] = &["auth-token", "authorization", "x-bz-upload-token"];

/// What a redacted value is recorded as.
const REDACTED: &str = "<redacted>";

/// Words that make a body field or query parameter a secret, wherever
/// they appear in its name (compared lowercase, without `_`, `-`, `.`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "authorization",
    "cookie",
    "signature",
];

/// True for a field or parameter name that holds a secret: one of
/// [`SECRET_WORDS`], or a key of any kind (`api_key`, `access_key`,
/// `private_key`, `account_key`, `key`).
fn is_secret(name: &str) -> bool {
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_WORDS.iter().any(|w| name.contains(w)) || name.ends_with("key")
}

/// `value` with every secret field (at any depth) replaced by
/// [`REDACTED`], and the credential itself wherever a string echoes it.
fn redact_json(value: Value, credential: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret(&k) {
                        json!(REDACTED)
                    } else {
                        redact_json(v, credential)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| redact_json(v, credential))
                .collect(),
        ),
        Value::String(text) if !credential.is_empty() && text.contains(credential) => {
            Value::String(text.replace(credential, REDACTED))
        }
        other => other,
    }
}

/// A query string with the values of secret parameters redacted.
fn redact_query(query: &str, credential: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret(k) => format!("{k}={REDACTED}"),
            _ if !credential.is_empty() && pair.contains(credential) => {
                pair.replace(credential, REDACTED)
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

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
        let line = record_line(req, path, status, op, ms, &sh.config.auth_token);
        let mut w = lock(rec);
        let _ = writeln!(w, "{line}");
        let _ = w.flush();
    }
}

/// One request as recorded: credentials redacted from headers, and secret
/// fields (passwords, tokens, secrets, keys) from the body and the query,
/// as `--help` promises.
fn record_line(
    req: &Request,
    path: &str,
    status: u16,
    op: &str,
    ms: f64,
    credential: &str,
) -> Value {
    let query = if path.starts_with("/API/") {
        (req.target.split_once('?')).map(|(_, q)| redact_query(q, credential))
    } else {
        None
    };
    let headers: Map<String, Value> = req
        .header_pairs()
        .into_iter()
        .map(|(k, v)| {
            let secret = SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s)) || is_secret(&k);
            let v = if secret { "<redacted>" } else { v.as_str() };
            (k, json!(v))
        })
        .collect();
    let body = if req.body.is_empty() {
        Value::Null
    } else if path.starts_with("/API/") {
        serde_json::from_slice(&req.body)
            .map(|body| redact_json(body, credential))
            .unwrap_or_else(|_| json!({ "bytes": req.body.len() }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_found_whatever_their_case_and_separators() {
        for name in [
            "password",
            "new_password",
            "Password",
            "auth_token",
            "refreshToken",
            "client_secret",
            "secret-key",
            "api_key",
            "access_key",
            "private_key",
            "account_key",
            "key",
            "X-Amz-Signature",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in [
            "title",
            "email",
            "keyframe_id",
            "keywords",
            "name",
            "per_page",
        ] {
            assert!(!is_secret(name), "{name}");
        }
    }

    #[test]
    fn bodies_and_queries_lose_their_secrets_at_any_depth() {
        let body = json!({
            "email": "a@b.c",
            "password": "hunter2",
            "settings": {"bucket": "b", "secret_key": "s3", "access_key": "ak"},
            "tokens": [{"token": "t1"}],
            "note": "echo CRED here",
        });
        let out = redact_json(body, "CRED");
        let text = out.to_string();
        for secret in ["hunter2", "s3", "ak", "t1", "CRED"] {
            assert!(
                !text.contains(&format!("\"{secret}\"")) && !text.contains("CRED"),
                "{text}"
            );
        }
        assert_eq!(out["email"], "a@b.c");
        assert_eq!(out["settings"]["bucket"], "b");
        assert_eq!(out["note"], "echo <redacted> here");
        assert_eq!(
            redact_query("per_page=2&token=abc&x=CRED", "CRED"),
            "per_page=2&token=<redacted>&x=<redacted>"
        );
    }
}
