//! [`Page<T>`] and lazy [`Paginator`]s for every pagination style iconik
//! uses: page numbers, `last_id`, `scroll_id` and `search_after`.
//!
//! A paginator fetches one page at a time, only when the previous one is
//! used up, and stops for good after yielding an error, on an empty page,
//! and when a page makes no progress: a page number that does not
//! advance, a cursor seen before, a page identical to one seen before (a
//! server that ignores the cursor).
//!
//! Each page is decoded once, straight into [`Page<T>`], and may hold at
//! most [`Paginator::max_page_objects`] objects. A walk may be bounded in
//! pages ([`Paginator::max_pages`]) and items ([`Paginator::max_items`]);
//! code that collects a list into memory uses
//! [`Paginator::collect_bounded`]. Reaching a bound is an
//! [`Error::BoundReached`], never a silent truncation.

pub(crate) mod decode;

use std::collections::{HashSet, VecDeque};

use md5::{Digest, Md5};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Bound, Error, Result};
use crate::operation::RequestBuilder;

/// Objects a page may hold by default: far above any `per_page` iconik
/// serves, far below what would exhaust memory.
pub const DEFAULT_MAX_PAGE_OBJECTS: usize = 10_000;

/// A bound for code that collects a whole list into memory, for
/// [`Paginator::collect_bounded`] when nothing better is known.
pub const DEFAULT_MAX_COLLECTED_ITEMS: usize = 10_000;

/// One page of a list answer, with iconik's list fields.
///
/// ```
/// let page: iconik_sync::Page<serde_json::Value> = serde_json::from_str(
///     r#"{"objects": [{"id": "a"}], "page": 1, "pages": 3, "per_page": 1,
///         "total": 3, "next_url": "/API/assets/v1/assets/?page=2"}"#).unwrap();
/// assert_eq!(page.objects.len(), 1);
/// assert_eq!(page.pages, Some(3));
/// ```
///
/// Deserialising reads the envelope in one pass (no intermediate tree)
/// and refuses more than [`DEFAULT_MAX_PAGE_OBJECTS`] objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound(serialize = "T: Serialize"))]
pub struct Page<T> {
    /// The items.
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
/// for asset in client.assets().get_assets().per_page(100).items() {
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
    /// The last page number a page-number walk was answered with.
    last_page: Option<u32>,
    cursor: Option<String>,
    seen_cursors: SeenLog,
    seen_pages: SeenLog,
    buffer: VecDeque<T>,
    done: bool,
    started: bool,
    max_page_objects: usize,
    max_pages: Option<usize>,
    max_items: Option<usize>,
    pages_fetched: usize,
    items_fetched: usize,
}

impl<T: DeserializeOwned> Paginator<T> {
    /// A paginator that sends `request` with the cursor of `style` added.
    ///
    /// ```no_run
    /// use iconik_sync::{page::Style, Method, Paginator};
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let request = client.request(Method::Get, "assets", "/v1/assets/").query("per_page", 100);
    /// let assets: Vec<serde_json::Value> = Paginator::new(request, Style::PageNumber)
    ///     .collect_bounded(10_000)?;
    /// # Ok(()) }
    /// ```
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
            last_page: None,
            cursor: None,
            seen_cursors: SeenLog::default(),
            seen_pages: SeenLog::default(),
            buffer: VecDeque::new(),
            done: false,
            started: false,
            max_page_objects: DEFAULT_MAX_PAGE_OBJECTS,
            max_pages: None,
            max_items: None,
            pages_fetched: 0,
            items_fetched: 0,
        }
    }

    /// The most objects one page may hold (default
    /// [`DEFAULT_MAX_PAGE_OBJECTS`]); a page with more ends the walk with
    /// [`Error::BoundReached`] ([`Bound::PageObjects`]) before they are
    /// kept, so a hostile page cannot turn a few megabytes into gigabytes.
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let walk = client
    ///     .assets()
    ///     .get_assets()
    ///     .per_page(500)
    ///     .items()
    ///     .max_page_objects(1_000) // iconik sends at most per_page
    ///     .max_pages(200)
    ///     .max_items(100_000);
    /// for asset in walk {
    ///     println!("{:?}", asset?.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn max_page_objects(mut self, max: usize) -> Self {
        self.max_page_objects = max;
        self
    }

    /// The most pages the walk fetches (default: no bound). When another
    /// page would be needed, the walk ends with [`Error::BoundReached`]
    /// ([`Bound::Pages`]) instead of sending it.
    pub fn max_pages(mut self, max: usize) -> Self {
        self.max_pages = Some(max);
        self
    }

    /// The most items the walk may hold (default: no bound). A page that
    /// would take the walk past it ends the walk with
    /// [`Error::BoundReached`] ([`Bound::Items`]) instead of its items.
    pub fn max_items(mut self, max: usize) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Collects every item into a `Vec`, holding at most `max_items` (see
    /// [`max_items`](Self::max_items)): what a helper that gathers a whole
    /// list must use, so a server that hands out new pages forever cannot
    /// exhaust memory. [`DEFAULT_MAX_COLLECTED_ITEMS`] is a default when
    /// nothing better is known.
    ///
    /// ```no_run
    /// use iconik_sync::{page::Style, Method, Paginator};
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let request = client.request(Method::Get, "files", "/v1/files/checksum/{checksum}/")
    ///     .path_param("d41d8cd98f00b204e9800998ecf8427e");
    /// let files: Vec<serde_json::Value> = Paginator::new(request, Style::LastId)
    ///     .collect_bounded(1_000)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first error of the walk; [`Error::BoundReached`] when the list
    /// holds more than `max_items` items (or needs more pages than
    /// [`max_pages`](Self::max_pages)).
    pub fn collect_bounded(self, max_items: usize) -> Result<Vec<T>> {
        self.max_items(max_items).collect()
    }

    /// Iterates whole pages instead of items.
    pub fn pages(self) -> Pages<T> {
        Pages { inner: self }
    }

    fn bound(&mut self, bound: Bound, limit: usize) -> Error {
        self.done = true;
        self.buffer.clear();
        Error::BoundReached {
            operation: self.request.operation().name().to_owned(),
            bound,
            limit: limit as u64,
        }
    }

    /// Fetches the next page; `Ok(None)` when the list is finished.
    fn fetch_page(&mut self) -> Result<Option<Page<T>>> {
        if self.done {
            return Ok(None);
        }
        if let Some(max) = self.max_pages.filter(|&m| self.pages_fetched >= m) {
            return Err(self.bound(Bound::Pages, max));
        }
        let first = !self.started;
        self.started = true;
        self.pages_fetched = self.pages_fetched.saturating_add(1);
        let max_objects = self.max_page_objects;
        let sent = self.prepare(first).and_then(|request| {
            crate::transport::execute_with(request.client(), request.operation(), |body, ctx| {
                decode::decode_page::<T>(body, ctx, max_objects)
            })
        });
        let decoded = match sent {
            Ok(response) => response.into_data(),
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        if decoded.page.objects.is_empty() {
            self.done = true;
            return Ok(None);
        }
        if self.style == Style::PageNumber && !self.page_number_advanced(&decoded.page) {
            self.done = true;
            return Ok(None);
        }
        if !self.seen_pages.insert(decoded.fingerprint) {
            log::warn!("pagination: the server returned a page seen before; stopping");
            self.done = true;
            return Ok(None);
        }
        let count = decoded.page.objects.len();
        if let Some(max) = self
            .max_items
            .filter(|&m| self.items_fetched.saturating_add(count) > m)
        {
            return Err(self.bound(Bound::Items, max));
        }
        self.items_fetched += count;
        self.advance(&decoded);
        Ok(Some(decoded.page))
    }

    /// The no-progress guard of page numbers: the answer must be the page
    /// asked for (or a later one), never one already seen.
    fn page_number_advanced(&self, page: &Page<T>) -> bool {
        let asked = self.next_page;
        let answered = page.page.unwrap_or(asked);
        let advanced = answered >= asked && self.last_page.is_none_or(|last| answered > last);
        if !advanced {
            log::warn!(
                "pagination: asked for page {asked}, the server answered page {answered}; stopping"
            );
        }
        advanced
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

    /// Moves the cursor past `decoded`; marks the end when there is no next.
    fn advance(&mut self, decoded: &decode::DecodedPage<T>) {
        let page = &decoded.page;
        let next = match self.style {
            Style::PageNumber => {
                let current = page.page.unwrap_or(self.next_page);
                self.last_page = Some(current);
                let more = match page.pages {
                    Some(pages) => current < pages,
                    None => page.next_url.is_some(),
                };
                match current.checked_add(1) {
                    Some(next) if more => self.next_page = next,
                    _ => self.done = true,
                }
                return;
            }
            Style::LastId => page
                .next_url
                .as_ref()
                .and_then(|url| query_value(url, "last_id").or_else(|| decoded.last_id.clone())),
            Style::Scroll => page.scroll_id.clone(),
            Style::SearchAfter => page
                .extra
                .get("search_after")
                .filter(|v| !v.is_null())
                .map(Value::to_string)
                .or_else(|| decoded.last_sort.clone()),
        };
        match next {
            None => self.done = true,
            Some(c) => {
                // scroll ids may legitimately stay the same between pages;
                // a repeated page is caught by the page fingerprint instead
                if self.style != Style::Scroll && !self.seen_cursors.insert(md5_of(c.as_bytes())) {
                    log::warn!(
                        "pagination: the server repeated a cursor ({} bytes); stopping",
                        c.len()
                    );
                    self.done = true;
                    return;
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

/// Fingerprints a walk has seen, in bounded memory: the last
/// [`SeenLog::RECENT`] exactly, and a checkpoint moved at powers of two
/// (Brent's cycle check) that catches a longer cycle within twice its
/// length. A 60 KB cursor costs 16 bytes here.
struct SeenLog {
    recent: VecDeque<[u8; 16]>,
    set: HashSet<[u8; 16]>,
    checkpoint: Option<[u8; 16]>,
    power: u64,
    steps: u64,
}

impl Default for SeenLog {
    fn default() -> Self {
        SeenLog {
            recent: VecDeque::new(),
            set: HashSet::new(),
            checkpoint: None,
            power: 1,
            steps: 0,
        }
    }
}

impl std::fmt::Debug for SeenLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenLog")
            .field("recent", &self.recent.len())
            .finish_non_exhaustive()
    }
}

impl SeenLog {
    const RECENT: usize = 4096;

    /// Records `fp`; false when it was seen before.
    fn insert(&mut self, fp: [u8; 16]) -> bool {
        if self.checkpoint == Some(fp) || !self.set.insert(fp) {
            return false;
        }
        self.recent.push_back(fp);
        if self.recent.len() > Self::RECENT {
            if let Some(old) = self.recent.pop_front() {
                self.set.remove(&old);
            }
        }
        self.steps += 1;
        if self.steps >= self.power {
            self.checkpoint = Some(fp);
            self.power = self.power.saturating_mul(2);
            self.steps = 0;
        }
        true
    }
}

fn md5_of(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

fn without_query(request: RequestBuilder, key: &str) -> RequestBuilder {
    let (client, mut op) = request.into_parts();
    op.query.retain(|(k, _)| k != key);
    RequestBuilder::from_op(client, op)
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
    fn the_seen_log_is_bounded_and_catches_long_cycles() {
        let mut log = SeenLog::default();
        let fp = |i: u64| md5_of(&i.to_le_bytes());
        for i in 0..100_000 {
            assert!(log.insert(fp(i)), "{i} is new");
        }
        assert!(log.set.len() <= SeenLog::RECENT && log.recent.len() <= SeenLog::RECENT);
        assert!(!log.insert(fp(99_999)), "a recent repeat");
        // a cycle far longer than the recent window is still caught
        let mut log = SeenLog::default();
        let cycle = 10_000u64;
        let caught = (0..10 * cycle).position(|i| !log.insert(fp(i % cycle)));
        assert!(
            caught.is_some_and(|at| at < 4 * cycle as usize),
            "{caught:?}"
        );
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
