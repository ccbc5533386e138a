//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

use crate::cache::{Cache, CacheConfig};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::network::{self, ProxySetting};
use crate::operation::{Method, RequestBuilder};
use crate::rate_limit::{RateLimitConfig, RateLimiter, SharedLimiter};
use crate::resolve::{
    CachingResolver, Lookup, SharedResolver, SystemLookup, DEFAULT_DNS_CACHE_TTL,
};

/// Default base URL: iconik's production API.
pub const DEFAULT_BASE_URL: &str = "https://app.iconik.io";
/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of idle keep-alive connections kept in the pool.
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 32;
/// Default cap on a response body (64 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// A blocking iconik client.
///
/// Cheap to clone (an `Arc` inside): clones share the connection pool, the
/// rate limiter and the cache. Distinct clients share nothing.
///
/// ```no_run
/// use iconik_sync::Client;
/// # fn main() -> iconik_sync::Result<()> {
/// let client = Client::new("my-app-id", "my-auth-token")?;
/// let asset = client.assets().get_asset("6f1f5b9e-0000-0000-0000-000000000000").send()?;
/// println!("{:?}", asset.title);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) agent: ureq::Agent,
    /// The agent's resolver, to forget a host after a failed connect.
    pub(crate) resolver: Arc<CachingResolver>,
    /// Base URL without a trailing slash, e.g. `https://app.iconik.io`.
    pub(crate) base: String,
    /// `scheme://host:port` of the base URL, the only origin credentials go to.
    pub(crate) origin: Origin,
    pub(crate) app_id: String,
    pub(crate) auth_token: String,
    pub(crate) timeout: Duration,
    pub(crate) default_headers: Vec<(String, String)>,
    pub(crate) default_query: Vec<(String, String)>,
    pub(crate) max_response_bytes: u64,
    pub(crate) limiter: RateLimiter,
    pub(crate) cache: Option<Cache>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Reads marked `empty_on_404` answer their empty value on a 404.
    pub(crate) view_404_as_empty: bool,
}

/// Scheme, host and port: what must match for credentials to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl Origin {
    pub(crate) fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(match scheme.as_str() {
            "https" => 443,
            _ => 80,
        });
        Some(Origin { scheme, host, port })
    }

    fn is_loopback(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h == "localhost"
            || h.ends_with(".localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

impl Client {
    /// A builder with every option at its default.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::builder()
    ///     .app_id("my-app-id")
    ///     .auth_token("my-auth-token")
    ///     .timeout(Duration::from_secs(30))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for iconik's production API with default settings.
    ///
    /// # Errors
    /// [`Error::Config`] when either credential is empty.
    pub fn new(app_id: impl Into<String>, auth_token: impl Into<String>) -> Result<Client> {
        Client::builder()
            .app_id(app_id)
            .auth_token(auth_token)
            .build()
    }

    /// A client from `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN` and, optionally,
    /// `ICONIK_BASE_URL`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable, or any `build` error.
    pub fn from_env() -> Result<Client> {
        Client::builder().from_env()?.build()
    }

    /// Starts a raw request for any iconik operation: the escape hatch for
    /// what has no typed method. `template` is the path after the service,
    /// e.g. `/v1/assets/{asset_id}/`.
    ///
    /// ```no_run
    /// use iconik_sync::Method;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let me: serde_json::Value = client
    ///     .request(Method::Get, "users", "/v1/users/current/")
    ///     .send::<serde_json::Value>()?
    ///     .into_data();
    /// # Ok(()) }
    /// ```
    pub fn request(
        &self,
        method: Method,
        service: impl Into<std::borrow::Cow<'static, str>>,
        template: impl Into<std::borrow::Cow<'static, str>>,
    ) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, service, template)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Hit, miss and eviction counts of the GET cache (zeros when it is off).
    pub fn cache_stats(&self) -> crate::cache::CacheStats {
        self.inner
            .cache
            .as_ref()
            .map(Cache::stats)
            .unwrap_or_default()
    }

    /// The rate-limit settings in force.
    pub fn rate_limit_config(&self) -> &RateLimitConfig {
        self.inner.limiter.config()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("app_id", &"[redacted]")
            .field("auth_token", &"[redacted]")
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`]. Every setting documents its default.
///
/// ```no_run
/// use std::time::Duration;
/// use iconik_sync::{Client, RateLimitConfig};
/// # fn main() -> iconik_sync::Result<()> {
/// let client = Client::builder()
///     .app_id("my-app-id")
///     .auth_token("my-auth-token")
///     .base_url("https://app.iconik.io")
///     .timeout(Duration::from_secs(30))
///     .connect_timeout(Duration::from_secs(5))
///     .max_idle_connections(16)
///     .rate_limit(RateLimitConfig::default().max_retries(5))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    app_id: String,
    auth_token: String,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    max_idle_connections: usize,
    user_agent: String,
    default_headers: Vec<(String, String)>,
    default_query: Vec<(String, String)>,
    allow_insecure_http: bool,
    max_response_bytes: u64,
    rate_limit: RateLimitConfig,
    cache: Option<CacheConfig>,
    clock: Arc<dyn Clock>,
    view_404_as_empty: bool,
    proxy: ProxySetting,
    extra_roots_pem: Vec<Vec<u8>>,
    dns_cache_ttl: Duration,
    dns_lookup: Arc<dyn Lookup>,
    shared_limiter: Option<Arc<dyn SharedLimiter>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            app_id: String::new(),
            auth_token: String::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_idle_connections: DEFAULT_MAX_IDLE_CONNECTIONS,
            user_agent: concat!("iconik-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            default_headers: Vec::new(),
            default_query: Vec::new(),
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            rate_limit: RateLimitConfig::default(),
            cache: None,
            clock: Arc::new(SystemClock),
            view_404_as_empty: false,
            proxy: ProxySetting::FromEnv,
            extra_roots_pem: Vec::new(),
            dns_cache_ttl: DEFAULT_DNS_CACHE_TTL,
            dns_lookup: Arc::new(SystemLookup),
            shared_limiter: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |s: &str| {
            if s.is_empty() {
                "(unset)"
            } else {
                "[redacted]"
            }
        };
        f.debug_struct("ClientBuilder")
            .field("app_id", &redact(&self.app_id))
            .field("auth_token", &redact(&self.auth_token))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("user_agent", &self.user_agent)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("default_query", &self.default_query)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("rate_limit", &self.rate_limit)
            .field("cache", &self.cache)
            .field("proxy", &self.proxy)
            .field("extra_root_bundles", &self.extra_roots_pem.len())
            .field("dns_cache_ttl", &self.dns_cache_ttl)
            .field("shared_limiter", &self.shared_limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The App-ID credential (required).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self
    }

    /// The Auth-Token credential (required). Never logged or printed.
    pub fn auth_token(mut self, auth_token: impl Into<String>) -> Self {
        self.auth_token = auth_token.into();
        self
    }

    /// The API's base URL. Default: `https://app.iconik.io`. Requests go to
    /// `{base_url}/API/{service}{path}`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Whole-request timeout, from connecting to the last body byte, per
    /// attempt. Default: 60 s. Override per request with
    /// [`RequestBuilder::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout: bounds the name lookup, and then the TCP and TLS
    /// handshakes. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Idle keep-alive connections kept for reuse (aiopythonik's
    /// `pool_maxsize`). Default: 32. Size it at least to the number of
    /// threads or async workers sharing the client.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle_connections = n;
        self
    }

    /// The `User-Agent` header. Default: `iconik-rs/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request to the API (never to other hosts).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// A query pair added to every request.
    pub fn default_query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_query.push((key.into(), value.into()));
        self
    }

    /// Allows plain `http://` to a host that is not loopback. Default:
    /// false (`http://` only to `localhost`, `127.0.0.0/8`, `::1`).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Cap on a response body; a larger one is an error, not an
    /// allocation. Default: 64 MiB.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Rate limiting and retry settings. Default: [`RateLimitConfig::default`],
    /// which keeps one client under iconik's limits.
    pub fn rate_limit(mut self, config: RateLimitConfig) -> Self {
        self.rate_limit = config;
        self
    }

    /// Turns off client-side pacing, proactive throttling and retries:
    /// every call is sent once, immediately.
    pub fn disable_rate_limit_handling(mut self) -> Self {
        self.rate_limit = RateLimitConfig::disabled();
        self
    }

    /// Paces against a log shared with other clients of the same
    /// credentials (in this process with
    /// [`LocalLimiter`](crate::rate_limit::LocalLimiter), across machines
    /// with `iconik_redis::RedisLimiter`), as well as this client's own.
    /// Default: none, each client (and its clones) paces alone. Ignored
    /// when rate-limit handling is disabled.
    ///
    /// ```no_run
    /// use iconik_sync::{rate_limit::LocalLimiter, Client};
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = Client::builder()
    ///     .app_id("my-app-id")
    ///     .auth_token("my-auth-token")
    ///     .shared_limiter(LocalLimiter::new())
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn shared_limiter(mut self, limiter: impl SharedLimiter + 'static) -> Self {
        self.shared_limiter = Some(Arc::new(limiter));
        self
    }

    /// Enables the GET cache (off by default).
    pub fn cache(mut self, config: CacheConfig) -> Self {
        self.cache = Some(config);
        self
    }

    /// Replaces the clock used for pacing, backoff and cache expiry (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Answers iconik's 404 for "this view has no values yet" on the
    /// metadata reads (`metadata().get_object_metadata(..)` and
    /// `get_object_metadata_direct(..)`) with an empty result instead of an
    /// error: `metadata_values` empty, and the response's
    /// [`http_status`](crate::Response::http_status) still 404 (iconik's 404
    /// does not say whether the object itself exists). Default: false.
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::builder()
    ///     .from_env()?
    ///     .metadata_view_404_as_empty(true)
    ///     .build()?;
    /// let values = client
    ///     .metadata()
    ///     .get_object_metadata("assets", "6f1f5b9e-0000-0000-0000-000000000000", "view-id")
    ///     .send()?;
    /// if values.http_status() == 404 {
    ///     println!("no values yet");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn metadata_view_404_as_empty(mut self, enabled: bool) -> Self {
        self.view_404_as_empty = enabled;
        self
    }

    /// Sends every request (API and storage) through this HTTP `CONNECT`
    /// proxy: `http://host:port`, `http://user:password@host:port`
    /// (percent-encoded), or `https://...` to reach the proxy over TLS.
    /// The proxy environment variables, `NO_PROXY` included, are then not
    /// read. Default: the proxy from the environment (see
    /// [`network`](crate::network)).
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::builder()
    ///     .app_id("my-app-id")
    ///     .auth_token("my-auth-token")
    ///     .proxy("http://proxy.internal:3128")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`build`](Self::build) fails with [`Error::Config`] for a URL that
    /// is not `http(s)://` or names a SOCKS proxy.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Connects directly, whatever the proxy environment variables say.
    pub fn disable_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Disabled;
        self
    }

    /// Trusts the CA certificates of this PEM bundle in addition to the
    /// built-in Mozilla roots (a private CA, a TLS-inspecting proxy's CA).
    /// Call it again to add more bundles. Default: Mozilla's roots only.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = iconik_sync::Client::builder()
    ///     .app_id("my-app-id")
    ///     .auth_token("my-auth-token")
    ///     .base_url("https://iconik.internal.example")
    ///     .add_root_certificates_pem(std::fs::read("corporate-ca.pem")?)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`build`](Self::build) fails with [`Error::Config`] when a bundle
    /// holds no certificate or is not valid PEM.
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.extra_roots_pem.push(pem.as_ref().to_vec());
        self
    }

    /// How long a host name's addresses are reused before it is looked up
    /// again. Default: 60 s ([`DEFAULT_DNS_CACHE_TTL`]);
    /// `Duration::ZERO` looks the host up for every request.
    ///
    /// The client resolves names itself instead of leaving it to ureq,
    /// which would look the host up, on a thread spawned for the purpose,
    /// for every request, even one sent on a pooled connection. Here:
    ///
    /// - an IP literal (`http://127.0.0.1:8080`) is never looked up;
    /// - a host name is looked up once per `ttl`, and again right after a
    ///   connect to it fails (the host may have moved);
    /// - a lookup honours [`connect_timeout`](Self::connect_timeout): it
    ///   runs on a short-lived thread the caller stops waiting for at the
    ///   deadline. That thread exists only on a cache miss, and callers
    ///   missing on the same host share one lookup.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::builder()
    ///     .app_id("my-app-id")
    ///     .auth_token("my-auth-token")
    ///     .dns_cache_ttl(Duration::from_secs(300))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn dns_cache_ttl(mut self, ttl: Duration) -> Self {
        self.dns_cache_ttl = ttl;
        self
    }

    /// Replaces the system resolver under the DNS cache (tests).
    #[cfg(test)]
    pub(crate) fn dns_lookup(mut self, lookup: Arc<dyn Lookup>) -> Self {
        self.dns_lookup = lookup;
        self
    }

    /// Reads `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN` and, when set,
    /// `ICONIK_BASE_URL` into this builder.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable that is missing or empty.
    pub fn from_env(mut self) -> Result<Self> {
        let var = |name: &str| match std::env::var(name) {
            Ok(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::Config(format!(
                "environment variable {name} is not set"
            ))),
        };
        self.app_id = var("ICONIK_APP_ID")?;
        self.auth_token = var("ICONIK_AUTH_TOKEN")?;
        if let Ok(base) = var("ICONIK_BASE_URL") {
            self.base_url = base;
        }
        Ok(self)
    }

    /// Validates the settings and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty credential, a base URL that is not
    /// `http(s)://host[:port][/prefix]` (no query, fragment or user info),
    /// plain http to a non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http), invalid
    /// rate-limit settings, a bad [`proxy`](Self::proxy) URL, or a root
    /// certificate bundle without certificates.
    pub fn build(self) -> Result<Client> {
        if self.app_id.trim().is_empty() {
            return Err(Error::Config("app_id is empty".into()));
        }
        if self.auth_token.trim().is_empty() {
            return Err(Error::Config("auth_token is empty".into()));
        }
        for (what, value) in [("app_id", &self.app_id), ("auth_token", &self.auth_token)] {
            if value.chars().any(char::is_control) {
                return Err(Error::Config(format!("{what} contains control characters")));
            }
        }
        let (base, origin) = parse_base_url(&self.base_url, self.allow_insecure_http)?;
        self.rate_limit.validate()?;
        let proxy = network::proxy(&self.proxy)?;
        let tls = network::tls_config(&self.extra_roots_pem)?;

        let agent_config = ureq::Agent::config_builder()
            // statuses are read and classified by the transport, not turned
            // into bodiless errors
            .http_status_as_error(false)
            // redirects are followed by the transport, which decides where
            // credentials may go
            .max_redirects(0)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            // a name lookup is part of connecting (see `connect_timeout`);
            // ureq would otherwise give it the whole request's budget
            .timeout_resolve(Some(self.connect_timeout))
            .max_idle_connections(self.max_idle_connections)
            .max_idle_connections_per_host(self.max_idle_connections)
            .user_agent(self.user_agent.as_str())
            .proxy(proxy)
            .tls_config(tls)
            .build();
        // ureq's default resolver would spawn a thread and look the host
        // up on every request: see `dns_cache_ttl`
        let resolver = Arc::new(CachingResolver::new(
            self.dns_lookup,
            self.clock.clone(),
            self.dns_cache_ttl,
        ));
        let agent = ureq::Agent::with_parts(
            agent_config,
            ureq::unversioned::transport::DefaultConnector::default(),
            SharedResolver(resolver.clone()),
        );
        let mut limiter = RateLimiter::new(self.rate_limit, self.clock.clone());
        if let Some(shared) = self.shared_limiter {
            let key = shared.key(&self.app_id, &self.auth_token);
            limiter = limiter.with_shared(shared, key);
        }
        let cache = self.cache.map(|c| Cache::new(c, self.clock.clone()));
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                resolver,
                base,
                origin,
                app_id: self.app_id,
                auth_token: self.auth_token,
                timeout: self.timeout,
                default_headers: self.default_headers,
                default_query: self.default_query,
                max_response_bytes: self.max_response_bytes,
                limiter,
                cache,
                clock: self.clock,
                view_404_as_empty: self.view_404_as_empty,
            }),
        })
    }
}

fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<(String, Origin)> {
    let bad = |why: &str| Err(Error::Config(format!("base_url {raw:?}: {why}")));
    if raw.contains(['?', '#']) {
        return bad("must not have a query or fragment");
    }
    let uri: Uri = match raw.parse() {
        Ok(u) => u,
        Err(_) => return bad("is not a valid URL"),
    };
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
    match scheme.as_deref() {
        Some("https") | Some("http") => {}
        _ => return bad("must start with https:// or http://"),
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return bad("must not contain user info");
    }
    let Some(origin) = Origin::of(&uri) else {
        return bad("has no host");
    };
    if origin.host.is_empty() {
        return bad("has no host");
    }
    if origin.scheme == "http" && !allow_insecure_http && !origin.is_loopback() {
        return bad(
            "plain http is only allowed to loopback hosts unless allow_insecure_http(true)",
        );
    }
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    let prefix = uri.path().trim_end_matches('/');
    Ok((
        format!("{}://{}{}", origin.scheme, authority, prefix),
        origin,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let ok = |u: &str| parse_base_url(u, false).map(|(b, _)| b);
        assert_eq!(
            ok("https://app.iconik.io").unwrap(),
            "https://app.iconik.io"
        );
        assert_eq!(
            ok("https://app.iconik.io/").unwrap(),
            "https://app.iconik.io"
        );
        assert_eq!(
            ok("https://example.com/prefix/").unwrap(),
            "https://example.com/prefix"
        );
        assert_eq!(
            ok("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(ok("http://localhost:1").is_ok());
        assert!(ok("http://[::1]:8080").is_ok());
        for bad in [
            "ftp://app.iconik.io",
            "app.iconik.io",
            "https://app.iconik.io/?x=1",
            "https://app.iconik.io/#frag",
            "http://app.iconik.io",
            "http://10.0.0.1",
            "https://user:pw@app.iconik.io",
            "",
        ] {
            assert!(ok(bad).is_err(), "{bad} should be rejected");
        }
        assert!(parse_base_url("http://example.com", true).is_ok());
    }
}
