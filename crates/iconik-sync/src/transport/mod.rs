//! The one function every request goes through.
//!
//! ```text
//! validate + encode -> cache lookup (GET) -> pacer (client-side limits)
//!   -> send via ureq -> classify -> retry decision -> decode -> Response<T>
//! ```

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use ureq::http::{self, Uri};

use crate::client::{Client, Inner, Origin};
use crate::error::{
    excerpt, parse_iconik_errors, redact_headers, ApiError, DecodeContext, Error, Redacted, Result,
};
use crate::operation::{Method, Operation, Target};
use crate::response::{Headers, Response};
use crate::retry::{self, Outcome};

mod wire;

use wire::{build_request, is_connect_failure, redact_query, request_head};
pub(crate) use wire::{classify, declared_length, loggable_url, resolve_location};

/// Redirects followed for GET and HEAD before giving up.
const MAX_REDIRECTS: u32 = 5;

/// What came back from one attempt that produced an HTTP answer.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: Vec<u8>,
    pub(crate) received_at: SystemTime,
}

/// Sends `op` on `client` and decodes a 2xx answer as `T`.
pub(crate) fn execute<T: DeserializeOwned + 'static>(
    client: &Client,
    op: &Operation,
) -> Result<Response<T>> {
    execute_with(client, op, decode_json::<T>)
}

/// Decodes a body as JSON `T`; an empty body reads as `null` (so `()` and
/// `Option<_>` accept a 204), and `()` accepts any body at all: an
/// operation documented to answer nothing may still answer something.
/// A failure names the type it was decoding.
pub(crate) fn decode_json<T: DeserializeOwned + 'static>(
    body: &[u8],
    ctx: &DecodeContext<'_>,
) -> Result<T> {
    let unit = std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>();
    let json: &[u8] = if unit || body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(json).map_err(|e| {
        let message = format!("decoding {}: {e}", std::any::type_name::<T>());
        ctx.error(&message, body)
    })
}

/// Like [`execute`], decoding a 2xx body with `decode` (the paginator
/// decodes its pages straight into `Page<T>` this way, with its bounds).
pub(crate) fn execute_with<T>(
    client: &Client,
    op: &Operation,
    decode: impl Fn(&[u8], &DecodeContext<'_>) -> Result<T>,
) -> Result<Response<T>> {
    let inner = &*client.inner;
    let (url, shown) = target_url(inner, op)?;
    let started = inner.clock.now();

    let cache_key = match (&inner.cache, op.method, &op.target) {
        (Some(cache), Method::Get, Target::Api) => {
            let key = cache.key(op.method.as_str(), &url, &inner.app_id, &inner.auth_token);
            if let Some(hit) = cache.get(&key) {
                log::debug!(
                    "{} GET {} -> {} from cache",
                    op.name,
                    Redacted(&shown, &inner.auth_token),
                    hit.status
                );
                let data = decode_exchange(inner, op, &hit, 0, &decode)?;
                return Ok(respond(data, hit, Duration::ZERO, 0, true));
            }
            Some(key)
        }
        _ => None,
    };
    let (result, attempts) = attempt_loop(inner, op, url, &shown);
    let total = inner.clock.now().saturating_sub(started);
    finish(
        inner, op, &shown, result, attempts, total, cache_key, &decode,
    )
}

/// Sends `op` (with its retries) and returns the final answer whatever
/// its status, with the number of attempts: for storage protocols where
/// a non-2xx status is part of the conversation (GCS's 308).
///
/// # Errors
/// Invalid arguments and transport failures (after retries); statuses
/// are returned, not raised.
pub(crate) fn exchange(client: &Client, op: &Operation) -> Result<(Exchange, u32)> {
    let inner = &*client.inner;
    let (url, shown) = target_url(inner, op)?;
    let (result, attempts) = attempt_loop(inner, op, url, &shown);
    match result {
        Ok(ex) => Ok((ex, attempts)),
        Err(mut e) => {
            e.set_attempts(attempts);
            Err(e)
        }
    }
}

/// The URL to send to, and how it may appear in logs and errors: the API
/// path, or a storage URL without its query.
fn target_url(inner: &Inner, op: &Operation) -> Result<(String, String)> {
    match &op.target {
        Target::Api => {
            let path = op.render_path()?;
            Ok((build_url(inner, op, &path), path))
        }
        Target::Storage { url, .. } => {
            if let Some(problem) = &op.build_error {
                return Err(Error::InvalidArgument(problem.clone()));
            }
            let uri: Uri = url.parse().map_err(|_| {
                Error::invalid(format!("{}: the storage URL is not a valid URL", op.name))
            })?;
            Ok((url.clone(), redact_query(&uri)))
        }
    }
}

/// Attempts `op` until it succeeds or the retry decision says stop.
/// API operations are paced and decided by the rate limiter; storage
/// operations skip the limiter (their host is not iconik's API) and are
/// decided by [`storage_retry`].
fn attempt_loop(
    inner: &Inner,
    op: &Operation,
    url: String,
    shown: &str,
) -> (Result<Exchange>, u32) {
    let storage = op.is_storage();
    // parsed once, from the string itself (no copy), for every attempt
    let url = match Uri::try_from(url) {
        Ok(url) => url,
        Err(_) => {
            let e = Error::invalid(format!("{}: could not form a valid URL", op.name));
            return (Err(e), 0);
        }
    };
    let mut attempt: u32 = 0;
    let mut retries = crate::retry::RetryState::default();
    loop {
        if crate::cancel::is_cancelled() {
            return (Err(Error::Cancelled), attempt);
        }
        attempt += 1;
        if !storage {
            inner.limiter.before_send();
        }
        // an attempt's own duration is only logged: no clock reads for it
        // unless debug logging is on
        let attempt_started = log::log_enabled!(log::Level::Debug).then(|| inner.clock.now());
        let result = send_once(inner, op, &url, shown);
        let elapsed =
            || attempt_started.map_or(Duration::ZERO, |t| inner.clock.now().saturating_sub(t));
        let outcome = match &result {
            Ok(ex) => {
                log::debug!(
                    "{} {} {} -> {} in {:?} (attempt {})",
                    op.name,
                    op.method,
                    Redacted(shown, &inner.auth_token),
                    ex.status,
                    elapsed(),
                    attempt
                );
                if !storage {
                    inner.limiter.after_response(ex.status, &ex.headers);
                }
                // only an error status can carry a wait worth reading
                let retry_after = match ex.status {
                    200..=299 => None,
                    _ => retry::retry_after(&ex.headers, inner.clock.wall()),
                };
                Outcome::Status {
                    status: ex.status,
                    retry_after,
                }
            }
            Err(e) => {
                log::debug!(
                    "{} {} {} -> error in {:?} (attempt {}): {}",
                    op.name,
                    op.method,
                    Redacted(shown, &inner.auth_token),
                    elapsed(),
                    attempt,
                    e
                );
                Outcome::Failed {
                    may_have_reached_server: e.may_have_reached_server(),
                }
            }
        };
        // a one-shot reader was used up by this attempt: never resent; nor
        // is a request whose own body failed locally (a file that changed)
        let replayable = op.payload.as_ref().is_none_or(|p| p.replayable())
            && !matches!(result, Err(Error::Io { .. }));
        let retry = match (crate::cancel::is_cancelled() || !replayable, storage) {
            (true, _) => None, // the caller is gone: report, do not retry
            (false, false) => inner
                .limiter
                .decide(op.retry_class(), &outcome, &mut retries),
            (false, true) => storage_retry(inner, op, &outcome, &mut retries),
        };
        match retry {
            Some(wait) => {
                log::debug!("{} retrying in {:?}", op.name, wait);
                inner.clock.sleep(wait);
            }
            None => return (result, attempt),
        }
    }
}

/// The retry decision for a storage request: storages answer 500 and 503
/// for transient faults (S3's `InternalError`, GCS's backend errors) and
/// 408/429 when busy, so those are retried, with the client's backoff and
/// `max_retries`, for requests that are safe to send again. The API's
/// retry budget is not charged.
fn storage_retry(
    inner: &Inner,
    op: &Operation,
    outcome: &Outcome,
    retries: &mut crate::retry::RetryState,
) -> Option<Duration> {
    let config = inner.limiter.config();
    let Target::Storage { retry_safe, .. } = op.target else {
        return None;
    };
    if retries.retries >= config.max_retries {
        return None;
    }
    let retry_after = match *outcome {
        Outcome::Status {
            status: 408 | 429 | 500 | 502 | 503 | 504,
            retry_after,
        } if retry_safe => retry_after,
        Outcome::Status { .. } => return None,
        Outcome::Failed {
            may_have_reached_server,
        } if retry_safe || !may_have_reached_server => None,
        Outcome::Failed { .. } => return None,
    };
    let wait = retry_after.map_or_else(
        || retry::backoff(config, retries.retries + 1, fastrand::f64()),
        |ra| ra.min(config.max_retry_after),
    );
    retries.record(crate::retry::RetryReason::Unavailable, wait);
    Some(wait)
}

#[allow(clippy::too_many_arguments)]
fn finish<T>(
    inner: &Inner,
    op: &Operation,
    path: &str,
    result: Result<Exchange>,
    attempts: u32,
    elapsed: Duration,
    cache_key: Option<String>,
    decode: &impl Fn(&[u8], &DecodeContext<'_>) -> Result<T>,
) -> Result<Response<T>> {
    let ex = result.map_err(|mut e| {
        e.set_attempts(attempts);
        e
    })?;
    if !(200..300).contains(&ex.status) {
        if let Some(empty) = op
            .empty_on_404
            .filter(|_| ex.status == 404 && inner.view_404_as_empty)
        {
            // "no values yet": the empty answer, with iconik's 404 status
            let stand_in = Exchange {
                body: empty.as_bytes().to_vec(),
                ..ex
            };
            let data = decode_exchange(inner, op, &stand_in, attempts, decode)?;
            return Ok(respond(data, stand_in, elapsed, attempts, false));
        }
        return Err(status_error_in(inner, op, path, ex, attempts));
    }
    if let Some(cache) = &inner.cache {
        match cache_key {
            Some(key) => cache.put(key, &ex),
            None if op.method != Method::Get => cache.invalidate(&inner.base, &op.service, path),
            None => {}
        }
    }
    let data = decode_exchange(inner, op, &ex, attempts, decode)?;
    Ok(respond(data, ex, elapsed, attempts, false))
}

fn respond<T>(
    data: T,
    ex: Exchange,
    elapsed: Duration,
    attempts: u32,
    from_cache: bool,
) -> Response<T> {
    Response {
        data,
        status: ex.status,
        headers: ex.headers,
        received_at: ex.received_at,
        elapsed,
        attempts,
        from_cache,
    }
}

fn decode_exchange<T>(
    inner: &Inner,
    op: &Operation,
    ex: &Exchange,
    attempts: u32,
    decode: &impl Fn(&[u8], &DecodeContext<'_>) -> Result<T>,
) -> Result<T> {
    let ctx = DecodeContext {
        operation: &op.name,
        status: ex.status,
        attempts,
        secret: &inner.auth_token,
    };
    decode(&ex.body, &ctx)
}

/// The error for a non-2xx answer to `op`. For a storage request the
/// error names the URL's path only, and the signed URL's query and any
/// `Location` (a session URL is a credential) are kept out of it.
pub(crate) fn status_error(client: &Client, op: &Operation, ex: Exchange, attempts: u32) -> Error {
    let inner = &*client.inner;
    let shown = match target_url(inner, op) {
        Ok((_, shown)) => shown,
        Err(e) => return e,
    };
    status_error_in(inner, op, &shown, ex, attempts)
}

fn status_error_in(
    inner: &Inner,
    op: &Operation,
    shown: &str,
    ex: Exchange,
    attempts: u32,
) -> Error {
    let Target::Storage { url, .. } = &op.target else {
        return api_error(inner, &op.name, op.method, shown, ex, attempts);
    };
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let headers = Headers::from_pairs(
        ex.headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("location"))
            .map(|(k, v)| (k.to_owned(), crate::error::redact(v, query))),
    );
    let ex = Exchange { headers, ..ex };
    // like an API error, the path alone (`shown` also names the host)
    let path = url.parse::<Uri>().map(|u| u.path().to_owned());
    let path = path.as_deref().unwrap_or(shown);
    let mut error = api_error(inner, &op.name, op.method, path, ex, attempts);
    if let Error::Api(e) = &mut error {
        e.body_excerpt = crate::error::redact(&e.body_excerpt, query);
        for m in &mut e.errors {
            *m = crate::error::redact(m, query);
        }
    }
    error
}

fn api_error(
    inner: &Inner,
    operation: &str,
    method: Method,
    path: &str,
    ex: Exchange,
    attempts: u32,
) -> Error {
    let (errors, field_errors) = parse_iconik_errors(&ex.body, &inner.auth_token);
    let retry_after = retry::retry_after(&ex.headers, inner.clock.wall());
    Error::Api(Box::new(ApiError {
        operation: operation.to_owned(),
        method: method.as_str(),
        path: path.to_owned(),
        status: ex.status,
        errors,
        field_errors,
        body_excerpt: excerpt(&ex.body, &inner.auth_token),
        retry_after,
        headers: redact_headers(ex.headers, &inner.auth_token),
        attempts,
    }))
}

fn build_url(inner: &Inner, op: &Operation, path: &str) -> String {
    let mut url = String::with_capacity(inner.base.len() + path.len() + 64);
    url.push_str(&inner.base);
    url.push_str("/API/");
    url.push_str(&op.service);
    url.push_str(path);
    let mut first = true;
    for (k, v) in inner.default_query.iter().chain(op.query.iter()) {
        url.push(if first { '?' } else { '&' });
        first = false;
        crate::path::encode_query_component(k, &mut url);
        url.push('=');
        crate::path::encode_query_component(v, &mut url);
    }
    url
}

/// One attempt: send, follow same-method redirects for GET/HEAD, read the
/// body under the cap.
fn send_once(inner: &Inner, op: &Operation, url: &Uri, shown: &str) -> Result<Exchange> {
    let mut response = open_once(inner, op, url, shown, op.timeout)?;
    read_body(inner, &op.name, op.method, &mut response)
}

/// One attempt up to the response head (redirects followed for GET and
/// HEAD); the body is left unread for the caller.
fn open_once(
    inner: &Inner,
    op: &Operation,
    url: &Uri,
    shown: &str,
    timeout: Option<Duration>,
) -> Result<http::Response<ureq::Body>> {
    let mut target = Cow::Borrowed(url);
    let mut hops = 0;
    loop {
        let response = match &op.payload {
            None => {
                let request = build_request(inner, op, &target)?;
                run(inner, &op.name, &target, request, timeout)?
            }
            Some(payload) => {
                let io_error = |source| Error::Io {
                    context: format!("{}: opening the request body", op.name),
                    source,
                };
                let len = payload.len().map_err(io_error)?;
                let reader = wire::held_to(payload.open().map_err(io_error)?, len);
                let mut builder = request_head(inner, op, &target);
                if let Some(ct) = payload.content_type() {
                    builder = builder.header(http::header::CONTENT_TYPE, ct);
                }
                if let Some(len) = len {
                    builder = builder.header(http::header::CONTENT_LENGTH, len);
                }
                let request = builder
                    .body(ureq::SendBody::from_owned_reader(reader))
                    .map_err(|e| Error::invalid(format!("{}: invalid request: {}", op.name, e)))?;
                run(inner, &op.name, &target, request, timeout)?
            }
        };
        let status = response.status().as_u16();

        if matches!(status, 301 | 302 | 303 | 307 | 308)
            && matches!(op.method, Method::Get | Method::Head)
            && hops < MAX_REDIRECTS
        {
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok());
            // a Location that echoes the token is not followed: the token
            // would travel in a URL (into ureq's request lines, proxies' and
            // servers' logs); the 3xx is returned as it is
            let echoes_token = !inner.auth_token.is_empty()
                && location.is_some_and(|l| l.contains(inner.auth_token.as_str()));
            if let Some(next) = location
                .filter(|_| !echoes_token)
                .and_then(|l| resolve_location(&target, l))
            {
                hops += 1;
                log::debug!(
                    "{} ({}): following redirect {} -> {}",
                    op.name,
                    shown,
                    status,
                    loggable_url(&next, &inner.auth_token)
                );
                target = Cow::Owned(next);
                continue;
            }
        }
        return Ok(response);
    }
}

/// A streamed answer: the head, and the body as a reader.
pub(crate) struct Stream {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: ureq::BodyReader<'static>,
}

/// Sends `op` once and hands back the body unread, to be streamed (a
/// download to disk). No whole-request timeout: each read may wait at
/// most the client's timeout, so a large body is not cut off; the caller
/// resumes after a failure. Statuses are returned, not raised.
///
/// # Errors
/// Invalid arguments and transport failures.
pub(crate) fn open_stream(client: &Client, op: &Operation) -> Result<Stream> {
    let inner = &*client.inner;
    if crate::cancel::is_cancelled() {
        return Err(Error::Cancelled);
    }
    let (url, shown) = target_url(inner, op)?;
    if !op.is_storage() {
        inner.limiter.before_send();
    }
    let url = Uri::try_from(url)
        .map_err(|_| Error::invalid(format!("{}: could not form a valid URL", op.name)))?;
    let response = open_once(inner, op, &url, &shown, Some(STREAM_NO_DEADLINE))?;
    let status = response.status().as_u16();
    let headers = Headers::from_http(response.headers());
    log::debug!(
        "{} {} {} -> {} (streamed)",
        op.name,
        op.method,
        Redacted(&shown, &inner.auth_token),
        status
    );
    if !op.is_storage() {
        inner.limiter.after_response(status, &headers);
    }
    let body = response
        .into_body()
        .into_with_config()
        .limit(u64::MAX)
        .reader();
    Ok(Stream {
        status,
        headers,
        body,
    })
}

/// Marks a streamed request: `run` uses per-read timeouts instead of a
/// whole-request deadline.
const STREAM_NO_DEADLINE: Duration = Duration::MAX;

/// Sends `request` (to `target`) on the client's agent with its timeout;
/// statuses are returned, not raised. After a failed connect the target's
/// host is forgotten by the resolver, so the next attempt looks it up anew.
fn run(
    inner: &Inner,
    name: &str,
    target: &Uri,
    request: http::Request<impl ureq::AsSendBody>,
    timeout: Option<Duration>,
) -> Result<http::Response<ureq::Body>> {
    let result = match timeout {
        Some(STREAM_NO_DEADLINE) => {
            let request = inner
                .agent
                .configure_request(request)
                .timeout_global(None)
                .timeout_recv_response(Some(inner.timeout))
                .timeout_per_read(Some(inner.timeout))
                .build();
            inner.agent.run(request)
        }
        // the agent is configured with the client's timeout: a request-level
        // config (a copy of the agent's whole config) only for an override
        Some(t) if t != inner.timeout => {
            let request = inner
                .agent
                .configure_request(request)
                .timeout_global(Some(t))
                .build();
            inner.agent.run(request)
        }
        _ => inner.agent.run(request),
    };
    result.map_err(|e| {
        if is_connect_failure(&e) {
            inner.resolver.forget(target);
        }
        classify(name, e)
    })
}

/// Reads an answer's body under the client's cap.
fn read_body(
    inner: &Inner,
    name: &str,
    method: Method,
    response: &mut http::Response<ureq::Body>,
) -> Result<Exchange> {
    let received_at = SystemTime::now();
    let status = response.status().as_u16();
    let headers = Headers::from_http(response.headers());
    let limit = inner.max_response_bytes;
    let too_large = || Error::BodyTooLarge {
        operation: name.to_owned(),
        limit,
        attempts: 0,
    };
    if declared_length(&headers).is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let body = if method == Method::Head {
        Vec::new()
    } else {
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => too_large(),
                other => match classify(name, other) {
                    // the request was answered: whatever broke, it arrived
                    Error::Transport {
                        operation, source, ..
                    } => Error::Transport {
                        operation,
                        stage: "reading the response body",
                        may_have_reached_server: true,
                        attempts: 0,
                        source,
                    },
                    Error::Timeout { operation, .. } => Error::Timeout {
                        operation,
                        stage: "reading the response body",
                        may_have_reached_server: true,
                        attempts: 0,
                    },
                    e => e,
                },
            })?
    };
    Ok(Exchange {
        status,
        headers,
        body,
        received_at,
    })
}
