//! The same scenarios through the sync and the async client against one
//! server: identical requests on the wire (method, path, query, headers,
//! body) and identical results.

use std::sync::{Arc, Mutex};

use iconik_sync::models::assets::{AssetPostCreate, CollectionContent};
use iconik_sync::models::jobs::{Job, JobsState};
use iconik_sync::models::metadata::MetadataValues;
use iconik_sync::models::search::{SearchCriteriaSchema, SearchSuggestDocTypesType0Item};
use iconik_sync::{Method, Response};
use mockito::Matcher;
use serde_json::json;

/// What a result looked like, without timings.
trait Outcome {
    fn outcome(&self) -> String;
}

impl<T: std::fmt::Debug> Outcome for Response<T> {
    fn outcome(&self) -> String {
        format!("{} {:?} {:?}", self.http_status(), self.attempts, self.data)
    }
}

impl<T: std::fmt::Debug> Outcome for Vec<T> {
    fn outcome(&self) -> String {
        format!("{self:?}")
    }
}

/// `rating` = 5, in iconik's shape for metadata values.
fn rating() -> MetadataValues {
    let values = json!({"rating": {"field_values": [{"value": 5}]}});
    MetadataValues::new(values.as_object().cloned().unwrap_or_default())
}

fn describe<T: Outcome>(result: iconik_sync::Result<T>) -> String {
    match result {
        Ok(v) => v.outcome(),
        Err(e) => format!("error: {e}"),
    }
}

/// Runs the expression once with `$c` bound to the sync client and once
/// with it bound to the async client (awaited), recording both outcomes.
macro_rules! both {
    ($results:ident, $sync:expr, $asynch:expr, $rt:expr, |$c:ident| $call:expr) => {{
        let $c = &$sync;
        let s = describe($call);
        let $c = &$asynch;
        let a = $rt.block_on(async { describe($call.await) });
        $results.push((stringify!($call).to_string(), s, a));
    }};
}

#[test]
fn sync_and_async_send_identical_requests_and_get_identical_results() {
    let mut server = mockito::Server::new();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        let log = log.clone();
        let status = if method == "DELETE" { 204 } else { 200 };
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .with_status(status)
                .with_body_from_request(move |req| {
                    let mut headers: Vec<String> = req
                        .headers()
                        .iter()
                        .filter(|(k, _)| k.as_str() != "host")
                        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
                        .collect();
                    headers.sort();
                    log.lock().unwrap().push(format!(
                        "{} {}\n{}\n\n{}",
                        req.method(),
                        req.path_and_query(),
                        headers.join("\n"),
                        req.utf8_lossy_body().unwrap_or_default()
                    ));
                    if req.method() == "DELETE" {
                        Vec::new()
                    } else {
                        br#"{"objects": [], "id": "x1", "title": "t", "status": "ACTIVE"}"#.to_vec()
                    }
                })
                .create(),
        );
    }

    let sync = iconik_sync::Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(server.url())
        .default_header("X-Team", "media")
        .build()
        .unwrap();
    let asynch = iconik_async::Client::from_sync(sync.clone(), 4);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut results: Vec<(String, String, String)> = Vec::new();
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .get_asset("a1")
        .send());
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .post_assets(&AssetPostCreate::new("Clip").external_id("x-1"))
        .apply_default_acls(true)
        .send());
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .get_assets()
        .per_page(5)
        .page(2)
        .send());
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .delete_asset("a1")
        .send());
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .post_collection_contents("c1", &CollectionContent::new("a1", "assets"))
        .send());
    both!(results, sync, asynch, rt, |c| c
        .files()
        .get_asset_files("a/1")
        .per_page(3)
        .send());
    both!(results, sync, asynch, rt, |c| c
        .files_by_checksum("D41D8CD98F00B204E9800998ECF8427E")
        .send());
    both!(results, sync, asynch, rt, |c| c
        .metadata()
        .put_object_metadata("assets", "a1", "v1", &rating())
        .send());
    both!(results, sync, asynch, rt, |c| c
        .search()
        .post_search(
            &SearchCriteriaSchema::new()
                .query("clip")
                .doc_types(vec![SearchSuggestDocTypesType0Item::Assets])
        )
        .per_page(10)
        .send());
    both!(results, sync, asynch, rt, |c| c
        .jobs()
        .post_jobs(&Job::new("READY", "Proxy", "TRANSCODE"))
        .send());
    both!(results, sync, asynch, rt, |c| c
        .jobs()
        .put_jobs_state(&JobsState::new("ABORT", vec!["j1".to_string()]))
        .send());
    both!(results, sync, asynch, rt, |c| c
        .assets()
        .get_asset("..")
        .send());

    for (call, s, a) in &results {
        assert_eq!(s, a, "{call}: results differ");
    }
    let recorded = log.lock().unwrap();
    // one request per scenario and client, except the refused `..`
    assert_eq!(recorded.len(), 2 * (results.len() - 1), "{recorded:#?}");
    for pair in recorded.chunks(2) {
        assert_eq!(pair[0], pair[1], "the two clients sent different requests");
    }
    assert!(recorded
        .iter()
        .all(|r| r.contains("x-team: media") && r.contains("auth-token: token")));
    assert!(
        recorded[2].starts_with("POST /API/assets/v1/assets/?apply_default_acls=true\n"),
        "{}",
        recorded[2]
    );
    assert!(
        recorded[2].ends_with(r#"{"title":"Clip","external_id":"x-1"}"#),
        "{}",
        recorded[2]
    );
    // raw calls go through the same path
    let raw = |c: &iconik_sync::Client| {
        c.request(Method::Get, "acls", "/v1/acl/{t}/")
            .path_param("assets")
            .send::<serde_json::Value>()
            .map(|r| r.into_data())
    };
    drop(recorded);
    let s = raw(&sync).unwrap();
    let a = rt.block_on(asynch.call(raw)).unwrap().unwrap();
    assert_eq!(s, a);
    let log = log.lock().unwrap();
    let n = log.len();
    assert_eq!(log[n - 1], log[n - 2], "raw calls differ on the wire");
}
