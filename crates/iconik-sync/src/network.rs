//! Proxy and TLS settings of the client, turned into ureq's configuration.
//!
//! # Proxies
//!
//! By default the client uses the proxy named by the environment, read
//! once when the client is built, the way ureq reads it: the first of
//! `ALL_PROXY`, `all_proxy`, `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY`,
//! `http_proxy` that is set and valid is used for every request, whatever
//! the request's scheme; `NO_PROXY` (or `no_proxy`: comma-separated host
//! names, `*.example.com` or `.example.com` for subdomains, `*` for all)
//! lists hosts reached directly. A SOCKS proxy from the environment is
//! ignored with a warning (this build has no SOCKS support).
//!
//! [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) names a proxy
//! explicitly (the environment is then not read, `NO_PROXY` included);
//! [`ClientBuilder::disable_proxy`](crate::ClientBuilder::disable_proxy)
//! connects directly whatever the environment says.
//!
//! Proxies are HTTP `CONNECT` tunnels (`http://` to reach the proxy in
//! clear, `https://` over TLS), for `https://` and `http://` targets
//! alike: to an `https://` API the proxy sees the host and port, never the
//! credentials. The same proxy carries transfers to storage URLs.
//!
//! # Root certificates
//!
//! TLS uses rustls with Mozilla's root certificates built in (no OpenSSL,
//! no system store). [`ClientBuilder::add_root_certificates_pem`](crate::ClientBuilder::add_root_certificates_pem)
//! trusts more CAs on top of those: a private CA in front of an iconik
//! deployment, or a TLS-inspecting corporate proxy's.

use std::fmt;
use std::sync::Arc;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::{Proxy, ProxyProtocol};

use crate::error::{Error, Result};

/// Where the proxy comes from.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxySetting {
    /// The environment, read when the client is built (the default).
    #[default]
    FromEnv,
    /// This URL.
    Url(String),
    /// None: connect directly.
    Disabled,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::FromEnv => f.write_str("FromEnv"),
            ProxySetting::Disabled => f.write_str("Disabled"),
            ProxySetting::Url(url) => f.debug_tuple("Url").field(&redact_userinfo(url)).finish(),
        }
    }
}

/// `scheme://[redacted]@host:port` for a URL with user info (the proxy's
/// password must not reach logs or `Debug`).
fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}[redacted]@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

/// The proxy ureq should use, or `None` for direct connections.
pub(crate) fn proxy(setting: &ProxySetting) -> Result<Option<Proxy>> {
    match setting {
        ProxySetting::Disabled => Ok(None),
        ProxySetting::FromEnv => Ok(Proxy::try_from_env().filter(|p| {
            let supported = !is_socks(p.protocol());
            if !supported {
                log::warn!(
                    "ignoring the SOCKS proxy in the environment: only HTTP(S) proxies are supported"
                );
            }
            supported
        })),
        ProxySetting::Url(url) => {
            let bad = |why: &str| {
                Error::Config(format!("proxy {}: {why}", redact_userinfo(url)))
            };
            if !url.contains("://") {
                return Err(bad("must start with http:// or https://"));
            }
            let proxy = Proxy::new(url).map_err(|_| bad("is not a valid proxy URL"))?;
            if is_socks(proxy.protocol()) {
                return Err(bad("SOCKS proxies are not supported; use an HTTP(S) proxy"));
            }
            Ok(Some(proxy))
        }
    }
}

fn is_socks(p: ProxyProtocol) -> bool {
    !matches!(p, ProxyProtocol::Http | ProxyProtocol::Https)
}

/// ureq's TLS configuration: its default (Mozilla's roots) when no extra
/// root is given, else Mozilla's roots plus every certificate of every
/// PEM bundle.
pub(crate) fn tls_config(extra_roots_pem: &[Vec<u8>]) -> Result<TlsConfig> {
    if extra_roots_pem.is_empty() {
        return Ok(TlsConfig::default());
    }
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()))
        .collect();
    for (i, pem) in extra_roots_pem.iter().enumerate() {
        let before = roots.len();
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => roots.push(cert),
                Ok(_) => {} // keys and other sections are not roots
                Err(_) => {
                    return Err(Error::Config(format!(
                        "root certificate bundle #{}: not valid PEM",
                        i + 1
                    )))
                }
            }
        }
        if roots.len() == before {
            return Err(Error::Config(format!(
                "root certificate bundle #{}: no CERTIFICATE in it",
                i + 1
            )));
        }
    }
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_passwords_never_reach_debug() {
        let s = ProxySetting::Url("http://user:hunter2@proxy.example:3128".into());
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("user"),
            "{shown}"
        );
        assert!(shown.contains("proxy.example:3128"), "{shown}");
        assert_eq!(redact_userinfo("http://p:1"), "http://p:1");
    }

    #[test]
    fn bad_proxies_are_config_errors_not_panics() {
        for (url, why) in [
            ("socks5://127.0.0.1:1080", "SOCKS"),
            ("proxy.example:3128", "http://"),
            ("http://user:hunter2@[::1:3128", "valid"),
        ] {
            match proxy(&ProxySetting::Url(url.into())) {
                Err(Error::Config(msg)) => {
                    assert!(msg.contains(why), "{url}: {msg}");
                    assert!(!msg.contains("hunter2"), "{msg}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        let p = proxy(&ProxySetting::Url("http://127.0.0.1:3128".into()))
            .unwrap()
            .unwrap();
        assert_eq!((p.host(), p.port()), ("127.0.0.1", 3128));
        assert!(proxy(&ProxySetting::Disabled).unwrap().is_none());
    }

    #[test]
    fn root_bundles_must_hold_certificates() {
        assert!(matches!(
            tls_config(&[b"no pem here".to_vec()]),
            Err(Error::Config(m)) if m.contains("#1")
        ));
        let default = tls_config(&[]).unwrap();
        assert!(matches!(default.root_certs(), RootCerts::WebPki));
    }

    #[test]
    fn extra_roots_come_on_top_of_mozillas() {
        let ca = include_bytes!("../tests/fixtures/tls/ca.pem").to_vec();
        let config = tls_config(&[ca.clone(), ca]).unwrap();
        let RootCerts::Specific(roots) = config.root_certs() else {
            panic!("expected specific roots");
        };
        let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS.len();
        assert!(mozilla > 100);
        assert_eq!(roots.len(), mozilla + 2);
        assert_eq!(
            roots[0].der(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].as_ref()
        );
    }
}
