//! Decoding a page straight into [`Page<T>`]: one pass over the envelope,
//! each item decoded once, the number of objects bounded.
//!
//! serde's `#[serde(flatten)]` would buffer the whole page into an
//! intermediate tree first (a million `{}` then cost gigabytes), so the
//! envelope is read by hand: known fields by name, unknown ones into
//! `extra`, `objects` through a seed that counts.
//!
//! The paginator's path ([`decode_page`]) also needs each item's bytes: to
//! fingerprint the page (a server that ignores the cursor sends the same
//! page again), to read the last item's `id` or `sort` for the next
//! cursor, and to report which item failed. It reads each item as a
//! borrowed raw slice of the body (no copy, no tree) and decodes `T` from
//! that slice.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use md5::{Digest, Md5};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{Page, DEFAULT_MAX_PAGE_OBJECTS};
use crate::error::{Bound, DecodeContext, Error, Result, EXCERPT_LIMIT};

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    /// Reads iconik's list envelope; at most
    /// [`DEFAULT_MAX_PAGE_OBJECTS`] objects (a paginator's bound is
    /// configurable: [`Paginator::max_page_objects`](super::Paginator::max_page_objects)).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_map(PageVisitor {
            objects: Some(TypedObjects::<T> {
                max: DEFAULT_MAX_PAGE_OBJECTS,
                _t: PhantomData,
            }),
            _t: PhantomData,
        })
    }
}

/// The envelope: known fields by name, `objects` through the seed `S`
/// (taken once: a repeated `objects` key is an error), the rest in `extra`.
struct PageVisitor<S, T> {
    objects: Option<S>,
    _t: PhantomData<T>,
}

impl<'de, S, T> Visitor<'de> for PageVisitor<S, T>
where
    S: DeserializeSeed<'de, Value = Vec<T>>,
{
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list page (a JSON object with `objects`)")
    }

    fn visit_map<A: MapAccess<'de>>(
        mut self,
        mut map: A,
    ) -> std::result::Result<Page<T>, A::Error> {
        let mut page = Page::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "objects" => {
                    let seed = self
                        .objects
                        .take()
                        .ok_or_else(|| de::Error::duplicate_field("objects"))?;
                    page.objects = map.next_value_seed(seed)?;
                }
                "page" => page.page = map.next_value()?,
                "pages" => page.pages = map.next_value()?,
                "per_page" => page.per_page = map.next_value()?,
                "total" => page.total = map.next_value()?,
                "first_url" => page.first_url = map.next_value()?,
                "last_url" => page.last_url = map.next_value()?,
                "next_url" => page.next_url = map.next_value()?,
                "prev_url" => page.prev_url = map.next_value()?,
                "scroll_id" => page.scroll_id = map.next_value()?,
                _ => {
                    let value: Value = map.next_value()?;
                    page.extra.insert(key, value);
                }
            }
        }
        Ok(page)
    }
}

fn too_many<E: de::Error>(max: usize) -> E {
    E::custom(format_args!("a page holds more than {max} objects"))
}

/// `objects` decoded item by item into `T`, at most `max` of them.
struct TypedObjects<T> {
    max: usize,
    _t: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for TypedObjects<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for TypedObjects<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max).min(1024));
        while let Some(item) = seq.next_element()? {
            if out.len() >= self.max {
                return Err(too_many(self.max));
            }
            out.push(item);
        }
        Ok(out)
    }
}

/// A page as the paginator needs it.
pub(crate) struct DecodedPage<T> {
    pub(crate) page: Page<T>,
    /// MD5 over the items' bytes: equal for the same page sent twice.
    pub(crate) fingerprint: [u8; 16],
    /// The last item's `id`, when it is a string.
    pub(crate) last_id: Option<String>,
    /// The last item's `sort`, as JSON text.
    pub(crate) last_sort: Option<String>,
}

/// What the raw seed saw, read back after serde returns.
#[derive(Default)]
struct Trace {
    fingerprint: Md5,
    last_id: Option<String>,
    last_sort: Option<String>,
    failure: Option<Failure>,
}

enum Failure {
    TooMany,
    Item {
        index: usize,
        message: String,
        excerpt: Vec<u8>,
    },
}

/// `objects` read item by item as raw slices of the body, each
/// fingerprinted and decoded into `T` once.
struct RawObjects<'a, T> {
    max: usize,
    trace: &'a RefCell<Trace>,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for RawObjects<'_, T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

/// The fields of the last item that make the next cursor.
#[derive(Deserialize)]
struct Tail {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    sort: Option<Value>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for RawObjects<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max).min(1024));
        let mut trace = self.trace.borrow_mut();
        let mut last: Option<&'de RawValue> = None;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            if out.len() >= self.max {
                trace.failure = Some(Failure::TooMany);
                return Err(too_many(self.max));
            }
            let text = raw.get();
            trace.fingerprint.update(text.as_bytes());
            trace.fingerprint.update(b"\n");
            match serde_json::from_str::<T>(text) {
                Ok(item) => out.push(item),
                Err(e) => {
                    let index = out.len();
                    let message = e.to_string();
                    let error = de::Error::custom(format_args!("objects[{index}]: {message}"));
                    trace.failure = Some(Failure::Item {
                        index,
                        message,
                        excerpt: text.as_bytes()[..text.len().min(EXCERPT_LIMIT)].to_vec(),
                    });
                    return Err(error);
                }
            }
            last = Some(raw);
        }
        if let Some(Ok(tail)) = last.map(|raw| serde_json::from_str::<Tail>(raw.get())) {
            trace.last_id = tail.id.and_then(|v| v.as_str().map(str::to_owned));
            trace.last_sort = tail.sort.filter(|v| !v.is_null()).map(|v| v.to_string());
        }
        Ok(out)
    }
}

/// Decodes one page of a paginator: the envelope once, each item once from
/// its own bytes, at most `max_objects` of them.
///
/// # Errors
/// [`Error::BoundReached`] ([`Bound::PageObjects`]) for too many objects;
/// [`Error::Decode`] for a body that is not a page or an item that is not
/// a `T` (then the message starts `objects[<index>]:` and the excerpt is
/// the item's).
pub(crate) fn decode_page<T: DeserializeOwned>(
    body: &[u8],
    ctx: &DecodeContext<'_>,
    max_objects: usize,
) -> Result<DecodedPage<T>> {
    let trace = RefCell::new(Trace::default());
    let seed = PageVisitor {
        objects: Some(RawObjects::<T> {
            max: max_objects,
            trace: &trace,
            _t: PhantomData,
        }),
        _t: PhantomData,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = de
        .deserialize_map(seed)
        .and_then(|page| de.end().map(|()| page));
    let trace = trace.into_inner();
    match result {
        Ok(page) => Ok(DecodedPage {
            page,
            fingerprint: trace.fingerprint.finalize().into(),
            last_id: trace.last_id,
            last_sort: trace.last_sort,
        }),
        Err(e) => Err(match trace.failure {
            Some(Failure::TooMany) => Error::BoundReached {
                operation: ctx.operation.to_owned(),
                bound: Bound::PageObjects,
                limit: max_objects as u64,
            },
            Some(Failure::Item {
                index,
                message,
                excerpt,
            }) => ctx.error(&format!("objects[{index}]: {message}"), &excerpt),
            None => ctx.error(&e.to_string(), body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> DecodeContext<'static> {
        DecodeContext {
            operation: "op",
            status: 206,
            attempts: 3,
            secret: "SECRET",
        }
    }

    #[test]
    fn envelope_fields_objects_and_extras_in_one_pass() {
        let body = br#"{"objects":[{"id":"a","sort":[1]},{"id":"b","sort":[2,"x"]}],
            "page":2,"pages":3,"per_page":2,"total":6,"next_url":"/n","scroll_id":"s",
            "facets":{"k":1}}"#;
        let d = decode_page::<Value>(body, &ctx(), 10).unwrap();
        assert_eq!(d.page.objects.len(), 2);
        assert_eq!(
            (d.page.page, d.page.pages, d.page.total),
            (Some(2), Some(3), Some(6))
        );
        assert_eq!(d.page.next_url.as_deref(), Some("/n"));
        assert_eq!(d.page.scroll_id.as_deref(), Some("s"));
        assert_eq!(d.page.extra["facets"]["k"], 1);
        assert_eq!(d.last_id.as_deref(), Some("b"));
        assert_eq!(d.last_sort.as_deref(), Some(r#"[2,"x"]"#));
        // the public impl reads the same envelope
        let p: Page<Value> = serde_json::from_slice(body).unwrap();
        assert_eq!(p, d.page);
        // same items, same fingerprint; other items, another
        let again = decode_page::<Value>(body, &ctx(), 10).unwrap();
        assert_eq!(again.fingerprint, d.fingerprint);
        let other = decode_page::<Value>(br#"{"objects":[{"id":"c"}]}"#, &ctx(), 10).unwrap();
        assert_ne!(other.fingerprint, d.fingerprint);
    }

    #[test]
    fn too_many_objects_is_a_bound_error_not_an_allocation() {
        let body = format!("{{\"objects\":[{}{{}}]}}", "{},".repeat(10));
        match decode_page::<Value>(body.as_bytes(), &ctx(), 10) {
            Err(Error::BoundReached {
                bound: Bound::PageObjects,
                limit: 10,
                ..
            }) => {}
            other => panic!("{:?}", other.map(|d| d.page.objects.len())),
        }
        assert!(decode_page::<Value>(body.as_bytes(), &ctx(), 11).is_ok());
        let err = serde_json::from_str::<Page<Value>>(&format!(
            "{{\"objects\":[{}{{}}]}}",
            "{},".repeat(DEFAULT_MAX_PAGE_OBJECTS)
        ))
        .unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
    }

    #[test]
    fn an_item_that_does_not_decode_names_its_index_status_attempts_and_excerpt() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: String,
            flag: Option<bool>,
        }
        let body = br#"{"objects":[{"id":"a"},{"id":"b"},{"id":"SECRET"},{"id":7}]}"#;
        let Err(Error::Decode(e)) = decode_page::<Item>(body, &ctx(), 10) else {
            panic!("expected a decode error");
        };
        assert_eq!((e.status, e.attempts), (206, 3));
        assert!(
            e.message.starts_with("objects[3]: invalid type"),
            "{}",
            e.message
        );
        assert_eq!(e.body_excerpt, r#"{"id":7}"#);
        // serde quotes the offending value: the token never shows
        let body = br#"{"objects":[{"id":"a","flag":"SECRET"}]}"#;
        let Err(Error::Decode(e)) = decode_page::<Item>(body, &ctx(), 10) else {
            panic!("expected a decode error");
        };
        assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
        // not a page at all
        for body in [
            &b""[..],
            b"[]",
            b"{\"objects\":{}}",
            b"{\"objects\":[]} x",
            b"{\"objects\":[],\"objects\":[]}",
        ] {
            assert!(matches!(
                decode_page::<Value>(body, &ctx(), 10),
                Err(Error::Decode(_))
            ));
        }
    }
}
