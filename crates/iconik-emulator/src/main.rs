//! `iconik-emulator` binary: runs the emulator until killed.
#![forbid(unsafe_code)]

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use iconik_emulator::{Emulator, EmulatorConfig, FaultConfig, RateLimitRule};
use std::path::PathBuf;
use std::time::Duration;

fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("expected a number in 0..=1, got {s:?}")),
    }
}

fn rule(s: &str) -> Result<RateLimitRule, String> {
    RateLimitRule::parse(s).ok_or_else(|| format!("bad rule {s:?} (expected e.g. 50/1s)"))
}

fn command() -> Command {
    let rate = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("F")
            .value_parser(share)
            .help(help)
    };
    Command::new("iconik-emulator")
        .about("A local in-memory iconik API: every operation of the spec, validated, with state")
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .value_parser(value_parser!(u16))
                .default_value("0")
                .help("TCP port on 127.0.0.1 (0 picks a free one)"),
        )
        .arg(
            Arg::new("app-id")
                .long("app-id")
                .value_name("ID")
                .default_value("demo")
                .help("accepted App-ID"),
        )
        .arg(
            Arg::new("auth-token")
                .long("auth-token")
                .value_name("TOKEN")
                .default_value("demo")
                .help("accepted Auth-Token"),
        )
        .arg(
            Arg::new("rate-limit")
                .long("rate-limit")
                .value_name("L/W")
                .value_parser(rule)
                .action(ArgAction::Append)
                .help("rate limit rule, e.g. 50/1s or 1000/20s (repeatable; default iconik's 50/1s and 1000/20s)"),
        )
        .arg(
            Arg::new("no-rate-limit")
                .long("no-rate-limit")
                .action(ArgAction::SetTrue)
                .conflicts_with("rate-limit")
                .help("turn rate limiting off"),
        )
        .arg(
            Arg::new("no-retry-after")
                .long("no-retry-after")
                .action(ArgAction::SetTrue)
                .help("do not send Retry-After on 429"),
        )
        .arg(rate("error-rate", "share of requests answered 500/502/503"))
        .arg(rate("reset-rate", "share of connections reset"))
        .arg(rate("after-apply-rate", "share applied, then answered 503 or reset"))
        .arg(rate("truncate-rate", "share of 2xx bodies truncated"))
        .arg(
            Arg::new("latency-ms")
                .long("latency-ms")
                .value_name("N")
                .value_parser(value_parser!(u64))
                .help("latency added to every request"),
        )
        .arg(
            Arg::new("seed")
                .long("seed")
                .value_name("N")
                .value_parser(value_parser!(u64))
                .default_value("0")
                .help("RNG seed (ids and faults)"),
        )
        .arg(
            Arg::new("seed-data")
                .long("seed-data")
                .action(ArgAction::SetTrue)
                .help("pre-populate three sample assets with files (on s3-files), a collection, a view and two fields"),
        )
        .arg(
            Arg::new("workers")
                .long("workers")
                .value_name("N")
                .value_parser(value_parser!(usize))
                .default_value("2")
                .help("tokio worker threads"),
        )
        .arg(
            Arg::new("log-requests")
                .long("log-requests")
                .action(ArgAction::SetTrue)
                .help("print one line per request to stderr: method, path, status, ms, operation"),
        )
        .arg(
            Arg::new("record")
                .long("record")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help("append every request to FILE as NDJSON (credentials redacted)"),
        )
}

fn config(m: &ArgMatches) -> EmulatorConfig {
    let mut cfg = EmulatorConfig::new();
    if let Some(p) = m.get_one::<u16>("port") {
        cfg.port = *p;
    }
    if let Some(v) = m.get_one::<String>("app-id") {
        cfg.app_id = v.clone();
    }
    if let Some(v) = m.get_one::<String>("auth-token") {
        cfg.auth_token = v.clone();
    }
    if let Some(rules) = m.get_many::<RateLimitRule>("rate-limit") {
        cfg.rate_limits = rules.copied().collect();
    }
    if m.get_flag("no-rate-limit") {
        cfg.rate_limits.clear();
    }
    cfg.retry_after = !m.get_flag("no-retry-after");
    let mut faults = FaultConfig::default();
    let get = |name: &str| m.get_one::<f64>(name).copied().unwrap_or(0.0);
    faults.error_rate = get("error-rate");
    faults.reset_rate = get("reset-rate");
    faults.after_apply_rate = get("after-apply-rate");
    faults.truncate_rate = get("truncate-rate");
    if let Some(ms) = m.get_one::<u64>("latency-ms") {
        faults.latency = Duration::from_millis(*ms);
    }
    cfg.faults = faults;
    if let Some(s) = m.get_one::<u64>("seed") {
        cfg.seed = *s;
    }
    cfg.seed_data = m.get_flag("seed-data");
    if let Some(w) = m.get_one::<usize>("workers") {
        cfg.workers = *w;
    }
    cfg.log_requests = m.get_flag("log-requests");
    cfg.record = m.get_one::<PathBuf>("record").cloned();
    cfg
}

fn main() {
    let cfg = config(&command().get_matches());
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

    fn parse(s: &str) -> Result<EmulatorConfig, clap::Error> {
        let args = std::iter::once("iconik-emulator").chain(s.split_whitespace());
        command().try_get_matches_from(args).map(|m| config(&m))
    }

    #[test]
    fn parses_flags() {
        let c = parse(
            "--port 8080 --app-id a --auth-token t --rate-limit 5/1s --rate-limit 100/20s --no-retry-after \
             --error-rate 0.1 --reset-rate 0.2 --truncate-rate 0.3 --latency-ms 7 --seed 3 --seed-data \
             --log-requests --record /tmp/x.ndjson",
        )
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
        assert!(c.log_requests);
        assert_eq!(c.record, Some(PathBuf::from("/tmp/x.ndjson")));
        let d = parse("").unwrap();
        assert_eq!(d.rate_limits, RateLimitRule::iconik_defaults());
        assert!(d.retry_after && !d.log_requests && d.record.is_none());
        assert!(parse("--no-rate-limit").unwrap().rate_limits.is_empty());
        assert!(parse("--error-rate 2").is_err());
        assert!(parse("--port").is_err());
        assert!(parse("--bogus").is_err());
        assert!(parse("--rate-limit 5/1x").is_err());
    }

    #[test]
    fn help_lists_every_flag() {
        let help = command().render_long_help().to_string();
        for flag in [
            "--port",
            "--app-id",
            "--auth-token",
            "--rate-limit",
            "--no-rate-limit",
            "--no-retry-after",
            "--error-rate",
            "--reset-rate",
            "--after-apply-rate",
            "--truncate-rate",
            "--latency-ms",
            "--seed",
            "--seed-data",
            "--workers",
            "--log-requests",
            "--record",
        ] {
            assert!(help.contains(flag), "{flag} missing from --help");
        }
        command().debug_assert();
    }
}
