//! Name resolution for the client's agent: no thread and no DNS query per
//! request.
//!
//! ureq calls its resolver on **every** request, before it looks for a
//! pooled connection. Its default resolver, whenever a timeout is
//! configured (ours always is), runs `getaddrinfo` in a freshly spawned
//! thread so that it can stop waiting at the deadline: one thread and one
//! lookup per request, even for `127.0.0.1`. [`CachingResolver`] replaces
//! it:
//!
//! - an IP literal (`127.0.0.1`, `[::1]`) is turned into an address on the
//!   spot, never handed to the system resolver;
//! - a host name is looked up once and its addresses are kept for a
//!   bounded time (the TTL, [`DEFAULT_DNS_CACHE_TTL`] unless
//!   [`ClientBuilder::dns_cache_ttl`](crate::ClientBuilder::dns_cache_ttl)
//!   says otherwise), so a pooled connection is reused without a lookup;
//! - after a failed connect the transport calls [`CachingResolver::forget`],
//!   so the next attempt looks the host up again (the address may have
//!   moved);
//! - a lookup still honours the connect timeout. `getaddrinfo` cannot be
//!   interrupted, so the lookup runs on a thread of its own and the caller
//!   waits for it no longer than the timeout. That thread is spawned only
//!   on a cache miss (once per host per TTL), never for a hit, and callers
//!   missing on the same host at the same time share one lookup: a DNS
//!   server that hangs costs one parked thread per host, not one per
//!   request. Doing the lookup inline would avoid even that thread, but a
//!   hanging DNS server would then hold the caller far past its connect
//!   timeout.
//!
//! Failed lookups are not cached: the next request tries again.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::clock::Clock;

/// Default time a host name's addresses are reused before it is looked up
/// again: 60 s.
pub const DEFAULT_DNS_CACHE_TTL: Duration = Duration::from_secs(60);

/// Distinct `(host, port)` pairs remembered at once. Storage hosts handed
/// out for uploads vary; the cache must not grow with them.
const MAX_ENTRIES: usize = 64;

/// At most this many addresses per host are kept (ureq's own limit).
const MAX_ADDRS: usize = 16;

/// The lookup underneath the cache: the system resolver, or a fake in
/// tests.
pub(crate) trait Lookup: Send + Sync + fmt::Debug + 'static {
    /// Every address of `host` (a name, never an IP literal) with `port`.
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// `getaddrinfo`, through the standard library.
#[derive(Debug, Default)]
pub(crate) struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

type Key = (String, u16);

/// A lookup in progress; every caller missing on its host waits on it.
#[derive(Default)]
struct Pending {
    result: Mutex<Option<Result<Arc<[SocketAddr]>, String>>>,
    done: Condvar,
}

struct Entry {
    addrs: Arc<[SocketAddr]>,
    /// When the lookup finished, on the resolver's clock.
    at: Duration,
}

#[derive(Default)]
struct State {
    entries: HashMap<Key, Entry>,
    pending: HashMap<Key, Arc<Pending>>,
}

/// The client's resolver: see the [module docs](self).
pub(crate) struct CachingResolver {
    lookup: Arc<dyn Lookup>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl", &self.ttl)
            .field("lookup", &self.lookup)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The host without IPv6 brackets, and the port (explicit or the scheme's).
fn host_and_port(uri: &Uri) -> Result<(&str, u16), ureq::Error> {
    let bad = |why: &str| ureq::Error::BadUri(format!("{why}: {uri}"));
    let scheme = uri.scheme_str().ok_or_else(|| bad("no scheme"))?;
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    let port = match uri.port_u16() {
        Some(p) => p,
        None => {
            let is = |name: &str| scheme.eq_ignore_ascii_case(name);
            if is("http") {
                80
            } else if is("https") {
                443
            } else if ["socks4", "socks4a", "socks5", "socks5h"]
                .into_iter()
                .any(is)
            {
                1080
            } else {
                return Err(bad("unknown scheme"));
            }
        }
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok((host, port))
}

impl CachingResolver {
    /// A resolver over `lookup`, keeping addresses for `ttl` on `clock`
    /// (a zero `ttl` keeps nothing).
    pub(crate) fn new(lookup: Arc<dyn Lookup>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        CachingResolver {
            lookup,
            clock,
            ttl,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Drops what is known about `uri`'s host, so the next request looks
    /// it up again (called after a failed connect).
    pub(crate) fn forget(&self, uri: &Uri) {
        if let Ok((host, port)) = host_and_port(uri) {
            let key = (host.to_ascii_lowercase(), port);
            if lock(&self.state).entries.remove(&key).is_some() {
                log::debug!("dns: forgetting {host}:{port} after a failed connect");
            }
        }
    }

    /// The addresses of the host name `host`: see the [module docs](self).
    fn addresses(
        &self,
        host: &str,
        port: u16,
        timeout: NextTimeout,
    ) -> Result<Arc<[SocketAddr]>, ureq::Error> {
        let key = (host.to_ascii_lowercase(), port);
        let pending = {
            let mut state = lock(&self.state);
            if let Some(e) = state.entries.get(&key) {
                if self.clock.now().saturating_sub(e.at) < self.ttl {
                    return Ok(e.addrs.clone());
                }
            }
            match state.pending.get(&key) {
                Some(p) => p.clone(),
                None => {
                    let p = Arc::new(Pending::default());
                    state.pending.insert(key.clone(), p.clone());
                    drop(state);
                    self.spawn_lookup(key.clone(), p.clone())?;
                    p
                }
            }
        };
        let deadline = (!timeout.after.is_not_happening()).then_some(*timeout.after);
        let guard = lock(&pending.result);
        let guard = match deadline {
            None => pending
                .done
                .wait_while(guard, |r| r.is_none())
                .unwrap_or_else(PoisonError::into_inner),
            Some(d) => {
                pending
                    .done
                    .wait_timeout_while(guard, d, |r| r.is_none())
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        };
        match guard.as_ref() {
            None => {
                log::debug!("dns: looking up {host} took longer than {deadline:?}");
                Err(ureq::Error::Timeout(timeout.reason))
            }
            Some(Ok(addrs)) => Ok(addrs.clone()),
            Some(Err(why)) => {
                log::debug!("dns: {host}: {why}");
                Err(ureq::Error::HostNotFound)
            }
        }
    }

    /// Runs the lookup for `key` on a thread of its own, which stores the
    /// result in the cache (so a lookup that outlives its caller's timeout
    /// still serves the next request) and wakes every waiter. The thread
    /// holds the cache weakly: it may outlive the client.
    fn spawn_lookup(&self, key: Key, pending: Arc<Pending>) -> Result<(), ureq::Error> {
        let lookup = self.lookup.clone();
        let clock = self.clock.clone();
        let cache = self.ttl > Duration::ZERO;
        let state = Arc::downgrade(&self.state);
        let thread_key = key.clone();
        let thread_pending = pending.clone();
        let spawned = std::thread::Builder::new()
            .name("iconik-dns".into())
            .spawn(move || {
                let (key, pending) = (thread_key, thread_pending);
                let result = match lookup.lookup(&key.0, key.1) {
                    Ok(addrs) if addrs.is_empty() => Err("no addresses".to_owned()),
                    Ok(mut addrs) => {
                        addrs.truncate(MAX_ADDRS);
                        Ok(Arc::<[SocketAddr]>::from(addrs))
                    }
                    Err(e) => Err(e.to_string()),
                };
                if let Some(state) = state.upgrade() {
                    let mut state = lock(&state);
                    state.pending.remove(&key);
                    if let (true, Ok(addrs)) = (cache, &result) {
                        insert_bounded(&mut state.entries, key, addrs.clone(), clock.now());
                    }
                }
                *lock(&pending.result) = Some(result);
                pending.done.notify_all();
            });
        spawned.map(drop).map_err(|e| {
            // nobody will finish this lookup: release whoever joined it
            lock(&self.state).pending.remove(&key);
            *lock(&pending.result) = Some(Err(format!("cannot start a lookup thread: {e}")));
            pending.done.notify_all();
            ureq::Error::Io(e)
        })
    }
}

/// Inserts, dropping the oldest entry when the cache is full, so it never
/// holds more than [`MAX_ENTRIES`].
fn insert_bounded(
    entries: &mut HashMap<Key, Entry>,
    key: Key,
    addrs: Arc<[SocketAddr]>,
    now: Duration,
) {
    if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
        let oldest = entries
            .iter()
            .min_by_key(|(_, e)| e.at)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            entries.remove(&k);
        }
    }
    entries.insert(key, Entry { addrs, at: now });
}

/// The resolver handed to the agent: the client keeps the other handle to
/// [`forget`](CachingResolver::forget) hosts after failed connects.
#[derive(Debug, Clone)]
pub(crate) struct SharedResolver(pub(crate) Arc<CachingResolver>);

impl Resolver for SharedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (host, port) = host_and_port(uri)?;
        let mut out = self.empty();
        let mut keep = |addrs: &[SocketAddr]| {
            for a in config
                .ip_family()
                .keep_wanted(addrs.iter().copied())
                .take(MAX_ADDRS)
            {
                out.push(a);
            }
        };
        match host.parse::<IpAddr>() {
            // a literal: nothing to look up, nothing to allocate
            Ok(ip) => keep(&[SocketAddr::new(ip, port)]),
            Err(_) => keep(&self.0.addresses(host, port, timeout)?),
        }
        if out.is_empty() {
            Err(ureq::Error::HostNotFound)
        } else {
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use ureq::config::IpFamily;
    use ureq::unversioned::transport::time;

    use super::*;
    use crate::clock::FakeClock;

    /// Answers every name with `10.0.0.<n>` (n = lookups so far), counting
    /// calls; with a gate, each lookup first waits for a message on it.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        fail: bool,
        gate: Option<Mutex<mpsc::Receiver<()>>>,
    }

    impl Lookup for Counting {
        fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
            assert!(
                host.parse::<IpAddr>().is_err(),
                "{host} handed to the resolver"
            );
            if let Some(gate) = &self.gate {
                lock(gate).recv().map_err(io::Error::other)?;
            }
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if self.fail {
                return Err(io::Error::other("no such host"));
            }
            Ok(vec![SocketAddr::from(([10, 0, 0, n as u8], port))])
        }
    }

    impl Counting {
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    fn timeout(after: time::Duration) -> NextTimeout {
        NextTimeout {
            after,
            reason: ureq::Timeout::Connect,
            ..NextTimeout::default()
        }
    }

    fn setup(lookup: Counting, ttl: Duration) -> (Arc<Counting>, Arc<FakeClock>, SharedResolver) {
        let lookup = Arc::new(lookup);
        let clock = Arc::new(FakeClock::new());
        let r = CachingResolver::new(lookup.clone(), clock.clone(), ttl);
        (lookup, clock, SharedResolver(Arc::new(r)))
    }

    fn resolve(r: &SharedResolver, url: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        resolve_with(r, url, &Config::default())
    }

    fn resolve_with(
        r: &SharedResolver,
        url: &str,
        config: &Config,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = url.parse().unwrap();
        r.resolve(&uri, config, timeout(time::Duration::from_secs(10)))
            .map(|a| a.iter().copied().collect())
    }

    #[test]
    fn an_ip_literal_is_never_looked_up() {
        let (lookup, _, r) = setup(Counting::default(), DEFAULT_DNS_CACHE_TTL);
        for _ in 0..1000 {
            assert_eq!(
                resolve(&r, "http://127.0.0.1:8080/API/x").unwrap(),
                vec!["127.0.0.1:8080".parse().unwrap()]
            );
            assert_eq!(
                resolve(&r, "https://[::1]/").unwrap(),
                vec!["[::1]:443".parse().unwrap()]
            );
        }
        assert_eq!(resolve(&r, "http://10.1.2.3/").unwrap()[0].port(), 80);
        assert_eq!(lookup.calls(), 0);
    }

    #[test]
    fn a_host_name_is_looked_up_once_per_ttl() {
        let ttl = Duration::from_secs(60);
        let (lookup, clock, r) = setup(Counting::default(), ttl);
        let first = resolve(&r, "https://api.example.test/a").unwrap();
        assert_eq!(first, vec!["10.0.0.1:443".parse().unwrap()]);
        for _ in 0..1000 {
            assert_eq!(resolve(&r, "https://API.example.test/b").unwrap(), first);
        }
        assert_eq!(lookup.calls(), 1);
        clock.advance(ttl - Duration::from_millis(1));
        assert_eq!(resolve(&r, "https://api.example.test/").unwrap(), first);
        assert_eq!(lookup.calls(), 1);
        clock.advance(Duration::from_millis(1));
        assert_eq!(
            resolve(&r, "https://api.example.test/").unwrap(),
            vec!["10.0.0.2:443".parse().unwrap()]
        );
        assert_eq!(lookup.calls(), 2);
        // another port is another entry
        assert_eq!(
            resolve(&r, "http://api.example.test:8080/").unwrap()[0].port(),
            8080
        );
        assert_eq!(lookup.calls(), 3);
    }

    #[test]
    fn forget_makes_the_next_request_look_up_again() {
        let (lookup, _, r) = setup(Counting::default(), DEFAULT_DNS_CACHE_TTL);
        resolve(&r, "https://api.example.test/").unwrap();
        r.0.forget(&"https://api.example.test/x".parse().unwrap());
        assert_eq!(
            resolve(&r, "https://api.example.test/").unwrap(),
            vec!["10.0.0.2:443".parse().unwrap()]
        );
        assert_eq!(lookup.calls(), 2);
    }

    #[test]
    fn a_zero_ttl_looks_up_every_time() {
        let (lookup, _, r) = setup(Counting::default(), Duration::ZERO);
        for _ in 0..3 {
            resolve(&r, "https://api.example.test/").unwrap();
        }
        assert_eq!(lookup.calls(), 3);
    }

    #[test]
    fn failures_are_not_cached() {
        let failing = Counting {
            fail: true,
            ..Counting::default()
        };
        let (lookup, _, r) = setup(failing, DEFAULT_DNS_CACHE_TTL);
        for _ in 0..2 {
            assert!(matches!(
                resolve(&r, "https://nowhere.test/"),
                Err(ureq::Error::HostNotFound)
            ));
        }
        assert_eq!(lookup.calls(), 2);
    }

    #[test]
    fn a_slow_lookup_times_out_and_still_fills_the_cache() {
        let (release, gate) = mpsc::channel();
        let slow = Counting {
            gate: Some(Mutex::new(gate)),
            ..Counting::default()
        };
        let (lookup, _, r) = setup(slow, DEFAULT_DNS_CACHE_TTL);
        let uri: Uri = "https://slow.test/".parse().unwrap();
        let short = timeout(time::Duration::from_millis(10));
        let err = r.resolve(&uri, &Config::default(), short).unwrap_err();
        assert!(
            matches!(err, ureq::Error::Timeout(ureq::Timeout::Connect)),
            "{err:?}"
        );
        release.send(()).unwrap();
        // the lookup finishes on its own thread; wait for it without a timeout
        let none = timeout(time::Duration::NotHappening);
        let addrs = r.resolve(&uri, &Config::default(), none).unwrap();
        let addrs: Vec<SocketAddr> = addrs.iter().copied().collect();
        assert_eq!(addrs, vec!["10.0.0.1:443".parse().unwrap()]);
        assert_eq!(lookup.calls(), 1);
    }

    #[test]
    fn concurrent_misses_share_one_lookup() {
        let (release, gate) = mpsc::channel();
        let slow = Counting {
            gate: Some(Mutex::new(gate)),
            ..Counting::default()
        };
        let (lookup, _, r) = setup(slow, DEFAULT_DNS_CACHE_TTL);
        let key = ("shared.test".to_owned(), 443);
        let callers = 8;
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..callers)
                .map(|_| s.spawn(|| resolve(&r, "https://shared.test/")))
                .collect();
            // every caller holds the one pending lookup (plus the map and
            // the lookup thread): then let the lookup answer
            let waiting = || {
                lock(&r.0.state)
                    .pending
                    .get(&key)
                    .map_or(0, Arc::strong_count)
            };
            let started = std::time::Instant::now();
            while waiting() < callers + 2 {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "callers never met"
                );
                std::thread::yield_now();
            }
            release.send(()).unwrap();
            for h in handles {
                assert_eq!(
                    h.join().unwrap().unwrap(),
                    vec!["10.0.0.1:443".parse().unwrap()]
                );
            }
        });
        assert_eq!(lookup.calls(), 1);
    }

    #[test]
    fn the_ip_family_is_honoured() {
        let (_, _, r) = setup(Counting::default(), DEFAULT_DNS_CACHE_TTL);
        let v4_only = Config::builder().ip_family(IpFamily::Ipv4Only).build();
        assert!(matches!(
            resolve_with(&r, "http://[::1]:80/", &v4_only),
            Err(ureq::Error::HostNotFound)
        ));
        assert_eq!(
            resolve_with(&r, "http://127.0.0.1/", &v4_only)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        let (lookup, clock, r) = setup(Counting::default(), DEFAULT_DNS_CACHE_TTL);
        for i in 0..(MAX_ENTRIES + 36) {
            clock.advance(Duration::from_millis(1));
            resolve(&r, &format!("https://h{i}.test/")).unwrap();
        }
        assert_eq!(lock(&r.0.state).entries.len(), MAX_ENTRIES);
        assert_eq!(lookup.calls(), MAX_ENTRIES + 36);
        // the newest stayed, the oldest went
        resolve(&r, &format!("https://h{}.test/", MAX_ENTRIES + 35)).unwrap();
        assert_eq!(lookup.calls(), MAX_ENTRIES + 36);
        resolve(&r, "https://h0.test/").unwrap();
        assert_eq!(lookup.calls(), MAX_ENTRIES + 37);
    }

    #[test]
    fn bad_uris_are_errors() {
        let (_, _, r) = setup(Counting::default(), DEFAULT_DNS_CACHE_TTL);
        assert!(matches!(
            resolve(&r, "ftp://example.test/"),
            Err(ureq::Error::BadUri(_))
        ));
        assert_eq!(resolve(&r, "socks5://proxy.test/").unwrap()[0].port(), 1080);
    }

    /// Answers each lookup with the next address of a script (the last
    /// one repeated), counting calls.
    #[derive(Debug)]
    struct Scripted {
        answers: Vec<[u8; 4]>,
        calls: AtomicUsize,
    }

    impl Lookup for Scripted {
        fn lookup(&self, _host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let ip = self.answers[n.min(self.answers.len() - 1)];
            Ok(vec![SocketAddr::from((ip, port))])
        }
    }

    /// A client for `http://api.test:<port>`, where the name resolves
    /// through `lookup`, and a mock answering every GET of one asset.
    fn client_on(
        lookup: Arc<Scripted>,
        configure: impl FnOnce(crate::ClientBuilder) -> crate::ClientBuilder,
    ) -> (mockito::ServerGuard, mockito::Mock, crate::Client) {
        let mut server = mockito::Server::new();
        let port = server.socket_address().port();
        let mock = server
            .mock("GET", "/API/assets/v1/assets/a1/")
            .with_body("{}")
            .create();
        let client = configure(
            crate::Client::builder()
                .app_id("app")
                .auth_token("token")
                .base_url(format!("http://api.test:{port}"))
                .allow_insecure_http(true)
                .dns_lookup(lookup),
        )
        .build()
        .unwrap();
        (server, mock, client)
    }

    fn get(client: &crate::Client) -> crate::Result<crate::Response<serde_json::Value>> {
        client
            .request(crate::Method::Get, "assets", "/v1/assets/{id}/")
            .path_param("a1")
            .send::<serde_json::Value>()
    }

    #[test]
    fn a_client_looks_its_host_up_once_for_many_requests() {
        let lookup = Arc::new(Scripted {
            answers: vec![[127, 0, 0, 1]],
            calls: AtomicUsize::new(0),
        });
        let (_server, mock, client) =
            client_on(lookup.clone(), |b| b.disable_rate_limit_handling());
        for _ in 0..50 {
            get(&client).unwrap();
        }
        mock.expect(50).assert();
        assert_eq!(lookup.calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_client_looks_its_host_up_again_after_a_failed_connect() {
        // first answer: an address nobody listens on (the mock server is on
        // 127.0.0.1 only), so the connect is refused; the retry must look
        // the name up again and reach the server
        let lookup = Arc::new(Scripted {
            answers: vec![[127, 0, 0, 2], [127, 0, 0, 1]],
            calls: AtomicUsize::new(0),
        });
        let clock = Arc::new(FakeClock::new());
        let (_server, mock, client) = client_on(lookup.clone(), |b| {
            b.clock(clock.clone())
                .rate_limit(crate::RateLimitConfig::default().limits(Vec::new()))
        });
        let r = get(&client).unwrap();
        assert_eq!(r.attempts(), 2);
        mock.expect(1).assert();
        assert_eq!(lookup.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_client_stops_waiting_for_a_lookup_at_the_connect_timeout() {
        let (release, gate) = mpsc::channel::<()>();
        let hanging = Arc::new(Counting {
            gate: Some(Mutex::new(gate)),
            ..Counting::default()
        });
        let client = crate::Client::builder()
            .app_id("app")
            .auth_token("token")
            .base_url("https://hangs.example.test")
            .connect_timeout(Duration::from_millis(50))
            .disable_rate_limit_handling()
            .dns_lookup(hanging)
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let err = client
            .request(crate::Method::Get, "assets", "/v1/assets/")
            .send::<serde_json::Value>()
            .unwrap_err();
        let waited = started.elapsed();
        drop(release); // the lookup thread ends with an error
        match err {
            crate::Error::Timeout {
                stage,
                may_have_reached_server,
                ..
            } => assert_eq!((stage, may_have_reached_server), ("resolve", false)),
            other => panic!("expected a resolve timeout, got {other:?}"),
        }
        assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    }
}
