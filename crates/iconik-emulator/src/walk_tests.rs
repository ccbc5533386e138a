//! Walks all 1002 operations of the spec against a running emulator with
//! valid requests, and checks that each answers the status the spec
//! documents and that its body validates against the response schema.

use crate::schema::{check_any, example_body, EXAMPLE_UUID};
use crate::spec::{is_uuid_param, spec, Op, Seg};
use crate::{Emulator, EmulatorConfig};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Answer {
    status: u16,
    body: Vec<u8>,
}

/// One request on a fresh connection (`Connection: close`), read to EOF.
fn call(emu: &Emulator, method: &str, path: &str, body: Option<&[u8]>) -> Answer {
    let host = emu.base_url().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nApp-ID: {}\r\nAuth-Token: {}\r\nConnection: close\r\n",
        emu.app_id(),
        emu.auth_token()
    );
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut raw = req.into_bytes();
    raw.extend_from_slice(body.unwrap_or_default());
    s.write_all(&raw).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("status");
    Answer {
        status,
        body: out[split + 4..].to_vec(),
    }
}

fn fill(template: &str, values: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for seg in template.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        match seg.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(name) => out.push_str(&values[name]),
            None => out.push_str(seg),
        }
    }
    out.push('/');
    out
}

/// Sample ids the seed data provides, used for these parameter and body
/// field names in the core services.
const KNOWN: &[(&str, &str)] = &[
    ("asset_id", crate::SAMPLE_ASSET_IDS[0]),
    ("collection_id", crate::SAMPLE_COLLECTION_ID),
    ("format_id", crate::SAMPLE_FORMAT_IDS[0]),
    ("file_set_id", crate::SAMPLE_FILE_SET_IDS[0]),
    ("file_id", crate::SAMPLE_FILE_IDS[0]),
    ("storage_id", crate::SAMPLE_STORAGE_ID),
    ("view_id", crate::SAMPLE_VIEW_ID),
    ("field_name", crate::SAMPLE_FIELD_NAMES[0]),
    ("object_type", "assets"),
    ("object_id", crate::SAMPLE_ASSET_IDS[1]),
    ("source_asset_id", crate::SAMPLE_ASSET_IDS[2]),
    ("purpose", "FILES"),
];

/// Collections whose sample objects the core services' parameters use.
const CANONICAL: &[&str] = &[
    "/v1/assets/",
    "/v1/collections/",
    "/v1/assets/{asset_id}/formats/",
    "/v1/assets/{asset_id}/file_sets/",
    "/v1/assets/{asset_id}/files/",
    "/v1/storages/",
    "/v1/views/",
    "/v1/fields/",
    "/v1/",
    "/v1/assets/{asset_id}/",
];

fn known(name: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

fn body_for(op: &Op) -> Option<Vec<u8>> {
    if !op.json_body() {
        return None;
    }
    let sc = spec().schemas(&op.service);
    let mut ex = example_body(sc, &op.body[0]);
    static UNIQUE: AtomicUsize = AtomicUsize::new(0);
    for (k, v) in ex.iter_mut() {
        let placeholder = v
            .as_str()
            .is_some_and(|s| s == "example" || s == EXAMPLE_UUID);
        if let (Some(id), true) = (known(k), placeholder) {
            *v = Value::String(id.to_string());
        } else if v.as_str() == Some("example") {
            // Names are unique per request (fields refuse a duplicate name).
            let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
            *v = Value::String(format!("example_{n}"));
        }
    }
    Some(serde_json::to_vec(&Value::Object(ex)).unwrap())
}

struct Walker {
    emu: Emulator,
    /// (service, collection template) -> id created there.
    created: HashMap<(String, String), Option<String>>,
}

impl Walker {
    /// Values for every path parameter of `op`: the sample ids in the core
    /// services, else an object created through the collection the parameter
    /// indexes, else a well-formed placeholder.
    fn params(&mut self, op: &Op) -> HashMap<String, String> {
        let core = ["assets", "files", "metadata", "jobs"].contains(&op.url_service.as_str());
        let mut values = HashMap::new();
        let mut prefix = String::new();
        let n = op.segs.len();
        for (i, seg) in op.segs.iter().enumerate() {
            match seg {
                Seg::Lit(l) => prefix.push_str(&format!("/{l}")),
                Seg::Param(name) => {
                    let collection = format!("{prefix}/");
                    // A write or delete changes an object made for it, not a
                    // sample the other operations rely on.
                    let doomed =
                        matches!(op.method.as_str(), "PUT" | "PATCH" | "DELETE") && i + 1 == n;
                    let canonical = CANONICAL.contains(&collection.as_str()) && !doomed;
                    let v = match known(name) {
                        Some(v)
                            if (core && canonical)
                                || name == "object_type"
                                || name == "purpose" =>
                        {
                            Some(v.to_string())
                        }
                        _ => self.create(&op.url_service, &collection, &values),
                    };
                    let v = v
                        .or_else(|| known(name).map(str::to_string))
                        .unwrap_or_else(|| {
                            if is_uuid_param(name) || name.ends_with("_id") {
                                "d0d00000-0000-4000-8000-00000000000a".to_string()
                            } else {
                                "example".to_string()
                            }
                        });
                    values.insert(name.clone(), v);
                    prefix.push_str(&format!("/{{{name}}}"));
                }
            }
        }
        values
    }

    fn create(
        &mut self,
        service: &str,
        collection: &str,
        values: &HashMap<String, String>,
    ) -> Option<String> {
        let key = (service.to_string(), collection.to_string());
        if let Some(v) = self.created.get(&key) {
            return v.clone();
        }
        let post = spec().find(service, "POST", collection)?;
        let path = format!("/API/{service}{}", fill(collection, values));
        let a = call(&self.emu, "POST", &path, body_for(post).as_deref());
        let v: Option<Value> = serde_json::from_slice(&a.body).ok();
        // Versions answer the asset's version list: the new one is last.
        let id = v
            .as_ref()
            .and_then(|v| {
                v.get("id").or_else(|| {
                    v.get("versions")
                        .and_then(Value::as_array)
                        .and_then(|a| a.last())
                        .and_then(|l| l.get("id"))
                })
            })
            .and_then(Value::as_str)
            .map(str::to_string);
        self.created.insert(key, id.clone());
        id
    }
}

#[test]
fn every_operation_answers_valid_requests_with_schema_valid_bodies() {
    let emu = Emulator::start(EmulatorConfig::new().no_rate_limit().seed_data(true)).unwrap();
    // Metadata values exist for the objects the reads below name (reading a
    // view of an object without values is a 404 on iconik too).
    let values =
        br#"{"metadata_values": {"emulator_description": {"field_values": [{"value": "x"}]}}}"#;
    for (ot, oid) in [
        ("assets", crate::SAMPLE_ASSET_IDS[0]),
        ("assets", crate::SAMPLE_ASSET_IDS[1]),
    ] {
        let path = format!(
            "/API/metadata/v1/{ot}/{oid}/views/{}/",
            crate::SAMPLE_VIEW_ID
        );
        assert_eq!(call(&emu, "PUT", &path, Some(values)).status, 200);
    }
    let mut w = Walker {
        emu,
        created: HashMap::new(),
    };
    let mut ops: Vec<&Op> = spec().ops.iter().collect();
    // Reads first, deletes last (deepest paths first), so nothing is removed
    // before it is used.
    let rank = |m: &str| match m {
        "GET" => 0,
        "DELETE" => 2,
        _ => 1,
    };
    ops.sort_by_key(|o| {
        let depth = if o.method == "DELETE" {
            usize::MAX - o.segs.len()
        } else {
            0
        };
        (rank(&o.method), depth, o.op.clone())
    });
    let mut failures = Vec::new();
    for op in &ops {
        if op.method == "DELETE" {
            // Each delete gets a fresh object of its own.
            w.created.clear();
        }
        let values = w.params(op);
        let path = format!("/API/{}{}", op.url_service, fill(&op.path, &values));
        let a = call(&w.emu, &op.method, &path, body_for(op).as_deref());
        // The sample files are on the S3 storage: B2 large-file operations
        // refuse them (tests/storage.rs runs them on a B2 file).
        if op.path.contains("/multipart/b2/") {
            if a.status != 400 {
                failures.push(format!(
                    "{} {path} -> {} (expected 400)",
                    op.method, a.status
                ));
            }
            continue;
        }
        // Not only the class: the very status the spec documents.
        if a.status != op.success {
            failures.push(format!(
                "{} {} -> {} (spec: {}) {}",
                op.method,
                path,
                a.status,
                op.success,
                String::from_utf8_lossy(&a.body)
            ));
            continue;
        }
        if op.response.is_empty() || a.status == 204 {
            continue;
        }
        if a.body.is_empty() {
            failures.push(format!("{} {path} -> {} with no body", op.method, a.status));
            continue;
        }
        let v: Value = match serde_json::from_slice(&a.body) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{} {} -> invalid JSON: {e}", op.method, path));
                continue;
            }
        };
        let errs = check_any(spec().schemas(&op.service), &op.response, &v, false);
        if !errs.is_empty() {
            failures.push(format!(
                "{} {} -> {:?} does not validate: {errs:?}",
                op.method, path, op.response
            ));
        }
    }
    assert_eq!(ops.len(), 1002);
    assert!(
        failures.is_empty(),
        "{} of 1002 failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
