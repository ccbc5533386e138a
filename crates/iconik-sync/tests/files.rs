//! `client.files()`: every method's HTTP method, path, query and body, and
//! the models' decoding (unknown fields and enum values kept).

mod common;

use common::*;
use iconik_sync::models::*;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::json;

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.into(), v.into())
}

// ---- models ---------------------------------------------------------------

#[test]
fn file_round_trips_unknown_fields_and_enum_values() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("files_file.json")).unwrap();
    let file: File = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(file.r#type, Some(FileType::File));
    assert_eq!(file.status, Some(FileStatus::Other("QUARANTINED".into())));
    assert_eq!(file.template_engine, Some(TemplateEngine::Simple));
    assert_eq!(file.size, Some(5_242_880));
    assert_eq!(file.file_date_created, None);
    assert_eq!(file.extra["storage_tier"]["class"], "GLACIER");
    let back = serde_json::to_value(&file).unwrap();
    assert_eq!(back["storage_tier"], raw["storage_tier"]);
    assert_eq!(back["status"], "QUARANTINED");
    assert_eq!(back["upload_headers"], raw["upload_headers"]);
    assert!(
        back.get("parent_id").is_none(),
        "nulls are not invented back"
    );
}

#[test]
fn format_keeps_unknown_component_types_and_fields() {
    let format: Format = serde_json::from_str(&fixture("files_format.json")).unwrap();
    let components = format.components.as_ref().unwrap();
    assert_eq!(components[0].r#type, Some(ComponentType::Video));
    assert_eq!(
        components[1].r#type,
        Some(ComponentType::Other("SPATIAL_AUDIO".into()))
    );
    assert_eq!(format.archive_status, Some(ArchiveStatus::NotArchived));
    assert_eq!(
        format.external_references.as_ref().unwrap()[0]
            .uri
            .as_deref(),
        Some("https://mam.example/clip/1")
    );
    assert_eq!(format.extra["lto_tape"], "T0001");
    let back = serde_json::to_value(&format).unwrap();
    assert_eq!(back["components"][1]["type"], "SPATIAL_AUDIO");
    assert_eq!(back["lto_tape"], "T0001");
}

#[test]
fn request_bodies_send_exactly_what_was_set() {
    let body = FileCreate::new("media/", "clip.mov", FileType::File).size(10i64);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"directory_path": "media/", "original_name": "clip.mov", "type": "FILE", "size": 10})
    );
    let body = KeyframeCreate::new(KeyframeType::Poster);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"type": "POSTER"})
    );
    assert_eq!(serde_json::to_value(Proxy::default()).unwrap(), json!({}));
}

// ---- formats --------------------------------------------------------------

#[test]
fn get_asset_formats() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/formats/")
        .match_query(Matcher::AllOf(vec![q("per_page", "5"), q("last_id", "fm0"), q("include_all_versions", "true")]))
        .with_body(json!({"objects": [serde_json::from_str::<serde_json::Value>(&fixture("files_format.json")).unwrap()], "next_url": null}).to_string())
        .create();
    let params = FilesListParams::default()
        .per_page(5u32)
        .last_id("fm0")
        .include_all_versions(true);
    let page = h.client.files().get_asset_formats("a1", &params).unwrap();
    assert_eq!(page.objects[0].name.as_deref(), Some("ORIGINAL"));
    m.assert();
    h.finish();
}

#[test]
fn get_asset_formats_all_follows_last_id() {
    let mut h = harness();
    let first = h
        .expect(Method::Get, "files", "/v1/assets/a1/formats/")
        .match_query(Matcher::Missing)
        .with_body(r#"{"objects": [{"id": "fm1", "name": "ORIGINAL"}], "next_url": "/API/files/v1/assets/a1/formats/?last_id=fm1"}"#)
        .create();
    let second = h
        .expect(Method::Get, "files", "/v1/assets/a1/formats/")
        .match_query(q("last_id", "fm1"))
        .with_body(r#"{"objects": [{"id": "fm2", "name": "PPRO_PROJECT"}], "next_url": null}"#)
        .create();
    let names: Vec<String> = h
        .client
        .files()
        .get_asset_formats_all("a1", &FilesListParams::default())
        .map(|f| f.unwrap().name.unwrap())
        .collect();
    assert_eq!(names, ["ORIGINAL", "PPRO_PROJECT"]);
    first.assert();
    second.assert();
    h.finish();
}

#[test]
fn get_asset_format() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/formats/fm1/")
        .with_body(fixture("files_format.json"))
        .create();
    let format = h.client.files().get_asset_format("a1", "fm1").unwrap();
    assert_eq!(format.id.as_deref(), Some("fm1"));
    m.assert();
    h.finish();
}

#[test]
fn create_asset_format() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/assets/a1/formats/")
        .match_body(json_body(
            json!({"name": "ORIGINAL", "storage_methods": ["S3"]}),
        ))
        .with_status(201)
        .with_body(fixture("files_format.json"))
        .create();
    let body = FormatCreate::new("ORIGINAL").storage_methods(vec!["S3".to_string()]);
    let format = h.client.files().create_asset_format("a1", &body).unwrap();
    assert_eq!(format.data.status, Some(FormatStatus::Active));
    m.assert();
    h.finish();
}

#[test]
fn update_asset_format_is_put() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "files", "/v1/assets/a1/formats/fm1/")
        .match_body(json_body(json!({"name": "ORIGINAL", "is_online": false})))
        .with_body(fixture("files_format.json"))
        .create();
    let body = FormatCreate::new("ORIGINAL").is_online(false);
    h.client
        .files()
        .update_asset_format("a1", "fm1", &body)
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_asset_format_is_patch() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "files", "/v1/assets/a1/formats/fm1/")
        .match_body(json_body(json!({"is_online": true})))
        .with_body(fixture("files_format.json"))
        .create();
    h.client
        .files()
        .partial_update_asset_format("a1", "fm1", &Format::default().is_online(true))
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn create_asset_format_component() {
    let mut h = harness();
    let m = h
        .expect(
            Method::Post,
            "files",
            "/v1/assets/a1/formats/fm1/components/",
        )
        .match_body(json_body(json!({"name": "video", "type": "VIDEO"})))
        .with_body(r#"{"id": "c9", "name": "video", "type": "VIDEO", "metadata": null}"#)
        .create();
    let c = h
        .client
        .files()
        .create_asset_format_component(
            "a1",
            "fm1",
            &ComponentCreate::new("video", ComponentType::Video),
        )
        .unwrap();
    assert_eq!(c.id.as_deref(), Some("c9"));
    m.assert();
    h.finish();
}

#[test]
fn fetch_asset_format_components() {
    let mut h = harness();
    let m = h
        .expect(
            Method::Get,
            "files",
            "/v1/assets/a1/formats/fm1/components/",
        )
        .with_body(r#"{"objects": [{"id": "c1", "name": "audio", "type": "AUDIO"}]}"#)
        .create();
    let page = h
        .client
        .files()
        .fetch_asset_format_components("a1", "fm1")
        .unwrap();
    assert_eq!(page.objects[0].r#type, Some(ComponentType::Audio));
    m.assert();
    h.finish();
}

// ---- file sets ------------------------------------------------------------

#[test]
fn get_asset_filesets() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/file_sets/")
        .match_query(q("file_count", "true"))
        .with_body(format!(
            r#"{{"objects": [{}], "next_url": null}}"#,
            fixture("files_file_set.json")
        ))
        .create();
    let page = h
        .client
        .files()
        .get_asset_filesets("a1", &FilesListParams::default().file_count(true))
        .unwrap();
    let set = &page.objects[0];
    assert_eq!(
        set.component_ids.as_deref(),
        Some(&["c1".to_string(), "c2".to_string()][..])
    );
    assert_eq!(set.status, Some(FileSetStatus::Active));
    assert_eq!(set.r#type, Some(FileSetType::Regular));
    assert_eq!(set.extra["checksum_status"], "VERIFIED");
    m.assert();
    h.finish();
}

#[test]
fn get_asset_filesets_all_follows_last_id() {
    let mut h = harness();
    let first = h
        .expect(Method::Get, "files", "/v1/assets/a1/file_sets/")
        .match_query(q("per_page", "1"))
        .with_body(r#"{"objects": [{"id": "fs1"}], "next_url": "/API/files/v1/assets/a1/file_sets/?per_page=1&last_id=fs1"}"#)
        .create();
    let second = h
        .expect(Method::Get, "files", "/v1/assets/a1/file_sets/")
        .match_query(Matcher::AllOf(vec![
            q("per_page", "1"),
            q("last_id", "fs1"),
        ]))
        .with_body(r#"{"objects": [{"id": "fs2"}], "next_url": null}"#)
        .create();
    let n = h
        .client
        .files()
        .get_asset_filesets_all("a1", &FilesListParams::default().per_page(1u32))
        .count();
    assert_eq!(n, 2);
    first.assert();
    second.assert();
    h.finish();
}

#[test]
fn create_asset_file_sets() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/assets/a1/file_sets/")
        .match_body(json_body(json!({
            "base_dir": "media/2026", "component_ids": ["c1"], "format_id": "fm1",
            "name": "clip.mov", "storage_id": "s1"
        })))
        .with_status(201)
        .with_body(fixture("files_file_set.json"))
        .create();
    let body = FileSetCreate::new("media/2026", vec!["c1".to_string()], "fm1", "clip.mov")
        .storage_id("s1");
    let set = h
        .client
        .files()
        .create_asset_file_sets("a1", &body)
        .unwrap();
    assert_eq!(set.id.as_deref(), Some("fs1"));
    m.assert();
    h.finish();
}

#[test]
fn update_asset_file_set_puts_to_the_file_set_path() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "files", "/v1/assets/a1/file_sets/fs1/")
        .match_body(json_body(json!({
            "base_dir": "b", "component_ids": [], "format_id": "fm1", "name": "n"
        })))
        .with_body(fixture("files_file_set.json"))
        .create();
    let body = FileSetCreate::new("b", Vec::<String>::new(), "fm1", "n");
    h.client
        .files()
        .update_asset_file_set("a1", "fs1", &body)
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_asset_file_set_patches_the_file_set_path() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "files", "/v1/assets/a1/file_sets/fs1/")
        .match_body(json_body(json!({"name": "renamed"})))
        .with_body(fixture("files_file_set.json"))
        .create();
    h.client
        .files()
        .partial_update_asset_file_set("a1", "fs1", &FileSet::default().name("renamed"))
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_asset_file_set_queued_and_immediate() {
    let mut h = harness();
    let queued = h
        .expect(Method::Delete, "files", "/v1/assets/a1/file_sets/fs1/")
        .match_query(q("keep_source", "true"))
        .with_body(fixture("files_file_set.json"))
        .create();
    let gone = h
        .expect(Method::Delete, "files", "/v1/assets/a1/file_sets/fs2/")
        .match_query(q("immediately", "true"))
        .with_status(204)
        .create();
    let r = h
        .client
        .files()
        .delete_asset_file_set(
            "a1",
            "fs1",
            &FileSetDeleteParams::default().keep_source(true),
        )
        .unwrap();
    assert_eq!(r.as_ref().and_then(|s| s.id.as_deref()), Some("fs1"));
    let r = h
        .client
        .files()
        .delete_asset_file_set(
            "a1",
            "fs2",
            &FileSetDeleteParams::default().immediately(true),
        )
        .unwrap();
    assert_eq!(r.http_status(), 204);
    assert!(r.data.is_none());
    queued.assert();
    gone.assert();
    h.finish();
}

#[test]
fn get_asset_file_set_files() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/file_sets/fs1/files/")
        .match_query(q("generate_signed_url", "false"))
        .with_body(fixture("files_files_page.json"))
        .create();
    let page = h
        .client
        .files()
        .get_asset_file_set_files(
            "a1",
            "fs1",
            &FilesListParams::default().generate_signed_url(false),
        )
        .unwrap();
    assert_eq!(page.objects[1].r#type, Some(FileType::Directory));
    m.assert();
    h.finish();
}

// ---- files ----------------------------------------------------------------

#[test]
fn get_asset_files() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/files/")
        .match_query(Matcher::AllOf(vec![
            q("per_page", "2"),
            q("content_disposition", "attachment"),
        ]))
        .with_body(fixture("files_files_page.json"))
        .create();
    let page = h
        .client
        .files()
        .get_asset_files(
            "a1",
            &FilesListParams::default()
                .per_page(2u32)
                .content_disposition("attachment"),
        )
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert_eq!(page.objects[1].size, None);
    assert!(page.next_url.as_deref().unwrap().contains("last_id=f2"));
    m.assert();
    h.finish();
}

#[test]
fn get_asset_files_all_follows_last_id() {
    let mut h = harness();
    let first = h
        .expect(Method::Get, "files", "/v1/assets/a1/files/")
        .match_query(q("per_page", "2"))
        .with_body(fixture("files_files_page.json"))
        .create();
    let second = h
        .expect(Method::Get, "files", "/v1/assets/a1/files/")
        .match_query(Matcher::AllOf(vec![q("per_page", "2"), q("last_id", "f2")]))
        .with_body(r#"{"objects": [{"id": "f3", "type": "SYMLINK"}], "next_url": null}"#)
        .create();
    let files: Vec<File> = h
        .client
        .files()
        .get_asset_files_all("a1", &FilesListParams::default().per_page(2u32))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[2].r#type, Some(FileType::Symlink));
    first.assert();
    second.assert();
    h.finish();
}

#[test]
fn get_asset_file() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/files/f1/")
        .with_body(fixture("files_file.json"))
        .create();
    let file = h.client.files().get_asset_file("a1", "f1").unwrap();
    assert_eq!(
        file.checksum.as_deref(),
        Some("0f343b0931126a20f133d67c2b018a3b")
    );
    m.assert();
    h.finish();
}

#[test]
fn create_asset_file() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/assets/a1/files/")
        .match_body(json_body(json!({
            "directory_path": "media/2026", "original_name": "clip.mov", "type": "FILE",
            "file_set_id": "fs1", "format_id": "fm1", "size": 5242880, "status": "OPEN"
        })))
        .with_status(201)
        .with_body(fixture("files_file.json"))
        .create();
    let body = FileCreate::new("media/2026", "clip.mov", FileType::File)
        .file_set_id("fs1")
        .format_id("fm1")
        .size(5_242_880i64)
        .status(FileStatus::Open);
    let file = h.client.files().create_asset_file("a1", &body).unwrap();
    assert!(file.multipart_upload_url.is_some());
    assert_eq!(
        file.data.status,
        Some(FileStatus::Other("QUARANTINED".into()))
    );
    m.assert();
    h.finish();
}

#[test]
fn update_asset_file_is_put() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "files", "/v1/assets/a1/files/f1/")
        .match_body(json_body(json!({
            "directory_path": "d", "original_name": "o", "type": "FILE", "file_set_id": "fs1"
        })))
        .with_body(fixture("files_file.json"))
        .create();
    let body = FileCreate::new("d", "o", FileType::File).file_set_id("fs1");
    h.client
        .files()
        .update_asset_file("a1", "f1", &body)
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_asset_file_is_patch() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "files", "/v1/assets/a1/files/f1/")
        .match_body(json_body(json!({"status": "CLOSED", "size": 42})))
        .with_body(fixture("files_file.json"))
        .create();
    h.client
        .files()
        .partial_update_asset_file(
            "a1",
            "f1",
            &File::default().status(FileStatus::Closed).size(42i64),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_asset_file() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "files", "/v1/assets/a1/files/f1/")
        .with_status(204)
        .create();
    let r = h.client.files().delete_asset_file("a1", "f1").unwrap();
    assert_eq!(r.http_status(), 204);
    m.assert();
    h.finish();
}

// ---- by version -----------------------------------------------------------

#[test]
fn lists_by_version() {
    let mut h = harness();
    let files = h
        .expect(Method::Get, "files", "/v1/assets/a1/versions/v1/files/")
        .match_query(q("per_page", "3"))
        .with_body(fixture("files_files_page.json"))
        .create();
    let sets = h
        .expect(Method::Get, "files", "/v1/assets/a1/versions/v1/file_sets/")
        .match_query(q("file_count", "true"))
        .with_body(format!(
            r#"{{"objects": [{}]}}"#,
            fixture("files_file_set.json")
        ))
        .create();
    let formats = h
        .expect(Method::Get, "files", "/v1/assets/a1/versions/v1/formats/")
        .match_query(q("last_id", "fm0"))
        .with_body(format!(
            r#"{{"objects": [{}]}}"#,
            fixture("files_format.json")
        ))
        .create();
    let api = h.client.files();
    let p = api
        .get_asset_files_by_version("a1", "v1", &FilesListParams::default().per_page(3u32))
        .unwrap();
    assert_eq!(p.objects.len(), 2);
    let p = api
        .get_asset_file_sets_by_version("a1", "v1", &FilesListParams::default().file_count(true))
        .unwrap();
    assert_eq!(p.objects[0].file_count, Some(1));
    let p = api
        .get_asset_formats_by_version("a1", "v1", &FilesListParams::default().last_id("fm0"))
        .unwrap();
    assert_eq!(p.objects[0].name.as_deref(), Some("ORIGINAL"));
    files.assert();
    sets.assert();
    formats.assert();
    h.finish();
}

// ---- proxies --------------------------------------------------------------

#[test]
fn get_asset_proxies_and_all() {
    let mut h = harness();
    let one = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/")
        .match_query(q("bypass_url_cache", "true"))
        .with_body(format!(
            r#"{{"objects": [{}], "next_url": null}}"#,
            fixture("files_proxy.json")
        ))
        .create();
    let page = h
        .client
        .files()
        .get_asset_proxies("a1", &FilesListParams::default().bypass_url_cache(true))
        .unwrap();
    let proxy = &page.objects[0];
    assert_eq!(proxy.resolution.as_ref().and_then(|r| r.width), Some(1280));
    assert_eq!(proxy.extra["hdr"], "HLG");
    one.assert();

    let all = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/")
        .match_query(Matcher::Missing)
        .with_body(r#"{"objects": [{"id": "p1"}, {"id": "p2"}], "next_url": null}"#)
        .create();
    let n = h
        .client
        .files()
        .get_asset_proxies_all("a1", &FilesListParams::default())
        .count();
    assert_eq!(n, 2);
    all.assert();
    h.finish();
}

#[test]
fn get_asset_proxy() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/p1/")
        .with_body(fixture("files_proxy.json"))
        .create();
    let proxy = h.client.files().get_asset_proxy("a1", "p1").unwrap();
    assert_eq!(proxy.data.status, Some(FileStatus::Closed));
    m.assert();
    h.finish();
}

#[test]
fn create_asset_proxy() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/assets/a1/proxies/")
        .match_body(json_body(json!({
            "name": "proxy.mp4", "storage_id": "s1", "resolution": {"width": 1280, "height": 720},
            "content_type": "video/mp4"
        })))
        .with_status(201)
        .with_body(fixture("files_proxy.json"))
        .create();
    let body = Proxy::default()
        .name("proxy.mp4")
        .storage_id("s1")
        .resolution(Resolution::default().width(1280i64).height(720i64))
        .extra_field("content_type", "video/mp4");
    let proxy = h.client.files().create_asset_proxy("a1", &body).unwrap();
    assert_eq!(proxy.id.as_deref(), Some("p1"));
    m.assert();
    h.finish();
}

#[test]
fn update_asset_proxy_is_patch() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "files", "/v1/assets/a1/proxies/p1/")
        .match_body(json_body(json!({"status": "CLOSED"})))
        .with_body(fixture("files_proxy.json"))
        .create();
    h.client
        .files()
        .update_asset_proxy("a1", "p1", &Proxy::default().status(FileStatus::Closed))
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn get_upload_id_for_proxy_on_s3() {
    let mut h = harness();
    let base = h.server.url();
    let proxy = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/p1/")
        .with_body(
            json!({
                "id": "p1", "storage_method": "S3",
                "upload_url": format!("{base}/bucket/proxies/p1?X-Amz-Signature=sig"),
                "multipart_upload_url": format!("{base}/bucket/proxies/p1?uploads&X-Amz-Signature=sig")
            })
            .to_string(),
        )
        .create();
    let storage = h
        .server
        .mock("POST", "/bucket/proxies/p1")
        .match_query(Matcher::AllOf(vec![q("X-Amz-Signature", "sig"), Matcher::Regex("uploads".into())]))
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .with_body(
            r#"<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>proxies/p1</Key><UploadId>S3-UPLOAD-1</UploadId></InitiateMultipartUploadResult>"#,
        )
        .expect(1)
        .create();
    let session = h
        .client
        .files()
        .get_upload_id_for_proxy("a1", "p1")
        .unwrap();
    assert_eq!(session.upload_id, "S3-UPLOAD-1");
    assert_eq!(session.storage_method, StorageMethod::S3);
    assert_eq!(session.location, None);
    proxy.assert();
    storage.assert();
    h.finish();
}

#[test]
fn get_upload_id_for_proxy_reports_storage_refusals_and_unsupported_methods() {
    let mut h = harness();
    let base = h.server.url();
    let proxy = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/p1/")
        .with_body(json!({"id": "p1", "storage_method": "S3", "multipart_upload_url": format!("{base}/bucket/p1?uploads")}).to_string())
        .create();
    let storage = h
        .server
        .mock("POST", "/bucket/p1")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body("<Error><Code>AccessDenied</Code></Error>")
        .expect(1)
        .create();
    let err = h
        .client
        .files()
        .get_upload_id_for_proxy("a1", "p1")
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    proxy.assert();
    storage.assert();

    let ftp = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/p2/")
        .with_body(r#"{"id": "p2", "storage_method": "FTP", "upload_url": "ftp://x/y"}"#)
        .create();
    let err = h
        .client
        .files()
        .get_upload_id_for_proxy("a1", "p2")
        .unwrap_err();
    assert!(
        matches!(err, iconik_sync::Error::InvalidArgument(_)),
        "{err:?}"
    );
    ftp.assert();
    h.finish();
}

// ---- keyframes ------------------------------------------------------------

#[test]
fn get_asset_keyframes_and_all() {
    let mut h = harness();
    let one = h
        .expect(Method::Get, "files", "/v1/assets/a1/keyframes/")
        .match_query(Matcher::AllOf(vec![
            q("per_page", "1"),
            q("generate_signed_url", "true"),
        ]))
        .with_body(format!(
            r#"{{"objects": [{}], "next_url": "/API/files/v1/assets/a1/keyframes/?last_id=k1"}}"#,
            fixture("files_keyframe.json")
        ))
        .create();
    let params = FilesListParams::default()
        .per_page(1u32)
        .generate_signed_url(true);
    let page = h.client.files().get_asset_keyframes("a1", &params).unwrap();
    let k = &page.objects[0];
    assert_eq!(
        k.r#type,
        Some(KeyframeType::Other("THUMBNAIL_STRIP".into()))
    );
    assert_eq!(
        k.time_code
            .as_ref()
            .and_then(|t| t.time_base.as_ref())
            .and_then(|b| b.denominator),
        Some(25)
    );
    assert_eq!(k.extra["dominant_color"], "#aa0000");
    one.assert();

    let first = h
        .expect(Method::Get, "files", "/v1/assets/a1/keyframes/")
        .match_query(Matcher::Missing)
        .with_body(r#"{"objects": [{"id": "k1", "type": "KEYFRAME"}], "next_url": "/API/files/v1/assets/a1/keyframes/?last_id=k1"}"#)
        .create();
    let second = h
        .expect(Method::Get, "files", "/v1/assets/a1/keyframes/")
        .match_query(q("last_id", "k1"))
        .with_body(r#"{"objects": [{"id": "k2", "type": "POSTER"}], "next_url": null}"#)
        .create();
    let all: Vec<Keyframe> = h
        .client
        .files()
        .get_asset_keyframes_all("a1", &FilesListParams::default())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all[1].r#type, Some(KeyframeType::Poster));
    first.assert();
    second.assert();
    h.finish();
}

#[test]
fn get_asset_keyframe() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/keyframes/k1/")
        .with_body(fixture("files_keyframe.json"))
        .create();
    let k = h.client.files().get_asset_keyframe("a1", "k1").unwrap();
    assert_eq!(k.is_public, Some(true));
    m.assert();
    h.finish();
}

#[test]
fn create_asset_keyframe() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/assets/a1/keyframes/")
        .match_body(json_body(
            json!({"type": "POSTER", "filename": "poster.jpg", "is_custom_keyframe": true}),
        ))
        .with_status(201)
        .with_body(fixture("files_keyframe.json"))
        .create();
    let body = KeyframeCreate::new(KeyframeType::Poster)
        .filename("poster.jpg")
        .is_custom_keyframe(true);
    let k = h.client.files().create_asset_keyframe("a1", &body).unwrap();
    assert_eq!(k.id.as_deref(), Some("k1"));
    m.assert();
    h.finish();
}

#[test]
fn update_keyframe_is_put_not_post() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "files", "/v1/assets/a1/keyframes/k1/")
        .match_body(json_body(json!({"type": "KEYFRAME", "rotation": 90})))
        .with_body(fixture("files_keyframe.json"))
        .create();
    h.client
        .files()
        .update_keyframe(
            "a1",
            "k1",
            &KeyframeCreate::new(KeyframeType::Keyframe).rotation(90i64),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_keyframe_is_patch() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "files", "/v1/assets/a1/keyframes/k1/")
        .match_body(json_body(json!({"status": "CLOSED"})))
        .with_body(fixture("files_keyframe.json"))
        .create();
    h.client
        .files()
        .partial_update_keyframe("a1", "k1", &Keyframe::default().status(FileStatus::Closed))
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_asset_keyframe() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "files", "/v1/assets/a1/keyframes/k1/")
        .with_status(204)
        .create();
    h.client.files().delete_asset_keyframe("a1", "k1").unwrap();
    m.assert();
    h.finish();
}

#[test]
fn get_upload_id_for_keyframe_on_gcs() {
    let mut h = harness();
    let base = h.server.url();
    let keyframe = h
        .expect(Method::Get, "files", "/v1/assets/a1/keyframes/k1/")
        .with_body(
            json!({
                "id": "k1", "type": "KEYFRAME", "storage_method": "GCS",
                "upload_url": format!("{base}/upload/keyframes/k1?uploadType=resumable")
            })
            .to_string(),
        )
        .create();
    let storage = h
        .server
        .mock("POST", "/upload/keyframes/k1")
        .match_query(q("uploadType", "resumable"))
        .match_header("X-Goog-Resumable", "start")
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .with_header("X-GUploader-UploadID", "GCS-UPLOAD-7")
        .with_header(
            "Location",
            &format!("{base}/upload/keyframes/k1?uploadType=resumable&upload_id=GCS-UPLOAD-7"),
        )
        .expect(1)
        .create();
    let session = h
        .client
        .files()
        .get_upload_id_for_keyframe("a1", "k1")
        .unwrap();
    assert_eq!(session.upload_id, "GCS-UPLOAD-7");
    assert_eq!(session.storage_method, StorageMethod::Gcs);
    assert!(session
        .location
        .as_deref()
        .unwrap()
        .ends_with("upload_id=GCS-UPLOAD-7"));
    keyframe.assert();
    storage.assert();
    h.finish();
}

// ---- S3 multipart ---------------------------------------------------------

#[test]
fn get_s3_presigned_url() {
    let mut h = harness();
    let m = h
        .expect(
            Method::Get,
            "files",
            "/v1/assets/a1/proxies/p1/multipart_url/part/",
        )
        .match_query(Matcher::AllOf(vec![
            q("upload_id", "up-1"),
            q("parts_num", "3"),
        ]))
        .with_body(
            r#"{"objects": [{"number": 3, "url": "https://s3/part3?sig", "key": "proxies/p1"}]}"#,
        )
        .create();
    let parts = h
        .client
        .files()
        .get_s3_presigned_url("a1", "p1", "up-1", &3)
        .unwrap();
    let part = &parts.objects.as_ref().unwrap()[0];
    assert_eq!(part.number, Some(3));
    assert_eq!(part.url.as_deref(), Some("https://s3/part3?sig"));
    m.assert();
    h.finish();
}

#[test]
fn get_s3_complete_url() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/assets/a1/proxies/p1/multipart_url/")
        .match_query(Matcher::AllOf(vec![q("upload_id", "up-1"), q("type", "complete_url")]))
        .with_body(r#"{"complete_url": "https://s3/complete?sig", "abort_url": null, "list_parts_url": null}"#)
        .create();
    let urls = h
        .client
        .files()
        .get_s3_complete_url("a1", "p1", "up-1")
        .unwrap();
    assert_eq!(
        urls.complete_url.as_deref(),
        Some("https://s3/complete?sig")
    );
    m.assert();
    h.finish();
}

// ---- storages -------------------------------------------------------------

#[test]
fn get_storages_and_all() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/storages/")
        .match_query(Matcher::AllOf(vec![
            q("purpose", "FILES"),
            q("per_page", "10"),
        ]))
        .with_body(fixture("files_storages_page.json"))
        .create();
    let page = h
        .client
        .files()
        .get_storages(
            &StorageListParams::default()
                .purpose("FILES")
                .per_page(10u32),
        )
        .unwrap();
    assert_eq!(page.objects[0].method, Some(StorageMethod::S3));
    assert_eq!(
        page.objects[0].settings.as_ref().unwrap()["bucket"],
        "media"
    );
    assert_eq!(
        page.objects[1].method,
        Some(StorageMethod::Other("LTO".into()))
    );
    assert_eq!(page.objects[1].extra["tape_count"], 12);
    m.assert();

    let all = h
        .expect(Method::Get, "files", "/v1/storages/")
        .match_query(q("page", "1"))
        .with_body(fixture("files_storages_page.json"))
        .create();
    let n = h
        .client
        .files()
        .get_storages_all(&StorageListParams::default())
        .count();
    assert_eq!(n, 2);
    all.assert();
    h.finish();
}

#[test]
fn get_storage() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/storages/s1/")
        .with_body(r#"{"id": "s1", "name": "Main", "method": "GCS", "purpose": "PROXIES", "status": "FAILING", "settings": {}}"#)
        .create();
    let s = h.client.files().get_storage("s1").unwrap();
    assert_eq!(s.purpose, Some(StoragePurpose::Proxies));
    assert_eq!(s.data.status, Some(StorageStatus::Failing));
    m.assert();
    h.finish();
}

#[test]
fn fetch_storage_files_and_all() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "files", "/v1/storages/s1/files/")
        .match_query(Matcher::AllOf(vec![
            q("directory_path", "media"),
            q("type", "FILE"),
            q("page", "2"),
        ]))
        .with_body(fixture("files_files_page.json"))
        .create();
    let params = StorageFileListParams::default()
        .directory_path("media")
        .r#type("FILE")
        .page(2u32);
    let page = h.client.files().fetch_storage_files("s1", &params).unwrap();
    assert_eq!(page.objects.len(), 2);
    m.assert();

    let first = h
        .expect(Method::Get, "files", "/v1/storages/s1/files/")
        .match_query(Matcher::Exact("scroll=true".into()))
        .with_body(r#"{"objects": [{"id": "f1"}], "scroll_id": "cur-1"}"#)
        .create();
    let second = h
        .expect(Method::Get, "files", "/v1/storages/s1/files/")
        .match_query(Matcher::AllOf(vec![
            q("scroll", "true"),
            q("scroll_id", "cur-1"),
        ]))
        .with_body(r#"{"objects": [], "scroll_id": "cur-1"}"#)
        .create();
    let n = h
        .client
        .files()
        .fetch_storage_files_all("s1", &StorageFileListParams::default())
        .count();
    assert_eq!(n, 1);
    first.assert();
    second.assert();
    h.finish();
}

#[test]
fn create_storage_file() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "files", "/v1/storages/s1/files/")
        .match_body(json_body(json!({"directory_path": "in", "original_name": "x.wav", "type": "FILE", "size": 7})))
        .with_status(201)
        .with_body(r#"{"id": "f7", "directory_path": "in", "original_name": "x.wav", "type": "FILE", "storage_id": "s1"}"#)
        .create();
    let body = FileCreate::new("in", "x.wav", FileType::File).size(7i64);
    let f = h.client.files().create_storage_file("s1", &body).unwrap();
    assert_eq!(f.storage_id.as_deref(), Some("s1"));
    m.assert();
    h.finish();
}

// ---- delete queue and jobs ------------------------------------------------

#[test]
fn deleted_file_sets_and_formats() {
    let mut h = harness();
    let sets = h
        .expect(Method::Get, "files", "/v1/delete_queue/file_sets/")
        .match_query(Matcher::AllOf(vec![q("page", "1"), q("query", "clip")]))
        .with_body(r#"{"objects": [{"id": "fs1", "status": "DELETED"}], "page": 1, "pages": 1}"#)
        .create();
    let formats = h
        .expect(Method::Get, "files", "/v1/delete_queue/formats/")
        .match_query(q("per_page", "50"))
        .with_body(r#"{"objects": [{"id": "fm1", "name": "ORIGINAL", "status": "DELETED"}]}"#)
        .create();
    let p = h
        .client
        .files()
        .get_deleted_file_sets(&DeleteQueueParams::default().page(1u32).query("clip"))
        .unwrap();
    assert_eq!(p.objects[0].status, Some(FileSetStatus::Deleted));
    let p = h
        .client
        .files()
        .get_deleted_formats(&DeleteQueueParams::default().per_page(50u32))
        .unwrap();
    assert_eq!(p.objects[0].status, Some(FormatStatus::Deleted));
    sets.assert();
    formats.assert();
    h.finish();
}

#[test]
fn mediainfo_and_transcode_jobs() {
    let mut h = harness();
    let mediainfo = h
        .expect(Method::Post, "files", "/v1/assets/a1/files/f1/mediainfo/")
        .match_body(json_body(json!({"priority": 5})))
        .with_body(r#"{"job_id": "j1"}"#)
        .create();
    let transcode = h
        .expect(Method::Post, "files", "/v1/assets/a1/files/f1/keyframes/")
        .match_body(json_body(
            json!({"priority": 9, "set_as_custom_keyframe": false}),
        ))
        .with_body(r#"{"job_id": "j2"}"#)
        .create();
    let job = h
        .client
        .files()
        .create_mediainfo_job("a1", "f1", &TranscodeRequest::default().priority(5i64))
        .unwrap();
    assert_eq!(job.job_id.as_deref(), Some("j1"));
    let body = TranscodeRequest::default()
        .priority(9i64)
        .set_as_custom_keyframe(false);
    let job = h
        .client
        .files()
        .create_transcode_job("a1", "f1", &body)
        .unwrap();
    assert_eq!(job.job_id.as_deref(), Some("j2"));
    mediainfo.assert();
    transcode.assert();
    h.finish();
}

#[test]
fn bad_ids_send_nothing() {
    let h = harness();
    let err = h.client.files().get_asset_file("", "f1").unwrap_err();
    assert!(
        matches!(err, iconik_sync::Error::InvalidArgument(_)),
        "{err:?}"
    );
    h.finish();
}
