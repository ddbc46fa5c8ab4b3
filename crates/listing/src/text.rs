//! Text helpers shared by the split rules (`split.rs`), the shape rules
//! (`shape.rs`), the catalog memory (`memory.rs`) and the boundary scorer
//! (`boundary.rs`): the title limits, re-upload and site suffixes,
//! leading numbers and labels, character folding, and the byte-string
//! hashes of titles and features. Nothing here calls back into those
//! modules.

use memchr::memmem::Finder;
use std::hash::Hasher;
use std::sync::LazyLock;

use crate::normalize::normalize;
use crate::profile::Profile;

/// A byte-string hash built one byte at a time, so that every prefix of
/// a text gets its hash on the way (`rustc-hash`'s `FxHasher`: one add
/// and one multiply per byte). Titles, site suffixes and catalog prefixes
/// are remembered by these hashes, and feature names are keyed by them.
#[derive(Clone, Default)]
pub(crate) struct PrefixHash(rustc_hash::FxHasher);

impl PrefixHash {
    #[inline]
    pub(crate) fn push(&mut self, b: u8) {
        self.0.write_u8(b);
    }

    /// The hash of the bytes pushed so far.
    #[inline]
    pub(crate) fn get(&self) -> u64 {
        self.0.finish()
    }
}

/// [`PrefixHash`] of `bytes`.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = PrefixHash::default();
    bytes.iter().for_each(|&b| h.push(b));
    h.get()
}

/// [`PrefixHash`] of the ASCII-lowercased `bytes`.
pub(crate) fn hash_lower(bytes: &[u8]) -> u64 {
    let mut h = PrefixHash::default();
    bytes.iter().for_each(|&b| h.push(b.to_ascii_lowercase()));
    h.get()
}

/// Titles end within this many characters of the body's start (the
/// longest dev title has 89).
pub(crate) const MAX_CHARS: usize = 120;

/// How far into the body (bytes) a title may end: [`MAX_CHARS`]
/// (120) characters of three bytes, the UTF-8 length of a CJK character.
pub(crate) const MAX_TITLE: usize = 3 * MAX_CHARS;

/// Document file extensions a re-uploaded title may keep (common office
/// and e-book formats, not a list from any corpus).
pub(crate) const EXTENSIONS: [&str; 8] =
    [".pdf", ".doc", ".docx", ".ppt", ".pptx", ".txt", ".epub", ".md"];

/// A short note in brackets after a title (`（完整版）`, `(1)`, `【精华】`):
/// at most this many characters inside. Re-uploads mark a copy this way;
/// 6 covers the usual two-to-four-character notes with room to spare.
pub(crate) const NOTE_CHARS: usize = 6;

/// Length of a re-upload suffix at the start of `after`, 0 if none: one
/// of the profile's suffixes, else a short bracketed note, ` - 副本` (the
/// copy name Chinese Windows gives a file) or a document file extension.
pub(crate) fn suffix_len(after: &str, profile: &Profile) -> usize {
    if let Some(s) = profile.title_suffixes.iter().find(|s| after.starts_with(s.as_str())) {
        return s.len();
    }
    if let Some(n) = bracket_note(after) {
        return n;
    }
    if after.starts_with(" - 副本") {
        return " - 副本".len();
    }
    EXTENSIONS
        .iter()
        .find(|e| {
            after.as_bytes().get(..e.len()).is_some_and(|h| h.eq_ignore_ascii_case(e.as_bytes()))
                && !after[e.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        })
        .map_or(0, |e| e.len())
}

/// Length of a bracketed note (`（高清）`, `(2)`, `【精华】`) starting `s`.
pub(crate) fn bracket_note(s: &str) -> Option<usize> {
    let mut it = s.char_indices();
    let (_, open) = it.next()?;
    let close = match open {
        '（' => '）',
        '(' => ')',
        '【' => '】',
        '[' => ']',
        _ => return None,
    };
    for (k, (i, c)) in it.enumerate() {
        if c == close {
            return (k > 0).then_some(i + c.len_utf8());
        }
        if k >= NOTE_CHARS || c.is_whitespace() || "（(【[）)】]".contains(c) {
            return None;
        }
    }
    None
}

/// The last word of a title: its trailing ASCII letter/digit run, else
/// its last two Han characters (one when only one ends it), else its last
/// character (`🔒`, `）`). `None` for an empty title.
pub(crate) fn end_word(title: &str) -> Option<&str> {
    let t = title.trim_end();
    let last = t.chars().next_back()?;
    let n = if last.is_ascii_alphanumeric() {
        t.bytes().rev().take_while(u8::is_ascii_alphanumeric).count()
    } else if crate::han::is_han(last) {
        t.chars().rev().take(2).take_while(|c| crate::han::is_han(*c)).map(char::len_utf8).sum()
    } else {
        last.len_utf8()
    };
    Some(&t[t.len() - n..])
}

pub(crate) fn strip_number(t: &str) -> Option<&str> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    t[n..].strip_prefix(' ')
}

/// `t` without a re-upload suffix (see [`suffix_len`]) at its end.
pub(crate) fn strip_suffix<'a>(t: &'a str, profile: &Profile) -> Option<&'a str> {
    for s in &profile.title_suffixes {
        if let Some(x) = t.strip_suffix(s.as_str()) {
            return Some(x);
        }
    }
    // A bracketed note: from the last opening bracket.
    if let Some(i) = t.rfind(['（', '(', '【', '['])
        && i > 0
        && bracket_note(&t[i..]) == Some(t.len() - i)
    {
        return Some(&t[..i]);
    }
    if let Some(x) = t.strip_suffix(" - 副本") {
        return Some(x);
    }
    EXTENSIONS.iter().find_map(|e| {
        let cut = t.len().checked_sub(e.len())?;
        (t.is_char_boundary(cut) && t[cut..].eq_ignore_ascii_case(e) && cut > 0).then(|| &t[..cut])
    })
}

/// Comparable form: normalised, ASCII-lowercased.
pub(crate) fn comparable(s: &str) -> String {
    let mut k = normalize(s);
    k.make_ascii_lowercase();
    k
}

/// Length of a bracketed label that starts `body` (`[ 分类 ]`, `【转载】`):
/// at most `MAX_CHARS / 4` characters inside, so that a label
/// is a tag, not a bracketed sentence.
pub(crate) fn leading_label(body: &str) -> Option<usize> {
    let close = match body.chars().next()? {
        '[' => ']',
        '【' => '】',
        _ => return None,
    };
    let (i, _) = body.char_indices().take(MAX_CHARS / 4 + 2).find(|(_, c)| *c == close)?;
    Some(i + close.len_utf8())
}

/// Separators between a page's own title and the name of its site or
/// manual (`导入模块 — Python 3.13 文档`, `Page | Site`): the usual ways
/// web pages and generated manuals write a title, not a list from a corpus.
pub(crate) const SITE_SEPARATORS: [&str; 3] = [" — ", " – ", " | "];

/// Byte offset of the first site-name separator in `t`, after at least
/// two characters.
pub(crate) fn site_suffix_at(t: &str) -> Option<usize> {
    site_suffix_with(t, first_separators(t))
}

/// The first occurrence of each of [`SITE_SEPARATORS`] in `text`.
pub(crate) fn first_separators(text: &str) -> [Option<usize>; 3] {
    let f = &*SITE_FINDERS;
    [0, 1, 2].map(|i| f[i].find(text.as_bytes()))
}

/// Prepared searchers of [`SITE_SEPARATORS`], in their order.
pub(crate) static SITE_FINDERS: LazyLock<[Finder<'static>; 3]> =
    LazyLock::new(|| SITE_SEPARATORS.map(Finder::new));

/// The searcher of ` - ` (tldr `cmd - text` titles).
pub(crate) static DASH: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" - "));

/// The searcher of ` . . . ` (dot leaders of a table of contents).
pub(crate) static DOT_LEADER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" . . . "));

/// `hay.find(needle)` by a prepared `memchr::memmem` searcher (vectorised;
/// `str::find` with a string pattern searches a whole listing body a byte
/// at a time, and `memmem::find` prepares a searcher per call). A match
/// of UTF-8 in UTF-8 starts on a character boundary, so the two agree.
#[inline]
pub(crate) fn find(hay: &str, needle: &Finder<'_>) -> Option<usize> {
    needle.find(hay.as_bytes())
}

/// [`site_suffix_at`] of `t`, a prefix of a text whose
/// [`first_separators`] are `firsts` (a separator's first occurrence in
/// `t` is its first in the text, when it ends inside `t`).
pub(crate) fn site_suffix_with(t: &str, firsts: [Option<usize>; 3]) -> Option<usize> {
    SITE_SEPARATORS
        .iter()
        .zip(firsts)
        .filter_map(|(sep, i)| i.filter(|i| i + sep.len() <= t.len()))
        .min()
        .filter(|&i| t[..i].chars().nth(1).is_some() && is_site_name(&t[i..]))
}

/// A site or manual name after its separator: at most `SITE_WORDS` words
/// and no sentence punctuation (`Python 3.13 文档`, `TiDB 文档`), so that a
/// title followed by the document's text is not taken for one.
pub(crate) fn is_site_name(suffix: &str) -> bool {
    const SITE_WORDS: usize = 3;
    suffix.split_whitespace().count() <= SITE_WORDS + 1
        && !suffix.contains(['。', '，', '：', '；', '？', '！', ',', ';', '?', '!'])
}

#[inline]
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        c
    } else {
        fold_other(c)
    }
}

/// [`fold_char`] of a character neither ASCII nor in the base ideograph
/// block: the normaliser's own map of a character alone (full-width
/// ASCII, radicals, characters NFKC keeps), else NFKC.
#[inline(never)]
fn fold_other(c: char) -> char {
    use unicode_normalization::UnicodeNormalization;
    crate::normalize::map_alone(c)
        .unwrap_or_else(|| std::iter::once(c).nfkc().next().unwrap_or(c))
        .to_ascii_lowercase()
}

pub(crate) fn is_ident(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `3.11`, `3.8.20`: digits separated by single dots.
pub(crate) fn is_version(tok: &str) -> bool {
    tok.contains('.')
        && tok.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `2138. `, `17.04. ` (a numbered title), with one of `prefixes` before
/// it (`LCP 54. `): the length of the prefix.
pub(crate) fn problem_number(s: &str, prefixes: &[String]) -> Option<usize> {
    let mut t = s;
    for p in prefixes {
        if let Some(x) = t.strip_prefix(p.as_str()) {
            t = x;
            break;
        }
    }
    let n = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if n == 0 || !t[..n].ends_with('.') || !t[n..].starts_with(' ') {
        return None;
    }
    Some(s.len() - t.len() + n + 1)
}

pub(crate) fn extend_version(body: &str, stop: usize) -> usize {
    let rest = &body[stop..];
    let tok_start = rest.len() - rest.trim_start().len();
    let rest = rest.trim_start();
    let n = rest.find(' ').unwrap_or(rest.len());
    let tok = &rest[..n];
    let is_version = tok.contains('.')
        && tok.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && tok.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let next_ascii = rest[n..].trim_start().chars().next().is_some_and(|c| c.is_ascii());
    if is_version && (next_ascii || tok.matches('.').count() >= 2) {
        stop + tok_start + n
    } else {
        stop
    }
}

#[cfg(test)]
mod tests {
    /// The fast arms of `fold_char` give what NFKC and lowercasing give,
    /// for every character.
    #[test]
    fn fold_char_is_nfkc_lowercased() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let nfkc = std::iter::once(c).nfkc().next().unwrap_or(c).to_ascii_lowercase();
            assert_eq!(super::fold_char(c), nfkc, "U+{:04X}", c as u32);
        }
    }
}
