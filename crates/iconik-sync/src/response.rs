//! [`Response<T>`]: decoded data plus what the exchange looked like.

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
/// let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
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
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers, looked up case-insensitively.
    pub headers: Headers,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// Builds headers from name/value pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Headers(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The first value of `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn from_http(map: &ureq::http::HeaderMap) -> Self {
        Headers(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        )
    }
}
