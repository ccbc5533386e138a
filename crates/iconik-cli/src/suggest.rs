//! "Did you mean": at most three names close to a mistyped one, closest
//! first.
//!
//! Closeness is the edit distance (insertions, deletions, substitutions
//! and swaps of neighbours, each counting one); a name the typo is a
//! prefix of, or that is a prefix of the typo, counts as close too (a
//! shortened name is a common slip). A name qualifies when its distance
//! is at most a quarter of the typo's length (and at least 1, at most 3);
//! ties go to a prefix match (`get-assett` is `get-asset` and one more
//! letter), then to the name nearest in length, then alphabetically.

/// The most names suggested.
pub const MAX_SUGGESTIONS: usize = 3;

/// Up to [`MAX_SUGGESTIONS`] of `candidates` close to `typo`, closest
/// first.
pub fn similar<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let typo_len = typo.chars().count();
    let limit = (typo_len / 4).clamp(1, 3);
    let mut scored: Vec<(usize, bool, usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != typo)
        .filter_map(|c| {
            let d = distance(typo, c);
            let prefix = typo_len >= 3 && (c.starts_with(typo) || typo.starts_with(c));
            let d = if prefix { d.min(limit) } else { d };
            let len_diff = c.chars().count().abs_diff(typo_len);
            (d <= limit).then_some((d, !prefix, len_diff, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.3 == b.3);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(.., c)| c.to_owned())
        .collect()
}

/// Optimal string alignment distance (Damerau-Levenshtein without
/// repeated edits of one substring).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The message for an unknown command `typo` under `parent` (`iconik` or
/// `iconik assets`).
pub fn message(parent: &str, typo: &str, suggestions: &[String]) -> String {
    let mut text = format!("error: unrecognized command '{typo}' for '{parent}'\n");
    match suggestions {
        [] => {}
        [one] => text.push_str(&format!("\n  tip: did you mean '{one}'?\n")),
        many => {
            text.push_str("\n  tip: did you mean one of these?\n");
            for s in many {
                text.push_str(&format!("    {s}\n"));
            }
        }
    }
    text.push_str(&format!("\nFor the list: {parent} --help\n"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("get-assett", "get-asset"), 1);
        assert_eq!(distance("get-aset", "get-asset"), 1);
        assert_eq!(distance("gte-asset", "get-asset"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn at_most_three_closest_first() {
        let ops = [
            "get-asset-files",
            "get-assets",
            "get-asset",
            "get-asset-formats",
            "get-asset-proxies",
            "get-collection",
            "delete-asset",
            "patch-asset",
        ];
        let s = similar("get-assett", ops);
        assert_eq!(s.first().map(String::as_str), Some("get-asset"));
        assert!(s.len() <= 3, "{s:?}");
        assert_eq!(s, ["get-asset", "get-assets"]);
        assert_eq!(similar("get-asets", ops), ["get-assets", "get-asset"]);
        assert!(similar("zzzzzz", ops).is_empty());
        assert_eq!(similar("asets", ["assets", "acls", "auth"]), ["assets"]);
    }
}
