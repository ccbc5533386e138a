//! A scripted hostile HTTP server on loopback, for what mockito cannot
//! send: any bytes as a response (bombs, lying headers, endless cursors).
//!
//! Each request is read in full (head and `Content-Length` body) and
//! handed to the script with its index; the script's [`Reply`] is written
//! as is. Reads time out after 5 s, so a test never hangs on it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const APP_ID: &str = "hostile-app-id";
pub const TOKEN: &str = "SENTINEL-TOKEN-5b1e0d";

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// The whole head, lower-cased.
    pub head: String,
    pub body: Vec<u8>,
}

impl Request {
    /// The decoded value of `key` in the query.
    pub fn query(&self, key: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == key).then(|| v.to_owned())
        })
    }
}

/// What the server does with one request.
pub enum Reply {
    /// Writes these bytes, then keeps the connection for the next request.
    Bytes(Vec<u8>),
    /// Writes these bytes, then closes the connection.
    BytesThenClose(Vec<u8>),
    /// Writes these shared bytes (a large prepared answer), keeps the
    /// connection.
    Shared(Arc<Vec<u8>>),
    /// Closes without answering (a reset after the request arrived).
    Close,
}

pub struct Hostile {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Hostile {
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
    pub fn request(&self, i: usize) -> Request {
        self.requests.lock().unwrap()[i].clone()
    }
}

type Script = dyn Fn(usize, &Request) -> Reply + Send + Sync;

/// Serves `script` on a loopback port until the test process ends.
pub fn serve(script: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    let script: Arc<Script> = Arc::new(script);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (log, script) = (log.clone(), script.clone());
            std::thread::spawn(move || connection(stream, &log, &*script));
        }
    });
    Hostile { url, requests }
}

fn connection(mut stream: TcpStream, log: &Mutex<Vec<Request>>, script: &Script) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    while let Some(request) = read_request(&mut stream) {
        let index = {
            let mut log = log.lock().unwrap();
            log.push(request.clone());
            log.len() - 1
        };
        match script(index, &request) {
            Reply::Bytes(b) => {
                if stream.write_all(&b).is_err() {
                    return;
                }
            }
            Reply::Shared(b) => {
                if stream.write_all(&b).is_err() {
                    return;
                }
            }
            Reply::BytesThenClose(b) => {
                let _ = stream.write_all(&b);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::Close => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let lower = head.to_ascii_lowercase();
            let len = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let mut first = head.lines().next()?.split(' ');
            return Some(Request {
                method: first.next()?.to_owned(),
                target: first.next()?.to_owned(),
                head: lower,
                body: buf[end + 4..end + 4 + len].to_vec(),
            });
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A complete HTTP/1.1 response with a correct `Content-Length`.
pub fn http(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A 200 JSON answer.
pub fn json(body: &serde_json::Value) -> Reply {
    Reply::Bytes(http(
        200,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    ))
}

/// A client for `url` with retries and pacing off.
pub fn client(url: &str) -> iconik_sync::Client {
    builder(url).disable_rate_limit_handling().build().unwrap()
}

pub fn builder(url: &str) -> iconik_sync::ClientBuilder {
    iconik_sync::Client::builder()
        .app_id(APP_ID)
        .auth_token(TOKEN)
        .base_url(url)
        .timeout(Duration::from_secs(10))
}

/// Resets the peak-RSS mark to the current RSS (Linux `clear_refs` 5) and
/// returns the RSS it was reset to.
pub fn reset_peak_rss() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS mark");
    rss()
}

/// Peak resident memory of this process so far (`VmHWM`), in bytes.
pub fn peak_rss() -> u64 {
    status_kib("VmHWM:") * 1024
}

/// Resident memory now (`VmRSS`), in bytes.
pub fn rss() -> u64 {
    status_kib("VmRSS:") * 1024
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has the field")
}
