//! Proxies and root certificates, on the wire: an explicit proxy carries
//! the request (its CONNECT line recorded by a loopback proxy); extra root
//! certificates make a server signed by a private CA trusted, and their
//! absence makes it an error; through a proxy to an `https://` API, the
//! proxy sees the host and port but never the token.
//!
//! The certificates in `fixtures/tls` were made once with openssl: a P-256
//! CA (`ca.pem`, valid to 2126) and a server certificate for `localhost`
//! and `127.0.0.1` signed by it (`server.pem`, `server.key`).

#[path = "support/connect_proxy.rs"]
mod connect_proxy;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iconik_sync::{Client, Error};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("fixtures/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("fixtures/tls/server.key");
const TOKEN: &str = "proxy-test-token-SECRET";

fn builder(base_url: &str) -> iconik_sync::ClientBuilder {
    Client::builder()
        .app_id("app")
        .auth_token(TOKEN)
        .base_url(base_url)
        .disable_rate_limit_handling()
        .timeout(Duration::from_secs(10))
}

/// An HTTPS server on loopback with the fixture certificate: answers each
/// connection's one request with an asset; counts completed requests.
struct TlsServer {
    port: u16,
    served: Arc<AtomicUsize>,
}

fn tls_server() -> TlsServer {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(SERVER_CERT)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, count) = (config.clone(), count.clone());
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return, // e.g. the client refused our certificate
                    }
                }
                let body = br#"{"id": "a1", "title": "Over TLS"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes());
                let _ = tls.write_all(body);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
                count.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    TlsServer { port, served }
}

#[test]
fn an_explicit_proxy_carries_the_request() {
    let proxy = connect_proxy::start();
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .match_header("Auth-Token", TOKEN)
        .with_body(r#"{"id": "a1", "title": "Via proxy"}"#)
        .expect(1)
        .create();
    let client = builder(&server.url()).proxy(&proxy.url).build().unwrap();
    let asset = client.assets().get_asset("a1").send().unwrap();
    assert_eq!(asset.title, "Via proxy");
    let host = server.host_with_port();
    assert_eq!(proxy.lines(), [format!("CONNECT {host} HTTP/1.1")]);
    mock.assert();
}

#[test]
fn a_proxy_that_is_down_is_a_transport_error_not_a_hang() {
    // a port nobody listens on
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = builder("http://127.0.0.1:9")
        .proxy(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    match client.assets().get_asset("a1").send() {
        Err(Error::Transport { .. }) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn extra_root_certificates_make_a_private_ca_trusted() {
    let server = tls_server();
    let url = format!("https://127.0.0.1:{}", server.port);

    // Mozilla's roots alone: the private CA is unknown, so nothing is sent
    let plain = builder(&url).build().unwrap();
    match plain.assets().get_asset("a1").send() {
        Err(Error::Transport { .. }) => {}
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    assert_eq!(server.served.load(Ordering::SeqCst), 0);

    let trusting = builder(&url).add_root_certificates_pem(CA).build().unwrap();
    let asset = trusting.assets().get_asset("a1").send().unwrap();
    assert_eq!(asset.title, "Over TLS");
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
}

#[test]
fn through_a_proxy_to_https_the_proxy_never_sees_the_token() {
    let server = tls_server();
    let proxy = connect_proxy::start();
    let client = builder(&format!("https://127.0.0.1:{}", server.port))
        .add_root_certificates_pem(CA)
        .proxy(&proxy.url)
        .build()
        .unwrap();
    let asset = client.assets().get_asset("a1").send().unwrap();
    assert_eq!(asset.title, "Over TLS");
    assert_eq!(
        proxy.lines(),
        [format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port)]
    );
    let tunnelled = proxy.tunnelled.lock().unwrap().clone();
    assert!(!tunnelled.is_empty());
    assert!(
        !tunnelled
            .windows(TOKEN.len())
            .any(|w| w == TOKEN.as_bytes()),
        "the token crossed the proxy in clear"
    );
}

#[test]
fn a_bundle_without_certificates_is_a_config_error() {
    match builder("https://app.iconik.io")
        .add_root_certificates_pem(b"not a certificate")
        .build()
    {
        Err(Error::Config(msg)) => assert!(msg.contains("no CERTIFICATE"), "{msg}"),
        other => panic!("{other:?}"),
    }
}
