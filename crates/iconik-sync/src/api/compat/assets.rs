//! `assets()` conveniences: bulk delete, then purge of the same ids.

#[allow(unused_imports)]
use crate::prelude::*;

/// `bulk_delete`: the bulk delete, then (optionally) the purge of the same
/// ids. The purge path is checked before anything is sent.
pub(crate) fn bulk_delete_with_purge(
    op: RequestBuilder,
    body: &BulkDelete,
    permanently_delete: bool,
) -> Result<Response<serde_json::Value>> {
    let purge_path = if permanently_delete {
        match body.object_type {
            BulkDeleteObjectType::Assets => Some("/v1/delete_queue/assets/purge/"),
            BulkDeleteObjectType::Collections => Some("/v1/delete_queue/collections/purge/"),
            ref other => {
                return Err(Error::InvalidArgument(format!(
                    "bulk_delete: objects of type {other:?} cannot be purged"
                )))
            }
        }
    } else {
        None
    };
    let client = op.client().clone();
    let answer = op.json(body).send()?;
    if let Some(path) = purge_path {
        client
            .request(Method::Post, "assets", path)
            .name("bulk_delete")
            .json(&serde_json::json!({ "ids": body.object_ids }))
            .send::<()>()?;
    }
    Ok(answer)
}
