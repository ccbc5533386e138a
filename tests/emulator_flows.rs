//! End-to-end against the emulator: the quickstart flow on both clients,
//! rate limits under load, shared credentials, faults, POST safety, and
//! refusals. Limits are iconik's pair scaled up so each test is quick;
//! full-length runs at iconik's real limits belong to the benchmarks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig, RateLimitRule};
use iconik_rs::{run_async, run_sync, FlowContext};
use iconik_sync::{Client, Error, Method, Rate, RateLimitConfig};
use serde_json::{json, Value};

fn client_for(emulator: &Emulator, config: RateLimitConfig) -> Client {
    Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .rate_limit(config)
        .max_idle_connections(64)
        .build()
        .unwrap()
}

fn sample_context(label: &str) -> FlowContext {
    FlowContext {
        label: label.into(),
        view: Some((
            iconik_emulator::SAMPLE_VIEW_ID.into(),
            iconik_emulator::SAMPLE_FIELD_NAMES[0].into(),
        )),
        storage_id: Some(iconik_emulator::SAMPLE_STORAGE_ID.into()),
        fetch_ids: iconik_emulator::SAMPLE_ASSET_IDS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }
}

#[test]
fn quickstart_flow_sync_and_async_give_the_same_results() {
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true)).unwrap();
    let client = client_for(&emulator, RateLimitConfig::default());
    let sync = run_sync(&client, &sample_context("sync")).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let async_client = iconik_async::Client::from_sync(client.clone(), 4);
    let asynch = runtime
        .block_on(run_async(&async_client, &sample_context("async")))
        .unwrap();

    assert_eq!(sync.outcome, asynch.outcome);
    assert_ne!(sync.asset_id, asynch.asset_id);
    let o = &sync.outcome;
    assert_eq!(o.asset_title, "Quickstart clip");
    assert_eq!(o.collection_items, 1);
    assert_eq!(o.metadata_value.as_deref(), Some("Shot on the quickstart"));
    assert!(o.found_by_search);
    assert_eq!(o.file_names, vec!["quickstart.txt"]);
    assert_eq!(o.checksum_matches, 1);
    assert_eq!(o.fetched_titles.len(), 4);
    // every creation happened exactly once per run
    let stats = emulator.stats();
    assert_eq!(stats.creations.get("assets"), Some(&2));
    assert_eq!(stats.rate_limited, 0);
}

/// iconik's 50/s and 1000/20 s, scaled: 500/s and 2,000/5 s (the longer
/// window binds after 2,000 sends, as iconik's does in a long run).
fn scaled_limits() -> (Vec<Rate>, Vec<RateLimitRule>) {
    let pairs = [
        (500, Duration::from_secs(1)),
        (2000, Duration::from_secs(5)),
    ];
    (
        pairs
            .iter()
            .map(|&(n, w)| Rate::new(n, w).unwrap())
            .collect(),
        pairs
            .iter()
            .map(|&(n, w)| RateLimitRule::new(n, w))
            .collect(),
    )
}

#[test]
fn sixty_four_threads_stay_under_the_limits_with_zero_429s() {
    let (_, server_rules) = scaled_limits();
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .seed_data(true)
            .rate_limits(server_rules.clone()),
    )
    .unwrap();
    // The server counts arrivals, the pacer grants: with 64 threads on 2
    // loaded cores a thread granted a slot can wait hundreds of ms for a
    // core before its request leaves, and requests granted in different
    // windows arrive in one (this test drew 429s at a load average of 4).
    // So the client paces 10% under the server's limits, with a 200 ms
    // window margin: the server sees more than a limit only if over 50
    // requests of a window are each held back by more than 200 ms.
    let client_limits = server_rules
        .iter()
        .map(|r| Rate::new(r.limit * 9 / 10, r.window).unwrap())
        .collect();
    let client = client_for(
        &emulator,
        RateLimitConfig::default()
            .limits(client_limits)
            .window_margin(Duration::from_millis(200)),
    );
    let id = iconik_emulator::SAMPLE_ASSET_IDS[0];
    let started = Instant::now();
    let failures = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..64 {
            s.spawn(|| {
                for _ in 0..50 {
                    if client.assets().get_asset(id).send().is_err() {
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let stats = emulator.stats();
    eprintln!(
        "64 threads x 50 GETs in {:.2?}: {} 429s, most in any window: {:?}",
        started.elapsed(),
        stats.rate_limited,
        stats.max_in_window
    );
    assert_eq!(failures.load(Ordering::SeqCst), 0);
    assert_eq!(stats.rate_limited, 0, "no 429s");
    for (rule, most) in &stats.max_in_window {
        assert!(
            *most <= rule.limit,
            "{most} requests in a window of {rule:?}"
        );
    }
}

#[test]
fn three_clients_sharing_credentials_lose_nothing() {
    let (limits, rules) = scaled_limits();
    let emulator =
        Emulator::start(EmulatorConfig::new().seed_data(true).rate_limits(rules)).unwrap();
    // three processes' worth of clients: separate pacers, same credentials
    let clients: Vec<Client> = (0..3)
        .map(|_| client_for(&emulator, RateLimitConfig::default().limits(limits.clone())))
        .collect();
    let id = iconik_emulator::SAMPLE_ASSET_IDS[1];
    let failures = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for client in &clients {
            for _ in 0..8 {
                s.spawn(|| {
                    // 3 clients x 8 threads x 84 = 2,016 requests
                    for _ in 0..84 {
                        match client.assets().get_asset(id).send() {
                            Ok(_) => done.fetch_add(1, Ordering::SeqCst),
                            Err(_) => failures.fetch_add(1, Ordering::SeqCst),
                        };
                    }
                });
            }
        }
    });
    let stats = emulator.stats();
    eprintln!(
        "3 clients, shared credentials: {} ok, {} failed in {:.2?}; {} 429s received",
        done.load(Ordering::SeqCst),
        failures.load(Ordering::SeqCst),
        started.elapsed(),
        stats.rate_limited
    );
    assert_eq!(failures.load(Ordering::SeqCst), 0);
    assert_eq!(done.load(Ordering::SeqCst), 2016);
}

#[test]
fn gets_survive_503s_and_resets() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .seed_data(true)
            .no_rate_limit()
            .seed(11)
            .faults(
                FaultConfig::none()
                    .error_rate(0.10)
                    .error_statuses(vec![503])
                    .reset_rate(0.02),
            ),
    )
    .unwrap();
    let client = client_for(
        &emulator,
        RateLimitConfig::default()
            .limits(vec![])
            .initial_backoff(Duration::from_millis(5))
            .max_backoff(Duration::from_millis(100))
            .max_retries(8),
    );
    let id = iconik_emulator::SAMPLE_ASSET_IDS[2];
    let failures = AtomicUsize::new(0);
    let attempts = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                for _ in 0..(5000 / 16 + 1) {
                    match client.assets().get_asset(id).send() {
                        Ok(r) => attempts.fetch_add(r.attempts as usize, Ordering::SeqCst),
                        Err(_) => failures.fetch_add(1, Ordering::SeqCst),
                    };
                }
            });
        }
    });
    let stats = emulator.stats();
    let total = 16 * (5000 / 16 + 1);
    eprintln!(
        "{total} GETs with 10% 503s and 2% resets: {} failed, {:.3} attempts per request, {} faults and {} resets injected",
        failures.load(Ordering::SeqCst),
        attempts.load(Ordering::SeqCst) as f64 / total as f64,
        stats.faults_injected,
        stats.resets
    );
    assert_eq!(failures.load(Ordering::SeqCst), 0);
    assert!(
        stats.faults_injected > 300,
        "faults were injected: {}",
        stats.faults_injected
    );
}

#[test]
fn posts_failing_after_arrival_are_never_created_twice() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .no_rate_limit()
            .seed(5)
            .faults(FaultConfig::none().after_apply_rate(0.2)),
    )
    .unwrap();
    let client = client_for(
        &emulator,
        RateLimitConfig::default()
            .limits(vec![])
            .initial_backoff(Duration::from_millis(5)),
    );
    let errors = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..10 {
            let (client, errors) = (&client, &errors);
            s.spawn(move || {
                for i in 0..50 {
                    let r = client
                        .request(Method::Post, "assets", "/v1/assets/")
                        .json(&json!({"title": format!("post {t}-{i}")}))
                        .send::<Value>();
                    if let Err(e) = r {
                        assert!(e.may_have_reached_server(), "{e:?}");
                        errors.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let stats = emulator.stats();
    eprintln!(
        "500 POSTs, 20% failing after arrival: {} errors returned, {} assets created",
        errors.load(Ordering::SeqCst),
        stats.creations.get("assets").copied().unwrap_or(0)
    );
    // every POST was applied exactly once: none resent
    assert_eq!(stats.creations.get("assets"), Some(&500));
    assert!(errors.load(Ordering::SeqCst) > 50);
    let posts = stats.requests;
    assert_eq!(posts, 500, "no POST was sent twice");
}

#[test]
fn bad_requests_come_back_as_typed_errors() {
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true)).unwrap();
    let client = client_for(&emulator, RateLimitConfig::default());
    let err = client
        .assets()
        .get_asset("00000000-0000-4000-8000-00000000dead")
        .send()
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let Error::Api(api) = &err else { panic!() };
    assert!(!api.errors.is_empty());

    let err = client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&json!({"description": "no title"}))
        .send::<Value>()
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    assert!(
        api.field_errors.iter().any(|(f, _)| f == "title"),
        "{api:?}"
    );

    let wrong = Client::builder()
        .app_id(emulator.app_id())
        .auth_token("wrong")
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    assert_eq!(
        wrong
            .assets()
            .get_asset(iconik_emulator::SAMPLE_ASSET_IDS[0])
            .send()
            .unwrap_err()
            .status(),
        Some(401)
    );
}

#[test]
fn async_paginator_walks_every_page() {
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true)).unwrap();
    let client = client_for(&emulator, RateLimitConfig::default());
    for i in 0..7 {
        client
            .request(Method::Post, "assets", "/v1/assets/")
            .json(&json!({"title": format!("paged {i}")}))
            .send::<Value>()
            .unwrap();
    }
    let sync_titles: Vec<String> = client
        .assets()
        .get_assets()
        .per_page(2)
        .items()
        .map(|a| a.unwrap().title)
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let async_client = iconik_async::Client::from_sync(client, 2);
    let async_titles: Vec<String> = runtime.block_on(async {
        let mut out = Vec::new();
        let mut it = async_client.assets().get_assets().per_page(2).items();
        while let Some(a) = it.next().await {
            out.push(a.unwrap().title);
        }
        out
    });
    assert_eq!(sync_titles.len(), 10, "3 samples + 7 created");
    assert_eq!(sync_titles, async_titles);
}
