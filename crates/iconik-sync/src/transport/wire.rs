//! What goes on the wire for one attempt: the request head (credentials
//! only to the API's origin), URLs as they may be logged, and ureq's
//! errors mapped to ours.

use std::io;

use ureq::http::{self, Uri};

use super::{Inner, Operation, Origin, Target};
use crate::error::{redact, Error, Result};
use crate::operation::Auth;
use crate::response::Headers;

/// True for the errors that mean no connection could be made to any of the
/// addresses the host resolved to.
pub(super) fn is_connect_failure(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::ConnectionFailed | ureq::Error::Timeout(ureq::Timeout::Connect) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::NetworkDown
                | io::ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

/// `Origin::of(uri) == Some(origin)`, without building an `Origin` (two
/// strings) for every attempt.
pub(super) fn same_origin(origin: &Origin, uri: &Uri) -> bool {
    let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
        return false;
    };
    let default_port = match scheme.eq_ignore_ascii_case("https") {
        true => 443,
        false => 80,
    };
    scheme.eq_ignore_ascii_case(&origin.scheme)
        && host.eq_ignore_ascii_case(&origin.host)
        && uri.port_u16().unwrap_or(default_port) == origin.port
}

/// The credential headers' names, parsed once (a name given as a string is
/// parsed and lowercased for every request; on the wire both are the same).
const APP_ID: http::HeaderName = http::HeaderName::from_static("app-id");
const AUTH_TOKEN: http::HeaderName = http::HeaderName::from_static("auth-token");

/// The request line and headers. iconik's credentials, the client's
/// default headers and the operation's own headers go only to API
/// operations on the base URL's origin; a storage operation carries its
/// own headers (the upload headers iconik handed out) and nothing else.
pub(super) fn request_head(inner: &Inner, op: &Operation, target: &Uri) -> http::request::Builder {
    let mut builder = http::Request::builder()
        .method(op.method.as_str())
        .uri(target.clone());
    match op.target {
        Target::Api => {
            builder = builder.header(http::header::ACCEPT, "application/json");
            if same_origin(&inner.origin, target) {
                // only the credentials the operation takes (login, SAML and
                // password-reset flows take none)
                if op.auth != Auth::None {
                    builder = builder.header(APP_ID, inner.app_id.as_str());
                }
                if op.auth == Auth::AppIdAndToken {
                    builder = builder.header(AUTH_TOKEN, inner.auth_token.as_str());
                }
                for (k, v) in inner.default_headers.iter().chain(op.headers.iter()) {
                    builder = builder.header(k.as_str(), v.as_str());
                }
            }
        }
        Target::Storage { .. } => {
            for (k, v) in &op.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
        }
    }
    builder
}

pub(super) fn build_request<'a>(
    inner: &Inner,
    op: &'a Operation,
    target: &Uri,
) -> Result<http::Request<&'a [u8]>> {
    let mut builder = request_head(inner, op, target);
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

/// The `Content-Length` a server declared, when it is a valid number
/// (ureq rejects conflicting or malformed lengths on the wire itself).
pub(crate) fn declared_length(headers: &Headers) -> Option<u64> {
    headers
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Where a `Location` header points, relative to `current`: an absolute
/// http(s) URL or an absolute path; anything else is `None`.
pub(crate) fn resolve_location(current: &Uri, location: &str) -> Option<Uri> {
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

/// A URL as it may be logged: scheme, host and path only (signed URLs
/// carry credentials in their query), with `secret` redacted anywhere in
/// it (a server may echo the token into a redirect's path).
pub(crate) fn loggable_url(uri: &Uri, secret: &str) -> String {
    redact(&redact_query(uri), secret)
}

pub(super) fn redact_query(uri: &Uri) -> String {
    // signed URLs carry credentials in their query: log scheme, host and path only
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or(""),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    )
}

/// A request body held to the `Content-Length` sent with it: a source
/// that ends early, or still has bytes when the declared length is
/// reached (a file that shrank or grew since its length was taken), fails
/// the read with [`SizeChanged`] instead of leaving ureq waiting for bytes
/// that never come (it would spin until the send timeout) or cutting the
/// body short.
pub(super) fn held_to(
    reader: Box<dyn io::Read + Send>,
    len: Option<u64>,
) -> Box<dyn io::Read + Send> {
    match len {
        Some(len) => Box::new(Exact {
            inner: reader,
            left: len,
            declared: len,
        }),
        None => reader,
    }
}

/// The marker inside the I/O error of a body whose source changed size
/// while it was sent; [`classify`] turns it into an [`Error::Io`], which
/// is never retried.
#[derive(Debug)]
pub(crate) struct SizeChanged {
    declared: u64,
    /// Bytes the source had when it ended (`None`: it had more).
    ended_at: Option<u64>,
}

impl std::fmt::Display for SizeChanged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ended_at {
            Some(n) => write!(
                f,
                "the body's source ended after {n} of the {} bytes declared",
                self.declared
            ),
            None => write!(
                f,
                "the body's source has more than the {} bytes declared",
                self.declared
            ),
        }
    }
}

impl std::error::Error for SizeChanged {}

struct Exact {
    inner: Box<dyn io::Read + Send>,
    left: u64,
    declared: u64,
}

impl Exact {
    fn changed(&self, ended_at: Option<u64>) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            SizeChanged {
                declared: self.declared,
                ended_at,
            },
        )
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

impl io::Read for Exact {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.read_inner(&mut buf[..max])?;
        if n == 0 {
            return Err(self.changed(Some(self.declared - self.left)));
        }
        self.left -= n as u64;
        if self.left == 0 {
            // the last bytes: the source must end here too, checked before
            // they go (ureq reads no further once it has the length)
            let mut probe = [0u8; 1];
            if self.read_inner(&mut probe)? > 0 {
                return Err(self.changed(None));
            }
        }
        Ok(n)
    }
}

/// Maps ureq's errors to ours, deciding whether the request may have left.
pub(crate) fn classify(operation: &str, e: ureq::Error) -> Error {
    use ureq::Timeout as T;
    let e = match e {
        ureq::Error::Io(io) if io.get_ref().is_some_and(|i| i.is::<SizeChanged>()) => {
            return Error::Io {
                context: format!(
                    "{operation}: {}",
                    io.get_ref().map_or_else(String::new, ToString::to_string)
                ),
                source: io,
            };
        }
        other => other,
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_body_is_held_to_its_declared_length() {
        let read_all = |data: &'static [u8], len: u64| {
            let mut out = Vec::new();
            held_to(Box::new(data), Some(len))
                .read_to_end(&mut out)
                .map(|_| out)
        };
        assert_eq!(read_all(b"abcd", 4).unwrap(), b"abcd");
        for (data, len) in [(&b"abc"[..], 4), (&b"abcde"[..], 4)] {
            let e = read_all(data, len).unwrap_err();
            assert!(e.get_ref().is_some_and(|i| i.is::<SizeChanged>()), "{e}");
            let ours = classify("put", ureq::Error::Io(e));
            assert!(matches!(ours, Error::Io { .. }), "{ours:?}");
        }
        assert_eq!(read_all(b"", 0).unwrap(), b"");
    }

    #[test]
    fn same_origin_agrees_with_origin_of() {
        let bases = [
            "https://app.iconik.io",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
        ];
        let targets = [
            "https://app.iconik.io/API/x/",
            "HTTPS://APP.ICONIK.IO:443/API/x/",
            "https://app.iconik.io:8443/API/x/",
            "http://app.iconik.io/API/x/",
            "https://app.iconik.io.evil.test/",
            "https://evil.test/?h=app.iconik.io",
            "http://127.0.0.1:8080/a",
            "http://127.0.0.1/a",
            "http://127.0.0.1:80/a",
            "http://localhost:8080/a",
            "http://[::1]:8080/a",
            "http://[0:0::1]:8080/a",
            "/relative/only",
        ];
        for base in bases {
            let origin = Origin::of(&base.parse().unwrap()).unwrap();
            for t in targets {
                let uri: Uri = t.parse().unwrap();
                assert_eq!(
                    same_origin(&origin, &uri),
                    Origin::of(&uri).as_ref() == Some(&origin),
                    "{base} vs {t}"
                );
            }
        }
        let origin = Origin::of(&"https://app.iconik.io".parse().unwrap()).unwrap();
        assert!(same_origin(
            &origin,
            &"HTTPS://App.Iconik.IO/x".parse().unwrap()
        ));
        assert!(!same_origin(
            &origin,
            &"https://app.iconik.io:444/".parse().unwrap()
        ));
    }
}
