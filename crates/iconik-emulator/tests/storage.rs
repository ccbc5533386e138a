//! The fake storages of the transfer contract, one raw-HTTP round trip per
//! method: S3 (single, multipart), GCS resumable, Azure block blob, B2
//! (small, large), FILE; downloads with Range; targeted storage faults.

mod common;

use common::{send_storage, storage, Client, Got};
use iconik_emulator::*;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sha1::Sha1;

fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig::new().no_rate_limit()).expect("start");
    let c = Client::new(&emu);
    (emu, c)
}

fn md5_hex(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

fn sha1_hex(b: &[u8]) -> String {
    Sha1::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// Deterministic content of `n` bytes.
fn content(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Steps 1-4 of the upload flow on the seed storage of `method`:
/// (asset id, file record).
fn new_file(c: &Client, method: &str, size: usize) -> (String, Value) {
    let (_, _, storage_id) = SEED_STORAGES
        .iter()
        .find(|(_, m, _)| *m == method)
        .copied()
        .unwrap();
    let asset = c.post(
        "/API/assets/v1/assets/",
        &json!({"title": "up", "type": "ASSET"}),
    );
    assert_eq!(asset.status, 201);
    let a = asset.json()["id"].as_str().unwrap().to_string();
    let fmt = c.post(
        &format!("/API/files/v1/assets/{a}/formats/"),
        &json!({"name": "ORIGINAL", "storage_methods": [method]}),
    );
    assert_eq!(fmt.status, 201, "{:?}", fmt.json());
    let format_id = fmt.json()["id"].as_str().unwrap().to_string();
    let fs = c.post(
        &format!("/API/files/v1/assets/{a}/file_sets/"),
        &json!({"format_id": format_id, "storage_id": storage_id, "base_dir": "/",
                "name": "up.bin", "component_ids": []}),
    );
    assert_eq!(fs.status, 201, "{:?}", fs.json());
    let file = c.post(
        &format!("/API/files/v1/assets/{a}/files/"),
        &json!({"original_name": "up.bin", "directory_path": "", "size": size, "type": "FILE",
                "storage_id": storage_id, "file_set_id": fs.json()["id"], "format_id": format_id}),
    );
    assert_eq!(file.status, 201, "{:?}", file.json());
    let file = file.json();
    assert_eq!(file["storage_method"], method);
    (a, file)
}

fn upload_headers(file: &Value) -> Vec<(String, String)> {
    file["upload_headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The file record after the transfer, and a full download of it.
fn check_stored(c: &Client, a: &str, file: &Value, bytes: &[u8]) {
    let f = file["id"].as_str().unwrap();
    let rec = c
        .get(&format!("/API/files/v1/assets/{a}/files/{f}/"))
        .json();
    assert_eq!(rec["size"], bytes.len());
    assert_eq!(rec["checksum"], md5_hex(bytes));
    assert_eq!(rec["status"], "CLOSED");
    let url = c
        .get(&format!("/API/files/v1/assets/{a}/files/{f}/download_url/"))
        .json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let got = storage(&c.base, "GET", &url, &[], None);
    assert_eq!(got.status, 200);
    assert_eq!(md5_hex(&got.body), md5_hex(bytes));
    // Step 6 of the flow: the client closes the file.
    let close = json!({"status": "CLOSED", "file_set_status": "ACTIVE", "format_status": "ACTIVE",
                       "size": bytes.len(), "checksum": md5_hex(bytes)});
    let r = c.call(
        "PATCH",
        &format!("/API/files/v1/assets/{a}/files/{f}/"),
        Some(&close),
    );
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["checksum"], md5_hex(bytes));
}

/// No iconik credential reached any storage URL.
fn no_credentials_at_storage(emu: &Emulator) {
    let reqs = emu.storage_requests();
    assert!(!reqs.is_empty());
    for r in reqs {
        assert!(r.header("app-id").is_none(), "{r:?}");
        assert!(r.header("auth-token").is_none(), "{r:?}");
    }
}

#[test]
fn seed_storages_and_the_default_one() {
    let (_emu, c) = start();
    let d = c.get("/API/files/v1/storages/FILES/default/");
    assert_eq!(d.status, 200);
    assert_eq!(d.json()["name"], "s3-files");
    assert_eq!(d.json()["method"], "S3");
    let names: Vec<String> = c.get("/API/files/v1/storages/").json()["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "s3-files",
            "gcs-files",
            "azure-files",
            "b2-files",
            "file-files"
        ]
    );
    // Moving the default.
    let gcs = SEED_STORAGES[1].2;
    assert_eq!(
        c.call(
            "POST",
            &format!("/API/files/v1/storages/{gcs}/default/"),
            None
        )
        .status,
        201
    );
    assert_eq!(
        c.get("/API/files/v1/storages/FILES/default/").json()["name"],
        "gcs-files"
    );
}

#[test]
fn s3_single_put_then_ranged_download() {
    let (emu, c) = start();
    let bytes = content(100_000, 1);
    let (a, file) = new_file(&c, "S3", bytes.len());
    let url = file["upload_url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Signature="));
    let h = upload_headers(&file);
    let r = storage(&c.base, "PUT", url, &refs(&h), Some(&bytes));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("ETag").unwrap(),
        format!("\"{}\"", md5_hex(&bytes))
    );
    check_stored(&c, &a, &file, &bytes);
    // Range reads.
    let f = file["id"].as_str().unwrap();
    let dl = c
        .get(&format!("/API/files/v1/assets/{a}/files/{f}/download_url/"))
        .json();
    let dl = dl["url"].as_str().unwrap();
    let r = storage(&c.base, "GET", dl, &[("Range", "bytes=99990-")], None);
    assert_eq!(r.status, 206);
    assert_eq!(r.header("Content-Range"), Some("bytes 99990-99999/100000"));
    assert_eq!(r.body, &bytes[99_990..]);
    let r = storage(&c.base, "GET", dl, &[("Range", "bytes=200000-")], None);
    assert_eq!(r.status, 416);
    // Without the signature: refused, nothing stored.
    let unsigned = url.split('?').next().unwrap();
    assert_eq!(
        storage(&c.base, "PUT", unsigned, &[], Some(b"x")).status,
        403
    );
    assert_eq!(emu.uploads().len(), 1);
    assert_eq!(emu.uploads()[0].md5_hex(), md5_hex(&bytes));
    no_credentials_at_storage(&emu);
}

#[test]
fn without_kept_upload_bytes_objects_are_still_served_and_bytes_in_counted() {
    let emu = Emulator::start(
        EmulatorConfig::new()
            .no_rate_limit()
            .keep_upload_bytes(false),
    )
    .expect("start");
    let c = Client::new(&emu);
    let bytes = content(5_000, 3);
    let (a, file) = new_file(&c, "S3", bytes.len());
    let h = upload_headers(&file);
    let url = file["upload_url"].as_str().unwrap();
    assert_eq!(
        storage(&c.base, "PUT", url, &refs(&h), Some(&bytes)).status,
        200
    );
    // the same bytes again: counted twice in, stored once
    assert_eq!(
        storage(&c.base, "PUT", url, &refs(&h), Some(&bytes)).status,
        200
    );
    check_stored(&c, &a, &file, &bytes);
    assert!(emu.uploads().iter().all(|u| u.bytes.is_empty()));
    let stats = emu.stats();
    assert_eq!(stats.storage_bytes_in, 2 * bytes.len() as u64);
    assert!(
        stats.by_operation["storage"] >= 3,
        "{:?}",
        stats.by_operation
    );
    assert_eq!(stats.by_operation["post_assets"], 1);
}

fn s3_init(c: &Client, file: &Value) -> String {
    let init = file["multipart_upload_url"].as_str().unwrap();
    assert!(init.ends_with("?uploads"));
    let r = storage(&c.base, "POST", init, &[], Some(b""));
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body).unwrap();
    let start = text.find("<UploadId>").unwrap() + "<UploadId>".len();
    let end = text.find("</UploadId>").unwrap();
    text[start..end].to_string()
}

fn s3_part_urls(c: &Client, a: &str, f: &str, id: &str, n: usize) -> Vec<String> {
    let parts = c
        .get(&format!(
            "/API/files/v1/assets/{a}/files/{f}/multipart_url/part/?upload_id={id}&parts_num={n}"
        ))
        .json();
    let objs = parts["objects"].as_array().unwrap();
    assert_eq!(objs.len(), n);
    objs.iter()
        .enumerate()
        .map(|(i, o)| {
            assert_eq!(o["number"], i + 1);
            o["url"].as_str().unwrap().to_string()
        })
        .collect()
}

fn complete_xml(tags: &[String]) -> Vec<u8> {
    let mut x = String::from("<CompleteMultipartUpload>");
    for (i, t) in tags.iter().enumerate() {
        x.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{t}</ETag></Part>",
            i + 1
        ));
    }
    x.push_str("</CompleteMultipartUpload>");
    x.into_bytes()
}

#[test]
fn s3_multipart_with_a_retried_part_and_resume() {
    let (emu, c) = start();
    let bytes = content(5 * 1024 * 1024 + 1000, 2);
    let (a, file) = new_file(&c, "S3", bytes.len());
    let f = file["id"].as_str().unwrap();
    let id = s3_init(&c, &file);
    let urls = s3_part_urls(&c, &a, f, &id, 2);
    let chunks = [&bytes[..5 * 1024 * 1024], &bytes[5 * 1024 * 1024..]];
    // The first PUT of part 1 is stored but answered 500: the retry replaces it.
    emu.add_storage_fault(
        StorageFault::new(StorageFaultAction::AfterApplyStatus(500))
            .method("PUT")
            .target_contains("partNumber=1&"),
    );
    assert_eq!(
        storage(&c.base, "PUT", &urls[0], &[], Some(chunks[0])).status,
        500
    );
    let mut tags = Vec::new();
    for (u, chunk) in urls.iter().zip(chunks) {
        let r = storage(&c.base, "PUT", u, &[], Some(chunk));
        assert_eq!(r.status, 200);
        tags.push(r.header("ETag").unwrap().to_string());
    }
    let done = c
        .get(&format!(
            "/API/files/v1/assets/{a}/files/{f}/multipart_url/?upload_id={id}"
        ))
        .json();
    // Resume: the part list shows each part once with its size.
    let list = storage(
        &c.base,
        "GET",
        done["list_parts_url"][0].as_str().unwrap(),
        &[],
        None,
    );
    assert_eq!(list.status, 200);
    let text = String::from_utf8(list.body).unwrap();
    assert_eq!(text.matches("<Part>").count(), 2);
    assert!(text.contains(&format!("<Size>{}</Size>", 5 * 1024 * 1024)));
    assert!(text.contains(&format!("<ETag>{}</ETag>", tags[0])));
    let r = storage(
        &c.base,
        "POST",
        done["complete_url"].as_str().unwrap(),
        &[],
        Some(&complete_xml(&tags)),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let up = emu.uploads().pop().unwrap();
    assert_eq!(up.md5_hex(), md5_hex(&bytes));
    assert_eq!(up.parts, 3);
    check_stored(&c, &a, &file, &bytes);
    no_credentials_at_storage(&emu);
}

#[test]
fn s3_rejects_small_parts_and_aborts() {
    let (_emu, c) = start();
    let (a, file) = new_file(&c, "S3", 20);
    let f = file["id"].as_str().unwrap();
    let id = s3_init(&c, &file);
    let urls = s3_part_urls(&c, &a, f, &id, 2);
    let mut tags = Vec::new();
    for u in &urls {
        let r = storage(&c.base, "PUT", u, &[], Some(b"0123456789"));
        tags.push(r.header("ETag").unwrap().to_string());
    }
    let done = c
        .get(&format!(
            "/API/files/v1/assets/{a}/files/{f}/multipart_url/?upload_id={id}"
        ))
        .json();
    let complete = done["complete_url"].as_str().unwrap();
    let r = storage(&c.base, "POST", complete, &[], Some(&complete_xml(&tags)));
    assert_eq!(r.status, 400);
    assert!(String::from_utf8_lossy(&r.body).contains("EntityTooSmall"));
    let wrong = ["\"00\"".to_string(), tags[1].clone()];
    let r = storage(&c.base, "POST", complete, &[], Some(&complete_xml(&wrong)));
    assert!(String::from_utf8_lossy(&r.body).contains("InvalidPart"));
    assert_eq!(
        storage(
            &c.base,
            "DELETE",
            done["abort_url"].as_str().unwrap(),
            &[],
            None
        )
        .status,
        204
    );
    let list = done["list_parts_url"][0].as_str().unwrap();
    assert_eq!(storage(&c.base, "GET", list, &[], None).status, 404);
}

#[test]
fn gcs_resumable_with_a_short_range() {
    let (emu, c) = start();
    const Q: usize = 256 * 1024;
    let bytes = content(2 * Q + 777, 3);
    let (a, file) = new_file(&c, "GCS", bytes.len());
    let url = file["upload_url"].as_str().unwrap();
    let r = storage(
        &c.base,
        "POST",
        url,
        &[("x-goog-resumable", "start")],
        Some(b""),
    );
    assert_eq!(r.status, 201);
    let session = r.header("Location").unwrap().to_string();
    let total = bytes.len();
    // Nothing stored yet: 308 without Range.
    let status = format!("bytes */{total}");
    let r = storage(
        &c.base,
        "PUT",
        &session,
        &[("Content-Range", &status)],
        Some(b""),
    );
    assert_eq!((r.status, r.header("Range")), (308, None));
    // A chunk not a multiple of 256 KiB is refused.
    let bad = format!("bytes 0-{}/*", Q - 2);
    assert_eq!(
        storage(
            &c.base,
            "PUT",
            &session,
            &[("Content-Range", &bad)],
            Some(&bytes[..Q - 1])
        )
        .status,
        400
    );
    // The first chunk is persisted 1000 bytes short.
    emu.add_storage_fault(StorageFault::new(StorageFaultAction::ShortRange(1000)).method("PUT"));
    let cr = format!("bytes 0-{}/*", 2 * Q - 1);
    let r = storage(
        &c.base,
        "PUT",
        &session,
        &[("Content-Range", &cr)],
        Some(&bytes[..2 * Q]),
    );
    assert_eq!(r.status, 308);
    let k = 2 * Q - 1000 - 1;
    assert_eq!(r.header("Range"), Some(format!("bytes=0-{k}").as_str()));
    // Resume from K+1 with the rest, as the final chunk.
    let cr = format!("bytes {}-{}/{total}", k + 1, total - 1);
    let r = storage(
        &c.base,
        "PUT",
        &session,
        &[("Content-Range", &cr)],
        Some(&bytes[k + 1..]),
    );
    assert_eq!(r.status, 200);
    let obj = r.json();
    assert_eq!(obj["size"], total.to_string());
    assert!(obj["md5Hash"].as_str().unwrap().ends_with('='));
    let r = storage(
        &c.base,
        "PUT",
        &session,
        &[("Content-Range", &status)],
        Some(b""),
    );
    assert_eq!(r.status, 200);
    check_stored(&c, &a, &file, &bytes);
    // A cancelled session answers 499.
    let (_, f2) = new_file(&c, "GCS", 1);
    let r = storage(
        &c.base,
        "POST",
        f2["upload_url"].as_str().unwrap(),
        &[("x-goog-resumable", "start")],
        Some(b""),
    );
    let s2 = r.header("Location").unwrap().to_string();
    assert_eq!(storage(&c.base, "DELETE", &s2, &[], None).status, 499);
    no_credentials_at_storage(&emu);
}

#[test]
fn azure_block_blob() {
    let (emu, c) = start();
    let bytes = content(300_000, 4);
    let (a, file) = new_file(&c, "AZURE", bytes.len());
    let url = file["upload_url"].as_str().unwrap();
    assert!(url.contains("sig="));
    let ids = ["YmxvY2stMDAwMDAx", "YmxvY2stMDAwMDAy", "YmxvY2stMDAwMDAz"];
    for (i, chunk) in bytes.chunks(100_000).enumerate() {
        let u = format!("{url}&comp=block&blockid={}", ids[i]);
        assert_eq!(storage(&c.base, "PUT", &u, &[], Some(chunk)).status, 201);
    }
    // An id of another length is refused.
    let odd = format!("{url}&comp=block&blockid=c2hvcnQ%3D");
    assert_eq!(storage(&c.base, "PUT", &odd, &[], Some(b"x")).status, 400);
    let mut list = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    for id in ids {
        list.push_str(&format!("<Latest>{id}</Latest>"));
    }
    list.push_str("</BlockList>");
    let u = format!("{url}&comp=blocklist");
    assert_eq!(
        storage(&c.base, "PUT", &u, &[], Some(list.as_bytes())).status,
        201
    );
    check_stored(&c, &a, &file, &bytes);
    assert_eq!(emu.uploads().last().unwrap().parts, 3);
    // Single PUT needs x-ms-blob-type; a list naming an unknown block fails.
    let (_, f2) = new_file(&c, "AZURE", 3);
    let u2 = f2["upload_url"].as_str().unwrap();
    assert_eq!(storage(&c.base, "PUT", u2, &[], Some(b"abc")).status, 400);
    let h = upload_headers(&f2);
    assert_eq!(
        storage(&c.base, "PUT", u2, &refs(&h), Some(b"abc")).status,
        201
    );
    let bad = "<BlockList><Latest>bm9wZQ==</Latest></BlockList>";
    assert_eq!(
        storage(
            &c.base,
            "PUT",
            &format!("{u2}&comp=blocklist"),
            &[],
            Some(bad.as_bytes())
        )
        .status,
        400
    );
    let unsigned = u2.split('?').next().unwrap();
    assert_eq!(
        storage(&c.base, "PUT", unsigned, &refs(&h), Some(b"abc")).status,
        403
    );
    no_credentials_at_storage(&emu);
}

#[test]
fn b2_small_and_large_files() {
    let (emu, c) = start();
    let small = content(1000, 5);
    let (a, file) = new_file(&c, "B2", small.len());
    let url = file["upload_url"].as_str().unwrap();
    let h = upload_headers(&file);
    assert!(h.iter().any(|(k, _)| k == "Authorization"));
    assert!(h.iter().any(|(k, _)| k == "X-Bz-File-Name"));
    let sha = sha1_hex(&small);
    let mut with_sha = refs(&h);
    with_sha.push(("X-Bz-Content-Sha1", &sha));
    let mut wrong = refs(&h);
    wrong.push((
        "X-Bz-Content-Sha1",
        "0000000000000000000000000000000000000000",
    ));
    assert_eq!(
        storage(&c.base, "POST", url, &wrong, Some(&small)).status,
        400
    );
    assert_eq!(
        storage(
            &c.base,
            "POST",
            url,
            &[("X-Bz-Content-Sha1", &sha)],
            Some(&small)
        )
        .status,
        401
    );
    let r = storage(&c.base, "POST", url, &with_sha, Some(&small));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["contentSha1"], sha);
    check_stored(&c, &a, &file, &small);

    let large = content(5_000_000 + 4321, 6);
    let (a, file) = new_file(&c, "B2", large.len());
    let f = file["id"].as_str().unwrap();
    let base = format!("/API/files/v1/assets/{a}/files/{f}/multipart/b2");
    let started = c.call("POST", &format!("{base}/start/"), None);
    assert_eq!(started.status, 200);
    let s = started.json();
    let (part_url, token, ufid) = (
        s["upload_url"].as_str().unwrap(),
        s["authorization_token"].as_str().unwrap(),
        s["upload_file_id"].as_str().unwrap(),
    );
    let parts = [&large[..5_000_000], &large[5_000_000..]];
    let mut shas = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = (i + 1).to_string();
        let sha = sha1_hex(p);
        let h = [
            ("Authorization", token),
            ("X-Bz-Part-Number", n.as_str()),
            ("X-Bz-Content-Sha1", sha.as_str()),
        ];
        let r = storage(&c.base, "POST", part_url, &h, Some(p));
        assert_eq!(r.status, 200, "{:?}", r.json());
        shas.push(sha);
    }
    let bad = c.post(
        &format!("{base}/finish/"),
        &json!({"upload_file_id": ufid, "sha1_list": [shas[1], shas[0]]}),
    );
    assert_eq!(bad.status, 400);
    let fin = c.post(
        &format!("{base}/finish/"),
        &json!({"upload_file_id": ufid, "sha1_list": shas}),
    );
    assert_eq!(fin.status, 200);
    check_stored(&c, &a, &file, &large);
    let gone = c.post(&format!("{base}/cancel/"), &json!({"upload_file_id": ufid}));
    assert_eq!(gone.status, 404);
    no_credentials_at_storage(&emu);
}

#[test]
fn file_storage_through_the_isg_handler_url() {
    let (emu, c) = start();
    let bytes = content(4096, 7);
    let (a, file) = new_file(&c, "FILE", bytes.len());
    let f = file["id"].as_str().unwrap();
    let r = c.get(&format!(
        "/API/files/v1/assets/{a}/files/{f}/isg_handler_url/"
    ));
    let url = r.json()["url"].as_str().unwrap().to_string();
    // A failed PUT is retried whole.
    emu.add_storage_fault(StorageFault::new(StorageFaultAction::Reset).method("PUT"));
    assert!(matches!(
        send_storage(&c.base, "PUT", &url, &[], Some(&bytes)),
        Got::Failed(_)
    ));
    assert_eq!(storage(&c.base, "PUT", &url, &[], Some(&bytes)).status, 201);
    check_stored(&c, &a, &file, &bytes);
    let statuses: Vec<u16> = emu.storage_requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[..2], [0, 201]);
}

#[test]
fn downloads_can_be_truncated_by_a_targeted_fault() {
    let (emu, c) = start();
    let bytes = content(10_000, 8);
    let (_, file) = new_file(&c, "S3", bytes.len());
    let url = file["upload_url"].as_str().unwrap();
    assert_eq!(storage(&c.base, "PUT", url, &[], Some(&bytes)).status, 200);
    emu.add_storage_fault(
        StorageFault::new(StorageFaultAction::Truncate)
            .method("GET")
            .nth(2),
    );
    let dl = file["url"].as_str().unwrap();
    assert_eq!(storage(&c.base, "GET", dl, &[], None).body, bytes);
    match send_storage(&c.base, "GET", dl, &[], None) {
        Got::Truncated { expected, got } => assert!(expected == 10_000 && got < expected),
        other => panic!("{other:?}"),
    }
    assert_eq!(storage(&c.base, "GET", dl, &[], None).body, bytes);
}

#[test]
fn sample_files_download_their_contents() {
    let emu = Emulator::start(EmulatorConfig::new().no_rate_limit().seed_data(true)).unwrap();
    let c = Client::new(&emu);
    for i in 0..3 {
        let (a, f) = (SAMPLE_ASSET_IDS[i], SAMPLE_FILE_IDS[i]);
        let url = c
            .get(&format!("/API/files/v1/assets/{a}/files/{f}/download_url/"))
            .json()["url"]
            .as_str()
            .unwrap()
            .to_string();
        let got = storage(&c.base, "GET", &url, &[], None);
        assert_eq!(got.body, SAMPLE_CONTENTS[i]);
        assert_eq!(md5_hex(&got.body), SAMPLE_MD5S[i]);
    }
}
