//! The HTTP/1.1 server: connection loop, parsing, auth, rate limiting,
//! fault injection and statistics.

use crate::storage::FakeStorage;
use crate::store::Store;
use crate::util::{errors, Query};
use crate::{EmulatorConfig, FaultConfig, RateLimitRule, Stats};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest accepted request body.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;
/// Largest accepted request head (request line + headers).
const MAX_HEAD: usize = 64 * 1024;
/// Most headers per request.
const MAX_HEADERS: usize = 100;
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
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig, base_url: String) -> Shared {
        let store = Store::new(config.seed, base_url.clone(), config.seed_data);
        let storage = FakeStorage::new(config.seed, config.seed_data);
        Shared {
            faults: Mutex::new(Arc::new(config.faults.clone())),
            fault_rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            store: Mutex::new(store),
            limiter: Mutex::new(Limiter::new(config.rate_limits.clone())),
            stats: Mutex::new(Stats::default()),
            storage: Mutex::new(storage),
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
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    close: bool,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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
    AfterApplyStatus,
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
                "after-apply-503" => fault = Fault::AfterApplyStatus,
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
            Fault::AfterApplyStatus
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

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
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

enum ReadError {
    /// Answer this and close.
    Respond(Response),
    /// Just close.
    Close,
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, ReadError> {
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(8192);
    }
    match stream.read_buf(buf).await {
        Ok(0) => Err(ReadError::Close),
        Ok(n) => Ok(n),
        Err(_) => Err(ReadError::Close),
    }
}

/// Reads one request from `buf`/`stream`. `Ok(None)` on clean EOF.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Result<Option<Request>, ReadError> {
    // Head.
    let (method, target, headers, version, consumed) = loop {
        if !buf.is_empty() {
            let mut hdrs = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut req = httparse::Request::new(&mut hdrs);
            match req.parse(buf) {
                Ok(httparse::Status::Complete(n)) => {
                    let method = req.method.unwrap_or("GET").to_string();
                    let target = req.path.unwrap_or("/").to_string();
                    let version = req.version.unwrap_or(1);
                    let headers: Vec<(String, String)> = req
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect();
                    break (method, target, headers, version, n);
                }
                Ok(httparse::Status::Partial) => {
                    if buf.len() > MAX_HEAD {
                        return Err(ReadError::Respond(Response::error(
                            431,
                            "Request header too large",
                        )));
                    }
                }
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(ReadError::Respond(Response::error(
                        431,
                        "Too many request headers",
                    )));
                }
                Err(e) => {
                    return Err(ReadError::Respond(Response::error(
                        400,
                        &format!("Malformed HTTP request: {e}"),
                    )));
                }
            }
        }
        let was_empty = buf.is_empty();
        match read_more(stream, buf).await {
            Ok(_) => {}
            Err(ReadError::Close) if was_empty => return Ok(None),
            Err(e) => return Err(e),
        }
    };
    buf.drain(..consumed);

    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let conn_hdr = find("connection").map(|v| v.to_ascii_lowercase());
    let close = match version {
        0 => conn_hdr.as_deref() != Some("keep-alive"),
        _ => conn_hdr.as_deref().is_some_and(|v| v.contains("close")),
    };
    let expect_continue = find("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let chunked =
        find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));

    let body = if chunked {
        if expect_continue {
            let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
        }
        read_chunked(stream, buf).await?
    } else if let Some(cl) = find("content-length") {
        let cl: usize = match cl.parse() {
            Ok(n) => n,
            Err(_) => {
                return Err(ReadError::Respond(Response::error(
                    400,
                    "Invalid Content-Length",
                )))
            }
        };
        if cl > MAX_BODY {
            return Err(ReadError::Respond(Response::error(
                413,
                "Request body too large",
            )));
        }
        if expect_continue && buf.len() < cl {
            let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
        }
        if buf.capacity() < cl {
            buf.reserve(cl - buf.len());
        }
        while buf.len() < cl {
            read_more(stream, buf).await?;
        }
        let rest = buf.split_off(cl);
        std::mem::replace(buf, rest)
    } else {
        Vec::new()
    };
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
        close,
    }))
}

/// Decodes a chunked body (extensions and trailers ignored).
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        // Chunk-size line.
        let line_end = loop {
            if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                break p;
            }
            if buf.len() > 4096 {
                return Err(ReadError::Respond(Response::error(400, "Bad chunk header")));
            }
            read_more(stream, buf).await?;
        };
        let line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_str = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_str, 16)
            .map_err(|_| ReadError::Respond(Response::error(400, "Bad chunk size")))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers until an empty line.
            loop {
                if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                    buf.drain(..p + 2);
                    if p == 0 {
                        return Ok(body);
                    }
                    continue;
                }
                if buf.len() > MAX_HEAD {
                    return Err(ReadError::Respond(Response::error(400, "Bad trailers")));
                }
                read_more(stream, buf).await?;
            }
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(ReadError::Respond(Response::error(
                413,
                "Request body too large",
            )));
        }
        while buf.len() < size + 2 {
            read_more(stream, buf).await?;
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

fn head_bytes(resp: &Response, content_length: usize, close: bool) -> Vec<u8> {
    let mut head = String::with_capacity(160);
    head.push_str("HTTP/1.1 ");
    head.push_str(&resp.status.to_string());
    head.push(' ');
    head.push_str(reason(resp.status));
    head.push_str("\r\n");
    if resp.json && resp.status != 204 {
        head.push_str("Content-Type: application/json\r\n");
    }
    if resp.status != 204 && !(100..200).contains(&resp.status) {
        head.push_str("Content-Length: ");
        head.push_str(&content_length.to_string());
        head.push_str("\r\n");
    }
    for (k, v) in &resp.headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

async fn write_response(stream: &mut TcpStream, resp: &Response, close: bool) -> bool {
    let body: &[u8] = if resp.status == 204 { &[] } else { &resp.body };
    let mut out = head_bytes(resp, body.len(), close);
    out.extend_from_slice(body);
    stream.write_all(&out).await.is_ok()
}

async fn connection(mut stream: TcpStream, sh: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    // Bounded: every iteration consumes one request or ends the connection.
    loop {
        let req = match read_request(&mut stream, &mut buf).await {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Close) => return,
            Err(ReadError::Respond(resp)) => {
                sh.count(|s| {
                    s.requests += 1;
                    *s.by_status.entry(resp.status).or_default() += 1;
                });
                let _ = write_response(&mut stream, &resp, true).await;
                let _ = stream.shutdown().await;
                return;
            }
        };
        let close = req.close;
        let (resp, action) = handle(&sh, req).await;
        match action {
            Action::Reset => {
                sh.count(|s| {
                    s.requests += 1;
                    s.resets += 1;
                    s.faults_injected += 1;
                });
                let _ = stream.set_zero_linger();
                drop(stream);
                return;
            }
            Action::Truncate => {
                sh.count(|s| {
                    s.requests += 1;
                    s.faults_injected += 1;
                    *s.by_status.entry(resp.status).or_default() += 1;
                });
                let mut out = head_bytes(&resp, resp.body.len(), true);
                out.extend_from_slice(&resp.body[..resp.body.len() / 2]);
                let _ = stream.write_all(&out).await;
                let _ = stream.flush().await;
                let _ = stream.shutdown().await;
                return;
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
                if !write_response(&mut stream, &resp, close).await || close {
                    let _ = stream.shutdown().await;
                    return;
                }
            }
        }
    }
}

/// Handles one request: latency, auth, rate limit, faults, routing.
async fn handle(sh: &Shared, req: Request) -> (Response, Action) {
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
    if is_api {
        let ok = req.header("app-id") == Some(sh.config.app_id.as_str())
            && req.header("auth-token") == Some(sh.config.auth_token.as_str());
        if !ok {
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
    if !overridden && (is_api || is_storage) && faults.any_random() {
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

    let resp = if is_api {
        crate::store::handle(sh, &req.method, &path, &query, &req.body)
    } else if is_storage {
        crate::storage::handle(sh, &req, &path, &query)
    } else {
        Response::error(404, "Not found")
    };

    match fault {
        Fault::AfterApplyStatus => {
            sh.count(|s| s.faults_injected += 1);
            (
                with_rl(Response::error(
                    503,
                    "Service unavailable (injected after apply)",
                )),
                Action::Normal,
            )
        }
        Fault::AfterApplyReset => (resp, Action::Reset),
        Fault::Truncate
            if (200..300).contains(&resp.status) && resp.json && resp.body.len() >= 2 =>
        {
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
        assert_eq!(f, Fault::AfterApplyStatus);
        assert_eq!(l, Duration::from_millis(20));
        assert_eq!(parse_fault_header("bogus").0, Fault::None);
    }
}
