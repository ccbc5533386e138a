//! Error handling: branch on what went wrong with `is_not_found()`,
//! `is_rate_limited()`, `retry_after()`, `may_have_reached_server()` and
//! the error's variant.
//!
//! ```sh
//! cargo run --example errors
//! ```
//!
//! It starts the emulator with a tight rate limit (5 requests per second)
//! so that a 429 is sure to happen; it needs no credentials and never
//! talks to a real iconik (bursting a real account to show a 429 would be
//! rude).

use std::time::Duration;

use iconik_emulator::{Emulator, EmulatorConfig, RateLimitRule, SAMPLE_ASSET_IDS};
use iconik_sync::{Client, Error};

/// Which branches the run went through.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// A missing asset was a 404 (`is_not_found`).
    pub not_found: bool,
    /// A bad id was refused before sending (`InvalidArgument`).
    pub refused_before_sending: bool,
    /// 429s met by the client without retries (`is_rate_limited`).
    pub rate_limited: usize,
    /// Waiting as long as the 429 said, then asking again, succeeded.
    pub retried_after_waiting: bool,
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .seed_data(true)
            .rate_limits(vec![RateLimitRule::new(5, Duration::from_secs(1))]),
    )?;
    let seen = run(&emulator)?;
    println!("{seen:?}");
    Ok(())
}

/// Provokes each kind of error on `emulator` and handles it.
pub fn run(emulator: &Emulator) -> iconik_sync::Result<Seen> {
    // Every answer as it comes: no pacing, no retries, so that the errors
    // below reach this code. The default client paces itself under
    // iconik's limits and waits out a 429 by itself (see `RateLimitConfig`).
    let raw = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .disable_rate_limit_handling()
        .build()?;
    let mut seen = Seen::default();
    let mut wait = None;

    // 1. a 404 is an `Err`, never an empty success
    match raw
        .assets()
        .get_asset("00000000-0000-4000-8000-000000000404")
        .send()
    {
        Err(e) if e.is_not_found() => {
            println!("no such asset ({e})");
            seen.not_found = true;
        }
        Err(e) => return Err(e),
        Ok(asset) => println!("unexpectedly found {:?}", asset.title),
    }

    // 2. an id that cannot be a path segment (empty, `.`, `..`, control
    // characters) is refused before anything is sent; anything else is
    // percent-encoded
    match raw.assets().get_asset("..").send() {
        Err(Error::InvalidArgument(why)) => {
            println!("refused before sending: {why}");
            seen.refused_before_sending = true;
        }
        Err(e) => return Err(e),
        Ok(_) => println!("unexpectedly sent"),
    }

    // 3. a burst over the limit, with retries off: some answers are 429
    for _ in 0..10 {
        match raw.assets().get_asset(SAMPLE_ASSET_IDS[0]).send() {
            Ok(_) => {}
            Err(e) if e.is_rate_limited() => {
                seen.rate_limited += 1;
                wait = e.retry_after();
                println!("rate limited; iconik says retry after {wait:?}");
            }
            Err(e) if e.is_retryable() => println!("worth retrying later: {e}"),
            Err(e) => {
                // a failed POST or PATCH that may have arrived must not
                // simply be sent again: check first
                println!(
                    "failed (may have reached iconik: {})",
                    e.may_have_reached_server()
                );
                return Err(e);
            }
        }
    }

    // 4. wait as long as iconik asked (bounded: never trust a server's
    // number blindly), then the same request goes through
    if let Some(wait) = wait {
        std::thread::sleep(wait.min(Duration::from_secs(5)));
        let asset = raw.assets().get_asset(SAMPLE_ASSET_IDS[0]).send()?;
        println!("after waiting {wait:?}: {:?}", asset.title);
        seen.retried_after_waiting = true;
    }
    Ok(seen)
}
