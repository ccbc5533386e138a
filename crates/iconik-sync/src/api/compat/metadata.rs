//! `metadata()` conveniences: views without values.
//!
//! iconik answers 404 when an object has no values in a view yet. With
//! [`ClientBuilder::metadata_view_404_as_empty`](crate::ClientBuilder::metadata_view_404_as_empty)
//! enabled, the metadata reads (`get_*_metadata` and their `_direct`
//! twins) turn that 404 into `Ok`: a [`Response`] whose `status` is still
//! 404 and whose data is an empty [`Metadata`] (`metadata_values` set to an
//! empty map). iconik's 404 does not say whether the object itself is
//! missing, so neither can the client: check `status` when that matters.

use std::time::{Duration, SystemTime};

#[allow(unused_imports)]
use crate::prelude::*;

/// A metadata read; iconik's 404 for "no values" becomes an empty result
/// when the client is configured so (see the module docs).
pub(crate) fn view_values(op: RequestBuilder) -> Result<Response<Metadata>> {
    let as_empty = op.client().inner.view_404_as_empty;
    match op.send::<Metadata>() {
        Err(Error::Api(e)) if as_empty && e.status == 404 => Ok(Response {
            data: Metadata::default().metadata_values(std::collections::BTreeMap::new()),
            status: e.status,
            headers: e.headers,
            received_at: SystemTime::now(),
            elapsed: Duration::ZERO,
            attempts: e.attempts,
            from_cache: false,
        }),
        other => other,
    }
}
