//! End-to-end tests of the emulator over real TCP.

mod common;

use common::{build, connect, exchange, Client, Got};
use iconik_emulator::*;
use serde_json::json;
use std::io::{Read, Write};
use std::time::Duration;

fn start(cfg: EmulatorConfig) -> (Emulator, Client) {
    let emu = Emulator::start(cfg).expect("start");
    let c = Client::new(&emu);
    (emu, c)
}

fn open() -> EmulatorConfig {
    EmulatorConfig::new().no_rate_limit()
}

#[test]
fn auth_is_required() {
    let (emu, c) = start(open());
    let mut conn = connect(&c.base);
    let Got::Ok(r) = exchange(
        &mut conn,
        &build("GET", "/API/assets/v1/assets/", &[], None),
        false,
    ) else {
        panic!("no answer");
    };
    assert_eq!(r.status, 401);
    assert!(r.json()["errors"][0].is_string());
    let bad = Client {
        token: "wrong".into(),
        ..Client::new(&emu)
    };
    assert_eq!(bad.get("/API/assets/v1/assets/").status, 401);
    assert_eq!(c.get("/API/assets/v1/assets/").status, 200);
    let st = emu.stats();
    assert_eq!(st.unauthorized, 2);
    assert_eq!(st.requests, 3);
    assert_eq!(st.by_status.get(&401), Some(&2));
}

#[test]
fn create_get_and_paginate_assets() {
    let (emu, c) = start(open());
    let mut ids = Vec::new();
    for i in 0..25 {
        let r = c.post(
            "/API/assets/v1/assets/",
            &json!({"title": format!("Asset {i}"), "external_id": format!("ext-{i}")}),
        );
        assert_eq!(r.status, 201);
        let v = r.json();
        assert_eq!(v["title"], format!("Asset {i}"));
        assert_eq!(v["external_id"], format!("ext-{i}"));
        assert_eq!(v["status"], "ACTIVE");
        assert!(v["date_created"].as_str().unwrap().ends_with("+00:00"));
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let one = c.get(&format!("/API/assets/v1/assets/{}/", ids[3]));
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["title"], "Asset 3");

    let first = c.get("/API/assets/v1/assets/").json();
    assert_eq!(first["total"], 25);
    assert_eq!(first["pages"], 3);
    assert_eq!(first["per_page"], 10);
    assert_eq!(
        first["next_url"],
        "/API/assets/v1/assets/?page=2&per_page=10"
    );
    assert!(first["prev_url"].is_null());

    let mut seen = Vec::new();
    let mut url = Some("/API/assets/v1/assets/?per_page=10".to_string());
    let mut guard = 0;
    while let Some(u) = url {
        guard += 1;
        assert!(guard < 10);
        let page = c.get(&u).json();
        for o in page["objects"].as_array().unwrap() {
            seen.push(o["id"].as_str().unwrap().to_string());
        }
        url = page["next_url"].as_str().map(str::to_string);
    }
    assert_eq!(seen, ids);

    // Scroll.
    let mut scrolled = 0;
    let mut sid: Option<String> = None;
    for _ in 0..10 {
        let path = match &sid {
            None => "/API/assets/v1/assets/?scroll=true&per_page=7".to_string(),
            Some(s) => format!("/API/assets/v1/assets/?scroll=true&per_page=7&scroll_id={s}"),
        };
        let page = c.get(&path).json();
        let n = page["objects"].as_array().unwrap().len();
        if n == 0 {
            break;
        }
        scrolled += n;
        sid = Some(page["scroll_id"].as_str().unwrap().to_string());
    }
    assert_eq!(scrolled, 25);
    assert_eq!(emu.stats().creations.get("assets"), Some(&25));
}

#[test]
fn errors_look_like_iconik() {
    let (_emu, c) = start(open());
    let r = c.get("/API/assets/v1/assets/00000000-0000-4000-8000-000000000000/");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), json!({"errors": ["Asset not found"]}));
    assert_eq!(c.get("/API/assets/v1/nothing/here/").status, 404);
    assert_eq!(c.get("/elsewhere").status, 404);

    let r = c.post("/API/assets/v1/assets/", &json!({"external_id": "x"}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["errors"]["title"],
        "Missing data for required field."
    );
    let r = c.post("/API/metadata/v1/views/", &json!({"view_fields": []}));
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["name"].is_string());
    let r = c.post(
        "/API/jobs/v1/jobs/",
        &json!({"title": "t", "status": "READY"}),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["type"].is_string());
    let Got::Ok(r) = c.raw("POST", "/API/assets/v1/assets/", &[], Some(b"{not json")) else {
        panic!()
    };
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"][0]
        .as_str()
        .unwrap()
        .contains("Invalid JSON"));
}

#[test]
fn delete_soft_then_purge() {
    let (_emu, c) = start(open());
    let id = c
        .post("/API/assets/v1/assets/", &json!({"title": "gone"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.call("DELETE", &format!("/API/assets/v1/assets/{id}/"), None);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(
        c.get(&format!("/API/assets/v1/assets/{id}/")).json()["status"],
        "DELETED"
    );
    assert_eq!(c.get("/API/assets/v1/assets/").json()["total"], 0);
    assert_eq!(
        c.get("/API/assets/v1/delete_queue/assets/").json()["total"],
        1
    );
    let r = c.call(
        "DELETE",
        &format!("/API/assets/v1/assets/{id}/purge/"),
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(c.get(&format!("/API/assets/v1/assets/{id}/")).status, 404);
}

#[test]
fn rate_limit_429_with_headers() {
    let rule = RateLimitRule::new(3, Duration::from_secs(1));
    let (emu, c) = start(EmulatorConfig::new().rate_limits(vec![rule]));
    for left in [2, 1, 0] {
        let r = c.get("/API/assets/v1/assets/");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("RateLimit-Remaining"),
            Some(left.to_string().as_str())
        );
        assert_eq!(r.header("RateLimit-Limit"), Some("3"));
    }
    let r = c.get("/API/assets/v1/assets/");
    assert_eq!(r.status, 429);
    assert_eq!(r.json(), json!({"errors": ["Rate limit exceeded"]}));
    assert_eq!(r.header("Retry-After"), Some("1"));
    let st = emu.stats();
    assert_eq!(st.rate_limited, 1);
    assert_eq!(st.max_in_window, vec![(rule, 4)]);
    std::thread::sleep(Duration::from_millis(1050));
    assert_eq!(c.get("/API/assets/v1/assets/").status, 200);

    let (_e2, c2) = start(
        EmulatorConfig::new()
            .rate_limits(vec![RateLimitRule::new(1, Duration::from_secs(20))])
            .retry_after(false),
    );
    assert_eq!(c2.get("/API/assets/v1/assets/").status, 200);
    let r = c2.get("/API/assets/v1/assets/");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("Retry-After"), None);
}

#[test]
fn retry_after_reflects_the_longest_window() {
    let (_emu, c) = start(
        EmulatorConfig::new().rate_limits(vec![RateLimitRule::new(1, Duration::from_secs(20))]),
    );
    assert_eq!(c.get("/API/assets/v1/assets/").status, 200);
    let r = c.get("/API/assets/v1/assets/");
    assert_eq!(r.status, 429);
    let secs: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert!((19..=20).contains(&secs), "{secs}");
}

fn fault_run(seed: u64) -> Vec<u16> {
    let cfg = open().seed(seed).faults(
        FaultConfig::default()
            .error_rate(0.3)
            .reset_rate(0.1)
            .truncate_rate(0.1),
    );
    let (_emu, c) = start(cfg);
    (0..60)
        .map(
            |_| match c.raw("GET", "/API/assets/v1/assets/", &[], None) {
                Got::Ok(r) => r.status,
                Got::Truncated { .. } => 1,
                Got::Failed(_) => 0,
            },
        )
        .collect()
}

#[test]
fn seeded_faults_are_reproducible() {
    let a = fault_run(42);
    let b = fault_run(42);
    assert_eq!(a, b);
    assert!(a.contains(&200));
    assert!(a.iter().any(|s| [500, 502, 503].contains(s)));
    assert!(a.contains(&0), "some resets: {a:?}");
    assert!(a.contains(&1), "some truncations: {a:?}");
    assert_ne!(a, fault_run(7));
}

#[test]
fn reset_really_closes_the_connection() {
    let (emu, c) = start(open());
    match c.raw(
        "GET",
        "/API/assets/v1/assets/",
        &[("X-Emulator-Fault", "reset")],
        None,
    ) {
        Got::Failed(kind) => assert!(
            matches!(
                kind,
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
            ),
            "{kind:?}"
        ),
        other => panic!("expected a reset, got {other:?}"),
    }
    let st = emu.stats();
    assert_eq!(st.resets, 1);
    assert_eq!(st.faults_injected, 1);
    assert!(st.creations.is_empty());

    // after-apply-reset: the asset exists even though the client saw a reset.
    let body = serde_json::to_vec(&json!({"title": "applied"})).unwrap();
    let got = c.raw(
        "POST",
        "/API/assets/v1/assets/",
        &[("X-Emulator-Fault", "after-apply-reset")],
        Some(&body),
    );
    assert!(matches!(got, Got::Failed(_)), "{got:?}");
    assert_eq!(c.get("/API/assets/v1/assets/").json()["total"], 1);

    // after-apply-503.
    let got = c.raw(
        "POST",
        "/API/assets/v1/assets/",
        &[("X-Emulator-Fault", "after-apply-503")],
        Some(&body),
    );
    let Got::Ok(r) = got else { panic!() };
    assert_eq!(r.status, 503);
    assert_eq!(c.get("/API/assets/v1/assets/").json()["total"], 2);

    // status=N before apply: nothing created.
    let Got::Ok(r) = c.raw(
        "POST",
        "/API/assets/v1/assets/",
        &[("X-Emulator-Fault", "status=502")],
        Some(&body),
    ) else {
        panic!()
    };
    assert_eq!(r.status, 502);
    assert_eq!(c.get("/API/assets/v1/assets/").json()["total"], 2);
    assert_eq!(emu.stats().creations.get("assets"), Some(&2));
}

#[test]
fn truncated_body_is_short_and_closed() {
    let (_emu, c) = start(open().seed_data(true));
    let path = format!("/API/assets/v1/assets/{}/", SAMPLE_ASSET_IDS[0]);
    match c.raw("GET", &path, &[("X-Emulator-Fault", "truncate")], None) {
        Got::Truncated { expected, got } => assert!(got < expected && expected > 0),
        other => panic!("expected truncation, got {other:?}"),
    }
    // Runtime fault changes.
    let emu2 = Emulator::start(open()).unwrap();
    let c2 = Client::new(&emu2);
    emu2.set_faults(
        FaultConfig::default()
            .error_rate(1.0)
            .error_statuses(vec![503]),
    );
    assert_eq!(c2.get("/API/assets/v1/assets/").status, 503);
    emu2.set_faults(FaultConfig::none());
    assert_eq!(c2.get("/API/assets/v1/assets/").status, 200);
}

#[test]
fn keep_alive_and_malformed_requests() {
    let (_emu, c) = start(open());
    let mut conn = connect(&c.base);
    let h = [("App-ID", "demo"), ("Auth-Token", "demo")];
    for _ in 0..3 {
        let Got::Ok(r) = exchange(
            &mut conn,
            &build("GET", "/API/assets/v1/assets/", &h, None),
            false,
        ) else {
            panic!()
        };
        assert_eq!(r.status, 200);
    }
    let mut s = std::net::TcpStream::connect(common::host(&c.base)).unwrap();
    s.write_all(b"\x00\x01garbage\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");

    let mut s = std::net::TcpStream::connect(common::host(&c.base)).unwrap();
    s.write_all(b"POST /API/assets/v1/assets/ HTTP/1.1\r\nApp-ID: demo\r\nAuth-Token: demo\r\nContent-Length: 99999999999\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
}

#[test]
fn search_by_title() {
    let (_emu, c) = start(open().seed_data(true));
    assert_eq!(
        c.post(
            "/API/assets/v1/collections/",
            &json!({"title": "Clip reel"})
        )
        .status,
        201
    );
    let r = c.post(
        "/API/search/v1/search/?per_page=2",
        &json!({"doc_types": ["assets"], "query": "sample CLIP"}),
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 3);
    assert_eq!(v["objects"].as_array().unwrap().len(), 2);
    assert_eq!(v["objects"][0]["object_type"], "assets");
    assert_eq!(v["objects"][0]["title"], "Sample clip 1");
    assert!(v["next_url"]
        .as_str()
        .unwrap()
        .starts_with("/API/search/v1/search/?page=2&per_page=2"));
    let v = c
        .post("/API/search/v1/search/", &json!({"query": "clip"}))
        .json();
    assert_eq!(v["total"], 4);
    assert!(v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["object_type"] == "collections" && o["title"] == "Clip reel"));
    let v = c
        .post(
            "/API/search/v1/search/",
            &json!({"doc_types": ["assets"], "query": "", "filter": {"operator": "AND", "terms": [{"name": "title", "value": "Sample clip 2"}]}}),
        )
        .json();
    assert_eq!(v["total"], 1);
}

#[test]
fn search_fields_say_where_the_query_is_matched() {
    let (_emu, c) = start(open().seed_data(true));
    let body = json!({"title": "Interview", "description": "shot on the pier"});
    assert_eq!(c.post("/API/assets/v1/assets/", &body).status, 201);
    let total =
        |body: serde_json::Value| c.post("/API/search/v1/search/", &body).json()["total"].clone();
    // the title by default, and when named
    assert_eq!(total(json!({"query": "\"interview\""})), 1);
    assert_eq!(
        total(json!({"query": "interview", "search_fields": ["title"]})),
        1
    );
    // not in the title: only found where it is
    assert_eq!(total(json!({"query": "pier"})), 0);
    assert_eq!(
        total(json!({"query": "pier", "search_fields": ["title"]})),
        0
    );
    assert_eq!(
        total(json!({"query": "pier", "search_fields": ["title", "description"]})),
        1
    );
    assert_eq!(
        total(json!({"query": "interview", "search_fields": ["description"]})),
        0
    );
}

#[test]
fn checksum_lookup_and_last_id_pagination() {
    let (_emu, c) = start(open().seed_data(true));
    let v = c
        .get(&format!("/API/files/v1/files/checksum/{}/", SAMPLE_MD5S[0]))
        .json();
    assert_eq!(v["objects"].as_array().unwrap().len(), 1);
    assert_eq!(v["objects"][0]["id"], SAMPLE_FILE_IDS[0]);
    assert_eq!(v["objects"][0]["asset_id"], SAMPLE_ASSET_IDS[0]);
    let v = c
        .get("/API/files/v1/files/checksum/ffffffffffffffffffffffffffffffff/")
        .json();
    assert_eq!(v["objects"].as_array().unwrap().len(), 0);

    let a = SAMPLE_ASSET_IDS[2];
    for i in 0..14 {
        let r = c.post(
            &format!("/API/files/v1/assets/{a}/files/"),
            &json!({"original_name": format!("f{i}"), "directory_path": "d", "type": "FILE"}),
        );
        assert_eq!(r.status, 201);
    }
    let first = c.get(&format!("/API/files/v1/assets/{a}/files/")).json();
    assert_eq!(first["objects"].as_array().unwrap().len(), 10);
    let next = first["next_url"].as_str().unwrap().to_string();
    let last_id = first["objects"][9]["id"].as_str().unwrap();
    assert!(next.contains(&format!("last_id={last_id}")), "{next}");
    let second = c.get(&next).json();
    assert_eq!(second["objects"].as_array().unwrap().len(), 5);
    assert!(second["next_url"].is_null());
}

#[test]
fn metadata_values_jobs_and_collections() {
    let (emu, c) = start(open().seed_data(true));
    let a = SAMPLE_ASSET_IDS[0];
    let path = format!("/API/metadata/v1/assets/{a}/views/{SAMPLE_VIEW_ID}/");
    assert_eq!(c.get(&path).status, 404);
    let vals =
        json!({"metadata_values": {SAMPLE_FIELD_NAMES[0]: {"field_values": [{"value": "hi"}]}}});
    let r = c.call("PUT", &path, Some(&vals));
    assert_eq!(r.status, 200);
    let v = c.get(&path).json();
    assert_eq!(
        v["metadata_values"][SAMPLE_FIELD_NAMES[0]]["field_values"][0]["value"],
        "hi"
    );
    assert_eq!(v["object_id"], a);
    let views = c.get("/API/metadata/v1/views/").json();
    assert_eq!(views["objects"][0]["id"], SAMPLE_VIEW_ID);
    let f = c
        .get(&format!(
            "/API/metadata/v1/fields/{}/",
            SAMPLE_FIELD_NAMES[1]
        ))
        .json();
    assert_eq!(f["field_type"], "integer");

    // Jobs.
    let job = c.post(
        "/API/jobs/v1/jobs/",
        &json!({"title": "t", "status": "STARTED", "type": "CUSTOM"}),
    );
    assert_eq!(job.status, 201);
    let jid = job.json()["id"].as_str().unwrap().to_string();
    let r = c.call(
        "PUT",
        "/API/jobs/v1/jobs/state/",
        Some(&json!({"action": "ABORT", "job_ids": [jid]})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        c.get(&format!("/API/jobs/v1/jobs/{jid}/")).json()["status"],
        "ABORTED"
    );
    let r = c.post(
        &format!(
            "/API/files/v1/assets/{a}/files/{}/mediainfo/",
            SAMPLE_FILE_IDS[0]
        ),
        &json!({}),
    );
    assert_eq!(r.status, 200);
    assert!(r.json()["job_id"].is_string());
    assert_eq!(
        c.get("/API/jobs/v1/jobs/?type=MEDIAINFO").json()["total"],
        1
    );

    // Collections.
    let col = c
        .post("/API/assets/v1/collections/", &json!({"title": "Box"}))
        .json();
    let cid = col["id"].as_str().unwrap();
    let r = c.post(
        &format!("/API/assets/v1/collections/{cid}/contents/"),
        &json!({"object_id": a, "object_type": "assets"}),
    );
    assert_eq!(r.status, 201);
    let contents = c
        .get(&format!("/API/assets/v1/collections/{cid}/contents/"))
        .json();
    assert_eq!(contents["total"], 1);
    assert_eq!(contents["objects"][0]["id"], a);
    let info = c
        .get(&format!("/API/assets/v1/collections/{cid}/content/info/"))
        .json();
    assert_eq!(info["assets_count"], 1);
    let r = c.call(
        "DELETE",
        &format!("/API/assets/v1/collections/{cid}/contents/assets/{a}/"),
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        c.get(&format!("/API/assets/v1/collections/{cid}/contents/"))
            .json()["total"],
        0
    );

    let st = emu.stats();
    assert_eq!(st.creations.get("jobs"), Some(&2));
    assert_eq!(st.creations.get("collections"), Some(&1));
    emu.reset_stats();
    assert_eq!(emu.stats().requests, 0);
}

#[test]
fn versions_segments_history() {
    let (_emu, c) = start(open());
    let a = c
        .post("/API/assets/v1/assets/", &json!({"title": "v"}))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.post(&format!("/API/assets/v1/assets/{a}/versions/"), &json!({}));
    assert_eq!(r.status, 200);
    let vs = r.json()["versions"].as_array().unwrap().clone();
    assert_eq!(vs.len(), 2);
    assert_eq!(vs[1]["version_number"], 2);
    let old = vs[0]["id"].as_str().unwrap();
    let r = c.call(
        "PUT",
        &format!("/API/assets/v1/assets/{a}/versions/{old}/promote/"),
        None,
    );
    assert_eq!(r.json()["versions"][1]["id"], old);
    assert_eq!(
        c.call(
            "DELETE",
            &format!("/API/assets/v1/assets/{a}/versions/old/"),
            None
        )
        .status,
        204
    );
    assert_eq!(
        c.get(&format!("/API/assets/v1/assets/{a}/")).json()["versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let seg = c.post(
        &format!("/API/assets/v1/assets/{a}/segments/"),
        &json!({"segment_type": "MARKER", "time_start_milliseconds": 5}),
    );
    assert_eq!(seg.status, 201);
    let sid = seg.json()["id"].as_str().unwrap().to_string();
    let r = c.call(
        "PATCH",
        &format!("/API/assets/v1/assets/{a}/segments/{sid}/"),
        Some(&json!({"segment_text": "x"})),
    );
    assert_eq!(r.json()["segment_text"], "x");
    assert_eq!(
        c.get(&format!("/API/assets/v1/assets/{a}/segments/"))
            .json()["total"],
        1
    );
    assert_eq!(
        c.call(
            "DELETE",
            &format!("/API/assets/v1/assets/{a}/segments/{sid}/"),
            None
        )
        .status,
        204
    );

    let h = c.post(
        &format!("/API/assets/v1/assets/{a}/history/"),
        &json!({"operation_type": "CUSTOM"}),
    );
    assert_eq!(h.status, 201);
    assert_eq!(
        c.get(&format!("/API/assets/v1/assets/{a}/history/")).json()["total"],
        1
    );
}

#[tokio::test]
async fn usable_inside_a_tokio_runtime_and_restartable() {
    for _ in 0..5 {
        let emu = Emulator::start(open()).unwrap();
        let base = emu.base_url();
        let status = tokio::task::spawn_blocking(move || {
            let c = Client {
                base,
                app_id: "demo".into(),
                token: "demo".into(),
            };
            c.get("/API/assets/v1/assets/").status
        })
        .await
        .unwrap();
        assert_eq!(status, 200);
        drop(emu);
    }
}

#[test]
fn chunked_and_expect_continue_bodies() {
    let (emu, c) = start(open());
    let mut s = std::net::TcpStream::connect(common::host(&c.base)).unwrap();
    s.write_all(
        b"POST /API/assets/v1/assets/ HTTP/1.1\r\nHost: x\r\nApp-ID: demo\r\nAuth-Token: demo\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n9\r\n{\"title\":\r\n9;ext=1\r\n\"chunky\"}\r\n0\r\n\r\n",
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 201"), "{out}");
    assert!(out.contains("\"title\":\"chunky\""), "{out}");
    assert_eq!(emu.stats().creations.get("assets"), Some(&1));

    let mut s = std::net::TcpStream::connect(common::host(&c.base)).unwrap();
    s.write_all(b"POST /API/assets/v1/assets/ HTTP/1.1\r\nApp-ID: demo\r\nAuth-Token: demo\r\nExpect: 100-continue\r\nContent-Length: 13\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 25];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"{\"title\":\"e\"}").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 201"), "{out}");
}

#[test]
fn seeded_ids_are_reproducible() {
    let ids = |seed| {
        let (_emu, c) = start(open().seed(seed));
        (0..3)
            .map(|_| {
                c.post("/API/assets/v1/assets/", &json!({"title": "x"}))
                    .json()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(9), ids(9));
    assert_ne!(ids(9), ids(10));
}

#[test]
fn wrong_method_is_405_and_emulator_is_send_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Emulator>();
    let (_emu, c) = start(open());
    let r = c.call("DELETE", "/API/assets/v1/assets/", None);
    assert_eq!(r.status, 405);
    assert!(r.json()["errors"][0].is_string());
    assert_eq!(c.call("DELETE", "/API/assets/v1/nope/", None).status, 404);
}

#[test]
fn search_after_cursors() {
    let (_emu, c) = start(open());
    for i in 0..5 {
        let r = c.post(
            "/API/jobs/v1/jobs/",
            &json!({"title": format!("j{i}"), "status": "READY", "type": "CUSTOM"}),
        );
        assert_eq!(r.status, 201);
        c.post(
            "/API/assets/v1/assets/",
            &json!({"title": format!("needle {i}")}),
        );
    }
    // Jobs: search_after as a JSON-encoded query parameter.
    let first = c.get("/API/jobs/v1/jobs/?per_page=2").json();
    let mut titles: Vec<String> = first["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap().into())
        .collect();
    let mut after = first["search_after"].clone();
    for _ in 0..10 {
        if after.is_null() {
            break;
        }
        let enc: String = after
            .to_string()
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let page = c
            .get(&format!("/API/jobs/v1/jobs/?per_page=2&search_after={enc}"))
            .json();
        for o in page["objects"].as_array().unwrap() {
            titles.push(o["title"].as_str().unwrap().into());
        }
        after = page["search_after"].clone();
    }
    assert_eq!(titles, ["j0", "j1", "j2", "j3", "j4"]);

    // Search: search_after in the body.
    let mut body = json!({"doc_types": ["assets"], "query": "needle"});
    let mut n = 0;
    for _ in 0..10 {
        let page = c.post("/API/search/v1/search/?per_page=2", &body).json();
        n += page["objects"].as_array().unwrap().len();
        if page["search_after"].is_null() || page["objects"].as_array().unwrap().is_empty() {
            break;
        }
        body["search_after"] = page["search_after"].clone();
    }
    assert_eq!(n, 5);
}

#[test]
fn survives_garbage_input() {
    let (emu, c) = start(open());
    let mut rng = fastrand::Rng::with_seed(5);
    let prefixes: [&[u8]; 4] = [
        b"",
        b"GET /API/assets/v1/assets/ HTTP/1.1\r\n",
        b"POST /API/assets/v1/assets/ HTTP/1.1\r\nApp-ID: demo\r\nAuth-Token: demo\r\nContent-Length: 5\r\n\r\n",
        b"PUT /storage/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];
    for i in 0..200 {
        let mut s = std::net::TcpStream::connect(common::host(&c.base)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut msg = prefixes[i % prefixes.len()].to_vec();
        let n = rng.usize(0..300);
        msg.extend((0..n).map(|_| rng.u8(..)));
        let _ = s.write_all(&msg);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
    assert_eq!(c.get("/API/assets/v1/assets/").status, 200);
    assert!(emu.stats().requests >= 1);
}

#[test]
fn latency_is_added() {
    let (_emu, c) = start(open().faults(FaultConfig::default().latency(Duration::from_millis(50))));
    let t = std::time::Instant::now();
    let Got::Ok(r) = c.raw(
        "GET",
        "/API/assets/v1/assets/",
        &[("X-Emulator-Fault", "latency-ms=100")],
        None,
    ) else {
        panic!()
    };
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t.elapsed()
    );
}
