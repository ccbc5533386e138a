//! A blocking, typed client for the [iconik](https://app.iconik.io) media
//! asset management API.
//!
//! ```no_run
//! use iconik_sync::Client;
//! # fn main() -> iconik_sync::Result<()> {
//! let client = Client::from_env()?; // ICONIK_APP_ID, ICONIK_AUTH_TOKEN
//! let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
//! println!("{:?} after {} attempt(s)", asset.title, asset.attempts);
//! # Ok(()) }
//! ```
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
//! plain `http://` is refused except to loopback hosts.
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
mod operation;
pub mod page;
mod path;
pub mod rate_limit;
mod response;
pub mod retry;
pub mod throttle;
mod transport;

pub use cache::{CacheConfig, CacheStats};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IDLE_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use error::{ApiError, DecodeError, Error, Result};
pub use operation::{Method, Operation, RequestBuilder};
pub use page::{Page, Paginator};
pub use rate_limit::RateLimitConfig;
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
