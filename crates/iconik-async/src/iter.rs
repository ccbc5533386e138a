//! [`AsyncIter`]: a sync iterator (a paginator) stepped on a worker.

use iconik_sync::page::{Pages, Paginator};

use crate::Client;

/// An async view of a blocking iterator such as [`Paginator`]: each
/// `next().await` runs the iterator's `next` on a worker, so a page fetch
/// never blocks the runtime. Like the paginator, it never loads more than
/// one page ahead.
///
/// ```no_run
/// # async fn demo(client: iconik_async::Client) -> iconik_sync::Result<()> {
/// use iconik_sync::models::AssetListParams;
/// let mut assets = client.assets().list_all(&AssetListParams::default());
/// while let Some(asset) = assets.next().await {
///     println!("{:?}", asset?.title);
/// }
/// # Ok(()) }
/// ```
#[must_use = "an iterator does nothing until `next` is awaited"]
#[derive(Debug)]
pub struct AsyncIter<I> {
    client: Client,
    inner: Option<I>,
}

impl<I> AsyncIter<I>
where
    I: Iterator + Send + 'static,
    I::Item: Send + 'static,
{
    /// Wraps `iter`, to be stepped on `client`'s workers.
    pub fn new(client: Client, iter: I) -> Self {
        AsyncIter {
            client,
            inner: Some(iter),
        }
    }

    /// The next item; `None` at the end. If a call's future is dropped
    /// mid-step, the iterator stays on the worker and this one ends.
    pub async fn next(&mut self) -> Option<I::Item> {
        let mut iter = self.inner.take()?;
        match self
            .client
            .call(move |_| {
                let item = iter.next();
                (iter, item)
            })
            .await
        {
            Ok((iter, item)) => {
                if item.is_some() {
                    self.inner = Some(iter);
                }
                item
            }
            Err(_) => None,
        }
    }

    /// Collects every remaining item.
    pub async fn collect_all(mut self) -> Vec<I::Item> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item);
        }
        out
    }
}

impl<T> AsyncIter<Paginator<T>>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    /// Iterates whole pages instead of items.
    pub fn pages(self) -> AsyncIter<Pages<T>> {
        AsyncIter {
            client: self.client,
            inner: self.inner.map(Paginator::pages),
        }
    }
}
