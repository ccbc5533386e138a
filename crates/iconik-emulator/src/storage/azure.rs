//! Azure block blobs on a SAS URL: `PUT` with `x-ms-blob-type: BlockBlob`
//! stores a whole blob; `PUT ...&comp=block&blockid=ID` stages a block
//! (ids of one blob all the same length, at most 50,000);
//! `PUT ...&comp=blocklist` with `<BlockList><Latest>ID</Latest>...` commits.

use super::{base64, md5_hex, urls, xml_all, xml_error, Completed, FakeStorage};
use crate::server::{Request, Response};
use crate::util::Query;
use md5::{Digest, Md5};
use std::collections::HashMap;

/// Most uncommitted blocks of one blob.
const MAX_BLOCKS: usize = 50_000;

/// Staged (uncommitted) blocks of one blob.
#[derive(Default)]
pub(crate) struct Staged {
    blocks: HashMap<String, Vec<u8>>,
    headers: Vec<(String, String)>,
    requests: usize,
}

type Out = (Response, Option<Completed>);

fn created(body: &[u8]) -> Response {
    Response::empty(201)
        .header(
            "ETag",
            format!("\"0x{}\"", &md5_hex(body)[..16].to_uppercase()),
        )
        .header("Content-MD5", base64(&Md5::digest(body)))
        .header("x-ms-request-server-encrypted", "true")
}

pub(crate) fn handle(st: &mut FakeStorage, req: &Request, key: &str, q: &Query) -> Out {
    if q.get("sig") != Some(urls::signature(key).as_str()) {
        return (
            xml_error(
                403,
                "AuthenticationFailed",
                "Server failed to authenticate the request (sig).",
            ),
            None,
        );
    }
    if req.method != "PUT" {
        return (
            xml_error(
                405,
                "UnsupportedHttpVerb",
                "The resource doesn't support the verb.",
            ),
            None,
        );
    }
    match q.get("comp") {
        Some("block") => put_block(st, req, key, q),
        Some("blocklist") => commit(st, req, key),
        Some(_) => (
            xml_error(400, "InvalidQueryParameterValue", "Unsupported comp value."),
            None,
        ),
        None => {
            if !req
                .header("x-ms-blob-type")
                .is_some_and(|v| v.eq_ignore_ascii_case("BlockBlob"))
            {
                return (
                    xml_error(
                        400,
                        "MissingRequiredHeader",
                        "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.",
                    ),
                    None,
                );
            }
            let done = Completed {
                key: key.to_string(),
                bytes: req.body.clone(),
                parts: 1,
                headers: req.header_pairs(),
            };
            (created(&req.body), Some(done))
        }
    }
}

fn put_block(st: &mut FakeStorage, req: &Request, key: &str, q: &Query) -> Out {
    let Some(id) = q
        .get("blockid")
        .filter(|id| !id.is_empty() && id.len() <= 128)
    else {
        return (
            xml_error(400, "InvalidQueryParameterValue", "Invalid blockid."),
            None,
        );
    };
    let staged = st.azure.entry(key.to_string()).or_default();
    if staged
        .blocks
        .keys()
        .next()
        .is_some_and(|k| k.len() != id.len())
    {
        return (
            xml_error(
                400,
                "InvalidBlobOrBlock",
                "The specified blob or block content is invalid (block ids of one blob must have the same length).",
            ),
            None,
        );
    }
    if !staged.blocks.contains_key(id) && staged.blocks.len() >= MAX_BLOCKS {
        return (
            xml_error(
                409,
                "BlockCountExceedsLimit",
                "The uncommitted block count cannot exceed 50,000.",
            ),
            None,
        );
    }
    staged.blocks.insert(id.to_string(), req.body.clone());
    staged.headers.extend(req.header_pairs());
    staged.requests += 1;
    (
        Response::empty(201).header("Content-MD5", base64(&Md5::digest(&req.body))),
        None,
    )
}

fn commit(st: &mut FakeStorage, req: &Request, key: &str) -> Out {
    let text = String::from_utf8_lossy(&req.body);
    let Some(list) = xml_all(&text, "BlockList").first().map(|s| s.to_string()) else {
        return (
            xml_error(
                400,
                "InvalidXmlDocument",
                "XML specified is not syntactically valid.",
            ),
            None,
        );
    };
    let ids = block_ids(&list);
    let staged = st.azure.remove(key).unwrap_or_default();
    let mut bytes = Vec::new();
    for id in &ids {
        match staged.blocks.get(id) {
            Some(b) => bytes.extend_from_slice(b),
            None => {
                st.azure.insert(key.to_string(), staged);
                return (
                    xml_error(
                        400,
                        "InvalidBlockList",
                        "The specified block list is invalid.",
                    ),
                    None,
                );
            }
        }
    }
    let mut headers = staged.headers;
    headers.extend(req.header_pairs());
    let resp = created(&bytes);
    let done = Completed {
        key: key.to_string(),
        bytes,
        parts: staged.requests,
        headers,
    };
    (resp, Some(done))
}

/// The ids of `<Latest>`, `<Uncommitted>` and `<Committed>` entries, in
/// document order.
fn block_ids(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = list;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find('>') else { break };
        let tag = &rest[..j];
        rest = &rest[j + 1..];
        if matches!(tag, "Latest" | "Uncommitted" | "Committed") {
            let close = format!("</{tag}>");
            let Some(k) = rest.find(&close) else { break };
            out.push(rest[..k].trim().to_string());
            rest = &rest[k + close.len()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn block_lists_keep_document_order() {
        let ids = super::block_ids(
            "<Latest>b</Latest><Committed>a</Committed><Uncommitted>c</Uncommitted>",
        );
        assert_eq!(ids, ["b", "a", "c"]);
    }
}
