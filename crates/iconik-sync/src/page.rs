//! [`Page<T>`] and lazy [`Paginator`]s for every pagination style iconik
//! uses: page numbers, `last_id`, `scroll_id` and `search_after`.
//!
//! A paginator fetches one page at a time, only when the previous one is
//! used up, and stops for good after yielding an error, on an empty page,
//! on a repeated cursor, and on a page identical to the one before (a
//! server that ignores the cursor).

use std::collections::VecDeque;

use md5::{Digest, Md5};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::operation::RequestBuilder;

/// One page of a list answer, with iconik's list fields.
///
/// ```
/// let page: iconik_sync::Page<serde_json::Value> = serde_json::from_str(
///     r#"{"objects": [{"id": "a"}], "page": 1, "pages": 3, "per_page": 1,
///         "total": 3, "next_url": "/API/assets/v1/assets/?page=2"}"#).unwrap();
/// assert_eq!(page.objects.len(), 1);
/// assert_eq!(page.pages, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>", serialize = "T: Serialize"))]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub objects: Vec<T>,
    /// This page's number (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Number of pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Items per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Total number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Path of the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_url: Option<String>,
    /// Path of the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_url: Option<String>,
    /// Path of the next page (relative to the host); `None` on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
    /// Path of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_url: Option<String>,
    /// Scroll cursor, for lists fetched with `scroll=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scroll_id: Option<String>,
    /// Fields this type does not model (facets, ...), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            objects: Vec::new(),
            page: None,
            pages: None,
            per_page: None,
            total: None,
            first_url: None,
            last_url: None,
            next_url: None,
            prev_url: None,
            scroll_id: None,
            extra: Map::new(),
        }
    }
}

/// How a list moves from one page to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// `page=N` in the query, from the starting page (default 1).
    PageNumber,
    /// `last_id=<id of the last item>` in the query (files-service lists).
    LastId,
    /// `scroll=true`, then `scroll_id=<cursor>` from each answer.
    Scroll,
    /// `search_after=<sort values of the last item>`: in the JSON body when
    /// the request has one (search), else in the query (jobs).
    SearchAfter,
}

/// A lazy iterator over every item of a list, fetching one page at a time.
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// use iconik_sync::models::AssetListParams;
/// for asset in client.assets().list_all(&AssetListParams::default().per_page(100u32)) {
///     let asset = asset?;
///     println!("{:?}", asset.title);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a paginator does nothing until iterated"]
#[derive(Debug)]
pub struct Paginator<T> {
    request: RequestBuilder,
    style: Style,
    next_page: u32,
    cursor: Option<String>,
    seen_cursors: Vec<String>,
    last_fingerprint: Option<[u8; 16]>,
    buffer: VecDeque<T>,
    done: bool,
    started: bool,
}

impl<T: DeserializeOwned> Paginator<T> {
    /// A paginator that sends `request` with the cursor of `style` added.
    pub fn new(request: RequestBuilder, style: Style) -> Self {
        let next_page = request
            .operation()
            .query()
            .iter()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        Paginator {
            request,
            style,
            next_page,
            cursor: None,
            seen_cursors: Vec::new(),
            last_fingerprint: None,
            buffer: VecDeque::new(),
            done: false,
            started: false,
        }
    }

    /// Iterates whole pages instead of items.
    pub fn pages(self) -> Pages<T> {
        Pages { inner: self }
    }

    /// Fetches the next page; `Ok(None)` when the list is finished.
    fn fetch_page(&mut self) -> Result<Option<Page<T>>> {
        if self.done {
            return Ok(None);
        }
        let first = !self.started;
        self.started = true;
        let request = match self.prepare(first) {
            Ok(r) => r,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        let raw: Page<Value> = match request.send::<Page<Value>>() {
            Ok(r) => r.into_data(),
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        if raw.objects.is_empty() {
            self.done = true;
            return Ok(None);
        }
        let fingerprint = fingerprint(&raw.objects);
        if self.last_fingerprint == Some(fingerprint) {
            log::warn!("pagination: the server returned the same page twice; stopping");
            self.done = true;
            return Ok(None);
        }
        self.last_fingerprint = Some(fingerprint);
        self.advance(&raw);
        let objects = raw
            .objects
            .iter()
            .map(|v| T::deserialize(v))
            .collect::<std::result::Result<Vec<T>, _>>()
            .map_err(|e| {
                self.done = true;
                Error::Decode(Box::new(crate::error::DecodeError {
                    operation: self.request.operation().name().to_owned(),
                    status: 200,
                    body_excerpt: String::new(),
                    message: e.to_string(),
                    attempts: 1,
                }))
            })?;
        Ok(Some(Page {
            objects,
            page: raw.page,
            pages: raw.pages,
            per_page: raw.per_page,
            total: raw.total,
            first_url: raw.first_url,
            last_url: raw.last_url,
            next_url: raw.next_url,
            prev_url: raw.prev_url,
            scroll_id: raw.scroll_id,
            extra: raw.extra,
        }))
    }

    /// The request for the next page.
    fn prepare(&self, first: bool) -> Result<RequestBuilder> {
        let mut request = self.request.clone();
        match self.style {
            Style::PageNumber => {
                request = without_query(request, "page").query("page", self.next_page);
            }
            Style::LastId => {
                if let Some(c) = &self.cursor {
                    request = without_query(request, "last_id").query("last_id", c);
                }
            }
            Style::Scroll => {
                if first {
                    request = without_query(request, "scroll").query("scroll", "true");
                } else if let Some(c) = &self.cursor {
                    request = without_query(without_query(request, "scroll"), "scroll_id")
                        .query("scroll", "true")
                        .query("scroll_id", c);
                }
            }
            Style::SearchAfter => {
                if let Some(c) = &self.cursor {
                    if let Some(body) = request.operation().body() {
                        let mut body: Value = serde_json::from_slice(body)
                            .map_err(|e| Error::invalid(format!("search body: {e}")))?;
                        let after: Value = serde_json::from_str(c)
                            .map_err(|e| Error::invalid(format!("search_after: {e}")))?;
                        if let Value::Object(map) = &mut body {
                            map.insert("search_after".into(), after);
                        }
                        request = request.json(&body);
                    } else {
                        request = without_query(request, "search_after").query("search_after", c);
                    }
                }
            }
        }
        Ok(request)
    }

    /// Moves the cursor past `page`; marks the end when there is no next.
    fn advance(&mut self, page: &Page<Value>) {
        let next = match self.style {
            Style::PageNumber => {
                let current = page.page.unwrap_or(self.next_page);
                let more = match page.pages {
                    Some(pages) => current < pages,
                    None => page.next_url.is_some(),
                };
                self.next_page = current + 1;
                if !more {
                    self.done = true;
                }
                return;
            }
            Style::LastId => page
                .next_url
                .as_deref()
                .and_then(|u| query_value(u, "last_id"))
                .or_else(|| {
                    page.next_url
                        .as_ref()
                        .and_then(|_| page.objects.last()?.get("id")?.as_str().map(str::to_owned))
                }),
            Style::Scroll => page.scroll_id.clone(),
            Style::SearchAfter => page
                .extra
                .get("search_after")
                .filter(|v| !v.is_null())
                .or_else(|| page.objects.last().and_then(|o| o.get("sort")))
                .map(Value::to_string),
        };
        match next {
            None => self.done = true,
            Some(c) => {
                // scroll ids may legitimately stay the same between pages;
                // a repeated page is caught by the fingerprint instead
                if self.style != Style::Scroll && self.seen_cursors.contains(&c) {
                    log::warn!("pagination: repeated cursor {c:?}; stopping");
                    self.done = true;
                    return;
                }
                if self.style != Style::Scroll {
                    self.seen_cursors.push(c.clone());
                }
                self.cursor = Some(c);
            }
        }
    }
}

impl<T: DeserializeOwned> Iterator for Paginator<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.fetch_page() {
                Ok(Some(page)) => self.buffer.extend(page.objects),
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Pages of a [`Paginator`], from [`Paginator::pages`].
#[must_use = "a paginator does nothing until iterated"]
#[derive(Debug)]
pub struct Pages<T> {
    inner: Paginator<T>,
}

impl<T: DeserializeOwned> Iterator for Pages<T> {
    type Item = Result<Page<T>>;
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.fetch_page().transpose()
    }
}

fn without_query(request: RequestBuilder, key: &str) -> RequestBuilder {
    let (client, mut op) = request.into_parts();
    op.query.retain(|(k, _)| k != key);
    RequestBuilder::new(client, op)
}

/// The decoded value of `key` in `url`'s query.
pub(crate) fn query_value(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(v: &str) -> String {
    let plus_as_space = v.replace('+', " ");
    String::from_utf8_lossy(&crate::path::decode_once(plus_as_space.as_bytes()).0).into_owned()
}

fn fingerprint(objects: &[Value]) -> [u8; 16] {
    let mut h = Md5::new();
    for o in objects {
        h.update(o.to_string().as_bytes());
        h.update(b"\n");
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("/API/files/v1/x/?per_page=2&last_id=a%2Fb", "last_id").as_deref(),
            Some("a/b")
        );
        assert_eq!(query_value("/x/?a=1", "last_id"), None);
        assert_eq!(query_value("/x/", "last_id"), None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn later_scroll_pages_send_one_scroll_key() {
        let client = crate::Client::new("a", "t").unwrap();
        let request = client
            .request(crate::Method::Get, "assets", "/v1/assets/")
            .query("scroll", "false")
            .query("scroll_id", "stale");
        let mut p: Paginator<Value> = Paginator::new(request, Style::Scroll);
        p.cursor = Some("c1".into());
        let next = p.prepare(false).unwrap();
        let query = next.operation().query();
        let count = |key: &str| query.iter().filter(|(k, _)| k == key).count();
        assert_eq!((count("scroll"), count("scroll_id")), (1, 1));
        assert!(query.contains(&("scroll_id".to_string(), "c1".to_string())));
    }

    #[test]
    fn page_keeps_unknown_fields() {
        let json = r#"{"objects":[1,2],"page":1,"facets":{"a":1}}"#;
        let p: Page<u32> = serde_json::from_str(json).unwrap();
        assert_eq!(p.extra["facets"]["a"], 1);
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back["facets"]["a"], 1);
    }
}
