//! A raw TCP server for what mockito cannot do: truncated bodies, resets,
//! servers that never answer, chunked bodies without a length.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the raw server does with each request it reads.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// Answers `Content-Length: 100` and sends 10 bytes, then closes.
    Truncate,
    /// Reads the request, then closes without answering.
    CloseAfterRead,
    /// Reads the request and never answers (holds the socket open).
    Hang,
    /// Sends a chunked 200 body of this many bytes.
    ChunkedBytes(usize),
}

pub struct RawServer {
    pub url: String,
    pub requests: Arc<AtomicUsize>,
}

/// Serves `behaviour` on every connection, counting requests read.
pub fn raw_server(behaviour: Behaviour) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || serve(stream, behaviour, &counter));
        }
    });
    RawServer { url, requests }
}

fn read_request(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            return true;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, counter: &AtomicUsize) {
    while read_request(&mut stream) {
        counter.fetch_add(1, Ordering::SeqCst);
        match behaviour {
            Behaviour::Truncate => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"title\":",
                );
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Behaviour::CloseAfterRead => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Behaviour::Hang => {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            Behaviour::ChunkedBytes(n) => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                );
                let body = format!("\"{}\"", "x".repeat(n.saturating_sub(2)));
                for piece in body.as_bytes().chunks(8192) {
                    let _ = write!(stream, "{:x}\r\n", piece.len());
                    let _ = stream.write_all(piece);
                    let _ = stream.write_all(b"\r\n");
                }
                let _ = stream.write_all(b"0\r\n\r\n");
            }
        }
    }
}
