//! The upload/download client against the emulator's fake storages, for
//! every storage method iconik hands out: a generated file goes up and
//! comes back with the same MD5, the file record ends CLOSED with its size
//! and checksum, no storage request carries iconik's credentials, no part
//! is stored twice, and a fault aimed at one storage request is retried
//! (and counted in the report).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use iconik_emulator::{Emulator, EmulatorConfig, StorageFault, StorageFaultAction, StorageRequest};
use iconik_sync::clock::FakeClock;
use iconik_sync::transfer::{StorageMethod, UploadReport, UploadState};
use iconik_sync::{Client, Method};
use md5::{Digest, Md5};
use serde_json::Value;

const MIB: u64 = 1024 * 1024;
/// The part size every multipart test sets (S3's minimum part).
const PART: u64 = 5 * MIB;

/// An emulator and a client on it whose retries wait on a fake clock.
struct Env {
    emulator: Emulator,
    client: Client,
}

fn env() -> Env {
    let emulator = Emulator::start(EmulatorConfig::new().no_rate_limit()).unwrap();
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .clock(Arc::new(FakeClock::new()))
        .build()
        .unwrap();
    Env { emulator, client }
}

/// A file of `size` deterministic pseudo-random bytes.
fn generated(name: &str, size: u64) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("transfer_emulator");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    let mut bytes = Vec::with_capacity(size as usize);
    while (bytes.len() as u64) < size {
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(size as usize);
    std::fs::write(&path, &bytes).unwrap();
    path
}

fn md5_of(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id of the seeded storage whose `method` is `method`.
fn storage_id(client: &Client, method: &str) -> String {
    let page: Value = client
        .request(Method::Get, "files", "/v1/storages/")
        .send::<Value>()
        .unwrap()
        .into_data();
    let objects = page["objects"].as_array().expect("storages listed");
    objects
        .iter()
        .find(|s| s["method"] == method)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no {method} storage in {objects:?}"))
        .to_string()
}

/// What one round trip is expected to look like.
struct Case {
    method: &'static str,
    size: u64,
    /// Requests carrying content that the fake kept for the object (a
    /// part stored and then sent again counts twice, its bytes once).
    parts: usize,
    fault: StorageFault,
    /// Retries the report must count for the fault.
    retries: u32,
}

/// Uploads a generated file to the `case.method` storage with the fault
/// armed, checks everything the contract promises, downloads it back;
/// returns the report and every storage request.
fn round_trip(case: Case) -> (UploadReport, Vec<StorageRequest>) {
    let Env { emulator, client } = env();
    let storage = storage_id(&client, case.method);
    let name = format!("{}-{}.bin", case.method.to_lowercase(), case.size);
    let path = generated(&name, case.size);
    let source_md5 = md5_of(&path);
    emulator.add_storage_fault(case.fault);

    let report = client
        .upload(&path)
        .storage_id(&storage)
        .part_size(PART)
        .send()
        .unwrap();
    assert_eq!(report.storage_id, storage);
    assert_eq!(
        report.storage_method,
        StorageMethod::parse(case.method).unwrap()
    );
    assert_eq!(report.size, case.size);
    assert_eq!(report.md5, source_md5);
    assert_eq!(report.retries, case.retries, "retries of {}", case.method);

    // the fake stored exactly the file, once, in the expected requests
    let uploads = emulator.uploads();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0].bytes.len() as u64, case.size, "no part twice");
    assert_eq!(uploads[0].md5_hex(), source_md5);
    assert_eq!(uploads[0].parts, case.parts, "content requests kept");

    // the record is closed with size and checksum
    let record: Value = client
        .request(
            Method::Get,
            "files",
            "/v1/assets/{asset_id}/files/{file_id}/",
        )
        .path_param(&report.asset_id)
        .path_param(&report.file_id)
        .send::<Value>()
        .unwrap()
        .into_data();
    assert_eq!(record["status"], "CLOSED", "{record}");
    assert_eq!(record["size"].as_u64(), Some(case.size), "{record}");
    assert_eq!(record["checksum"].as_str(), Some(source_md5.as_str()));

    // back down, to a fresh name
    let dest = path.with_extension("down");
    let _ = std::fs::remove_file(&dest);
    let down = client
        .download(&report.asset_id, &report.file_id, &dest)
        .send()
        .unwrap();
    assert_eq!(down.size, case.size);
    assert!(down.checksum_verified);
    assert_eq!(down.md5, source_md5);
    assert_eq!(md5_of(&dest), source_md5);

    // iconik's credentials never went to a storage URL
    let requests = emulator.storage_requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(r.header("App-ID"), None, "{} {}", r.method, r.target);
        assert_eq!(r.header("Auth-Token"), None, "{} {}", r.method, r.target);
    }
    let _ = std::fs::remove_file(&dest);
    let _ = std::fs::remove_file(&path);
    (report, requests)
}

#[test]
fn s3_single_put_reset_is_retried() {
    let (report, _) = round_trip(Case {
        method: "S3",
        size: MIB + 17,
        parts: 1,
        fault: StorageFault::new(StorageFaultAction::Reset).method("PUT"),
        retries: 1,
    });
    assert_eq!(report.parts, 1);
}

#[test]
fn s3_multipart_part_answered_500_is_retried() {
    let (report, _) = round_trip(Case {
        method: "S3",
        size: 2 * PART + 123,
        parts: 3,
        fault: StorageFault::new(StorageFaultAction::Status(500))
            .method("PUT")
            .target_contains("partNumber=")
            .nth(2),
        retries: 1,
    });
    assert_eq!(report.parts, 3);
}

#[test]
fn s3_multipart_part_stored_then_reset_is_not_stored_twice() {
    let (_, requests) = round_trip(Case {
        method: "S3",
        size: 2 * PART + 1,
        // part 1 stored, its answer lost, sent again: replaced, not added
        parts: 4,
        // part 1 by name: parts go in parallel, the first to arrive may be
        // any of them
        fault: StorageFault::new(StorageFaultAction::AfterApplyReset)
            .method("PUT")
            .target_contains("partNumber=1&")
            .nth(1),
        retries: 1,
    });
    let part_one = requests
        .iter()
        .filter(|r| r.method == "PUT" && r.target.contains("partNumber=1&"))
        .count();
    assert_eq!(part_one, 2, "part 1 sent twice, stored once");
}

#[test]
fn gcs_resumable_short_range_is_resent() {
    let (report, requests) = round_trip(Case {
        method: "GCS",
        size: 2 * PART + 1000,
        // the session kept 256 KiB less of the first chunk: the client
        // continues from the Range it answered, so the next chunk starts
        // there and the last one carries the rest
        parts: 3,
        fault: StorageFault::new(StorageFaultAction::ShortRange(256 * 1024))
            .method("PUT")
            .nth(1),
        retries: 0,
    });
    assert_eq!(report.storage_method, StorageMethod::Gcs);
    let kept = PART - 256 * 1024;
    let ranges: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "PUT")
        .filter_map(|r| r.header("Content-Range"))
        .collect();
    assert!(
        ranges[1].starts_with(&format!("bytes {kept}-")),
        "{ranges:?}"
    );
}

#[test]
fn gcs_resumable_chunk_answered_500_is_retried() {
    round_trip(Case {
        method: "GCS",
        size: PART + 1,
        parts: 2,
        fault: StorageFault::new(StorageFaultAction::Status(503))
            .method("PUT")
            .nth(2),
        retries: 1,
    });
}

#[test]
fn azure_block_blob_reset_mid_block_is_retried() {
    let (report, requests) = round_trip(Case {
        method: "AZURE",
        size: 2 * PART + 5,
        parts: 3,
        fault: StorageFault::new(StorageFaultAction::ResetMidBody)
            .method("PUT")
            .target_contains("comp=block&")
            .nth(2),
        retries: 1,
    });
    assert_eq!(report.parts, 3);
    let broken: Vec<_> = requests.iter().filter(|r| r.status == 0).collect();
    assert_eq!(broken.len(), 1, "one block broken off mid-body");
}

#[test]
fn s3_multipart_reset_mid_part_is_retried() {
    let (_, requests) = round_trip(Case {
        method: "S3",
        size: 3 * PART,
        parts: 3,
        fault: StorageFault::new(StorageFaultAction::ResetMidBody)
            .method("PUT")
            .target_contains("partNumber=3&"),
        retries: 1,
    });
    let part_three: Vec<u16> = requests
        .iter()
        .filter(|r| r.target.contains("partNumber=3&"))
        .map(|r| r.status)
        .collect();
    assert_eq!(part_three, [0, 200]);
}

#[test]
fn b2_small_answered_500_is_retried() {
    round_trip(Case {
        method: "B2",
        size: MIB,
        parts: 1,
        fault: StorageFault::new(StorageFaultAction::Status(500)).method("POST"),
        retries: 1,
    });
}

#[test]
fn b2_large_part_answered_500_is_retried() {
    let (report, _) = round_trip(Case {
        method: "B2",
        size: 2 * PART + 99,
        parts: 3,
        fault: StorageFault::new(StorageFaultAction::Status(500))
            .method("POST")
            .target_contains("b2-parts")
            .nth(3),
        retries: 1,
    });
    assert_eq!(report.parts, 3);
}

#[test]
fn file_storage_put_answered_503_is_retried() {
    round_trip(Case {
        method: "FILE",
        size: 3 * MIB + 7,
        parts: 1,
        fault: StorageFault::new(StorageFaultAction::Status(503)).method("PUT"),
        retries: 1,
    });
}

#[test]
fn download_resumes_after_a_truncated_body() {
    let Env { emulator, client } = env();
    let storage = storage_id(&client, "S3");
    let path = generated("truncated.bin", 3 * MIB + 11);
    let report = client.upload(&path).storage_id(&storage).send().unwrap();
    emulator.add_storage_fault(StorageFault::new(StorageFaultAction::Truncate).method("GET"));
    let dest = path.with_extension("down");
    let _ = std::fs::remove_file(&dest);
    let down = client
        .download(&report.asset_id, &report.file_id, &dest)
        .send()
        .unwrap();
    assert_eq!(down.resumes, 1);
    assert!(down.checksum_verified);
    assert_eq!(md5_of(&dest), report.md5);
    let gets: Vec<_> = emulator
        .storage_requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(gets.len(), 2, "{gets:?}");
    assert!(gets[1].header("Range").is_some_and(|r| r != "bytes=0-"));
    let _ = std::fs::remove_file(&dest);
    let _ = std::fs::remove_file(&path);
}

/// The same upload through iconik-async lands the same object and the
/// same record as through iconik-sync.
#[test]
fn async_upload_matches_sync() {
    let Env { emulator, client } = env();
    let storage = storage_id(&client, "S3");
    let path = generated("parity.bin", 2 * PART + 3);
    let sync = client
        .upload(&path)
        .storage_id(&storage)
        .part_size(PART)
        .send()
        .unwrap();

    let aclient = iconik_async::Client::from_sync(client.clone(), 2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let asynced = rt
        .block_on(
            aclient
                .upload(&path)
                .storage_id(&storage)
                .part_size(PART)
                .send(),
        )
        .unwrap();

    assert_ne!(sync.asset_id, asynced.asset_id);
    assert_eq!(
        (sync.size, &sync.md5, sync.storage_method, sync.parts),
        (
            asynced.size,
            &asynced.md5,
            asynced.storage_method,
            asynced.parts
        )
    );
    let uploads = emulator.uploads();
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].bytes, uploads[1].bytes);
    assert_eq!(uploads[0].parts, uploads[1].parts);

    // the same storage requests, in the same order, modulo ids
    let shape = |method: &str, target: &str| {
        let path = target.split('?').next().unwrap_or("");
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let query: Vec<&str> = target
            .split_once('?')
            .map(|(_, q)| {
                q.split('&')
                    .map(|kv| kv.split('=').next().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        format!("{method} {} {query:?}", last.len().min(1))
    };
    let requests: Vec<String> = emulator
        .storage_requests()
        .iter()
        .map(|r| shape(&r.method, &r.target))
        .collect();
    let (a, b) = requests.split_at(requests.len() / 2);
    assert_eq!(a, b);

    let dest = path.with_extension("down");
    let _ = std::fs::remove_file(&dest);
    let down = rt
        .block_on(
            aclient
                .download(&asynced.asset_id, &asynced.file_id, &dest)
                .send(),
        )
        .unwrap();
    assert!(down.checksum_verified);
    assert_eq!(md5_of(&dest), sync.md5);
    let _ = std::fs::remove_file(&dest);
    let _ = std::fs::remove_file(&path);
}

/// An S3 multipart upload whose last part keeps failing stops with its
/// state kept; called again with that state it sends only what is missing.
#[test]
fn resumable_upload_continues_from_the_parts_stored() {
    let Env { emulator, client } = env();
    let storage = storage_id(&client, "S3");
    let path = generated("resume.bin", 2 * PART + 77);
    let upload = client
        .upload(&path)
        .storage_id(&storage)
        .part_size(PART)
        .parallelism(1);
    emulator.add_storage_fault(
        StorageFault::new(StorageFaultAction::Status(503))
            .method("PUT")
            .target_contains("partNumber=3&")
            .times(1000),
    );
    let state = Arc::new(Mutex::new(UploadState::default()));
    let err = upload.clone().resume(&state).send().unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(emulator.uploads().is_empty());
    let sent_before = emulator.storage_requests().len();

    emulator.clear_storage_faults();
    let report = upload.resume(&state).send().unwrap();
    assert_eq!(report.md5, md5_of(&path));
    let uploads = emulator.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].md5_hex(), report.md5);

    // the second call sent part 3 only, then completed
    let after = &emulator.storage_requests()[sent_before..];
    let parts: Vec<&str> = after
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.target.as_str())
        .collect();
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert!(parts[0].contains("partNumber=3&"));
    let _ = std::fs::remove_file(&path);
}

/// A failed upload releases its storage session: S3's multipart upload is
/// aborted (and nothing is stored).
#[test]
fn failed_multipart_upload_is_aborted() {
    let Env { emulator, client } = env();
    let storage = storage_id(&client, "S3");
    let path = generated("abort.bin", 2 * PART + 5);
    emulator.add_storage_fault(
        StorageFault::new(StorageFaultAction::Status(503))
            .method("PUT")
            .target_contains("partNumber=2&")
            .times(1000),
    );
    let err = client
        .upload(&path)
        .storage_id(&storage)
        .part_size(PART)
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    let deletes: Vec<_> = emulator
        .storage_requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0].status, 204);
    assert!(deletes[0].target.contains("uploadId="));
    assert!(emulator.uploads().is_empty());
    let _ = std::fs::remove_file(&path);
}
