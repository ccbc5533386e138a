//! Text that reaches a terminal: nothing a server (or a file name) sends
//! may act as a control sequence there.
//!
//! A terminal acts on C0 controls (ESC starts a sequence, BEL, CR moves
//! the cursor), DEL, and C1 controls (U+0080..U+009F; U+009B is a
//! one-character CSI on terminals that read 8-bit controls), and reorders
//! text around the Unicode bidirectional overrides. Everything printed on
//! stderr (errors, warnings, `-v` lines, progress) goes through
//! [`visible`]; table cells through [`cell`]; JSON escapes the same set
//! inside strings (see `output`).

/// True for a character that must never reach a terminal as itself.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The Unicode bidirectional embeddings, overrides and isolates, which
/// make text display in another order than it is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as a visible escape
/// (`\u{1b}`), line breaks and tabs kept: for messages, where the reader
/// should see that something odd came.
pub fn visible(text: &str) -> String {
    if !text.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` on one line for a table cell: unsafe characters (line breaks
/// included) become spaces, so columns stay aligned.
pub fn cell(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { ' ' } else { c })
        .collect()
}

/// The width of `text` in terminal columns, counting one per character
/// (wide CJK characters count one too: a table may then be off by a few
/// columns, never cut inside a character).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` shortened to at most `max` columns by cutting its middle
/// (`rushes/…/clip.mov`): the end of a path is its file name, the part
/// worth keeping.
pub fn shorten_middle(text: &str, max: usize) -> String {
    let n = width(text);
    if n <= max {
        return text.to_owned();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let keep = max - 1;
    let tail = keep.div_ceil(2).max(keep * 2 / 3);
    let head = keep - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// A path shortened to at most `max` columns, keeping its file name
/// whole when it fits (`/home/me…/clip.mov`), else cut in its middle.
pub fn shorten_path(path: &str, max: usize) -> String {
    if width(path) <= max {
        return path.to_owned();
    }
    let name_start = path.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let name = &path[name_start..];
    let name_width = width(name);
    if name_start == 0 || name_width + 2 > max {
        return shorten_middle(path, max);
    }
    // as much of the start as fits before "…/name"
    let head: String = path.chars().take(max - name_width - 2).collect();
    format!("{head}…{}", &path[name_start - 1..])
}

/// `text` shortened to at most `max` columns by cutting its end.
pub fn shorten_end(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_c0_c1_del_and_bidi_but_keeps_lines() {
        assert_eq!(
            visible("a\x1b]0;x\x07b\r\u{9b}2J\u{7f}\u{202e}c\nd\te"),
            "a\\u{1b}]0;x\\u{7}b\\u{d}\\u{9b}2J\\u{7f}\\u{202e}c\nd\te"
        );
        assert_eq!(visible("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn cells_are_one_line() {
        assert_eq!(cell("a\nb\x1b[2J\u{9b}c"), "a b [2J c");
    }

    #[test]
    fn shortening_keeps_the_end_of_a_path_and_fits() {
        let p = "/home/someone/projects/rushes/day-2/clip-0001.mov";
        for max in 1..60 {
            let s = shorten_middle(p, max);
            assert!(width(&s) <= max, "{max}: {s}");
        }
        assert_eq!(shorten_middle(p, 20), "/home/s…lip-0001.mov");
        assert_eq!(shorten_middle("short", 20), "short");
        assert_eq!(shorten_path(p, 30), "/home/someone/p…/clip-0001.mov");
        assert_eq!(shorten_path(p, 14), "/home…0001.mov");
        for max in 1..60 {
            assert!(width(&shorten_path(p, max)) <= max, "{max}");
        }
        assert_eq!(shorten_end("a title too long", 8), "a title…");
        assert_eq!(shorten_end("fits", 8), "fits");
    }
}
