//! The hot path starts no thread per request.
//!
//! A test binary of its own, with one test, so that no other test's
//! threads come and go while the threads of this process are counted.
//! ureq's default resolver spawns a thread for every request whenever a
//! timeout is set (ours always is); the client's own resolver must not.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use iconik_sync::{Client, Method};

/// The ids of the live threads of this process.
fn threads() -> BTreeSet<u64> {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task is readable")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(base_url)
        .disable_rate_limit_handling()
        .build()
        .unwrap()
}

fn get(client: &Client) {
    let r = client
        .request(Method::Get, "assets", "/v1/assets/{id}/")
        .path_param("a1")
        .send::<serde_json::Value>()
        .unwrap();
    assert_eq!(r.http_status(), 200);
}

#[test]
fn a_thousand_requests_do_not_grow_the_thread_count() {
    let mut server = mockito::Server::new();
    let port = server.socket_address().port();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_body(r#"{"id":"a1"}"#)
        .expect(2 * 1001)
        .create();
    // an IP literal (never looked up) and a host name (looked up once)
    for base in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let client = client(&base);
        // the first request opens the connection (and looks the name up)
        get(&client);
        // A thread per request would be short-lived: counting before and
        // after would miss it. A sampler lists the threads again and again
        // while the requests run and keeps every id it sees.
        let done = AtomicBool::new(false);
        let seen = Mutex::new(BTreeSet::new());
        let (before, after, samples) = std::thread::scope(|s| {
            let sampler = s.spawn(|| {
                let mut samples = 0u64;
                while !done.load(Ordering::SeqCst) {
                    let now = threads();
                    seen.lock().unwrap().extend(now);
                    samples += 1;
                }
                samples
            });
            // the sampler is running: it is part of the baseline
            while seen.lock().unwrap().is_empty() {
                std::thread::yield_now();
            }
            let before = threads();
            for _ in 0..1000 {
                get(&client);
            }
            let after = threads();
            done.store(true, Ordering::SeqCst);
            (before, after, sampler.join().unwrap())
        });
        let seen = seen.into_inner().unwrap();
        let new: Vec<_> = seen.difference(&before).collect();
        assert!(
            samples > 10,
            "{base}: the sampler barely ran ({samples} samples)"
        );
        assert!(
            new.is_empty() && after == before,
            "{base}: {} threads before, {} after 1000 requests; {} others came and went ({samples} samples)",
            before.len(),
            after.len(),
            new.len()
        );
    }
    mock.assert();
}
