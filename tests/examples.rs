//! Every example in `examples/` runs here, against the in-process emulator:
//! each example file is compiled into this test as a module, its `main`
//! is run (as `cargo run --example` would, with no credentials in the
//! environment), and its `run` is checked for what it claims to do.

use std::sync::Once;
use std::time::Duration;

use iconik_emulator::{Emulator, EmulatorConfig, RateLimitRule};

#[allow(dead_code)]
#[path = "../examples/async_quickstart.rs"]
mod async_quickstart;
#[allow(dead_code)]
#[path = "../examples/bulk_async.rs"]
mod bulk_async;
#[allow(dead_code)]
#[path = "../examples/errors.rs"]
mod errors;
#[allow(dead_code)]
#[path = "../examples/metadata.rs"]
mod metadata;
#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[allow(dead_code)]
#[path = "../examples/raw_call.rs"]
mod raw_call;
#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;
#[allow(dead_code)]
#[path = "../examples/tour_async.rs"]
mod tour_async;
#[allow(dead_code)]
#[path = "../examples/upload_download.rs"]
mod upload_download;

/// The examples talk to a real iconik when credentials are set; these
/// tests must not, so the variables are removed once, before any example
/// reads them (every test calls this first).
fn without_credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for var in [
            "ICONIK_APP_ID",
            "ICONIK_AUTH_TOKEN",
            "ICONIK_BASE_URL",
            "ICONIK_ASSET_ID",
            "ICONIK_VIEW_ID",
            "ICONIK_FIELD",
        ] {
            std::env::remove_var(var);
        }
    });
}

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().seed_data(true)).unwrap()
}

fn sync_client(emulator: &Emulator) -> iconik_sync::Client {
    iconik_sync::Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()
        .unwrap()
}

#[test]
fn quickstart() {
    without_credentials();
    quickstart::main().unwrap();

    let emulator = emulator();
    let s = quickstart::run(&sync_client(&emulator)).unwrap();
    assert_eq!(s.title, "Quickstart clip");
    assert_eq!(s.collection_items, 1);
    assert_eq!(s.assets_listed, 4, "three samples and the new one");
    assert!(s.found_by_search);
    assert_eq!(s.fetched_concurrently, ["Quickstart clip"; 3]);
}

#[test]
fn async_quickstart() {
    without_credentials();
    async_quickstart::main().unwrap();
}

#[test]
fn metadata() {
    without_credentials();
    metadata::main().unwrap();

    let emulator = emulator();
    // as the example's own client: a view without values yet reads as empty
    let client = iconik_sync::Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .metadata_view_404_as_empty(true)
        .build()
        .unwrap();
    let written = metadata::run(
        &client,
        iconik_emulator::SAMPLE_ASSET_IDS[1],
        iconik_emulator::SAMPLE_VIEW_ID,
    )
    .unwrap();
    assert_eq!(
        written,
        [
            (
                "emulator_description".to_string(),
                serde_json::json!("Written by the iconik-rs example")
            ),
            ("emulator_rating".to_string(), serde_json::json!(4)),
        ]
    );
}

#[test]
fn bulk_async() {
    without_credentials();
    bulk_async::main().unwrap();

    let emulator = emulator();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = iconik_async::Client::from_sync(sync_client(&emulator), 4);
    let tally = runtime
        .block_on(async {
            bulk_async::seed(&client, 40).await?;
            bulk_async::run(&client, 10).await
        })
        .unwrap();
    // 43 assets over five pages of 10: every one visited once
    assert_eq!(
        tally,
        bulk_async::Tally {
            assets: 43,
            files: 3
        }
    );
}

#[test]
fn errors() {
    without_credentials();
    errors::main().unwrap();

    let emulator = Emulator::start(
        EmulatorConfig::new()
            .seed_data(true)
            .rate_limits(vec![RateLimitRule::new(5, Duration::from_secs(1))]),
    )
    .unwrap();
    let seen = errors::run(&emulator).unwrap();
    assert!(seen.not_found);
    assert!(seen.refused_before_sending);
    // 11 requests in well under a second against 5 per second
    assert!(seen.rate_limited > 0, "{seen:?}");
    assert!(seen.retried_after_waiting);
}

#[test]
fn raw_call() {
    without_credentials();
    raw_call::main().unwrap();

    let emulator = emulator();
    let status = raw_call::run(&sync_client(&emulator)).unwrap();
    assert_eq!(status.as_deref(), Some("ACTIVE"));
}

#[test]
fn upload_download() {
    without_credentials();
    upload_download::main().unwrap();

    // the same run on every storage method the emulator serves
    let emulator = Emulator::start(EmulatorConfig::new()).unwrap();
    let client = sync_client(&emulator);
    let storages: serde_json::Value = client
        .request(iconik_sync::Method::Get, "files", "/v1/storages/")
        .send::<serde_json::Value>()
        .unwrap()
        .into_data();
    let dir = scratch("upload");
    let source = upload_download::generate(&dir.join("source.bin"), 11 * 1024 * 1024).unwrap();
    let mut methods = Vec::new();
    for storage in storages["objects"].as_array().unwrap() {
        let (id, method) = (
            storage["id"].as_str().unwrap(),
            storage["method"].as_str().unwrap(),
        );
        let dest = dir.join(format!("{method}.bin"));
        let s = upload_download::run(&client, &source, &dest, Some(id)).unwrap();
        assert_eq!(s.storage_method, method);
        assert_eq!(s.size, 11 * 1024 * 1024);
        assert!(s.checksum_verified && s.identical, "{s:?}");
        methods.push(method.to_string());
    }
    methods.sort();
    assert_eq!(methods, ["AZURE", "B2", "FILE", "GCS", "S3"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An empty scratch directory for one test under Cargo's scratch folder
/// (`target/tmp`), emptied first so runs do not pile up.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("examples")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn tour() {
    without_credentials();
    tour::main().unwrap();

    let emulator = emulator();
    let dir = scratch("tour");
    let field = tour::Field {
        view_id: iconik_emulator::SAMPLE_VIEW_ID.into(),
        name: iconik_emulator::SAMPLE_FIELD_NAMES[0].into(),
    };
    let seen = tour::run(&sync_client(&emulator), &field, &dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(seen.listed, ["iconik-rs tour clip"]);
    assert_eq!(seen.metadata.as_deref(), Some("Shot for the tour"));
    assert!(seen.found_by_search);
    assert!(seen.checksum_verified && seen.identical, "{seen:?}");
    // one upload, stored once
    assert_eq!(emulator.uploads().len(), 1);
}

#[test]
fn tour_async() {
    without_credentials();
    tour_async::main().unwrap();

    let emulator = emulator();
    let dir = scratch("tour-async");
    let field = tour_async::Field {
        view_id: iconik_emulator::SAMPLE_VIEW_ID.into(),
        name: iconik_emulator::SAMPLE_FIELD_NAMES[0].into(),
    };
    let client = iconik_async::Client::from_sync(sync_client(&emulator), 4);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen = runtime
        .block_on(tour_async::run(&client, &field, &dir))
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(seen.listed, ["iconik-rs async tour clip"]);
    assert_eq!(seen.metadata.as_deref(), Some("Shot for the tour"));
    assert!(seen.found_by_search);
    assert!(seen.checksum_verified && seen.identical, "{seen:?}");
    assert_eq!(emulator.uploads().len(), 1);
}

#[test]
fn the_async_examples_name_no_other_iconik_client_crate() {
    // what they use comes through `iconik_async`'s re-exports
    for (name, source) in [
        (
            "async_quickstart",
            include_str!("../examples/async_quickstart.rs"),
        ),
        ("bulk_async", include_str!("../examples/bulk_async.rs")),
        ("tour_async", include_str!("../examples/tour_async.rs")),
    ] {
        assert!(!source.contains("iconik_sync"), "{name} names iconik_sync");
    }
}
