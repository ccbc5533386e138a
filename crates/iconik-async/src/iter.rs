//! [`AsyncIter`]: a sync iterator (a paginator) stepped on a worker, usable
//! with `next().await` and as a [`Stream`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::{FusedStream, Stream};
use iconik_sync::page::{Pages, Paginator};

use crate::{Client, Result};

/// One step on a worker: the iterator comes back with the item it yielded.
type Step<I> = Pin<Box<dyn Future<Output = Result<(I, Option<<I as Iterator>::Item>)>> + Send>>;

/// An async view of a blocking iterator of [`Result`]s, such as a
/// [`Paginator`]: each step runs the iterator's `next` on a worker, so a
/// page fetch never blocks the runtime. Like the paginator, it never loads
/// more than one page ahead.
///
/// Use it with the inherent [`next`](Self::next) or as a
/// [`Stream`] (so `futures::StreamExt` and `tokio_stream::StreamExt`
/// adapters work):
///
/// ```no_run
/// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
/// let mut assets = client.assets().get_assets().per_page(100).items();
/// while let Some(asset) = assets.next().await {
///     println!("{:?}", asset?.title);
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// Every failure is an item, never a silent end: an error of the iterator
/// itself (a page that failed to load), [`Error::Closed`](crate::Error::Closed) when the client
/// was [closed](Client::close), [`Error::WorkerFailed`](crate::Error::WorkerFailed) when the
/// iterator panicked on its worker. After an error from the worker
/// machinery (closed, panic) the iterator is gone, so the next step
/// yields `None`.
///
/// # Cancellation
///
/// Dropping a `next()` future mid-step does not lose the step: it keeps
/// running on its worker and the next call to `next` (or `poll_next`)
/// picks up its result. Dropping the `AsyncIter` itself drops the step;
/// the page fetch already under way finishes on its worker, but no further
/// retry starts for it.
#[must_use = "an iterator does nothing until `next` is awaited"]
pub struct AsyncIter<I>
where
    I: Iterator,
{
    client: Client,
    state: State<I>,
}

enum State<I: Iterator> {
    /// Ready to step.
    Idle(I),
    /// A step is running on a worker.
    Running(Step<I>),
    /// Ended: the iterator returned `None`, or was lost to a worker failure.
    Done,
}

// The iterator is only ever moved (into a worker and back), never pinned in
// place, so the wrapper is `Unpin` whatever `I` is.
impl<I: Iterator> Unpin for AsyncIter<I> {}

impl<I: Iterator> fmt::Debug for AsyncIter<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Idle(_) => "idle",
            State::Running(_) => "running",
            State::Done => "done",
        };
        f.debug_struct("AsyncIter").field("state", &state).finish()
    }
}

impl<I: Iterator> AsyncIter<I> {
    /// Wraps `iter`, to be stepped on `client`'s workers.
    pub fn new(client: Client, iter: I) -> Self {
        AsyncIter {
            client,
            state: State::Idle(iter),
        }
    }
}

impl<I, T> AsyncIter<I>
where
    I: Iterator<Item = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    /// The next item; `None` at the end. Errors are items (see the type's
    /// docs): a closed client or a panicking iterator yields an `Err`, then
    /// `None`.
    pub async fn next(&mut self) -> Option<I::Item> {
        std::future::poll_fn(|cx| self.poll_step(cx)).await
    }

    /// Collects the remaining items into a `Vec`, holding at most
    /// `max_items`: the twin of the sync
    /// [`Paginator::collect_bounded`], so a server that hands out new pages
    /// forever cannot exhaust memory.
    /// [`DEFAULT_MAX_COLLECTED_ITEMS`](iconik_sync::page::DEFAULT_MAX_COLLECTED_ITEMS)
    /// is a default when nothing better is known.
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let assets = client.assets().get_assets().items();
    /// let all = assets.collect_bounded(5_000).await?;
    /// println!("{} assets", all.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first error of the walk; [`Error::BoundReached`](crate::Error::BoundReached)
    /// when more than `max_items` items arrive (the walk stops there).
    pub async fn collect_bounded(mut self, max_items: usize) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            if out.len() == max_items {
                return Err(crate::Error::BoundReached {
                    operation: "AsyncIter::collect_bounded".to_owned(),
                    bound: iconik_sync::Bound::Items,
                    limit: max_items as u64,
                });
            }
            out.push(item?);
        }
        Ok(out)
    }

    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Idle(mut iter) => {
                    let client = self.client.clone();
                    self.state = State::Running(Box::pin(async move {
                        client
                            .call(move |_| {
                                let item = iter.next();
                                (iter, item)
                            })
                            .await
                    }));
                }
                State::Running(mut step) => match step.as_mut().poll(cx) {
                    Poll::Pending => {
                        self.state = State::Running(step);
                        return Poll::Pending;
                    }
                    Poll::Ready(Ok((iter, Some(item)))) => {
                        self.state = State::Idle(iter);
                        return Poll::Ready(Some(item));
                    }
                    Poll::Ready(Ok((_, None))) => return Poll::Ready(None),
                    Poll::Ready(Err(e)) => {
                        return Poll::Ready(Some(Err(e)));
                    }
                },
            }
        }
    }
}

impl<I, T> Stream for AsyncIter<I>
where
    I: Iterator<Item = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    type Item = I::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        self.get_mut().poll_step(cx)
    }
}

impl<I, T> FusedStream for AsyncIter<I>
where
    I: Iterator<Item = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<T> AsyncIter<Paginator<T>>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    /// Iterates whole pages instead of items. Meant to be called before
    /// the first step: after items were taken, it continues with the page
    /// after theirs; while a step is in flight (a `next()` future was
    /// dropped mid-step) the in-flight step is dropped and the result is
    /// empty.
    pub fn pages(self) -> AsyncIter<Pages<T>> {
        let state = match self.state {
            State::Idle(p) => State::Idle(p.pages()),
            State::Running(_) | State::Done => State::Done,
        };
        AsyncIter {
            client: self.client,
            state,
        }
    }
}
