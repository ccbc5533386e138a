//! S3 uploads end to end on the fake storage: single PUT, multipart with
//! faults, cleanup on failure, resume from the parts already stored.

mod transfer_support;

use std::sync::{Arc, Mutex};

use iconik_sync::transfer::{StorageMethod, UploadState};
use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault};

const MIB: usize = 1024 * 1024;

#[test]
fn single_put_round_trips_and_closes_the_file() {
    let fake = Fake::new("S3");
    let bytes = data(300_000, 1);
    let path = temp_file("s3-single", "clip.mov", &bytes);
    let client = fake.client();
    let report = client.upload(&path).send().unwrap();

    assert_eq!(report.storage_method, StorageMethod::S3);
    assert_eq!(report.size, bytes.len() as u64);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!((report.parts, report.retries), (1, 0));
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    assert_eq!(
        fake.closed(&report.file_id),
        Some((bytes.len() as u64, md5_hex(&bytes)))
    );
    assert_eq!(fake.state.lock().unwrap().titles, vec!["clip.mov"]);

    // exactly one storage request: the PUT, with iconik's upload header
    let storage = fake.storage_requests();
    assert_eq!(storage.len(), 1);
    let put = &storage[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.path, format!("/storage/s3/{}", report.file_id));
    assert_eq!(put.header("x-amz-acl"), Some("private"));
    assert_eq!(put.header("content-length"), Some("300000"));
    assert_eq!(put.body_md5, md5_hex(&bytes));
    fake.assert_credentials_only_to_the_api();

    // and back: same bytes, checksum verified
    let dest = path.with_file_name("back.mov");
    let back = client
        .download(&report.asset_id, &report.file_id, &dest)
        .send()
        .unwrap();
    assert!(back.checksum_verified);
    assert_eq!(back.md5, report.md5);
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}

#[test]
fn multipart_survives_a_500_and_a_reset_mid_part() {
    let fake = Fake::new("S3");
    // 5 MiB parts: 3 parts, the last one short
    let bytes = data(12 * MIB + 12_345, 2);
    let path = temp_file("s3-multi", "big.mxf", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=2&"),
        nth: 1,
        action: Action::Status(500),
    });
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=3&"),
        nth: 1,
        action: Action::ResetMidBody(100_000),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .parallelism(2)
        .send()
        .unwrap();

    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(report.parts, 3);
    assert_eq!(report.retries, 2, "one retry per faulty part");
    assert_eq!(
        fake.object(&report.file_id).unwrap(),
        bytes,
        "bytes identical"
    );
    let st = fake.state.lock().unwrap();
    assert_eq!(
        st.assembled_parts[&report.file_id],
        vec![1, 2, 3],
        "each part once"
    );
    // part 1 stored once; 2 stored once (the 500 stored nothing), 3 once
    let puts: Vec<u32> = st.part_puts.values().copied().collect();
    assert_eq!(puts, vec![1, 1, 1]);
    assert_eq!(
        st.closed[&report.file_id],
        (bytes.len() as u64, md5_hex(&bytes))
    );
    drop(st);
    // each part body as sent equals the file's slice
    let parts: Vec<_> = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.method == "PUT" && s.query.contains("partNumber="))
        .filter(|s| s.body_len > 0 && s.body_len != 100_000)
        .collect();
    for s in &parts {
        let n: usize = s
            .query
            .split("partNumber=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let slice = &bytes[(n - 1) * 5 * MIB..(n * 5 * MIB).min(bytes.len())];
        assert_eq!(s.body_md5, md5_hex(slice), "part {n}");
    }
    fake.assert_credentials_only_to_the_api();
}

#[test]
fn a_failed_multipart_upload_is_aborted() {
    let fake = Fake::new("S3");
    let bytes = data(11 * MIB, 3);
    let path = temp_file("s3-abort", "x.bin", &bytes);
    // part 2 refused for good (403 is not retried)
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=2&"),
        nth: 1,
        action: Action::Status(403),
    });
    let err = fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(transfer_support::SIG),
        "signature leaked: {text}"
    );
    assert!(!text.contains(transfer_support::TOKEN));
    let st = fake.state.lock().unwrap();
    assert_eq!(st.s3_aborted.len(), 1, "multipart upload aborted");
    assert!(st.s3_uploads.is_empty());
    assert!(st.closed.is_empty(), "nothing closed");
}

#[test]
fn an_interrupted_upload_resumes_from_the_parts_stored() {
    let fake = Fake::new("S3");
    let bytes = data(16 * MIB, 4);
    let path = temp_file("s3-resume", "r.bin", &bytes);
    // part 3 answers 503 more often than max_retries allows
    for nth in 1..=3 {
        fake.fault(Fault {
            method: "PUT",
            path_has: "/storage/s3/",
            query_has: Some("partNumber=3&"),
            nth,
            action: Action::Status(503),
        });
    }
    let client =
        fake.client_with(|b| b.rate_limit(iconik_sync::RateLimitConfig::default().max_retries(2)));
    let upload = client
        .upload(&path)
        .part_size(5 * MIB as u64)
        .parallelism(1);
    let state = Arc::new(Mutex::new(UploadState::default()));
    let err = upload.clone().resume(&state).send().unwrap_err();
    assert_eq!(err.status(), Some(503));
    // one part at a time, and nothing new is sent after a failure
    assert_eq!(
        state.lock().unwrap().parts_done(),
        2,
        "parts 1 and 2 stored"
    );
    assert!(!state.lock().unwrap().is_transferred());
    assert!(
        fake.state.lock().unwrap().s3_aborted.is_empty(),
        "kept for resuming"
    );

    // continue in "another process": through JSON
    let json = serde_json::to_string(&*state.lock().unwrap()).unwrap();
    let state: UploadState = serde_json::from_str(&json).unwrap();
    let before = fake.storage_requests().len();
    let report = upload.resume(&Arc::new(Mutex::new(state))).send().unwrap();
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let again: Vec<_> = fake.storage_requests()[before..]
        .iter()
        .filter(|s| s.method == "PUT")
        .map(|s| s.query.split('&').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        again,
        vec!["partNumber=3", "partNumber=4"],
        "only the missing parts are sent"
    );
    let st = fake.state.lock().unwrap();
    assert_eq!(st.titles.len(), 1, "the asset is not created twice");
    assert_eq!(st.assembled_parts[&report.file_id], vec![1, 2, 3, 4]);
}

#[test]
fn progress_is_reported_and_ends_at_the_total() {
    let fake = Fake::new("S3");
    let bytes = data(11 * MIB, 5);
    let path = temp_file("s3-progress", "p.bin", &bytes);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    fake.client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .send()
        .unwrap();
    let seen = seen.lock().unwrap();
    // the fake clock never moves: the first report, the moment the last
    // byte is stored (before the close), and the end
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[1].bytes_done, bytes.len() as u64);
    assert_eq!(seen.last().unwrap().bytes_done, bytes.len() as u64);
    assert_eq!(seen.last().unwrap().total, Some(bytes.len() as u64));
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
}
