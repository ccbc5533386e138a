//! [`Executor`]: how a request is carried out, so that one generated
//! surface serves the blocking client and the async one.
//!
//! Every request type of this crate (the 1002 operations, the transfers,
//! raw requests) is generic over an executor `C` and ends with one verb:
//!
//! - `.send()` returns `C::Output<R>`: with the blocking [`Client`] that
//!   is `Result<R>`, at once; with `iconik_async::Client` it is a future of
//!   `Result<R>`, run on a bounded pool of blocking workers.
//! - `.items()` (list operations) returns `C::Iter<Paginator<T>>`: the
//!   lazy [`Paginator`](crate::Paginator) itself (an `Iterator`) with the
//!   blocking client, an `AsyncIter` (a `Stream`) with the async one.
//!
//! The work itself always happens in this crate's blocking code: an
//! executor only decides *where* it runs. That is the aiopythonik design
//! (a thread pool over pythonik), with one surface instead of two.

use crate::client::Client;
use crate::error::Result;

/// Carries out requests: at once on the calling thread
/// ([`Client`]), or on a pool of blocking workers (`iconik_async::Client`).
///
/// Implemented by the two clients; code that works with both is generic
/// over it:
///
/// ```no_run
/// use iconik_sync::{Executor, Response};
/// use iconik_sync::models::assets::AssetPost;
///
/// // works with iconik_sync::Client (a Result) and iconik_async::Client (a future)
/// fn fetch<C: Executor>(client: &C, id: &str) -> C::Output<Response<AssetPost>> {
///     iconik_sync::api::AssetsApi::new(client.clone()).get_asset(id).send()
/// }
/// # fn main() -> iconik_sync::Result<()> {
/// let client = iconik_sync::Client::from_env()?;
/// let asset = fetch(&client, "6f1f5b9e-0000-0000-0000-000000000000")?;
/// println!("{}", asset.title);
/// # Ok(()) }
/// ```
pub trait Executor: Clone + Send + Sync + 'static {
    /// What a call delivers for a result `Result<T>`: `Result<T>` itself
    /// (blocking), or a `Send` future of it (async).
    type Output<T: Send + 'static>;

    /// What a lazy listing becomes: the blocking iterator itself, or a
    /// stream that steps it on a worker.
    type Iter<I: Iterator + Send + 'static>;

    /// The blocking client everything runs on.
    fn client(&self) -> &Client;

    /// Runs `f` with the blocking client: at once, or on a worker.
    ///
    /// ```
    /// use iconik_sync::Executor;
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::new("app-id", "token")?;
    /// let base = client.run(|c| Ok(c.base_url().to_owned()))?;
    /// assert_eq!(base, "https://app.iconik.io");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Whatever `f` returns; an async executor adds its own (a closed
    /// client, a worker that panicked).
    fn run<R, F>(&self, f: F) -> Self::Output<R>
    where
        F: FnOnce(&Client) -> Result<R> + Send + 'static,
        R: Send + 'static;

    /// Wraps a blocking iterator (a paginator) for this executor.
    fn iter<I>(&self, iter: I) -> Self::Iter<I>
    where
        I: Iterator + Send + 'static;
}

/// The blocking client runs everything at once, on the calling thread.
impl Executor for Client {
    type Output<T: Send + 'static> = Result<T>;
    type Iter<I: Iterator + Send + 'static> = I;

    fn client(&self) -> &Client {
        self
    }

    fn run<R, F>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&Client) -> Result<R> + Send + 'static,
        R: Send + 'static,
    {
        f(self)
    }

    fn iter<I>(&self, iter: I) -> I
    where
        I: Iterator + Send + 'static,
    {
        iter
    }
}
