//! Everything the command prints on stderr goes through here: known
//! secrets are replaced and control characters made visible
//! ([`crate::term::visible`]) before a line is written.
//!
//! The library's own log lines (one per attempt, retry and wait, on the
//! `iconik_sync` targets at DEBUG) come here too: printed with `-v`, and
//! the last attempt is kept for the message of an expired `--timeout`.
//! Other crates' logs (ureq's) are not enabled at all.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::term;

/// Secrets shorter than this are never used as redaction patterns: a
/// token of a few characters (the emulator's `demo`) matches ordinary
/// words and would mangle unrelated text.
pub const MIN_SECRET_LEN: usize = 5;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static ATTEMPTS: AtomicU32 = AtomicU32::new(0);
static LAST_ATTEMPT: Mutex<Option<String>> = Mutex::new(None);

/// Adds a value that must never be printed on stderr.
pub fn add_secret(secret: &str) {
    if secret.chars().count() < MIN_SECRET_LEN {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_owned());
    }
}

/// `text` with every known secret replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    secrets.iter().fold(text.to_owned(), |acc, s| {
        acc.replace(s.as_str(), "[redacted]")
    })
}

/// Sets how much `-v` narrates: 0 nothing, 1 attempts, 2 heads too.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// The `-v` level in effect.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// Writes `text` (one or more lines) on stderr, redacted and made safe
/// for a terminal.
pub fn note(text: &str) {
    let line = term::visible(&redact(text));
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Writes `text` only at `-v` level `level` or above.
pub fn verbose(level: u8, text: &str) {
    if verbosity() >= level {
        note(text);
    }
}

/// How many attempts the library reported, and the last one's line.
pub fn last_attempt() -> (u32, Option<String>) {
    let last = LAST_ATTEMPT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    (ATTEMPTS.load(Ordering::Relaxed), last)
}

/// Routes the library's log lines here (once per process).
pub fn install_logger() {
    static LOGGER: Logger = Logger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}

struct Logger;

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("iconik_sync") && metadata.level() <= log::Level::Debug
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        if text.contains("(attempt ") {
            ATTEMPTS.fetch_add(1, Ordering::Relaxed);
            *LAST_ATTEMPT.lock().unwrap_or_else(PoisonError::into_inner) = Some(text.clone());
        }
        // warnings (a page seen twice) are worth a line without -v
        if verbosity() >= 1 || record.level() <= log::Level::Warn {
            note(&format!("* {text}"));
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_never_patterns_and_long_ones_always_are() {
        add_secret("demo");
        add_secret("s3cret-token");
        assert_eq!(
            redact("demo: s3cret-token and s3cret-token"),
            "demo: [redacted] and [redacted]"
        );
    }
}
