//! [`Response<T>`]: decoded data plus what the exchange looked like.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, SystemTime};

/// A successful answer: the decoded body and the facts of the exchange.
///
/// Derefs to `T`, so `asset.title` works on a `Response<Asset>`. The
/// exchange's facts are methods ([`http_status`](Self::http_status),
/// [`headers`](Self::headers), [`attempts`](Self::attempts),
/// [`elapsed`](Self::elapsed), ...), and [`data`](Self::data) is the model
/// itself: `asset.data().status` is always the asset's own `status`.
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// let client = iconik_sync::Client::from_env()?;
/// let asset = client
///     .assets()
///     .get_asset("6f1f5b9e-0000-0000-0000-000000000000")
///     .send()?;
/// println!("{:?} is {:?} (HTTP {}, {} attempt(s), {:?})",
///          asset.title, asset.data().status, asset.http_status(),
///          asset.attempts(), asset.elapsed());
/// if let Some(left) = asset.headers().get("RateLimit-Remaining") {
///     println!("{left} requests left in the window");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// HTTP status (2xx): read it with [`http_status`](Self::http_status),
    /// so it never shadows a model's own `status`.
    pub(crate) status: u16,
    /// Response headers: read them with [`headers`](Self::headers), so
    /// they never shadow a model's own `headers`.
    pub(crate) headers: Headers,
    /// When the response headers arrived.
    pub received_at: SystemTime,
    /// Time from the first attempt's start to the final answer, retries and
    /// waits included.
    pub elapsed: Duration,
    /// How many times the request was sent (1 when no retry was needed;
    /// 0 when served from the cache).
    pub attempts: u32,
    /// True when the answer came from the client's GET cache.
    pub from_cache: bool,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The HTTP status (2xx). Named so it never shadows a model's own
    /// `status` field, which `response.status` reaches through `Deref`.
    pub fn http_status(&self) -> u16 {
        self.status
    }

    /// The response headers, looked up case-insensitively.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// When the response headers arrived.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// Time from the first attempt's start to the final answer.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How many times the request was sent (0 when served from the cache).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// True when the answer came from the client's GET cache.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// The decoded body, dropping the exchange details.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Transforms the data, keeping the exchange details.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            headers: self.headers,
            received_at: self.received_at,
            elapsed: self.elapsed,
            attempts: self.attempts,
            from_cache: self.from_cache,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}

/// Response headers in arrival order, with case-insensitive lookup.
///
/// ```
/// let h = iconik_sync::Headers::from_pairs([("RateLimit-Remaining", "42")]);
/// assert_eq!(h.get("ratelimit-remaining"), Some("42"));
/// ```
// Every name and value sits in one string, so keeping a response's headers
// costs two allocations, not two per header line.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Name, value, name, value, ... back to back.
    text: String,
    /// Per line: where its name ends and where its value ends in `text`
    /// (the next name starts there).
    ends: Vec<(usize, usize)>,
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Headers")
            .field(&self.iter().collect::<Vec<_>>())
            .finish()
    }
}

impl Headers {
    /// Builds headers from name/value pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut h = Headers::default();
        for (k, v) in pairs {
            h.push(&k.into(), &v.into());
        }
        h
    }

    fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// The first value of `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every value of `name`.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// All headers, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let line = (&self.text[start..name_end], &self.text[name_end..value_end]);
            start = value_end;
            line
        })
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(crate) fn from_http(map: &ureq::http::HeaderMap) -> Self {
        let size = map.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
        let mut h = Headers {
            text: String::with_capacity(size),
            ends: Vec::with_capacity(map.len()),
        };
        for (k, v) in map {
            // the fast check first: values are almost always plain ASCII
            match std::str::from_utf8(v.as_bytes()) {
                Ok(text) => h.push(k.as_str(), text),
                Err(_) => h.push(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_order_case_and_every_value() {
        let h = Headers::from_pairs([
            ("Content-Type", "application/json"),
            ("Set-Cookie", "a=1"),
            ("", ""),
            ("set-cookie", "b=2"),
        ]);
        assert_eq!(h.len(), 4);
        assert_eq!(h.get("content-type"), Some("application/json"));
        assert_eq!(h.get_all("SET-COOKIE").collect::<Vec<_>>(), ["a=1", "b=2"]);
        assert_eq!(h.get("missing"), None);
        assert_eq!(
            format!("{h:?}"),
            r#"Headers([("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("", ""), ("set-cookie", "b=2")])"#
        );
        // the split between name and value is part of equality
        assert_ne!(
            Headers::from_pairs([("ab", "c")]),
            Headers::from_pairs([("a", "bc")])
        );
        assert!(Headers::default().is_empty());
    }

    #[test]
    fn headers_from_http_keep_non_ascii_values_lossily() {
        use ureq::http::{HeaderMap, HeaderValue};
        let mut map = HeaderMap::new();
        map.insert("x-a", HeaderValue::from_static("1"));
        map.append("x-b", HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        map.append("x-c", HeaderValue::from_bytes(b"\xff").unwrap());
        let h = Headers::from_http(&map);
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("x-a", "1"), ("x-b", "caf\u{e9}"), ("x-c", "\u{fffd}")]
        );
    }
}

#[cfg(test)]
mod shadowing {
    use super::*;

    struct Model {
        status: Option<String>,
    }

    #[test]
    fn a_models_status_is_not_shadowed_by_the_http_status() {
        let r = Response {
            data: Model {
                status: Some("ACTIVE".into()),
            },
            status: 201,
            headers: Headers::default(),
            received_at: SystemTime::UNIX_EPOCH,
            elapsed: Duration::ZERO,
            attempts: 1,
            from_cache: false,
        };
        // outside this crate `r.status` can only reach the model's field
        assert_eq!(r.data().status.as_deref(), Some("ACTIVE"));
        assert_eq!(r.http_status(), 201);
    }
}
