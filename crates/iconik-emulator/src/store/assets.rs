//! The assets service: assets, versions, segments, history, collections
//! and the delete queue.

use super::*;

impl Store {
    pub(super) fn route_assets(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
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
            ("DELETE", ["v1", "assets", a, "history", h]) => {
                self.get_child(K::History, a, h)?;
                let gone = self.tm(K::History).remove(h);
                Ok((201, gone))
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
                let external_id = ctx.q.get("external_id");
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
                    let wanted = |v: &&Value| {
                        not_deleted(v) && external_id.is_none_or(|e| field_is(v, "external_id", e))
                    };
                    if let Some(v) = self.t(k).get(oid).filter(wanted) {
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

    pub(super) fn edit_versions(
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

    pub(super) fn add_version(&mut self, asset_id: &str) -> Result<(), Fail> {
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

    pub(super) fn versions_doc(&self, asset_id: &str) -> Result<Value, Fail> {
        let a = self.get(K::Assets, asset_id)?;
        Ok(json!({
            "asset_id": asset_id,
            "system_domain_id": null,
            "versions": a.get("versions").cloned().unwrap_or_else(|| json!([])),
        }))
    }
}
