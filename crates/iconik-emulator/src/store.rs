//! The in-memory data store and the `/API/...` routes.

use crate::server::{lock, Response, Shared};
use crate::util::{errors, new_id, now_iso, percent_decode, percent_encode, Query};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Id of the sample storage (`seed_data`), method `S3`, purpose `FILES`, default.
pub const SAMPLE_STORAGE_ID: &str = "5a3c0000-0000-4000-8000-000000000001";
/// Id of the sample collection (`seed_data`) holding the three sample assets.
pub const SAMPLE_COLLECTION_ID: &str = "c0110000-0000-4000-8000-000000000001";
/// Ids of the three sample assets (`seed_data`).
pub const SAMPLE_ASSET_IDS: [&str; 3] = [
    "a55e7000-0000-4000-8000-000000000001",
    "a55e7000-0000-4000-8000-000000000002",
    "a55e7000-0000-4000-8000-000000000003",
];
/// Titles of the three sample assets.
pub const SAMPLE_ASSET_TITLES: [&str; 3] = ["Sample clip 1", "Sample clip 2", "Sample clip 3"];
/// Ids of the sample assets' `ORIGINAL` formats.
pub const SAMPLE_FORMAT_IDS: [&str; 3] = [
    "f0a70000-0000-4000-8000-000000000001",
    "f0a70000-0000-4000-8000-000000000002",
    "f0a70000-0000-4000-8000-000000000003",
];
/// Ids of the sample assets' file sets.
pub const SAMPLE_FILE_SET_IDS: [&str; 3] = [
    "f5e70000-0000-4000-8000-000000000001",
    "f5e70000-0000-4000-8000-000000000002",
    "f5e70000-0000-4000-8000-000000000003",
];
/// Ids of the sample assets' files (stored in fake storage under `files/{id}`).
pub const SAMPLE_FILE_IDS: [&str; 3] = [
    "f11e0000-0000-4000-8000-000000000001",
    "f11e0000-0000-4000-8000-000000000002",
    "f11e0000-0000-4000-8000-000000000003",
];
/// Content of the sample files.
pub const SAMPLE_CONTENTS: [&[u8]; 3] = [
    b"iconik emulator sample clip 1\n",
    b"iconik emulator sample clip 2\n",
    b"iconik emulator sample clip 3\n",
];
/// MD5 (hex) of [`SAMPLE_CONTENTS`], the sample files' `checksum` field.
pub const SAMPLE_MD5S: [&str; 3] = [
    "29a16956488db044ef0445151a625709",
    "1ce885baf18b10dd535dff218151457d",
    "04403df14595f00e5ebdcfb2f78ae7b0",
];
/// Id of the sample metadata view, holding the two [`SAMPLE_FIELD_NAMES`].
pub const SAMPLE_VIEW_ID: &str = "7e1e0000-0000-4000-8000-000000000001";
/// Names of the two sample metadata fields (`string` and `integer`).
pub const SAMPLE_FIELD_NAMES: [&str; 2] = ["emulator_description", "emulator_rating"];

const DEFAULT_PER_PAGE: usize = 10;
const MAX_PER_PAGE: usize = 500;

/// Resource kinds, each with its own table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum K {
    Assets = 0,
    Collections,
    Segments,
    History,
    Formats,
    FileSets,
    Files,
    Proxies,
    Keyframes,
    Storages,
    Jobs,
    Views,
    Fields,
}

const NKINDS: usize = 13;

impl K {
    fn name(self) -> &'static str {
        match self {
            K::Assets => "assets",
            K::Collections => "collections",
            K::Segments => "segments",
            K::History => "history",
            K::Formats => "formats",
            K::FileSets => "file_sets",
            K::Files => "files",
            K::Proxies => "proxies",
            K::Keyframes => "keyframes",
            K::Storages => "storages",
            K::Jobs => "jobs",
            K::Views => "views",
            K::Fields => "fields",
        }
    }

    fn label(self) -> &'static str {
        match self {
            K::Assets => "Asset",
            K::Collections => "Collection",
            K::Segments => "Segment",
            K::History => "History entity",
            K::Formats => "Format",
            K::FileSets => "File set",
            K::Files => "File",
            K::Proxies => "Proxy",
            K::Keyframes => "Keyframe",
            K::Storages => "Storage",
            K::Jobs => "Job",
            K::Views => "View",
            K::Fields => "Field",
        }
    }
}

/// Objects in creation order with an id index.
#[derive(Default)]
struct Table {
    rows: BTreeMap<u64, Value>,
    idx: HashMap<String, u64>,
}

impl Table {
    fn get(&self, id: &str) -> Option<&Value> {
        self.idx.get(id).and_then(|s| self.rows.get(s))
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        match self.idx.get(id) {
            Some(s) => self.rows.get_mut(s),
            None => None,
        }
    }

    fn remove(&mut self, id: &str) -> Option<Value> {
        let s = self.idx.remove(id)?;
        self.rows.remove(&s)
    }

    fn iter(&self) -> impl Iterator<Item = &Value> {
        self.rows.values()
    }
}

/// An error answer.
struct Fail(u16, Value);

type R = Result<(u16, Option<Value>), Fail>;

fn not_found(what: &str) -> Fail {
    Fail(404, errors(format!("{what} not found")))
}

fn bad_request(msg: impl Into<String>) -> Fail {
    Fail(400, errors(msg))
}

fn ok(v: Value) -> R {
    Ok((200, Some(v)))
}

fn created(v: Value) -> R {
    Ok((201, Some(v)))
}

fn status(code: u16) -> R {
    Ok((code, None))
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn field_is(v: &Value, k: &str, want: &str) -> bool {
    v.get(k).and_then(Value::as_str) == Some(want)
}

fn not_deleted(v: &Value) -> bool {
    !field_is(v, "status", "DELETED")
}

/// One API request as the router sees it.
struct Ctx<'a> {
    method: &'a str,
    path: &'a str,
    q: &'a Query,
    body: &'a [u8],
}

impl Ctx<'_> {
    /// The body as a JSON object (an empty body is an empty object).
    fn obj(&self) -> Result<Map<String, Value>, Fail> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(bad_request("Request body must be a JSON object")),
            Err(e) => Err(bad_request(format!("Invalid JSON body: {e}"))),
        }
    }

    /// The body as an object with the given required fields present and non-null.
    fn req_obj(&self, required: &[&str]) -> Result<Map<String, Value>, Fail> {
        let m = self.obj()?;
        require(&m, required)?;
        Ok(m)
    }

    fn per_page(&self) -> usize {
        self.q
            .get("per_page")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }
}

fn require(m: &Map<String, Value>, required: &[&str]) -> Result<(), Fail> {
    let mut missing = Map::new();
    for f in required {
        if m.get(*f).is_none_or(Value::is_null) {
            missing.insert(
                (*f).to_string(),
                Value::String("Missing data for required field.".into()),
            );
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Fail(400, json!({ "errors": missing })))
    }
}

/// `page`/`per_page` (and `scroll`/`scroll_id`) pagination.
fn page_list(items: &[&Value], ctx: &Ctx, extra: Option<(&str, Value)>) -> Value {
    let per_page = ctx.per_page();
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let scroll = ctx.q.get("scroll") == Some("true") || ctx.q.has("scroll_id");
    let mut out = Map::new();
    if scroll {
        let offset = ctx
            .q
            .get("scroll_id")
            .and_then(|v| v.strip_prefix("emu-scroll-"))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
            .min(total);
        let end = (offset + per_page).min(total);
        let objects: Vec<Value> = items[offset..end].iter().map(|v| (*v).clone()).collect();
        out.insert("objects".into(), Value::Array(objects));
        out.insert("page".into(), json!(offset / per_page + 1));
        out.insert("pages".into(), json!(pages));
        out.insert("per_page".into(), json!(per_page));
        out.insert("total".into(), json!(total));
        out.insert("scroll_id".into(), json!(format!("emu-scroll-{end}")));
        out.insert("next_url".into(), Value::Null);
        out.insert("prev_url".into(), Value::Null);
        out.insert("first_url".into(), Value::Null);
        out.insert("last_url".into(), Value::Null);
    } else {
        let page = ctx
            .q
            .get("page")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let start = (page - 1).saturating_mul(per_page).min(total);
        let end = start.saturating_add(per_page).min(total);
        let objects: Vec<Value> = items[start..end].iter().map(|v| (*v).clone()).collect();
        let others = ctx
            .q
            .encode_except(&["page", "per_page", "scroll", "scroll_id"]);
        let url = |p: usize| format!("{}?page={p}&per_page={per_page}{others}", ctx.path);
        out.insert("objects".into(), Value::Array(objects));
        out.insert("page".into(), json!(page));
        out.insert("pages".into(), json!(pages));
        out.insert("per_page".into(), json!(per_page));
        out.insert("total".into(), json!(total));
        out.insert("first_url".into(), json!(url(1)));
        out.insert("last_url".into(), json!(url(pages)));
        out.insert(
            "next_url".into(),
            if page < pages {
                json!(url(page + 1))
            } else {
                Value::Null
            },
        );
        out.insert(
            "prev_url".into(),
            if page > 1 {
                json!(url((page - 1).min(pages)))
            } else {
                Value::Null
            },
        );
    }
    if let Some((k, v)) = extra {
        out.insert(k.into(), v);
    }
    Value::Object(out)
}

/// `per_page` + cursor (`last_id`, or `last_field_name`) pagination.
fn cursor_list(items: &[&Value], ctx: &Ctx, param: &str, key: &str) -> Value {
    let per_page = ctx.per_page();
    let total = items.len();
    let start = match ctx.q.get(param).filter(|v| !v.is_empty()) {
        Some(last) => items
            .iter()
            .position(|v| field_is(v, key, last))
            .map_or(total, |p| p + 1),
        None => 0,
    };
    let end = start.saturating_add(per_page).min(total);
    let objects: Vec<Value> = items[start..end].iter().map(|v| (*v).clone()).collect();
    let others = ctx.q.encode_except(&["per_page", param]);
    let next_url = if end < total && end > start {
        let last = s(items[end - 1], key);
        json!(format!(
            "{}?per_page={per_page}&{param}={}{others}",
            ctx.path,
            percent_encode(&last)
        ))
    } else {
        Value::Null
    };
    json!({
        "objects": objects,
        "per_page": per_page,
        "total": total,
        "next_url": next_url,
        "first_url": format!("{}?per_page={per_page}{others}", ctx.path),
        "prev_url": null,
        "last_url": null,
    })
}

/// Per-object metadata values.
struct MetaDoc {
    values: Map<String, Value>,
    date_created: String,
    date_modified: String,
}

/// The whole emulated iconik state.
pub(crate) struct Store {
    rng: fastrand::Rng,
    seq: u64,
    base_url: String,
    pub(crate) creations: BTreeMap<String, u64>,
    tables: Vec<Table>,
    /// collection id -> (object_type, object_id, date_created)
    contents: HashMap<String, Vec<(String, String, String)>>,
    /// (object_type, object_id) -> values
    metadata: HashMap<(String, String), MetaDoc>,
}

impl Store {
    pub(crate) fn new(seed: u64, base_url: String, seed_data: bool) -> Store {
        let mut st = Store {
            rng: fastrand::Rng::with_seed(seed.wrapping_add(0x1c0_417)),
            seq: 0,
            base_url,
            creations: BTreeMap::new(),
            tables: (0..NKINDS).map(|_| Table::default()).collect(),
            contents: HashMap::new(),
            metadata: HashMap::new(),
        };
        if seed_data {
            st.seed();
            st.creations.clear();
        }
        st
    }

    fn t(&self, k: K) -> &Table {
        &self.tables[k as usize]
    }

    fn tm(&mut self, k: K) -> &mut Table {
        &mut self.tables[k as usize]
    }

    fn get(&self, k: K, id: &str) -> Result<&Value, Fail> {
        self.t(k).get(id).ok_or_else(|| not_found(k.label()))
    }

    /// Gets an object that must belong to `asset_id`.
    fn get_child(&self, k: K, asset_id: &str, id: &str) -> Result<&Value, Fail> {
        match self.t(k).get(id) {
            Some(v) if field_is(v, "asset_id", asset_id) => Ok(v),
            _ => Err(not_found(k.label())),
        }
    }

    fn asset_exists(&self, id: &str) -> Result<(), Fail> {
        self.get(K::Assets, id).map(|_| ())
    }

    /// Inserts an object: assigns id (unless a fresh one was given), dates and defaults.
    fn insert(&mut self, k: K, mut obj: Map<String, Value>, defaults: Vec<(&str, Value)>) -> Value {
        let now = now_iso();
        let given = obj.get("id").and_then(Value::as_str).map(str::to_string);
        let id = match given {
            Some(id) if !id.is_empty() && self.t(k).get(&id).is_none() => id,
            _ => new_id(&mut self.rng),
        };
        obj.insert("id".into(), Value::String(id.clone()));
        for (key, v) in defaults {
            if obj.get(key).is_none_or(Value::is_null) {
                obj.insert(key.to_string(), v);
            }
        }
        for key in ["date_created", "date_modified"] {
            if obj.get(key).is_none_or(Value::is_null) {
                obj.insert(key.into(), Value::String(now.clone()));
            }
        }
        self.insert_raw(k, id, Value::Object(obj))
    }

    fn insert_raw(&mut self, k: K, id: String, v: Value) -> Value {
        self.seq += 1;
        let seq = self.seq;
        let t = self.tm(k);
        t.idx.insert(id, seq);
        t.rows.insert(seq, v.clone());
        *self.creations.entry(k.name().to_string()).or_default() += 1;
        v
    }

    /// Merges `body` into an object (PUT and PATCH alike; ids and creation dates kept).
    fn update(&mut self, k: K, id: &str, body: Map<String, Value>) -> R {
        let now = now_iso();
        let v = self.tm(k).get_mut(id).ok_or_else(|| not_found(k.label()))?;
        if let Value::Object(m) = v {
            for (key, val) in body {
                if key == "id" || key == "date_created" {
                    continue;
                }
                m.insert(key, val);
            }
            m.insert("date_modified".into(), Value::String(now));
        }
        ok(v.clone())
    }

    fn set_fields(&mut self, k: K, id: &str, fields: &[(&str, Value)]) -> bool {
        match self.tm(k).get_mut(id) {
            Some(Value::Object(m)) => {
                for (key, v) in fields {
                    m.insert((*key).to_string(), v.clone());
                }
                true
            }
            _ => false,
        }
    }

    fn soft_delete(&mut self, k: K, id: &str) -> bool {
        let now = now_iso();
        self.set_fields(
            k,
            id,
            &[
                ("status", json!("DELETED")),
                ("date_deleted", json!(now.clone())),
                ("date_modified", json!(now)),
            ],
        )
    }

    fn restore(&mut self, k: K, id: &str) -> bool {
        self.set_fields(
            k,
            id,
            &[("status", json!("ACTIVE")), ("date_deleted", Value::Null)],
        )
    }

    fn filter<'a>(&'a self, k: K, f: impl Fn(&Value) -> bool + 'a) -> Vec<&'a Value> {
        self.t(k).iter().filter(|v| f(v)).collect()
    }

    fn latest_version_id(&self, asset_id: &str) -> Value {
        self.t(K::Assets)
            .get(asset_id)
            .and_then(|a| a.get("versions"))
            .and_then(Value::as_array)
            .and_then(|vs| vs.last())
            .and_then(|v| v.get("id"))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn new_version(&mut self, number: u64) -> Value {
        json!({
            "id": new_id(&mut self.rng),
            "version_number": number,
            "status": "ACTIVE",
            "analyze_status": "N/A",
            "archive_status": "NOT_ARCHIVED",
            "face_recognition_status": "N/A",
            "transcribe_status": "N/A",
            "transcribed_languages": [],
            "is_online": true,
            "has_unconfirmed_persons": false,
            "person_ids": [],
            "created_by_user": null,
            "date_created": now_iso(),
        })
    }

    fn create_asset(&mut self, mut body: Map<String, Value>) -> Result<Value, Fail> {
        require(&body, &["title"])?;
        let collection_id = body
            .get("collection_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(c) = &collection_id {
            self.get(K::Collections, c)?;
        }
        let version = self.new_version(1);
        if body.get("versions").is_none_or(|v| !v.is_array()) {
            body.insert("versions".into(), json!([version]));
        }
        let asset = self.insert(
            K::Assets,
            body,
            vec![
                ("status", json!("ACTIVE")),
                ("type", json!("ASSET")),
                ("archive_status", json!("NOT_ARCHIVED")),
                ("analyze_status", json!("N/A")),
                ("face_recognition_status", json!("N/A")),
                ("is_online", json!(true)),
                ("is_blocked", json!(false)),
                ("favoured", json!(false)),
                ("has_unconfirmed_persons", json!(false)),
                ("in_collections", json!([])),
                ("person_ids", json!([])),
                ("category", Value::Null),
                ("external_id", Value::Null),
                ("created_by_user", Value::Null),
                ("date_deleted", Value::Null),
                ("original_asset_id", Value::Null),
                ("original_version_id", Value::Null),
                ("time_start_milliseconds", Value::Null),
                ("time_end_milliseconds", Value::Null),
                ("warning", Value::Null),
            ],
        );
        if let Some(c) = collection_id {
            let id = s(&asset, "id");
            self.add_content(&c, "assets", &id);
            return Ok(self.t(K::Assets).get(&id).cloned().unwrap_or(asset));
        }
        Ok(asset)
    }

    fn create_collection(&mut self, body: Map<String, Value>) -> Result<Value, Fail> {
        require(&body, &["title"])?;
        let parent = body
            .get("parent_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut parents = Vec::new();
        if let Some(p) = &parent {
            let pv = self.get(K::Collections, p)?;
            if let Some(pp) = pv.get("parents").and_then(Value::as_array) {
                parents.extend(pp.iter().cloned());
            }
            parents.push(json!(p));
        }
        let coll = self.insert(
            K::Collections,
            body,
            vec![
                ("status", json!("ACTIVE")),
                ("is_root", json!(parent.is_none())),
                ("parent_id", Value::Null),
                ("parents", Value::Array(parents)),
                ("in_collections", json!([])),
                ("object_type", json!("collections")),
                ("keyframe_asset_ids", json!([])),
                ("custom_order_status", json!("DISABLED")),
                ("category", Value::Null),
                ("external_id", Value::Null),
                ("created_by_user", Value::Null),
                ("date_deleted", Value::Null),
                ("favoured", json!(false)),
                (
                    "permissions",
                    json!(["read", "write", "delete", "change-acl"]),
                ),
            ],
        );
        if let Some(p) = parent {
            let id = s(&coll, "id");
            self.add_content(&p, "collections", &id);
            return Ok(self.t(K::Collections).get(&id).cloned().unwrap_or(coll));
        }
        Ok(coll)
    }

    /// Adds (idempotently) an object to a collection and updates its `in_collections`.
    fn add_content(&mut self, collection: &str, object_type: &str, object_id: &str) -> String {
        let now = now_iso();
        let list = self.contents.entry(collection.to_string()).or_default();
        if let Some(e) = list.iter().find(|e| e.0 == object_type && e.1 == object_id) {
            return e.2.clone();
        }
        list.push((object_type.to_string(), object_id.to_string(), now.clone()));
        let k = if object_type == "collections" {
            K::Collections
        } else {
            K::Assets
        };
        if let Some(Value::Object(m)) = self.tm(k).get_mut(object_id) {
            let entry = m.entry("in_collections").or_insert_with(|| json!([]));
            if let Value::Array(a) = entry {
                if !a.iter().any(|v| v.as_str() == Some(collection)) {
                    a.push(json!(collection));
                }
            } else {
                *entry = json!([collection]);
            }
        }
        now
    }

    fn remove_content(&mut self, collection: &str, object_type: &str, object_id: &str) -> bool {
        let Some(list) = self.contents.get_mut(collection) else {
            return false;
        };
        let before = list.len();
        list.retain(|e| !(e.0 == object_type && e.1 == object_id));
        if list.len() == before {
            return false;
        }
        let k = if object_type == "collections" {
            K::Collections
        } else {
            K::Assets
        };
        if let Some(Value::Object(m)) = self.tm(k).get_mut(object_id) {
            if let Some(Value::Array(a)) = m.get_mut("in_collections") {
                a.retain(|v| v.as_str() != Some(collection));
            }
        }
        true
    }

    fn purge_asset(&mut self, id: &str) {
        self.tm(K::Assets).remove(id);
        for k in [
            K::Segments,
            K::History,
            K::Formats,
            K::FileSets,
            K::Files,
            K::Proxies,
            K::Keyframes,
        ] {
            let ids: Vec<String> = self
                .t(k)
                .iter()
                .filter(|v| field_is(v, "asset_id", id))
                .map(|v| s(v, "id"))
                .collect();
            for i in ids {
                self.tm(k).remove(&i);
            }
        }
        for list in self.contents.values_mut() {
            list.retain(|e| !(e.0 == "assets" && e.1 == id));
        }
        self.metadata.retain(|(_, oid), _| oid != id);
    }

    fn purge_collection(&mut self, id: &str) {
        self.tm(K::Collections).remove(id);
        self.contents.remove(id);
        for list in self.contents.values_mut() {
            list.retain(|e| !(e.0 == "collections" && e.1 == id));
        }
        self.metadata.retain(|(_, oid), _| oid != id);
    }

    fn create_job(
        &mut self,
        job_type: &str,
        title: &str,
        object_type: &str,
        object_id: &str,
    ) -> Value {
        self.insert(
            K::Jobs,
            Map::new(),
            vec![
                ("type", json!(job_type)),
                ("title", json!(title)),
                ("status", json!("READY")),
                ("object_type", json!(object_type)),
                ("object_id", json!(object_id)),
                ("progress", json!(0)),
                ("priority", json!(5)),
                ("has_children", json!(false)),
                ("parent_id", Value::Null),
                ("steps", json!([])),
                ("related_objects", json!([])),
                ("metadata", json!({})),
            ],
        )
    }

    fn job_defaults() -> Vec<(&'static str, Value)> {
        vec![
            ("progress", json!(0)),
            ("priority", json!(5)),
            ("has_children", json!(false)),
            ("parent_id", Value::Null),
            ("object_type", Value::Null),
            ("object_id", Value::Null),
            ("steps", json!([])),
            ("related_objects", json!([])),
            ("metadata", json!({})),
            ("error_message", Value::Null),
            ("started_at", Value::Null),
            ("completed_at", Value::Null),
        ]
    }

    fn storage_method(&self, storage_id: Option<&str>) -> String {
        storage_id
            .and_then(|id| self.t(K::Storages).get(id))
            .map(|v| s(v, "method"))
            .unwrap_or_else(|| "S3".into())
    }

    fn default_storage(&self, purpose: &str) -> Option<String> {
        let mut first = None;
        for v in self.t(K::Storages).iter() {
            if field_is(v, "purpose", purpose) {
                if v.get("default").and_then(Value::as_bool) == Some(true) {
                    return Some(s(v, "id"));
                }
                first.get_or_insert_with(|| s(v, "id"));
            }
        }
        first
    }

    /// Adds upload/download URLs pointing at the fake storage.
    fn with_upload_urls(&self, obj: &mut Map<String, Value>, key: &str) {
        let storage_id = obj.get("storage_id").and_then(Value::as_str);
        let method = self.storage_method(storage_id);
        let base = format!("{}/storage/{key}", self.base_url);
        let mut set = |k: &str, v: Value| {
            if obj.get(k).is_none_or(Value::is_null) {
                obj.insert(k.to_string(), v);
            }
        };
        if method == "GCS" {
            set("upload_url", json!(format!("{base}?uploadType=resumable")));
            set("upload_method", json!("GCS"));
        } else {
            set("upload_url", json!(base.clone()));
            set("multipart_upload_url", json!(format!("{base}?uploads")));
            set("upload_method", json!(method));
        }
        set("storage_method", json!(method));
        set("upload_headers", json!({}));
        set("upload_credentials", Value::Null);
        set("url", json!(base));
    }

    /// Creates an object under an asset (format, file set, file, proxy, keyframe).
    fn create_child(
        &mut self,
        k: K,
        asset_id: &str,
        mut body: Map<String, Value>,
        defaults: Vec<(&str, Value)>,
    ) -> Result<Value, Fail> {
        self.asset_exists(asset_id)?;
        body.insert("asset_id".into(), json!(asset_id));
        if body.get("version_id").is_none_or(Value::is_null) {
            let v = self.latest_version_id(asset_id);
            body.insert("version_id".into(), v);
        }
        let key_prefix = match k {
            K::Files => Some(("files", "FILES")),
            K::Proxies => Some(("proxies", "PROXIES")),
            K::Keyframes => Some(("keyframes", "KEYFRAMES")),
            _ => None,
        };
        let Some((prefix, purpose)) = key_prefix else {
            return Ok(self.insert(k, body, defaults));
        };
        if body.get("storage_id").is_none_or(Value::is_null) {
            if let Some(sid) = self
                .default_storage(purpose)
                .or_else(|| self.default_storage("FILES"))
            {
                body.insert("storage_id".into(), json!(sid));
            }
        }
        let v = self.insert(k, body, defaults);
        let id = s(&v, "id");
        let mut m = match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.with_upload_urls(&mut m, &format!("{prefix}/{id}"));
        let v = Value::Object(m);
        if let Some(slot) = self.tm(k).get_mut(&id) {
            *slot = v.clone();
        }
        if k == K::Files {
            if let Some(fs) = v
                .get("file_set_id")
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                if let Some(Value::Object(m)) = self.tm(K::FileSets).get_mut(&fs) {
                    let n = m.get("file_count").and_then(Value::as_u64).unwrap_or(0) + 1;
                    m.insert("file_count".into(), json!(n));
                }
            }
        }
        Ok(v)
    }

    fn seed(&mut self) {
        let storage = json!({
            "id": SAMPLE_STORAGE_ID, "name": "Emulator storage", "method": "S3",
            "purpose": "FILES", "status": "ACTIVE", "default": true,
            "description": "Fake storage served by the emulator under /storage/",
            "settings": {"bucket": "iconik-emulator"},
            "last_scanned": null, "scanner_status": null, "status_message": null, "version": null,
        });
        if let Value::Object(m) = storage {
            self.insert(K::Storages, m, vec![]);
        }
        let mut fields = Vec::new();
        for (name, ty, label) in [
            (SAMPLE_FIELD_NAMES[0], "string", "Description"),
            (SAMPLE_FIELD_NAMES[1], "integer", "Rating"),
        ] {
            let now = now_iso();
            let f = json!({
                "name": name, "label": label, "field_type": ty, "multi": false,
                "required": false, "read_only": false, "options": [],
                "date_created": now, "date_modified": now,
            });
            fields.push(f.clone());
            self.insert_raw(K::Fields, name.to_string(), f);
        }
        if let Value::Object(m) = json!({
            "id": SAMPLE_VIEW_ID, "name": "Emulator sample view",
            "description": "Two sample fields", "view_fields": fields,
        }) {
            self.insert(K::Views, m, vec![]);
        }
        if let Value::Object(m) = json!({"id": SAMPLE_COLLECTION_ID, "title": "Sample collection"})
        {
            let _ = self.create_collection(m);
        }
        for i in 0..3 {
            let asset = json!({"id": SAMPLE_ASSET_IDS[i], "title": SAMPLE_ASSET_TITLES[i]});
            let Value::Object(m) = asset else { continue };
            if self.create_asset(m).is_err() {
                continue;
            }
            let a = SAMPLE_ASSET_IDS[i];
            let fmt =
                json!({"id": SAMPLE_FORMAT_IDS[i], "name": "ORIGINAL", "storage_methods": ["S3"]});
            let fs = json!({
                "id": SAMPLE_FILE_SET_IDS[i], "name": "ORIGINAL", "format_id": SAMPLE_FORMAT_IDS[i],
                "storage_id": SAMPLE_STORAGE_ID, "base_dir": "/", "component_ids": [],
            });
            let file = json!({
                "id": SAMPLE_FILE_IDS[i], "original_name": format!("sample_clip_{}.mp4", i + 1),
                "name": format!("sample_clip_{}.mp4", i + 1), "directory_path": "",
                "type": "FILE", "status": "CLOSED", "size": SAMPLE_CONTENTS[i].len(),
                "checksum": SAMPLE_MD5S[i], "format_id": SAMPLE_FORMAT_IDS[i],
                "file_set_id": SAMPLE_FILE_SET_IDS[i], "storage_id": SAMPLE_STORAGE_ID,
            });
            for (k, v) in [(K::Formats, fmt), (K::FileSets, fs), (K::Files, file)] {
                if let Value::Object(m) = v {
                    let d = child_defaults(k);
                    let _ = self.create_child(k, a, m, d);
                }
            }
            self.add_content(SAMPLE_COLLECTION_ID, "assets", a);
        }
    }

    /// Routes one `/API/<service>/...` request.
    fn route(&mut self, service: &str, segs: &[&str], ctx: &Ctx) -> R {
        let m = ctx.method;
        match service {
            "assets" => self.route_assets(m, segs, ctx),
            "files" => self.route_files(m, segs, ctx),
            "jobs" => self.route_jobs(m, segs, ctx),
            "metadata" => self.route_metadata(m, segs, ctx),
            "search" => self.route_search(m, segs, ctx),
            _ => Err(not_found("Service")),
        }
    }

    fn route_assets(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            ("GET", ["v1", "assets"]) => {
                let items = self.filter(K::Assets, not_deleted);
                ok(page_list(&items, ctx, None))
            }
            ("POST", ["v1", "assets"]) => {
                let body = ctx.obj()?;
                created(self.create_asset(body)?)
            }
            ("GET", ["v1", "assets", id]) => ok(self.get(K::Assets, id)?.clone()),
            ("PUT", ["v1", "assets", id]) => {
                let body = ctx.req_obj(&["title"])?;
                self.update(K::Assets, id, body)
            }
            ("PATCH", ["v1", "assets", id]) => {
                let body = ctx.obj()?;
                self.update(K::Assets, id, body)
            }
            ("DELETE", ["v1", "assets", id]) => {
                if !self.soft_delete(K::Assets, id) {
                    return Err(not_found("Asset"));
                }
                status(204)
            }
            ("DELETE", ["v1", "assets", id, "purge"]) => {
                self.asset_exists(id)?;
                self.purge_asset(id);
                status(204)
            }
            ("PUT", ["v1", "assets", id, "restore"]) => {
                if !self.restore(K::Assets, id) {
                    return Err(not_found("Asset"));
                }
                status(204)
            }
            // Delete queue.
            ("GET", ["v1", "delete_queue", kind @ ("assets" | "collections")]) => {
                let k = if *kind == "assets" {
                    K::Assets
                } else {
                    K::Collections
                };
                let items = self.filter(k, |v| field_is(v, "status", "DELETED"));
                ok(page_list(&items, ctx, None))
            }
            ("POST" | "DELETE", ["v1", "delete_queue", kind @ ("assets" | "collections")]) => {
                let k = if *kind == "assets" {
                    K::Assets
                } else {
                    K::Collections
                };
                let ids = id_list(&ctx.req_obj(&["ids"])?, "ids");
                for id in &ids {
                    if m == "POST" {
                        self.soft_delete(k, id);
                    } else {
                        self.restore(k, id);
                    }
                }
                status(if m == "DELETE" && k == K::Collections {
                    201
                } else {
                    204
                })
            }
            ("POST", ["v1", "delete_queue", kind @ ("assets" | "collections"), "purge"]) => {
                let ids = id_list(&ctx.req_obj(&["ids"])?, "ids");
                for id in &ids {
                    if *kind == "assets" {
                        self.purge_asset(id);
                    } else {
                        self.purge_collection(id);
                    }
                }
                status(204)
            }
            (
                "POST",
                ["v1", "delete_queue", kind @ ("assets" | "collections"), op @ ("purge" | "restore"), "all"],
            ) => {
                let k = if *kind == "assets" {
                    K::Assets
                } else {
                    K::Collections
                };
                let ids: Vec<String> = self
                    .filter(k, |v| field_is(v, "status", "DELETED"))
                    .iter()
                    .map(|v| s(v, "id"))
                    .collect();
                for id in &ids {
                    match (*op, k) {
                        ("restore", _) => {
                            self.restore(k, id);
                        }
                        (_, K::Assets) => self.purge_asset(id),
                        _ => self.purge_collection(id),
                    }
                }
                status(204)
            }
            ("POST", ["v1", "delete_queue", "purge", "all"]) => {
                for k in [K::Assets, K::Collections] {
                    let ids: Vec<String> = self
                        .filter(k, |v| field_is(v, "status", "DELETED"))
                        .iter()
                        .map(|v| s(v, "id"))
                        .collect();
                    for id in &ids {
                        if k == K::Assets {
                            self.purge_asset(id)
                        } else {
                            self.purge_collection(id)
                        }
                    }
                }
                status(204)
            }
            ("POST", ["v1", "delete_queue", "bulk"]) => {
                let body = ctx.req_obj(&["object_ids", "object_type"])?;
                let k = match body.get("object_type").and_then(Value::as_str) {
                    Some("assets") => K::Assets,
                    Some("collections") => K::Collections,
                    _ => return Err(bad_request("Unsupported object_type")),
                };
                for id in id_list(&body, "object_ids") {
                    self.soft_delete(k, &id);
                }
                status(202)
            }
            // Segments.
            ("GET", ["v1", "assets", a, "segments"]) => {
                self.asset_exists(a)?;
                let st = ctx.q.get("segment_type");
                let ver = ctx.q.get("version_id");
                let items = self.filter(K::Segments, |v| {
                    field_is(v, "asset_id", a)
                        && not_deleted(v)
                        && st.is_none_or(|t| t.split(',').any(|t| field_is(v, "segment_type", t)))
                        && ver.is_none_or(|t| field_is(v, "version_id", t))
                });
                ok(page_list(&items, ctx, None))
            }
            ("POST", ["v1", "assets", a, "segments"]) => {
                let body = ctx.req_obj(&["segment_type"])?;
                let v = self.create_child(
                    K::Segments,
                    a,
                    body,
                    vec![
                        ("status", json!("ACTIVE")),
                        ("time_start_milliseconds", json!(0)),
                        ("time_end_milliseconds", json!(0)),
                        ("metadata", json!({})),
                        ("has_attachments", json!(false)),
                        ("has_drawing", json!(false)),
                        ("top_level", json!(true)),
                        ("is_internal", json!(false)),
                        ("segment_text", Value::Null),
                        ("parent_id", Value::Null),
                        ("user_id", Value::Null),
                    ],
                )?;
                created(v)
            }
            ("DELETE", ["v1", "assets", a, "segments", "bulk"]) => {
                self.asset_exists(a)?;
                let body = ctx.obj()?;
                let ids = id_list(&body, "segment_ids");
                let st = body
                    .get("segment_type")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let ver = body
                    .get("version_id")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let doomed: Vec<String> = self
                    .filter(K::Segments, |v| {
                        field_is(v, "asset_id", a)
                            && (ids.is_empty() || ids.contains(&s(v, "id")))
                            && st.as_deref().is_none_or(|t| field_is(v, "segment_type", t))
                            && ver.as_deref().is_none_or(|t| field_is(v, "version_id", t))
                    })
                    .iter()
                    .map(|v| s(v, "id"))
                    .collect();
                for id in doomed {
                    self.tm(K::Segments).remove(&id);
                }
                status(204)
            }
            ("GET", ["v1", "assets", a, "segments", sid]) => {
                ok(self.get_child(K::Segments, a, sid)?.clone())
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "segments", sid]) => {
                self.get_child(K::Segments, a, sid)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["segment_type"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Segments, sid, body)
            }
            ("DELETE", ["v1", "assets", a, "segments", sid]) => {
                self.get_child(K::Segments, a, sid)?;
                self.tm(K::Segments).remove(sid);
                status(204)
            }
            // Versions.
            ("POST", ["v1", "assets", a, "versions"]) => {
                ctx.obj()?;
                self.add_version(a)?;
                ok(self.versions_doc(a)?)
            }
            ("POST", ["v1", "assets", a, "versions", "from", "assets", src]) => {
                ctx.obj()?;
                self.asset_exists(src)?;
                self.add_version(a)?;
                status(202)
            }
            ("POST", ["v1", "assets", a, "versions", "from", "versions", _src]) => {
                ctx.obj()?;
                self.add_version(a)?;
                status(202)
            }
            ("DELETE", ["v1", "assets", a, "versions", "old"]) => {
                self.edit_versions(a, |vs| {
                    if let Some(last) = vs.pop() {
                        vs.clear();
                        vs.push(last);
                    }
                    Ok(())
                })?;
                status(204)
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "versions", vid]) => {
                let body = ctx.obj()?;
                let mut out = Value::Null;
                self.edit_versions(a, |vs| {
                    let v = vs
                        .iter_mut()
                        .find(|v| field_is(v, "id", vid))
                        .ok_or_else(|| not_found("Version"))?;
                    if let Value::Object(vm) = v {
                        for (k, val) in body {
                            if k != "id" {
                                vm.insert(k, val);
                            }
                        }
                    }
                    out = v.clone();
                    Ok(())
                })?;
                ok(out)
            }
            ("PUT", ["v1", "assets", a, "versions", vid, "promote"]) => {
                self.edit_versions(a, |vs| {
                    let pos = vs
                        .iter()
                        .position(|v| field_is(v, "id", vid))
                        .ok_or_else(|| not_found("Version"))?;
                    let v = vs.remove(pos);
                    vs.push(v);
                    Ok(())
                })?;
                ok(self.versions_doc(a)?)
            }
            ("DELETE", ["v1", "assets", a, "versions", vid]) => {
                self.edit_versions(a, |vs| {
                    let pos = vs
                        .iter()
                        .position(|v| field_is(v, "id", vid))
                        .ok_or_else(|| not_found("Version"))?;
                    if vs.len() == 1 {
                        return Err(bad_request("Cannot delete the only version of an asset"));
                    }
                    vs.remove(pos);
                    Ok(())
                })?;
                status(204)
            }
            // History.
            ("GET", ["v1", "assets", a, "history"]) => {
                self.asset_exists(a)?;
                let items = self.filter(K::History, |v| field_is(v, "asset_id", a));
                ok(page_list(&items, ctx, None))
            }
            ("POST", ["v1", "assets", a, "history"]) => {
                let body = ctx.req_obj(&["operation_type"])?;
                created(self.create_child(
                    K::History,
                    a,
                    body,
                    vec![
                        ("operation_description", Value::Null),
                        ("job_id", Value::Null),
                        ("user_id", Value::Null),
                    ],
                )?)
            }
            ("GET", ["v1", "assets", a, "history", h]) => {
                ok(self.get_child(K::History, a, h)?.clone())
            }
            // Collections.
            ("GET", ["v1", "collections"]) => {
                let is_root = ctx.q.get("is_root");
                let items = self.filter(K::Collections, |v| {
                    not_deleted(v)
                        && is_root.is_none_or(|r| {
                            v.get("is_root").and_then(Value::as_bool) == Some(r == "true")
                        })
                });
                ok(page_list(&items, ctx, None))
            }
            ("POST", ["v1", "collections"]) => {
                let body = ctx.obj()?;
                created(self.create_collection(body)?)
            }
            ("GET", ["v1", "collections", c]) => ok(self.get(K::Collections, c)?.clone()),
            ("PUT" | "PATCH", ["v1", "collections", c]) => {
                let body = if m == "PUT" {
                    ctx.req_obj(&["title"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Collections, c, body)
            }
            ("DELETE", ["v1", "collections", c]) => {
                if !self.soft_delete(K::Collections, c) {
                    return Err(not_found("Collection"));
                }
                status(202)
            }
            ("DELETE", ["v1", "collections", c, "purge"]) => {
                self.get(K::Collections, c)?;
                self.purge_collection(c);
                status(202)
            }
            ("PUT", ["v1", "collections", c, "restore"]) => {
                if !self.restore(K::Collections, c) {
                    return Err(not_found("Collection"));
                }
                Ok((202, Some(json!({"job_id": null, "status": "ACTIVE"}))))
            }
            (
                "GET",
                ["v1", "collections", c, "content", "info"] | ["v1", "collections", c, "info"],
            ) => {
                let coll = self.get(K::Collections, c)?;
                let title = coll.get("title").cloned().unwrap_or(Value::Null);
                let list = self.contents.get(*c).cloned().unwrap_or_default();
                let assets: Vec<&String> = list
                    .iter()
                    .filter(|e| {
                        e.0 == "assets" && self.t(K::Assets).get(&e.1).is_some_and(not_deleted)
                    })
                    .map(|e| &e.1)
                    .collect();
                let colls = list
                    .iter()
                    .filter(|e| {
                        e.0 == "collections"
                            && self.t(K::Collections).get(&e.1).is_some_and(not_deleted)
                    })
                    .count();
                let total_size: u64 = self
                    .t(K::Files)
                    .iter()
                    .filter(|f| assets.iter().any(|a| field_is(f, "asset_id", a)))
                    .filter_map(|f| f.get("size").and_then(Value::as_u64))
                    .sum();
                ok(json!({
                    "title": title,
                    "assets_count": assets.len(),
                    "collections_count": colls,
                    "total_size": total_size,
                    "total_proxy_size": 0,
                    "total_duration_milliseconds": 0,
                    "storage_info": [],
                }))
            }
            ("GET", ["v1", "collections", c, "contents"]) => {
                self.get(K::Collections, c)?;
                let types: Option<Vec<&str>> =
                    ctx.q.get("object_types").map(|t| t.split(',').collect());
                let list = self.contents.get(*c).map(Vec::as_slice).unwrap_or(&[]);
                let mut items: Vec<Value> = Vec::new();
                for (ot, oid, _) in list {
                    if types.as_ref().is_some_and(|t| !t.contains(&ot.as_str())) {
                        continue;
                    }
                    let k = if ot == "collections" {
                        K::Collections
                    } else {
                        K::Assets
                    };
                    if let Some(v) = self.t(k).get(oid).filter(|v| not_deleted(v)) {
                        let mut v = v.clone();
                        if let Value::Object(m) = &mut v {
                            m.insert("object_type".into(), json!(ot));
                        }
                        items.push(v);
                    }
                }
                let refs: Vec<&Value> = items.iter().collect();
                ok(page_list(&refs, ctx, None))
            }
            ("POST", ["v1", "collections", c, "contents"]) => {
                let body = ctx.req_obj(&["object_id", "object_type"])?;
                self.get(K::Collections, c)?;
                let ot = s(&Value::Object(body.clone()), "object_type");
                let oid = s(&Value::Object(body.clone()), "object_id");
                match ot.as_str() {
                    "assets" => self.get(K::Assets, &oid).map(|_| ())?,
                    "collections" => self.get(K::Collections, &oid).map(|_| ())?,
                    _ => {
                        return Err(Fail(
                            400,
                            json!({"errors": {"object_type": "Must be one of: assets, collections."}}),
                        ))
                    }
                }
                let date = self.add_content(c, &ot, &oid);
                created(
                    json!({"collection_id": c, "object_id": oid, "object_type": ot, "date_created": date}),
                )
            }
            ("DELETE", ["v1", "collections", c, "contents", ot, oid]) => {
                self.get(K::Collections, c)?;
                if !self.remove_content(c, ot, oid) {
                    return Err(not_found("Collection content"));
                }
                status(204)
            }
            _ => Err(route_not_found()),
        }
    }

    fn edit_versions(
        &mut self,
        asset_id: &str,
        f: impl FnOnce(&mut Vec<Value>) -> Result<(), Fail>,
    ) -> Result<(), Fail> {
        let now = now_iso();
        let asset = self
            .tm(K::Assets)
            .get_mut(asset_id)
            .ok_or_else(|| not_found("Asset"))?;
        let Value::Object(m) = asset else {
            return Err(not_found("Asset"));
        };
        let entry = m.entry("versions").or_insert_with(|| json!([]));
        if !entry.is_array() {
            *entry = json!([]);
        }
        if let Value::Array(vs) = entry {
            f(vs)?;
        }
        m.insert("date_modified".into(), json!(now));
        Ok(())
    }

    fn add_version(&mut self, asset_id: &str) -> Result<(), Fail> {
        let next = self
            .get(K::Assets, asset_id)?
            .get("versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| v.get("version_number").and_then(Value::as_u64))
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
            + 1;
        let v = self.new_version(next);
        *self.creations.entry("versions".into()).or_default() += 1;
        self.edit_versions(asset_id, |vs| {
            vs.push(v);
            Ok(())
        })
    }

    fn versions_doc(&self, asset_id: &str) -> Result<Value, Fail> {
        let a = self.get(K::Assets, asset_id)?;
        Ok(json!({
            "asset_id": asset_id,
            "system_domain_id": null,
            "versions": a.get("versions").cloned().unwrap_or_else(|| json!([])),
        }))
    }

    fn route_files(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            // Formats.
            ("GET", ["v1", "assets", a, "formats"]) => {
                self.asset_exists(a)?;
                let items =
                    self.filter(K::Formats, |v| field_is(v, "asset_id", a) && not_deleted(v));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "formats"]) => {
                let body = ctx.req_obj(&["name"])?;
                created(self.create_child(K::Formats, a, body, child_defaults(K::Formats))?)
            }
            ("GET", ["v1", "assets", a, "formats", f]) => {
                ok(self.get_child(K::Formats, a, f)?.clone())
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "formats", f]) => {
                self.get_child(K::Formats, a, f)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["name"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Formats, f, body)
            }
            ("DELETE", ["v1", "assets", a, "formats", f]) => {
                self.get_child(K::Formats, a, f)?;
                self.soft_delete(K::Formats, f);
                status(200)
            }
            ("DELETE", ["v1", "assets", a, "formats", f, "purge"]) => {
                self.get_child(K::Formats, a, f)?;
                self.tm(K::Formats).remove(f);
                status(204)
            }
            ("PUT", ["v1", "assets", a, "formats", f, "restore"]) => {
                self.get_child(K::Formats, a, f)?;
                self.restore(K::Formats, f);
                status(200)
            }
            ("GET", ["v1", "assets", a, "formats", f, "components"]) => {
                let comps = self
                    .get_child(K::Formats, a, f)?
                    .get("components")
                    .cloned()
                    .unwrap_or_else(|| json!([]));
                ok(json!({"objects": comps}))
            }
            ("POST", ["v1", "assets", a, "formats", f, "components"]) => {
                let mut body = ctx.req_obj(&["name", "type"])?;
                self.get_child(K::Formats, a, f)?;
                if body.get("id").and_then(Value::as_str).is_none() {
                    body.insert("id".into(), json!(new_id(&mut self.rng)));
                }
                body.entry("metadata").or_insert_with(|| json!({}));
                let comp = Value::Object(body);
                if let Some(Value::Object(fm)) = self.tm(K::Formats).get_mut(f) {
                    let e = fm.entry("components").or_insert_with(|| json!([]));
                    if let Value::Array(arr) = e {
                        arr.push(comp.clone());
                    } else {
                        *e = json!([comp.clone()]);
                    }
                }
                *self.creations.entry("components".into()).or_default() += 1;
                ok(comp)
            }
            ("GET", ["v1", "assets", a, "formats", f, "file_sets"]) => {
                self.get_child(K::Formats, a, f)?;
                let items = self.filter(K::FileSets, |v| {
                    field_is(v, "format_id", f) && not_deleted(v)
                });
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("GET", ["v1", "delete_queue", kind @ ("formats" | "file_sets")]) => {
                let k = if *kind == "formats" {
                    K::Formats
                } else {
                    K::FileSets
                };
                let items = self.filter(k, |v| field_is(v, "status", "DELETED"));
                ok(page_list(&items, ctx, None))
            }
            // File sets.
            ("GET", ["v1", "assets", a, "file_sets"]) => {
                self.asset_exists(a)?;
                let items = self.filter(K::FileSets, |v| {
                    field_is(v, "asset_id", a) && not_deleted(v)
                });
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "file_sets"]) => {
                let body = ctx.req_obj(&["base_dir", "component_ids", "format_id", "name"])?;
                created(self.create_child(K::FileSets, a, body, child_defaults(K::FileSets))?)
            }
            ("GET", ["v1", "assets", a, "file_sets", fs]) => {
                ok(self.get_child(K::FileSets, a, fs)?.clone())
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "file_sets", fs]) => {
                self.get_child(K::FileSets, a, fs)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["base_dir", "component_ids", "format_id", "name"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::FileSets, fs, body)
            }
            ("DELETE", ["v1", "assets", a, "file_sets", fs]) => {
                self.get_child(K::FileSets, a, fs)?;
                self.soft_delete(K::FileSets, fs);
                status(200)
            }
            ("DELETE", ["v1", "assets", a, "file_sets", fs, "purge"]) => {
                self.get_child(K::FileSets, a, fs)?;
                self.tm(K::FileSets).remove(fs);
                status(204)
            }
            ("PUT", ["v1", "assets", a, "file_sets", fs, "restore"]) => {
                self.get_child(K::FileSets, a, fs)?;
                self.restore(K::FileSets, fs);
                status(200)
            }
            ("GET", ["v1", "assets", a, "file_sets", fs, "files"]) => {
                self.get_child(K::FileSets, a, fs)?;
                let items = self.filter(K::Files, |v| field_is(v, "file_set_id", fs));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("GET", ["v1", "file_sets", fs, "files"]) => {
                self.get(K::FileSets, fs)?;
                let items = self.filter(K::Files, |v| field_is(v, "file_set_id", fs));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            // By version.
            (
                "GET",
                ["v1", "assets", a, "versions", ver, kind @ ("files" | "file_sets" | "formats" | "proxies" | "keyframes")],
            ) => {
                self.asset_exists(a)?;
                let k = match *kind {
                    "files" => K::Files,
                    "file_sets" => K::FileSets,
                    "formats" => K::Formats,
                    "proxies" => K::Proxies,
                    _ => K::Keyframes,
                };
                let items = self.filter(k, |v| {
                    field_is(v, "asset_id", a) && field_is(v, "version_id", ver) && not_deleted(v)
                });
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "versions", ver, "transcode"]) => {
                ctx.obj()?;
                self.asset_exists(a)?;
                let job = self.create_job(
                    "TRANSCODE",
                    &format!("Transcode version {ver}"),
                    "assets",
                    a,
                );
                ok(json!({"job_id": job["id"]}))
            }
            // Files.
            ("GET", ["v1", "assets", a, "files"]) => {
                self.asset_exists(a)?;
                let items = self.filter(K::Files, |v| field_is(v, "asset_id", a));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "files"]) => {
                let body = ctx.req_obj(&["directory_path", "original_name", "type"])?;
                created(self.create_child(K::Files, a, body, child_defaults(K::Files))?)
            }
            ("GET", ["v1", "assets", a, "files", f]) => ok(self.get_child(K::Files, a, f)?.clone()),
            ("PUT" | "PATCH", ["v1", "assets", a, "files", f]) => {
                self.get_child(K::Files, a, f)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["directory_path", "file_set_id", "original_name", "type"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Files, f, body)
            }
            ("DELETE", ["v1", "assets", a, "files", f]) => {
                self.get_child(K::Files, a, f)?;
                self.tm(K::Files).remove(f);
                status(204)
            }
            ("GET", ["v1", "assets", a, kind @ ("files" | "proxies"), f, "download_url"]) => {
                let k = if *kind == "files" {
                    K::Files
                } else {
                    K::Proxies
                };
                self.get_child(k, a, f)?;
                ok(json!({"url": format!("{}/storage/{kind}/{f}", self.base_url)}))
            }
            ("GET", ["v1", "assets", a, kind @ ("files" | "proxies"), f, "multipart_url"]) => {
                let k = if *kind == "files" {
                    K::Files
                } else {
                    K::Proxies
                };
                self.get_child(k, a, f)?;
                let upload_id = ctx.q.get("upload_id").unwrap_or("");
                let url = format!(
                    "{}/storage/{kind}/{f}?uploadId={}",
                    self.base_url,
                    percent_encode(upload_id)
                );
                ok(json!({"complete_url": url, "abort_url": url, "list_parts_url": [url]}))
            }
            (
                "GET",
                ["v1", "assets", a, kind @ ("files" | "proxies"), f, "multipart_url", "part"],
            ) => {
                let k = if *kind == "files" {
                    K::Files
                } else {
                    K::Proxies
                };
                self.get_child(k, a, f)?;
                let upload_id = percent_encode(ctx.q.get("upload_id").unwrap_or(""));
                let n: u32 = ctx
                    .q
                    .get("parts_num")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 10_000);
                let objects: Vec<Value> = (1..=n)
                    .map(|i| {
                        json!({
                            "number": i,
                            "key": format!("{kind}/{f}"),
                            "url": format!("{}/storage/{kind}/{f}?partNumber={i}&uploadId={upload_id}", self.base_url),
                        })
                    })
                    .collect();
                ok(json!({"objects": objects}))
            }
            ("POST", ["v1", "assets", a, "files", f, "multipart_url", "s3", "part"]) => {
                let body = ctx.req_obj(&["parts", "upload_id"])?;
                self.get_child(K::Files, a, f)?;
                let upload_id = s(&Value::Object(body.clone()), "upload_id");
                let mut parts = Vec::new();
                if let Some(Value::Array(ps)) = body.get("parts") {
                    for (i, p) in ps.iter().enumerate().take(10_000) {
                        let n = p
                            .get("part_number")
                            .and_then(Value::as_u64)
                            .unwrap_or(i as u64 + 1);
                        let mut p = p.clone();
                        if let Value::Object(pm) = &mut p {
                            pm.insert("part_number".into(), json!(n));
                            pm.insert(
                                "url".into(),
                                json!(format!(
                                    "{}/storage/files/{f}?partNumber={n}&uploadId={}",
                                    self.base_url,
                                    percent_encode(&upload_id)
                                )),
                            );
                        }
                        parts.push(p);
                    }
                }
                ok(json!({"upload_id": upload_id, "parts": parts}))
            }
            ("POST", ["v1", "assets", a, "files", f, op @ ("mediainfo" | "keyframes")]) => {
                ctx.obj()?;
                self.get_child(K::Files, a, f)?;
                let (ty, title) = if *op == "mediainfo" {
                    ("MEDIAINFO", "Extract mediainfo")
                } else {
                    ("KEYFRAMES", "Generate keyframes")
                };
                let job = self.create_job(ty, title, "assets", a);
                ok(json!({"job_id": job["id"]}))
            }
            // Proxies.
            ("GET", ["v1", "assets", a, "proxies"]) => {
                self.asset_exists(a)?;
                let items = self.filter(K::Proxies, |v| field_is(v, "asset_id", a));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "proxies"]) => {
                let body = ctx.obj()?;
                created(self.create_child(K::Proxies, a, body, child_defaults(K::Proxies))?)
            }
            ("GET", ["v1", "assets", a, "proxies", p]) => {
                ok(self.get_child(K::Proxies, a, p)?.clone())
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "proxies", p]) => {
                self.get_child(K::Proxies, a, p)?;
                let body = ctx.obj()?;
                self.update(K::Proxies, p, body)
            }
            ("DELETE", ["v1", "assets", a, "proxies", p]) => {
                self.get_child(K::Proxies, a, p)?;
                self.tm(K::Proxies).remove(p);
                status(204)
            }
            // Keyframes.
            ("GET", ["v1", "assets", a, "keyframes"]) => {
                self.asset_exists(a)?;
                let items = self.filter(K::Keyframes, |v| field_is(v, "asset_id", a));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            ("POST", ["v1", "assets", a, "keyframes"]) => {
                let body = ctx.req_obj(&["type"])?;
                created(self.create_child(K::Keyframes, a, body, child_defaults(K::Keyframes))?)
            }
            ("GET", ["v1", "assets", a, "keyframes", kf]) => {
                ok(self.get_child(K::Keyframes, a, kf)?.clone())
            }
            ("PUT" | "PATCH", ["v1", "assets", a, "keyframes", kf]) => {
                self.get_child(K::Keyframes, a, kf)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["type"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Keyframes, kf, body)
            }
            ("DELETE", ["v1", "assets", a, "keyframes", kf]) => {
                self.get_child(K::Keyframes, a, kf)?;
                self.tm(K::Keyframes).remove(kf);
                status(204)
            }
            // Storages.
            ("GET", ["v1", "storages"]) => {
                let purpose = ctx.q.get("purpose");
                let method = ctx.q.get("method");
                let items = self.filter(K::Storages, |v| {
                    purpose.is_none_or(|p| field_is(v, "purpose", p))
                        && method.is_none_or(|p| field_is(v, "method", p))
                });
                ok(page_list(&items, ctx, Some(("facets", json!({})))))
            }
            ("POST", ["v1", "storages"]) => {
                let body = ctx.req_obj(&["method", "name", "purpose", "settings"])?;
                created(self.insert(
                    K::Storages,
                    body,
                    vec![
                        ("status", json!("ACTIVE")),
                        ("default", json!(false)),
                        ("description", Value::Null),
                        ("last_scanned", Value::Null),
                        ("scanner_status", Value::Null),
                    ],
                ))
            }
            ("GET", ["v1", "storages", sid]) => ok(self.get(K::Storages, sid)?.clone()),
            ("PUT" | "PATCH", ["v1", "storages", sid]) => {
                self.get(K::Storages, sid)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["method", "name", "purpose", "settings"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Storages, sid, body)
            }
            ("DELETE", ["v1", "storages", sid]) => {
                self.get(K::Storages, sid)?;
                self.tm(K::Storages).remove(sid);
                status(204)
            }
            ("GET", ["v1", "storages", sid, "files"]) => {
                self.get(K::Storages, sid)?;
                let q = ctx.q;
                let items = self.filter(K::Files, |v| {
                    field_is(v, "storage_id", sid)
                        && [
                            "checksum",
                            "name",
                            "original_name",
                            "directory_path",
                            "type",
                            "status",
                            "id",
                        ]
                        .iter()
                        .all(|k| q.get(k).is_none_or(|want| field_is(v, k, want)))
                        && q.get("path").is_none_or(|p| {
                            let full =
                                format!("{}/{}", s(v, "directory_path"), s(v, "original_name"));
                            full.trim_start_matches('/') == p.trim_start_matches('/')
                        })
                });
                ok(page_list(&items, ctx, Some(("facets", json!({})))))
            }
            ("POST", ["v1", "storages", sid, "files"]) => {
                let mut body = ctx.req_obj(&["directory_path", "original_name", "type"])?;
                self.get(K::Storages, sid)?;
                body.insert("storage_id".into(), json!(sid));
                created(self.insert(
                    K::Files,
                    body,
                    vec![
                        ("status", json!("CLOSED")),
                        ("asset_id", Value::Null),
                        ("checksum", Value::Null),
                    ],
                ))
            }
            ("GET", ["v1", "files", "checksum", sum]) => {
                let items = self.filter(K::Files, |v| field_is(v, "checksum", sum));
                ok(cursor_list(&items, ctx, "last_id", "id"))
            }
            _ => Err(route_not_found()),
        }
    }

    fn route_jobs(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            ("GET", ["v1", "jobs"]) => {
                let q = ctx.q;
                let items = self.filter(K::Jobs, |v| {
                    ["type", "status", "object_id", "object_type", "parent_id"]
                        .iter()
                        .all(|k| {
                            q.get(k)
                                .is_none_or(|want| want.split(',').any(|w| field_is(v, k, w)))
                        })
                        && q.get("ids")
                            .is_none_or(|ids| ids.split(',').any(|i| field_is(v, "id", i)))
                });
                if let Some(sa) = q.get("search_after") {
                    let last = search_after_id(sa);
                    return ok(search_after_list(&items, ctx.per_page(), &last));
                }
                let mut out = page_list(&items, ctx, Some(("facets", json!({}))));
                add_search_after(&mut out);
                ok(out)
            }
            ("POST", ["v1", "jobs"]) => {
                let body = ctx.req_obj(&["status", "title", "type"])?;
                created(self.insert(K::Jobs, body, Store::job_defaults()))
            }
            ("PUT", ["v1", "jobs", "state"]) => {
                let body = ctx.req_obj(&["action", "job_ids"])?;
                let action = s(&Value::Object(body.clone()), "action");
                let new_status = match action.as_str() {
                    "ABORT" => "ABORTED",
                    "PAUSE" => "PAUSED",
                    "RESUME" => "STARTED",
                    "RESTART" => "READY",
                    _ => {
                        return Err(Fail(
                            400,
                            json!({"errors": {"action": "Must be one of: ABORT, PAUSE, RESTART, RESUME."}}),
                        ))
                    }
                };
                let ids = id_list(&body, "job_ids");
                for id in &ids {
                    self.get(K::Jobs, id)?;
                }
                let now = now_iso();
                for id in &ids {
                    self.set_fields(
                        K::Jobs,
                        id,
                        &[
                            ("status", json!(new_status)),
                            ("date_modified", json!(now.clone())),
                        ],
                    );
                }
                ok(json!({"action": action, "job_ids": ids}))
            }
            ("GET", ["v1", "jobs", j]) => ok(self.get(K::Jobs, j)?.clone()),
            ("PUT" | "PATCH", ["v1", "jobs", j]) => {
                self.get(K::Jobs, j)?;
                let mut body = if m == "PUT" {
                    ctx.req_obj(&["status", "title", "type"])?
                } else {
                    ctx.obj()?
                };
                if ctx.q.get("merge_metadata") == Some("true") {
                    if let (Some(Value::Object(new)), Some(Value::Object(old))) = (
                        body.get("metadata").cloned(),
                        self.get(K::Jobs, j)?.get("metadata"),
                    ) {
                        let mut merged = old.clone();
                        merged.extend(new);
                        body.insert("metadata".into(), Value::Object(merged));
                    }
                }
                self.update(K::Jobs, j, body)
            }
            ("DELETE", ["v1", "jobs", j]) => {
                self.get(K::Jobs, j)?;
                self.tm(K::Jobs).remove(j);
                status(204)
            }
            _ => Err(route_not_found()),
        }
    }

    fn route_metadata(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            ("GET", ["v1", "views"]) => {
                let items: Vec<&Value> = self.t(K::Views).iter().collect();
                ok(page_list(&items, ctx, None))
            }
            ("POST", ["v1", "views"]) => {
                let body = ctx.req_obj(&["name", "view_fields"])?;
                created(self.insert(K::Views, body, vec![("description", Value::Null)]))
            }
            ("GET", ["v1", "views", v]) => ok(self.get(K::Views, v)?.clone()),
            ("PUT" | "PATCH", ["v1", "views", v]) => {
                self.get(K::Views, v)?;
                let body = if m == "PUT" {
                    ctx.req_obj(&["name", "view_fields"])?
                } else {
                    ctx.obj()?
                };
                self.update(K::Views, v, body)
            }
            ("DELETE", ["v1", "views", v]) => {
                self.get(K::Views, v)?;
                self.tm(K::Views).remove(v);
                status(204)
            }
            ("GET", ["v1", "fields"]) => {
                let items: Vec<&Value> = self.t(K::Fields).iter().collect();
                ok(cursor_list(&items, ctx, "last_field_name", "name"))
            }
            ("POST", ["v1", "fields"]) => {
                let mut body = ctx.req_obj(&["field_type", "label", "name"])?;
                let name = s(&Value::Object(body.clone()), "name");
                if name.is_empty() {
                    return Err(Fail(
                        400,
                        json!({"errors": {"name": "Field name must not be empty."}}),
                    ));
                }
                if self.t(K::Fields).get(&name).is_some() {
                    return Err(Fail(
                        400,
                        json!({"errors": {"name": "Field with this name already exists."}}),
                    ));
                }
                let now = now_iso();
                for (k, v) in [
                    ("date_created", json!(now.clone())),
                    ("date_modified", json!(now)),
                    ("multi", json!(false)),
                    ("required", json!(false)),
                    ("read_only", json!(false)),
                    ("options", json!([])),
                ] {
                    body.entry(k).or_insert(v);
                }
                body.remove("id");
                created(self.insert_raw(K::Fields, name, Value::Object(body)))
            }
            ("GET", ["v1", "fields", f]) => ok(self.get(K::Fields, f)?.clone()),
            ("PUT" | "PATCH", ["v1", "fields", f]) => {
                self.get(K::Fields, f)?;
                let mut body = if m == "PUT" {
                    ctx.req_obj(&["field_type", "label", "name"])?
                } else {
                    ctx.obj()?
                };
                body.remove("name");
                let out = self.update(K::Fields, f, body)?;
                if let Some(Value::Object(fm)) = self.tm(K::Fields).get_mut(f) {
                    fm.remove("id");
                }
                let v = out.1.map(|mut v| {
                    if let Value::Object(o) = &mut v {
                        o.remove("id");
                    }
                    v
                });
                Ok((200, v))
            }
            ("DELETE", ["v1", "fields", f]) => {
                self.get(K::Fields, f)?;
                self.tm(K::Fields).remove(f);
                status(204)
            }
            // Values.
            ("GET", ["v1", "assets", a, "versions", _ver, "views", v]) => {
                self.get_values("assets", a, Some(v))
            }
            ("GET", ["v1", "assets", _a, ot, oid, "views", v]) => self.get_values(ot, oid, Some(v)),
            ("PUT", ["v1", "assets", _a, ot, oid, "views", v]) => {
                self.put_values(ot, oid, Some(v), ctx)
            }
            ("GET", ["v1", ot, oid, "views", v]) => self.get_values(ot, oid, Some(v)),
            ("PUT", ["v1", ot, oid, "views", v]) => self.put_values(ot, oid, Some(v), ctx),
            ("GET", ["v1", ot, oid]) if *ot != "views" && *ot != "fields" => {
                self.get_values(ot, oid, None)
            }
            ("PUT", ["v1", ot, oid]) if *ot != "views" && *ot != "fields" => {
                self.put_values(ot, oid, None, ctx)
            }
            _ => Err(route_not_found()),
        }
    }

    fn check_object(&self, ot: &str, oid: &str) -> Result<(), Fail> {
        match ot {
            "assets" => self.get(K::Assets, oid).map(|_| ()),
            "collections" => self.get(K::Collections, oid).map(|_| ()),
            "segments" => self.get(K::Segments, oid).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn view_field_names(&self, view_id: &str) -> Result<Vec<String>, Fail> {
        let v = self.get(K::Views, view_id)?;
        Ok(v.get("view_fields")
            .and_then(Value::as_array)
            .map(|fs| fs.iter().map(|f| s(f, "name")).collect())
            .unwrap_or_default())
    }

    fn values_doc(&self, ot: &str, oid: &str, doc: &MetaDoc, fields: Option<&[String]>) -> Value {
        let values: Map<String, Value> = match fields {
            Some(names) => doc
                .values
                .iter()
                .filter(|(k, _)| names.iter().any(|n| n == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => doc.values.clone(),
        };
        json!({
            "object_type": ot, "object_id": oid, "version_id": null, "job_id": null,
            "date_created": doc.date_created, "date_modified": doc.date_modified,
            "metadata_values": values,
        })
    }

    fn get_values(&self, ot: &str, oid: &str, view: Option<&str>) -> R {
        self.check_object(ot, oid)?;
        let fields = match view {
            Some(v) => Some(self.view_field_names(v)?),
            None => None,
        };
        let doc = self
            .metadata
            .get(&(ot.to_string(), oid.to_string()))
            .ok_or_else(|| not_found("Metadata values"))?;
        ok(self.values_doc(ot, oid, doc, fields.as_deref()))
    }

    fn put_values(&mut self, ot: &str, oid: &str, view: Option<&str>, ctx: &Ctx) -> R {
        let body = ctx.req_obj(&["metadata_values"])?;
        self.check_object(ot, oid)?;
        let fields = match view {
            Some(v) => Some(self.view_field_names(v)?),
            None => None,
        };
        let Some(Value::Object(values)) = body.get("metadata_values") else {
            return Err(Fail(
                400,
                json!({"errors": {"metadata_values": "Not a valid mapping type."}}),
            ));
        };
        let now = now_iso();
        let doc = self
            .metadata
            .entry((ot.to_string(), oid.to_string()))
            .or_insert_with(|| MetaDoc {
                values: Map::new(),
                date_created: now.clone(),
                date_modified: now.clone(),
            });
        for (k, v) in values {
            doc.values.insert(k.clone(), v.clone());
        }
        doc.date_modified = now;
        let doc = &self.metadata[&(ot.to_string(), oid.to_string())];
        ok(self.values_doc(ot, oid, doc, fields.as_deref()))
    }

    fn route_search(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            ("POST", ["v1" | "v2", "search"]) => {
                let body = ctx.obj()?;
                let doc_types: Vec<String> = match body.get("doc_types") {
                    Some(Value::Array(a)) if !a.is_empty() => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => vec!["assets".into(), "collections".into()],
                };
                let query = body
                    .get("query")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_lowercase();
                let query = query.trim_matches('"').trim_end_matches('*').to_string();
                let filter = body.get("filter").cloned().unwrap_or(Value::Null);
                let mut hits: Vec<Value> = Vec::new();
                for (dt, k) in [("assets", K::Assets), ("collections", K::Collections)] {
                    if !doc_types.iter().any(|d| d == dt) {
                        continue;
                    }
                    for v in self.t(k).iter() {
                        let title = s(v, "title").to_lowercase();
                        let filtered_status = filter_mentions(&filter, "status");
                        if (!filtered_status && !not_deleted(v))
                            || !(query.is_empty() || title.contains(&query))
                            || !filter_matches(&filter, v, 0)
                        {
                            continue;
                        }
                        let mut h = v.clone();
                        if let Value::Object(hm) = &mut h {
                            hm.insert("object_type".into(), json!(dt));
                        }
                        hits.push(h);
                    }
                }
                let refs: Vec<&Value> = hits.iter().collect();
                if let Some(Value::Array(sa)) = body.get("search_after") {
                    let last = sa
                        .last()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .unwrap_or_default();
                    return ok(search_after_list(&refs, ctx.per_page(), &last));
                }
                let mut out = page_list(&refs, ctx, Some(("facets", json!({}))));
                add_search_after(&mut out);
                ok(out)
            }
            _ => Err(route_not_found()),
        }
    }
}

fn child_defaults(k: K) -> Vec<(&'static str, Value)> {
    match k {
        K::Formats => vec![
            ("status", json!("ACTIVE")),
            ("archive_status", json!("NOT_ARCHIVED")),
            ("is_online", json!(true)),
            ("components", json!([])),
            ("metadata", json!([])),
            ("storage_methods", json!([])),
            ("warnings", json!([])),
            ("user_id", Value::Null),
            ("date_deleted", Value::Null),
        ],
        K::FileSets => vec![
            ("status", json!("ACTIVE")),
            ("file_count", json!(0)),
            ("is_archive", json!(false)),
            ("storage_id", Value::Null),
            ("date_deleted", Value::Null),
        ],
        K::Files => vec![
            ("status", json!("OPEN")),
            ("checksum", Value::Null),
            ("size", json!(0)),
            ("file_set_id", Value::Null),
            ("format_id", Value::Null),
            ("parent_id", Value::Null),
        ],
        K::Proxies => vec![
            ("status", json!("OPEN")),
            ("is_public", json!(false)),
            ("name", Value::Null),
            ("filename", Value::Null),
        ],
        K::Keyframes => vec![
            ("status", json!("OPEN")),
            ("is_public", json!(false)),
            ("is_custom_keyframe", json!(false)),
        ],
        _ => vec![],
    }
}

const NO_ROUTE: &str = "Not found: no such route";

fn route_not_found() -> Fail {
    Fail(404, errors(NO_ROUTE))
}

fn is_no_route(f: &Fail) -> bool {
    f.0 == 404 && f.1["errors"][0] == NO_ROUTE
}

fn id_list(body: &Map<String, Value>, key: &str) -> Vec<String> {
    match body.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .take(100_000)
            .collect(),
        _ => Vec::new(),
    }
}

/// The id in a `search_after` value: a JSON array or a comma list, last element.
fn search_after_id(raw: &str) -> String {
    if let Ok(Value::Array(a)) = serde_json::from_str::<Value>(raw) {
        if let Some(last) = a.last() {
            return last
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| last.to_string());
        }
    }
    raw.rsplit(',')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_string()
}

/// Objects after the one whose id is `last` (none when it is unknown).
fn search_after_list(items: &[&Value], per_page: usize, last: &str) -> Value {
    let start = items
        .iter()
        .position(|v| field_is(v, "id", last))
        .map_or(items.len(), |p| p + 1);
    let end = start.saturating_add(per_page).min(items.len());
    let objects: Vec<Value> = items[start..end].iter().map(|v| (*v).clone()).collect();
    let next = if end < items.len() && end > start {
        sort_key(items[end - 1])
    } else {
        Value::Null
    };
    json!({
        "objects": objects, "per_page": per_page, "total": items.len(),
        "search_after": next, "next_url": null, "prev_url": null,
        "first_url": null, "last_url": null, "facets": {},
    })
}

/// The `search_after` key of an object: `[date_created, id]`.
fn sort_key(v: &Value) -> Value {
    json!([s(v, "date_created"), s(v, "id")])
}

/// Adds `search_after` (the last object's sort key) to a page body.
fn add_search_after(out: &mut Value) {
    let last = out
        .get("objects")
        .and_then(Value::as_array)
        .and_then(|o| o.last())
        .map(sort_key);
    if let (Value::Object(om), Some(l)) = (out, last) {
        om.insert("search_after".into(), l);
    }
}

fn filter_mentions(filter: &Value, name: &str) -> bool {
    filter
        .get("terms")
        .and_then(Value::as_array)
        .is_some_and(|ts| ts.iter().any(|t| field_is(t, "name", name)))
}

/// Evaluates a search `filter` (`{"operator": "AND"|"OR", "terms": [{"name", "value"|"value_in"|"exists"}], "filters": [...]}`).
fn filter_matches(filter: &Value, obj: &Value, depth: usize) -> bool {
    let Value::Object(f) = filter else {
        return true;
    };
    if depth > 16 {
        return true;
    }
    let or = f
        .get("operator")
        .and_then(Value::as_str)
        .is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    let mut results: Vec<bool> = Vec::new();
    if let Some(Value::Array(terms)) = f.get("terms") {
        for t in terms.iter().take(256) {
            let name = s(t, "name");
            let field = obj.get(&name);
            let as_text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let matches_one = |want: &Value| match field {
                Some(Value::Array(a)) => a.iter().any(|x| as_text(x) == as_text(want)),
                Some(x) => as_text(x) == as_text(want),
                None => false,
            };
            let r = if let Some(v) = t.get("value").filter(|v| !v.is_null()) {
                matches_one(v)
            } else if let Some(Value::Array(vs)) = t.get("value_in") {
                vs.iter().any(matches_one)
            } else if let Some(e) = t.get("exists").and_then(Value::as_bool) {
                field.is_some_and(|x| !x.is_null()) == e
            } else {
                true
            };
            results.push(r);
        }
    }
    if let Some(Value::Array(subs)) = f.get("filters") {
        for sub in subs.iter().take(64) {
            results.push(filter_matches(sub, obj, depth + 1));
        }
    }
    if results.is_empty() {
        return true;
    }
    if or {
        results.iter().any(|r| *r)
    } else {
        results.iter().all(|r| *r)
    }
}

/// Handles one `/API/...` request (auth, limits and faults already applied).
pub(crate) fn handle(sh: &Shared, method: &str, path: &str, q: &Query, body: &[u8]) -> Response {
    let rest = path.strip_prefix("/API/").unwrap_or("");
    let decoded: Vec<String> = rest
        .split('/')
        .filter(|p| !p.is_empty())
        .take(32)
        .map(percent_decode)
        .collect();
    let Some((service, segs)) = decoded.split_first() else {
        return Response::error(404, "Not found: no such route");
    };
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let ctx = Ctx {
        method,
        path,
        q,
        body,
    };
    let result = {
        let mut st = lock(&sh.store);
        let mut r = st.route(service, &segs, &ctx);
        // A known path with the wrong method: 405 (probed with a read-only GET).
        if method != "GET" && matches!(&r, Err(f) if is_no_route(f)) {
            let probe = Ctx {
                method: "GET",
                ..ctx
            };
            if !matches!(st.route(service, &segs, &probe), Err(f) if is_no_route(&f)) {
                r = Err(Fail(405, errors(format!("Method {method} not allowed"))));
            }
        }
        r
    };
    match result {
        Ok((code, Some(v))) => Response::json(code, &v),
        Ok((code, None)) => Response::empty(code),
        Err(Fail(code, v)) => Response::json(code, &v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_md5s_match_contents() {
        for i in 0..3 {
            assert_eq!(crate::storage::md5_hex(SAMPLE_CONTENTS[i]), SAMPLE_MD5S[i]);
        }
    }

    #[test]
    fn search_after_parsing() {
        assert_eq!(search_after_id("[\"2026\",\"abc\"]"), "abc");
        assert_eq!(search_after_id("2026,abc"), "abc");
        assert_eq!(search_after_id("abc"), "abc");
    }

    #[test]
    fn filters() {
        let obj = json!({"status": "ACTIVE", "type": "ASSET", "tags": ["a", "b"]});
        let f = json!({"operator": "AND", "terms": [{"name": "status", "value": "ACTIVE"}, {"name": "tags", "value_in": ["b"]}]});
        assert!(filter_matches(&f, &obj, 0));
        let f = json!({"operator": "AND", "terms": [{"name": "status", "value": "DELETED"}]});
        assert!(!filter_matches(&f, &obj, 0));
    }
}
