//! The HTTP/1.1 server on hyper: connection handling, auth, rate limiting,
//! fault injection and statistics.

use crate::spec::Auth;
use crate::storage::FakeStorage;
use crate::store::Store;
use crate::util::{errors, Query};
use crate::wire::{Conn, EmuBody};
use crate::{EmulatorConfig, FaultConfig, RateLimitRule, Stats, StorageFault, StorageFaultAction};
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

/// Largest accepted request body.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// Cap on each "received" log used for `max_in_window`.
const MAX_RECEIVED_LOG: usize = 4_000_000;

/// Locks a mutex, ignoring poisoning (state stays usable after a panic).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by all connections.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) base_url: String,
    faults: Mutex<Arc<FaultConfig>>,
    fault_rng: Mutex<fastrand::Rng>,
    pub(crate) store: Mutex<Store>,
    limiter: Mutex<Limiter>,
    stats: Mutex<Stats>,
    pub(crate) storage: Mutex<FakeStorage>,
    /// Targeted storage faults, each with the count of requests it matched.
    storage_faults: Mutex<Vec<(StorageFault, u64)>>,
    /// `--record FILE`: every request as one JSON line.
    pub(crate) recorder: Option<Mutex<std::io::BufWriter<std::fs::File>>>,
}

impl Shared {
    pub(crate) fn new(
        config: EmulatorConfig,
        base_url: String,
        recorder: Option<std::fs::File>,
    ) -> Shared {
        let mut store = Store::new(config.seed, base_url.clone(), config.seed_data);
        store.paging = (
            config.part_urls_per_page.max(1),
            config.list_parts_per_page.max(1),
        );
        let storage = FakeStorage::new(config.seed, config.seed_data, config.keep_upload_bytes);
        Shared {
            faults: Mutex::new(Arc::new(config.faults.clone())),
            fault_rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            store: Mutex::new(store),
            limiter: Mutex::new(Limiter::new(config.rate_limits.clone())),
            stats: Mutex::new(Stats::default()),
            storage: Mutex::new(storage),
            storage_faults: Mutex::new(Vec::new()),
            recorder: recorder.map(|f| Mutex::new(std::io::BufWriter::new(f))),
            base_url,
            config,
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        let mut s = lock(&self.stats).clone();
        s.creations = lock(&self.store).creations.clone();
        let lim = lock(&self.limiter);
        s.max_in_window = lim
            .rules
            .iter()
            .zip(&lim.max_received)
            .map(|(r, m)| (*r, *m))
            .collect();
        s
    }

    pub(crate) fn reset_stats(&self) {
        *lock(&self.stats) = Stats::default();
        lock(&self.store).creations.clear();
        let mut lim = lock(&self.limiter);
        for m in lim.max_received.iter_mut() {
            *m = 0;
        }
        for r in lim.received.iter_mut() {
            r.clear();
        }
    }

    pub(crate) fn set_faults(&self, f: FaultConfig) {
        *lock(&self.faults) = Arc::new(f);
    }

    pub(crate) fn add_storage_fault(&self, f: StorageFault) {
        lock(&self.storage_faults).push((f, 0));
    }

    pub(crate) fn clear_storage_faults(&self) {
        lock(&self.storage_faults).clear();
    }

    /// The action of the first targeted fault that hits this storage request
    /// (every matching rule counts the request).
    fn storage_fault(&self, method: &str, target: &str) -> Option<StorageFaultAction> {
        let mut rules = lock(&self.storage_faults);
        let mut hit = None;
        for (rule, seen) in rules.iter_mut() {
            let method_ok = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            let target_ok = rule
                .target_contains
                .as_deref()
                .is_none_or(|t| target.contains(t));
            if !(method_ok && target_ok) {
                continue;
            }
            *seen += 1;
            let fires = *seen >= rule.nth && *seen - rule.nth < rule.times;
            if fires && hit.is_none() {
                hit = Some(rule.action);
            }
        }
        hit
    }

    fn count(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut lock(&self.stats))
    }
}

/// Sliding-window limiter for the single accepted credential pair.
struct Limiter {
    rules: Vec<RateLimitRule>,
    admitted: Vec<VecDeque<Instant>>,
    received: Vec<VecDeque<Instant>>,
    max_received: Vec<u32>,
}

impl Limiter {
    fn new(rules: Vec<RateLimitRule>) -> Limiter {
        let n = rules.len();
        Limiter {
            rules,
            admitted: vec![VecDeque::new(); n],
            received: vec![VecDeque::new(); n],
            max_received: vec![0; n],
        }
    }

    /// Records a request; `Ok(remaining)` when admitted, `Err(retry_after_secs)` when not.
    fn check(&mut self, now: Instant) -> Result<u32, u64> {
        for (i, rule) in self.rules.iter().enumerate() {
            let log = &mut self.received[i];
            prune(log, now, rule.window);
            if log.len() >= MAX_RECEIVED_LOG {
                log.pop_front();
            }
            log.push_back(now);
            let n = u32::try_from(log.len()).unwrap_or(u32::MAX);
            self.max_received[i] = self.max_received[i].max(n);
        }
        let mut retry: Option<Duration> = None;
        for (i, rule) in self.rules.iter().enumerate() {
            let log = &mut self.admitted[i];
            prune(log, now, rule.window);
            let limit = rule.limit as usize;
            if log.len() >= limit {
                // The window frees when entry (len - limit) expires.
                let wait = match log.get(log.len() - limit) {
                    Some(t) => t
                        .checked_add(rule.window)
                        .map_or(rule.window, |end| end.saturating_duration_since(now)),
                    None => rule.window,
                };
                retry = Some(retry.map_or(wait, |r| r.max(wait)));
            }
        }
        if let Some(wait) = retry {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        let mut remaining = u32::MAX;
        for (i, rule) in self.rules.iter().enumerate() {
            self.admitted[i].push_back(now);
            let left = rule.limit as usize - self.admitted[i].len();
            remaining = remaining.min(u32::try_from(left).unwrap_or(u32::MAX));
        }
        Ok(remaining)
    }
}

fn prune(log: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while let Some(t) = log.front() {
        if now.saturating_duration_since(*t) >= window {
            log.pop_front();
        } else {
            break;
        }
    }
}

/// A parsed request.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: hyper::HeaderMap,
    pub(crate) body: Vec<u8>,
    /// The targeted storage fault that hit this request (decided when it
    /// arrived, before its body was read).
    pub(crate) storage_fault: Option<StorageFaultAction>,
}

impl Request {
    /// A header's value (names are case-insensitive; non-UTF-8 values are absent).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header as (lowercase name, value) pairs, for recording.
    pub(crate) fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }
}

/// An answer to write.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) json: bool,
}

impl Response {
    pub(crate) fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(v).unwrap_or_default(),
            json: true,
        }
    }

    pub(crate) fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            json: false,
        }
    }

    pub(crate) fn error(status: u16, msg: &str) -> Response {
        Response::json(status, &errors(msg))
    }

    pub(crate) fn header(mut self, k: &str, v: impl Into<String>) -> Response {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

enum Action {
    Normal,
    Reset,
    Truncate,
}

/// A fault decided for one request.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Fault {
    None,
    Status(u16),
    Reset,
    AfterApplyStatus(u16),
    AfterApplyReset,
    Truncate,
}

/// Parses `X-Emulator-Fault`: returns (fault, extra latency).
fn parse_fault_header(v: &str) -> (Fault, Duration) {
    let mut fault = Fault::None;
    let mut latency = Duration::ZERO;
    for part in v.split(',').map(str::trim).take(16) {
        let lower = part.to_ascii_lowercase();
        if let Some(s) = lower.strip_prefix("status=") {
            if let Ok(code) = s.trim().parse::<u16>() {
                if (100..=999).contains(&code) {
                    fault = Fault::Status(code);
                }
            }
        } else if let Some(ms) = lower.strip_prefix("latency-ms=") {
            if let Ok(ms) = ms.trim().parse::<u64>() {
                latency = Duration::from_millis(ms.min(600_000));
            }
        } else {
            match lower.as_str() {
                "reset" => fault = Fault::Reset,
                "truncate" => fault = Fault::Truncate,
                "after-apply-503" => fault = Fault::AfterApplyStatus(503),
                "after-apply-reset" => fault = Fault::AfterApplyReset,
                _ => {}
            }
        }
    }
    (fault, latency)
}

fn draw_fault(sh: &Shared, f: &FaultConfig) -> Fault {
    let (u, pick, half) = {
        let mut rng = lock(&sh.fault_rng);
        (rng.f64(), rng.usize(..), rng.bool())
    };
    let mut edge = f.error_rate.clamp(0.0, 1.0);
    if u < edge {
        return match f.error_statuses.len() {
            0 => Fault::Status(503),
            n => Fault::Status(f.error_statuses[pick % n]),
        };
    }
    edge += f.reset_rate.clamp(0.0, 1.0);
    if u < edge {
        return Fault::Reset;
    }
    edge += f.after_apply_rate.clamp(0.0, 1.0);
    if u < edge {
        return if half {
            Fault::AfterApplyStatus(503)
        } else {
            Fault::AfterApplyReset
        };
    }
    edge += f.truncate_rate.clamp(0.0, 1.0);
    if u < edge {
        return Fault::Truncate;
    }
    Fault::None
}

/// Accept loop; returns when `stop` fires.
pub(crate) async fn serve(
    listener: TcpListener,
    sh: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            acc = listener.accept() => match acc {
                Ok((stream, _)) => {
                    let sh = sh.clone();
                    tokio::spawn(async move { connection(stream, sh).await });
                }
                Err(e) => {
                    log::debug!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }
}

/// The error a service returns to make hyper drop the connection at once
/// (no answer is written); the socket is then closed with a TCP reset.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for ResetConnection {}

/// Serves one connection with hyper's HTTP/1.1 server (keep-alive,
/// `Content-Length` and chunked bodies, `Expect: 100-continue`).
async fn connection(stream: TcpStream, sh: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(Conn::new(stream, reset.clone()));
    let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let sh = sh.clone();
        let reset = reset.clone();
        async move {
            let (resp, action) = answer(&sh, req).await;
            finish(&sh, resp, action, &reset)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        // Answers are small: one flattened buffer beats a vectored write.
        .writev(false)
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .serve_connection(io, svc);
    if let Err(e) = conn.await {
        log::debug!("connection ended: {e}");
    }
}

/// Reads the request body (bounded) and handles the request.
async fn answer(sh: &Shared, req: hyper::Request<Incoming>) -> (Response, Action) {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return (
            Response::error(413, "Request body too large").header("Connection", "close"),
            Action::Normal,
        );
    }
    let target = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    // targeted storage faults are decided before the body is read, so one
    // can break the connection off in the middle of it
    let storage_fault =
        if target.starts_with("/storage/") && !parts.headers.contains_key("x-emulator-fault") {
            sh.storage_fault(parts.method.as_str(), &target)
        } else {
            None
        };
    if storage_fault == Some(StorageFaultAction::ResetMidBody) {
        let body = half_of(body, declared).await;
        let request = Request {
            method: parts.method.as_str().to_string(),
            target,
            headers: parts.headers,
            body,
            storage_fault,
        };
        lock(&sh.storage).note(&request, 0);
        return (Response::empty(0), Action::Reset);
    }
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            let (status, msg) = if e.is::<http_body_util::LengthLimitError>() {
                (413, "Request body too large")
            } else {
                (400, "Malformed request body")
            };
            return (
                Response::error(status, msg).header("Connection", "close"),
                Action::Normal,
            );
        }
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        target,
        headers: parts.headers,
        body: Vec::from(body),
        storage_fault,
    };
    let started = Instant::now();
    let (resp, action, op) = handle(sh, &request).await;
    let body_len = request.body.len() as u64;
    let to_storage = request.target.starts_with("/storage/");
    sh.count(|s| {
        *s.by_operation.entry(op.to_owned()).or_default() += 1;
        if to_storage {
            s.storage_bytes_in += body_len;
        }
    });
    if request.target.starts_with("/storage/") {
        let status = match action {
            Action::Reset => 0,
            _ => resp.status,
        };
        lock(&sh.storage).note(&request, status);
    }
    if sh.config.log_requests || sh.recorder.is_some() {
        let status = match action {
            Action::Reset => 0,
            _ => resp.status,
        };
        crate::record::observe(sh, &request, status, op, started.elapsed());
    }
    (resp, action)
}

/// Reads the body until about half of its declared length (one frame
/// when the length is unknown) and returns what arrived.
async fn half_of(mut body: Incoming, declared: Option<u64>) -> Vec<u8> {
    let want = declared.map_or(1, |n| (n / 2).max(1));
    let mut got = Vec::new();
    while (got.len() as u64) < want {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    got.extend_from_slice(&data);
                }
            }
            _ => break,
        }
    }
    got
}

/// Counts the answer and turns it into hyper's response (or a reset).
fn finish(
    sh: &Shared,
    resp: Response,
    action: Action,
    reset: &AtomicBool,
) -> Result<hyper::Response<EmuBody>, ResetConnection> {
    match action {
        Action::Reset => {
            sh.count(|s| {
                s.requests += 1;
                s.resets += 1;
                s.faults_injected += 1;
            });
            reset.store(true, Ordering::SeqCst);
            Err(ResetConnection)
        }
        Action::Truncate => {
            sh.count(|s| {
                s.requests += 1;
                s.faults_injected += 1;
                *s.by_status.entry(resp.status).or_default() += 1;
            });
            let full = resp.body.len();
            let mut half = resp.body;
            half.truncate(full / 2);
            let r = resp_head(resp.status, &resp.headers, resp.json, Some(full));
            Ok(r.body(EmuBody::truncated(Bytes::from(half)))
                .unwrap_or_else(|_| fallback()))
        }
        Action::Normal => {
            sh.count(|s| {
                s.requests += 1;
                *s.by_status.entry(resp.status).or_default() += 1;
                match resp.status {
                    401 => s.unauthorized += 1,
                    429 => s.rate_limited += 1,
                    _ => {}
                }
            });
            let body = if resp.status == 204 || resp.status == 304 {
                Bytes::new()
            } else {
                Bytes::from(resp.body)
            };
            let r = resp_head(resp.status, &resp.headers, resp.json, None);
            Ok(r.body(EmuBody::full(body)).unwrap_or_else(|_| fallback()))
        }
    }
}

fn fallback() -> hyper::Response<EmuBody> {
    let mut r = hyper::Response::new(EmuBody::full(Bytes::new()));
    *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    r
}

/// The status line and headers; `content_length` is set explicitly only for
/// a truncated answer (hyper derives it from the body otherwise).
fn resp_head(
    status: u16,
    headers: &[(String, String)],
    json: bool,
    content_length: Option<usize>,
) -> hyper::http::response::Builder {
    let mut b = hyper::Response::builder().status(status);
    if json && status != 204 {
        b = b.header(hyper::header::CONTENT_TYPE, "application/json");
    }
    if let Some(n) = content_length {
        b = b.header(hyper::header::CONTENT_LENGTH, n);
    }
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            b = b.header(k, v);
        }
    }
    b
}

/// Handles one request; also names the operation it routed to (`-` for
/// none, `storage` for the fake storage).
async fn handle(sh: &Shared, req: &Request) -> (Response, Action, &'static str) {
    let mut op = "-";
    let (resp, action) = handle_inner(sh, req, &mut op).await;
    (resp, action, op)
}

/// Handles one request: latency, auth, rate limit, faults, routing.
async fn handle_inner(sh: &Shared, req: &Request, op: &mut &'static str) -> (Response, Action) {
    let faults = lock(&sh.faults).clone();
    let (mut fault, extra_latency, overridden) = match req.header("x-emulator-fault") {
        Some(v) => {
            let (f, l) = parse_fault_header(v);
            (f, l, true)
        }
        None => (Fault::None, Duration::ZERO, false),
    };
    let latency = faults.latency.saturating_add(extra_latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (path, raw_query) = match req.target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (req.target.clone(), String::new()),
    };
    let query = Query::parse(&raw_query);

    let mut rl_headers: Vec<(String, String)> = Vec::new();
    let is_api = path.starts_with("/API/");
    let is_storage = path.starts_with("/storage/");
    let route = is_api.then(|| crate::store::resolve(&req.method, &path));
    if let Some(r) = &route {
        *op = r.op_id();
    } else if is_storage {
        *op = "storage";
    }
    let auth = route.as_ref().map_or(Auth::None, |r| r.auth());
    if auth != Auth::None {
        let app_ok = req.header("app-id") == Some(sh.config.app_id.as_str());
        let token_ok = auth == Auth::AppIdOnly
            || req.header("auth-token") == Some(sh.config.auth_token.as_str());
        if !(app_ok && token_ok) {
            return (
                Response::error(
                    401,
                    "Authentication credentials were not provided or are invalid",
                ),
                Action::Normal,
            );
        }
        if !sh.config.rate_limits.is_empty() {
            let res = lock(&sh.limiter).check(Instant::now());
            let first = sh.config.rate_limits[0].limit;
            match res {
                Ok(remaining) => {
                    rl_headers.push(("RateLimit-Limit".into(), first.to_string()));
                    rl_headers.push(("RateLimit-Remaining".into(), remaining.to_string()));
                }
                Err(secs) => {
                    let mut r = Response::error(429, "Rate limit exceeded")
                        .header("RateLimit-Limit", first.to_string())
                        .header("RateLimit-Remaining", "0");
                    if sh.config.retry_after {
                        r = r.header("Retry-After", secs.to_string());
                    }
                    return (r, Action::Normal);
                }
            }
        }
    }
    let mut twist = crate::storage::Twist::default();
    let targeted = if is_storage && !overridden {
        req.storage_fault
    } else {
        None
    };
    if let Some(action) = targeted {
        fault = match action {
            StorageFaultAction::Status(code) => Fault::Status(code),
            StorageFaultAction::Reset | StorageFaultAction::ResetMidBody => Fault::Reset,
            StorageFaultAction::AfterApplyStatus(code) => Fault::AfterApplyStatus(code),
            StorageFaultAction::AfterApplyReset => Fault::AfterApplyReset,
            StorageFaultAction::Truncate => Fault::Truncate,
            StorageFaultAction::ShortRange(n) => {
                sh.count(|s| s.faults_injected += 1);
                twist.short_range = n;
                Fault::None
            }
        };
    } else if !overridden && (is_api || is_storage) && faults.any_random() {
        fault = draw_fault(sh, &faults);
    }
    let with_rl = |mut r: Response| {
        r.headers.extend(rl_headers.iter().cloned());
        r
    };
    match fault {
        Fault::Status(code) => {
            sh.count(|s| s.faults_injected += 1);
            let mut r = Response::error(code, "Injected fault");
            if code == 429 && sh.config.retry_after {
                r = r.header("Retry-After", "1");
            }
            return (with_rl(r), Action::Normal);
        }
        Fault::Reset => return (Response::empty(0), Action::Reset),
        _ => {}
    }

    let resp = if let Some(route) = &route {
        crate::store::handle(sh, route, &req.method, &path, &query, &req.body)
    } else if is_storage {
        // copying, hashing and cloning objects of gigabytes takes seconds:
        // off the async workers, so API requests are not held up behind
        // them (their arrival times decide the rate limit)
        tokio::task::block_in_place(|| crate::storage::handle(sh, req, &path, &query, twist))
    } else {
        Response::error(404, "Not found")
    };

    match fault {
        Fault::AfterApplyStatus(code) => {
            sh.count(|s| s.faults_injected += 1);
            (
                with_rl(Response::error(code, "Injected fault (after apply)")),
                Action::Normal,
            )
        }
        Fault::AfterApplyReset => (resp, Action::Reset),
        Fault::Truncate if (200..300).contains(&resp.status) && resp.body.len() >= 2 => {
            (with_rl(resp), Action::Truncate)
        }
        _ => (with_rl(resp), Action::Normal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_windows() {
        let rules = vec![RateLimitRule::new(2, Duration::from_secs(1))];
        let mut l = Limiter::new(rules);
        let t0 = Instant::now();
        assert_eq!(l.check(t0), Ok(1));
        assert_eq!(l.check(t0), Ok(0));
        assert_eq!(l.check(t0 + Duration::from_millis(100)), Err(1));
        assert_eq!(l.check(t0 + Duration::from_millis(1000)), Ok(1));
        assert_eq!(l.max_received[0], 3);
    }

    #[test]
    fn fault_header() {
        assert_eq!(parse_fault_header("status=503").0, Fault::Status(503));
        assert_eq!(parse_fault_header("reset").0, Fault::Reset);
        let (f, l) = parse_fault_header("after-apply-503, latency-ms=20");
        assert_eq!(f, Fault::AfterApplyStatus(503));
        assert_eq!(l, Duration::from_millis(20));
        assert_eq!(parse_fault_header("bogus").0, Fault::None);
    }
}
