//! Names: iconik titles made safe as local file names on the way down,
//! made unique within a folder, and local paths turned into journal keys.

use std::collections::HashSet;
use std::ffi::OsStr;

/// The longest local name, in bytes: most file systems allow 255, and a
/// download first writes `.<name>.iconik-part` beside the name, which must
/// fit as well.
pub const MAX_NAME_BYTES: usize = 255 - 1 - crate::transfer::PART_SUFFIX.len();

/// A name usable as one local path component, made from an iconik title
/// or file name, and whether it had to change.
///
/// Separators (`/`, `\`), control characters (C0, DEL, C1), the Unicode
/// bidirectional overrides and isolates (which make a name display in
/// another order than it is stored) and characters Windows refuses in names
/// (`<>:"|?*`) become `_`; a name that is empty,
/// `.` or `..`, or ends with a dot or space, gets a `_` so it cannot walk
/// out of its folder or vanish; names longer than 255 bytes are shortened,
/// keeping the extension.
///
/// ```
/// use iconik_sync::bulk::safe_name;
/// assert_eq!(safe_name("clip.mov"), ("clip.mov".to_owned(), false));
/// assert_eq!(safe_name("../etc/passwd").0, ".._etc_passwd");
/// assert_eq!(safe_name("..").0, "_..");
/// assert_eq!(safe_name("a\u{1b}[31mb").0, "a_[31mb");
/// assert_eq!(safe_name("").0, "_");
/// assert_eq!(safe_name("clip\u{202e}vom.exe").0, "clip_vom.exe");
/// ```
pub fn safe_name(raw: &str) -> (String, bool) {
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c == '/'
                || c == '\\'
                || c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
                || "<>:\"|?*".contains(c)
            {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        name.insert(0, '_');
    } else if name.ends_with('.') || name.ends_with(' ') {
        name.push('_');
    }
    if name.len() > MAX_NAME_BYTES {
        name = shorten(&name, MAX_NAME_BYTES);
    }
    let changed = name != raw;
    (name, changed)
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a
/// short extension.
fn shorten(name: &str, max: usize) -> String {
    let (stem, ext) = split_ext(name);
    let ext = if ext.len() <= 16 { ext } else { "" };
    let mut cut = max.saturating_sub(ext.len());
    while !stem.is_char_boundary(cut.min(stem.len())) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut.min(stem.len())])
}

/// `("clip", ".mov")`; a leading dot is part of the stem (`.profile`).
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

/// The names taken in one local folder, compared without case (so a tree
/// brought down on Linux can be copied to macOS or Windows).
#[derive(Debug, Default)]
pub(crate) struct Taken {
    names: HashSet<String>,
}

impl Taken {
    /// Marks `name` as taken (an entry already on disk or already chosen).
    pub(crate) fn insert(&mut self, name: &str) {
        self.names.insert(name.to_lowercase());
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.contains(&name.to_lowercase())
    }

    /// `name` if free, else `stem (2).ext`, `stem (3).ext`, ...: the name
    /// chosen (now taken) and whether it differs from `name`.
    pub(crate) fn unique(&mut self, name: &str) -> (String, bool) {
        if !self.contains(name) {
            self.insert(name);
            return (name.to_owned(), false);
        }
        let (stem, ext) = split_ext(name);
        for n in 2u64.. {
            let suffix = format!(" ({n}){ext}");
            let stem = shorten(stem, MAX_NAME_BYTES.saturating_sub(suffix.len()));
            let candidate = format!("{stem}{suffix}");
            if !self.contains(&candidate) {
                self.insert(&candidate);
                return (candidate, true);
            }
        }
        unreachable!("u64 suffixes run out")
    }
}

/// A journal key for a path component: UTF-8 names as they are except
/// `%` (as `%25`); bytes that are not UTF-8 as `%XX`. Lossless, so two
/// names that differ only in invalid bytes keep different keys.
pub(crate) fn key_component(name: &OsStr) -> String {
    let mut out = String::new();
    for chunk in bytes_of(name).utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' {
                out.push_str("%25");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(unix)]
fn bytes_of(name: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(name.as_bytes())
}

#[cfg(not(unix))]
fn bytes_of(name: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    match name.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_made_safe() {
        for (raw, want) in [
            ("a/b", "a_b"),
            ("a\\b", "a_b"),
            (".", "_."),
            ("..", "_.."),
            ("...", "_..."),
            ("a\0b", "a_b"),
            ("a\nb", "a_b"),
            ("a\u{9b}b", "a_b"),
            ("end.", "end._"),
            ("end ", "end _"),
            ("con:x", "con_x"),
            ("q?*", "q__"),
        ] {
            let (got, changed) = safe_name(raw);
            assert_eq!(got, want, "{raw:?}");
            assert!(changed);
        }
        assert_eq!(
            safe_name("Interview 01.mov"),
            ("Interview 01.mov".into(), false)
        );
        assert_eq!(safe_name(".profile"), (".profile".into(), false));
    }

    #[test]
    fn long_names_keep_their_extension_and_char_boundaries() {
        let long = "é".repeat(200) + ".mov";
        let (got, changed) = safe_name(&long);
        assert!(changed);
        assert!(got.len() <= MAX_NAME_BYTES, "{}", got.len());
        assert!(got.ends_with(".mov"));
    }

    #[test]
    fn collisions_get_numbers_without_case() {
        let mut t = Taken::default();
        assert_eq!(t.unique("a.mov"), ("a.mov".into(), false));
        assert_eq!(t.unique("A.mov"), ("A (2).mov".into(), true));
        assert_eq!(t.unique("a.mov"), ("a (3).mov".into(), true));
        t.insert("b (2)");
        assert_eq!(t.unique("b"), ("b".into(), false));
        assert_eq!(t.unique("b"), ("b (3)".into(), true));
        let long = "x".repeat(MAX_NAME_BYTES);
        t.insert(&long);
        let (got, _) = t.unique(&long);
        assert!(got.len() <= MAX_NAME_BYTES && got.ends_with(" (2)"));
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_lossless() {
        use std::os::unix::ffi::OsStrExt;
        let a = OsStr::from_bytes(b"clip\xff.mov");
        let b = OsStr::new("clip%FF.mov");
        assert_eq!(key_component(a), "clip%FF.mov");
        assert_eq!(key_component(b), "clip%25FF.mov");
        assert_eq!(key_component(OsStr::new("été")), "été");
    }
}
