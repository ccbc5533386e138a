//! The optional GET cache (off by default).
//!
//! Key: MD5 of the method, the full URL with its query pairs sorted, and
//! the credential identity, so two clients with different credentials can
//! never see each other's entries. A successful write (POST, PUT, PATCH,
//! DELETE) to a resource drops cached GETs of that resource and below.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use md5::{Digest, Md5};

use crate::clock::Clock;
use crate::transport::Exchange;

/// Cache settings.
///
/// ```no_run
/// use std::time::Duration;
/// use iconik_sync::{CacheConfig, Client};
/// # fn main() -> iconik_sync::Result<()> {
/// let client = Client::builder()
///     .app_id("id").auth_token("token")
///     .cache(CacheConfig { ttl: Duration::from_secs(30), max_entries: 1000 })
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// How long an entry is served.
    pub ttl: Duration,
    /// Most entries kept; the oldest is evicted beyond it.
    pub max_entries: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            ttl: Duration::from_secs(60),
            max_entries: 1024,
        }
    }
}

/// Cache counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that went to iconik (including expired entries).
    pub misses: u64,
    /// Entries dropped to stay within `max_entries`.
    pub evictions: u64,
    /// Entries dropped by writes to their resource.
    pub invalidations: u64,
    /// Entries currently held.
    pub entries: usize,
}

pub(crate) struct Cache {
    config: CacheConfig,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
    stats: CacheStats,
}

struct Entry {
    /// `/API/{service}{path}` without the query, for invalidation.
    resource: String,
    expires: Duration,
    status: u16,
    headers: crate::response::Headers,
    body: Vec<u8>,
    received_at: std::time::SystemTime,
}

impl Cache {
    pub(crate) fn new(config: CacheConfig, clock: Arc<dyn Clock>) -> Self {
        Cache {
            config,
            clock,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// MD5 over method, URL with sorted query, and credential identity.
    pub(crate) fn key(&self, method: &str, url: &str, app_id: &str, token: &str) -> String {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        pairs.sort_unstable();
        let mut hasher = Md5::new();
        for part in [
            method,
            "\n",
            base,
            "?",
            &pairs.join("&"),
            "\n",
            app_id,
            "\n",
            token,
        ] {
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut key = String::with_capacity(32 + base.len() + 1);
        for b in digest {
            key.push_str(&format!("{b:02x}"));
        }
        // keep the resource next to the hash for invalidation
        key.push(' ');
        key.push_str(resource_of(base));
        key
    }

    pub(crate) fn get(&self, key: &str) -> Option<Exchange> {
        let now = self.clock.now();
        let mut state = self.lock();
        let fresh = state.entries.get(key).is_some_and(|e| e.expires > now);
        if !fresh {
            if state.entries.remove(key).is_some() {
                state.order.retain(|k| k != key);
            }
            state.stats.misses += 1;
            return None;
        }
        state.stats.hits += 1;
        state.entries.get(key).map(|e| Exchange {
            status: e.status,
            headers: e.headers.clone(),
            body: e.body.clone(),
            received_at: e.received_at,
        })
    }

    pub(crate) fn put(&self, key: String, ex: &Exchange) {
        if self.config.max_entries == 0 {
            return;
        }
        let expires = self.clock.now() + self.config.ttl;
        let resource = key
            .split_once(' ')
            .map(|(_, r)| r.to_owned())
            .unwrap_or_default();
        let mut state = self.lock();
        if state.entries.contains_key(&key) {
            state.order.retain(|k| k != &key);
        }
        while state.entries.len() >= self.config.max_entries {
            let Some(oldest) = state.order.pop_front() else {
                break;
            };
            if state.entries.remove(&oldest).is_some() {
                state.stats.evictions += 1;
            }
        }
        state.order.push_back(key.clone());
        state.entries.insert(
            key,
            Entry {
                resource,
                expires,
                status: ex.status,
                headers: ex.headers.clone(),
                body: ex.body.clone(),
                received_at: ex.received_at,
            },
        );
    }

    /// Drops entries for `/API/{service}{path}` and everything below it.
    pub(crate) fn invalidate(&self, _base: &str, service: &str, path: &str) {
        let prefix = format!("/API/{service}{path}");
        let mut state = self.lock();
        let before = state.entries.len();
        state
            .entries
            .retain(|_, e| !e.resource.starts_with(&prefix));
        let dropped = before - state.entries.len();
        if dropped > 0 {
            let State { entries, order, .. } = &mut *state;
            order.retain(|k| entries.contains_key(k));
            state.stats.invalidations += dropped as u64;
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let state = self.lock();
        CacheStats {
            entries: state.entries.len(),
            ..state.stats
        }
    }
}

/// The `/API/...` part of a URL without scheme, host and query.
fn resource_of(url_without_query: &str) -> &str {
    url_without_query
        .find("/API/")
        .map_or(url_without_query, |i| &url_without_query[i..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::response::Headers;

    fn ex(body: &str) -> Exchange {
        Exchange {
            status: 200,
            headers: Headers::default(),
            body: body.as_bytes().to_vec(),
            received_at: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    fn cache(ttl_secs: u64, max: usize) -> (Cache, Arc<FakeClock>) {
        let clock = Arc::new(FakeClock::new());
        let config = CacheConfig {
            ttl: Duration::from_secs(ttl_secs),
            max_entries: max,
        };
        (Cache::new(config, clock.clone()), clock)
    }

    const U: &str = "https://h/API/assets/v1/assets/A/";

    #[test]
    fn keys_sort_the_query_and_separate_credentials() {
        let (c, _) = cache(10, 10);
        let a = c.key("GET", &format!("{U}?b=2&a=1"), "app", "tok");
        let b = c.key("GET", &format!("{U}?a=1&b=2"), "app", "tok");
        assert_eq!(a, b);
        assert_ne!(a, c.key("GET", &format!("{U}?a=1&b=2"), "app", "other"));
        assert_ne!(a, c.key("GET", &format!("{U}?a=1&b=3"), "app", "tok"));
        assert!(!a.contains("tok"));
    }

    #[test]
    fn hit_then_expiry() {
        let (c, clock) = cache(10, 10);
        let k = c.key("GET", U, "app", "tok");
        assert!(c.get(&k).is_none());
        c.put(k.clone(), &ex("1"));
        assert_eq!(c.get(&k).unwrap().body, b"1");
        clock.advance(Duration::from_secs(10));
        assert!(c.get(&k).is_none());
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 2, 0));
    }

    #[test]
    fn writes_invalidate_the_resource_and_below() {
        let (c, _) = cache(10, 10);
        let own = c.key("GET", U, "a", "t");
        let below = c.key("GET", &format!("{U}formats/"), "a", "t");
        let other = c.key("GET", "https://h/API/assets/v1/assets/B/", "a", "t");
        for k in [&own, &below, &other] {
            c.put(k.clone(), &ex("x"));
        }
        c.invalidate("", "assets", "/v1/assets/A/");
        assert!(c.get(&own).is_none());
        assert!(c.get(&below).is_none());
        assert!(c.get(&other).is_some());
        assert_eq!(c.stats().invalidations, 2);
    }

    #[test]
    fn evicts_oldest_at_max_entries() {
        let (c, _) = cache(10, 2);
        let keys: Vec<String> = (0..3)
            .map(|i| {
                c.key(
                    "GET",
                    &format!("https://h/API/assets/v1/assets/{i}/"),
                    "a",
                    "t",
                )
            })
            .collect();
        for k in &keys {
            c.put(k.clone(), &ex("x"));
        }
        assert!(c.get(&keys[0]).is_none());
        assert!(c.get(&keys[1]).is_some() && c.get(&keys[2]).is_some());
        let s = c.stats();
        assert_eq!((s.evictions, s.entries), (1, 2));
    }
}
