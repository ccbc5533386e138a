//! The jobs service.

use super::*;

impl Store {
    pub(super) fn route_jobs(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
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
}
