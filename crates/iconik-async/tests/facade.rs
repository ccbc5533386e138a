//! The async facade: bounded workers, close, panics, dropped futures,
//! both runtime flavours, and parity with the sync surface.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iconik_async::Client;
use iconik_sync::{Error, RateLimitConfig};

/// A keep-alive HTTP server that answers every request with an asset after
/// a short pause, recording how many requests it holds at once.
struct ConcurrencyServer {
    url: String,
    current: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
}

fn concurrency_server(pause: Duration) -> ConcurrencyServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let current = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let (c, p, s) = (current.clone(), peak.clone(), served.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (c, p, s) = (c.clone(), p.clone(), s.clone());
            std::thread::spawn(move || serve(stream, pause, &c, &p, &s));
        }
    });
    ConcurrencyServer {
        url,
        current,
        peak,
        served,
    }
}

fn serve(
    mut stream: TcpStream,
    pause: Duration,
    current: &AtomicUsize,
    peak: &AtomicUsize,
    served: &AtomicUsize,
) {
    let body = br#"{"id": "a1", "title": "Clip"}"#;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // requests are GETs without bodies: read up to the blank line
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        buf.drain(..end);
        let now = current.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(pause);
        current.fetch_sub(1, Ordering::SeqCst);
        served.fetch_add(1, Ordering::SeqCst);
        // one write: head and body split in two would meet Nagle's
        // algorithm and delayed ACKs (40 ms per request)
        let mut answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        answer.extend_from_slice(body);
        if stream.write_all(&answer).is_err() {
            return;
        }
    }
}

fn client(url: &str, workers: usize) -> Client {
    Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(url)
        .disable_rate_limit_handling()
        .max_idle_connections(workers)
        .max_workers(workers)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_never_exceed_max_workers() {
    let server = concurrency_server(Duration::from_millis(1));
    let client = client(&server.url, 16);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10_000 {
        let c = client.clone();
        tasks.spawn(async move { c.assets().get("a1").await });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        let asset = result.unwrap().unwrap();
        assert_eq!(asset.title.as_deref(), Some("Clip"));
        ok += 1;
    }
    let peak = server.peak.load(Ordering::SeqCst);
    eprintln!("10,000 calls, max_workers 16: {ok} succeeded, server saw at most {peak} at once");
    assert_eq!(ok, 10_000);
    assert_eq!(server.served.load(Ordering::SeqCst), 10_000);
    assert!(peak <= 16, "{peak} requests in flight");
    assert!(peak >= 4, "the workers should overlap: peak {peak}");
    assert_eq!(server.current.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn works_on_the_current_thread_runtime() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 4);
    let assets = client.assets();
    let (a, b, c) = tokio::join!(assets.get("a1"), assets.get("a2"), assets.get("a3"));
    for r in [a, b, c] {
        assert_eq!(r.unwrap().title.as_deref(), Some("Clip"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn works_on_the_multi_thread_runtime() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 4);
    assert_eq!(client.assets().get("a1").await.unwrap().http_status(), 200);
}

#[tokio::test(flavor = "current_thread")]
async fn the_runtime_thread_is_never_blocked() {
    // a call that holds its worker for 300 ms; a ticker on the same (only)
    // runtime thread keeps ticking meanwhile
    let server = concurrency_server(Duration::from_millis(300));
    let client = client(&server.url, 1);
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            t.fetch_add(1, Ordering::SeqCst);
        }
    });
    client.assets().get("a1").await.unwrap();
    ticker.abort();
    assert!(
        ticks.load(Ordering::SeqCst) >= 10,
        "the runtime was blocked"
    );
}

#[tokio::test]
async fn close_refuses_new_calls_and_lets_running_ones_finish() {
    let server = concurrency_server(Duration::from_millis(200));
    let client = client(&server.url, 2);
    let running = {
        let c = client.clone();
        tokio::spawn(async move { c.assets().get("a1").await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await; // let it start
    client.close().await;
    assert!(client.is_closed());
    // the call in flight completed
    assert!(running.await.unwrap().is_ok());
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
    // later calls fail, on every clone
    assert!(matches!(
        client.assets().get("a1").await,
        Err(Error::Closed)
    ));
    assert!(matches!(
        client.clone().call(|_| ()).await,
        Err(Error::Closed)
    ));
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
    client.close().await; // idempotent
}

#[tokio::test]
async fn a_panicking_closure_is_an_error_and_frees_its_permit() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 1);
    let err = client
        .call(|_| -> u32 { panic!("boom") })
        .await
        .unwrap_err();
    match &err {
        Error::WorkerFailed(why) => assert!(why.contains("boom"), "{why}"),
        other => panic!("{other:?}"),
    }
    // the only permit is free again
    let r = tokio::time::timeout(Duration::from_secs(5), client.assets().get("a1")).await;
    assert!(r.expect("permit was not released").is_ok());
}

#[tokio::test]
async fn call_runs_any_closure_over_the_sync_client() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 2);
    let title = client
        .call(|c| c.assets().get("a1").map(|a| a.into_data().title))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(title.as_deref(), Some("Clip"));
}

#[tokio::test]
async fn a_dropped_future_stops_retrying() {
    let mut server = mockito::Server::new_async().await;
    let unavailable = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let client = Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(server.url())
        .rate_limit(
            RateLimitConfig::default()
                .limits(vec![])
                .jitter(false)
                .initial_backoff(Duration::from_millis(300))
                .max_retries(5),
        )
        .build()
        .unwrap();
    // the first attempt gets its 503; the future is dropped during the backoff
    let dropped = tokio::time::timeout(Duration::from_millis(150), client.assets().get("a1")).await;
    assert!(
        dropped.is_err(),
        "the call should still have been backing off"
    );
    // without the drop there would be 5 more attempts within ~9 s; give the
    // worker time to wake from its backoff and see the cancellation
    assert!(client.wait_idle(Duration::from_secs(5)).await);
    unavailable.assert_async().await;
}

#[tokio::test]
async fn at_most_max_workers_closures_run_at_once() {
    let client = Client::from_sync(iconik_sync::Client::new("app", "token").unwrap(), 3);
    let current = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (c, cur, pk) = (client.clone(), current.clone(), peak.clone());
        tasks.spawn(async move {
            c.call(move |_| {
                let now = cur.fetch_add(1, Ordering::SeqCst) + 1;
                pk.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                cur.fetch_sub(1, Ordering::SeqCst);
            })
            .await
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[test]
fn both_surfaces_have_the_same_methods() {
    let sync = iconik_sync::api::all_methods();
    let asynch = iconik_async::all_methods();
    assert_eq!(sync.len(), asynch.len());
    for (s, a) in sync.iter().zip(&asynch) {
        assert_eq!(s, a, "the two surfaces differ");
    }
    // every operation, and every earlier method, on both
    assert!(sync.len() > 1002, "{} methods", sync.len());
}

#[test]
fn sync_handlers_have_no_methods_the_async_surface_lacks() {
    // a method added to a sync handler by hand (not by the generator)
    // would have no async twin: every `pub fn` of a sync handler module
    // must be in the async method list (or be a hidden request builder)
    let names: std::collections::BTreeSet<(String, String)> = iconik_async::all_methods()
        .iter()
        .map(|m| (m.accessor.to_owned(), m.name.to_owned()))
        .collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../iconik-sync/src/api");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if stem == "mod" || stem == "operations" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("pub fn ") else {
                continue;
            };
            let name = rest.split(['(', '<']).next().unwrap();
            if name.ends_with("_builder") || name == stem {
                continue; // hidden request builders; the client accessor
            }
            assert!(
                names.contains(&(stem.clone(), name.to_owned())),
                "{}: `{name}` has no async twin",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 1002, "{checked}");
}

#[tokio::test(flavor = "current_thread")]
async fn async_throttle_waits_without_blocking() {
    let throttle = iconik_async::AsyncThrottle::new("2/s".parse().unwrap());
    let started = tokio::time::Instant::now();
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            t.fetch_add(1, Ordering::SeqCst);
        }
    });
    for _ in 0..3 {
        drop(throttle.acquire().await);
    }
    // two at once, the third after the window
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(
        ticks.load(Ordering::SeqCst) >= 50,
        "the runtime was blocked"
    );
    ticker.abort();
    let _a = throttle.acquire().await;
    let _b = throttle.acquire().await;
    assert!(throttle.locked(), "both slots held");
    assert!(throttle.try_acquire().is_none());
}
