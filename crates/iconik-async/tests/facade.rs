//! The async facade: bounded workers, close, panics, dropped futures,
//! both runtime flavours, and the surface it shares with the sync client.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iconik_async::models::assets::AssetPost;
use iconik_async::{Client, Executor, Response};
use iconik_sync::{Error, RateLimitConfig};
use mockito::Matcher;

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
        tasks.spawn(async move { c.assets().get_asset("a1").send().await });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        let asset = result.unwrap().unwrap();
        assert_eq!(asset.title, "Clip");
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
    let (a, b, c) = tokio::join!(
        assets.get_asset("a1").send(),
        assets.get_asset("a2").send(),
        assets.get_asset("a3").send()
    );
    for r in [a, b, c] {
        assert_eq!(r.unwrap().title, "Clip");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn works_on_the_multi_thread_runtime() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 4);
    assert_eq!(
        client
            .assets()
            .get_asset("a1")
            .send()
            .await
            .unwrap()
            .http_status(),
        200
    );
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
    client.assets().get_asset("a1").send().await.unwrap();
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
        tokio::spawn(async move { c.assets().get_asset("a1").send().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await; // let it start
    client.close().await;
    assert!(client.is_closed());
    // the call in flight completed
    assert!(running.await.unwrap().is_ok());
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
    // later calls fail, on every clone
    assert!(matches!(
        client.assets().get_asset("a1").send().await,
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
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        client.assets().get_asset("a1").send(),
    )
    .await;
    assert!(r.expect("permit was not released").is_ok());
}

#[tokio::test]
async fn call_runs_any_closure_over_the_sync_client() {
    let server = concurrency_server(Duration::ZERO);
    let client = client(&server.url, 2);
    let title = client
        .call(|c| {
            c.assets()
                .get_asset("a1")
                .send()
                .map(|a| a.into_data().title)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(title, "Clip");
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
    let dropped = tokio::time::timeout(
        Duration::from_millis(150),
        client.assets().get_asset("a1").send(),
    )
    .await;
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

/// One function, generic over the executor, serves both clients: the
/// same request type, `Result` with one and a future with the other.
fn asset_request<C: Executor>(exec: &C, id: &str) -> C::Output<Response<AssetPost>> {
    iconik_sync::api::AssetsApi::new(exec.clone())
        .get_asset(id)
        .include_users(true)
        .send()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_clients_send_the_same_request_through_the_same_types() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .match_query(Matcher::UrlEncoded("include_users".into(), "true".into()))
        .match_header("App-ID", "app")
        .match_header("Auth-Token", "token")
        .with_body(r#"{"title": "Clip"}"#)
        .expect(2)
        .create_async()
        .await;
    let sync = iconik_sync::Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(server.url())
        .disable_rate_limit_handling()
        .build()
        .unwrap();
    let client = Client::from_sync(sync.clone(), 2);
    let blocking = tokio::task::spawn_blocking(move || asset_request(&sync, "a1"))
        .await
        .unwrap()
        .unwrap();
    let awaited = asset_request(&client, "a1").await.unwrap();
    assert_eq!(blocking.title, "Clip");
    assert_eq!(awaited.title, "Clip");
    mock.assert_async().await;
}

#[test]
fn both_clients_have_every_service_and_build_the_same_operations() {
    let sync = iconik_sync::Client::new("app", "token").unwrap();
    let client = Client::from_sync(sync.clone(), 1);
    macro_rules! both {
        ($($service:ident),*) => {
            $( let _ = (sync.$service(), client.$service()); )*
        };
    }
    both!(
        acls,
        assets,
        auth,
        automations,
        files,
        jobs,
        metadata,
        ml,
        notifications,
        search,
        settings,
        stats,
        transcode,
        users,
        users_notifications
    );
    let blocking = sync
        .assets()
        .get_assets()
        .per_page(5)
        .types("ASSET")
        .into_request();
    let awaited = client
        .assets()
        .get_assets()
        .per_page(5)
        .types("ASSET")
        .into_request();
    assert_eq!(
        format!("{:?}", blocking.operation()),
        format!("{:?}", awaited.operation())
    );
    assert_eq!(awaited.operation().name(), "get_assets");
    assert_eq!(
        awaited.operation().query(),
        [
            ("per_page".to_string(), "5".to_string()),
            ("types".to_string(), "ASSET".to_string())
        ]
    );
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
