//! A real `redis-server` made unusable while reachable: a replica after
//! failover (`REPLICAOF`: `-READONLY`), a full one (`maxmemory`: `-OOM`),
//! one whose scripts were flushed (`SCRIPT FLUSH`: `NOSCRIPT`), one that
//! holds every write (`CLIENT PAUSE`), one that demands a password it was
//! not given (`NOAUTH`). Sends keep completing at the local share with
//! one `WARN` and one switch, and the limiter returns to Redis only once a
//! script runs there again (each of these Redis answers `PING` all along).
//!
//! Timeouts are generous so a loaded machine does not send the healthy
//! part of a test to local pacing.

mod common;

use std::time::{Duration, Instant};

use common::logs::warns_here;
use common::{eventually, one_send, RedisServer};
use iconik_redis::{RedisLimiter, RedisReservation};
use iconik_sync::rate_limit::SharedLimiter;
use iconik_sync::Rate;

const WINDOW: Duration = Duration::from_millis(300);
const SEND_BOUND: Duration = Duration::from_secs(15);

fn rates() -> Vec<Rate> {
    vec![Rate::new(10, WINDOW).unwrap()]
}

fn limiter(server: &RedisServer) -> RedisLimiter {
    let l = RedisLimiter::builder(server.url())
        .timeout(Duration::from_millis(800))
        .connect_timeout(Duration::from_secs(2))
        .local_share(0.5)
        .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(200))
        .connect()
        .unwrap();
    assert!(!l.is_degraded());
    l
}

fn admin(server: &RedisServer, args: &[&str]) {
    let mut c = server.connection().unwrap();
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query::<redis::Value>(&mut c).unwrap();
}

/// Makes Redis unusable with `break_it`, checks sends go on locally with
/// one WARN and no flapping while `PING` still works, then repairs it.
fn survives(server: &RedisServer, break_it: &[&str], repair: &[&str]) {
    let l = limiter(server);
    let key = l.key("app", "token");
    let r = rates();
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));
    admin(server, break_it);
    let warns = warns_here();
    let started = Instant::now();
    for _ in 0..12 {
        one_send(&l, &key, &r, SEND_BOUND);
    }
    let took = started.elapsed();
    assert!(
        took >= 2 * WINDOW,
        "{break_it:?}: {took:?}: not paced locally"
    );
    assert!(l.is_degraded(), "{break_it:?}");
    // PING works all along; the probe's script does not
    let mut c = server.connection().unwrap();
    assert_eq!(redis::cmd("PING").query::<String>(&mut c).unwrap(), "PONG");
    std::thread::sleep(Duration::from_millis(500));
    one_send(&l, &key, &r, SEND_BOUND);
    assert_eq!(l.fallbacks(), 1, "{break_it:?}: switched back and forth");
    assert_eq!(warns_here() - warns, 1, "{break_it:?}: one WARN");

    admin(server, repair);
    assert!(
        eventually(Duration::from_secs(5), || !l.is_degraded()),
        "{break_it:?}: back once a script runs"
    );
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));
}

#[test]
fn a_replica_after_failover_answering_readonly_keeps_calls_local_until_promoted() {
    let server = RedisServer::start();
    // a master that does not exist: the server turns read-only replica
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    survives(
        &server,
        &["REPLICAOF", "127.0.0.1", &nowhere],
        &["REPLICAOF", "NO", "ONE"],
    );
}

#[test]
fn a_full_redis_answering_oom_keeps_calls_local_until_it_has_room() {
    let server = RedisServer::start();
    survives(
        &server,
        &["CONFIG", "SET", "maxmemory", "1"],
        &["CONFIG", "SET", "maxmemory", "0"],
    );
}

#[test]
fn a_redis_that_holds_every_write_keeps_calls_local_until_it_lets_go() {
    let server = RedisServer::start();
    // CLIENT PAUSE … WRITE holds scripts (they may write), answers PING
    survives(
        &server,
        &["CLIENT", "PAUSE", "3000", "WRITE"],
        &["CLIENT", "UNPAUSE"],
    );
}

#[test]
fn flushed_scripts_are_loaded_again_without_leaving_redis() {
    let server = RedisServer::start();
    let l = limiter(&server);
    let key = l.key("app", "token");
    let r = rates();
    admin(&server, &["SCRIPT", "FLUSH"]);
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));
    assert!(!l.is_degraded());
    assert_eq!(l.fallbacks(), 0);
}

#[test]
fn a_redis_demanding_a_password_keeps_calls_local_until_it_stops() {
    let server = RedisServer::start();
    let l = limiter(&server);
    let key = l.key("app", "token");
    let r = rates();
    let warns = warns_here();
    // the password is set and every connection dropped: new ones get NOAUTH
    let mut c = server.connection().unwrap();
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("pw-of-the-test")
        .query::<String>(&mut c)
        .unwrap();
    redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("normal")
        .arg("SKIPME")
        .arg("yes")
        .query::<i64>(&mut c)
        .unwrap();
    for _ in 0..12 {
        one_send(&l, &key, &r, SEND_BOUND);
    }
    assert!(l.is_degraded());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(l.fallbacks(), 1);
    assert_eq!(warns_here() - warns, 1);
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("")
        .query::<String>(&mut c)
        .unwrap();
    assert!(eventually(Duration::from_secs(5), || !l.is_degraded()));
}
