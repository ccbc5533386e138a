//! `--timeout`: one bound for the whole command, every attempt, retry,
//! backoff wait and page included.
//!
//! The library bounds each attempt (the client's timeout); a command is
//! many of them (retries, pages, the steps of a transfer). A watchdog
//! thread ends the process when the bound expires, whatever the main
//! thread is waiting on, with exit code 3 and a message naming the last
//! attempt. An unfinished download keeps its temporary file, which the
//! next `iconik download` of the same file resumes.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::exit::Exit;
use crate::stderr;

/// Ends the process when dropped late: drop it when the command is done.
pub struct Watchdog {
    _done: Sender<()>,
}

/// Starts the watchdog for a command bounded to `limit`.
pub fn start(limit: Duration) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
            stderr::note(&expired_message(limit, stderr::last_attempt()));
            std::process::exit(Exit::Transport as i32);
        }
    });
    Watchdog { _done: tx }
}

/// What an expired `--timeout` says: the bound, how many attempts were
/// made, and what the last one met.
pub fn expired_message(limit: Duration, (attempts, last): (u32, Option<String>)) -> String {
    let mut text = format!(
        "iconik: error: timed out: the command did not finish within --timeout {} s",
        limit.as_secs()
    );
    match (attempts, last) {
        (0, _) | (_, None) => text.push_str(" (no answer yet)"),
        (n, Some(line)) => text.push_str(&format!(
            " ({n} attempt{}; last: {line})",
            if n == 1 { "" } else { "s" }
        )),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_bound_and_the_last_attempt() {
        let d = Duration::from_secs(5);
        assert_eq!(
            expired_message(d, (0, None)),
            "iconik: error: timed out: the command did not finish within --timeout 5 s (no answer yet)"
        );
        let text = expired_message(d, (3, Some("get_asset GET /v1/ -> 503".into())));
        assert!(
            text.ends_with("(3 attempts; last: get_asset GET /v1/ -> 503)"),
            "{text}"
        );
    }
}
