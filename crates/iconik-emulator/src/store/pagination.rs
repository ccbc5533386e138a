//! The list styles iconik answers: page numbers (with scroll) and cursors.

use super::*;

/// `page`/`per_page` (and `scroll`/`scroll_id`) pagination.
pub(super) fn page_list(items: &[&Value], ctx: &Ctx, extra: Option<(&str, Value)>) -> Value {
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
pub(super) fn cursor_list(items: &[&Value], ctx: &Ctx, param: &str, key: &str) -> Value {
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
