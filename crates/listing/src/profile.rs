//! Split profiles: the conventions of particular sites or document sets
//! (a title suffix, a word that starts every snippet, a numbering scheme),
//! kept as data and enabled by name, so that the default split stays
//! generic.
//!
//! A profile is a text file of `directive = value` lines (`#` starts a
//! comment line); values are JSON strings (so that leading and trailing
//! spaces are visible) or `true`. Directives (each may repeat):
//!
//! | directive | effect |
//! | --- | --- |
//! | `title-ends-after = "…"` | the title ends right after the first match of the pattern (ASCII case ignored; `{version}` matches digits and dots), before any other rule |
//! | `snippet-starts-with = "…"` | the snippet starts at this word (after the repeated-title rule) |
//! | `snippet-starts-with-after-identifier = "…"` | the same, only when the text before it is one identifier (`rfftfreq paddle.fft…`) |
//! | `bracketed-identifier-title = true` | `[ category ]name` with an identifier `name` is the title (the name's repeat glued after it is cut off) |
//! | `number-prefix = "…"` | a word before a numbered title (`LCP 54. `) |
//! | `numbered-title-tail = "…"` | after the guessed end of a numbered title, this token (maybe glued to the snippet) still belongs to it (` II`, ` 🔒`) |
//! | `title-suffix = "…"` | a re-upload suffix kept in the title (`（完整版）`) |
//! | `version-after-title = true` | a version right after the guessed title end joins the title when two dots or non-Chinese text follow (`参考指南 3.11.10 bisect`) |
//!
//! Bundled profiles are listed by [`Profile::bundled_names`] and loaded by
//! [`Profile::bundled`]; `docs/listing-format.md` documents them.

use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The conventions of a site or document set that the split may use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    name: String,
    pub(crate) title_ends_after: Vec<Pattern>,
    pub(crate) snippet_starts_with: Vec<String>,
    pub(crate) snippet_after_identifier: Vec<String>,
    pub(crate) bracketed_identifier_title: bool,
    pub(crate) number_prefixes: Vec<String>,
    pub(crate) numbered_title_tails: Vec<String>,
    pub(crate) title_suffixes: Vec<String>,
    pub(crate) version_after_title: bool,
}

/// A literal with `{version}` holes, matched ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    Version,
}

impl Pattern {
    fn parse(s: &str) -> Pattern {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(i) = rest.find("{version}") {
            if i > 0 {
                out.push(Piece::Lit(rest[..i].to_string()));
            }
            out.push(Piece::Version);
            rest = &rest[i + "{version}".len()..];
        }
        if !rest.is_empty() {
            out.push(Piece::Lit(rest.to_string()));
        }
        Pattern(out)
    }

    /// Length of the match at the start of `s`.
    fn match_at(&self, s: &str) -> Option<usize> {
        let mut at = 0;
        for p in &self.0 {
            let rest = &s[at..];
            match p {
                Piece::Lit(l) => {
                    let head = rest.as_bytes().get(..l.len())?;
                    if !head.eq_ignore_ascii_case(l.as_bytes()) {
                        return None;
                    }
                    at += l.len();
                }
                Piece::Version => {
                    at += rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
                }
            }
        }
        Some(at)
    }

    /// End of the first match in `s` starting before byte `limit`.
    pub(crate) fn end_of_first(&self, s: &str, limit: usize) -> Option<usize> {
        s.char_indices()
            .take_while(|(i, _)| *i <= limit)
            .find_map(|(i, _)| self.match_at(&s[i..]).filter(|n| *n > 0).map(|n| i + n))
    }
}

/// The bundled profiles: (name, text).
const BUNDLED: [(&str, &str); 2] = [
    ("dev-sources", include_str!("../profiles/dev-sources.txt")),
    ("manual-versions", include_str!("../profiles/manual-versions.txt")),
];

impl Profile {
    /// Parse a profile's text (see the module documentation).
    ///
    /// # Errors
    ///
    /// [`Error::Profile`] naming the line of an unknown directive or a
    /// value that is not a JSON string (or `true` for a flag).
    pub fn parse(name: &str, text: &str) -> Result<Profile> {
        let mut p = Profile { name: name.to_string(), ..Profile::default() };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| Error::Profile {
                name: name.to_string(),
                line: n + 1,
                what: what.to_string(),
            };
            let (key, value) =
                line.split_once('=').ok_or_else(|| bad("expected `directive = value`"))?;
            let (key, value) = (key.trim(), value.trim());
            let flag = || (value == "true").then_some(true).ok_or_else(|| bad("expected `true`"));
            let string = || {
                serde_json::from_str::<String>(value)
                    .ok()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| bad("expected a non-empty JSON string"))
            };
            match key {
                "title-ends-after" => p.title_ends_after.push(Pattern::parse(&string()?)),
                "snippet-starts-with" => p.snippet_starts_with.push(string()?),
                "snippet-starts-with-after-identifier" => {
                    p.snippet_after_identifier.push(string()?)
                }
                "bracketed-identifier-title" => p.bracketed_identifier_title = flag()?,
                "number-prefix" => p.number_prefixes.push(string()?),
                "numbered-title-tail" => p.numbered_title_tails.push(string()?),
                "title-suffix" => p.title_suffixes.push(string()?),
                "version-after-title" => p.version_after_title = flag()?,
                _ => return Err(bad(&format!("unknown directive `{key}`"))),
            }
        }
        Ok(p)
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Names of the profiles bundled with the crate.
    pub fn bundled_names() -> impl Iterator<Item = &'static str> {
        BUNDLED.iter().map(|(n, _)| *n)
    }

    /// A bundled profile by name (parsed once, then shared).
    ///
    /// # Errors
    ///
    /// [`Error::Profile`] when no bundled profile has that name.
    pub fn bundled(name: &str) -> Result<&'static Profile> {
        static PARSED: OnceLock<Vec<Profile>> = OnceLock::new();
        let all = PARSED.get_or_init(|| {
            BUNDLED.iter().filter_map(|(n, text)| Profile::parse(n, text).ok()).collect()
        });
        all.iter().find(|p| p.name == name).ok_or_else(|| Error::Profile {
            name: name.to_string(),
            line: 0,
            what: format!(
                "no such profile (bundled: {})",
                Profile::bundled_names().collect::<Vec<_>>().join(", ")
            ),
        })
    }

    /// The empty profile: the generic split.
    pub(crate) fn generic() -> &'static Profile {
        static EMPTY: OnceLock<Profile> = OnceLock::new();
        EMPTY.get_or_init(Profile::default)
    }

    /// Keep a profile for the rest of the program, as [`crate::ParseOptions`]
    /// holds a `&'static Profile` (a profile is loaded once per run).
    pub fn leak(self) -> &'static Profile {
        Box::leak(Box::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_profiles_parse() {
        for name in Profile::bundled_names() {
            let (_, text) = BUNDLED.iter().find(|(n, _)| *n == name).unwrap();
            let p = Profile::parse(name, text).unwrap();
            assert!(p != Profile { name: name.to_string(), ..Profile::default() }, "{name} empty");
            assert_eq!(Profile::bundled(name).unwrap(), &p);
        }
        assert!(Profile::bundled("no-such").is_err());
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let e = Profile::parse("x", "# c\ntitle-suffix = \"a\"\nfoo = \"b\"\n").unwrap_err();
        assert_eq!(e.to_string(), "profile x, line 3: unknown directive `foo`");
        assert!(Profile::parse("x", "title-suffix = a").is_err());
        assert!(Profile::parse("x", "version-after-title = yes").is_err());
        assert!(Profile::parse("x", "title-suffix").is_err());
    }

    #[test]
    fn patterns_match_versions_and_ignore_ascii_case() {
        let p = Pattern::parse(" — Python {version} 文档");
        let s = "列表 — Python 3.13.1 文档（高清）x";
        assert_eq!(p.end_of_first(s, 100), Some(s.find("（").unwrap()));
        let r = Pattern::parse("release notes");
        assert_eq!(r.end_of_first("TiDB 6.5 Release Notes发版", 100), Some(22));
        assert_eq!(r.end_of_first("TiDB 6.5 Release Notes发版", 5), None);
    }
}
