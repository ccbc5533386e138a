//! A transfer reports success only when the storage confirmed what it
//! stored: a GCS `Range` beyond the bytes sent, a "finished" too early, a
//! missing or different digest (GCS `md5Hash` / `x-goog-hash`, S3 ETag,
//! Azure `Content-MD5`, B2 `contentSha1`) or size are errors, and iconik's
//! file record is then never closed. Digests the storage can verify are
//! sent where they cost no extra read of the file.

mod transfer_support;

use iconik_sync::Error;
use md5::{Digest, Md5};
use serde_json::json;
use transfer_support::{base64, data, md5_hex, temp_file, Action, Fake, Fault};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn fault(method: &'static str, path_has: &'static str, nth: usize, action: Action) -> Fault {
    Fault {
        method,
        path_has,
        query_has: None,
        nth,
        action,
    }
}

/// The error is an integrity error (`Error::Io`) saying `what`, and
/// iconik's file record was not closed.
fn assert_refused(fake: &Fake, result: iconik_sync::Result<impl std::fmt::Debug>, what: &str) {
    let e = result.expect_err("the upload must fail");
    assert!(
        matches!(&e, Error::Io { context, .. } if context.contains(what)),
        "expected an I/O error saying {what:?}, got {e:?}"
    );
    assert!(
        fake.state.lock().unwrap().closed.is_empty(),
        "iconik's file record was closed after {e}"
    );
}

fn md5_b64(bytes: &[u8]) -> String {
    base64(&Md5::digest(bytes))
}

#[test]
fn gcs_a_range_beyond_the_bytes_sent_is_an_error_not_a_silent_fraction() {
    // the session claims the whole file after the first chunk, then
    // "finishes" without an md5Hash: before, iconik's record was closed
    // with the local MD5 while the storage held 256 KiB of 700
    let fake = Fake::new("GCS");
    let bytes = data(700 * KIB, 1);
    let path = temp_file("gcs-lying-range", "a.wav", &bytes);
    let whole = format!("bytes=0-{}", bytes.len() - 1);
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        Action::Answer(308, vec![("Range".into(), whole)], String::new()),
    ));
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        2,
        Action::Answer(200, vec![], json!({"name": "x"}).to_string()),
    ));
    let result = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send();
    assert_refused(
        &fake,
        result,
        &format!(
            "GCS reports {} bytes stored, but only 262144 were sent",
            bytes.len()
        ),
    );
    // the session was released, not left half full
    assert_eq!(fake.state.lock().unwrap().gcs_cancelled.len(), 1);
}

#[test]
fn gcs_finished_before_the_last_byte_was_sent_is_an_error() {
    let fake = Fake::new("GCS");
    let bytes = data(600 * KIB, 2);
    let path = temp_file("gcs-early-200", "b.wav", &bytes);
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        Action::Answer(200, vec![], json!({"md5Hash": md5_b64(&bytes)}).to_string()),
    ));
    let result = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .send();
    assert_refused(
        &fake,
        result,
        "GCS finished the upload after 262144 of 614400 bytes",
    );
}

#[test]
fn gcs_a_final_answer_without_the_md5_or_with_another_md5_or_size_is_an_error() {
    let bytes = data(300 * KIB, 3);
    let path = temp_file("gcs-final", "c.wav", &bytes);
    let upload = |c: &iconik_sync::Client| c.upload(&path).part_size(256 * KIB as u64);
    // the final answer is the 2nd chunk's
    for (action, what) in [
        (
            Action::DropJson("md5Hash"),
            "GCS finished the upload without reporting the object's MD5",
        ),
        (
            Action::SetJson("md5Hash", json!(md5_b64(b"other bytes"))),
            "GCS stored an object with MD5",
        ),
        (
            Action::SetJson("size", json!("262144")),
            "GCS stored an object of 262144 bytes, but 307200 were sent",
        ),
    ] {
        let fake = Fake::new("GCS");
        fake.fault(fault("PUT", "/storage/gcs-session/", 2, action));
        assert_refused(&fake, upload(&fake.client()).send(), what);
    }
}

#[test]
fn gcs_an_xml_api_answer_is_checked_by_its_x_goog_hash() {
    let bytes = data(100 * KIB, 4);
    let path = temp_file("gcs-xml", "d.wav", &bytes);
    let xml = |md5: &str| {
        Action::Answer(
            200,
            vec![
                ("x-goog-hash".into(), format!("crc32c=AAAAAA==,md5={md5}")),
                (
                    "x-goog-stored-content-length".into(),
                    bytes.len().to_string(),
                ),
            ],
            String::new(),
        )
    };
    let fake = Fake::new("GCS");
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        xml(&md5_b64(&bytes)),
    ));
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.md5, md5_hex(&bytes));

    let fake = Fake::new("GCS");
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        xml(&md5_b64(b"x")),
    ));
    assert_refused(
        &fake,
        fake.client().upload(&path).send(),
        "GCS stored an object with MD5",
    );
}

#[test]
fn s3_single_put_sends_content_md5_and_needs_the_matching_etag() {
    let bytes = data(200 * KIB, 5);
    let path = temp_file("s3-single-md5", "e.mov", &bytes);
    let fake = Fake::new("S3");
    let report = fake.client().upload(&path).send().unwrap();
    let put = &fake.storage_requests()[0];
    assert_eq!(put.header("content-md5"), Some(md5_b64(&bytes).as_str()));
    assert_eq!(fake.closed(&report.file_id).unwrap().1, md5_hex(&bytes));

    let fake = Fake::new("S3");
    fake.fault(fault("PUT", "/storage/s3/", 1, Action::DropHeader("ETag")));
    assert_refused(
        &fake,
        fake.client().upload(&path).send(),
        "S3 stored the object without an ETag",
    );

    let fake = Fake::new("S3");
    let other = format!("\"{}\"", md5_hex(b"other"));
    fake.fault(fault(
        "PUT",
        "/storage/s3/",
        1,
        Action::SetHeader("ETag", other),
    ));
    assert_refused(
        &fake,
        fake.client().upload(&path).send(),
        "S3 stored part 1 with ETag",
    );
}

#[test]
fn s3_an_etag_that_is_not_an_md5_passes_only_for_kms_or_customer_keys() {
    let bytes = data(50 * KIB, 6);
    let path = temp_file("s3-kms", "f.mov", &bytes);
    let fake = Fake::new("S3");
    // a KMS-encrypted object: S3 says so, and its ETag is not the MD5
    fake.fault(fault(
        "PUT",
        "/storage/s3/",
        1,
        Action::Answer(
            200,
            vec![
                ("ETag".into(), "\"0123456789abcdef0123456789abcdef\"".into()),
                ("x-amz-server-side-encryption".into(), "aws:kms".into()),
            ],
            String::new(),
        ),
    ));
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.md5, md5_hex(&bytes));
}

#[test]
fn s3_parts_send_their_md5_and_a_part_etag_that_differs_is_an_error() {
    let bytes = data(11 * MIB, 7);
    let path = temp_file("s3-part-md5", "g.mov", &bytes);
    let upload = |c: &iconik_sync::Client| c.upload(&path).part_size(5 * MIB as u64).parallelism(2);
    let fake = Fake::new("S3");
    let report = upload(&fake.client()).send().unwrap();
    let parts: Vec<_> = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.method == "PUT" && s.query.contains("partNumber="))
        .collect();
    assert_eq!(parts.len(), 3);
    for p in &parts {
        let n: usize = p
            .query
            .split("partNumber=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let chunk = &bytes[(n - 1) * 5 * MIB..(n * 5 * MIB).min(bytes.len())];
        assert_eq!(
            p.header("content-md5"),
            Some(md5_b64(chunk).as_str()),
            "part {n}"
        );
    }
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);

    let fake = Fake::new("S3");
    let other = format!("\"{}\"", md5_hex(b"other"));
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=2&"),
        nth: 1,
        action: Action::SetHeader("ETag", other),
    });
    assert_refused(
        &fake,
        upload(&fake.client()).send(),
        "S3 stored part 2 with ETag",
    );
    // the multipart upload was aborted
    assert_eq!(fake.state.lock().unwrap().s3_aborted.len(), 1);
}

#[test]
fn azure_blob_and_blocks_send_content_md5_and_check_the_one_answered() {
    let small = data(90 * KIB, 8);
    let big = data(700 * KIB + 3, 9);
    let small_path = temp_file("az-md5-small", "h.png", &small);
    let big_path = temp_file("az-md5-big", "i.png", &big);
    let blocks = |c: &iconik_sync::Client| {
        c.upload(&big_path)
            .part_size(256 * KIB as u64)
            .parallelism(1)
    };

    let fake = Fake::new("AZURE");
    fake.client().upload(&small_path).send().unwrap();
    let report = blocks(&fake.client()).send().unwrap();
    let seen = fake.storage_requests();
    assert_eq!(
        seen[0].header("content-md5"),
        Some(md5_b64(&small).as_str())
    );
    let block_puts: Vec<_> = seen
        .iter()
        .filter(|s| s.query.contains("comp=block&"))
        .collect();
    assert_eq!(block_puts.len(), 3);
    for (i, b) in block_puts.iter().enumerate() {
        let chunk = &big[i * 256 * KIB..((i + 1) * 256 * KIB).min(big.len())];
        assert_eq!(b.header("content-md5"), Some(md5_b64(chunk).as_str()));
    }
    let list = seen
        .iter()
        .find(|s| s.query.contains("comp=blocklist"))
        .unwrap();
    assert_eq!(
        list.header("x-ms-blob-content-md5"),
        Some(md5_b64(&big).as_str())
    );
    assert_eq!(fake.object(&report.file_id).unwrap(), big);

    for (query, action, path, what) in [
        (
            "comp=block&",
            Action::SetHeader("Content-MD5", md5_b64(b"other")),
            &big_path,
            "Azure stored block 1 with MD5",
        ),
        (
            "sig=",
            Action::DropHeader("Content-MD5"),
            &small_path,
            "Azure stored the blob without reporting its MD5",
        ),
    ] {
        let fake = Fake::new("AZURE");
        fake.fault(Fault {
            method: "PUT",
            path_has: "/storage/azure/",
            query_has: Some(query),
            nth: 1,
            action,
        });
        let upload =
            |c: &iconik_sync::Client| c.upload(path).part_size(256 * KIB as u64).parallelism(1);
        assert_refused(&fake, upload(&fake.client()).send(), what);
    }
}

#[test]
fn b2_a_stored_sha1_or_length_that_differs_is_an_error() {
    let bytes = data(80 * KIB, 10);
    let path = temp_file("b2-stored", "j.mp4", &bytes);
    for (action, what) in [
        (
            Action::SetJson(
                "contentSha1",
                json!("0000000000000000000000000000000000000000"),
            ),
            "B2 stored the file with SHA-1",
        ),
        (
            Action::SetJson("contentLength", json!(1)),
            "B2 stored the file of 1 bytes",
        ),
    ] {
        let fake = Fake::new("B2");
        fake.fault(fault("POST", "/storage/b2/upload/", 1, action));
        assert_refused(&fake, fake.client().upload(&path).send(), what);
    }
}

#[test]
fn gcs_a_resumed_session_may_not_claim_more_than_was_sent() {
    let fake = Fake::new("GCS");
    let bytes = data(900 * KIB, 11);
    let path = temp_file("gcs-resume-claim", "k.wav", &bytes);
    let client =
        fake.client_with(|b| b.rate_limit(iconik_sync::RateLimitConfig::default().max_retries(0)));
    let upload = |c: &iconik_sync::Client| c.upload(&path).part_size(256 * KIB as u64);
    // the 2nd chunk fails: 512 KiB were sent in all
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        2,
        Action::Status(503),
    ));
    let state = std::sync::Arc::new(std::sync::Mutex::new(
        iconik_sync::transfer::UploadState::default(),
    ));
    assert!(upload(&client).resume(&state).send().is_err());
    // the session now claims the whole file (a fault counts the requests
    // after it was added: the 1st is the resumed call's status query)
    let whole = format!("bytes=0-{}", bytes.len() - 1);
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        Action::Answer(308, vec![("Range".into(), whole)], String::new()),
    ));
    assert_refused(
        &fake,
        upload(&client).resume(&state).send(),
        &format!(
            "GCS reports {} bytes stored, but only 524288 were sent",
            bytes.len()
        ),
    );
    // and one that says "complete" is held to the same bound
    fake.fault(fault(
        "PUT",
        "/storage/gcs-session/",
        1,
        Action::Answer(200, vec![], json!({"md5Hash": md5_b64(&bytes)}).to_string()),
    ));
    assert_refused(
        &fake,
        upload(&client).resume(&state).send(),
        "GCS reports the upload complete, but only 524288 of 921600 bytes were sent",
    );
}
