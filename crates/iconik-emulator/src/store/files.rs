//! The files service: formats, file sets, files, proxies, keyframes and
//! storages.

use super::*;

impl Store {
    /// One component of a format: read (the format's components), replace
    /// fields, or remove it.
    fn edit_component(&mut self, m: &str, a: &str, f: &str, cid: &str, ctx: &Ctx) -> R {
        let body = if m == "PUT" { ctx.obj()? } else { Map::new() };
        self.get_child(K::Formats, a, f)?;
        let Some(Value::Object(fm)) = self.tm(K::Formats).get_mut(f) else {
            return Err(not_found("Format"));
        };
        let Some(Value::Array(comps)) = fm.get_mut("components") else {
            return Err(not_found("Component"));
        };
        let Some(pos) = comps.iter().position(|c| field_is(c, "id", cid)) else {
            return Err(not_found("Component"));
        };
        match m {
            "PUT" => {
                if let Value::Object(c) = &mut comps[pos] {
                    for (k, v) in body {
                        if k != "id" {
                            c.insert(k, v);
                        }
                    }
                }
                ok(comps[pos].clone())
            }
            "DELETE" => {
                comps.remove(pos);
                ok(json!({ "objects": comps.clone() }))
            }
            _ => ok(json!({ "objects": [comps[pos].clone()] })),
        }
    }

    pub(super) fn route_files(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match self.route_uploads(m, segs, ctx) {
            Err(f) if is_no_route(&f) => {}
            other => return other,
        }
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
            ("GET" | "PUT" | "DELETE", ["v1", "assets", a, "formats", f, "components", cid]) => {
                self.edit_component(m, a, f, cid, ctx)
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
}

pub(super) fn child_defaults(k: K) -> Vec<(&'static str, Value)> {
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
