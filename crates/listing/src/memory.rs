//! What the reader remembers of the catalog it reads, for the split:
//! titles split by a reliable rule, their site suffixes and the words that
//! open their snippets (split rule 4), and the counts the boundary scorer
//! asks of the catalog (title end words, listing prefixes, character
//! pairs, ASCII words). Bounded whatever the catalog size.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::prefixes::Prefixes;
use crate::profile::Profile;
use crate::text::{
    MAX_TITLE, PrefixHash, SITE_FINDERS, bracket_note, end_word, hash_bytes, hash_lower,
    site_suffix_at, strip_number, suffix_len,
};

/// A bounded memory of titles: 64-bit hashes of titles (and of the title
/// without a leading re-upload number), in two generations of at most
/// `CAP / 2` entries; when the young one is full it becomes the old one and
/// the previous old one is dropped, so recently learned titles are kept
/// and memory stays under about `CAP × 16` bytes whatever the catalog size.
#[derive(Debug, Default)]
pub(crate) struct TitleMemory {
    young: FxHashSet<u64>,
    old: FxHashSet<u64>,
    /// A filter of `2^FILTER_BITS` bits (512 KiB) with a bit set for each
    /// hash in `young` and `old` (allocated on the first insert, rebuilt
    /// when a generation is dropped): a clear bit answers most look-ups
    /// (a prefix of the body at every character boundary) without probing
    /// both sets.
    filter: Vec<u64>,
    /// Site-name suffixes of learned titles (` — Python 3.13 文档`, from
    /// the separator on), hashed, with how many titles ended with them;
    /// at most `SUFFIXES` entries (later new ones are not counted).
    suffixes: FxHashMap<u64, u32>,
    /// Snippet openers: the first word after the title's repeat in
    /// reliably split listings (`题目描述` on write-ups of one site), with
    /// how many listings opened with it; at most `SUFFIXES` entries.
    openers: HashMap<String, u32>,
    /// The openers counted `OPENER_LISTINGS` times, in the order they got
    /// there, each as a prepared searcher of it.
    frequent_openers: Vec<memchr::memmem::Finder<'static>>,
    /// Listing prefixes: a hash of each prefix of a body that a title may
    /// end with (a character boundary not after a space, in its first
    /// `MAX_TITLE` bytes) → the character that followed it, with
    /// `BRANCHES` set once another listing continued it with another one.
    prefixes: Prefixes,
    /// The `(hash, next character)` of the prefixes of the body being
    /// learned (kept to reuse its allocation).
    line_prefixes: Vec<(u64, u32)>,
    /// How often each ASCII word (a letter/digit/`_` run, ASCII-lowercased)
    /// occurs in the catalog's listing texts (count-min cells, saturating,
    /// `WORD_CELLS`).
    words: CountMin,
    /// The last word of learned titles (see [`end_word`]), hashed, with
    /// how many distinct learned titles end with it; at most `SUFFIXES`.
    end_words: FxHashMap<u64, u32>,
    /// How often each pair of adjacent non-space characters occurs in
    /// the catalog's listing texts (a count-min cell per hashed pair,
    /// saturating; `PAIR_CELLS` cells, allocated on first use).
    pairs: CountMin,
    /// Set after a first pass over the whole input: the counts above are
    /// complete and a second reading must not count again.
    frozen: bool,
}

/// The bit of `TitleMemory::filter` for a title hash.
#[inline]
fn filter_bit(h: u64) -> usize {
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TitleMemory::FILTER_BITS)) as usize
}

fn set_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

/// Saturating counters in `cells` cells: a hash map of the cells in use
/// while few counts were added (a small catalog, or one page read alone,
/// does not pay for zeroing and touching megabytes), an array once many
/// were (an array's add is a few instructions, the map's tens). Both give
/// the same counts.
#[derive(Debug, Default, Clone)]
pub(crate) struct CountMin {
    sparse: FxHashMap<u32, u16>,
    dense: Vec<u16>,
    /// Counts added to `sparse`.
    adds: usize,
}

impl CountMin {
    #[inline(always)]
    fn add(&mut self, cell: usize, cells: usize) {
        if let Some(c) = self.dense.get_mut(cell) {
            *c = c.saturating_add(1);
            return;
        }
        self.add_sparse(cell, cells);
    }

    /// Adds every count of `other` (saturating: the same values whatever
    /// the order the counts came in).
    fn add_all(&mut self, other: &CountMin, cells: usize) {
        if other.dense.is_empty() && other.sparse.is_empty() {
            return;
        }
        if self.dense.is_empty() {
            self.make_dense(cells);
        }
        if other.dense.is_empty() {
            for (&k, &v) in &other.sparse {
                let c = &mut self.dense[k as usize];
                *c = c.saturating_add(v);
            }
        } else {
            for (c, &v) in self.dense.iter_mut().zip(&other.dense) {
                *c = c.saturating_add(v);
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn add_sparse(&mut self, cell: usize, cells: usize) {
        let c = self.sparse.entry(cell as u32).or_default();
        *c = c.saturating_add(1);
        self.adds += 1;
        if self.adds > cells / 32 || self.sparse.len() > cells / 16 {
            self.make_dense(cells);
        }
    }

    /// From the map to the array (the same counts).
    fn make_dense(&mut self, cells: usize) {
        self.dense = vec![0; cells];
        for (k, v) in self.sparse.drain() {
            self.dense[k as usize] = v;
        }
    }

    #[inline]
    fn get(&self, cell: usize) -> u16 {
        match self.dense.get(cell) {
            Some(c) => *c,
            None => self.sparse.get(&(cell as u32)).copied().unwrap_or(0),
        }
    }
}

/// The character pairs and ASCII words of listing texts, counted apart
/// from a [`TitleMemory`] (on a worker thread of the first pass) and added
/// to it ([`TitleMemory::add_counts`]).
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pairs: CountMin,
    words: CountMin,
}

impl Counts {
    /// Count the pairs and words of `body`.
    pub(crate) fn learn(&mut self, body: &str) {
        count_pairs(&mut self.pairs, body);
        count_words(&mut self.words, body);
    }
}

/// Count the adjacent character pairs of `body`.
fn count_pairs(pairs: &mut CountMin, body: &str) {
    let mut prev: Option<char> = None;
    for c in body.chars() {
        if crate::normalize::is_space(c) {
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            pairs.add(pair_cell(p, c), PAIR_CELLS);
        }
        prev = Some(c);
    }
}

/// Count the ASCII words of `body`.
fn count_words(words: &mut CountMin, body: &str) {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_word_byte(b[i]) {
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&c| is_word_byte(c)).count();
        words.add(word_cell(&b[i..i + n]), WORD_CELLS);
        i += n;
    }
}

/// Cells of `TitleMemory::pairs` (2 MiB of counters; a pair that shares
/// a cell with another counts both, so counts are upper bounds).
pub(crate) const PAIR_CELLS: usize = 1 << 20;

pub(crate) fn pair_cell(a: char, b: char) -> usize {
    let h = (u64::from(a as u32) << 32 | u64::from(b as u32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 44) as usize
}

/// Cells of `TitleMemory::words` (512 KiB of counters).
pub(crate) const WORD_CELLS: usize = 1 << 18;

/// The cell of an ASCII word: FNV-1a of its lowercased bytes, spread by a
/// multiply. Which words share a cell changes the counts a little, and
/// the bundled weights were trained with this cell layout: keep it (or
/// retrain, `examples/train_split.rs`) when changing it.
pub(crate) fn word_cell(word: &[u8]) -> usize {
    let h = word.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 46) as usize
}

#[inline]
pub(crate) fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[usize::from(b)]
}

/// `is_ascii_alphanumeric() || == b'_'` of every byte, looked up (the
/// first pass tests every byte of every listing).
static WORD_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

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

impl TitleMemory {
    const CAP: usize = 400_000;
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

    /// `filter` has `2^FILTER_BITS` bits: about ten per hash the
    /// generations hold at most (`CAP`).
    const FILTER_BITS: u32 = 22;

    fn insert(&mut self, h: u64) {
        if self.young.len() >= Self::CAP / 2 {
            // the dropped generation's table, emptied, is the new young one
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
            self.young.reserve(Self::CAP / 2);
            self.filter.fill(0);
            for &o in &self.old {
                set_bit(&mut self.filter, filter_bit(o));
            }
        }
        if self.filter.is_empty() {
            self.filter = vec![0; (1 << Self::FILTER_BITS) / 64];
        }
        set_bit(&mut self.filter, filter_bit(h));
        self.young.insert(h);
    }

    #[inline]
    fn contains(&self, h: u64) -> bool {
        let i = filter_bit(h);
        self.filter.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
            && (self.young.contains(&h) || self.old.contains(&h))
    }

    /// Remember a title a reliable rule split (nothing once frozen).
    pub(crate) fn learn(&mut self, title: &str) {
        if self.frozen || title.chars().nth(1).is_none() {
            return;
        }
        let h = hash_bytes(title.as_bytes());
        if !self.contains(h)
            && let Some(w) = end_word(title)
        {
            let k = hash_lower(w.as_bytes());
            if self.end_words.len() < Self::SUFFIXES || self.end_words.contains_key(&k) {
                *self.end_words.entry(k).or_default() += 1;
            }
        }
        self.insert(h);
        if let Some(core) = strip_number(title).filter(|c| c.chars().nth(1).is_some()) {
            self.insert(hash_bytes(core.as_bytes()));
        }
        if let Some(i) = site_suffix_at(title) {
            let h = hash_bytes(&title.as_bytes()[i..]);
            if self.suffixes.len() < Self::SUFFIXES || self.suffixes.contains_key(&h) {
                *self.suffixes.entry(h).or_default() += 1;
            }
        }
    }

    /// Count what the boundary scorer asks of the catalog's text (the
    /// character pairs of `body`). Once frozen, nothing more is counted.
    pub(crate) fn learn_text(&mut self, body: &str) {
        if !self.frozen {
            count_pairs(&mut self.pairs, body);
            count_words(&mut self.words, body);
            self.learn_prefixes(body);
        }
    }

    /// [`learn_text`](Self::learn_text) without the character pairs and
    /// words: another thread counts them in a [`Counts`], added later
    /// ([`add_counts`](Self::add_counts)).
    pub(crate) fn learn_text_but_counts(&mut self, body: &str) {
        if !self.frozen {
            self.learn_prefixes(body);
        }
    }

    /// Adds counts made on another thread. Saturating counts add in any
    /// order to the same values, so the memory is the one a single thread
    /// would have learned.
    pub(crate) fn add_counts(&mut self, c: &Counts) {
        if !self.frozen {
            self.pairs.add_all(&c.pairs, PAIR_CELLS);
            self.words.add_all(&c.words, WORD_CELLS);
        }
    }

    /// Remember which character follows each prefix of `body` a title may
    /// end with. Idempotent.
    fn learn_prefixes(&mut self, body: &str) {
        let limit = body.len().min(MAX_TITLE);
        let mut h = PrefixHash::default();
        let mut prev = ' ';
        let line = &mut self.line_prefixes;
        line.clear();
        // Candidate titles end within `MAX_CHARS` characters after a
        // leading number, never after a space.
        for (i, c) in body.char_indices().take(crate::text::MAX_CHARS + 16) {
            if i >= limit {
                break;
            }
            // A continuation inside an ASCII word (`Java` + `8`) is no
            // place where a title ends: it does not count.
            let in_word = prev.is_ascii_alphanumeric() && c.is_ascii_alphanumeric();
            if i > 0 && prev != ' ' && !in_word {
                line.push((h.get(), c as u32));
            }
            prev = c;
            for &b in &body.as_bytes()[i..i + c.len_utf8()] {
                h.push(b);
            }
        }
        self.prefixes.learn(line);
    }

    /// How often the ASCII word `w` occurs in the catalog (an upper bound).
    pub(crate) fn word_count(&self, w: &str) -> u16 {
        self.words.get(word_cell(w.as_bytes()))
    }

    /// The input has been read once in full: what is learned is complete,
    /// and nothing more is learned (titles, suffixes, openers, counts), so
    /// that the split of a listing depends only on the listing and this
    /// memory, not on what was split before it.
    pub(crate) fn freeze(&mut self) {
        self.frozen = true;
    }

    /// Whether [`freeze`](Self::freeze) was called.
    pub(crate) fn is_frozen(&self) -> bool {
        self.frozen
    }

    /// How often `a` is followed by `b` in the catalog (an upper bound).
    pub(crate) fn pair_count(&self, a: char, b: char) -> u16 {
        self.pairs.get(pair_cell(a, b))
    }

    /// The catalog's evidence for every character boundary of `body` from
    /// `from` up to `limit` (bytes) that does not follow a space:
    /// `(end, evidence)` in order.
    pub(crate) fn evidence(&self, body: &str, from: usize, limit: usize) -> Vec<(usize, Evidence)> {
        let bytes = body.as_bytes();
        let limit = limit.min(MAX_TITLE).min(bytes.len());
        // The ends and their keys first, so that the prefix table's slots
        // are fetched together (see `prefixes.rs`). `h` is the hash of
        // `body[..i]`, which is the candidate title itself (it does not
        // end in a space).
        let mut ends = Vec::with_capacity(limit.saturating_sub(from));
        let mut h = PrefixHash::default();
        for (i, &byte) in bytes[..limit].iter().enumerate() {
            if i >= from.max(1) && body.is_char_boundary(i) && bytes[i - 1] != b' ' {
                ends.push((i, h.get()));
            }
            h.push(byte);
        }
        ends.iter().for_each(|&(_, key)| self.prefixes.prefetch(key));
        ends.into_iter()
            .map(|(i, key)| {
                // Only what the catalog holds: a body the catalog does not
                // have (a training example) must not branch by itself.
                let branches = self.prefixes.branches(key);
                let end_word = end_word(&body[..i]).map_or(0, |w| {
                    let n = self.end_words.get(&hash_lower(w.as_bytes())).copied().unwrap_or(0);
                    // A learned title does not count for itself (the
                    // scorer never sees a learned title: the memory
                    // splits it first; training examples made from
                    // learned titles would).
                    if n == 0 { 0 } else { n.saturating_sub(u32::from(self.contains(key))) }
                });
                (i, Evidence { branches, end_word })
            })
            .collect()
    }

    /// Count the word that follows the title's repeat in the snippet.
    pub(crate) fn learn_opener(&mut self, title: &str, snippet: &str) {
        if self.frozen {
            return;
        }
        let core = strip_number(title).unwrap_or(title);
        let Some(rest) = snippet.strip_prefix(title).or_else(|| snippet.strip_prefix(core)) else {
            return;
        };
        // The word: a leading bracketed label (`【经】`, glued or spaced:
        // a section marker of the site's documents), else the
        // space-delimited word after the repeat.
        let label = bracket_note(rest.trim_start()).map(|n| &rest.trim_start()[..n]);
        let Some(word) = label.or_else(|| rest.strip_prefix(' ').and_then(|r| r.split(' ').next()))
        else {
            return;
        };
        if Self::opener_shape(word)
            && (self.openers.len() < Self::SUFFIXES || self.openers.contains_key(word))
        {
            let n = self.openers.entry(word.to_string()).or_default();
            *n += 1;
            if *n == Self::OPENER_LISTINGS {
                self.frequent_openers.push(memchr::memmem::Finder::new(word).into_owned());
            }
        }
    }

    /// A word that may open snippets: 2 to `OPENER_CHARS` characters, no
    /// ASCII (names and numbers vary per listing; headings are words).
    fn opener_shape(word: &str) -> bool {
        let n = word.chars().count();
        (2..=Self::OPENER_CHARS).contains(&n) && !word.contains(|c: char| c.is_ascii())
    }

    /// The re-upload suffix after a title (`suffix_len`), unless it is a
    /// frequent snippet opener: a bracketed section marker (`【经】`) that
    /// opens many snippets starts the snippet, it is no re-upload note.
    fn reupload_len(&self, after: &str, profile: &Profile) -> usize {
        let n = suffix_len(after, profile);
        let opener = |f: &memchr::memmem::Finder<'_>| f.needle() == &after.as_bytes()[..n];
        if n > 0 && self.frequent_openers.iter().any(opener) { 0 } else { n }
    }

    /// The start of the first frequent opener in the head of `body`, after
    /// at least two characters (the title's), glued or after a space.
    fn opener_start(&self, body: &str) -> Option<usize> {
        let limit = body.len().min(MAX_TITLE);
        let from = body.char_indices().nth(2)?.0;
        if from >= limit {
            return None;
        }
        // Only a match that starts before `limit` counts: search no
        // further than where such a match ends (a byte search: a match of
        // a whole UTF-8 word in UTF-8 text starts on a character boundary).
        let bytes = body.as_bytes();
        self.frequent_openers
            .iter()
            .filter_map(|f| {
                let w = f.needle();
                let end = bytes.len().min(limit - 1 + w.len());
                let i = from + f.find(&bytes[from..end])?;
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
        let bytes = body.as_bytes();
        // Separators that start before `limit`: search no further than
        // where one of them ends.
        let mut seps: Vec<usize> = SITE_FINDERS
            .iter()
            .flat_map(|sep| {
                let end = bytes.len().min(limit + sep.needle().len());
                sep.find_iter(&bytes[..end]).take_while(|&i| i < limit)
            })
            .collect();
        seps.sort_unstable();
        seps.into_iter().find_map(|i| {
            let mut h = PrefixHash::default();
            let mut best = None;
            for (k, &b) in body.as_bytes()[i..].iter().enumerate().take(MAX_TITLE) {
                h.push(b);
                let end = i + k + 1;
                if end < body.len()
                    && body.is_char_boundary(end)
                    && self.suffixes.get(&h.get()).is_some_and(|n| *n >= Self::SITE_TITLES)
                {
                    best = Some(end);
                }
            }
            best
        })
    }

    pub(crate) fn lookup(&self, body: &str, profile: &Profile) -> Option<usize> {
        if self.young.is_empty() {
            return None;
        }
        self.lookup_title(body, profile)
            .or_else(|| {
                let end = self.site_suffix_end(body)?;
                Some(end + self.reupload_len(&body[end..], profile))
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
            let mut h = PrefixHash::default();
            let mut best = None;
            for (i, &b) in bytes[..limit].iter().enumerate() {
                h.push(b);
                let end = i + 1;
                // A title ends at a character boundary, before a snippet,
                // and never in a space (learned titles are trimmed).
                if end < 2 || b == b' ' || !rest.is_char_boundary(end) || end == rest.len() {
                    continue;
                }
                if self.contains(h.get()) {
                    best = Some(end);
                }
            }
            if let Some(end) = best {
                let end = skip + end;
                return Some(end + self.reupload_len(&body[end..], profile));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter in front of the two generations never hides a title
    /// they hold, before and after a generation is dropped, and a
    /// dropped title is forgotten.
    #[test]
    fn title_generations_are_found_through_the_filter() {
        let mut m = TitleMemory::default();
        let h = |i: usize| hash_bytes(format!("title {i}").as_bytes());
        let half = TitleMemory::CAP / 2;
        for i in 0..half + 10 {
            m.insert(h(i));
        }
        assert!((0..half + 10).all(|i| m.contains(h(i))));
        for i in half + 10..2 * half + 10 {
            m.insert(h(i));
        }
        // the first generation was dropped; the other two are held
        assert!((0..half).all(|i| !m.contains(h(i))));
        assert!((half..2 * half + 10).all(|i| m.contains(h(i))));
        let unknown = (0..10_000).filter(|&i| m.contains(h(10 * half + i))).count();
        assert_eq!(unknown, 0);
    }

    /// A bracketed section marker that opens many snippets after the
    /// title's repeat (the Zuo Zhuan's `【经】`) is learned as an opener:
    /// it starts the snippet of a listing no rule splits, and it is not
    /// taken for a re-upload note after a remembered title.
    #[test]
    fn a_bracketed_label_that_opens_snippets_starts_them() {
        let mut m = TitleMemory::default();
        let years = ["隐公元年", "隐公二年", "隐公三年", "隐公四年", "隐公五年", "桓公元年"];
        for y in years {
            m.learn(y);
            m.learn_opener(y, &format!("{y} 【经】元年春王正月。三月，公及邾仪父盟于蔑。"));
        }
        m.freeze();
        let p = Profile::generic();
        // Not a remembered title: the opener starts the snippet.
        let body = "庄公十年【经】十年春王正月，公败齐师于长勺。";
        assert_eq!(m.lookup(body, p), Some("庄公十年".len()));
        // A remembered title: the marker is not appended as a re-upload note.
        let body = "隐公二年【经】二年春，公会戎于潜。";
        assert_eq!(m.lookup(body, p), Some("隐公二年".len()));
        // A bracketed note that opens no snippets still is one.
        let body = "隐公二年（完整版）隐公二年 【经】二年春，公会戎于潜。";
        assert_eq!(m.lookup(body, p), Some("隐公二年（完整版）".len()));
    }

    /// Counts split between two tables (one past its switch to the array,
    /// one still a map) and added together are the counts of one table,
    /// saturation included.
    #[test]
    fn count_min_tables_add_up() {
        let cells = 1 << 10;
        let seq: Vec<usize> =
            (0..3000u64).map(|i| ((i * i * 7919) % cells as u64) as usize).collect();
        let mut one = CountMin::default();
        let (mut a, mut b) = (CountMin::default(), CountMin::default());
        for (i, &c) in seq.iter().enumerate() {
            one.add(c, cells);
            if i % 100 == 0 { b.add(c, cells) } else { a.add(c, cells) }
        }
        assert!(!a.dense.is_empty() && b.dense.is_empty(), "one array, one map");
        // one cell past saturation, half in each of two arrays
        let (mut s1, mut s2, mut s) = (a.clone(), CountMin::default(), one.clone());
        for _ in 0..40_000 {
            s1.add(7, cells);
            s2.add(7, cells);
            s.add(7, cells);
            s.add(7, cells);
        }
        assert_eq!(s.get(7), u16::MAX);
        let mut s2b = b.clone();
        s2b.add_all(&s2, cells);
        for (x, y, want) in [(&a, &b, &one), (&b, &a, &one), (&s1, &s2b, &s)] {
            let mut sum = CountMin::default();
            sum.add_all(x, cells);
            sum.add_all(y, cells);
            for c in 0..cells {
                assert_eq!(sum.get(c), want.get(c), "cell {c}");
            }
        }
    }

    /// The sparse and the dense form count alike, across the switch.
    #[test]
    fn count_min_counts_the_same_sparse_and_dense() {
        let cells = 1 << 10;
        let mut switching = CountMin::default();
        let mut dense = CountMin { dense: vec![0; cells], ..CountMin::default() };
        // Deterministic cells, some repeated, past the switch at cells / 16.
        let seq: Vec<usize> =
            (0..2000u64).map(|i| ((i * i * 7919) % cells as u64) as usize).collect();
        for &c in &seq {
            switching.add(c, cells);
            dense.add(c, cells);
        }
        assert!(!switching.dense.is_empty(), "switched to the array");
        for c in 0..cells {
            assert_eq!(switching.get(c), dense.get(c), "cell {c}");
        }
        // Before the switch, too.
        let mut few = CountMin::default();
        for &c in &seq[..20] {
            few.add(c, cells);
        }
        assert!(few.dense.is_empty());
        let want = |c: usize| seq[..20].iter().filter(|&&x| x == c).count() as u16;
        for &c in &seq[..40] {
            assert_eq!(few.get(c), want(c));
        }
    }
}
