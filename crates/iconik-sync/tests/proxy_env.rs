//! What the docs say about proxy environment variables, checked against a
//! loopback proxy: `HTTPS_PROXY` and `HTTP_PROXY` are honoured (for an
//! `http://` API too), `NO_PROXY` exempts hosts, an explicit `proxy(..)`
//! ignores both, `disable_proxy()` ignores the environment, and a SOCKS
//! proxy in the environment is ignored rather than a panic.
//!
//! One test, alone in its binary: environment variables are per process.

#[allow(dead_code)] // not every test reads every field
#[path = "support/connect_proxy.rs"]
mod connect_proxy;

use iconik_sync::{Client, ClientBuilder};

const VARS: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn set_only(vars: &[(&str, &str)]) {
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
}

#[test]
fn proxy_environment_variables() {
    let proxy = connect_proxy::start();
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_body(r#"{"id": "a1", "title": "t"}"#)
        .expect(7)
        .create();
    let connect = format!("CONNECT {} HTTP/1.1", server.host_with_port());
    let builder = || -> ClientBuilder {
        Client::builder()
            .app_id("app")
            .auth_token("token")
            .base_url(server.url())
            .disable_rate_limit_handling()
    };
    // builds a client now (the environment is read at build), sends one
    // request, and says whether it went through the proxy
    let via_proxy = |b: ClientBuilder| -> bool {
        let before = proxy.lines().len();
        b.build().unwrap().assets().get_asset("a1").send().unwrap();
        let lines = proxy.lines();
        assert!(lines[before..].iter().all(|l| *l == connect), "{lines:?}");
        lines.len() > before
    };

    set_only(&[("HTTPS_PROXY", &proxy.url)]);
    assert!(via_proxy(builder()), "HTTPS_PROXY, even for an http:// API");

    set_only(&[("http_proxy", &proxy.url)]);
    assert!(via_proxy(builder()), "http_proxy");

    set_only(&[
        ("HTTPS_PROXY", &proxy.url),
        ("NO_PROXY", "localhost,127.0.0.1"),
    ]);
    assert!(!via_proxy(builder()), "NO_PROXY exempts the host");

    set_only(&[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "*")]);
    assert!(
        via_proxy(builder().proxy(&proxy.url)),
        "an explicit proxy ignores NO_PROXY"
    );

    set_only(&[("HTTPS_PROXY", &proxy.url)]);
    assert!(
        !via_proxy(builder().disable_proxy()),
        "disable_proxy ignores the environment"
    );

    set_only(&[("ALL_PROXY", "socks5://127.0.0.1:1")]);
    assert!(
        !via_proxy(builder()),
        "a SOCKS proxy in the environment is ignored"
    );

    set_only(&[]);
    assert!(!via_proxy(builder()), "no variable, no proxy");
    mock.assert();
}
