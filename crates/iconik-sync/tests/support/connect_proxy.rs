//! A loopback HTTP CONNECT proxy for tests: records each request head and
//! every byte the client sends into its tunnels, and only ever connects
//! to loopback targets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running proxy (its thread lives as long as the test process).
pub struct ConnectProxy {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// The first line of every request head, in arrival order.
    pub request_lines: Arc<Mutex<Vec<String>>>,
    /// Every byte clients sent through the tunnels.
    pub tunnelled: Arc<Mutex<Vec<u8>>>,
}

impl ConnectProxy {
    /// The request lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.request_lines.lock().unwrap().clone()
    }
}

/// Starts a proxy on a free loopback port.
pub fn start() -> ConnectProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let request_lines = Arc::new(Mutex::new(Vec::new()));
    let tunnelled = Arc::new(Mutex::new(Vec::new()));
    let (lines, bytes) = (request_lines.clone(), tunnelled.clone());
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (lines, bytes) = (lines.clone(), bytes.clone());
            std::thread::spawn(move || serve(client, &lines, bytes));
        }
    });
    ConnectProxy {
        url,
        request_lines,
        tunnelled,
    }
}

fn serve(mut client: TcpStream, lines: &Mutex<Vec<String>>, bytes: Arc<Mutex<Vec<u8>>>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    // the head, up to 8 KiB
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let line = head.lines().next().unwrap_or_default().to_owned();
    lines.lock().unwrap().push(line.clone());
    let mut parts = line.split(' ');
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    let loopback = target.starts_with("127.0.0.1:") || target.starts_with("localhost:");
    let upstream = match loopback.then(|| TcpStream::connect(target)) {
        Some(Ok(s)) => s,
        _ => {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
            return;
        }
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (mut from_client, mut to_upstream) =
        (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from_client.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to_upstream.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_upstream.shutdown(std::net::Shutdown::Write);
    });
    let (mut from_upstream, mut to_client) = (upstream, client);
    let _ = std::io::copy(&mut from_upstream, &mut to_client);
    let _ = to_client.shutdown(std::net::Shutdown::Both);
    let _ = up.join();
}
