//! A tiny HTTP/1.1 server on loopback for transfer tests: one thread per
//! connection, keep-alive, bodies by Content-Length or chunked, and
//! replies that can break the connection on purpose.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The raw query (without `?`), empty when none.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query value (no percent-decoding beyond %2B %2F %3D).
    pub fn q(&self, key: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == key).then(|| {
                v.replace("%2B", "+")
                    .replace("%2F", "/")
                    .replace("%3D", "=")
            })
        })
    }

    pub fn has_q(&self, key: &str) -> bool {
        self.q(key).is_some()
    }
}

/// What to answer.
pub enum Reply {
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection after the request, with no answer.
    Reset,
    /// Announce `declared` bytes (chunked when `None`), then send bytes
    /// until the client hangs up.
    Endless {
        status: u16,
        headers: Vec<(String, String)>,
        declared: Option<u64>,
    },
    /// Announce `body.len()` bytes but send only `send` of them, then close.
    Cut {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        send: usize,
    },
}

impl Reply {
    pub fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply::Http {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn with(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        Reply::Http {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }
}

/// Answers a request whose body was read.
pub type Handler = Arc<dyn Fn(&mut Request) -> Reply + Send + Sync>;
/// Seen before the body: `Some(n)` reads `n` body bytes and breaks the
/// connection.
pub type Partial = Arc<dyn Fn(&Request) -> Option<usize> + Send + Sync>;

/// The server; stops accepting when dropped.
pub struct Server {
    pub url: String,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl Server {
    /// Serves `handler` with the whole body read. When `partial` returns
    /// `Some(n)` for a request (seen before its body), only `n` bytes of
    /// the body are read and the connection is broken (a reset mid-body).
    pub fn start(handler: Handler, partial: Partial) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (handler, partial) = (handler.clone(), partial.clone());
                thread::spawn(move || {
                    let _ = serve_conn(conn, &*handler, &*partial);
                });
            }
        });
        Server {
            url: format!("http://{addr}"),
            stop,
            addr,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(100));
    }
}

fn serve_conn(
    conn: TcpStream,
    handler: &(dyn Fn(&mut Request) -> Reply + Send + Sync),
    partial: &(dyn Fn(&Request) -> Option<usize> + Send + Sync),
) -> io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut writer = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let method = parts.next().unwrap_or("").to_owned();
        let target = parts.next().unwrap_or("").to_owned();
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (target.clone(), String::new()),
        };
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let mut req = Request {
            method,
            path,
            query,
            headers,
            body: Vec::new(),
        };
        let chunked = req
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if let Some(cut) = partial(&req) {
            // read only part of the body, then break the connection
            let mut body = vec![0u8; cut.min(len)];
            reader.read_exact(&mut body)?;
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
        if chunked {
            loop {
                let mut size = String::new();
                reader.read_line(&mut size)?;
                let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                    .unwrap_or(0);
                let mut chunk = vec![0u8; n + 2];
                reader.read_exact(&mut chunk)?;
                if n == 0 {
                    break;
                }
                req.body.extend_from_slice(&chunk[..n]);
            }
        } else {
            req.body = vec![0u8; len];
            reader.read_exact(&mut req.body)?;
        }
        let head = |status: u16, headers: &[(String, String)], len: usize| {
            let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\n");
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out
        };
        match handler(&mut req) {
            Reply::Http {
                status,
                headers,
                body,
            } => {
                let body = if req.method == "HEAD" {
                    Vec::new()
                } else {
                    body
                };
                writer.write_all(head(status, &headers, body.len()).as_bytes())?;
                writer.write_all(&body)?;
                writer.flush()?;
            }
            Reply::Endless {
                status,
                headers,
                declared,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\n");
                match declared {
                    Some(n) => out.push_str(&format!("Content-Length: {n}\r\n")),
                    None => out.push_str("Transfer-Encoding: chunked\r\n"),
                }
                for (k, v) in &headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                writer.write_all(out.as_bytes())?;
                let block = vec![b'x'; 64 * 1024];
                loop {
                    if declared.is_none() {
                        writer.write_all(format!("{:x}\r\n", block.len()).as_bytes())?;
                    }
                    writer.write_all(&block)?;
                    if declared.is_none() {
                        writer.write_all(b"\r\n")?;
                    }
                }
            }
            Reply::Reset => {
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            Reply::Cut {
                status,
                headers,
                body,
                send,
            } => {
                writer.write_all(head(status, &headers, body.len()).as_bytes())?;
                writer.write_all(&body[..send.min(body.len())])?;
                writer.flush()?;
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
        }
    }
}
