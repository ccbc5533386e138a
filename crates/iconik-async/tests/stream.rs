//! `AsyncIter`: a listing read with `while let Some(x) = it.next().await`
//! and as a `futures_core::Stream`, naming everything through
//! `iconik_async` alone; errors are items, never a silent end (a closed
//! client, a panicking iterator, a failed page); a dropped `next()` future
//! does not lose its step.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::Poll;

use futures_core::stream::{FusedStream, Stream};
// Only `iconik_async` paths below: an async program needs no other iconik crate.
use iconik_async::models::assets::AssetPostElastic as Asset;
use iconik_async::{AsyncIter, Client, Error, Result};
use serde_json::json;

fn client_for(server: &mockito::Server) -> Client {
    Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(server.url())
        .disable_rate_limit_handling()
        .max_workers(2)
        .build()
        .unwrap()
}

/// Two pages of assets (`a1 a2`, then `a3`), each expected exactly once.
fn two_pages(server: &mut mockito::Server) -> Vec<mockito::Mock> {
    let page = |n: u32, objects: serde_json::Value| {
        json!({"objects": objects, "page": n, "pages": 2, "per_page": 2,
               "next_url": if n == 1 { json!("/API/assets/v1/assets/?page=2") } else { json!(null) }})
        .to_string()
    };
    let query = |p: &str| {
        mockito::Matcher::AllOf(vec![
            mockito::Matcher::UrlEncoded("per_page".into(), "2".into()),
            mockito::Matcher::UrlEncoded("page".into(), p.into()),
        ])
    };
    vec![
        server
            .mock("GET", "/API/assets/v1/assets/")
            .match_query(query("1"))
            .with_header("content-type", "application/json")
            .with_body(page(
                1,
                json!([{"id": "a1", "title": "a1"}, {"id": "a2", "title": "a2"}]),
            ))
            .expect(1)
            .create(),
        server
            .mock("GET", "/API/assets/v1/assets/")
            .match_query(query("2"))
            .with_header("content-type", "application/json")
            .with_body(page(2, json!([{"id": "a3", "title": "a3"}])))
            .expect(1)
            .create(),
    ]
}

fn id(asset: Result<Asset>) -> String {
    asset.unwrap().id.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_let_next_await_walks_every_page() {
    let mut server = mockito::Server::new_async().await;
    let mocks = two_pages(&mut server);
    let client = client_for(&server);
    let mut assets = client.assets().get_assets().per_page(2).items();
    let mut seen = Vec::new();
    while let Some(asset) = assets.next().await {
        seen.push(id(asset));
    }
    assert_eq!(seen, ["a1", "a2", "a3"]);
    assert!(assets.next().await.is_none(), "stays ended");
    for m in mocks {
        m.assert_async().await;
    }
}

/// `Stream::poll_next` driven by hand (what `StreamExt::next` does).
async fn stream_next<S: Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *s).poll_next(cx)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_is_a_fused_stream() {
    let mut server = mockito::Server::new_async().await;
    let mocks = two_pages(&mut server);
    let client = client_for(&server);
    let mut assets = client.assets().get_assets().per_page(2).items();
    assert!(!assets.is_terminated());
    let mut seen = Vec::new();
    while let Some(asset) = stream_next(&mut assets).await {
        seen.push(id(asset));
    }
    assert_eq!(seen, ["a1", "a2", "a3"]);
    assert!(assets.is_terminated());
    assert!(stream_next(&mut assets).await.is_none());
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_page_is_an_item_then_the_listing_ends() {
    let mut server = mockito::Server::new_async().await;
    let failed = server
        .mock("GET", "/API/assets/v1/assets/")
        .match_query(mockito::Matcher::Any)
        .with_status(500)
        .with_body(r#"{"errors": ["boom"]}"#)
        .expect(1)
        .create();
    let client = client_for(&server);
    let mut assets = client.assets().get_assets().items();
    match assets.next().await {
        Some(Err(e)) => assert_eq!(e.status(), Some(500), "{e}"),
        other => panic!("expected the page's error, got {other:?}"),
    }
    assert!(assets.next().await.is_none());
    failed.assert_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_close_next_yields_closed_instead_of_ending_silently() {
    let server = mockito::Server::new_async().await;
    let client = client_for(&server);
    let mut assets = client.assets().get_assets().items();
    client.close().await;
    match assets.next().await {
        Some(Err(Error::Closed)) => {}
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(assets.next().await.is_none(), "the iterator is gone after");
    assert!(assets.is_terminated());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_iterator_yields_worker_failed() {
    let server = mockito::Server::new_async().await;
    let client = client_for(&server);
    let mut calls = 0;
    let iter = std::iter::from_fn(move || -> Option<Result<u32>> {
        calls += 1;
        if calls == 2 {
            panic!("the iterator broke");
        }
        Some(Ok(calls))
    });
    let mut it = AsyncIter::new(client.clone(), iter);
    assert_eq!(it.next().await.map(|r| r.unwrap()), Some(1));
    match it.next().await {
        Some(Err(Error::WorkerFailed(why))) => assert!(why.contains("the iterator broke"), "{why}"),
        other => panic!("expected WorkerFailed, got {other:?}"),
    }
    assert!(it.next().await.is_none());
    // the permit came back: the client still works
    assert_eq!(client.call(|_| 7).await.unwrap(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_next_future_does_not_lose_its_step() {
    let server = mockito::Server::new_async().await;
    let client = client_for(&server);
    // each step waits on the gate, so the first poll is certainly pending
    let (open, gate) = mpsc::channel::<()>();
    let mut n = 0;
    let iter = std::iter::from_fn(move || -> Option<Result<u32>> {
        gate.recv().ok()?;
        n += 1;
        (n <= 2).then_some(Ok(n))
    });
    let mut it = AsyncIter::new(client, iter);
    {
        let mut step = Box::pin(it.next());
        let first = poll_fn(|cx| Poll::Ready(step.as_mut().poll(cx))).await;
        assert!(first.is_pending());
    } // the `next()` future is dropped while its step runs
    open.send(()).unwrap();
    assert_eq!(it.next().await.map(|r| r.unwrap()), Some(1));
    open.send(()).unwrap();
    assert_eq!(it.next().await.map(|r| r.unwrap()), Some(2));
    open.send(()).unwrap();
    assert!(it.next().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_can_move_into_a_spawned_task() {
    fn send_and_unpin<T: Send + Unpin + 'static>(_: &T) {}
    let mut server = mockito::Server::new_async().await;
    let mocks = two_pages(&mut server);
    let client = client_for(&server);
    let assets = client.assets().get_assets().per_page(2).items();
    send_and_unpin(&assets);
    let seen = tokio::spawn(async move { assets.collect_bounded(10).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        seen.into_iter().map(Ok).map(id).collect::<Vec<_>>(),
        ["a1", "a2", "a3"]
    );
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_bounded_refuses_a_listing_longer_than_its_bound() {
    let mut server = mockito::Server::new_async().await;
    let _mocks = two_pages(&mut server);
    let client = client_for(&server);
    let assets = client.assets().get_assets().per_page(2).items();
    let err = assets.collect_bounded(2).await.unwrap_err();
    assert!(
        matches!(err, iconik_async::Error::BoundReached { limit: 2, .. }),
        "{err:?}"
    );
}
