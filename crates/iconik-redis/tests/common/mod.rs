//! A real `redis-server` for the tests: started on a free loopback port in
//! a temporary directory, killed on drop. If it cannot start, the test
//! fails loudly: these tests never skip (CI installs the Debian package
//! `redis-server`; see `.ci/run`).

#![allow(dead_code)]

pub mod fake_resp;
pub mod logs;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running `redis-server` (persistence off) on 127.0.0.1.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

impl RedisServer {
    /// Starts a server on a free port; panics with the reason if it cannot.
    pub fn start() -> RedisServer {
        let dir = std::env::temp_dir().join(format!(
            "iconik-redis-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("cannot create a temp dir for redis-server");
        let mut server = RedisServer {
            port: free_port(),
            dir,
            child: None,
        };
        // the port was free a moment ago; another test may take it first
        for _ in 0..2 {
            match server.try_start() {
                Ok(()) => return server,
                Err(_) => server.port = free_port(),
            }
        }
        server.restart();
        server
    }

    /// `redis://127.0.0.1:{port}/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: nothing is saved);
    /// panics with the reason if it cannot.
    pub fn restart(&mut self) {
        if let Err(why) = self.try_start() {
            panic!("{why}");
        }
    }

    fn try_start(&mut self) -> Result<(), String> {
        self.kill();
        let spawned = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--enable-debug-command", "local"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let child = spawned.unwrap_or_else(|e| {
            panic!(
                "cannot start redis-server ({e}): install the Debian package \
                 `redis-server` (apt-get install -y redis-server); these tests never skip"
            )
        });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(format!(
                    "redis-server exited at start on port {} ({status})",
                    self.port
                ));
            }
            if let Ok(mut c) = self.connection() {
                if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        Err(format!(
            "redis-server did not answer on port {} within 10 s",
            self.port
        ))
    }

    /// A plain connection for the test's own commands.
    pub fn connection(&self) -> redis::RedisResult<redis::Connection> {
        if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            return Err(redis::RedisError::from(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused,
            )));
        }
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_secs(2))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Most events in any half-open window `[t, t + len)` of a sorted log (µs).
pub fn most_in(sends: &[u64], len: u64) -> usize {
    let mut start = 0;
    (0..sends.len())
        .map(|end| {
            while sends[end] - sends[start] >= len {
                start += 1;
            }
            end - start + 1
        })
        .max()
        .unwrap_or(0)
}

/// What the pacer does for one send: asks, sleeps each wait (capped at the
/// longest window, as the pacer caps it), until granted. Returns how long
/// the send waited; panics past `bound` (a call that never completes).
pub fn one_send(
    limiter: &iconik_redis::RedisLimiter,
    key: &str,
    rates: &[iconik_sync::Rate],
    bound: Duration,
) -> Duration {
    use iconik_sync::rate_limit::{Reservation, SharedLimiter};
    let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
    let started = Instant::now();
    loop {
        match limiter.reserve(key, rates) {
            Reservation::Granted => return started.elapsed(),
            Reservation::Wait(d) => {
                assert!(
                    started.elapsed() < bound,
                    "a send still waiting after {:?}",
                    started.elapsed()
                );
                std::thread::sleep(d.min(longest) + Duration::from_micros(500));
            }
        }
    }
}

/// Waits up to `within` for `cond`, polling.
pub fn eventually(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}

/// The process's peak resident memory so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}
