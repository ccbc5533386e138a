//! The async facade over [`iconik_sync`]: the same requests, awaited,
//! each run on a bounded pool of blocking workers.
//!
//! ```no_run
//! # async fn demo() -> iconik_async::Result<()> {
//! let client = iconik_async::Client::builder()
//!     .app_id("my-app-id")
//!     .auth_token("my-auth-token")
//!     .max_workers(16)
//!     .build()?;
//! let asset = client
//!     .assets()
//!     .get_asset("6f1f5b9e-0000-0000-0000-000000000000")
//!     .include_users(true)
//!     .send()
//!     .await?;
//! println!("{} after {} attempt(s)", asset.title, asset.attempts());
//!
//! // every asset, as a Stream (`next().await`, or any StreamExt adapter)
//! let mut assets = client.assets().get_assets().per_page(100).items();
//! while let Some(asset) = assets.next().await {
//!     println!("{}", asset?.title);
//! }
//! # Ok(()) }
//! ```
//!
//! The requests are [`iconik_sync`]'s own: every operation, transfer and
//! raw request is one generic type that both clients carry out (see
//! [the rule](iconik_sync::api)). With this crate's [`Client`], `.send()`
//! returns a [`Call`] (a future) and `.items()` an [`AsyncIter`] (a
//! `Stream`). This crate re-exports the models ([`models`]), [`Response`],
//! [`Page`], [`Method`], [`Error`] and the rest the requests mention, and
//! the whole core as [`sync`]: a program needs no other iconik dependency.
//! Each service is a cargo feature (all on by default), forwarded to
//! `iconik-sync`: `default-features = false, features = ["assets"]` builds
//! only that service.
//!
//! # Task guide
//!
//! | to | use |
//! |---|---|
//! | connect | [`Client::from_env`], [`Client::builder`] ([`ClientBuilder`], with [`max_workers`](ClientBuilder::max_workers)); [`Client::from_sync`] to share a sync client's pool and limits |
//! | create an asset | `client.assets().post_assets(&body).send().await` ([`AssetsApi::post_assets`](api::AssetsApi::post_assets)) |
//! | read one | `client.assets().get_asset(id).send().await`: a [`Response`] that derefs to the model; [`Response::http_status`], [`Response::attempts`] describe the exchange |
//! | list every asset | `client.assets().get_assets().items()`: an [`AsyncIter`], read with `while let Some(x) = it.next().await` or as a `futures_core::Stream`; [`AsyncIter::pages`] for whole pages |
//! | collections | `post_collections`, `post_collection_contents`, `get_collection_contents` on [`AssetsApi`](api::AssetsApi) |
//! | search | `client.search().post_search(&criteria).send().await` ([`SearchApi::post_search`](api::SearchApi::post_search)) |
//! | read and write metadata | [`MetadataApi::get_object_metadata`](api::MetadataApi::get_object_metadata), [`MetadataApi::put_object_metadata`](api::MetadataApi::put_object_metadata) |
//! | upload a file, download one | [`Client::upload`] → [`transfer::UploadReport`]; [`Client::download`] → [`transfer::DownloadReport`]; [`Upload::resume`](transfer::Upload::resume) to continue one; progress as [`transfer::Progress`] (callbacks run on the worker's threads) |
//! | find files by checksum | [`Client::files_by_checksum`] |
//! | handle errors | [`Error`]: [`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::retry_after`]; async only: [`Error::Closed`], [`Error::WorkerFailed`] |
//! | call anything raw | [`Client::request`] (`.send::<T>().await`); [`Client::call`] runs any sync code on a worker |
//! | many calls at once | `tokio::join!` or a `JoinSet`: at most `max_workers` run, the rest wait without blocking the runtime |
//! | shut down | [`Client::close`] refuses new calls and waits for running ones |
//! | tune rate limits and retries | [`RateLimitConfig`] via [`ClientBuilder::rate_limit`]; for your own loops, [`AsyncThrottle`] |
//! | proxies, extra CAs | [`ClientBuilder::proxy`], [`ClientBuilder::disable_proxy`], [`ClientBuilder::add_root_certificates_pem`] (details: [`sync::network`]) |
//! | see what it does | the requests are made by the core: `RUST_LOG=iconik_sync=debug` (see [the core's logging notes](iconik_sync#logging), TRACE caveat included) |
//!
//! # Design
//!
//! This crate holds no request logic. An [`iconik_async::Client`](Client)
//! is an [`iconik_sync::Client`] plus a semaphore of `max_workers` permits,
//! the same shape as aiopythonik's thread pool over pythonik. Each call:
//!
//! 1. takes an owned permit (waiting, without blocking the runtime, while
//!    `max_workers` calls are running);
//! 2. moves the permit and a clone of the sync client into a closure run
//!    by [`tokio::task::spawn_blocking`], where the core does everything:
//!    pacing, retries, the cache, decoding;
//! 3. maps a panic in the worker to [`Error::WorkerFailed`].
//!
//! So at most `max_workers` blocking calls run at any moment, however many
//! tasks are waiting, and the pacer, cache and connection pool are shared
//! with every clone and with the sync client it was built from.
//!
//! There is no second copy of the surface: the request types are
//! `iconik_sync`'s, generic over the [`Executor`], and this crate
//! implements `Executor` for its [`Client`] (the 15 service accessors and
//! the entry points of the transfers are one line each). A generated test
//! sends every operation through both clients and compares what reaches
//! the wire.
//!
//! ## Dropping a future
//!
//! A call already running on a worker completes there (a blocking HTTP
//! exchange cannot be interrupted), but once its future is dropped no
//! further retry, backoff or pacing wait starts for it. A call still
//! waiting for a permit is simply never started.
//!
//! ## Runtimes
//!
//! Works on the current-thread and multi-thread runtimes alike: the
//! runtime's threads only await; blocking work happens on tokio's blocking
//! pool.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iconik_sync::cancel::{self, CancelToken};
use tokio::sync::Semaphore;

// Everything the async signatures mention, so `iconik-async` can be a
// program's only iconik dependency.
/// The blocking core, for what the re-exports above leave out
/// (`iconik_async::sync::Client` is the client [`Client::sync`] returns).
#[doc(no_inline)]
pub use iconik_sync as sync;
#[doc(no_inline)]
pub use iconik_sync::{
    api, clock, models, page, transfer, ApiError, Auth, CacheConfig, CacheStats, DecodeError,
    Error, Executor, Headers, Method, Page, Paginator, RateLimitConfig, Request, RequestBuilder,
    Response, Result,
};

/// Bulk sync: [`Client::sync_up`], [`Client::sync_down`].
#[cfg(feature = "bulk")]
pub use iconik_sync::bulk;

mod executor;
mod iter;
mod services;
mod tasks;
mod throttle;

pub use executor::Call;
pub use iter::AsyncIter;
pub use throttle::AsyncThrottle;

/// Default number of blocking workers: 16. iconik allows 50 requests/s per
/// credential pair; at typical latencies of 100-300 ms, about 5 to 15
/// requests in flight reach that limit, so 16 keeps the pacer busy without
/// parking more threads than the limit can use. Raise it for slow calls
/// (uploads, checksums of large files) or a faster private endpoint.
pub const DEFAULT_MAX_WORKERS: usize = 16;

/// An async iconik client. Cheap to clone: clones share the workers, the
/// pacer, the cache and the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    sync: iconik_sync::Client,
    permits: Arc<Semaphore>,
    max_workers: usize,
    closed: AtomicBool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("sync", &self.inner.sync)
            .field("max_workers", &self.inner.max_workers)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Client {
    /// A builder with every option of [`iconik_sync::ClientBuilder`] plus
    /// [`max_workers`](ClientBuilder::max_workers).
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            sync: iconik_sync::Client::builder(),
            max_workers: DEFAULT_MAX_WORKERS,
            max_idle_connections: None,
        }
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
    /// [`Error::Config`] naming the missing variable.
    pub fn from_env() -> Result<Client> {
        Ok(Client::from_sync(
            iconik_sync::Client::from_env()?,
            DEFAULT_MAX_WORKERS,
        ))
    }

    /// Wraps an existing sync client; the two share pacer, cache and pool.
    ///
    /// ```no_run
    /// # fn main() -> iconik_async::Result<()> {
    /// let sync = iconik_async::sync::Client::from_env()?;
    /// let client = iconik_async::Client::from_sync(sync.clone(), 8);
    /// # Ok(()) }
    /// ```
    pub fn from_sync(client: iconik_sync::Client, max_workers: usize) -> Client {
        let max_workers = max_workers.clamp(1, Semaphore::MAX_PERMITS);
        Client {
            inner: Arc::new(Inner {
                sync: client,
                permits: Arc::new(Semaphore::new(max_workers)),
                max_workers,
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// The sync client underneath.
    pub fn sync(&self) -> &iconik_sync::Client {
        &self.inner.sync
    }

    /// The number of blocking workers.
    pub fn max_workers(&self) -> usize {
        self.inner.max_workers
    }

    /// True after [`close`](Self::close).
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// Runs any closure over the sync client on a worker, the same way the
    /// handler methods run: for code outside the handlers.
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// use iconik_async::Method;
    /// let me: serde_json::Value = client
    ///     .call(|c| c.request(Method::Get, "users", "/v1/users/current/").send::<serde_json::Value>())
    ///     .await??
    ///     .into_data();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Closed`] after [`close`](Self::close); [`Error::WorkerFailed`]
    /// when `f` panics (its permit is freed either way).
    pub async fn call<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&iconik_sync::Client) -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let permit = self
            .inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Closed)?;
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let client = self.inner.sync.clone();
        let token = CancelToken::new();
        let _cancel_on_drop = CancelOnDrop(token.clone());
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            cancel::scope(&token, || f(&client))
        });
        task.await.map_err(|e| {
            let why = if e.is_panic() {
                match e.into_panic().downcast::<String>() {
                    Ok(msg) => format!("the call panicked: {msg}"),
                    Err(payload) => match payload.downcast::<&str>() {
                        Ok(msg) => format!("the call panicked: {msg}"),
                        Err(_) => "the call panicked".to_owned(),
                    },
                }
            } else {
                "the worker was cancelled".to_owned()
            };
            Error::WorkerFailed(why)
        })
    }

    /// Like [`call`](Self::call) for closures returning `Result`, flattened.
    pub(crate) async fn call_flat<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&iconik_sync::Client) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.call(f).await.and_then(|r| r)
    }

    /// Refuses new calls ([`Error::Closed`]) and waits for calls in flight
    /// to finish. Idempotent.
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        let all = u32::try_from(self.inner.max_workers).unwrap_or(u32::MAX);
        // every permit back means every running call has finished
        if let Ok(permits) = self.inner.permits.acquire_many(all).await {
            permits.forget();
        }
        self.inner.permits.close();
    }

    /// Waits until at most `n` calls are running (for tests and shutdown
    /// logic); returns at once when `n >= max_workers`.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let all = u32::try_from(self.inner.max_workers).unwrap_or(u32::MAX);
        tokio::time::timeout(timeout, self.inner.permits.acquire_many(all))
            .await
            .is_ok()
    }
}

/// Cancels the worker's token when the call's future is dropped (or
/// finishes: harmless then).
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Configures an async [`Client`]: every option of
/// [`iconik_sync::ClientBuilder`] (same names, same defaults), plus
/// [`max_workers`](Self::max_workers).
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    sync: iconik_sync::ClientBuilder,
    max_workers: usize,
    max_idle_connections: Option<usize>,
}

macro_rules! forward {
    ($( $name:ident ( $( $arg:ident : $ty:ty ),* ) ),* $(,)?) => {
        $(
            #[doc = concat!("See [`iconik_sync::ClientBuilder::", stringify!($name), "`].")]
            pub fn $name(mut self, $( $arg: $ty ),*) -> Self {
                self.sync = self.sync.$name($( $arg ),*);
                self
            }
        )*
    };
}

impl ClientBuilder {
    forward! {
        app_id(v: impl Into<String>),
        auth_token(v: impl Into<String>),
        base_url(v: impl Into<String>),
        timeout(v: Duration),
        connect_timeout(v: Duration),
        user_agent(v: impl Into<String>),
        default_header(k: impl Into<String>, v: impl Into<String>),
        default_query(k: impl Into<String>, v: impl Into<String>),
        allow_insecure_http(v: bool),
        max_response_bytes(v: u64),
        rate_limit(v: iconik_sync::RateLimitConfig),
        disable_rate_limit_handling(),
        cache(v: iconik_sync::CacheConfig),
        clock(v: Arc<dyn iconik_sync::clock::Clock>),
        metadata_view_404_as_empty(v: bool),
        proxy(v: impl Into<String>),
        disable_proxy(),
        add_root_certificates_pem(v: impl AsRef<[u8]>),
        dns_cache_ttl(v: Duration),
        shared_limiter(v: impl iconik_sync::rate_limit::SharedLimiter + 'static),
    }

    /// Idle keep-alive connections kept for reuse. Default: the larger of
    /// [`max_workers`](Self::max_workers) and the sync default (32), so
    /// every worker can keep its connection.
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle_connections = Some(n);
        self
    }

    /// Blocking workers running calls at once. Default:
    /// [`DEFAULT_MAX_WORKERS`] (16). Also sizes the connection pool unless
    /// [`max_idle_connections`](Self::max_idle_connections) says otherwise.
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n.max(1);
        self
    }

    /// Reads `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN` and `ICONIK_BASE_URL`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable.
    pub fn from_env(mut self) -> Result<Self> {
        self.sync = self.sync.from_env()?;
        Ok(self)
    }

    /// Builds the client.
    ///
    /// # Errors
    /// As [`iconik_sync::ClientBuilder::build`].
    pub fn build(self) -> Result<Client> {
        let pool = self.max_idle_connections.unwrap_or(
            self.max_workers
                .max(iconik_sync::DEFAULT_MAX_IDLE_CONNECTIONS),
        );
        let sync = self.sync.max_idle_connections(pool).build()?;
        Ok(Client::from_sync(sync, self.max_workers))
    }
}
