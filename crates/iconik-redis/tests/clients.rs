//! End to end: sync and async iconik clients in "separate processes" (each
//! with its own RedisLimiter and connection) share one credential against
//! the emulator, which enforces a scaled-down policy. Together they never
//! draw a 429 and every call succeeds.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::RedisServer;
use iconik_emulator::{Emulator, EmulatorConfig, RateLimitRule, SAMPLE_ASSET_IDS};
use iconik_redis::RedisLimiter;
use iconik_sync::{Rate, RateLimitConfig};

#[test]
fn sync_and_async_clients_sharing_a_credential_draw_no_429() {
    let server = RedisServer::start();
    let rules = [(20, 1), (60, 3)];
    let emulator = Emulator::start(EmulatorConfig {
        rate_limits: rules
            .iter()
            .map(|&(n, s)| RateLimitRule::new(n, Duration::from_secs(s)))
            .collect(),
        seed_data: true,
        ..EmulatorConfig::default()
    })
    .expect("emulator");
    let config = RateLimitConfig::default()
        .limits(
            rules
                .iter()
                .map(|&(n, s)| Rate::new(n, Duration::from_secs(s)).unwrap())
                .collect(),
        )
        // absorbs the delay between a grant and the request's arrival on a
        // loaded machine; iconik's default is 25 ms
        .window_margin(Duration::from_millis(50));
    // the test is about exactness: a Redis slowed by a busy machine must
    // not send a process to local pacing (asserted below)
    let limiter = || {
        RedisLimiter::builder(server.url())
            .timeout(Duration::from_secs(1))
            .connect()
            .unwrap()
    };
    let limiters: Vec<RedisLimiter> = (0..4).map(|_| limiter()).collect();
    let sync_client = |limiter: &RedisLimiter| {
        iconik_sync::Client::builder()
            .app_id(emulator.app_id())
            .auth_token(emulator.auth_token())
            .base_url(emulator.base_url())
            .rate_limit(config.clone())
            .shared_limiter(limiter.clone())
            .build()
            .unwrap()
    };
    let total = 100;
    let claimed = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let id = SAMPLE_ASSET_IDS[0];
    std::thread::scope(|s| {
        // three sync "processes", four threads each
        for limiter in &limiters[..3] {
            let client = sync_client(limiter);
            for _ in 0..4 {
                let client = client.clone();
                let (claimed, ok) = (&claimed, &ok);
                s.spawn(move || {
                    while claimed.fetch_add(1, Ordering::SeqCst) < total {
                        client.assets().get_asset(id).send().expect("GET");
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        }
        // one async "process", four tasks
        s.spawn(|| {
            let client = iconik_async::Client::builder()
                .app_id(emulator.app_id())
                .auth_token(emulator.auth_token())
                .base_url(emulator.base_url())
                .rate_limit(config.clone())
                .shared_limiter(limiters[3].clone())
                .max_workers(4)
                .build()
                .unwrap();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let tasks: Vec<_> = (0..4)
                    .map(|_| {
                        let client = client.clone();
                        let (claimed, ok) = (claimed.clone(), ok.clone());
                        tokio::spawn(async move {
                            while claimed.fetch_add(1, Ordering::SeqCst) < total {
                                client.assets().get_asset(id).send().await.expect("GET");
                                ok.fetch_add(1, Ordering::SeqCst);
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task");
                }
            });
        });
    });
    assert_eq!(ok.load(Ordering::SeqCst), total);
    let fallbacks: u64 = limiters.iter().map(RedisLimiter::fallbacks).sum();
    assert_eq!(
        fallbacks, 0,
        "Redis timed out: the run did not test the shared log"
    );
    let stats = emulator.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    for (rule, most) in &stats.max_in_window {
        assert!(*most <= rule.limit, "{most} in {:?}", rule.window);
    }
    // the whole limit was used together: 100 requests need 4 s at best
    // (20 at 0, 1, 2 s; 60 per 3 s; then 20 at 3 and 4 s)
    let full = stats
        .max_in_window
        .iter()
        .all(|(rule, most)| *most == rule.limit);
    assert!(full, "the clients did not fill the windows: {stats:?}");
}
