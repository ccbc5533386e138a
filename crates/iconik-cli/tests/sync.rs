//! `iconik sync`, the real binary against an emulator started in this
//! process: up and down with a JSON report, a dry run, a run killed with
//! SIGKILL and resumed (no duplicate asset or collection, no finished file
//! sent twice), an unreadable file, a full disk on the way down, and two
//! processes sharing the rate limit through Redis.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{against, stderr, stdout, temp_dir};
use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig};
use serde_json::{json, Value};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().no_rate_limit()).expect("emulator")
}

/// Bytes unique to `seed`.
fn contents(size: usize, seed: u32) -> Vec<u8> {
    let mut x = 0x9E37_79B9u32 ^ seed.wrapping_mul(0x85EB_CA6B);
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// `n` files of `size` bytes spread over `folders` folders (and one at
/// the top); returns relative path -> bytes.
fn make_tree(root: &Path, n: u32, folders: u32, size: usize) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for i in 0..n {
        let rel = if i == 0 {
            "top.bin".to_owned()
        } else {
            format!("f{:02}/sub{}/file{i:03}.bin", i % folders, i % 2)
        };
        let bytes = contents(size + i as usize, i);
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        files.insert(rel, bytes);
    }
    files
}

fn md5_hex(bytes: &[u8]) -> String {
    iconik_sync::checksum::md5_reader(bytes).unwrap()
}

fn api(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> Value {
    let client = iconik_sync::Client::builder()
        .app_id(emu.app_id())
        .auth_token(emu.auth_token())
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let (service, path) = path.split_once('/').unwrap();
    let path = format!("/{path}");
    let (path, query) = path.split_once('?').unwrap_or((&path, ""));
    let method = if method == "POST" {
        iconik_sync::Method::Post
    } else {
        iconik_sync::Method::Get
    };
    let mut req = client.request(method, service.to_owned(), path.to_owned());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        req = req.query(k, v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send::<Value>().unwrap().into_data()
}

fn new_collection(emu: &Emulator, title: &str) -> String {
    let v = api(
        emu,
        "POST",
        "assets/v1/collections/",
        Some(json!({ "title": title })),
    );
    v["id"].as_str().unwrap().to_owned()
}

/// The remote tree: "folder/title" -> the MD5 of each asset's closed
/// files, one entry per asset.
fn remote_tree(emu: &Emulator, collection: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stack = vec![(collection.to_owned(), String::new())];
    while let Some((id, prefix)) = stack.pop() {
        let listing = api(
            emu,
            "GET",
            &format!("assets/v1/collections/{id}/contents/?per_page=500"),
            None,
        );
        for item in listing["objects"].as_array().unwrap() {
            let title = item["title"].as_str().unwrap();
            let path = if prefix.is_empty() {
                title.to_owned()
            } else {
                format!("{prefix}/{title}")
            };
            let child = item["id"].as_str().unwrap().to_owned();
            if item["object_type"] == "collections" {
                stack.push((child, path));
            } else {
                let files = api(
                    emu,
                    "GET",
                    &format!("files/v1/assets/{child}/files/?per_page=500"),
                    None,
                );
                let md5s: Vec<&str> = files["objects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["status"] == "CLOSED")
                    .map(|f| f["checksum"].as_str().unwrap_or(""))
                    .collect();
                out.entry(path).or_default().push(md5s.join(","));
            }
        }
    }
    out
}

fn expected(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<String>> {
    files
        .iter()
        .map(|(k, v)| (k.clone(), vec![md5_hex(v)]))
        .collect()
}

fn report(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn sync_up_then_down_round_trips_with_a_json_report() {
    let emu = emulator();
    let local = temp_dir();
    let files = make_tree(&local, 12, 3, 1000);
    let target = new_collection(&emu, "Rushes");

    let out = against(&emu)
        .args(["sync"])
        .arg(&local)
        .args(["--to-collection", &target, "-j", "3", "--exclude", "*.tmp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["direction"], "up");
    assert_eq!(r["transferred"]["files"], 12, "{r}");
    assert_eq!(r["folders_created"], 9, "3 folders with 2 sub-folders each");
    assert_eq!(remote_tree(&emu, &target), expected(&files));
    assert!(
        stderr(&out).contains("synced f01/sub1/file001.bin"),
        "{}",
        stderr(&out)
    );

    let export = temp_dir().join("export");
    let out = against(&emu)
        .args(["sync", "--from-collection", &target])
        .arg(&export)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(report(&out)["transferred"]["files"], 12);
    for (rel, bytes) in &files {
        assert_eq!(&std::fs::read(export.join(rel)).unwrap(), bytes, "{rel}");
    }
}

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let emu = emulator();
    let local = temp_dir();
    make_tree(&local, 5, 2, 10);
    let target = new_collection(&emu, "Rushes");
    emu.reset_stats();
    let out = against(&emu)
        .args(["sync"])
        .arg(&local)
        .args(["--to-collection", &target, "--dry-run", "--dedupe", "md5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["planned"]["files"], 5, "{r}");
    assert!(r["plan"].as_array().unwrap().len() >= 5 + 4, "{r}");
    assert!(emu.stats().creations.is_empty());
    assert!(emu.storage_requests().is_empty());
}

/// Done records in a journal.
fn done_records(journal: &Path) -> Vec<Value> {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["kind"] == "done" && v["ended"] == "transferred")
        .collect()
}

/// Starts `iconik sync` up as a child process (not waited for).
fn spawn_sync(emu: &Emulator, local: &Path, target: &str, journal: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_iconik"))
        .env("ICONIK_BASE_URL", emu.base_url())
        .env("ICONIK_APP_ID", emu.app_id())
        .env("ICONIK_AUTH_TOKEN", emu.auth_token())
        .env("ICONIK_CONFIG", temp_dir().join("absent.toml"))
        .arg("sync")
        .arg(local)
        .args(["--to-collection", target, "-j", "3", "--journal"])
        .arg(journal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_sync_killed_with_sigkill_resumes_without_duplicates_or_resent_bytes() {
    // kill after a few files, after many, and during the large file
    for (kill_after, tag) in [(2usize, "early"), (15, "late"), (0, "mid-file")] {
        let emu = emulator();
        let local = temp_dir();
        let mut files = make_tree(&local, 30, 4, 2000);
        if kill_after == 0 {
            // 21 MiB: two parts at the default 16 MiB part size
            let big = contents(21 * 1024 * 1024, 999);
            std::fs::write(local.join("big.bin"), &big).unwrap();
            files.insert("big.bin".into(), big);
        }
        let target = new_collection(&emu, "Rushes");
        let journal = temp_dir().join("sync.journal");
        emu.set_faults(FaultConfig::none().latency(Duration::from_millis(15)));

        let mut child = spawn_sync(&emu, &local, &target, &journal);
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{tag}: never reached the kill point"
            );
            let reached = if kill_after == 0 {
                emu.storage_requests()
                    .iter()
                    .any(|r| r.method == "PUT" && r.target.contains("partNumber="))
            } else {
                done_records(&journal).len() >= kill_after
            };
            if reached {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{tag}: the sync ended ({status}) before the kill point");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // what the killed process had on the wire lands (or not) first
        std::thread::sleep(Duration::from_millis(300));
        let finished: BTreeSet<String> = done_records(&journal)
            .iter()
            .map(|d| d["md5"].as_str().unwrap().to_owned())
            .collect();
        emu.set_faults(FaultConfig::default());

        let out = against(&emu)
            .args(["sync"])
            .arg(&local)
            .args(["--to-collection", &target, "-j", "3", "--journal"])
            .arg(&journal)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{tag}: {}", stderr(&out));

        // the same result as one uninterrupted run: each file once
        assert_eq!(remote_tree(&emu, &target), expected(&files), "{tag}");
        let folders: BTreeSet<String> = files
            .keys()
            .filter_map(|k| Path::new(k).parent())
            .flat_map(|p| p.ancestors().map(|a| a.to_string_lossy().into_owned()))
            .filter(|p| !p.is_empty())
            .collect();
        let collections = emu.stats().creations.get("collections").copied();
        assert_eq!(
            collections,
            Some(folders.len() as u64 + 1),
            "{tag}: no collection twice"
        );
        // no finished file's bytes were stored twice
        let stored: Vec<String> = emu.uploads().iter().map(|u| u.md5_hex()).collect();
        for md5 in &finished {
            let times = stored.iter().filter(|m| *m == md5).count();
            assert_eq!(times, 1, "{tag}: a finished file was sent again");
        }
    }
}

/// Whether this process runs as root (file modes do not stop root).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn an_unreadable_file_fails_alone_and_the_exit_code_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let emu = emulator();
    let local = temp_dir();
    make_tree(&local, 4, 2, 100);
    let secret = local.join("secret.bin");
    std::fs::write(&secret, b"no reading").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let target = new_collection(&emu, "Rushes");
    let mut cmd = if is_root() {
        // as nobody, so the mode applies (the rest of the tree stays readable)
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_iconik"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_iconik"))
    };
    for entry in walk(&local) {
        let mode = if entry.is_dir() { 0o755 } else { 0o644 };
        if entry != secret {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let out = cmd
        .env("ICONIK_BASE_URL", emu.base_url())
        .env("ICONIK_APP_ID", emu.app_id())
        .env("ICONIK_AUTH_TOKEN", emu.auth_token())
        .env("ICONIK_CONFIG", "/nonexistent/iconik.toml")
        .arg("sync")
        .arg(&local)
        .args(["--to-collection", &target])
        .output()
        .unwrap();
    let r = report(&out);
    assert_eq!(
        out.status.code(),
        Some(6),
        "a local failure: {}",
        stderr(&out)
    );
    assert_eq!(r["transferred"]["files"], 4, "{r}");
    assert_eq!(r["failed"]["files"], 1, "{r}");
    let failure = &r["failures"][0];
    assert_eq!(failure["path"], "secret.bin");
    assert_eq!(failure["kind"], "local");
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("ermission denied"),
        "{failure}"
    );
    assert!(
        stderr(&out).contains("failed secret.bin"),
        "{}",
        stderr(&out)
    );
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

#[test]
fn a_full_disk_on_the_way_down_fails_the_files_that_do_not_fit() {
    let emu = emulator();
    let local = temp_dir();
    let files = make_tree(&local, 6, 1, 150 * 1024);
    let target = new_collection(&emu, "Rushes");
    let up = against(&emu)
        .arg("sync")
        .arg(&local)
        .args(["--to-collection", &target])
        .output()
        .unwrap();
    assert_eq!(up.status.code(), Some(0), "{}", stderr(&up));

    // a 512 KiB file system: three of the six files fit
    let mount = temp_dir();
    let script = format!(
        "mount -t tmpfs -o size=512k tmpfs '{}' && exec \"$0\" \"$@\"",
        mount.display()
    );
    let probe = Command::new("unshare")
        .args(["-Urm", "sh", "-c", &script, "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: this machine cannot mount a small tmpfs (unshare -Urm)");
        return;
    }
    let out = Command::new("unshare")
        .args(["-Urm", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_iconik"))
        .env("ICONIK_BASE_URL", emu.base_url())
        .env("ICONIK_APP_ID", emu.app_id())
        .env("ICONIK_AUTH_TOKEN", emu.auth_token())
        .env("ICONIK_CONFIG", "/nonexistent/iconik.toml")
        .args(["sync", "--from-collection", &target, "-j", "1"])
        .arg(&mount)
        .output()
        .unwrap();
    let r = report(&out);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let done = r["transferred"]["files"].as_u64().unwrap();
    let failed = r["failed"]["files"].as_u64().unwrap();
    assert_eq!(done + failed, files.len() as u64, "{r}");
    assert!(done >= 1 && failed >= 1, "{r}");
    for f in r["failures"].as_array().unwrap() {
        assert!(
            f["message"].as_str().unwrap().contains("disk is full"),
            "{f}"
        );
    }
}
