//! Measures emulator capacity: N threads of keep-alive raw-TCP GETs of one
//! asset for a few seconds, rate limiting off.
//!
//! `cargo run --release -p iconik-emulator --example load -- [threads] [seconds]`

use iconik_emulator::{Emulator, EmulatorConfig, SAMPLE_ASSET_IDS};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(4);
    let secs: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(5);
    let emu =
        Emulator::start(EmulatorConfig::new().no_rate_limit().seed_data(true)).expect("start");
    let host = emu.base_url().trim_start_matches("http://").to_string();
    let req = format!(
        "GET /API/assets/v1/assets/{}/ HTTP/1.1\r\nHost: {host}\r\nApp-ID: demo\r\nAuth-Token: demo\r\n\r\n",
        SAMPLE_ASSET_IDS[0]
    );
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (stop, done, req, host) = (stop.clone(), done.clone(), req.clone(), host.clone());
            std::thread::spawn(move || {
                let s = TcpStream::connect(&host).expect("connect");
                s.set_nodelay(true).unwrap();
                let mut w = s.try_clone().unwrap();
                let mut r = BufReader::new(s);
                let mut line = String::new();
                let mut body = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    w.write_all(req.as_bytes()).unwrap();
                    let mut cl = 0usize;
                    let mut first = true;
                    loop {
                        line.clear();
                        r.read_line(&mut line).unwrap();
                        if first {
                            assert!(line.starts_with("HTTP/1.1 200"), "{line}");
                            first = false;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                cl = v.trim().parse().unwrap();
                            }
                        }
                    }
                    body.resize(cl, 0);
                    r.read_exact(&mut body).unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    let el = started.elapsed().as_secs_f64();
    let st = emu.stats();
    println!(
        "{threads} keep-alive connections, {el:.1}s: {n} GETs, {:.0} requests/s (server counted {})",
        n as f64 / el,
        st.requests
    );
}
