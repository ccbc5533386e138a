//! The one function every request goes through.
//!
//! ```text
//! validate + encode -> cache lookup (GET) -> pacer (client-side limits)
//!   -> send via ureq -> classify -> retry decision -> decode -> Response<T>
//! ```

use std::io;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use ureq::http::{self, Uri};

use crate::client::{Client, Inner, Origin};
use crate::error::{excerpt, parse_iconik_errors, ApiError, DecodeError, Error, Result};
use crate::operation::{Method, Operation};
use crate::response::{Headers, Response};
use crate::retry::{self, Outcome};

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
pub(crate) fn execute<T: DeserializeOwned>(client: &Client, op: &Operation) -> Result<Response<T>> {
    let inner = &*client.inner;
    let path = op.render_path()?;
    let url = build_url(inner, op, &path);
    let started = inner.clock.now();

    let cache_key = match (&inner.cache, op.method) {
        (Some(cache), Method::Get) => {
            let key = cache.key(op.method.as_str(), &url, &inner.app_id, &inner.auth_token);
            if let Some(hit) = cache.get(&key) {
                log::debug!("{} GET {} -> {} from cache", op.name, path, hit.status);
                let data = decode::<T>(inner, op, &hit, 0)?;
                return Ok(respond(data, hit, Duration::ZERO, 0, true));
            }
            Some(key)
        }
        _ => None,
    };

    let mut attempt: u32 = 0;
    let mut retries = crate::retry::RetryState::default();
    loop {
        if crate::cancel::is_cancelled() {
            return Err(Error::Cancelled);
        }
        attempt += 1;
        inner.limiter.before_send();
        let attempt_started = inner.clock.now();
        let result = send_once(inner, op, &url);
        let elapsed = inner.clock.now().saturating_sub(attempt_started);
        let outcome = match &result {
            Ok(ex) => {
                log::debug!(
                    "{} {} {} -> {} in {:?} (attempt {})",
                    op.name,
                    op.method,
                    path,
                    ex.status,
                    elapsed,
                    attempt
                );
                inner.limiter.after_response(ex.status, &ex.headers);
                Outcome::Status {
                    status: ex.status,
                    retry_after: retry::retry_after(&ex.headers, inner.clock.wall()),
                }
            }
            Err(e) => {
                log::debug!(
                    "{} {} {} -> error in {:?} (attempt {}): {}",
                    op.name,
                    op.method,
                    path,
                    elapsed,
                    attempt,
                    e
                );
                Outcome::Failed {
                    may_have_reached_server: e.may_have_reached_server(),
                }
            }
        };
        let retry = match crate::cancel::is_cancelled() {
            true => None, // the caller is gone: report, do not retry
            false => inner
                .limiter
                .decide(op.retry_method(), &outcome, &mut retries),
        };
        match retry {
            Some(wait) => {
                log::debug!("{} retrying in {:?}", op.name, wait);
                inner.clock.sleep(wait);
            }
            None => {
                let total = inner.clock.now().saturating_sub(started);
                return finish(inner, op, &path, result, attempt, total, cache_key);
            }
        }
    }
}

fn finish<T: DeserializeOwned>(
    inner: &Inner,
    op: &Operation,
    path: &str,
    result: Result<Exchange>,
    attempts: u32,
    elapsed: Duration,
    cache_key: Option<String>,
) -> Result<Response<T>> {
    let ex = result.map_err(|mut e| {
        e.set_attempts(attempts);
        e
    })?;
    if !(200..300).contains(&ex.status) {
        return Err(api_error(inner, &op.name, op.method, path, ex, attempts));
    }
    if let Some(cache) = &inner.cache {
        match cache_key {
            Some(key) => cache.put(key, &ex),
            None if op.method != Method::Get => cache.invalidate(&inner.base, &op.service, path),
            None => {}
        }
    }
    let data = decode::<T>(inner, op, &ex, attempts)?;
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

fn decode<T: DeserializeOwned>(
    inner: &Inner,
    op: &Operation,
    ex: &Exchange,
    attempts: u32,
) -> Result<T> {
    let body: &[u8] = if ex.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &ex.body
    };
    serde_json::from_slice(body).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            operation: op.name.to_string(),
            status: ex.status,
            body_excerpt: excerpt(&ex.body, &inner.auth_token),
            message: e.to_string(),
            attempts,
        }))
    })
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
        headers: ex.headers,
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
fn send_once(inner: &Inner, op: &Operation, url: &str) -> Result<Exchange> {
    let mut target: Uri = url
        .parse()
        .map_err(|_| Error::invalid(format!("{}: could not form a valid URL", op.name)))?;
    let mut hops = 0;
    loop {
        let with_credentials = Origin::of(&target).as_ref() == Some(&inner.origin);
        let request = build_request(inner, op, &target, with_credentials)?;
        let mut response = run(inner, &op.name, request, op.timeout)?;
        let status = response.status().as_u16();

        if matches!(status, 301 | 302 | 303 | 307 | 308)
            && matches!(op.method, Method::Get | Method::Head)
            && hops < MAX_REDIRECTS
        {
            if let Some(next) = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| resolve_location(&target, l))
            {
                hops += 1;
                log::debug!(
                    "{}: following redirect {} -> {}",
                    op.name,
                    status,
                    redact_query(&next)
                );
                target = next;
                continue;
            }
        }
        return read_body(inner, &op.name, op.method, &mut response);
    }
}

/// Sends `request` on the client's agent with its timeout; statuses are
/// returned, not raised.
fn run(
    inner: &Inner,
    name: &str,
    request: http::Request<impl ureq::AsSendBody>,
    timeout: Option<Duration>,
) -> Result<http::Response<ureq::Body>> {
    let request = inner
        .agent
        .configure_request(request)
        .timeout_global(Some(timeout.unwrap_or(inner.timeout)))
        .build();
    inner.agent.run(request).map_err(|e| classify(name, e))
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
    if let Some(len) = headers
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        if len > limit {
            return Err(too_large());
        }
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

/// One request to a storage URL iconik handed out (an upload start):
/// never with iconik's credentials or default headers, never paced or
/// retried, body capped like any answer. Non-2xx is an [`Error::Api`]
/// naming the path only (signed URLs carry secrets in their query).
pub(crate) fn send_to_storage(
    client: &Client,
    name: &str,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<Exchange> {
    let inner = &*client.inner;
    let uri: Uri = url
        .parse()
        .map_err(|_| Error::invalid(format!("{name}: the storage URL is not a valid URL")))?;
    let mut builder = http::Request::builder()
        .method(method.as_str())
        .uri(uri.clone());
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let request = builder
        .body(Vec::new())
        .map_err(|e| Error::invalid(format!("{name}: invalid storage request: {e}")))?;
    let mut response = run(inner, name, request, None)?;
    let ex = read_body(inner, name, method, &mut response)?;
    log::debug!("{name} {method} {} -> {}", redact_query(&uri), ex.status);
    if !(200..300).contains(&ex.status) {
        return Err(api_error(inner, name, method, uri.path(), ex, 1));
    }
    Ok(ex)
}

fn build_request<'a>(
    inner: &Inner,
    op: &'a Operation,
    target: &Uri,
    with_credentials: bool,
) -> Result<http::Request<&'a [u8]>> {
    let mut builder = http::Request::builder()
        .method(op.method.as_str())
        .uri(target.clone())
        .header(http::header::ACCEPT, "application/json");
    if with_credentials {
        builder = builder
            .header("App-ID", inner.app_id.as_str())
            .header("Auth-Token", inner.auth_token.as_str());
        for (k, v) in inner.default_headers.iter().chain(op.headers.iter()) {
            builder = builder.header(k.as_str(), v.as_str());
        }
    }
    // borrowed: a retried request sends the same bytes without copying them
    let body: &[u8] = match &op.body {
        Some(b) => {
            builder = builder.header(http::header::CONTENT_TYPE, op.content_type());
            b
        }
        None => &[],
    };
    builder
        .body(body)
        .map_err(|e| Error::invalid(format!("{}: invalid request: {}", op.name, e)))
}

fn resolve_location(current: &Uri, location: &str) -> Option<Uri> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.parse().ok();
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let scheme = current.scheme_str()?;
        let authority = current.authority()?.as_str();
        return format!("{scheme}://{authority}{location}").parse().ok();
    }
    None
}

fn redact_query(uri: &Uri) -> String {
    // signed URLs carry credentials in their query: log scheme, host and path only
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or(""),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    )
}

/// Maps ureq's errors to ours, deciding whether the request may have left.
pub(crate) fn classify(operation: &str, e: ureq::Error) -> Error {
    use ureq::Timeout as T;
    let never_sent = |stage| Error::Transport {
        operation: operation.to_owned(),
        stage,
        may_have_reached_server: false,
        attempts: 0,
        source: Box::new(io::Error::other(e.to_string())),
    };
    match &e {
        ureq::Error::Timeout(t) => {
            let (stage, reached) = match t {
                T::Resolve => ("resolve", false),
                T::Connect => ("connect", false),
                T::SendRequest => ("sending the request", true),
                T::SendBody => ("sending the body", true),
                T::RecvResponse => ("waiting for the response", true),
                T::RecvBody => ("reading the response body", true),
                _ => ("whole request", true),
            };
            Error::Timeout {
                operation: operation.to_owned(),
                stage,
                may_have_reached_server: reached,
                attempts: 0,
            }
        }
        ureq::Error::HostNotFound => never_sent("resolving the host"),
        ureq::Error::ConnectionFailed => never_sent("connecting"),
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
            never_sent("connecting")
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
            never_sent("the TLS handshake")
        }
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            Error::invalid(format!("{operation}: invalid request: {e}"))
        }
        _ => Error::Transport {
            operation: operation.to_owned(),
            stage: "exchanging the request",
            may_have_reached_server: true,
            attempts: 0,
            source: Box::new(e),
        },
    }
}
