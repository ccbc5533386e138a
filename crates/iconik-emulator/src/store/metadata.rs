//! The metadata service: views, fields and per-object values.

use super::*;

impl Store {
    pub(super) fn route_metadata(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
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

    pub(super) fn check_object(&self, ot: &str, oid: &str) -> Result<(), Fail> {
        match ot {
            "assets" => self.get(K::Assets, oid).map(|_| ()),
            "collections" => self.get(K::Collections, oid).map(|_| ()),
            "segments" => self.get(K::Segments, oid).map(|_| ()),
            _ => Ok(()),
        }
    }

    pub(super) fn view_field_names(&self, view_id: &str) -> Result<Vec<String>, Fail> {
        let v = self.get(K::Views, view_id)?;
        Ok(v.get("view_fields")
            .and_then(Value::as_array)
            .map(|fs| fs.iter().map(|f| s(f, "name")).collect())
            .unwrap_or_default())
    }

    pub(super) fn values_doc(
        &self,
        ot: &str,
        oid: &str,
        doc: &MetaDoc,
        fields: Option<&[String]>,
    ) -> Value {
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

    pub(super) fn get_values(&self, ot: &str, oid: &str, view: Option<&str>) -> R {
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

    pub(super) fn put_values(&mut self, ot: &str, oid: &str, view: Option<&str>, ctx: &Ctx) -> R {
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
}
