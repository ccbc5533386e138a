//! What the bulk sync tests share: an emulator and a client on it, local
//! trees, and a read of the remote tree.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_sync::clock::FakeClock;
use iconik_sync::{Client, Method};
use md5::{Digest, Md5};
use serde_json::{json, Value};

pub struct Env {
    pub emulator: Emulator,
    pub client: Client,
}

/// An emulator without rate limits and a client whose retries wait on a
/// fake clock.
pub fn env() -> Env {
    env_with(EmulatorConfig::new().no_rate_limit())
}

/// [`env`] on an emulator configured by `config`.
pub fn env_with(config: EmulatorConfig) -> Env {
    let emulator = Emulator::start(config).unwrap();
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .clock(Arc::new(FakeClock::new()))
        .build()
        .unwrap();
    Env { emulator, client }
}

/// A fresh empty folder under Cargo's scratch folder for this test binary
/// (`target/tmp`); the next run empties it first, so runs do not pile up.
pub fn scratch(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(format!("{tag}-{}", N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `files` (relative path -> content) under `root`.
pub fn tree(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// The sample tree most tests sync: 7 files in 4 folders, two of them
/// identical, one empty.
pub const SAMPLE: &[(&str, &[u8])] = &[
    ("top.txt", b"top level"),
    ("day1/a.mov", b"aaaa-day1"),
    ("day1/b.mov", b"bbbb-day1-longer"),
    ("day1/cam/c.wav", b"cc"),
    ("day2/a.mov", b"aaaa-day2!"),
    ("day2/copy-of-a.mov", b"aaaa-day1"),
    ("day2/empty.bin", b""),
];

pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a local tree: relative path -> MD5.
pub fn local_files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, md5_hex(&std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

pub fn new_collection(client: &Client, title: &str, parent: Option<&str>) -> String {
    let mut body = json!({ "title": title });
    if let Some(p) = parent {
        body["parent_id"] = json!(p);
    }
    let v: Value = client
        .request(Method::Post, "assets", "/v1/collections/")
        .json(&body)
        .send::<Value>()
        .unwrap()
        .into_data();
    v["id"].as_str().unwrap().to_owned()
}

fn get(client: &Client, service: &str, path: &str) -> Value {
    client
        .request(Method::Get, service.to_owned(), path.to_owned())
        .query("per_page", 500)
        .send::<Value>()
        .unwrap()
        .into_data()
}

fn objects(v: &Value) -> Vec<Value> {
    v["objects"].as_array().cloned().unwrap_or_default()
}

/// The remote tree under `collection`: "folder/title" -> the MD5s of the
/// asset's closed files (an asset twice in one folder shows twice).
pub fn remote_tree(client: &Client, collection: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stack = vec![(collection.to_owned(), String::new())];
    while let Some((id, prefix)) = stack.pop() {
        let listing = get(client, "assets", &format!("/v1/collections/{id}/contents/"));
        for item in objects(&listing) {
            if item["status"] == "DELETED" {
                continue;
            }
            let title = item["title"].as_str().unwrap().to_owned();
            let path = if prefix.is_empty() {
                title
            } else {
                format!("{prefix}/{title}")
            };
            let child = item["id"].as_str().unwrap().to_owned();
            if item["object_type"] == "collections" {
                stack.push((child, path));
            } else {
                let files = get(client, "files", &format!("/v1/assets/{child}/files/"));
                let md5s: Vec<String> = objects(&files)
                    .iter()
                    .filter(|f| f["status"] == "CLOSED")
                    .map(|f| f["checksum"].as_str().unwrap_or("").to_owned())
                    .collect();
                out.entry(path).or_default().push(md5s.join(","));
            }
        }
    }
    out
}

/// What `remote_tree` shows after `SAMPLE` went up.
pub fn sample_remote() -> BTreeMap<String, Vec<String>> {
    SAMPLE
        .iter()
        .map(|(rel, bytes)| (rel.to_string(), vec![md5_hex(bytes)]))
        .collect()
}

/// Objects of a kind the emulator created since its start (or last reset).
pub fn created(emulator: &Emulator, kind: &str) -> u64 {
    emulator.stats().creations.get(kind).copied().unwrap_or(0)
}

/// Storage requests that carried bytes up (PUT/POST with a body).
pub fn storage_puts(emulator: &Emulator) -> usize {
    emulator
        .storage_requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count()
}
