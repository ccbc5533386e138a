//! Counts the limiter's `WARN` lines per thread: a switch to local pacing
//! is logged on the thread whose call noticed it, so tests running in
//! parallel each count their own.

use std::collections::HashMap;
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

struct Capture(Mutex<HashMap<ThreadId, usize>>);

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("iconik_redis")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) && record.level() == log::Level::Warn {
            *self
                .0
                .lock()
                .unwrap()
                .entry(std::thread::current().id())
                .or_default() += 1;
        }
    }

    fn flush(&self) {}
}

static CAPTURE: std::sync::LazyLock<Capture> =
    std::sync::LazyLock::new(|| Capture(Mutex::new(HashMap::new())));
static INSTALL: Once = Once::new();

/// `WARN`s from `iconik_redis` logged on this thread so far.
pub fn warns_here() -> usize {
    INSTALL.call_once(|| {
        log::set_logger(&*CAPTURE).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Warn);
    });
    CAPTURE
        .0
        .lock()
        .unwrap()
        .get(&std::thread::current().id())
        .copied()
        .unwrap_or(0)
}
