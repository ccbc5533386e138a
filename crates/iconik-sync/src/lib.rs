//! A blocking, typed client for the [iconik](https://app.iconik.io) media
//! asset management API: every one of iconik's 1002 operations, typed as
//! its spec types them, on a request path that paces under iconik's rate
//! limits, retries what is safe to retry and never resends a POST.
//!
//! ```no_run
//! use iconik_sync::Client;
//! # fn main() -> iconik_sync::Result<()> {
//! let client = Client::from_env()?; // ICONIK_APP_ID, ICONIK_AUTH_TOKEN
//! let asset = client
//!     .assets()
//!     .get_asset("6f1f5b9e-0000-0000-0000-000000000000")
//!     .include_users(true)
//!     .send()?;
//! println!("{} after {} attempt(s)", asset.title, asset.attempts());
//! for asset in client.assets().get_assets().per_page(100).items() {
//!     println!("{}", asset?.title);
//! }
//! # Ok(()) }
//! ```
//!
//! # The rule
//!
//! `client.<service>().<operation>(required inputs)`, then setters for
//! what is optional, then one verb: **`.send()`** sends the request;
//! list operations also have **`.items()`**, every item, fetched lazily
//! page by page. The service is the handler (`client.assets()`,
//! `client.users_notifications()`); the operation is its iconik CLI name
//! (`get_asset`, `get_assets`, `post_assets`). Required inputs (path
//! parameters, required query parameters and headers, the body) are
//! arguments and cannot be forgotten; optional parameters are typed as
//! iconik's spec types them (`bool`, `i64`, text). The [`api`] module
//! spells the rule out and lists every operation, and how pythonik's
//! method names map onto it.
//!
//! The same request types serve the async client (`iconik-async`): there
//! `.send()` returns a future and `.items()` a `Stream`. They are generic
//! over the [`Executor`]; code written for one client reads the same for
//! the other.
//!
//! # Task guide
//!
//! | to | use |
//! |---|---|
//! | connect | [`Client::from_env`], [`Client::new`], [`Client::builder`] ([`ClientBuilder`]) |
//! | create an asset | [`client.assets().post_assets(&body)`](api::AssetsApi::post_assets) |
//! | read one | [`client.assets().get_asset(id)`](api::AssetsApi::get_asset): a [`Response`] that derefs to the model; [`Response::http_status`], [`Response::attempts`] describe the exchange |
//! | list every asset | [`client.assets().get_assets().items()`](api::assets::GetAssets::items): a lazy [`Paginator`] ([`Paginator::pages`] for whole pages) |
//! | collections | [`post_collections`](api::AssetsApi::post_collections), [`post_collection_contents`](api::AssetsApi::post_collection_contents), [`get_collection_contents`](api::AssetsApi::get_collection_contents) |
//! | search | [`client.search().post_search(&criteria)`](api::SearchApi::post_search) |
//! | read and write metadata | [`get_object_metadata`](api::MetadataApi::get_object_metadata), [`put_object_metadata`](api::MetadataApi::put_object_metadata); a view's fields: [`get_view_metadata`](api::MetadataApi::get_view_metadata) |
//! | upload a file, download one | [`client.upload(path)`](Client::upload) ([`transfer::Upload`]: asset, format, file set, file, the bytes by the storage's method, closed) → [`transfer::UploadReport`]; [`client.download(asset, file, dest)`](Client::download) → [`transfer::DownloadReport`], checked; [`Upload::resume`](transfer::Upload::resume) to continue one later |
//! | sync a folder tree into a collection tree, and back | [`client.sync_up(dir, collection)`](Client::sync_up), [`client.sync_down(collection, dir)`](Client::sync_down) ([`bulk`]: journal, dedupe, dry run) → [`bulk::SyncReport`] |
//! | find files by checksum | [`client.files_by_checksum(md5_or_path)`](Client::files_by_checksum), [`checksum::md5_file`] |
//! | handle errors | [`Error`]: [`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::retry_after`], [`Error::may_have_reached_server`] |
//! | call anything raw | [`Client::request`] → [`RequestBuilder`] (same request path, any `T`) |
//! | go async | the `iconik-async` crate: the same requests with `.send().await` |
//! | tune rate limits and retries | [`RateLimitConfig`] via [`ClientBuilder::rate_limit`]; [`ClientBuilder::disable_rate_limit_handling`]; for your own loops, [`Throttle`] |
//! | cache reads | [`CacheConfig`] via [`ClientBuilder::cache`] |
//! | proxies, extra CAs | [`ClientBuilder::proxy`], [`ClientBuilder::disable_proxy`], [`ClientBuilder::add_root_certificates_pem`] (details: [`network`]) |
//! | build less | each service is a cargo feature (all on by default): `default-features = false, features = ["assets", "files"]` |
//! | see what it does | [Logging](#logging) |
//!
//! Models are per service ([`models::assets::Asset`],
//! [`models::files::File`], ...): fields iconik's spec requires are plain
//! fields, the rest `Option`s; unknown fields and enum values are kept.
//!
//! # Logging
//!
//! The client logs through the [`log`](https://docs.rs/log) facade;
//! install a logger to see it, e.g. `env_logger::init()` and
//! `RUST_LOG=iconik_sync=debug`.
//!
//! | target | level | what |
//! |---|---|---|
//! | `iconik_sync::transport` | DEBUG | one line per attempt (operation, method, path, status, time, attempt), retry waits, redirects, cache hits |
//! | `iconik_sync::rate_limit` | DEBUG | proactive throttling changing pace; the retry budget running out |
//! | `iconik_sync::page` | WARN | a server repeating a page or cursor (the listing stops) |
//! | `iconik_sync::network` | WARN | a SOCKS proxy in the environment, ignored |
//!
//! Errors are returned, not logged. These lines never contain the token,
//! the App-ID or a URL's query.
//!
//! **Keep ureq's targets below TRACE in production.** At TRACE,
//! `ureq_proto::util` hex-dumps every request and response head and body
//! (the `Auth-Token` header included) and `ureq::run` prints full paths
//! with their queries (signed storage URLs). With everything else at
//! TRACE: `RUST_LOG=trace,ureq=debug,ureq_proto=debug`. Filter ureq as a
//! whole crate: its DEBUG lines hide paths, queries and a redirect's
//! `Location` only while its `ureq::util` target is off at TRACE. A
//! redirect whose `Location` echoes the token is not followed (the 3xx is
//! returned), so the token never travels in a URL.
//!
//! # Design
//!
//! Every call goes through one function ([`RequestBuilder::send`] into the
//! transport): validate and encode the operation, look it up in the
//! optional GET cache, wait for the pacer (iconik's 50/s and 1000/20 s by
//! default, shared by every clone of the client), send with `ureq`,
//! classify the answer, decide on a retry, decode into [`Response<T>`].
//!
//! Typed requests (`client.assets().get_asset(..)`, ...), the transfers
//! and the raw escape hatch ([`Client::request`]) build the same
//! [`Operation`] value and hand it to the [`Executor`]: the blocking
//! [`Client`] runs it at once, `iconik_async::Client` on a worker. Handlers,
//! request types, models and the operation table are generated from
//! `api-data/` by `cargo run -p iconik-codegen` (see [`api`] for the
//! rule); each service is a cargo feature (all on by default).
//!
//! # Security
//!
//! Credentials are sent only to the base URL's origin (never across a
//! redirect to another host), never appear in `Debug`, errors or logs, and
//! plain `http://` is refused except to loopback hosts. A hostile server
//! echoing the token back (in a body, a header, a value serde quotes, a
//! redirect's path) finds it replaced by `[redacted]` in errors and in this
//! crate's log lines. Bodies are capped after decompression
//! ([`ClientBuilder::max_response_bytes`]), list pages hold a bounded number
//! of objects, and helpers that collect a list are bounded
//! ([`Paginator::collect_bounded`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// With no service feature (a dependent that reaches operations through
// `api::OPERATIONS` and raw requests, like the `iconik` command) the
// request helpers only the generated handlers call are unused: dead, not
// wrong.
#![cfg_attr(
    not(any(
        feature = "acls",
        feature = "assets",
        feature = "auth",
        feature = "automations",
        feature = "files",
        feature = "jobs",
        feature = "metadata",
        feature = "ml",
        feature = "notifications",
        feature = "search",
        feature = "settings",
        feature = "stats",
        feature = "transcode",
        feature = "users",
        feature = "usersnotifications"
    )),
    allow(dead_code)
)]

pub mod api;
mod body;
#[cfg(feature = "bulk")]
pub mod bulk;
pub mod cache;
pub mod cancel;
pub mod checksum;
mod client;
pub mod clock;
mod error;
mod executor;
pub mod network;
mod operation;
pub mod page;
mod path;
pub mod rate_limit;
mod request;
mod resolve;
mod response;
pub mod retry;
pub mod throttle;
pub mod transfer;
mod transport;

pub use cache::{CacheConfig, CacheStats};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IDLE_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use error::{ApiError, Bound, DecodeError, Error, Result};
pub use executor::Executor;
/// The models of every service (`models::assets::Asset`, ...): the
/// `iconik-models` crate, typed as iconik's spec types them.
pub use iconik_models as models;
pub use operation::{Auth, Method, Operation, RequestBuilder};
pub use page::{Page, Paginator};
pub use rate_limit::RateLimitConfig;
pub use request::Request;
pub use resolve::DEFAULT_DNS_CACHE_TTL;
pub use response::{Headers, Response};
pub use throttle::{Rate, Throttle, ThrottleGuard};

/// The names most programs use, for `use iconik_sync::prelude::*`.
pub mod prelude {
    pub use crate::page::{Page, Paginator};
    pub use crate::{Client, Error, Executor, Method, Request, RequestBuilder, Response, Result};
}

#[cfg(test)]
mod fuzz;
