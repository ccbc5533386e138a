//! One-line descriptions of operations, written from their structure.
//!
//! iconik's specs carry no prose worth repeating, so the generator says
//! what an operation does from what it is: the HTTP method, whether the
//! path ends at an item (`.../{asset_id}/`) or a collection
//! (`.../assets/`), the resources above it, and whether the answer is a
//! list. The same line opens the method's rustdoc and the command's
//! `--help`.
//!
//! | shape | line |
//! |---|---|
//! | `GET /v1/assets/` answering a list | Lists assets. |
//! | `GET /v1/assets/{asset_id}/` | Gets an asset. |
//! | `POST /v1/assets/{asset_id}/files/` | Creates a file of an asset. |
//! | `PATCH /v1/assets/{asset_id}/` | Updates an asset (the fields sent). |
//! | `PUT .../{id}/` | Replaces a ... |
//! | `DELETE .../{id}/` | Deletes a ... |
//! | `POST /v1/assets/{asset_id}/restore/` | Runs `restore` on an asset. |
//! | `GET .../{proxy_id}/url/` | Gets the url of a proxy of an asset. |
//! | `GET /v1/acl/{object_type}/{object_key}/` | Gets an acl by object type and object key. |
//! | `GET /v1/jobs/statuses/` | Gets the statuses of jobs. |

use crate::spec::Endpoint;

/// A literal word of the path and the `{params}` that follow it.
struct Group<'a> {
    word: &'a str,
    params: Vec<&'a str>,
}

/// `/v1/users/{user_id}/acl/{object_type}/{object_key}/` ->
/// `users[user_id]`, `acl[object_type, object_key]` (the version skipped).
fn groups(path: &str) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = Vec::new();
    for s in path.split('/').filter(|s| !s.is_empty()).skip(1) {
        match s.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(param) => match out.last_mut() {
                Some(g) => g.params.push(param),
                None => out.push(Group {
                    word: "",
                    params: vec![param],
                }),
            },
            // `usage/by/{period}`: the parameters name the usage
            None if s == "by" && !out.is_empty() => {}
            None => out.push(Group {
                word: s,
                params: Vec::new(),
            }),
        }
    }
    out
}

/// `file_sets` -> `file sets`.
fn words(s: &str) -> String {
    s.replace(['_', '-'], " ")
}

/// True when the word looks like a plural noun (a collection of things).
fn is_plural(word: &str) -> bool {
    word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && word.len() > 2
}

/// The singular of a plural word: `proxies` -> `proxy`, `file_sets` -> `file set`.
fn singular(word: &str) -> String {
    let w = words(word);
    if let Some(stem) = w.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = w.strip_suffix("uses") {
        format!("{stem}us")
    } else if w.ends_with("sses")
        || w.ends_with("xes")
        || w.ends_with("ches")
        || w.ends_with("shes")
    {
        w[..w.len() - 2].to_owned()
    } else if is_plural(&w) {
        w[..w.len() - 1].to_owned()
    } else {
        w
    }
}

/// `a` or `an` before a word.
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o') => "an",
        _ => "a",
    }
}

/// `an asset`, `an acl by object type and object key`: one item of the
/// group, named by its parameters unless they are just `<noun>_id`.
fn one(g: &Group) -> String {
    let noun = singular(g.word);
    let mut s = format!("{} {noun}", article(&noun));
    let plain = g.params.len() == 1 && words(g.params[0]) == format!("{noun} id");
    if !g.params.is_empty() && !plain {
        let names: Vec<String> = g.params.iter().map(|p| words(p)).collect();
        let list = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        };
        s.push_str(" by ");
        s.push_str(&list);
    }
    s
}

/// `" of a file set of an asset"`: the items above, nearest first.
fn owners(above: &[Group]) -> String {
    above
        .iter()
        .rev()
        .filter(|g| !g.params.is_empty() && !g.word.is_empty())
        .map(|g| format!(" of {}", one(g)))
        .collect()
}

/// The one-line description of `ep`; `is_list` when its answer is a list.
pub fn describe(ep: &Endpoint, is_list: bool) -> String {
    let gs = groups(&ep.path);
    let Some(last) = gs.last().filter(|g| !g.word.is_empty()) else {
        return format!("Sends {} to `{}`.", ep.method, ep.path);
    };
    let line = if !last.params.is_empty() {
        // an item: `.../acl/{object_type}/{object_key}/`
        let of = owners(&gs[..gs.len() - 1]);
        let it = one(last);
        match ep.method.as_str() {
            "GET" => format!("Gets {it}{of}"),
            "PUT" => format!("Replaces {it}{of}"),
            "PATCH" => format!("Updates {it}{of} (the fields sent)"),
            "DELETE" => format!("Deletes {it}{of}"),
            "POST" => format!("Posts to {it}{of}"),
            m => format!("Sends {m} to {it}{of}"),
        }
    } else {
        // a collection or an action: the trailing words without parameters
        let start = gs
            .iter()
            .rposition(|g| !g.params.is_empty())
            .map_or(0, |i| i + 1);
        let run: Vec<&str> = gs[start..].iter().map(|g| g.word).collect();
        let of = owners(&gs[..start]);
        let target = run[run.len() - 1];
        // `jobs/statuses` -> `statuses of jobs`
        let noun = {
            let mut parts: Vec<String> = run.iter().rev().map(|w| words(w)).collect();
            let head = parts.remove(0);
            std::iter::once(head)
                .chain(parts.into_iter().map(|p| format!("of {p}")))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let plural = is_plural(target);
        let on = if of.is_empty() {
            String::new()
        } else {
            format!(" on{}", &of[" of".len()..])
        };
        match ep.method.as_str() {
            "GET" if is_list => format!("Lists {noun}{of}"),
            "GET" => format!("Gets the {noun}{of}"),
            "POST" if plural && run.len() == 1 => {
                let g = Group {
                    word: target,
                    params: Vec::new(),
                };
                format!("Creates {}{of}", one(&g))
            }
            "PUT" if plural => format!("Replaces the {noun}{of}"),
            "PATCH" => format!("Updates the {noun}{of} (the fields sent)"),
            "DELETE" => format!("Deletes the {noun}{of}"),
            _ => format!("Runs `{}`{on}", run.join("/")),
        }
    };
    format!("{line}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(method: &str, path: &str) -> Endpoint {
        Endpoint {
            service: "assets".into(),
            url_service: "assets".into(),
            name: "x".into(),
            aliases: Vec::new(),
            method: method.into(),
            path: path.into(),
            path_params: Vec::new(),
            query_params: Vec::new(),
            header_params: Vec::new(),
            content_type: String::new(),
            body: String::new(),
            success: 200,
            response: String::new(),
            auth: crate::spec::Auth::AppIdAndToken,
            tag: String::new(),
            op: String::new(),
            params: Vec::new(),
        }
    }

    #[test]
    fn lines_from_structure() {
        let d = |m, p, list| describe(&ep(m, p), list);
        assert_eq!(d("GET", "/v1/assets/", true), "Lists assets.");
        assert_eq!(d("GET", "/v1/assets/{asset_id}/", false), "Gets an asset.");
        assert_eq!(d("POST", "/v1/assets/", false), "Creates an asset.");
        assert_eq!(
            d("POST", "/v1/assets/{asset_id}/file_sets/", false),
            "Creates a file set of an asset."
        );
        assert_eq!(
            d("GET", "/v1/assets/{asset_id}/proxies/{proxy_id}/", false),
            "Gets a proxy of an asset."
        );
        assert_eq!(
            d("PATCH", "/v1/users/{user_id}/", false),
            "Updates a user (the fields sent)."
        );
        assert_eq!(
            d("POST", "/v1/assets/{asset_id}/restore/", false),
            "Runs `restore` on an asset."
        );
        assert_eq!(
            d(
                "GET",
                "/v1/users/{user_id}/acl/{object_type}/{object_key}/",
                false
            ),
            "Gets an acl by object type and object key of a user."
        );
        assert_eq!(
            d("POST", "/v1/delete_queue/assets/purge/all/", false),
            "Runs `delete_queue/assets/purge/all`."
        );
        assert_eq!(
            d("GET", "/v1/jobs/statuses/", false),
            "Gets the statuses of jobs."
        );
        assert_eq!(
            d("GET", "/v1/transcoder/usage/by/{period}/", false),
            "Gets a usage by period."
        );
        assert_eq!(d("POST", "/v1/search/", false), "Runs `search`.");
        assert_eq!(
            d(
                "GET",
                "/v1/assets/{asset_id}/proxies/{proxy_id}/url/",
                false
            ),
            "Gets the url of a proxy of an asset."
        );
        assert_eq!(
            d(
                "DELETE",
                "/v1/collections/{collection_id}/contents/{object_id}/",
                false
            ),
            "Deletes a content by object id of a collection."
        );
        assert_eq!(singular("statuses"), "status");
        assert_eq!(singular("proxies"), "proxy");
        assert_eq!(singular("status"), "status");
    }
}
