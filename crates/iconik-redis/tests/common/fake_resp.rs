//! A scripted RESP server for what a real Redis cannot be made to do:
//! answer garbage, an answer of the wrong type, half an answer, a
//! gigantic one, nothing, or "wait" forever. Its behaviour can be
//! switched while clients are connected; while `Healthy` it grants every
//! reservation (it is not a limiter: tests on it are about degradation).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the server answers the scripts (`EVALSHA` / `EVAL`); `PING`,
/// `AUTH` and `SELECT` are always answered.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Grants every reservation (`[1, now]`); a replay answers `:0`.
    Healthy,
    /// An error reply to every script: `-{0}`.
    Error(&'static str),
    /// Bytes that are not RESP.
    Garbage,
    /// A RESP answer of another type or shape.
    Wrong(&'static str),
    /// The first bytes of an answer, then silence (`close`: then closes).
    Partial { close: bool },
    /// The healthy answer, after this long.
    Slow(Duration),
    /// The healthy answer, one byte every 100 ms.
    Trickle,
    /// A bulk or array announcing a gigantic size, then bytes without end.
    Huge { array: bool },
    /// No answer at all (PING still answered).
    Silent,
    /// "wait this many µs", forever.
    Wait(i64),
    /// The probe (a key containing "probe") is granted; every other
    /// reservation gets an error: the limiter recovers and fails again.
    FlapProbeOk,
}

/// A running fake; stops accepting when dropped.
pub struct FakeResp {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    /// Connections accepted so far, with when.
    pub connections: Arc<Mutex<Vec<Instant>>>,
    /// Script commands received so far.
    pub scripts: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FakeResp {
    pub fn start(mode: Mode) -> FakeResp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = FakeResp {
            port,
            mode: Arc::new(Mutex::new(mode)),
            connections: Arc::new(Mutex::new(Vec::new())),
            scripts: Arc::new(AtomicUsize::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (mode, conns, scripts, stop) = (
            fake.mode.clone(),
            fake.connections.clone(),
            fake.scripts.clone(),
            fake.stop.clone(),
        );
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                conns.lock().unwrap().push(Instant::now());
                let (mode, scripts, stop) = (mode.clone(), scripts.clone(), stop.clone());
                std::thread::spawn(move || serve(conn, &mode, &scripts, &stop));
            }
        });
        fake
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn connection_count(&self) -> usize {
        self.connections.lock().unwrap().len()
    }
}

impl Drop for FakeResp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One command: its arguments.
fn read_command(r: &mut BufReader<TcpStream>) -> Option<Vec<Vec<u8>>> {
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let n: usize = line.trim().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok()?;
        let len: usize = line.trim().strip_prefix('$')?.parse().ok()?;
        let mut arg = vec![0u8; len + 2];
        r.read_exact(&mut arg).ok()?;
        arg.truncate(len);
        args.push(arg);
    }
    Some(args)
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

/// The healthy answer to a script call (`args[3]` is the key, `args[4]`
/// the member: a replay's has `:r` in it).
fn healthy(args: &[Vec<u8>]) -> Vec<u8> {
    let member = args.get(4).map(|m| String::from_utf8_lossy(m).into_owned());
    if member.is_some_and(|m| m.contains(":r")) {
        b":0\r\n".to_vec()
    } else {
        format!("*2\r\n:1\r\n:{}\r\n", now_micros()).into_bytes()
    }
}

fn serve(conn: TcpStream, mode: &Mutex<Mode>, scripts: &AtomicUsize, stop: &AtomicBool) {
    let mut out = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    while let Some(args) = read_command(&mut r) {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let verb = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        let answer: Vec<u8> = match verb.as_str() {
            "PING" => b"+PONG\r\n".to_vec(),
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "EVALSHA" | "EVAL" => {
                scripts.fetch_add(1, Ordering::SeqCst);
                let key = args.get(3).map(|k| String::from_utf8_lossy(k).into_owned());
                let mode = mode.lock().unwrap().clone();
                match mode {
                    Mode::Healthy => healthy(&args),
                    Mode::Error(e) => format!("-{e}\r\n").into_bytes(),
                    Mode::Garbage => b"\x00\xffnot RESP at all\r\n".to_vec(),
                    Mode::Wrong(w) => w.as_bytes().to_vec(),
                    Mode::Partial { close } => {
                        let _ = out.write_all(b"*2\r\n:1\r\n");
                        if close {
                            return;
                        }
                        std::thread::sleep(Duration::from_secs(5));
                        return;
                    }
                    Mode::Slow(d) => {
                        std::thread::sleep(d);
                        healthy(&args)
                    }
                    Mode::Trickle => {
                        for b in healthy(&args) {
                            if out.write_all(&[b]).is_err() {
                                return;
                            }
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        continue;
                    }
                    Mode::Huge { array } => {
                        let head: &[u8] = if array {
                            b"*1000000000\r\n"
                        } else {
                            b"$1500000000\r\n"
                        };
                        let _ = out.write_all(head);
                        let block = if array {
                            b":1\r\n".repeat(16 * 1024)
                        } else {
                            vec![b'x'; 64 * 1024]
                        };
                        // until the client hangs up (or 1.5 GB)
                        for _ in 0..(1_500_000_000 / block.len()) {
                            if out.write_all(&block).is_err() || stop.load(Ordering::SeqCst) {
                                return;
                            }
                        }
                        return;
                    }
                    Mode::Silent => {
                        std::thread::sleep(Duration::from_secs(5));
                        return;
                    }
                    Mode::Wait(us) => format!("*2\r\n:0\r\n:{us}\r\n").into_bytes(),
                    Mode::FlapProbeOk => {
                        if key.is_some_and(|k| k.contains("probe")) {
                            healthy(&args)
                        } else {
                            b"-ERR the probe passes, the rest fails\r\n".to_vec()
                        }
                    }
                }
            }
            _ => b"+OK\r\n".to_vec(),
        };
        if out.write_all(&answer).is_err() {
            return;
        }
    }
}
