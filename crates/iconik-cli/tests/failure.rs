//! Failing fast and saying why: unreachable hosts, `--timeout` over the
//! whole command, `--retries`, and what `-v`/`-vv` narrate.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{iconik, stderr, stdout};

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const TOKEN: &str = "tok-s3cret-98765";

fn against(url: &str) -> assert_cmd::Command {
    let mut cmd = iconik();
    cmd.args([
        "--base-url",
        url,
        "--app-id",
        "app-1",
        "--auth-token",
        TOKEN,
    ]);
    cmd
}

#[test]
fn a_refused_connection_fails_within_seconds_naming_the_url_and_the_knobs() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let out = against(&url)
        .args(["assets", "get-assets"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    // three attempts, backoff about 1 s then 2 s (jittered down to half)
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(err.contains("after 3 attempts"), "{err}");
    assert!(err.contains(&format!("could not reach {url}")), "{err}");
    assert!(err.contains("base URL from flag --base-url"), "{err}");
    assert!(err.contains("--retries N"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");

    // --retries 0: one attempt, at once
    let started = Instant::now();
    let out = against(&url)
        .args(["--retries", "0", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!stderr(&out).contains("attempts"), "{}", stderr(&out));
}

#[test]
fn an_unknown_host_fails_within_seconds() {
    let started = Instant::now();
    let out = against("https://no-such-host.invalid")
        .args(["assets", "get-assets"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    assert!(
        err.contains("could not reach https://no-such-host.invalid"),
        "{err}"
    );
}

#[test]
fn timeout_bounds_retries_and_their_waits() {
    // iconik says come back in 50 s, three times
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/")
        .with_status(503)
        .with_header("Retry-After", "50")
        .with_body(r#"{"errors": ["maintenance"]}"#)
        .expect_at_least(1)
        .create();
    let started = Instant::now();
    let out = against(&server.url())
        .args(["--timeout", "2", "-v", "assets", "get-assets"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(
        err.contains("did not finish within --timeout 2 s (1 attempt; last: get_assets GET /v1/assets/ -> 503"),
        "{err}"
    );
    assert!(err.contains("retrying in 50s"), "{err}");
    mock.assert();
}

#[test]
fn timeout_bounds_a_server_that_never_answers() {
    // accepts connections, reads nothing, answers nothing
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(3).collect();
        std::thread::sleep(Duration::from_secs(10));
        drop(held);
    });
    let started = Instant::now();
    let out = against(&url)
        .args(["--timeout", "2", "assets", "get-assets"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(stderr(&out).contains("--timeout 2 s"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    drop(hold);
}

#[test]
fn verbose_says_one_line_per_attempt_and_wait_and_never_the_token() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let out = against(&url)
        .args(["-v", "assets", "get-assets"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let attempts: Vec<&str> = err.lines().filter(|l| l.contains("(attempt ")).collect();
    assert_eq!(attempts.len(), 3, "{err}");
    assert!(attempts[2].contains("(attempt 3)"), "{err}");
    assert_eq!(err.matches("retrying in").count(), 2, "{err}");
    assert!(
        err.starts_with(&format!("> GET {url}/API/assets/v1/assets/\n")),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "{err}");
    // without -v: none of it
    let out = against(&url)
        .args(["assets", "get-assets"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("(attempt "), "{}", stderr(&out));
}

#[test]
fn very_verbose_shows_both_heads_with_secrets_redacted() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/API/assets/v1/assets/")
        .with_status(201)
        .with_header("Set-Cookie", "session=abc123; HttpOnly")
        .with_header("X-Echo", &format!("you sent {TOKEN}"))
        .with_header("RateLimit-Remaining", "49")
        .with_body(r#"{"id": "new"}"#)
        .create();
    let out = against(&server.url())
        .args(["-vv", "assets", "post-assets", "-f", "title=x"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for line in [
        "> POST ",
        "> App-ID: app-1",
        "> Auth-Token: [redacted]",
        "> Content-Type: application/json",
        "> Content-Length: 13",
        "< HTTP 201",
        "< set-cookie: [redacted]",
        "< x-echo: you sent [redacted]",
        "< ratelimit-remaining: 49",
    ] {
        assert!(err.contains(line), "{line:?} in\n{err}");
    }
    assert!(!err.contains(TOKEN) && !err.contains("abc123"), "{err}");
    assert_eq!(stdout(&out), "{\"id\":\"new\"}\n");
}
