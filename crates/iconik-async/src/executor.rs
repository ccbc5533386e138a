//! The async [`Client`] as an [`Executor`]: every request of the shared
//! surface is carried out on a worker and awaited.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use iconik_sync::Executor;

use crate::{AsyncIter, Client, Result};

/// A call running on the client's workers: what `.send()` returns with the
/// async client. Await it for the call's `Result`.
///
/// Dropping it lets a request already on the wire finish on its worker,
/// but starts no further retry, backoff or pacing wait (see the crate
/// docs); a call still waiting for a worker is never started.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T>(Pin<Box<dyn Future<Output = Result<T>> + Send>>);

impl<T> Future for Call<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        self.0.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Call")
    }
}

/// Runs each request's blocking work on a worker (a permit of
/// `max_workers`, then `spawn_blocking`), as [`Client::call`] does.
impl Executor for Client {
    type Output<T: Send + 'static> = Call<T>;
    type Iter<I: Iterator + Send + 'static> = AsyncIter<I>;

    fn client(&self) -> &iconik_sync::Client {
        self.sync()
    }

    fn run<R, F>(&self, f: F) -> Call<R>
    where
        F: FnOnce(&iconik_sync::Client) -> Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let client = self.clone();
        Call(Box::pin(async move { client.call_flat(f).await }))
    }

    fn iter<I>(&self, iter: I) -> AsyncIter<I>
    where
        I: Iterator + Send + 'static,
    {
        AsyncIter::new(self.clone(), iter)
    }
}
