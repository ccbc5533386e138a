//! Requests to storages and to iconik, as the transfers use them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::client::Client;
use crate::error::Result;
use crate::operation::{Method, Operation, Payload, SharedBytes};
use crate::transport::{self, Exchange};

use super::progress::Reporter;
use super::UploadOptions;

/// What one upload shares between its steps and threads.
pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a Client,
    pub(crate) upload: &'a UploadOptions,
    pub(crate) size: u64,
    pub(crate) part_size: u64,
    pub(crate) reporter: Arc<Reporter>,
    /// Storage requests sent again.
    pub(crate) retries: AtomicU32,
    /// Requests that carried bytes.
    pub(crate) parts: AtomicU32,
    pub(crate) asset_id: String,
    /// The id of the object uploaded (a file, a proxy, a keyframe).
    pub(crate) file_id: String,
    /// What is uploaded: decides the iconik endpoints used.
    pub(crate) object: Object,
    pub(crate) upload_headers: BTreeMap<String, String>,
}

impl Ctx<'_> {
    /// A request to a storage URL with the upload headers iconik handed
    /// out (never iconik's credentials: see `Target::Storage`).
    pub(crate) fn storage(&self, method: Method, name: &'static str, url: &str) -> Operation {
        let mut op = Operation::storage(method, name, url);
        op.headers = self
            .upload_headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        op
    }

    /// Sends a storage request (with its retries); any status outside
    /// `ok` is an error naming the URL's path only.
    pub(crate) fn send(&self, op: &Operation, ok: &[u16]) -> Result<Exchange> {
        send(self.client, &self.retries, op, ok)
    }

    /// An iconik call for this upload's object, given by the file's
    /// endpoint, e.g. `/v1/assets/{asset_id}/files/{file_id}/multipart_url/`
    /// (`/proxies/{proxy_id}/` for a proxy).
    pub(crate) fn api(
        &self,
        method: Method,
        name: &'static str,
        template: &'static str,
    ) -> crate::RequestBuilder {
        let (template, name): (Cow<'static, str>, Cow<'static, str>) = match self.object {
            Object::File => (template.into(), name.into()),
            other => (
                template
                    .replace(
                        "/files/{file_id}/",
                        &format!("/{}/{{id}}/", other.segment()),
                    )
                    .into(),
                name.replace("_file_", &format!("_{}_", other.singular()))
                    .into(),
            ),
        };
        self.client
            .request(method, "files", template)
            .name(name)
            .path_param(&self.asset_id)
            .path_param(&self.file_id)
    }

    /// Refuses a step iconik has endpoints for on files only.
    pub(crate) fn files_only(&self, what: &str) -> Result<()> {
        match self.object {
            Object::File => Ok(()),
            other => Err(crate::Error::invalid(format!(
                "{what}: iconik offers this for files only, not for a {}",
                other.singular()
            ))),
        }
    }
}

/// What an upload creates in iconik.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Object {
    /// A file of a format's file set (the original).
    File,
    /// A proxy of an asset.
    Proxy,
    /// A keyframe (or poster) of an asset.
    Keyframe,
}

impl Object {
    /// The path segment of its endpoints.
    pub(crate) fn segment(self) -> &'static str {
        match self {
            Object::File => "files",
            Object::Proxy => "proxies",
            Object::Keyframe => "keyframes",
        }
    }

    /// Its name in operation names and messages.
    pub(crate) fn singular(self) -> &'static str {
        match self {
            Object::File => "file",
            Object::Proxy => "proxy",
            Object::Keyframe => "keyframe",
        }
    }
}

/// Sends a storage request, counting its retries into `retries`.
pub(crate) fn send(
    client: &Client,
    retries: &AtomicU32,
    op: &Operation,
    ok: &[u16],
) -> Result<Exchange> {
    let (ex, attempts) = transport::exchange(client, op)?;
    retries.fetch_add(attempts.saturating_sub(1), Ordering::Relaxed);
    if ok.contains(&ex.status) {
        Ok(ex)
    } else {
        Err(transport::status_error(client, op, ex, attempts))
    }
}

/// A body of the first `len` bytes of a shared part buffer.
pub(crate) fn bytes(data: SharedBytes, len: usize, content_type: Option<&str>) -> Payload {
    Payload::Bytes {
        data,
        range: 0..len,
        content_type: content_type.map(str::to_owned),
    }
}

/// Waits before the `n`th retry of a step the transfer repeats itself
/// (a GCS chunk, a download), with the client's backoff and clock.
pub(crate) fn pause(client: &Client, n: u32) {
    let inner = &client.inner;
    let wait = crate::retry::backoff(inner.limiter.config(), n, fastrand::f64());
    inner.clock.sleep(wait);
}

/// The client's `max_retries`: the bound on repeated steps.
pub(crate) fn max_retries(client: &Client) -> u32 {
    client.inner.limiter.config().max_retries
}
