//! Azure, B2 and FILE uploads end to end on the fake storage, with
//! faults; each round-trips through a download.

mod transfer_support;

use iconik_sync::transfer::StorageMethod;
use transfer_support::{data, md5_hex, sha1_hex, temp_file, Action, Fake, Fault};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn round_trip(fake: &Fake, report: &iconik_sync::transfer::UploadReport, bytes: &[u8], tag: &str) {
    let dest = temp_file(tag, "placeholder", b"").with_file_name("back.bin");
    let back = fake
        .client()
        .download(&report.asset_id, &report.file_id, &dest)
        .send()
        .unwrap();
    assert!(back.checksum_verified);
    assert_eq!(back.md5, md5_hex(bytes));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}

#[test]
fn azure_single_put_is_a_block_blob() {
    let fake = Fake::new("AZURE");
    let bytes = data(100 * KIB, 1);
    let path = temp_file("az-single", "a.png", &bytes);
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.storage_method, StorageMethod::Azure);
    let put = &fake.storage_requests()[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.header("x-ms-blob-type"), Some("BlockBlob"));
    assert_eq!(
        put.query,
        format!("sv=2020-10-02&sig={}", transfer_support::SIG)
    );
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    fake.assert_credentials_only_to_the_api();
    round_trip(&fake, &report, &bytes, "az-single-back");
}

#[test]
fn azure_blocks_survive_a_500_and_a_reset_and_commit_in_order() {
    let fake = Fake::new("AZURE");
    let bytes = data(1000 * KIB + 7, 2);
    let path = temp_file("az-blocks", "b.png", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/azure/",
        query_has: Some("comp=block&"),
        nth: 2,
        action: Action::Status(500),
    });
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/azure/",
        query_has: Some("comp=block&"),
        nth: 4,
        action: Action::ResetMidBody(10),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(256 * KIB as u64)
        .parallelism(3)
        .send()
        .unwrap();
    assert_eq!(report.parts, 4);
    assert_eq!(report.retries, 2);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let st = fake.state.lock().unwrap();
    assert_eq!(st.assembled_parts[&report.file_id], vec![1, 2, 3, 4]);
    drop(st);
    // block ids: base64 of equal-length strings
    let ids: Vec<String> = fake
        .storage_requests()
        .iter()
        .filter_map(|s| s.query.split("blockid=").nth(1).map(str::to_owned))
        .collect();
    assert!(ids.iter().all(|id| id.len() == ids[0].len()), "{ids:?}");
    fake.assert_credentials_only_to_the_api();
    round_trip(&fake, &report, &bytes, "az-blocks-back");
}

#[test]
fn b2_small_upload_sends_its_sha1_and_upload_headers() {
    let fake = Fake::new("B2");
    let bytes = data(200 * KIB, 3);
    let path = temp_file("b2-small", "c.mov", &bytes);
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.storage_method, StorageMethod::B2);
    let post = &fake.storage_requests()[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.header("authorization"), Some("B2-UPLOAD-TOKEN"));
    assert_eq!(post.header("x-bz-file-name"), Some("clip.bin"));
    assert_eq!(
        post.header("x-bz-content-sha1"),
        Some(sha1_hex(&bytes).as_str())
    );
    assert_eq!(post.header("content-length"), Some("204800"));
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    fake.assert_credentials_only_to_the_api();
    round_trip(&fake, &report, &bytes, "b2-small-back");
}

#[test]
fn b2_large_file_parts_retry_and_finish_with_their_sha1s() {
    let fake = Fake::new("B2");
    let bytes = data(11 * MIB, 4);
    let path = temp_file("b2-large", "d.mov", &bytes);
    fake.fault(Fault {
        method: "POST",
        path_has: "/storage/b2/part/",
        query_has: None,
        nth: 1,
        action: Action::Status(500),
    });
    fake.fault(Fault {
        method: "POST",
        path_has: "/storage/b2/part/",
        query_has: None,
        nth: 2,
        action: Action::ResetMidBody(4096),
    });
    let report = fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.parts, 3);
    assert_eq!(report.retries, 2);
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let st = fake.state.lock().unwrap();
    assert_eq!(st.assembled_parts[&report.file_id], vec![1, 2, 3]);
    assert!(st.part_puts.values().all(|&n| n == 1), "{:?}", st.part_puts);
    drop(st);
    for s in fake.storage_requests() {
        assert_eq!(s.header("authorization"), Some("B2-PART-TOKEN"));
        assert!(s.header("x-bz-part-number").is_some());
    }
    fake.assert_credentials_only_to_the_api();
    round_trip(&fake, &report, &bytes, "b2-large-back");
}

#[test]
fn b2_large_file_is_cancelled_when_the_upload_fails() {
    let fake = Fake::new("B2");
    let bytes = data(11 * MIB, 5);
    let path = temp_file("b2-cancel", "e.mov", &bytes);
    fake.fault(Fault {
        method: "POST",
        path_has: "/storage/b2/part/",
        query_has: None,
        nth: 1,
        action: Action::Status(401),
    });
    let err = fake
        .client()
        .upload(&path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    let st = fake.state.lock().unwrap();
    assert_eq!(st.b2_cancelled.len(), 1);
    assert!(st.closed.is_empty());
}

#[test]
fn file_storage_puts_the_whole_file_again_after_a_reset() {
    let fake = Fake::new("FILE");
    let bytes = data(3 * MIB + 5, 6);
    let path = temp_file("isg", "f.mxf", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/isg/",
        query_has: None,
        nth: 1,
        action: Action::ResetMidBody(MIB),
    });
    let report = fake.client().upload(&path).send().unwrap();
    assert_eq!(report.storage_method, StorageMethod::File);
    assert_eq!(report.retries, 1);
    assert_eq!(
        report.md5,
        md5_hex(&bytes),
        "MD5 of the attempt that succeeded"
    );
    assert_eq!(fake.object(&report.file_id).unwrap(), bytes);
    let puts: Vec<_> = fake
        .storage_requests()
        .into_iter()
        .filter(|s| s.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[1].header("content-length"), Some("3145733"));
    fake.assert_credentials_only_to_the_api();
    round_trip(&fake, &report, &bytes, "isg-back");
}

#[test]
fn options_add_to_an_asset_a_collection_and_keyframes() {
    let fake = Fake::new("S3");
    let path = temp_file("opts", "g.jpg", b"tiny");
    let report = fake
        .client()
        .upload(&path)
        .asset_id("asset-given")
        .storage_id("s3-other")
        .collection_id("coll-1")
        .keyframes(true)
        .transcode(true)
        .send()
        .unwrap();
    assert_eq!(report.asset_id, "asset-given");
    assert_eq!(report.storage_id, "s3-other");
    let st = fake.state.lock().unwrap();
    assert!(st.titles.is_empty(), "no asset created");
    assert_eq!(
        st.collection_adds,
        vec![("coll-1".to_owned(), "asset-given".to_owned())]
    );
    assert_eq!(st.keyframes, 1);
    // the version the file record named
    assert_eq!(st.transcodes, vec!["version-1"]);
}
