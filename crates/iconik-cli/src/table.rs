//! `--output table`: columns chosen for what the answer holds, ids never
//! dropped.
//!
//! - transfer summaries (`iconik upload`, `iconik download`): PATH,
//!   ASSET_ID, FILE_ID, SIZE, MD5 (and ERROR when a file failed);
//! - files (every row has a `size` and a `status`, no `title`): ID, NAME,
//!   SIZE, STATUS;
//! - anything else: ID and the first of TITLE or NAME. Rows without an
//!   `id` show their other `*_id` fields instead, and a row with nothing
//!   to show gets its JSON in a VALUE column.
//!
//! Cells are one line with control characters removed
//! ([`crate::term::cell`]). On a terminal the free-text column (title,
//! name, path, error) is shortened so that a row fits the width; ids,
//! sizes and checksums are never cut (a row too wide even so is left
//! whole, for the terminal to wrap).

use std::io::{self, Write};

use serde_json::Value;

use crate::term;

/// What kind of rows a table holds, when the command knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Transfer summaries.
    Transfers,
    /// Decided from the rows.
    Auto,
}

/// The most `*_id` columns shown for rows without an `id`.
const MAX_OTHER_IDS: usize = 4;
/// The longest a VALUE cell gets (its JSON, cut).
const MAX_VALUE: usize = 120;
/// The narrowest a shortened text column gets.
const MIN_TEXT: usize = 12;

/// What one row may show; the columns are chosen when the table is
/// written, from all rows.
#[derive(Default)]
struct Row {
    id: Option<String>,
    title: Option<String>,
    name: Option<String>,
    size: Option<String>,
    status: Option<String>,
    other_ids: Vec<(String, String)>,
    path: Option<String>,
    asset_id: Option<String>,
    file_id: Option<String>,
    md5: Option<String>,
    error: Option<String>,
    value: Option<String>,
}

/// Rows, aligned when written.
pub struct Table {
    kind: Kind,
    rows: Vec<Row>,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(term::cell(s)),
        other => Some(term::cell(&other.to_string())),
    }
}

impl Table {
    /// An empty table of `kind`.
    pub fn new(kind: Kind) -> Table {
        Table {
            kind,
            rows: Vec::new(),
        }
    }

    /// Adds the row for one item.
    pub fn push(&mut self, item: &Value) {
        let get = |key: &str| item.get(key).and_then(text);
        let mut row = Row {
            id: get("id"),
            title: get("title"),
            name: get("name").or_else(|| get("original_name")),
            size: get("size"),
            status: get("status"),
            path: get("path"),
            asset_id: get("asset_id"),
            file_id: get("file_id"),
            md5: get("md5"),
            error: get("error"),
            ..Row::default()
        };
        if row.id.is_none() {
            if let Value::Object(map) = item {
                row.other_ids = map
                    .iter()
                    .filter(|(k, _)| k.ends_with("_id"))
                    .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
                    .take(MAX_OTHER_IDS)
                    .collect();
            }
        }
        if row.id.is_none() && row.other_ids.is_empty() && row.title.is_none() && row.name.is_none()
        {
            row.value = Some(term::shorten_end(&term::cell(&item.to_string()), MAX_VALUE));
        }
        self.rows.push(row);
    }

    /// The header and cells, and which column may be shortened.
    fn layout(&self) -> (Vec<String>, Vec<Vec<String>>, Option<usize>) {
        let any = |f: fn(&Row) -> bool| self.rows.iter().any(f);
        let cell = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let files = !self.rows.is_empty()
            && self
                .rows
                .iter()
                .all(|r| r.size.is_some() && r.status.is_some() && r.title.is_none());
        type Col = (String, Box<dyn Fn(&Row) -> String>);
        let mut cols: Vec<Col> = Vec::new();
        let mut flexible = None;
        let col = |name: &str, f: Box<dyn Fn(&Row) -> String>| (name.to_owned(), f);
        if self.kind == Kind::Transfers {
            flexible = Some(0);
            cols.push(col("PATH", Box::new(move |r| cell(&r.path))));
            cols.push(col("ASSET_ID", Box::new(move |r| cell(&r.asset_id))));
            cols.push(col("FILE_ID", Box::new(move |r| cell(&r.file_id))));
            cols.push(col("SIZE", Box::new(move |r| cell(&r.size))));
            cols.push(col("MD5", Box::new(move |r| cell(&r.md5))));
            if any(|r| r.error.is_some()) {
                flexible = Some(5);
                cols.push(col("ERROR", Box::new(move |r| cell(&r.error))));
            }
        } else if files {
            cols.push(col("ID", Box::new(move |r| cell(&r.id))));
            flexible = Some(1);
            cols.push(col("NAME", Box::new(move |r| cell(&r.name))));
            cols.push(col("SIZE", Box::new(move |r| cell(&r.size))));
            cols.push(col("STATUS", Box::new(move |r| cell(&r.status))));
        } else {
            if any(|r| r.id.is_some()) {
                cols.push(col("ID", Box::new(move |r| cell(&r.id))));
            }
            let mut others: Vec<String> = Vec::new();
            for r in &self.rows {
                for (k, _) in &r.other_ids {
                    if !others.contains(k) && others.len() < MAX_OTHER_IDS {
                        others.push(k.clone());
                    }
                }
            }
            for key in others {
                let header = key.to_uppercase();
                cols.push(col(
                    &header,
                    Box::new(move |r: &Row| {
                        r.other_ids
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_else(|| "-".into())
                    }),
                ));
            }
            let titles = any(|r| r.title.is_some());
            let names = any(|r| r.name.is_some());
            if titles || names {
                flexible = Some(cols.len());
                let header = if titles { "TITLE" } else { "NAME" };
                cols.push(col(
                    header,
                    Box::new(move |r| {
                        r.title
                            .clone()
                            .or_else(|| r.name.clone())
                            .unwrap_or_default()
                    }),
                ));
            }
            if any(|r| r.value.is_some()) || cols.is_empty() {
                flexible = Some(cols.len());
                cols.push(col(
                    "VALUE",
                    Box::new(|r| r.value.clone().unwrap_or_default()),
                ));
            }
        }
        let header = cols.iter().map(|(h, _)| h.clone()).collect();
        let cells = self
            .rows
            .iter()
            .map(|r| cols.iter().map(|(_, f)| f(r)).collect())
            .collect();
        (header, cells, flexible)
    }

    /// Writes the header and the rows; `width` (a terminal's columns)
    /// shortens the free-text column so a row fits.
    pub fn write(&self, out: &mut dyn Write, width: Option<usize>) -> io::Result<()> {
        let (header, mut rows, flexible) = self.layout();
        let mut widths: Vec<usize> = header.iter().map(|h| term::width(h)).collect();
        for row in &rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(term::width(c));
            }
        }
        if let (Some(max), Some(flex)) = (width, flexible) {
            let others: usize = widths
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != flex)
                .map(|(_, w)| w + 2)
                .sum();
            let room = max.saturating_sub(others);
            // shortened only when the row then fits: ids are never cut, and
            // a row that wraps anyway keeps its whole text
            if room >= MIN_TEXT && widths[flex] > room {
                widths[flex] = room;
                let path = header[flex] == "PATH";
                for row in &mut rows {
                    row[flex] = if path {
                        term::shorten_path(&row[flex], room)
                    } else {
                        term::shorten_end(&row[flex], room)
                    };
                }
            }
        }
        let last = header.len().saturating_sub(1);
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
                if i == last {
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&" ".repeat(w - term::width(c) + 2));
                }
            }
            s.truncate(s.trim_end().len());
            s
        };
        writeln!(out, "{}", line(&header))?;
        for row in &rows {
            writeln!(out, "{}", line(row))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(kind: Kind, items: Value, width: Option<usize>) -> String {
        let mut t = Table::new(kind);
        for item in items.as_array().unwrap() {
            t.push(item);
        }
        let mut out = Vec::new();
        t.write(&mut out, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn other_rows_show_id_and_title_or_name_without_control_characters() {
        let text = render(
            Kind::Auto,
            json!([
                {"id": "abc", "title": "first\u{1b}[2J\u{9b}"},
                {"id": "a", "name": "second"},
                {"title": "no id"}
            ]),
            None,
        );
        assert_eq!(
            text,
            "ID   TITLE\nabc  first [2J\na    second\n-    no id\n"
        );
        let names = render(Kind::Auto, json!([{"id": "u1", "name": "Ann"}]), None);
        assert_eq!(names, "ID  NAME\nu1  Ann\n");
    }

    #[test]
    fn files_show_id_name_size_and_status() {
        let text = render(
            Kind::Auto,
            json!([
                {"id": "f1", "original_name": "clip.mov", "size": 1024, "status": "CLOSED"},
                {"id": "f22", "name": "b.wav", "size": 7, "status": "OPEN"}
            ]),
            None,
        );
        assert_eq!(
            text,
            "ID   NAME      SIZE  STATUS\nf1   clip.mov  1024  CLOSED\nf22  b.wav     7     OPEN\n"
        );
    }

    #[test]
    fn transfers_keep_every_id_and_show_errors() {
        let text = render(
            Kind::Transfers,
            json!([
                {"path": "a.bin", "asset_id": "A1", "file_id": "F1", "size": 3, "md5": "m"},
                {"path": "b.bin", "error": "gone"}
            ]),
            None,
        );
        assert_eq!(
            text,
            "PATH   ASSET_ID  FILE_ID  SIZE  MD5  ERROR\n\
             a.bin  A1        F1       3     m    -\n\
             b.bin  -         -        -     -    gone\n"
        );
    }

    #[test]
    fn rows_without_id_keep_their_other_ids_or_their_json() {
        let text = render(
            Kind::Auto,
            json!([{"object_id": "o1", "view_id": "v1", "x": 1}, {"x": 2}]),
            None,
        );
        assert_eq!(
            text,
            "OBJECT_ID  VIEW_ID  VALUE\no1         v1\n-          -        {\"x\":2}\n"
        );
    }

    #[test]
    fn a_narrow_terminal_shortens_the_text_never_the_ids() {
        let long = "a title long enough to wrap on a narrow terminal";
        let text = render(
            Kind::Auto,
            json!([{"id": "6f1f5b9e-0000-0000-0000-000000000001", "title": long}]),
            Some(60),
        );
        for line in text.lines() {
            assert!(term::width(line) <= 60, "{line}");
        }
        assert!(text.contains("6f1f5b9e-0000-0000-0000-000000000001"));
        assert!(text.contains("a title long enough t…"), "{text}");
        let paths = render(
            Kind::Transfers,
            json!([{"path": "/very/long/directory/name/of/rushes/clip.mov",
                    "asset_id": "A", "file_id": "F", "size": 1, "md5": "m"}]),
            Some(45),
        );
        assert!(paths.contains("/very…/clip.mov  A"), "{paths}");
        // too narrow for the ids anyway: the text stays whole
        let wide = json!([{"id": "6f1f5b9e-0000-0000-0000-000000000001", "title": long}]);
        let text = render(Kind::Auto, wide, Some(40));
        assert!(text.contains(long), "{text}");
    }
}
