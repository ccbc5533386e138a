//! What the generated async handlers ([`crate::api`]) share: one helper
//! that sends a request built by the sync handler on a worker.
//!
//! Each generated `async fn` asks the sync handler for its request (built
//! without I/O: path checked, query and body serialised) and hands it to
//! [`Client::send`]; only this helper, one instance per result type, runs
//! on the blocking pool. Compatibility aliases with a convenience run the
//! sync method itself on a worker ([`Client::run`]).

use iconik_sync::{RequestBuilder, Response, Result};
use serde::de::DeserializeOwned;

use crate::Client;

impl Client {
    /// Sends `request` on a worker and decodes the answer as `T`.
    pub(crate) async fn send<T>(&self, request: RequestBuilder) -> Result<Response<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.run(move |_| request.send::<T>()).await
    }
}
