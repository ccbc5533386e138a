//! `iconik-emulator` binary: runs the emulator until killed.
#![forbid(unsafe_code)]

use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig, RateLimitRule};
use std::time::Duration;

const USAGE: &str = "usage: iconik-emulator [options]
  --port N              TCP port on 127.0.0.1 (default 0 = pick a free one)
  --app-id ID           accepted App-ID (default demo)
  --auth-token TOKEN    accepted Auth-Token (default demo)
  --rate-limit L/W      rate limit rule, e.g. 50/1s, 1000/20s (repeatable;
                        default iconik's 50/1s and 1000/20s)
  --no-rate-limit       turn rate limiting off
  --no-retry-after      do not send Retry-After on 429
  --error-rate F        share of requests answered 500/502/503
  --reset-rate F        share of connections reset
  --after-apply-rate F  share applied, then answered 503 or reset
  --truncate-rate F     share of 2xx bodies truncated
  --latency-ms N        latency added to every request
  --seed N              RNG seed (ids and faults)
  --seed-data           pre-populate sample data
  --workers N           tokio worker threads (default 2)";

fn parse_args(args: &[String]) -> Result<EmulatorConfig, String> {
    let mut cfg = EmulatorConfig::new();
    let mut faults = FaultConfig::default();
    let mut rules: Option<Vec<RateLimitRule>> = None;
    let mut i = 0;
    let value = |i: usize| -> Result<&str, String> {
        args.get(i + 1)
            .map(String::as_str)
            .ok_or_else(|| format!("{} needs a value", args[i]))
    };
    let rate = |s: &str, flag: &str| -> Result<f64, String> {
        match s.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
            _ => Err(format!("{flag}: expected a number in 0..=1, got {s:?}")),
        }
    };
    while i < args.len() {
        let a = args[i].as_str();
        let mut took = 1;
        match a {
            "-h" | "--help" => return Err(String::new()),
            "--port" => {
                cfg.port = value(i)?
                    .parse()
                    .map_err(|_| "--port: bad port".to_string())?;
                took = 2;
            }
            "--app-id" => {
                cfg.app_id = value(i)?.to_string();
                took = 2;
            }
            "--auth-token" => {
                cfg.auth_token = value(i)?.to_string();
                took = 2;
            }
            "--rate-limit" => {
                let v = value(i)?;
                let r = RateLimitRule::parse(v)
                    .ok_or_else(|| format!("--rate-limit: bad rule {v:?}"))?;
                rules.get_or_insert_with(Vec::new).push(r);
                took = 2;
            }
            "--no-rate-limit" => rules = Some(Vec::new()),
            "--no-retry-after" => cfg.retry_after = false,
            "--error-rate" => {
                faults.error_rate = rate(value(i)?, a)?;
                took = 2;
            }
            "--reset-rate" => {
                faults.reset_rate = rate(value(i)?, a)?;
                took = 2;
            }
            "--after-apply-rate" => {
                faults.after_apply_rate = rate(value(i)?, a)?;
                took = 2;
            }
            "--truncate-rate" => {
                faults.truncate_rate = rate(value(i)?, a)?;
                took = 2;
            }
            "--latency-ms" => {
                let ms: u64 = value(i)?
                    .parse()
                    .map_err(|_| "--latency-ms: bad number".to_string())?;
                faults.latency = Duration::from_millis(ms);
                took = 2;
            }
            "--seed" => {
                cfg.seed = value(i)?
                    .parse()
                    .map_err(|_| "--seed: bad number".to_string())?;
                took = 2;
            }
            "--seed-data" => cfg.seed_data = true,
            "--workers" => {
                cfg.workers = value(i)?
                    .parse()
                    .map_err(|_| "--workers: bad number".to_string())?;
                took = 2;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
        i += took;
    }
    if let Some(r) = rules {
        cfg.rate_limits = r;
    }
    cfg.faults = faults;
    Ok(cfg)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return;
            }
            eprintln!("error: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let emu = match Emulator::start(cfg) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start emulator: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", emu.base_url());
    println!("App-ID: {}  Auth-Token: {}", emu.app_id(), emu.auth_token());
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_flags() {
        let c = parse_args(&args(
            "--port 8080 --app-id a --auth-token t --rate-limit 5/1s --rate-limit 100/20s --no-retry-after \
             --error-rate 0.1 --reset-rate 0.2 --truncate-rate 0.3 --latency-ms 7 --seed 3 --seed-data",
        ))
        .unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!((c.app_id.as_str(), c.auth_token.as_str()), ("a", "t"));
        assert_eq!(
            c.rate_limits,
            vec![
                RateLimitRule::new(5, Duration::from_secs(1)),
                RateLimitRule::new(100, Duration::from_secs(20))
            ]
        );
        assert!(!c.retry_after);
        assert_eq!(c.faults.error_rate, 0.1);
        assert_eq!(c.faults.reset_rate, 0.2);
        assert_eq!(c.faults.truncate_rate, 0.3);
        assert_eq!(c.faults.latency, Duration::from_millis(7));
        assert_eq!(c.seed, 3);
        assert!(c.seed_data);
        assert!(parse_args(&args("--no-rate-limit"))
            .unwrap()
            .rate_limits
            .is_empty());
        assert!(parse_args(&args("--error-rate 2")).is_err());
        assert!(parse_args(&args("--port")).is_err());
        assert!(parse_args(&args("--bogus")).is_err());
    }
}
