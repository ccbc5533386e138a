//! A blocking, typed client for the [iconik](https://app.iconik.io) media
//! asset management API.
//!
//! ```no_run
//! use iconik_sync::Client;
//! # fn main() -> iconik_sync::Result<()> {
//! let client = Client::from_env()?; // ICONIK_APP_ID, ICONIK_AUTH_TOKEN
//! let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
//! println!("{:?} after {} attempt(s)", asset.title, asset.attempts());
//! # Ok(()) }
//! ```
//!
//! # Task guide
//!
//! | to | use |
//! |---|---|
//! | connect | [`Client::from_env`], [`Client::new`], [`Client::builder`] ([`ClientBuilder`]) |
//! | create an asset | [`AssetsApi::create`](api::AssetsApi::create) with [`models::AssetCreate`] |
//! | read one | [`AssetsApi::get`](api::AssetsApi::get): a [`Response`] that derefs to the [`models::Asset`]; [`Response::http_status`], [`Response::attempts`] describe the exchange |
//! | list every asset | [`AssetsApi::list_all`](api::AssetsApi::list_all): a lazy [`Paginator`] of items ([`Paginator::pages`] for whole pages) |
//! | search | [`SearchApi::search`](api::SearchApi::search) (one page), [`SearchApi::search_all`](api::SearchApi::search_all) (every hit) with [`models::SearchBody`] |
//! | read and write metadata | [`MetadataApi::get_asset_metadata`](api::MetadataApi::get_asset_metadata), [`MetadataApi::update_asset_metadata`](api::MetadataApi::update_asset_metadata) with [`models::Metadata`]; a view's fields: [`MetadataApi::get_view`](api::MetadataApi::get_view) |
//! | collections | [`CollectionsApi::create`](api::CollectionsApi::create), [`CollectionsApi::add_content`](api::CollectionsApi::add_content) |
//! | find files by checksum | [`FilesApi::get_files_by_checksum`](api::FilesApi::get_files_by_checksum), [`checksum::md5_file`] |
//! | upload a file, download one | [`Client::upload`] with [`transfer::Upload`] (asset, format, file set, file, the bytes by the storage's method, closed) → [`transfer::UploadReport`]; [`Client::download`] with [`transfer::Download`]; [`Client::upload_resumable`] with a [`transfer::UploadState`]; progress as [`transfer::Progress`] |
//! | handle errors | [`Error`]: [`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::retry_after`], [`Error::may_have_reached_server`] |
//! | call any other operation | [`Client::request`] → [`RequestBuilder`] (same request path) |
//! | go async | the `iconik-async` crate: the same handlers with `.await` |
//! | tune rate limits and retries | [`RateLimitConfig`] via [`ClientBuilder::rate_limit`]; [`ClientBuilder::disable_rate_limit_handling`]; for your own loops, [`Throttle`] |
//! | cache reads | [`CacheConfig`] via [`ClientBuilder::cache`] |
//! | proxies, extra CAs | [`ClientBuilder::proxy`], [`ClientBuilder::disable_proxy`], [`ClientBuilder::add_root_certificates_pem`] (details: [`network`]) |
//! | see what it does | [Logging](#logging) |
//!
//! Every handler method is listed, with its HTTP method and path, in the
//! [`api`] module's method table.
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
//! Typed handlers (`client.assets()`, ...) and the raw escape hatch
//! ([`Client::request`]) build the same [`Operation`] value. Handlers,
//! models and the operation table are generated from `api-data/` by
//! `cargo run -p iconik-codegen` (see [`api`] for the naming rule); each
//! service is a cargo feature (all on by default).
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

pub mod api;
pub mod cache;
pub mod cancel;
pub mod checksum;
mod client;
pub mod clock;
mod error;
pub mod models;
pub mod network;
mod operation;
pub mod page;
mod path;
pub mod rate_limit;
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
pub use operation::{Method, Operation, RequestBuilder};
pub use page::{Page, Paginator};
pub use rate_limit::RateLimitConfig;
pub use resolve::DEFAULT_DNS_CACHE_TTL;
pub use response::{Headers, Response};
pub use throttle::{Rate, Throttle, ThrottleGuard};

/// Everything the handler signatures mention, for `use iconik_sync::prelude::*`.
pub mod prelude {
    pub use crate::models::*;
    pub use crate::page::{Page, Paginator, Style};
    pub use crate::{Client, Error, Method, RequestBuilder, Response, Result};
    /// Signatures may name `serde_json::Value`.
    pub use serde_json;
}

#[cfg(test)]
mod fuzz;
