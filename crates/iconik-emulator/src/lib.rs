//! A local, in-memory stand-in for the [iconik](https://www.iconik.io) API.
//!
//! Like `stripe-mock`, it serves every operation of iconik's spec (the 1002
//! operations of the workspace's `api-data/`) and validates requests against
//! it; unlike `stripe-mock`, it keeps state, so code under test can create,
//! read, change and delete objects and upload and download files. It also
//! emulates iconik's per-credential rate limits and injects faults (5xx
//! answers, connection resets, truncated bodies, latency).
//!
//! ```no_run
//! use iconik_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::new().no_rate_limit().seed_data(true)).unwrap();
//! println!("iconik emulator at {}", emu.base_url());
//! ```
//!
//! The server is hyper's HTTP/1.1 server on a tokio runtime running on its
//! own thread, so it works from synchronous code and from inside a tokio
//! runtime alike (keep-alive, `Content-Length` and chunked bodies,
//! `Expect: 100-continue`; bodies over 64 MiB get 413).
//!
//! # Routing and validation
//!
//! Paths are `/API/<service>/...` exactly as the spec has them. The route
//! table is built once per process from `api-data/endpoints.tsv` (compiled
//! in): an unknown path answers 404 and a known path with another method 405,
//! both `{"errors": ["..."]}`. Where two templates match, literal segments win
//! (`/v1/assets/recent/` is not an asset id). Id parameters that must be
//! UUIDs (`asset_id`, `file_id`, ...) answer 404 when they are not. JSON
//! bodies are checked against their schema in `api-data/schemas.json`: types,
//! required fields (not for `PATCH`), closed enums, nested models; a failure
//! answers 400 `{"errors": {"field": "message"}}` with marshmallow's messages
//! (`"Not a valid string."`, `"Missing data for required field."`,
//! `"Must be one of: A, B."`). Unknown query parameters are ignored.
//!
//! # State
//!
//! * **Core services** keep iconik's semantics: assets (versions, segments,
//!   history), collections and their contents, the delete queue (soft delete:
//!   `status` becomes `DELETED`, lists and search skip it, `GET` still returns
//!   it until a purge), formats, file sets, files, proxies, keyframes,
//!   storages, jobs (state changes), metadata views, fields and values (a view
//!   read is 404 while the object has no values), and search (`query` as a
//!   case-insensitive substring of the `search_fields`, the title by
//!   default, with no query syntax; `filter` terms, `doc_types`,
//!   `search_after`).
//! * **Every other resource** whose paths follow the collection/item pattern
//!   (`POST /v1/x/` + `/v1/x/{x_id}/`: users, groups, ACL templates, webhooks,
//!   automations, saved searches, transcoders, ...) is generic CRUD: `POST`
//!   stores the body with an `id` and `date_created`/`date_modified`, `GET`
//!   returns it, `PUT`/`PATCH` merge into it, `DELETE` removes it, and the
//!   collection `GET` lists it in the pagination style the spec declares for
//!   that path.
//! * **Every other operation** answers a schema-valid example of its response
//!   schema, echoing request fields and path parameters that fit it.
//!
//! Every answer carries the fields its response schema requires.
//!
//! # Pagination
//!
//! `page`/`per_page` lists answer `objects, page, pages, per_page, total,
//! first_url, last_url, next_url, prev_url` with host-relative URLs
//! (`next_url` null on the last page); `scroll=true` / `scroll_id` is honoured
//! on the same lists. Files-service lists use `per_page` + `last_id`; metadata
//! fields use `last_field_name`; jobs also take `search_after`. Default
//! `per_page` 10, max 500. Sorting parameters are ignored (creation order).
//!
//! # Auth, rate limits, faults
//!
//! * **Auth**: every operation needs `App-ID` and `Auth-Token` equal to the
//!   configured ones (401 otherwise), except the spec's credential-free ones
//!   (login, SAML, password reset) and the one that takes `App-ID` only.
//!   `/storage/` takes no iconik credentials.
//! * **Rate limiting** (authenticated requests): sliding windows with an exact
//!   log of admitted requests per rule; over any rule the answer is 429
//!   `{"errors": ["Rate limit exceeded"]}` plus `Retry-After` (whole seconds,
//!   at least 1) when configured. 429s do not consume quota. Authenticated
//!   answers carry `RateLimit-Remaining` (min over rules) and `RateLimit-Limit`.
//! * **Faults**: random faults from a `fastrand::Rng` seeded with
//!   [`EmulatorConfig::seed`] (one draw per request, in arrival order) apply to
//!   `/API` (after auth and rate limiting) and `/storage` requests. A request
//!   header `X-Emulator-Fault` replaces the draw for that request:
//!   `status=503` (any status), `reset`, `truncate`, `after-apply-503`,
//!   `after-apply-reset`, `latency-ms=N` (comma-separated). Storage clients
//!   send no such header: aim faults at them with [`StorageFault`].
//!
//! # Storage
//!
//! Every emulator has one `FILES` storage per method ([`SEED_STORAGES`]:
//! `s3-files`, the default, `gcs-files`, `azure-files`, `b2-files`,
//! `file-files`). Files, proxies and keyframes get the `upload_url`,
//! `upload_headers` and (S3) `multipart_upload_url` of their storage's fake,
//! served under `{base_url}/storage/{s3|gcs|azure|b2|file}/{kind}/{id}`:
//!
//! * **S3**: presigned `PUT` (200 + `ETag`); multipart: `POST ?uploads` (XML
//!   `UploadId`), part URLs from `.../multipart_url/part/` (paged: `per_page`
//!   capped at [`EmulatorConfig::part_urls_per_page`], `page`), `PUT` parts (a
//!   part put again replaces the earlier one), complete with the XML part list
//!   (`EntityTooSmall` for a non-final part under 5 MiB, `InvalidPart` for a
//!   wrong `ETag`), abort with `DELETE` (204), list parts with `GET` (pages of
//!   [`EmulatorConfig::list_parts_per_page`], `IsTruncated` and
//!   `NextPartNumberMarker`, continued with `part-number-marker`).
//! * **GCS** resumable: `POST` with `x-goog-resumable: start` (201 +
//!   `Location`), `PUT` chunks with `Content-Range` (multiples of 256 KiB; 308
//!   with `Range: bytes=0-K`), the final chunk or a `bytes */TOTAL` query
//!   answers 200 with `size` and base64 `md5Hash`; `DELETE` answers 499.
//! * **Azure** block blob on a SAS URL: `PUT` with `x-ms-blob-type: BlockBlob`,
//!   or `&comp=block&blockid=` (ids of one blob of equal length, at most
//!   50,000) then `&comp=blocklist` with `<BlockList><Latest>...`; 201.
//! * **B2**: `POST upload_url` with the token in `Authorization`,
//!   `X-Bz-File-Name`, `X-Bz-Content-Sha1` (checked); large files through
//!   `.../multipart/b2/start/`, part `POST`s (`X-Bz-Part-Number`, SHA-1 per
//!   part), `.../finish/` with the `sha1_list` (parts of 5 MB or more except
//!   the last), `.../cancel/`.
//! * **FILE**: `PUT` the `.../isg_handler_url/` URL (201).
//!
//! Signed URLs carry a signature the fakes check (403 without it). A
//! completed transfer sets the file record's `size`, `checksum` (md5 hex) and
//! `status` `CLOSED`; `.../download_url/` gives a URL whose `GET` returns the
//! bytes, honouring `Range` (206 + `Content-Range`, 416). See
//! [`Emulator::uploads`] and [`Emulator::storage_requests`].
//!
//! # Operability
//!
//! [`EmulatorConfig::log_requests`] prints one line per request (method,
//! path without query, status, milliseconds, operation id);
//! [`EmulatorConfig::record`] appends every request to an NDJSON file (storage
//! queries, which carry signatures, and credential headers are left out).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod record;
mod schema;
mod server;
mod spec;
mod storage;
mod store;
mod util;
mod wire;

#[cfg(test)]
mod walk_tests;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use store::{
    SAMPLE_ASSET_IDS, SAMPLE_ASSET_TITLES, SAMPLE_COLLECTION_ID, SAMPLE_CONTENTS,
    SAMPLE_FIELD_NAMES, SAMPLE_FILE_IDS, SAMPLE_FILE_SET_IDS, SAMPLE_FORMAT_IDS, SAMPLE_MD5S,
    SAMPLE_STORAGE_ID, SAMPLE_VIEW_ID, SEED_STORAGES,
};

/// One sliding-window rate limit rule: at most `limit` requests in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimitRule {
    /// Requests admitted per window.
    pub limit: u32,
    /// Length of the sliding window.
    pub window: Duration,
}

impl RateLimitRule {
    /// A rule of `limit` requests per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimitRule { limit, window }
    }

    /// iconik's published limits: 50 requests/s and 1000 requests per 20 s.
    pub fn iconik_defaults() -> Vec<RateLimitRule> {
        vec![
            RateLimitRule::new(50, Duration::from_secs(1)),
            RateLimitRule::new(1000, Duration::from_secs(20)),
        ]
    }

    /// Parses `50/1s`, `1000/20s`, `10/500ms`, `5/2m` (a bare number is seconds).
    pub fn parse(s: &str) -> Option<RateLimitRule> {
        let (limit, window) = s.split_once('/')?;
        let limit: u32 = limit.trim().parse().ok()?;
        let w = window.trim();
        let (num, unit) = match w.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => w.split_at(i),
            None => (w, "s"),
        };
        let n: u64 = if num.is_empty() { 1 } else { num.parse().ok()? };
        let window = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60)?),
            _ => return None,
        };
        if window.is_zero() {
            return None;
        }
        Some(RateLimitRule { limit, window })
    }
}

/// Injected faults. All rates are shares of requests in `0.0..=1.0`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Share answered with one of `error_statuses` (chosen uniformly) before
    /// the request is applied.
    pub error_rate: f64,
    /// Statuses used for `error_rate`; default `[500, 502, 503]`.
    pub error_statuses: Vec<u16>,
    /// Share whose connection is reset (TCP RST) before the request is applied.
    pub reset_rate: f64,
    /// Share that is applied and then answered 503 or reset (half each).
    pub after_apply_rate: f64,
    /// Share whose 2xx JSON body is truncated: the `Content-Length` promises
    /// more bytes than are sent, then the connection is closed.
    pub truncate_rate: f64,
    /// Latency added to every request.
    pub latency: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            reset_rate: 0.0,
            after_apply_rate: 0.0,
            truncate_rate: 0.0,
            latency: Duration::ZERO,
        }
    }
}

impl FaultConfig {
    /// No faults (same as `Default`).
    pub fn none() -> Self {
        Self::default()
    }

    /// Sets `error_rate`.
    pub fn error_rate(mut self, r: f64) -> Self {
        self.error_rate = r;
        self
    }

    /// Sets `error_statuses`.
    pub fn error_statuses(mut self, s: Vec<u16>) -> Self {
        self.error_statuses = s;
        self
    }

    /// Sets `reset_rate`.
    pub fn reset_rate(mut self, r: f64) -> Self {
        self.reset_rate = r;
        self
    }

    /// Sets `after_apply_rate`.
    pub fn after_apply_rate(mut self, r: f64) -> Self {
        self.after_apply_rate = r;
        self
    }

    /// Sets `truncate_rate`.
    pub fn truncate_rate(mut self, r: f64) -> Self {
        self.truncate_rate = r;
        self
    }

    /// Sets `latency`.
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = d;
        self
    }

    pub(crate) fn any_random(&self) -> bool {
        self.error_rate > 0.0
            || self.reset_rate > 0.0
            || self.after_apply_rate > 0.0
            || self.truncate_rate > 0.0
    }
}

/// Emulator settings. `EmulatorConfig::new()` equals `Default::default()`.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Expected `App-ID` header (default `"demo"`).
    pub app_id: String,
    /// Expected `Auth-Token` header (default `"demo"`).
    pub auth_token: String,
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// TCP port; 0 (default) picks a free one.
    pub port: u16,
    /// Rate limit rules per credential pair; empty means no limiting.
    /// Default: iconik's 50/1s and 1000/20s.
    pub rate_limits: Vec<RateLimitRule>,
    /// Send `Retry-After` (whole seconds, >= 1) on 429 answers (default true).
    pub retry_after: bool,
    /// Injected faults (default none).
    pub faults: FaultConfig,
    /// Seed for ids and random faults (default 0).
    pub seed: u64,
    /// Pre-populate the sample data described by the `SAMPLE_*` constants.
    pub seed_data: bool,
    /// Tokio worker threads (default 2).
    pub workers: usize,
    /// Write one line per request to stderr: method, path (no query),
    /// status (0 for a reset), milliseconds, and the spec's operation id.
    pub log_requests: bool,
    /// Append every request to this file as one JSON object per line
    /// (NDJSON): time, method, path, query (API requests only: storage URLs
    /// carry signatures), headers, body, status, ms, op; credentials and
    /// secret fields (passwords, tokens, secrets, keys) are redacted.
    pub record: Option<std::path::PathBuf>,
    /// Keep a copy of each completed upload's bytes for
    /// [`Emulator::uploads`] (default true). Off, those records have empty
    /// `bytes` (stored objects are still served): for benchmarks with large
    /// files, where the copy doubles the emulator's memory.
    pub keep_upload_bytes: bool,
    /// Most S3 part URLs on one page of `…/multipart_url/part/` (its
    /// `per_page` is capped at this; default 100): a client must read
    /// every page.
    pub part_urls_per_page: u32,
    /// Most parts in one S3 ListParts answer (default 1,000, as S3);
    /// `…/multipart_url/` hands out one `list_parts_url` per page when
    /// asked with `max_part_number`.
    pub list_parts_per_page: u32,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            app_id: "demo".into(),
            auth_token: "demo".into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            rate_limits: RateLimitRule::iconik_defaults(),
            retry_after: true,
            faults: FaultConfig::default(),
            seed: 0,
            seed_data: false,
            workers: 2,
            log_requests: false,
            record: None,
            keep_upload_bytes: true,
            part_urls_per_page: 100,
            list_parts_per_page: 1000,
        }
    }
}

impl EmulatorConfig {
    /// The default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the expected `App-ID` and `Auth-Token`.
    pub fn credentials(mut self, app_id: impl Into<String>, auth_token: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self.auth_token = auth_token.into();
        self
    }

    /// Sets the expected `App-ID`.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self
    }

    /// Sets the expected `Auth-Token`.
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = token.into();
        self
    }

    /// Sets the bind address.
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Sets the port (0 = ephemeral).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Replaces the rate limit rules.
    pub fn rate_limits(mut self, rules: Vec<RateLimitRule>) -> Self {
        self.rate_limits = rules;
        self
    }

    /// Turns rate limiting off.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limits.clear();
        self
    }

    /// Whether 429 answers carry `Retry-After`.
    pub fn retry_after(mut self, on: bool) -> Self {
        self.retry_after = on;
        self
    }

    /// Sets the injected faults.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the RNG seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to pre-populate sample data.
    pub fn seed_data(mut self, on: bool) -> Self {
        self.seed_data = on;
        self
    }

    /// Logs one line per request to stderr (see [`EmulatorConfig::log_requests`]).
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Records every request to `path` as NDJSON (see [`EmulatorConfig::record`]).
    pub fn record(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.record = Some(path.into());
        self
    }

    /// Sets the number of tokio worker threads (at least 1).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// Keeps (default) or drops the copy of upload bytes behind
    /// [`Emulator::uploads`] (see [`EmulatorConfig::keep_upload_bytes`]).
    pub fn keep_upload_bytes(mut self, on: bool) -> Self {
        self.keep_upload_bytes = on;
        self
    }
}

/// A counters snapshot, see [`Emulator::stats`].
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Every request received (after parsing).
    pub requests: u64,
    /// Answers sent, by status (resets are not answers and are not counted here).
    pub by_status: BTreeMap<u16, u64>,
    /// 429 answers sent.
    pub rate_limited: u64,
    /// 401 answers sent.
    pub unauthorized: u64,
    /// Injected faults of every kind (errors, resets, after-apply, truncations).
    pub faults_injected: u64,
    /// Connections reset by fault injection.
    pub resets: u64,
    /// Objects created, by resource kind (`"assets"`, `"collections"`,
    /// `"formats"`, `"file_sets"`, `"files"`, `"jobs"`, `"segments"`, ...).
    pub creations: BTreeMap<String, u64>,
    /// For each configured rule: the most requests received (authenticated,
    /// admitted or 429'd) from one credential pair in any window of that length.
    pub max_in_window: Vec<(RateLimitRule, u32)>,
    /// `/API` requests by the spec's operation id (`post_assets`, ...; `-`
    /// for no route), storage requests under `storage`, whatever their
    /// answer (429s included): what a client's calls cost, per operation.
    pub by_operation: BTreeMap<String, u64>,
    /// Body bytes received by the fake storages (every part and chunk,
    /// resent ones included): what a client sent, to compare with what it
    /// had to send.
    pub storage_bytes_in: u64,
}

/// What the fake storage endpoint received for one object.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// Object key (the path after `/storage/`, percent-decoded).
    pub key: String,
    /// The complete content.
    pub bytes: Vec<u8>,
    /// Number of requests that carried content (1 for a single PUT).
    pub parts: usize,
    /// Headers of every request that carried content, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Upload {
    /// Hex MD5 of the content.
    pub fn md5_hex(&self) -> String {
        storage::md5_hex(&self.bytes)
    }
}

/// One request the fake storage received (see [`Emulator::storage_requests`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StorageRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    /// Every request header, as sent.
    pub headers: Vec<(String, String)>,
    /// The status answered (0 when the connection was reset instead).
    pub status: u16,
}

impl StorageRequest {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a [`StorageFault`] does to the requests it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageFaultAction {
    /// Answer this status before the request is applied (nothing stored).
    Status(u16),
    /// Reset the connection before the request is applied.
    Reset,
    /// Reset the connection while the request body is arriving, after
    /// about half of it (nothing stored): a part broken off mid-transfer,
    /// so the client sees its write fail.
    ResetMidBody,
    /// Apply the request (e.g. store the part), then answer this status.
    AfterApplyStatus(u16),
    /// Apply the request, then reset the connection.
    AfterApplyReset,
    /// GCS chunk: persist this many bytes fewer than were sent, so the 308
    /// answers a shorter `Range` and the client must resend the rest.
    ShortRange(u64),
    /// Send half of a 2xx answer's body under the full `Content-Length`,
    /// then close (downloads).
    Truncate,
}

/// A fault aimed at particular fake-storage requests, e.g. "the 2nd `PUT`
/// of a part answers 500" or "a 308 with a short `Range`".
///
/// ```no_run
/// use iconik_emulator::{Emulator, EmulatorConfig, StorageFault, StorageFaultAction};
/// let emu = Emulator::start(EmulatorConfig::new()).unwrap();
/// emu.add_storage_fault(
///     StorageFault::new(StorageFaultAction::Status(500))
///         .method("PUT")
///         .target_contains("partNumber=")
///         .nth(2),
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StorageFault {
    /// HTTP method the request must have (`None`: any).
    pub method: Option<String>,
    /// Text the request target (path and query) must contain (`None`: any).
    pub target_contains: Option<String>,
    /// The first matching request (1-based) the fault hits.
    pub nth: u64,
    /// How many consecutive matching requests it hits from the `nth` on.
    pub times: u64,
    /// What it does.
    pub action: StorageFaultAction,
}

impl StorageFault {
    /// A fault that hits the first matching storage request once.
    pub fn new(action: StorageFaultAction) -> StorageFault {
        StorageFault {
            method: None,
            target_contains: None,
            nth: 1,
            times: 1,
            action,
        }
    }

    /// Only requests with this HTTP method match.
    pub fn method(mut self, m: impl Into<String>) -> Self {
        self.method = Some(m.into().to_ascii_uppercase());
        self
    }

    /// Only requests whose path and query contain `s` match.
    pub fn target_contains(mut self, s: impl Into<String>) -> Self {
        self.target_contains = Some(s.into());
        self
    }

    /// Hits the `n`th matching request (1-based).
    pub fn nth(mut self, n: u64) -> Self {
        self.nth = n.max(1);
        self
    }

    /// Hits this many consecutive matching requests.
    pub fn times(mut self, n: u64) -> Self {
        self.times = n;
        self
    }
}

/// A running emulator. Dropping it stops the server and joins its thread.
pub struct Emulator {
    shared: Arc<server::Shared>,
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds, starts the server on its own thread with its own tokio runtime,
    /// and returns once it is listening.
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind((config.bind, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let base_url = match addr.ip() {
            IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
            IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        };
        let workers = config.workers.max(1);
        // Parse the spec now rather than on the first request.
        let _ = spec::spec();
        let recorder = match &config.record {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            ),
            None => None,
        };
        let shared = Arc::new(server::Shared::new(config, base_url.clone(), recorder));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("iconik-emulator")
            .enable_all()
            .build()?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let sh = shared.clone();
        let thread = std::thread::Builder::new()
            .name("iconik-emulator".into())
            .spawn(move || {
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    server::serve(listener, sh, rx).await;
                });
                rt.shutdown_timeout(Duration::from_millis(200));
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(std::io::Error::other("emulator thread exited"));
            }
        }
        Ok(Emulator {
            shared,
            base_url,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.base_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// The `App-ID` the emulator accepts.
    pub fn app_id(&self) -> &str {
        &self.shared.config.app_id
    }

    /// The `Auth-Token` the emulator accepts.
    pub fn auth_token(&self) -> &str {
        &self.shared.config.auth_token
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Zeroes the counters (creations and rate-limit maxima included).
    pub fn reset_stats(&self) {
        self.shared.reset_stats()
    }

    /// Everything the fake storage endpoint received, in completion order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared
            .storage
            .lock()
            .map(|s| s.uploads.clone())
            .unwrap_or_default()
    }

    /// Replaces the fault configuration at runtime.
    pub fn set_faults(&self, faults: FaultConfig) {
        self.shared.set_faults(faults)
    }

    /// Adds a fault aimed at particular storage requests (it counts the
    /// requests it matches from now on).
    pub fn add_storage_fault(&self, fault: StorageFault) {
        self.shared.add_storage_fault(fault)
    }

    /// Removes every [`StorageFault`].
    pub fn clear_storage_faults(&self) {
        self.shared.clear_storage_faults()
    }

    /// Every request the fake storage received (first 100,000), with its
    /// headers and answer status, in arrival order: tests assert that no
    /// `App-ID` or `Auth-Token` reached storage.
    pub fn storage_requests(&self) -> Vec<StorageRequest> {
        self.shared
            .storage
            .lock()
            .map(|s| s.requests.clone())
            .unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
