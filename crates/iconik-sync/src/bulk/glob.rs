//! Include and exclude patterns: a small glob matcher (`*`, `?`, `**`,
//! `[...]`) over paths relative to the sync's root, `/`-separated.

use std::fmt;

use crate::error::{Error, Result};

/// The most tokens a pattern may have (keeps matching cheap and bounded).
const MAX_TOKENS: usize = 1024;

/// A shell-style pattern matched against a path relative to the sync's
/// root, with `/` between components.
///
/// - `*` matches any run of characters except `/`; `?` one character
///   except `/`.
/// - `**` matches any run of characters, `/` included; `**/` also matches
///   nothing, so `**/cache` matches `cache` and `a/b/cache`.
/// - `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) match one character of (or
///   not of) the set; `\` makes the next character literal.
/// - A pattern without `/` matches a name at any depth (`*.tmp` matches
///   `a/b/x.tmp`); a pattern with `/` matches the whole relative path (a
///   leading `/` is allowed: `/rushes/*.mov`).
/// - A trailing `/` matches directories only (`proxies/`).
///
/// ```
/// use iconik_sync::bulk::Glob;
/// let g = Glob::new("*.tmp").unwrap();
/// assert!(g.matches("a/b/x.tmp", false));
/// assert!(!g.matches("a/b/x.tmpl", false));
/// let g = Glob::new("day[0-9]/**/*.mov").unwrap();
/// assert!(g.matches("day1/cam/a/clip.mov", false));
/// assert!(g.matches("day1/clip.mov", false));
/// assert!(!g.matches("dayX/clip.mov", false));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    tokens: Vec<Token>,
    /// Matched against the last component only.
    basename: bool,
    dirs_only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**` (crosses `/`)
    StarStar,
    /// `**/`: nothing, or anything ending with `/`
    AnyDirs,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Glob {
    /// Parses a pattern.
    ///
    /// ```
    /// assert!(iconik_sync::bulk::Glob::new("[a-").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty pattern, an unclosed `[`,
    /// a trailing `\`, or a pattern of more than 1024 tokens.
    pub fn new(pattern: &str) -> Result<Glob> {
        let bad = |why: &str| Error::invalid(format!("pattern {pattern:?}: {why}"));
        let mut body = pattern;
        let dirs_only = body.len() > 1 && body.ends_with('/') && !body.ends_with("\\/");
        if dirs_only {
            body = &body[..body.len() - 1];
        }
        let anchored = body.starts_with('/');
        body = body.trim_start_matches('/');
        if body.is_empty() {
            return Err(bad("empty"));
        }
        let chars: Vec<char> = body.chars().collect();
        let mut tokens = Vec::new();
        let mut has_slash = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let token = match c {
                '\\' => {
                    i += 1;
                    Token::Char(*chars.get(i).ok_or_else(|| bad("ends with a lone \\"))?)
                }
                '?' => Token::One,
                '*' if chars.get(i + 1) == Some(&'*') => {
                    let at_start = i == 0 || chars[i - 1] == '/';
                    while chars.get(i + 1) == Some(&'*') {
                        i += 1;
                    }
                    if at_start && chars.get(i + 1) == Some(&'/') {
                        i += 1;
                        has_slash = true;
                        Token::AnyDirs
                    } else {
                        Token::StarStar
                    }
                }
                '*' => Token::Star,
                '[' => {
                    let (token, next) = class(&chars, i).ok_or_else(|| bad("unclosed ["))?;
                    i = next - 1;
                    token
                }
                '/' => {
                    has_slash = true;
                    Token::Char('/')
                }
                c => Token::Char(c),
            };
            // `*` next to `*` adds nothing: keep one
            let redundant = matches!(
                (tokens.last(), &token),
                (Some(Token::Star), Token::Star) | (Some(Token::StarStar), Token::StarStar)
            );
            if !redundant {
                tokens.push(token);
            }
            if tokens.len() > MAX_TOKENS {
                return Err(bad("too long"));
            }
            i += 1;
        }
        Ok(Glob {
            source: pattern.to_owned(),
            tokens,
            basename: !anchored && !has_slash,
            dirs_only,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `rel_path` (relative to the root, `/`-separated, no leading
    /// `/`) matches; `is_dir` tells whether it names a directory.
    pub fn matches(&self, rel_path: &str, is_dir: bool) -> bool {
        if self.dirs_only && !is_dir {
            return false;
        }
        let text = if self.basename {
            rel_path.rsplit('/').next().unwrap_or(rel_path)
        } else {
            rel_path
        };
        let text: Vec<char> = text.chars().collect();
        matches(&self.tokens, &text)
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.source)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Parses `[...]` starting at `chars[start] == '['`; returns the token and
/// the index after `]`.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start + 1;
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        if c == '\\' {
            i += 1;
            c = *chars.get(i)?;
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            let mut end = chars[i + 2];
            i += 2;
            if end == '\\' {
                i += 1;
                end = *chars.get(i)?;
            }
            ranges.push((c.min(end), c.max(end)));
        } else {
            ranges.push((c, c));
        }
        i += 1;
    }
}

/// Whether `tokens` match all of `text`: dynamic programming over
/// (token, position), so a pattern with many stars stays linear per row.
fn matches(tokens: &[Token], text: &[char]) -> bool {
    // reach[j]: the tokens so far can match text[..j]
    let mut reach = vec![false; text.len() + 1];
    reach[0] = true;
    for token in tokens {
        let mut next = vec![false; text.len() + 1];
        match token {
            Token::Star | Token::StarStar => {
                let crosses = matches!(token, Token::StarStar);
                let mut on = false;
                for j in 0..=text.len() {
                    if reach[j] {
                        on = true;
                    } else if on && j > 0 && !crosses && text[j - 1] == '/' {
                        on = false;
                    }
                    next[j] = on;
                }
            }
            Token::AnyDirs => {
                // nothing, or any run that ends with '/'
                let mut seen = false;
                for j in 0..=text.len() {
                    next[j] = reach[j] || (seen && text[j - 1] == '/');
                    seen |= reach[j];
                }
            }
            single => {
                for j in 0..text.len() {
                    if reach[j] && one(single, text[j]) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reach = next;
        if !reach.iter().any(|&r| r) {
            return false;
        }
    }
    reach[text.len()]
}

fn one(token: &Token, c: char) -> bool {
    match token {
        Token::Char(want) => *want == c,
        Token::One => c != '/',
        Token::Class { negated, ranges } => {
            c != '/' && ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        _ => false,
    }
}

/// Why a path is left out of a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Synced.
    Included,
    /// An exclude pattern matched it.
    Excluded(String),
    /// Include patterns were given and none matched it (files only).
    NotIncluded,
}

/// Include and exclude patterns together: a path is synced when no
/// exclude pattern matches it and, for files, when there are no include
/// patterns or one of them matches. Directories are entered unless an
/// exclude pattern matches them (so `--include '*.mov'` finds `.mov`
/// files at any depth).
///
/// ```
/// use iconik_sync::bulk::{Filter, Verdict};
/// let f = Filter::new().include("*.mov")?.include("*.wav")?
///     .exclude("**/cache/")?.exclude("*.tmp")?;
/// assert_eq!(f.verdict("day1/a.mov", false), Verdict::Included);
/// assert_eq!(f.verdict("day1/a.txt", false), Verdict::NotIncluded);
/// assert_eq!(f.verdict("day1/cache", true), Verdict::Excluded("**/cache/".into()));
/// # Ok::<(), iconik_sync::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    include: Vec<Glob>,
    exclude: Vec<Glob>,
}

impl Filter {
    /// A filter that lets everything through.
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Adds an include pattern: once there is one, only files matching an
    /// include pattern are synced.
    ///
    /// ```
    /// let f = iconik_sync::bulk::Filter::new().include("*.mov")?.exclude("*.tmp")?;
    /// # let _ = f;
    /// # Ok::<(), iconik_sync::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a pattern [`Glob::new`] refuses.
    pub fn include(mut self, pattern: &str) -> Result<Filter> {
        self.include.push(Glob::new(pattern)?);
        Ok(self)
    }

    /// Adds an exclude pattern: what it matches is not synced (a
    /// directory it matches is not entered).
    ///
    /// ```
    /// let f = iconik_sync::bulk::Filter::new().exclude("**/.cache/")?;
    /// # let _ = f;
    /// # Ok::<(), iconik_sync::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a pattern [`Glob::new`] refuses.
    pub fn exclude(mut self, pattern: &str) -> Result<Filter> {
        self.exclude.push(Glob::new(pattern)?);
        Ok(self)
    }

    /// True when the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// What the filter says about `rel_path`.
    pub fn verdict(&self, rel_path: &str, is_dir: bool) -> Verdict {
        if let Some(g) = self.exclude.iter().find(|g| g.matches(rel_path, is_dir)) {
            return Verdict::Excluded(g.as_str().to_owned());
        }
        if is_dir
            || self.include.is_empty()
            || self.include.iter().any(|g| g.matches(rel_path, false))
        {
            Verdict::Included
        } else {
            Verdict::NotIncluded
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, path: &str) -> bool {
        Glob::new(p).unwrap().matches(path, false)
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("*.tmp", "x.tmp"));
        assert!(m("*.tmp", ".tmp"));
        assert!(m("*.tmp", "deep/er/x.tmp"));
        assert!(!m("*.tmp", "x.tmp/y"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("?.mov", "a.mov"));
        assert!(!m("?.mov", "ab.mov"));
        assert!(m("*", "anything"));
        assert!(m("***", "anything"));
        assert!(!m("/*", "a/b"), "anchored * stays within one component");
        assert!(m("/*", "a"));
    }

    #[test]
    fn double_stars() {
        assert!(m("**/cache", "cache"));
        assert!(m("**/cache", "a/b/cache"));
        assert!(!m("**/cache", "a/bcache"));
        assert!(m("a/**/b", "a/b"));
        assert!(m("a/**/b", "a/x/y/b"));
        assert!(!m("a/**/b", "ab"));
        assert!(m("a/**", "a/x/y"));
        assert!(m("**", "a/x/y"));
        assert!(m("a/**z", "a/b/cz"));
        assert!(!m("a**z", "a/b/z"), "no / in the pattern: the name only");
        assert!(m("day*/**/*.mov", "day1/cam/clip.mov"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(m("[abc].mov", "b.mov"));
        assert!(!m("[abc].mov", "d.mov"));
        assert!(m("[!abc].mov", "d.mov"));
        assert!(m("[^abc].mov", "d.mov"));
        assert!(m("clip[0-9][0-9]", "clip42"));
        assert!(!m("clip[0-9]", "clipx"));
        assert!(m("[]]", "]"));
        assert!(m("[a-]", "-"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "x"));
        assert!(m("[\\]]", "]"));
        assert!(!m("a[/]b", "a/b"), "a class never matches /");
        assert!(m("é?", "éà"), "characters, not bytes");
    }

    #[test]
    fn anchoring_and_directories() {
        assert!(m("rushes/*.mov", "rushes/a.mov"));
        assert!(!m("rushes/*.mov", "x/rushes/a.mov"));
        assert!(m("/rushes/*.mov", "rushes/a.mov"));
        let g = Glob::new("cache/").unwrap();
        assert!(g.matches("a/cache", true));
        assert!(!g.matches("a/cache", false));
    }

    #[test]
    fn bad_patterns_are_refused() {
        for p in ["", "/", "[a", "[", "ab\\", "[!", "x[a-"] {
            assert!(Glob::new(p).is_err(), "{p:?}");
        }
        assert!(Glob::new(&"a".repeat(2000)).is_err());
    }

    #[test]
    fn many_stars_stay_fast() {
        let p = "*a".repeat(200);
        let text = "a".repeat(199) + "b";
        let started = std::time::Instant::now();
        assert!(!m(&p, &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn filter_verdicts() {
        let f = Filter::new()
            .include("*.mov")
            .unwrap()
            .exclude("tmp/")
            .unwrap()
            .exclude("*.part")
            .unwrap();
        assert_eq!(f.verdict("a.mov", false), Verdict::Included);
        assert_eq!(
            f.verdict("a.part", false),
            Verdict::Excluded("*.part".into())
        );
        assert_eq!(
            f.verdict("x.mov.part", false),
            Verdict::Excluded("*.part".into())
        );
        assert_eq!(f.verdict("a.txt", false), Verdict::NotIncluded);
        assert_eq!(f.verdict("tmp", true), Verdict::Excluded("tmp/".into()));
        assert_eq!(f.verdict("other", true), Verdict::Included);
        assert!(Filter::default().is_empty());
    }
}
