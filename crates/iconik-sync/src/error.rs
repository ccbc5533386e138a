//! The one error type, organised by the stage of a request's life.
//!
//! A request can fail before it is sent ([`Error::InvalidArgument`],
//! [`Error::Config`]), while it travels ([`Error::Transport`],
//! [`Error::Timeout`]), because iconik refused it ([`Error::Api`]), or
//! because the answer could not be understood ([`Error::Decode`],
//! [`Error::BodyTooLarge`]). Callers branch on the helpers
//! ([`Error::status`], [`Error::is_not_found`], [`Error::is_rate_limited`],
//! [`Error::is_retryable`]) rather than on message strings.

use std::fmt;
use std::time::Duration;

use crate::response::Headers;

/// Shorthand for `Result<T, iconik_sync::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with an iconik call.
///
/// `Display` is short; details (third-party causes) are behind
/// [`std::error::Error::source`]. No variant ever contains credentials.
///
/// ```
/// # fn demo(result: iconik_sync::Result<()>) {
/// match result {
///     Err(e) if e.is_not_found() => println!("no such asset"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed after {} attempt(s): {e}", e.attempts()),
///     Ok(()) => {}
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent (bad id, bad path
    /// parameter, a body that could not be serialised).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The client configuration is invalid (nothing was sent).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The connection failed or broke. `may_have_reached_server` says
    /// whether iconik may have received (and acted on) the request.
    #[error("{operation}: transport error while {stage}{}", attempts_suffix(*attempts))]
    Transport {
        /// The operation's name, e.g. `get_asset`.
        operation: String,
        /// What the client was doing: "connecting", "sending the request", ...
        stage: &'static str,
        /// False only when the request provably never left this machine.
        may_have_reached_server: bool,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The request (or one of its stages) ran out of time.
    #[error("{operation}: timed out ({stage}){}", attempts_suffix(*attempts))]
    Timeout {
        /// The operation's name.
        operation: String,
        /// The stage that timed out, e.g. "connect", "whole request".
        stage: &'static str,
        /// False when the timeout hit before the request was written.
        may_have_reached_server: bool,
        /// How many attempts were made.
        attempts: u32,
    },

    /// iconik answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The answer was 2xx but its body was not the JSON expected.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The response body is larger than the configured cap; it was not read.
    #[error("{operation}: response body exceeds the cap of {limit} bytes")]
    BodyTooLarge {
        /// The operation's name.
        operation: String,
        /// The configured cap, in bytes.
        limit: u64,
        /// How many attempts were made.
        attempts: u32,
    },

    /// A bound on a list was reached: a page held more objects than
    /// allowed, or a walk went past the pages or items it may fetch. The
    /// request was answered; nothing more of the list is fetched. Raise the
    /// bound on the [`Paginator`](crate::Paginator) (or ask for fewer items
    /// per page) if the list is really that long.
    #[error("{operation}: {bound} (bound: {limit})")]
    BoundReached {
        /// The operation's name.
        operation: String,
        /// Which bound.
        bound: Bound,
        /// The bound's value.
        limit: u64,
    },

    /// A local I/O failure (reading a file to checksum or upload).
    #[error("I/O error: {context}")]
    Io {
        /// What was being done, e.g. the path being read.
        context: String,
        /// The underlying cause.
        #[source]
        source: std::io::Error,
    },

    /// The async client was closed; the call was not started.
    #[error("the client is closed")]
    Closed,

    /// The caller went away (e.g. a dropped async future) before the
    /// request was sent; nothing was sent.
    #[error("cancelled before sending")]
    Cancelled,

    /// A worker running the call panicked or was cancelled.
    #[error("worker failed: {0}")]
    WorkerFailed(String),
}

/// Which bound of a list [`Error::BoundReached`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bound {
    /// A page held more objects than
    /// [`Paginator::max_page_objects`](crate::Paginator::max_page_objects)
    /// allows (a page decoded outside a paginator: [`crate::page::DEFAULT_MAX_PAGE_OBJECTS`]).
    PageObjects,
    /// The walk had more items than
    /// [`Paginator::max_items`](crate::Paginator::max_items) (or
    /// [`collect_bounded`](crate::Paginator::collect_bounded)) allows.
    Items,
    /// The walk needed more pages than
    /// [`Paginator::max_pages`](crate::Paginator::max_pages) allows.
    Pages,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bound::PageObjects => "a page holds more objects than allowed",
            Bound::Items => "the list has more items than allowed",
            Bound::Pages => "the list needs more pages than allowed",
        })
    }
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

/// iconik refused a request: the status, what iconik said, and when to retry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation's name, e.g. `get_asset`.
    pub operation: String,
    /// HTTP method sent.
    pub method: &'static str,
    /// The path sent (without host or query).
    pub path: String,
    /// HTTP status received.
    pub status: u16,
    /// Messages from iconik's `{"errors": ["..."]}` body.
    pub errors: Vec<String>,
    /// Per-field messages from iconik's `{"errors": {"field": "..."}}` body.
    pub field_errors: Vec<(String, String)>,
    /// The start of the body as received (at most 2 KiB, credentials redacted).
    pub body_excerpt: String,
    /// The server's `Retry-After`, when it sent a valid one.
    pub retry_after: Option<Duration>,
    /// Headers of the failed response. Values of credential headers
    /// (`Authorization`, `Auth-Token`, cookies, ...) and any value holding
    /// the client's token are replaced by `[redacted]`.
    pub headers: Headers,
    /// How many attempts were made.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        let mut messages = self
            .errors
            .iter()
            .cloned()
            .chain(self.field_errors.iter().map(|(k, v)| format!("{k}: {v}")));
        if let Some(first) = messages.next() {
            write!(f, ": {first}")?;
            for m in messages {
                write!(f, "; {m}")?;
            }
        }
        if self.attempts > 1 {
            write!(f, "{}", attempts_suffix(self.attempts))?;
        }
        Ok(())
    }
}

/// A 2xx answer whose body did not decode into the expected type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation's name.
    pub operation: String,
    /// HTTP status received.
    pub status: u16,
    /// The start of the body as received (at most 2 KiB, credentials redacted).
    pub body_excerpt: String,
    /// serde's message, with line and column (credentials redacted). For
    /// one item of a list that did not decode, it starts with the item's
    /// index, `objects[3]: ...`, and `body_excerpt` is that item's.
    pub message: String,
    /// How many attempts were made.
    pub attempts: u32,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the HTTP {} response: {}",
            self.operation, self.status, self.message
        )
    }
}

impl Error {
    /// The HTTP status, when iconik answered.
    ///
    /// ```
    /// let e = iconik_sync::Error::InvalidArgument("empty id".into());
    /// assert_eq!(e.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// True for HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for HTTP 429 (iconik's rate limit).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// True when the same request could succeed if sent again later:
    /// 429, 502, 503, 504, timeouts and transport failures. Whether the
    /// client itself resends depends on the method (see the `retry` docs).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 429 | 502 | 503 | 504),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// How many attempts were made before this error (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => *attempts,
            Error::Api(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            _ => 0,
        }
    }

    /// The server's `Retry-After`, when the error carried one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// Whether the request may have reached iconik (and so may have had an
    /// effect). False for errors raised before sending.
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Error::Transport {
                may_have_reached_server,
                ..
            }
            | Error::Timeout {
                may_have_reached_server,
                ..
            } => *may_have_reached_server,
            Error::Api(_)
            | Error::Decode(_)
            | Error::BodyTooLarge { .. }
            | Error::BoundReached { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => *attempts = n,
            Error::Api(e) => e.attempts = n,
            Error::Decode(e) => e.attempts = n,
            _ => {}
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
}

/// The largest body excerpt kept in an error.
pub(crate) const EXCERPT_LIMIT: usize = 2048;

/// A UTF-8-safe excerpt of a body, with `secret` (the auth token) redacted.
pub(crate) fn excerpt(body: &[u8], secret: &str) -> String {
    let cut = &body[..body.len().min(EXCERPT_LIMIT)];
    redact(&String::from_utf8_lossy(cut), secret)
}

/// `text` with every occurrence of `secret` replaced by `[redacted]`.
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    }
}

/// Displays `.0` with `.1` (a credential) redacted, formatting only when
/// used: for log lines, which are usually off.
pub(crate) struct Redacted<'a>(pub(crate) &'a str, pub(crate) &'a str);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1.is_empty() || !self.0.contains(self.1) {
            f.write_str(self.0)
        } else {
            f.write_str(&redact(self.0, self.1))
        }
    }
}

/// Header names whose values are credentials whatever they hold.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "auth-token",
    "x-auth-token",
    "x-api-key",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
];

/// `headers` with credential headers' values, and any value holding
/// `secret`, replaced by `[redacted]`.
pub(crate) fn redact_headers(headers: Headers, secret: &str) -> Headers {
    let dirty = headers.iter().any(|(k, v)| {
        SENSITIVE_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s))
            || (!secret.is_empty() && v.contains(secret))
    });
    if !dirty {
        return headers;
    }
    Headers::from_pairs(headers.iter().map(|(k, v)| {
        let hide = SENSITIVE_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s))
            || (!secret.is_empty() && v.contains(secret));
        (k, if hide { "[redacted]" } else { v })
    }))
}

/// What a body decoder needs to report a failure: the exchange's facts and
/// the credential to keep out of the error.
pub(crate) struct DecodeContext<'a> {
    pub(crate) operation: &'a str,
    pub(crate) status: u16,
    pub(crate) attempts: u32,
    pub(crate) secret: &'a str,
}

impl DecodeContext<'_> {
    /// A [`Error::Decode`] with `message` (serde's, or prefixed with an
    /// item's index) and an excerpt of `excerpt_of`, both redacted.
    pub(crate) fn error(&self, message: &str, excerpt_of: &[u8]) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.operation.to_owned(),
            status: self.status,
            body_excerpt: excerpt(excerpt_of, self.secret),
            message: redact(message, self.secret),
            attempts: self.attempts,
        }))
    }
}

/// iconik's error body: `{"errors": ["msg", ...]}` or `{"errors": {"field": "msg"}}`,
/// with `secret` redacted from every message.
pub(crate) fn parse_iconik_errors(
    body: &[u8],
    secret: &str,
) -> (Vec<String>, Vec<(String, String)>) {
    let mut list = Vec::new();
    let mut fields = Vec::new();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (list, fields);
    };
    let text = |v: &serde_json::Value| {
        redact(
            &match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            },
            secret,
        )
    };
    match value.get("errors") {
        Some(serde_json::Value::Array(items)) => list.extend(items.iter().map(text)),
        Some(serde_json::Value::Object(map)) => {
            fields.extend(map.iter().map(|(k, v)| (redact(k, secret), text(v))));
        }
        Some(serde_json::Value::String(s)) => list.push(redact(s, secret)),
        _ => {}
    }
    (list, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_iconik_error_shapes() {
        let (l, f) = parse_iconik_errors(br#"{"errors": ["Asset not found"]}"#, "");
        assert_eq!(l, vec!["Asset not found"]);
        assert!(f.is_empty());
        let (l, f) = parse_iconik_errors(br#"{"errors": {"title": ["required"], "x": "bad"}}"#, "");
        assert!(l.is_empty());
        assert_eq!(
            f,
            vec![
                ("title".to_string(), "required".to_string()),
                ("x".to_string(), "bad".to_string())
            ]
        );
        assert_eq!(parse_iconik_errors(b"<html>", "").0.len(), 0);
        let (l, _) = parse_iconik_errors(br#"{"errors": ["token SECRET"]}"#, "SECRET");
        assert_eq!(l, vec!["token [redacted]"]);
    }

    #[test]
    fn credential_headers_and_echoed_tokens_are_redacted() {
        let h = Headers::from_pairs([
            ("Content-Type", "application/json"),
            ("Set-Cookie", "session=abc"),
            ("X-Echo", "you sent SECRET-TOKEN here"),
            ("authorization", "Bearer xyz"),
        ]);
        let r = redact_headers(h, "SECRET-TOKEN");
        assert_eq!(r.get("content-type"), Some("application/json"));
        assert_eq!(r.get("set-cookie"), Some("[redacted]"));
        assert_eq!(r.get("x-echo"), Some("[redacted]"));
        assert_eq!(r.get("Authorization"), Some("[redacted]"));
        assert_eq!(r.len(), 4);
        assert_eq!(
            Redacted("/a/SECRET-TOKEN/b", "SECRET-TOKEN").to_string(),
            "/a/[redacted]/b"
        );
        assert_eq!(Redacted("/a/b", "").to_string(), "/a/b");
    }

    #[test]
    fn excerpt_is_bounded_and_redacted() {
        let body = format!("token=SECRET {}", "x".repeat(10_000));
        let e = excerpt(body.as_bytes(), "SECRET");
        assert!(e.len() <= EXCERPT_LIMIT + 10);
        assert!(!e.contains("SECRET"));
        // a multi-byte character cut in half does not panic
        let e = excerpt("é".repeat(2000).as_bytes(), "");
        assert!(!e.is_empty());
    }
}
