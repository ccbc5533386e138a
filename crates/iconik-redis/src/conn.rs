//! A small RESP2 connection with hard bounds, for the few commands the
//! limiter sends (`AUTH`, `SELECT`, `EVALSHA`, `EVAL`).
//!
//! redis-rs reads a reply whole, whatever its announced size (a bulk of
//! 1.5 GB was buffered in 1.3 s), and its timeouts bound each read, not a
//! command: a server trickling one byte at a time is never timed out.
//! Here every command has one deadline for writing it and reading its
//! whole answer, and an answer is capped in bytes, elements and depth; a
//! server that breaks a bound gets an error and the connection is dropped.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, ConnectionInfo};

/// Most bytes of one answer. The limiter's answers are a few dozen
/// bytes; Redis's error messages a few hundred.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;
/// Most elements of one array in an answer.
const MAX_ELEMENTS: usize = 64;
/// Most nesting of arrays in an answer.
const MAX_DEPTH: usize = 4;

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `+OK`
    Status(String),
    /// `-ERR …`: Redis refused the command.
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// Why a command got no usable answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Connecting, writing or reading failed, or the deadline passed.
    Io(io::Error),
    /// The bytes are not RESP2, or break a bound.
    Protocol(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl Stream {
    fn set_timeouts(&self, t: Duration) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            #[cfg(unix)]
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// A connection to Redis: one command at a time.
pub(crate) struct Conn {
    stream: BufReader<Stream>,
    timeout: Duration,
}

impl Conn {
    /// Connects (within `connect_timeout`), then authenticates and selects
    /// the database the URL names, each command within `timeout`.
    pub(crate) fn open(
        info: &ConnectionInfo,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Result<Conn, Failure> {
        let stream = match &info.addr {
            ConnectionAddr::Tcp(host, port) => {
                let mut last = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
                let mut connected = None;
                for addr in (host.as_str(), *port).to_socket_addrs()? {
                    match TcpStream::connect_timeout(&addr, connect_timeout) {
                        Ok(s) => {
                            connected = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let s = connected.ok_or(last)?;
                s.set_nodelay(true)?;
                Stream::Tcp(s)
            }
            #[cfg(unix)]
            ConnectionAddr::Unix(path) => {
                Stream::Unix(std::os::unix::net::UnixStream::connect(path)?)
            }
            _ => {
                return Err(Failure::Protocol(
                    "only redis:// and redis+unix:// URLs are supported".into(),
                ))
            }
        };
        let mut conn = Conn {
            stream: BufReader::new(stream),
            timeout,
        };
        let redis = &info.redis;
        if let Some(password) = &redis.password {
            let mut auth: Vec<&[u8]> = vec![b"AUTH"];
            if let Some(user) = &redis.username {
                auth.push(user.as_bytes());
            }
            auth.push(password.as_bytes());
            conn.expect_ok(&auth)?;
        }
        if redis.db != 0 {
            let db = redis.db.to_string();
            conn.expect_ok(&[b"SELECT", db.as_bytes()])?;
        }
        Ok(conn)
    }

    fn expect_ok(&mut self, args: &[&[u8]]) -> Result<(), Failure> {
        match self.call(args)? {
            Reply::Status(s) if s == "OK" => Ok(()),
            Reply::Error(e) => Err(Failure::Protocol(format!(
                "{} refused: {}",
                String::from_utf8_lossy(args[0]),
                code(&e)
            ))),
            other => Err(Failure::Protocol(format!("unexpected answer {other:?}"))),
        }
    }

    /// Sends one command and reads its whole answer before the deadline
    /// (`timeout` from now). After a failure the connection must not be
    /// used again: a late answer may still arrive on it.
    pub(crate) fn call(&mut self, args: &[&[u8]]) -> Result<Reply, Failure> {
        let deadline = Instant::now() + self.timeout;
        let mut out = Vec::with_capacity(64 + args.iter().map(|a| a.len() + 16).sum::<usize>());
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.get_ref().set_timeouts(left(deadline)?)?;
        self.stream.get_mut().write_all(&out)?;
        self.stream.get_mut().flush()?;
        let mut budget = Budget {
            deadline,
            bytes: MAX_REPLY_BYTES,
        };
        read_reply(&mut self.stream, &mut budget, 0)
    }
}

/// The first word of an error reply (`READONLY`, `OOM`, `NOSCRIPT`…):
/// safe to log, unlike the rest of what a server says.
pub(crate) fn code(error: &str) -> String {
    error
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// What is left of one answer's time and size.
struct Budget {
    deadline: Instant,
    bytes: usize,
}

fn left(deadline: Instant) -> io::Result<Duration> {
    let now = Instant::now();
    if now >= deadline {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "no answer within the timeout",
        ));
    }
    Ok(deadline - now)
}

/// Waits (until the deadline) for buffered bytes; an empty buffer is the
/// end of the stream.
fn fill<'a>(r: &'a mut BufReader<Stream>, budget: &Budget) -> Result<&'a [u8], Failure> {
    if r.buffer().is_empty() {
        r.get_ref().set_timeouts(left(budget.deadline)?)?;
    }
    let buf = r.fill_buf()?;
    if buf.is_empty() {
        return Err(Failure::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "Redis closed the connection mid-answer",
        )));
    }
    Ok(buf)
}

fn take(budget: &mut Budget, n: usize) -> Result<(), Failure> {
    budget.bytes = budget
        .bytes
        .checked_sub(n)
        .ok_or_else(|| Failure::Protocol(format!("an answer over {MAX_REPLY_BYTES} bytes")))?;
    Ok(())
}

/// One line without its CRLF, within the budget.
fn read_line(r: &mut BufReader<Stream>, budget: &mut Budget) -> Result<String, Failure> {
    let mut line = Vec::new();
    loop {
        let buf = fill(r, budget)?;
        let (n, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        take(budget, n)?;
        line.extend_from_slice(&buf[..n]);
        r.consume(n);
        if done {
            break;
        }
    }
    if !line.ends_with(b"\r\n") {
        return Err(Failure::Protocol("a line not ended by CRLF".into()));
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|_| Failure::Protocol("a line that is not UTF-8".into()))
}

fn read_reply(
    r: &mut BufReader<Stream>,
    budget: &mut Budget,
    depth: usize,
) -> Result<Reply, Failure> {
    let line = read_line(r, budget)?;
    let (kind, rest) = line.split_at(line.len().min(1));
    let number = || {
        rest.parse::<i64>()
            .map_err(|_| Failure::Protocol(format!("not a number after {kind:?}")))
    };
    match kind {
        "+" => Ok(Reply::Status(rest.to_owned())),
        "-" => Ok(Reply::Error(rest.to_owned())),
        ":" => Ok(Reply::Int(number()?)),
        "$" => {
            let len = number()?;
            if len < 0 {
                return Ok(Reply::Bulk(None));
            }
            // the announced size is checked before anything is read
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            take(budget, len.saturating_add(2))?;
            let mut data = Vec::with_capacity(len + 2);
            while data.len() < len + 2 {
                let buf = fill(r, budget)?;
                let n = buf.len().min(len + 2 - data.len());
                data.extend_from_slice(&buf[..n]);
                r.consume(n);
            }
            if !data.ends_with(b"\r\n") {
                return Err(Failure::Protocol("a bulk not ended by CRLF".into()));
            }
            data.truncate(len);
            Ok(Reply::Bulk(Some(data)))
        }
        "*" => {
            let n = number()?;
            if n < 0 {
                return Ok(Reply::Array(None));
            }
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > MAX_ELEMENTS || depth >= MAX_DEPTH {
                return Err(Failure::Protocol(format!(
                    "an array of {n} elements at depth {depth}"
                )));
            }
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(read_reply(r, budget, depth + 1)?);
            }
            Ok(Reply::Array(Some(items)))
        }
        other => Err(Failure::Protocol(format!(
            "not a RESP2 answer (type {other:?})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A connection to a server that answers every command with `answer`.
    fn against(answer: &'static [u8], timeout: Duration) -> Conn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(answer);
            std::thread::sleep(Duration::from_secs(2));
        });
        let info: ConnectionInfo = format!("redis://127.0.0.1:{port}/").parse().unwrap();
        Conn::open(&info, Duration::from_secs(2), timeout).unwrap()
    }

    fn ask(answer: &'static [u8]) -> Result<Reply, Failure> {
        against(answer, Duration::from_millis(300)).call(&[b"PING"])
    }

    #[test]
    fn reads_each_kind_of_answer() {
        assert_eq!(ask(b"+PONG\r\n").unwrap(), Reply::Status("PONG".into()));
        assert_eq!(
            ask(b"-READONLY no\r\n").unwrap(),
            Reply::Error("READONLY no".into())
        );
        assert_eq!(ask(b":-7\r\n").unwrap(), Reply::Int(-7));
        assert_eq!(
            ask(b"$3\r\nabc\r\n").unwrap(),
            Reply::Bulk(Some(b"abc".to_vec()))
        );
        assert_eq!(ask(b"$-1\r\n").unwrap(), Reply::Bulk(None));
        assert_eq!(
            ask(b"*2\r\n:1\r\n:2\r\n").unwrap(),
            Reply::Array(Some(vec![Reply::Int(1), Reply::Int(2)]))
        );
        assert_eq!(code("OOM command not allowed"), "OOM");
    }

    #[test]
    fn refuses_garbage_huge_partial_and_late_answers() {
        assert!(matches!(ask(b"!!garbage\r\n"), Err(Failure::Protocol(_))));
        assert!(matches!(
            ask(b"$2000000000\r\nxx"),
            Err(Failure::Protocol(_))
        ));
        assert!(matches!(
            ask(b"*100000\r\n:1\r\n"),
            Err(Failure::Protocol(_))
        ));
        assert!(matches!(ask(b":1"), Err(Failure::Io(_))));
        let started = Instant::now();
        assert!(matches!(ask(b"*2\r\n:1\r\n"), Err(Failure::Io(_))));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
