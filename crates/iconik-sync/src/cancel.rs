//! Cancellation of the calls made on this thread, for callers that may go
//! away (the async facade sets it when a future is dropped).
//!
//! The transport checks it before each send: once cancelled, no new send,
//! retry or pacing wait starts. An exchange already on the wire finishes.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared flag: cancelled once, cancelled for good.
///
/// ```
/// use iconik_sync::cancel::{self, CancelToken};
/// let token = CancelToken::new();
/// token.cancel();
/// assert!(cancel::scope(&token, cancel::is_cancelled));
/// assert!(!cancel::is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Cancels every call running under this token.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// True once [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Runs `f` with `token` governing every call it makes on this thread.
pub fn scope<R>(token: &CancelToken, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<CancelToken>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(token.clone()));
    let _restore = Restore(previous);
    f()
}

/// The token governing this thread's calls, to hand to threads it starts
/// (a bulk sync's workers) so they stop with it.
#[cfg(feature = "bulk")]
pub(crate) fn current() -> Option<CancelToken> {
    CURRENT.with(|c| c.borrow().clone())
}

/// True when the calls on this thread have been cancelled.
pub fn is_cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(CancelToken::is_cancelled))
}
