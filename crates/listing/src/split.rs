//! Title/snippet split. There is no delimiter between them; the rules
//! below are tried in order and measured in docs/listing-format.md.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::normalize::normalize;
use crate::profile::Profile;

/// How far into the body (bytes) a title may end: `boundary::MAX_CHARS`
/// (120) characters of three bytes, the UTF-8 length of a CJK character.
const MAX_TITLE: usize = 3 * crate::boundary::MAX_CHARS;

/// Document file extensions a re-uploaded title may keep (common office
/// and e-book formats, not a list from any corpus).
const EXTENSIONS: [&str; 8] = [".pdf", ".doc", ".docx", ".ppt", ".pptx", ".txt", ".epub", ".md"];

/// A short note in brackets after a title (`（完整版）`, `(1)`, `【精华】`):
/// at most this many characters inside. Re-uploads mark a copy this way;
/// 6 covers the usual two-to-four-character notes with room to spare.
const NOTE_CHARS: usize = 6;

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
fn bracket_note(s: &str) -> Option<usize> {
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

/// Split `body` (the listing text without its tail, trimmed) into title
/// and snippet, both trimmed. The snippet may be empty.
///
/// With a `memory`, titles found by a reliable rule (Python suffix,
/// repeated title, marker, PyTorch mapping) are remembered, and a body
/// that no reliable rule splits is split after the longest remembered
/// title it starts with (before the shape guess).
pub(crate) fn split_title<'a>(
    body: &'a str,
    memory: Option<&mut TitleMemory>,
    profile: &Profile,
) -> (&'a str, &'a str) {
    let mut memory = memory;
    let end = reliable_end(body, memory.as_deref_mut(), profile)
        .unwrap_or_else(|| guess(body, memory.as_deref(), profile));
    let (t, s) = body.split_at(end);
    (t.trim(), s.trim())
}

/// The title's end by a reliable rule or, failing those, by a remembered
/// title; `None` when the boundary has to be guessed.
pub(crate) fn reliable_end(
    body: &str,
    memory: Option<&mut TitleMemory>,
    profile: &Profile,
) -> Option<usize> {
    let mut memory = memory;
    if let Some(m) = memory.as_deref_mut() {
        m.learn_text(body);
    }
    let reliable = ends_after(body, profile)
        .or_else(|| repeated_title(body, profile))
        .or_else(|| qualified_repeat(body))
        .or_else(|| marker(body, profile))
        .or_else(|| bracketed_identifier_title(body, profile));
    match (reliable, memory) {
        (Some(end), Some(m)) => {
            m.learn(body[..end].trim());
            m.learn_opener(body[..end].trim(), body[end..].trim_start());
            Some(end)
        }
        (Some(end), None) => Some(end),
        (None, Some(m)) => m.lookup(body, profile),
        (None, None) => None,
    }
}

/// A bounded memory of titles: 64-bit hashes of titles (and of the title
/// without a leading re-upload number), in two generations of at most
/// `CAP / 2` entries; when the young one is full it becomes the old one and
/// the previous old one is dropped, so recently learned titles are kept
/// and memory stays under about `CAP × 16` bytes whatever the catalog size.
#[derive(Debug, Default)]
pub(crate) struct TitleMemory {
    young: HashSet<u64, BuildHasherDefault<IdHasher>>,
    old: HashSet<u64, BuildHasherDefault<IdHasher>>,
    /// Site-name suffixes of learned titles (` — Python 3.13 文档`, from
    /// the separator on), hashed, with how many titles ended with them;
    /// at most `SUFFIXES` entries (later new ones are not counted).
    suffixes: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// Snippet openers: the first word after the title's repeat in
    /// reliably split listings (`题目描述` on write-ups of one site), with
    /// how many listings opened with it; at most `SUFFIXES` entries.
    openers: HashMap<String, u32>,
    /// The openers counted `OPENER_LISTINGS` times, in the order they got
    /// there.
    frequent_openers: Vec<String>,
    /// Listing prefixes: a hash of each prefix of a body that a title may
    /// end with (a character boundary not after a space, in its first
    /// `MAX_TITLE` bytes) → the character that followed it, with
    /// `BRANCHES` set once another listing continued it with another one.
    /// Two generations of at most `PREFIX_CAP / 2`.
    prefixes: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    prefixes_old: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// How often each ASCII word (a letter/digit/`_` run, ASCII-lowercased)
    /// occurs in the catalog's listing texts (count-min cells, saturating,
    /// `WORD_CELLS`).
    words: Vec<u16>,
    /// The last word of learned titles (see [`end_word`]), hashed, with
    /// how many distinct learned titles end with it; at most `SUFFIXES`.
    end_words: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// How often each pair of adjacent non-space characters occurs in
    /// the catalog's listing texts (a count-min cell per hashed pair,
    /// saturating; `PAIR_CELLS` cells, allocated on first use).
    pairs: Vec<u16>,
    /// Set after a first pass over the whole input: the counts above are
    /// complete and a second reading must not count again.
    frozen: bool,
}

/// Cells of `TitleMemory::pairs` (2 MiB of counters; a pair that shares
/// a cell with another counts both, so counts are upper bounds).
const PAIR_CELLS: usize = 1 << 20;

fn pair_cell(a: char, b: char) -> usize {
    let h = (u64::from(a as u32) << 32 | u64::from(b as u32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 44) as usize
}

/// Set in a `TitleMemory::prefixes` value when two listings continue the
/// prefix differently.
const BRANCHES: u32 = 1 << 31;

/// Cells of `TitleMemory::words` (512 KiB of counters).
const WORD_CELLS: usize = 1 << 18;

fn word_cell(word: &[u8]) -> usize {
    (fnv_lower(word).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 46) as usize
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What the catalog says of one candidate title end (`boundary.rs`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Evidence {
    /// Listings that start with `body[..end]` continue differently after
    /// it (the same title over two windows, or two titles that part here).
    pub(crate) branches: bool,
    /// How many learned titles other than `body[..end]` end with its last
    /// word ([`end_word`]).
    pub(crate) end_word: u32,
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

/// The keys are already hashes: use them as they are.
#[derive(Debug, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // FNV's low bits are well mixed after the final multiply; fold the
        // high half in anyway for the table index.
        self.0 = n ^ (n >> 32);
    }
}

impl TitleMemory {
    const CAP: usize = 400_000;
    /// Listing prefixes remembered (about 16 bytes each).
    const PREFIX_CAP: usize = 4_000_000;
    /// Distinct site suffixes counted (a catalog has a few sites; the cap
    /// only bounds memory).
    const SUFFIXES: usize = 100_000;
    /// A suffix is a site's name, not one title's subtitle, when this many
    /// learned titles end with it.
    const SITE_TITLES: u32 = 2;
    /// A word opens a site's snippets when this many listings do: a
    /// heading every page of a site has (`题目描述`), not a chance word.
    const OPENER_LISTINGS: u32 = 5;
    /// Openers are words of 2 to this many characters.
    const OPENER_CHARS: usize = 8;

    fn insert(&mut self, h: u64) {
        if self.young.len() >= Self::CAP / 2 {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(h);
    }

    fn contains(&self, h: u64) -> bool {
        self.young.contains(&h) || self.old.contains(&h)
    }

    fn learn(&mut self, title: &str) {
        if title.chars().nth(1).is_none() {
            return;
        }
        let h = fnv(title.as_bytes());
        if !self.frozen
            && !self.contains(h)
            && let Some(w) = end_word(title)
        {
            let k = fnv_lower(w.as_bytes());
            if self.end_words.len() < Self::SUFFIXES || self.end_words.contains_key(&k) {
                *self.end_words.entry(k).or_default() += 1;
            }
        }
        self.insert(h);
        if let Some(core) = strip_number(title).filter(|c| c.chars().nth(1).is_some()) {
            self.insert(fnv(core.as_bytes()));
        }
        if let Some(i) = site_suffix_at(title) {
            let h = fnv(&title.as_bytes()[i..]);
            if self.suffixes.len() < Self::SUFFIXES || self.suffixes.contains_key(&h) {
                *self.suffixes.entry(h).or_default() += 1;
            }
        }
    }

    /// Count what the boundary scorer asks of the catalog's text (the
    /// character pairs of `body`). Once frozen, nothing more is counted.
    pub(crate) fn learn_text(&mut self, body: &str) {
        if !self.frozen {
            self.learn_pairs(body);
            self.learn_words(body);
            self.learn_prefixes(body);
        }
    }

    /// Remember which character follows each prefix of `body` a title may
    /// end with. Idempotent.
    fn learn_prefixes(&mut self, body: &str) {
        if self.prefixes.capacity() == 0 {
            self.prefixes.reserve(1 << 16);
        }
        let limit = body.len().min(MAX_TITLE);
        let mut h = FNV_OFFSET;
        let mut prev = ' ';
        // Candidate titles end within `MAX_CHARS` characters after a
        // leading number, never after a space.
        for (i, c) in body.char_indices().take(crate::boundary::MAX_CHARS + 16) {
            if i >= limit {
                break;
            }
            // A continuation inside an ASCII word (`Java` + `8`) is no
            // place where a title ends: it does not count.
            let in_word = prev.is_ascii_alphanumeric() && c.is_ascii_alphanumeric();
            if i > 0 && prev != ' ' && !in_word {
                let next = c as u32;
                if self.prefixes.len() >= Self::PREFIX_CAP / 2 {
                    self.prefixes_old = std::mem::take(&mut self.prefixes);
                }
                let old = self.prefixes_old.get(&h).copied();
                let v = self.prefixes.entry(h).or_insert_with(|| old.unwrap_or(next));
                if *v & !BRANCHES != next {
                    *v |= BRANCHES;
                }
            }
            prev = c;
            for &b in &body.as_bytes()[i..i + c.len_utf8()] {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            }
        }
    }

    /// Count the ASCII words of `body`.
    fn learn_words(&mut self, body: &str) {
        if self.words.is_empty() {
            self.words = vec![0; WORD_CELLS];
        }
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !is_word_byte(b[i]) {
                i += 1;
                continue;
            }
            let n = b[i..].iter().take_while(|&&c| is_word_byte(c)).count();
            let cell = &mut self.words[word_cell(&b[i..i + n])];
            *cell = cell.saturating_add(1);
            i += n;
        }
    }

    /// How often the ASCII word `w` occurs in the catalog (an upper bound).
    pub(crate) fn word_count(&self, w: &str) -> u16 {
        self.words.get(word_cell(w.as_bytes())).copied().unwrap_or(0)
    }

    /// The input has been read once in full: what is counted is complete.
    pub(crate) fn freeze(&mut self) {
        self.frozen = true;
    }

    /// Count the adjacent character pairs of `body`.
    fn learn_pairs(&mut self, body: &str) {
        if self.pairs.is_empty() {
            self.pairs = vec![0; PAIR_CELLS];
        }
        let mut prev: Option<char> = None;
        for c in body.chars() {
            if c.is_whitespace() {
                prev = None;
                continue;
            }
            if let Some(p) = prev {
                let cell = &mut self.pairs[pair_cell(p, c)];
                *cell = cell.saturating_add(1);
            }
            prev = Some(c);
        }
    }

    /// How often `a` is followed by `b` in the catalog (an upper bound).
    pub(crate) fn pair_count(&self, a: char, b: char) -> u16 {
        self.pairs.get(pair_cell(a, b)).copied().unwrap_or(0)
    }

    /// The catalog's evidence for every character boundary of `body` from
    /// `from` up to `limit` (bytes) that does not follow a space:
    /// `(end, evidence)` in order.
    pub(crate) fn evidence(&self, body: &str, from: usize, limit: usize) -> Vec<(usize, Evidence)> {
        let mut out = Vec::new();
        let bytes = body.as_bytes();
        let limit = limit.min(MAX_TITLE).min(bytes.len());
        // `h` is the hash of `body[..i]`, which is the candidate title
        // itself (it does not end in a space).
        let mut h = FNV_OFFSET;
        for (i, &byte) in bytes[..limit].iter().enumerate() {
            if i >= from.max(1) && body.is_char_boundary(i) && bytes[i - 1] != b' ' {
                // Only what the catalog holds: a body the catalog does not
                // have (a training example) must not branch by itself.
                let branches = [self.prefixes.get(&h), self.prefixes_old.get(&h)]
                    .into_iter()
                    .flatten()
                    .any(|v| v & BRANCHES != 0);
                let end_word = end_word(&body[..i]).map_or(0, |w| {
                    let n = self.end_words.get(&fnv_lower(w.as_bytes())).copied().unwrap_or(0);
                    // A learned title does not count for itself (the
                    // scorer never sees a learned title: the memory
                    // splits it first; training examples made from
                    // learned titles would).
                    n.saturating_sub(u32::from(self.contains(h)))
                });
                out.push((i, Evidence { branches, end_word }));
            }
            h = (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
        }
        out
    }

    /// Count the word that follows the title's repeat in the snippet.
    fn learn_opener(&mut self, title: &str, snippet: &str) {
        let core = strip_number(title).unwrap_or(title);
        let Some(rest) = snippet.strip_prefix(title).or_else(|| snippet.strip_prefix(core)) else {
            return;
        };
        let Some(word) = rest.strip_prefix(' ').and_then(|r| r.split(' ').next()) else { return };
        if Self::opener_shape(word)
            && (self.openers.len() < Self::SUFFIXES || self.openers.contains_key(word))
        {
            let n = self.openers.entry(word.to_string()).or_default();
            *n += 1;
            if *n == Self::OPENER_LISTINGS {
                self.frequent_openers.push(word.to_string());
            }
        }
    }

    /// A word that may open snippets: 2 to `OPENER_CHARS` characters, no
    /// ASCII (names and numbers vary per listing; headings are words).
    fn opener_shape(word: &str) -> bool {
        let n = word.chars().count();
        (2..=Self::OPENER_CHARS).contains(&n) && !word.contains(|c: char| c.is_ascii())
    }

    /// The start of the first frequent opener in the head of `body`, after
    /// at least two characters (the title's), glued or after a space.
    fn opener_start(&self, body: &str) -> Option<usize> {
        let limit = body.len().min(MAX_TITLE);
        let from = body.char_indices().nth(2)?.0;
        self.frequent_openers
            .iter()
            .filter_map(|w| {
                let i = from + body[from..].find(w.as_str())?;
                (i < limit && i + w.len() < body.len()).then_some(i)
            })
            .min()
    }

    /// The end of the first site suffix (`sep` + a suffix at least
    /// `SITE_TITLES` learned titles end with) in the head of `body`.
    fn site_suffix_end(&self, body: &str) -> Option<usize> {
        if self.suffixes.is_empty() {
            return None;
        }
        let limit = body.len().min(MAX_TITLE);
        let mut seps: Vec<usize> = SITE_SEPARATORS
            .iter()
            .flat_map(|sep| body.match_indices(sep).map(|(i, _)| i).take_while(|&i| i < limit))
            .collect();
        seps.sort_unstable();
        seps.into_iter().find_map(|i| {
            let mut h = FNV_OFFSET;
            let mut best = None;
            for (k, &b) in body.as_bytes()[i..].iter().enumerate().take(MAX_TITLE) {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                let end = i + k + 1;
                if end < body.len()
                    && body.is_char_boundary(end)
                    && self.suffixes.get(&h).is_some_and(|n| *n >= Self::SITE_TITLES)
                {
                    best = Some(end);
                }
            }
            best
        })
    }

    fn lookup(&self, body: &str, profile: &Profile) -> Option<usize> {
        if self.young.is_empty() {
            return None;
        }
        self.lookup_title(body, profile)
            .or_else(|| {
                let end = self.site_suffix_end(body)?;
                Some(end + suffix_len(&body[end..], profile))
            })
            .or_else(|| self.opener_start(body))
    }

    /// The longest remembered title `body` starts with.
    fn lookup_title(&self, body: &str, profile: &Profile) -> Option<usize> {
        let skips = [Some(0), strip_number(body).map(|r| body.len() - r.len())];
        for skip in skips.into_iter().flatten() {
            let rest = &body[skip..];
            let limit = rest.len().min(MAX_TITLE);
            let bytes = rest.as_bytes();
            let mut h = FNV_OFFSET;
            let mut best = None;
            for (i, &b) in bytes[..limit].iter().enumerate() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                let end = i + 1;
                // A title ends at a character boundary, before a snippet.
                if end < 2 || !rest.is_char_boundary(end) || end == rest.len() {
                    continue;
                }
                if self.contains(h) {
                    best = Some(end);
                }
            }
            if let Some(end) = best {
                let end = skip + end;
                return Some(end + suffix_len(&body[end..], profile));
            }
        }
        None
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub(crate) const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// [`fnv`] of the ASCII-lowercased bytes.
fn fnv_lower(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME))
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// The profile's `title-ends-after` patterns: the title ends after the
/// first match (and a re-upload suffix right after it).
fn ends_after(body: &str, profile: &Profile) -> Option<usize> {
    profile.title_ends_after.iter().find_map(|p| {
        let end = p.end_of_first(body, MAX_TITLE)?;
        let end = end + suffix_len(&body[end..], profile);
        (end < body.len()).then_some(end)
    })
}

pub(crate) fn strip_number(t: &str) -> Option<&str> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    t[n..].strip_prefix(' ')
}

/// `t` without a re-upload suffix (see [`suffix_len`]) at its end.
fn strip_suffix<'a>(t: &'a str, profile: &Profile) -> Option<&'a str> {
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
fn key(s: &str) -> String {
    let mut k = normalize(s);
    k.make_ascii_lowercase();
    k
}

/// The snippet often starts by repeating the title (without a leading
/// number or a re-upload suffix; tldr titles `cmd - text` as `cmd text`).
/// Take the shortest title whose repeat starts the rest of the body,
/// compared after normalisation (the snippet's copy may be noised).
///
/// Every candidate core starts with the body's first character or with the
/// first character after a leading number (`12 `), so a boundary whose next
/// character folds to neither is skipped without building candidates.
fn repeated_title(body: &str, profile: &Profile) -> Option<usize> {
    let first_key = |s: &str| s.chars().next().map(fold_char);
    let lead = first_key(body)?;
    let after_number = strip_number(body).and_then(first_key);
    let label_len = leading_label(body);
    let after_label = label_len.and_then(|n| first_key(body[n..].trim_start()));
    // First ` - ` of the body: the first one in every prefix that holds it.
    let dash = body.find(" - ");
    for (p, c) in body.char_indices().skip(1) {
        if p > MAX_TITLE {
            break;
        }
        if c == ' ' {
            continue;
        }
        let s0 = fold_char(c);
        if s0 != lead && Some(s0) != after_number && Some(s0) != after_label {
            continue;
        }
        let t = body[..p].trim_end();
        if t.chars().nth(1).is_none() {
            continue;
        }
        let s = &body[p..];
        let mut cores: [Option<&str>; 4] =
            [Some(t), strip_number(t), strip_suffix(t, profile), None];
        if let Some(x) = strip_number(t).and_then(|t| strip_suffix(t, profile)) {
            cores[3] = Some(x);
        }
        let tldr =
            dash.filter(|i| i + 3 <= t.len()).map(|i| format!("{} {}", &t[..i], &t[i + 3..]));
        let site = site_suffix_at(t).map(|i| &t[..i]);
        let unlabelled = label_len.filter(|n| *n < t.len()).map(|n| t[n..].trim_start());
        let candidates =
            cores.iter().flatten().copied().chain(tldr.as_deref()).chain(site).chain(unlabelled);
        for core in candidates {
            if first_key(core) != Some(s0) {
                continue;
            }
            if core.chars().nth(1).is_none()
                || core.bytes().all(|b| b.is_ascii_digit() || b == b' ')
            {
                continue;
            }
            let want = key(core);
            let n = core.chars().count() * 2 + 8;
            let window = &s[..s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)];
            if key(window).starts_with(&want) {
                return Some(p);
            }
        }
    }
    None
}

/// Length of a bracketed label that starts `body` (`[ 分类 ]`, `【转载】`):
/// at most `boundary::MAX_CHARS / 4` characters inside, so that a label
/// is a tag, not a bracketed sentence.
pub(crate) fn leading_label(body: &str) -> Option<usize> {
    let close = match body.chars().next()? {
        '[' => ']',
        '【' => '】',
        _ => return None,
    };
    let (i, _) =
        body.char_indices().take(crate::boundary::MAX_CHARS / 4 + 2).find(|(_, c)| *c == close)?;
    Some(i + close.len_utf8())
}

/// API pages: a short name, then the text starts with its qualified name
/// (`cov paddle.linalg.cov(x…`, glued: `tanpaddle.tan(x…`, in any
/// language: `List java.util.List`). The title is the short name.
fn qualified_repeat(body: &str) -> Option<usize> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let dotted = |s: &str| s.bytes().take_while(|&b| ident(b) || b == b'.').count();
    // Separated by a space: the first word is the name.
    let n = body.bytes().take_while(|&b| ident(b)).count();
    if let Some(rest) = body[n..].strip_prefix(' ') {
        let q = &rest[..dotted(rest)];
        if n >= 2 && q.strip_suffix(&body[..n]).is_some_and(|p| p.len() > 1 && p.ends_with('.')) {
            return Some(n);
        }
    }
    // Glued: the dotted run starts with its own last part.
    let run = &body[..dotted(body)];
    let last = run.rsplit('.').next()?;
    let q = run.strip_prefix(last)?;
    let glued = last.len() >= 2 && q.len() > last.len() + 1 && q.contains('.');
    (glued && q.strip_suffix(last).is_some_and(|p| p.ends_with('.'))).then_some(last.len())
}

/// Separators between a page's own title and the name of its site or
/// manual (`导入模块 — Python 3.13 文档`, `Page | Site`): the usual ways
/// web pages and generated manuals write a title, not a list from a corpus.
const SITE_SEPARATORS: [&str; 3] = [" — ", " – ", " | "];

/// Byte offset of the first site-name separator in `t`, after at least
/// two characters.
fn site_suffix_at(t: &str) -> Option<usize> {
    SITE_SEPARATORS
        .iter()
        .filter_map(|sep| t.find(sep))
        .min()
        .filter(|&i| t[..i].chars().nth(1).is_some() && is_site_name(&t[i..]))
}

/// A site or manual name after its separator: at most `SITE_WORDS` words
/// and no sentence punctuation (`Python 3.13 文档`, `TiDB 文档`), so that a
/// title followed by the document's text is not taken for one.
fn is_site_name(suffix: &str) -> bool {
    const SITE_WORDS: usize = 3;
    suffix.split_whitespace().count() <= SITE_WORDS + 1
        && !suffix.contains(['。', '，', '：', '；', '？', '！', ',', ';', '?', '!'])
}

pub(crate) fn fold_char(c: char) -> char {
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        c
    } else {
        std::iter::once(c).nfkc().next().unwrap_or(c).to_ascii_lowercase()
    }
}

/// The profile's words that start a snippet (`snippet-starts-with`,
/// `snippet-starts-with-after-identifier`).
fn marker(body: &str, profile: &Profile) -> Option<usize> {
    for m in &profile.snippet_starts_with {
        if let Some(i) = body.find(m.as_str()).filter(|i| (1..=MAX_TITLE).contains(i)) {
            return Some(i);
        }
    }
    profile.snippet_after_identifier.iter().find_map(|m| {
        let i = body.find(m.as_str())?;
        let t = body[..i].trim_end();
        (i > 0 && i <= MAX_TITLE && !t.is_empty() && is_ident(t)).then_some(i)
    })
}

fn is_ident(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `bracketed-identifier-title` (Paddle's PyTorch-mapping pages):
/// `[ 分类 ]torch.name` + snippet.
fn bracketed_identifier_title(body: &str, profile: &Profile) -> Option<usize> {
    if !profile.bracketed_identifier_title {
        return None;
    }
    let skip = strip_number(body).map_or(0, |rest| body.len() - rest.len());
    if !body[skip..].starts_with('[') {
        return None;
    }
    let close = skip + body[skip..].find(']')?;
    let rest = &body[close + 1..];
    let rest_t = rest.trim_start();
    let n = rest_t.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"_.\\".contains(b)).count();
    if n == 0 {
        return None;
    }
    let start = body.len() - rest_t.len();
    let end = start + glued_name_end(&rest_t[..n]);
    Some(end + suffix_len(&body[end..], profile))
}

/// The snippet can follow the API name with no space: the name repeated
/// (`torch.Tensor.letorch.Tensor.le(other)`) or a window starting inside
/// the name (`…Module.parametersarameters torch…`). Returns the length of
/// the name within the identifier run `run`.
fn glued_name_end(run: &str) -> usize {
    const MIN: usize = 5;
    let b = run.as_bytes();
    // The name, then its repeat (maybe cut): the shortest such name.
    for k in MIN..b.len().saturating_sub(MIN - 1) {
        if b.starts_with(&b[k..]) {
            return k;
        }
    }
    // The name ends with the window's start: the run ends in `YY`.
    for y in (MIN..=b.len() / 2).rev() {
        if b[b.len() - 2 * y..b.len() - y] == b[b.len() - y..] {
            return b.len() - y;
        }
    }
    b.len()
}

/// No evidence of the boundary: guess from the title's shape.
///
/// - skip a leading re-upload number (`3 `), a problem number
///   (`2138. `, `LCP 54. `) or a tldr command (`nvm - `): the title goes on;
/// - an identifier-like first word followed by a space and ASCII text is
///   the whole title (`TABLE_STORAGE_STATS --+--`);
/// - else the title ends at the first space after a CJK character;
/// - a version right after it belongs to the title when the text after it
///   is not Chinese or it has two dots (`参考手册 3.11 6.19 字典对象`,
///   `参考指南 3.13 bisect`, `参考指南 3.8.20 这种情况下`).
pub(crate) fn fallback(body: &str) -> usize {
    let mut skip = strip_number(body).map_or(0, |rest| body.len() - rest.len());
    let mut prefixed = false;
    if let Some(n) = problem_number(&body[skip..], &[]) {
        skip += n;
        prefixed = true;
    } else if let Some(i) = body[skip..].find(" - ").filter(|i| {
        let cmd = &body[skip..skip + i];
        !cmd.is_empty()
            && cmd.split(' ').count() <= 2
            && cmd.bytes().all(|b| b.is_ascii_alphanumeric() || b"._- ".contains(&b))
    }) {
        skip += i + 3;
        prefixed = true;
    }
    let first_space = body[skip..].find(' ').map_or(body.len(), |i| skip + i);
    let first = &body[skip..first_space];
    if !prefixed
        && is_ident(first)
        && (first.contains(['_', '.']) || first.starts_with(|c: char| c.is_ascii_lowercase()))
        && body[first_space..].trim_start().chars().next().is_some_and(|c| c.is_ascii())
    {
        return first_space;
    }
    let mut prev_cjk = false;
    let mut stop = first_space;
    for (i, c) in body.char_indices().skip_while(|(i, _)| *i < skip) {
        if c == ' ' && prev_cjk {
            stop = i;
            break;
        }
        prev_cjk = !c.is_ascii();
    }
    if let Some(i) = glued_title_word(body, skip) {
        return i;
    }
    extend_version(body, stop)
}

/// A snippet glued to the title often starts with a word of the title
/// (`常见SQL优化手段总结SQL 慢了`, `Atomic 原子类总结Atomic 原子类介绍`): the
/// first place after `skip` where a Chinese character is directly followed
/// by an ASCII word (≥ 2 letters) that already occurs before it.
pub(crate) fn glued_title_word(body: &str, skip: usize) -> Option<usize> {
    let mut prev_cjk = false;
    for (i, c) in body[skip..].char_indices() {
        let i = skip + i;
        if i > MAX_TITLE / 2 {
            break;
        }
        if prev_cjk && c.is_ascii_alphabetic() {
            let n = body[i..].bytes().take_while(u8::is_ascii_alphanumeric).count();
            let word = &body[i..i + n];
            if n >= 2 && body[..i].contains(word) {
                return Some(i);
            }
        }
        prev_cjk = !c.is_ascii() && c.is_alphabetic();
    }
    None
}

/// No reliable evidence: the trained boundary scorer (`boundary.rs`),
/// which weighs the shape rules below among its features; then the
/// profile's post-rules (`numbered-title-tail`, `version-after-title`).
fn guess(body: &str, memory: Option<&TitleMemory>, profile: &Profile) -> usize {
    let end = crate::boundary::best_end(body, memory).unwrap_or_else(|| fallback(body));
    let end = numbered_tail(body, end, profile);
    if !profile.version_after_title {
        return end;
    }
    let last = body[..end].rsplit(' ').next().unwrap_or("");
    let next = body[end..].strip_prefix(' ').and_then(|r| r.split(' ').next()).unwrap_or("");
    if is_version(last) || !is_version(next) {
        return end;
    }
    extend_version(body, end)
}

/// `3.11`, `3.8.20`: digits separated by single dots.
fn is_version(tok: &str) -> bool {
    tok.contains('.')
        && tok.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The shape rules the scorer weighs besides the fallback.
pub(crate) fn shape_rules(body: &str) -> Option<usize> {
    toc_title(body)
}

/// Manuals: the snippet is a table of contents (`6.19 TiFlash 查询结果物化
/// . . . 74 6.20 …`), often glued to the title (`参考指南6.19`, or to a
/// version: `Python 常见问题 3.126.1` = `3.12` + `6.1`). The first entry
/// number is the one, before the first dot leader, whose successor
/// (last part + 1) starts a later entry; the title ends before it.
fn toc_title(body: &str) -> Option<usize> {
    let leader = body.find(" . . . ")?;
    let b = body.as_bytes();
    let mut i = 0;
    while i < leader {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let run_end = i + b[i..].iter().take_while(|c| c.is_ascii_digit() || **c == b'.').count();
        let run_end = if b[run_end - 1] == b'.' { run_end - 1 } else { run_end };
        // Every start inside the run (a version may be glued in front).
        for s in (i..run_end).filter(|&s| s > 0 && b[s].is_ascii_digit()) {
            let num = &body[s..run_end];
            let leading_zero = num.starts_with('0') && !num.starts_with("0.");
            let Some(dot) = num.rfind('.').filter(|_| !leading_zero) else { continue };
            let Ok(last) = num[dot + 1..].parse::<u32>() else { continue };
            let succ = format!(" {}.{} ", &num[..dot], last + 1);
            if body[run_end..].contains(&succ) {
                return Some(s);
            }
        }
        i = run_end.max(i + 1);
    }
    None
}

/// `numbered-title-tail` of the profile: after the guessed end of a
/// numbered title (`2138. `, `LCP 54. `), each listed token that follows
/// (after optional spaces) belongs to the title; an alphabetic token only
/// when no letter follows it (the snippet may be glued: `II]$，…`, `II后，…`;
/// a lower-case letter after two or more letters starts a glued word).
fn numbered_tail(body: &str, mut stop: usize, profile: &Profile) -> usize {
    if profile.numbered_title_tails.is_empty() {
        return stop;
    }
    let skip = strip_number(body).map_or(0, |r| body.len() - r.len());
    if problem_number(&body[skip..], &profile.number_prefixes).is_none() {
        return stop;
    }
    loop {
        let rest = &body[stop..];
        let t = rest.trim_start();
        // The longest listed token that ends where a token may end.
        let found = profile
            .numbered_title_tails
            .iter()
            .filter(|tok| {
                let Some(after) = t.strip_prefix(tok.as_str()) else { return false };
                if !tok.chars().all(|c| c.is_ascii_alphabetic()) {
                    return true;
                }
                let next = after.chars().next();
                next.is_none_or(|c| {
                    !c.is_ascii_alphabetic() || (tok.len() >= 2 && c.is_ascii_lowercase())
                }) && !after.starts_with(". ")
            })
            .map(String::len)
            .max();
        match found {
            // Tokens are not empty: `stop` grows.
            Some(n) => stop += rest.len() - t.len() + n,
            None => return stop,
        }
    }
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
