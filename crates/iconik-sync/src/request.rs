//! [`Request<T, C>`]: one operation, ready to send, that answers `T`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Client;
use crate::executor::Executor;
use crate::operation::{Operation, RequestBuilder};
use crate::page::{Paginator, Style};
use crate::response::Response;

/// A typed request: what a generated method returns for an operation
/// without optional parameters (those with some return their own type,
/// which wraps this one). Nothing is sent until [`send`](Self::send).
///
/// `C` is the [`Executor`]: with the blocking [`Client`] (the default)
/// `send` returns `Result<Response<T>>`; with `iconik_async::Client` a
/// future of it.
///
/// ```no_run
/// use std::time::Duration;
/// # fn main() -> iconik_sync::Result<()> {
/// let client = iconik_sync::Client::from_env()?;
/// let user = client
///     .users()
///     .get_user("7a2b0000-0000-0000-0000-000000000000")
///     .timeout(Duration::from_secs(5))
///     .send()?;
/// println!("{:?}", user.email);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct Request<T, C = Client> {
    inner: RequestBuilder<C>,
    answer: PhantomData<fn() -> T>,
}

impl<T, C: Clone> Clone for Request<T, C> {
    fn clone(&self) -> Self {
        Request {
            inner: self.inner.clone(),
            answer: PhantomData,
        }
    }
}

impl<T, C: fmt::Debug> fmt::Debug for Request<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", self.inner.operation())
            .field("answer", &std::any::type_name::<T>())
            .finish()
    }
}

impl<T, C: Executor> Request<T, C> {
    pub(crate) fn new(inner: RequestBuilder<C>) -> Self {
        Request {
            inner,
            answer: PhantomData,
        }
    }

    /// Overrides the client's whole-request timeout for this request.
    pub fn timeout(self, timeout: Duration) -> Self {
        Request::new(self.inner.timeout(timeout))
    }

    /// The operation as it will be sent.
    pub fn operation(&self) -> &Operation {
        self.inner.operation()
    }

    /// The untyped builder, to add what the spec does not declare (a
    /// query pair, a header) or to decode into a type of your own.
    pub fn into_builder(self) -> RequestBuilder<C> {
        self.inner
    }

    /// Sends the request and decodes the answer: `Result<Response<T>>`
    /// with the blocking client, a future of it with the async client.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an
    /// empty or unsafe path parameter or a body that does not serialise
    /// (nothing is sent); [`Error::Api`](crate::Error::Api) for a non-2xx
    /// answer; [`Error::Decode`](crate::Error::Decode) when the answer
    /// does not decode as `T` (the error names `T` and the field);
    /// transport and timeout errors after the retries the method allows.
    pub fn send(self) -> C::Output<Response<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.inner.send::<T>()
    }

    pub(crate) fn set_query(self, key: &str, value: String) -> Self {
        Request::new(self.inner.set_query(key, value))
    }

    pub(crate) fn set_header(self, name: &str, value: String) -> Self {
        Request::new(self.inner.set_header(name, value))
    }

    pub(crate) fn json<B: Serialize + ?Sized>(self, body: &B) -> Self {
        Request::new(self.inner.json(body))
    }

    #[cfg_attr(not(any(feature = "auth", feature = "files")), allow(dead_code))] // only auth and files operations send form or multipart bodies
    pub(crate) fn multipart<B: Serialize + ?Sized>(self, body: &B) -> Self {
        Request::new(self.inner.multipart(body))
    }

    /// Every item of a list operation, page by page (`style`).
    pub(crate) fn items<I>(self, style: Style) -> C::Iter<Paginator<I>>
    where
        I: DeserializeOwned + Send + 'static,
    {
        let (exec, op) = self.inner.into_parts();
        let request = RequestBuilder::from_op(exec.client().clone(), op);
        exec.iter(Paginator::new(request, style))
    }
}
