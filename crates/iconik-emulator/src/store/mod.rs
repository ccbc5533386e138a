//! The in-memory data store and the `/API/...` routes.

use crate::server::{lock, Response, Shared};
use crate::util::{errors, new_id, now_iso, percent_decode, percent_encode, Query};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

mod assets;
mod dispatch;
mod files;
mod generic;
mod jobs;
mod metadata;
mod pagination;
mod search;
mod seed;
mod uploads;

pub(crate) use self::dispatch::{handle, resolve};
use self::files::child_defaults;
use self::pagination::{cursor_list, page_list};
use self::search::*;
pub use self::seed::*;

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
    /// Most part URLs per page, most parts per ListParts page.
    pub(crate) paging: (u32, u32),
    pub(crate) creations: BTreeMap<String, u64>,
    tables: Vec<Table>,
    /// collection id -> (object_type, object_id, date_created)
    contents: HashMap<String, Vec<(String, String, String)>>,
    /// (object_type, object_id) -> values
    metadata: HashMap<(String, String), MetaDoc>,
    /// Resources without a core-service module: `{service}/{collection path}` -> objects.
    generic: HashMap<String, Table>,
}

impl Store {
    pub(crate) fn new(seed: u64, base_url: String, seed_data: bool) -> Store {
        let mut st = Store {
            rng: fastrand::Rng::with_seed(seed.wrapping_add(0x1c0_417)),
            seq: 0,
            base_url,
            paging: (100, 1000),
            creations: BTreeMap::new(),
            tables: (0..NKINDS).map(|_| Table::default()).collect(),
            contents: HashMap::new(),
            metadata: HashMap::new(),
            generic: HashMap::new(),
        };
        st.seed_storages();
        if seed_data {
            st.seed();
        }
        st.creations.clear();
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

    /// Adds the upload and download URLs of the fake storage of the
    /// object's storage method.
    fn with_upload_urls(&self, obj: &mut Map<String, Value>, kind: &str, id: &str) {
        let storage_id = obj.get("storage_id").and_then(Value::as_str);
        let method = self.storage_method(storage_id);
        let name = obj
            .get("original_name")
            .or_else(|| obj.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let f = crate::storage::urls::upload_fields(&self.base_url, &method, kind, id, &name);
        let mut set = |k: &str, v: Value| {
            if obj.get(k).is_none_or(Value::is_null) {
                obj.insert(k.to_string(), v);
            }
        };
        set("upload_url", json!(f.upload_url));
        set(
            "multipart_upload_url",
            f.multipart_upload_url.map_or(Value::Null, Value::String),
        );
        set("upload_method", json!(method));
        set("storage_method", json!(method));
        set("upload_headers", f.upload_headers);
        set("upload_credentials", Value::Null);
        set("url", json!(f.url));
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
        self.with_upload_urls(&mut m, prefix, &id);
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
