//! GCS resumable uploads on the fake storage: chunks of 256 KiB
//! multiples, a 308 with a short Range, a 500 on a chunk, resume and
//! cancel.

mod transfer_support;

use std::sync::{Arc, Mutex};

use iconik_sync::transfer::{StorageMethod, UploadState};
use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault};

const KIB: usize = 1024;

fn chunk_puts(fake: &Fake) -> Vec<String> {
    fake.storage_requests()
        .into_iter()
        .filter(|s| s.method == "PUT")
        .map(|s| s.header("content-range").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn chunks_carry_content_ranges_and_the_last_one_the_total() {
    let fake = Fake::new("GCS");
    let bytes = data(600 * KIB, 1);
    let path = temp_file("gcs-plain", "a.wav", &bytes);
    let report = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.storage_method, StorageMethod::Gcs);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(report.parts, 3);
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    assert_eq!(
        chunk_puts(&fake),
        vec![
            "bytes 0-262143/*",
            "bytes 262144-524287/*",
            "bytes 524288-614399/614400",
        ]
    );
    let start = &fake.storage_requests()[0];
    assert_eq!(start.method, "POST");
    assert_eq!(start.header("x-goog-resumable"), Some("start"));
    assert_eq!(start.body_len, 0);
    fake.assert_credentials_only_to_the_api();
    assert_eq!(fake.closed(&report.file_id).unwrap().1, md5_hex(&bytes));
}

#[test]
fn a_short_range_resends_from_the_byte_after_it() {
    let fake = Fake::new("GCS");
    let bytes = data(700 * KIB, 2);
    let path = temp_file("gcs-short", "b.wav", &bytes);
    // the 2nd chunk is accepted, but the server keeps only 300 KiB in all
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/gcs-session/",
        query_has: None,
        nth: 2,
        action: Action::ShortRange(300 * KIB as u64),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.md5, md5_hex(&bytes), "MD5 counts each byte once");
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    assert_eq!(
        chunk_puts(&fake),
        vec![
            "bytes 0-262143/*",
            "bytes 262144-524287/*",
            // resumed at 300 KiB: a full chunk, then the rest
            "bytes 307200-569343/*",
            "bytes 569344-716799/716800",
        ]
    );
}

#[test]
fn a_500_on_a_chunk_asks_the_session_and_continues() {
    let fake = Fake::new("GCS");
    let bytes = data(600 * KIB, 3);
    let path = temp_file("gcs-500", "c.wav", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/gcs-session/",
        query_has: None,
        nth: 2,
        action: Action::Status(500),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.retries, 1);
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    assert_eq!(
        chunk_puts(&fake),
        vec![
            "bytes 0-262143/*",
            "bytes 262144-524287/*", // answered 500
            "bytes */614400",        // how much do you have?
            "bytes 262144-524287/*",
            "bytes 524288-614399/614400",
        ]
    );
}

#[test]
fn a_reset_mid_chunk_continues_from_the_session() {
    let fake = Fake::new("GCS");
    let bytes = data(520 * KIB, 4);
    let path = temp_file("gcs-reset", "d.wav", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/gcs-session/",
        query_has: None,
        nth: 1,
        action: Action::ResetMidBody(1000),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
}

#[test]
fn an_interrupted_session_is_resumed_or_cancelled() {
    let fake = Fake::new("GCS");
    let bytes = data(800 * KIB, 5);
    let path = temp_file("gcs-resume", "e.wav", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/gcs-session/",
        query_has: None,
        nth: 2,
        action: Action::Status(503),
    });
    let client =
        fake.client_with(|b| b.rate_limit(iconik_sync::RateLimitConfig::default().max_retries(0)));
    let upload = client.upload(&path).part_size(256 * KIB as u64);
    let state = Arc::new(Mutex::new(UploadState::default()));
    assert_eq!(
        upload.clone().resume(&state).send().unwrap_err().status(),
        Some(503)
    );
    let state_json = serde_json::to_string(&*state.lock().unwrap()).unwrap();
    let state: UploadState = serde_json::from_str(&state_json).unwrap();
    let report = upload.resume(&Arc::new(Mutex::new(state))).send().unwrap();
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    assert_eq!(report.md5, md5_hex(&bytes));
    let puts = chunk_puts(&fake);
    // the resumed call asks first, then sends from byte 256 KiB
    let at = puts.iter().position(|r| r == "bytes */819200").unwrap();
    assert_eq!(puts[at + 1], "bytes 262144-524287/*");

    // a second upload failing in upload() is cancelled on the storage
    let fake = Fake::new("GCS");
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/gcs-session/",
        query_has: None,
        nth: 1,
        action: Action::Status(403),
    });
    assert!(fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send()
        .is_err());
    assert_eq!(fake.state.lock().unwrap().gcs_cancelled.len(), 1);
}

#[test]
fn an_empty_file_is_one_final_request() {
    let fake = Fake::new("GCS");
    let path = temp_file("gcs-empty", "empty.txt", b"");
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.md5, md5_hex(b""));
    assert_eq!(chunk_puts(&fake), vec!["bytes */0"]);
    assert_eq!(fake.object(&report.file_id).unwrap(), b"");
}
