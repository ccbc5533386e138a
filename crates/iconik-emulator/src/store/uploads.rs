//! The files-service side of transfers: seed storages, default storages,
//! the storage URLs of files and proxies (download, S3 multipart, FILE
//! handler), and recording a completed upload on the file record.

use super::*;
use crate::storage::urls;

impl Store {
    /// One storage per method, purpose `FILES`; `s3-files` is the default.
    pub(super) fn seed_storages(&mut self) {
        for (name, method, id) in SEED_STORAGES {
            let bucket = format!("iconik-emulator-{}", urls::segment(method));
            let storage = json!({
                "id": id, "name": name, "method": method, "purpose": "FILES",
                "status": "ACTIVE", "default": method == "S3",
                "description": format!("Fake {method} storage served by the emulator under /storage/"),
                "settings": {"bucket": bucket},
                "last_scanned": null, "scanner_status": null, "status_message": null, "version": null,
            });
            if let Value::Object(m) = storage {
                self.insert(K::Storages, m, vec![]);
            }
        }
    }

    /// The storage key of a file (`{method}/files/{id}`).
    pub(crate) fn storage_key(&self, asset_id: &str, file_id: &str) -> Result<String, Response> {
        match self.get_child(K::Files, asset_id, file_id) {
            Ok(f) => {
                let method = self.storage_method(f.get("storage_id").and_then(Value::as_str));
                Ok(urls::key(&method, "files", file_id))
            }
            Err(Fail(code, v)) => Err(Response::json(code, &v)),
        }
    }

    /// A storage transfer of `{method}/{kind}/{id}` completed: the record
    /// gets the size, the md5 checksum and status `CLOSED`.
    pub(crate) fn object_uploaded(&mut self, key: &str, size: u64, md5: &str) {
        let mut parts = key.splitn(3, '/').skip(1);
        let (Some(kind), Some(id)) = (parts.next(), parts.next()) else {
            return;
        };
        let k = match kind {
            "files" => K::Files,
            "proxies" => K::Proxies,
            "keyframes" => K::Keyframes,
            _ => return,
        };
        self.set_fields(
            k,
            id,
            &[
                ("size", json!(size)),
                ("checksum", json!(md5)),
                ("status", json!("CLOSED")),
                ("date_modified", json!(now_iso())),
            ],
        );
    }

    /// The storage key of a file or proxy of an asset.
    fn object_key(&self, kind: &str, asset_id: &str, id: &str) -> Result<(String, String), Fail> {
        let k = if kind == "files" {
            K::Files
        } else {
            K::Proxies
        };
        let obj = self.get_child(k, asset_id, id)?;
        let method = self.storage_method(obj.get("storage_id").and_then(Value::as_str));
        Ok((urls::key(&method, kind, id), method))
    }

    fn s3_key(&self, kind: &str, asset_id: &str, id: &str) -> Result<String, Fail> {
        let (key, method) = self.object_key(kind, asset_id, id)?;
        if method != "S3" {
            return Err(bad_request(format!(
                "Multipart URLs are for S3 storages; this object's storage is {method}"
            )));
        }
        Ok(key)
    }

    pub(super) fn route_uploads(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        let base = self.base_url.clone();
        match (m, segs) {
            ("GET", ["v1", "assets", a, kind @ ("files" | "proxies"), f, "download_url"]) => {
                let (key, _) = self.object_key(kind, a, f)?;
                ok(json!({"url": urls::signed_url(&base, &key)}))
            }
            ("GET", ["v1", "assets", a, "files", f, "isg_handler_url"]) => {
                let (key, _) = self.object_key("files", a, f)?;
                ok(json!({"url": urls::signed_url(&base, &key)}))
            }
            ("GET", ["v1", "assets", a, kind @ ("files" | "proxies"), f, "multipart_url"]) => {
                let key = self.s3_key(kind, a, f)?;
                let url = urls::s3_upload_url(&base, &key, ctx.q.get("upload_id").unwrap_or(""));
                // one list URL per ListParts page, each with its marker
                let page = self.paging.1;
                let max: u32 = (ctx.q.get("max_part_number"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
                    .min(10_000);
                let list: Vec<String> = if max > page {
                    (0..max.div_ceil(page))
                        .map(|k| format!("{url}&part-number-marker={}", k * page))
                        .collect()
                } else {
                    vec![url.clone()]
                };
                ok(json!({"complete_url": url, "abort_url": url, "list_parts_url": list}))
            }
            (
                "GET",
                ["v1", "assets", a, kind @ ("files" | "proxies"), f, "multipart_url", "part"],
            ) => {
                let key = self.s3_key(kind, a, f)?;
                let upload_id = ctx.q.get("upload_id").unwrap_or("");
                let n: u32 = ctx
                    .q
                    .get("parts_num")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 10_000);
                // paged as the spec declares: `per_page` (capped), `page`
                let cap = self.paging.0;
                let number = |name: &str, default: u32| {
                    (ctx.q.get(name))
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(default)
                };
                let per_page = number("per_page", cap).clamp(1, cap);
                let first = number("page", 1)
                    .max(1)
                    .saturating_sub(1)
                    .saturating_mul(per_page)
                    + 1;
                let last = first.saturating_add(per_page - 1).min(n);
                let objects: Vec<Value> = (first..=last)
                    .map(|i| {
                        json!({
                            "number": i,
                            "key": key,
                            "url": urls::s3_part_url(&base, &key, upload_id, i),
                        })
                    })
                    .collect();
                ok(json!({ "objects": objects }))
            }
            ("POST", ["v1", "assets", a, "files", f, "multipart_url", "s3", "part"]) => {
                let body = ctx.obj()?;
                let key = self.s3_key("files", a, f)?;
                let upload_id = s(&Value::Object(body.clone()), "upload_id");
                let mut parts = Vec::new();
                if let Some(Value::Array(ps)) = body.get("parts") {
                    for (i, p) in ps.iter().enumerate().take(10_000) {
                        let n = p
                            .get("part_number")
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or(i as u32 + 1);
                        let mut p = p.clone();
                        if let Value::Object(pm) = &mut p {
                            pm.insert("part_number".into(), json!(n));
                            pm.insert(
                                "url".into(),
                                json!(urls::s3_part_url(&base, &key, &upload_id, n)),
                            );
                        }
                        parts.push(p);
                    }
                }
                ok(json!({"upload_id": upload_id, "parts": parts}))
            }
            ("GET", ["v1", "storages", purpose, "default"]) => {
                let id = self
                    .default_storage(purpose)
                    .ok_or_else(|| not_found("Default storage"))?;
                ok(self.get(K::Storages, &id)?.clone())
            }
            (op @ ("POST" | "DELETE"), ["v1", "storages", sid, "default"]) => {
                let purpose = s(self.get(K::Storages, sid)?, "purpose");
                let ids: Vec<String> = self
                    .filter(K::Storages, |v| field_is(v, "purpose", &purpose))
                    .iter()
                    .map(|v| s(v, "id"))
                    .collect();
                for id in ids {
                    let on = op == "POST" && id == *sid;
                    if op == "POST" || id == *sid {
                        self.set_fields(K::Storages, &id, &[("default", json!(on))]);
                    }
                }
                status(if op == "POST" { 201 } else { 204 })
            }
            _ => Err(route_not_found()),
        }
    }
}
