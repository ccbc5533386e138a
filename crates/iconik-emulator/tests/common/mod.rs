//! A minimal raw HTTP/1.1 client for the tests (std only).
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Outcome of reading one response.
#[derive(Debug)]
pub enum Got {
    Ok(Resp),
    /// Headers said `expected` body bytes, only `got` arrived before EOF.
    Truncated {
        expected: usize,
        got: usize,
    },
    /// The connection failed (reset or closed before a status line).
    Failed(std::io::ErrorKind),
}

pub fn host(base_url: &str) -> String {
    base_url.trim_start_matches("http://").to_string()
}

pub fn connect(base_url: &str) -> BufReader<TcpStream> {
    let s = TcpStream::connect(host(base_url)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_nodelay(true).unwrap();
    BufReader::new(s)
}

pub fn build(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Vec<u8> {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: emulator\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    let mut out = req.into_bytes();
    if let Some(b) = body {
        out.extend_from_slice(b);
    }
    out
}

/// Writes a request and reads one response from a (possibly reused) connection.
pub fn exchange(conn: &mut BufReader<TcpStream>, raw: &[u8], head: bool) -> Got {
    if let Err(e) = conn.get_mut().write_all(raw) {
        return Got::Failed(e.kind());
    }
    let mut line = String::new();
    match conn.read_line(&mut line) {
        Ok(0) => return Got::Failed(std::io::ErrorKind::UnexpectedEof),
        Ok(_) => {}
        Err(e) => return Got::Failed(e.kind()),
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        match conn.read_line(&mut h) {
            Ok(0) => return Got::Failed(std::io::ErrorKind::UnexpectedEof),
            Ok(_) => {}
            Err(e) => return Got::Failed(e.kind()),
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').expect("header");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let cl: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; if head { 0 } else { cl }];
    let mut got = 0;
    while got < body.len() {
        match conn.read(&mut body[got..]) {
            Ok(0) => return Got::Truncated { expected: cl, got },
            Ok(n) => got += n,
            Err(_) => return Got::Truncated { expected: cl, got },
        }
    }
    Got::Ok(Resp {
        status,
        headers,
        body,
    })
}

/// A client with the emulator's credentials; one connection per request.
pub struct Client {
    pub base: String,
    pub app_id: String,
    pub token: String,
}

impl Client {
    pub fn new(emu: &iconik_emulator::Emulator) -> Client {
        Client {
            base: emu.base_url(),
            app_id: emu.app_id().to_string(),
            token: emu.auth_token().to_string(),
        }
    }

    pub fn raw(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Got {
        let mut headers: Vec<(&str, &str)> =
            vec![("App-ID", &self.app_id), ("Auth-Token", &self.token)];
        headers.extend_from_slice(extra);
        let mut conn = connect(&self.base);
        exchange(&mut conn, &build(method, path, &headers, body), false)
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        match self.raw(method, path, &[], bytes.as_deref()) {
            Got::Ok(r) => r,
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.call("POST", path, Some(body))
    }
}

/// One request to a storage URL (absolute, on the emulator's host), without
/// iconik credentials, on a fresh connection.
pub fn send_storage(
    base: &str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Got {
    let path = url
        .strip_prefix(base)
        .expect("storage URL on the emulator's host");
    let mut conn = connect(base);
    exchange(&mut conn, &build(method, path, headers, body), false)
}

/// Like [`send_storage`], for an answer that must arrive.
pub fn storage(
    base: &str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    match send_storage(base, method, url, headers, body) {
        Got::Ok(r) => r,
        other => panic!("{method} {url}: {other:?}"),
    }
}
