//! A learned scorer for the title/snippet boundary, used when no reliable
//! rule (repeated title, `— Python x 文档`, markers, remembered titles)
//! finds it.
//!
//! Every character boundary in the first [`MAX_CHARS`] characters of the
//! body (after a leading re-upload number, before the first `。`) is a
//! candidate. Each candidate is described by sparse features: the classes
//! and identities of the characters on both sides, whether a space separates
//! them and what kind (`中 English` spacing is typographic, `中 中` is not),
//! the title's length, its punctuation and brackets, and whether the shape
//! rules of `split.rs` end the title there. The candidate with the highest
//! sum of feature weights wins.
//!
//! The weights (`boundary_weights.txt`, one `weight<TAB>feature` per line)
//! are trained by an averaged structured perceptron
//! (`examples/train_split.rs`) on the dev corpus's truth, and measured with
//! held-out result sets there (docs/listing-format.md). The same
//! [`features`] function serves training and parsing, so the two cannot
//! drift apart.

use std::sync::OnceLock;

use crate::memory::{Evidence, TitleMemory};
use crate::shape;
use crate::text::{PrefixHash, fold_char, leading_label, problem_number, strip_number};

pub(crate) use crate::text::MAX_CHARS;

/// Receives the features of one candidate, each as a few string parts.
pub(crate) trait Sink {
    fn emit(&mut self, parts: &[&str]);
}

/// The key of a feature: the [`PrefixHash`] of its parts, separated by
/// U+001F. Weights are stored by name (`boundary_weights.txt`) and keyed
/// at load, so a change of hash needs no retraining.
pub(crate) fn feature_key(parts: &[&str]) -> u64 {
    let mut h = PrefixHash::default();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.push(0x1f);
        }
        p.bytes().for_each(|b| h.push(b));
    }
    h.get()
}

/// The feature schema: a version and the feature templates [`features`]
/// emits. The weights file states the schema it was trained with
/// (`#schema<TAB>…`, written by `examples/train_split.rs`); weights of
/// another schema are refused at load, so a renamed or changed feature
/// cannot silently lose its weights. Bump the version when a template
/// keeps its name but changes meaning.
pub(crate) const SCHEMA: &str = "boundary/3 cls cls3a cls3b end1 beg1 len len-cls spaces cjk-space-cjk \
sep-kind title-punct unbalanced split-word fallback shape glued-word word-repeat tail-again \
seam-again dash soon-punct branch end-word valley head-repeat first-word";

/// The trained weights, keyed by [`feature_key`]: an open-addressing
/// table at most a quarter full (the scorer looks up a few dozen features
/// per candidate end, most of which have no weight; a miss ends at the
/// first empty slot). Key 0 marks an empty slot.
#[derive(Debug)]
pub(crate) struct Weights {
    slots: Vec<(u64, f32)>,
    shift: u32,
}

impl Weights {
    /// Parse `weight<TAB>part<TAB>part…` lines after a `#schema<TAB>…`
    /// header equal to [`SCHEMA`]; other lines starting with `#` are
    /// comments. Errors name the problem: another schema, a feature whose
    /// template the schema does not have, a line that does not parse.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let header =
            text.lines().find_map(|l| l.strip_prefix("#schema\t")).ok_or("no `#schema` header")?;
        if header != SCHEMA {
            return Err(format!("weights of schema `{header}`, the parser has `{SCHEMA}`"));
        }
        let templates: Vec<&str> = SCHEMA.split(' ').skip(1).collect();
        let mut map = rustc_hash::FxHashMap::default();
        for (n, line) in
            text.lines().enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        {
            let mut it = line.split('\t');
            let w = it.next().and_then(|w| w.parse::<f32>().ok());
            let parts: Vec<&str> = it.collect();
            match (w, parts.first()) {
                (Some(w), Some(t)) if templates.contains(t) => {
                    map.insert(feature_key(&parts), w);
                }
                _ => return Err(format!("line {}: not a weight of a schema feature", n + 1)),
            }
        }
        if map.contains_key(&0) {
            return Err("a feature whose key is 0".to_string());
        }
        let size = (map.len() * 4).next_power_of_two().max(16);
        let mut weights =
            Weights { slots: vec![(0, 0.0); size], shift: 64 - size.trailing_zeros() };
        for (k, w) in map {
            let mut i = weights.slot(k);
            while weights.slots[i].0 != 0 {
                i = (i + 1) & (size - 1);
            }
            weights.slots[i] = (k, w);
        }
        Ok(weights)
    }

    /// How many features have a weight.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.0 != 0).count()
    }

    #[inline]
    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    pub(crate) fn get(&self, k: u64) -> f32 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(k);
        loop {
            let (key, w) = self.slots[i];
            if key == k {
                return w;
            }
            if key == 0 {
                return 0.0;
            }
            i = (i + 1) & mask;
        }
    }
}

/// The bundled weights. Weights that do not load (a schema mismatch:
/// a build error the crate's tests catch) leave the scorer out: the shape
/// fallback decides.
pub(crate) fn weights() -> Option<&'static Weights> {
    static W: OnceLock<Option<Weights>> = OnceLock::new();
    W.get_or_init(|| {
        Weights::parse(include_str!("boundary_weights.txt"))
            .map_err(|e| tracing::error!("boundary_weights.txt: {e}"))
            .ok()
    })
    .as_ref()
}

struct Score<'w> {
    w: &'w Weights,
    sum: f32,
}

impl Sink for Score<'_> {
    fn emit(&mut self, parts: &[&str]) {
        self.sum += self.w.get(feature_key(parts));
    }
}

/// The end (byte offset) of the title by the trained weights; `None` when
/// the body has no candidate.
pub(crate) fn best_end(body: &str, memory: Option<&TitleMemory>) -> Option<usize> {
    best_end_with(body, memory, weights()?)
}

pub(crate) fn best_end_with(
    body: &str,
    memory: Option<&TitleMemory>,
    w: &Weights,
) -> Option<usize> {
    let line = Line::new(body, memory);
    let mut best: Option<(f32, usize)> = None;
    for end in line.candidates() {
        let mut s = Score { w, sum: 0.0 };
        features(&line, end, &mut s);
        if best.is_none_or(|(b, _)| s.sum > b) {
            best = Some((s.sum, end));
        }
    }
    best.map(|(_, e)| e)
}

/// What is computed once per body.
pub(crate) struct Line<'a> {
    pub(crate) body: &'a str,
    /// Byte offset after a leading re-upload number (`4 `) and a problem
    /// number (`2138. `), where the title's words start.
    skip: usize,
    /// Candidates end before this byte offset.
    limit: usize,
    /// The shape rules' guesses.
    fallback: usize,
    shape: Option<usize>,
    glued_word: Option<usize>,
    /// Title statistics after each character of the title region, keyed
    /// by the byte offset after it.
    stats: Vec<(usize, Stats)>,
    /// Offset of the body's first ` - `.
    dash: Option<usize>,
    /// The body folded (`fold_char`, no whitespace) and the byte offset
    /// of the original char each folded char came from.
    folded: Vec<char>,
    folded_from: Vec<usize>,
    /// For each position of `folded`, the next position where the same
    /// 2 (`next2`) or 4 (`next4`) folded characters start (`u32::MAX`:
    /// none): the repeat searches follow these instead of scanning.
    next2: Vec<u32>,
    next4: Vec<u32>,
    /// CJK punctuation of the title region (offset, folded character).
    puncts: Vec<(usize, char)>,
    /// The catalog's evidence per candidate end (empty without a memory),
    /// and the last candidate where listings that start alike part.
    evidence: Vec<(usize, Evidence)>,
    last_branch: Option<usize>,
    memory: Option<&'a TitleMemory>,
    /// End of a leading bracketed label (`[ 分类 ]`), if any: candidates
    /// start after it.
    label_end: Option<usize>,
}

/// Counts over `body[skip..end]`.
#[derive(Clone, Copy, Default)]
struct Stats {
    spaces: usize,
    /// Spaces between two CJK characters (not ordinary `中 English` spacing).
    cjk_spaces: usize,
    opens: usize,
    closes: usize,
}

impl<'a> Line<'a> {
    pub(crate) fn new(body: &'a str, memory: Option<&'a TitleMemory>) -> Self {
        let mut skip = strip_number(body).map_or(0, |r| body.len() - r.len());
        if let Some(n) = problem_number(&body[skip..], &[]) {
            skip += n;
        }
        // A title is more than a leading bracketed label (`[ 分类 ]`,
        // `【转载】`): candidates start after it.
        let label_end = leading_label(&body[skip..]).map(|n| skip + n);
        let by_chars =
            body[skip..].char_indices().nth(MAX_CHARS).map_or(body.len(), |(i, _)| skip + i);
        let limit = body.find('。').map_or(by_chars, |i| i.min(by_chars)).max(skip);
        // at most one entry per byte: no regrowing on the way
        let mut stats = Vec::with_capacity(limit - skip);
        let mut puncts = Vec::new();
        let mut st = Stats::default();
        let mut prev = Class::None;
        let mut it = body[skip..limit].char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let class = Class::of(Some(c));
            match c {
                ' ' => {
                    st.spaces += 1;
                    let next = Class::of(it.peek().map(|x| x.1));
                    if prev.is_cjk() && next.is_cjk() {
                        st.cjk_spaces += 1;
                    }
                }
                '(' | '（' | '[' | '【' => st.opens += 1,
                ')' | '）' | ']' | '】' => st.closes += 1,
                _ => {}
            }
            if class == Class::CjkPunct {
                puncts.push((skip + i, fold_char(c)));
            }
            if c != ' ' {
                prev = class;
            }
            stats.push((skip + i + c.len_utf8(), st));
        }
        let fold_end = body[limit..].char_indices().nth(160).map_or(body.len(), |(i, _)| limit + i);
        let mut folded = Vec::with_capacity(fold_end);
        let mut folded_from = Vec::with_capacity(fold_end);
        for (i, c) in body[..fold_end].char_indices().filter(|(_, c)| !c.is_whitespace()) {
            folded.push(fold_char(c));
            folded_from.push(i);
        }
        let evidence = memory
            .map(|m| m.evidence(body, label_end.map_or(skip, |l| l + 1), limit + 1))
            .unwrap_or_default();
        let last_branch = evidence.iter().rev().find(|(_, e)| e.branches).map(|(i, _)| *i);
        let next2 = next_same(&folded, 2);
        let next4 = next_same4(&folded, &next2);
        Line {
            next2,
            next4,
            memory,
            evidence,
            last_branch,
            label_end,
            dash: crate::text::find(body, &crate::text::DASH),
            folded,
            folded_from,
            stats,
            puncts,
            body,
            skip,
            limit,
            fallback: shape::fallback(body),
            shape: shape::shape_rules(body),
            glued_word: shape::glued_title_word(body, skip),
        }
    }

    /// Index into `folded` of the first folded char at or after `at`.
    fn folded_at(&self, at: usize) -> usize {
        self.folded_from.partition_point(|&i| i < at)
    }

    /// The title's length in characters and its statistics when it ends
    /// at `end` (a candidate end).
    fn stats_at(&self, end: usize) -> (usize, Stats) {
        let k = self.stats.partition_point(|(e, _)| *e < end);
        match self.stats.get(k) {
            Some((e, s)) if *e == end => (k + 1, *s),
            _ => (self.body[self.skip..end].chars().count(), Stats::default()),
        }
    }

    /// Candidate ends: character boundaries after at least one character
    /// of title text, not inside the separator space, with text after them.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = usize> + '_ {
        let b = self.body.as_bytes();
        let start = self.skip;
        let first = self.label_end.map_or(start, |l| l + 1);
        self.body[start..]
            .char_indices()
            .map(move |(i, c)| start + i + c.len_utf8())
            .take_while(move |&e| e <= self.limit && e < b.len())
            .filter(move |&e| e >= first)
            .filter(move |&e| b[e - 1] != b' ' && !self.body[e..].trim_start().is_empty())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Han,
    CjkOpen,
    CjkClose,
    CjkPunct,
    Upper,
    Lower,
    Digit,
    Open,
    Close,
    Quote,
    Punct,
    Space,
    Other,
    None,
}

impl Class {
    fn of(c: Option<char>) -> Class {
        let Some(c) = c else { return Class::None };
        // the common case first: a CJK unified ideograph (no other arm
        // below takes one)
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            return Class::Han;
        }
        match c {
            'A'..='Z' => Class::Upper,
            'a'..='z' => Class::Lower,
            '0'..='9' => Class::Digit,
            '(' | '[' | '{' | '<' => Class::Open,
            ')' | ']' | '}' | '>' => Class::Close,
            '"' | '\'' | '`' => Class::Quote,
            c if c.is_whitespace() => Class::Space,
            c if c.is_ascii() => Class::Punct,
            '（' | '【' | '「' | '《' | '“' | '‘' | '〈' | '『' => Class::CjkOpen,
            '）' | '】' | '」' | '》' | '”' | '’' | '〉' | '』' => Class::CjkClose,
            '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '—' | '…' | '·' => {
                Class::CjkPunct
            }
            c if is_han_or_radical(c) => Class::Han,
            _ => Class::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Class::Han => "H",
            Class::CjkOpen => "O",
            Class::CjkClose => "C",
            Class::CjkPunct => "P",
            Class::Upper => "U",
            Class::Lower => "l",
            Class::Digit => "d",
            Class::Open => "o",
            Class::Close => "c",
            Class::Quote => "q",
            Class::Punct => "p",
            Class::Space => "s",
            Class::Other => "x",
            Class::None => "-",
        }
    }

    fn is_cjk(self) -> bool {
        matches!(self, Class::Han | Class::CjkOpen | Class::CjkClose | Class::CjkPunct)
    }
}

/// The scorer's Han class: Han ideographs (`crate::han::is_han`, the
/// workspace's one definition) and the CJK and Kangxi radicals, which
/// PDF extraction puts in place of ideographs (`⽤` for `用`) in the raw
/// text the scorer reads (the normaliser folds them later).
fn is_han_or_radical(c: char) -> bool {
    crate::han::is_han(c) || matches!(c, '\u{2E80}'..='\u{2FDF}')
}

/// The identity part of a character: CJK punctuation and brackets as
/// themselves (a closed set of a few dozen marks), everything else by
/// class. Han characters are not told apart: a model of a few hundred
/// labelled lines would learn which characters end the titles of the
/// sources it saw, not where titles end.
fn ident(c: Option<char>, buf: &mut [u8; 4]) -> &str {
    match c {
        Some(c)
            if matches!(Class::of(Some(c)), Class::CjkOpen | Class::CjkClose | Class::CjkPunct) =>
        {
            fold_char(c).encode_utf8(buf)
        }
        other => Class::of(other).name(),
    }
}

/// For each start `i` of a `k`-character window of `folded`, the next
/// start `j > i` of an equal window (`u32::MAX`: none). `k` ≤ 3: the
/// window's 21-bit characters make one `u64` key.
fn next_same(folded: &[char], k: usize) -> Vec<u32> {
    debug_assert!((1..=3).contains(&k));
    let n = folded.len();
    let mut next = vec![u32::MAX; n];
    if n < k {
        return next;
    }
    let mut last: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    last.reserve(n);
    for i in (0..=n - k).rev() {
        let key = folded[i..i + k].iter().fold(0u64, |a, &c| (a << 21) | u64::from(c as u32));
        if let Some(j) = last.insert(key, i as u32) {
            next[i] = j;
        }
    }
    next
}

/// [`next_same`]`(folded, 4)` from `next2 = next_same(folded, 2)`: the
/// next equal 4-window is the first of the next equal 2-windows whose
/// following two characters are equal too (no hashing; the chains are
/// short outside runs of one repeated pair).
fn next_same4(folded: &[char], next2: &[u32]) -> Vec<u32> {
    let n = folded.len();
    let mut next = vec![u32::MAX; n];
    for i in 0..n.saturating_sub(3) {
        let mut j = next2[i];
        while j != u32::MAX {
            let j_ = j as usize;
            if j_ + 4 <= n && folded[j_ + 2..j_ + 4] == folded[i + 2..i + 4] {
                break;
            }
            j = next2[j_];
        }
        next[i] = j;
    }
    next
}

/// Whether the window starting at `q` occurs again starting in `from..`
/// and ending by `to` (exclusive), following `next`.
fn occurs_again(next: &[u32], q: usize, k: usize, from: usize, to: usize) -> bool {
    let mut p = next[q];
    while p != u32::MAX && (p as usize) < from {
        p = next[p as usize];
    }
    p != u32::MAX && p as usize + k <= to
}

fn contains(hay: &[char], needle: &[char]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return true };
    hay.len() >= needle.len()
        && hay[..=hay.len() - needle.len()]
            .iter()
            .enumerate()
            .any(|(i, &c)| c == first && hay[i + 1..i + needle.len()] == *rest)
}

fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4..=5 => "4-5",
        6..=8 => "6-8",
        9..=12 => "9-12",
        13..=18 => "13-18",
        19..=25 => "19-25",
        26..=35 => "26-35",
        36..=50 => "36-50",
        _ => "51+",
    }
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// Emit the features of the candidate title end `end` of `line`.
pub(crate) fn features(line: &Line<'_>, end: usize, out: &mut impl Sink) {
    let body = line.body;
    let title = &body[line.skip..end];
    let after = &body[end..];
    let sp = after.starts_with(' ');
    let snippet = after.trim_start();
    let mut tc = title.chars().rev();
    let a = tc.next();
    let a2 = tc.next();
    let mut sc = snippet.chars();
    let b = sc.next();
    let b2 = sc.next();
    let (ca, ca2, cb, cb2) = (Class::of(a), Class::of(a2), Class::of(b), Class::of(b2));
    let s = flag(sp);
    let mut b1 = [0u8; 4];
    let mut b3 = [0u8; 4];

    out.emit(&["cls", s, ca.name(), cb.name()]);
    out.emit(&["cls3a", s, ca2.name(), ca.name(), cb.name()]);
    out.emit(&["cls3b", s, ca.name(), cb.name(), cb2.name()]);
    out.emit(&["end1", ident(a, &mut b1)]);
    out.emit(&["beg1", ident(b, &mut b3)]);

    let (chars, st) = line.stats_at(end);
    let len = bucket(chars);
    out.emit(&["len", len]);
    out.emit(&["len-cls", len, s, cb.name()]);

    // Spaces inside the title, by kind: `中 English` is ordinary spacing,
    // `中 中` or `。 x` is not.
    out.emit(&["spaces", bucket(st.spaces)]);
    out.emit(&["cjk-space-cjk", bucket(st.cjk_spaces.min(3))]);
    // The space at the boundary, by the classes around it.
    if sp {
        out.emit(&["sep-kind", flag(ca.is_cjk()), flag(cb.is_cjk())]);
    }

    // Punctuation inside the title.
    for &(_, c) in line.puncts.iter().take_while(|(i, _)| *i < end) {
        let mut buf = [0u8; 4];
        out.emit(&["title-punct", c.encode_utf8(&mut buf)]);
    }
    out.emit(&["unbalanced", flag(st.opens > st.closes), flag(st.closes > st.opens)]);

    // Cutting a word or a number in two.
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if !sp && alnum(a) && alnum(b) {
        out.emit(&["split-word", ca.name(), cb.name()]);
    }

    // The shape rules.
    out.emit(&["fallback", flag(end == line.fallback)]);
    if let Some(e) = line.shape {
        out.emit(&["shape", flag(end == e)]);
    }
    if let Some(e) = line.glued_word {
        out.emit(&["glued-word", flag(end == e)]);
    }
    // The snippet starts with an ASCII word the title holds.
    let w: &str = {
        let n = snippet.bytes().take_while(u8::is_ascii_alphanumeric).count();
        &snippet[..n]
    };
    if w.len() >= 2 {
        out.emit(&["word-repeat", flag(title.contains(w)), cb.name()]);
    }
    // The title's end comes back soon in the snippet (the document
    // restates its title or heading): the longest of the title's last
    // 2, 4, 8 or 12 characters found in the next 100, compared without
    // spaces and case.
    let n_end = line.folded_at(end);
    let n_title = line.folded_at(line.skip);
    let n_window = &line.folded[n_end..line.folded.len().min(n_end + 100)];
    // The snippet starts with the title's first words (the document
    // restates its title): folded characters in common, without spaces.
    let common = line.folded[n_title..n_end]
        .iter()
        .zip(&line.folded[n_end..])
        .take_while(|(x, y)| x == y)
        .count();
    out.emit(&["head-repeat", bucket(common.min(9))]);
    let mut again = 0;
    // A longer tail holds the shorter one at its end: once a tail is not
    // found, no longer one is (same result, fewer searches).
    for k in [2, 4, 8, 12] {
        let found = n_end >= n_title + k
            && match k {
                2 | 4 => {
                    let next = if k == 2 { &line.next2 } else { &line.next4 };
                    let to = line.folded.len().min(n_end + 100);
                    occurs_again(next, n_end - k, k, n_end, to)
                }
                _ => contains(n_window, &line.folded[n_end - k..n_end]),
            };
        debug_assert_eq!(
            found,
            n_end >= n_title + k && contains(n_window, &line.folded[n_end - k..n_end])
        );
        if found {
            again = k;
        } else {
            break;
        }
    }
    out.emit(&["tail-again", bucket(again)]);
    // The text across the candidate end comes back later: the end is
    // inside a phrase the document repeats, not at a seam.
    if n_end >= n_title + 2 && n_end + 2 <= line.folded.len() {
        let seam = &line.folded[n_end - 2..n_end + 2];
        let later = &line.folded[n_end + 2..line.folded.len().min(n_end + 150)];
        let to = line.folded.len().min(n_end + 150);
        let again = occurs_again(&line.next4, n_end - 2, 4, n_end + 2, to);
        debug_assert_eq!(again, contains(later, seam));
        out.emit(&["seam-again", flag(again)]);
    }
    // tldr-style `cmd - text` titles.
    if let Some(i) = line.dash.filter(|&i| i + 3 <= end) {
        out.emit(&["dash", flag(i >= line.skip), s, cb.name()]);
    }
    // The catalog: listings that start alike part here (the same title
    // over other windows); how many of its learned titles end with this
    // title's last word (`🔒`, `II`, `概述`: a catalog's own conventions,
    // learned from it, not from the training corpus).
    if let Some(m) = line.memory {
        let k = line.evidence.partition_point(|(e, _)| *e < end);
        let ev = line.evidence.get(k).filter(|(e, _)| *e == end).map(|x| x.1).unwrap_or_default();
        out.emit(&["branch", flag(ev.branches), flag(line.last_branch == Some(end)), s]);
        let n = match ev.end_word {
            0 => "0",
            1 => "1",
            2..=3 => "2-3",
            4..=9 => "4-9",
            _ => "10+",
        };
        out.emit(&["end-word", n]);
        // Glued characters: the pair across the end is rarer in the
        // catalog than the pairs on either side (a seam between two
        // texts, not the inside of a word).
        if let (false, Some(a), Some(b), Some(a2), Some(b2)) = (sp, a, b, a2, b2)
            && !a2.is_whitespace()
            && !b2.is_whitespace()
        {
            let seam = m.pair_count(a, b);
            let (left, right) = (m.pair_count(a2, a), m.pair_count(b, b2));
            let valley = seam < left && seam < right;
            let rare = match seam {
                0..=1 => "0-1",
                2..=3 => "2-3",
                4..=15 => "4-15",
                _ => "16+",
            };
            out.emit(&["valley", flag(valley), rare, ca.name(), cb.name()]);
        }
        // The snippet starts with an ASCII word the catalog has nowhere
        // else: a word cut by the window's start (`ommand-line`), not a
        // word of the document.
        let n = snippet.bytes().take_while(|&c| c.is_ascii_alphanumeric() || c == b'_').count();
        if n > 0 && snippet.as_bytes()[0].is_ascii_alphabetic() {
            let k = match m.word_count(&snippet[..n]) {
                0..=1 => "0-1",
                2..=3 => "2-3",
                _ => "4+",
            };
            out.emit(&["first-word", k, s, flag(alnum(a))]);
        }
    }
    // How soon the snippet's first sentence ends.
    let stop = snippet.char_indices().take(12).find(|(_, c)| matches!(c, '。' | '，' | '：'));
    out.emit(&["soon-punct", flag(stop.is_some()), flag(ca.is_cjk())]);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<String>);
    impl Sink for Collect {
        fn emit(&mut self, parts: &[&str]) {
            self.0.push(parts.join("|"));
        }
    }

    /// The next equal `k`-window of each start, by a scan.
    fn scan_next(folded: &[char], k: usize) -> Vec<u32> {
        let n = folded.len();
        (0..n)
            .map(|i| {
                (i + 1..n)
                    .find(|&j| j + k <= n && folded[i..i + k] == folded[j..j + k])
                    .map_or(u32::MAX, |j| j as u32)
            })
            .collect()
    }

    proptest::proptest! {
        /// The hashed chains are the scanned ones.
        #[test]
        fn next_same_is_the_next_equal_window(s in "[ab中⽤]{0,30}", k in 1usize..=3) {
            let folded: Vec<char> = s.chars().collect();
            proptest::prop_assert_eq!(next_same(&folded, k), scan_next(&folded, k));
        }

        /// The 4-windows' chains from the 2-windows' are the scanned ones.
        #[test]
        fn next_same4_is_the_next_equal_4_window(s in "[abc]{0,40}") {
            let folded: Vec<char> = s.chars().collect();
            let next2 = next_same(&folded, 2);
            proptest::prop_assert_eq!(next_same4(&folded, &next2), scan_next(&folded, 4));
        }
    }

    /// Every weight of a file is found again (probing past collisions),
    /// a feature the file does not have weighs 0, and a feature named
    /// twice keeps its last weight.
    #[test]
    fn weights_table_finds_every_weight() {
        let mut text = format!("#schema\t{SCHEMA}\n");
        for i in 0..3000 {
            text.push_str(&format!("{}.5\tcls\t{i}\tH\n", i % 7));
        }
        text.push_str("9.5\tcls\t0\tH\n");
        let w = Weights::parse(&text).unwrap();
        for i in 1..3000 {
            let key = feature_key(&["cls", &i.to_string(), "H"]);
            assert_eq!(w.get(key), (i % 7) as f32 + 0.5, "feature {i}");
            assert_eq!(w.get(feature_key(&["cls", &i.to_string(), "U"])), 0.0);
        }
        assert_eq!(w.get(feature_key(&["cls", "0", "H"])), 9.5);
    }

    #[test]
    fn candidates_skip_numbers_and_separator_spaces() {
        let line = Line::new("4 ab cd。ef", None);
        let ends: Vec<usize> = line.candidates().collect();
        // after `a`, `b`, `c`, `d` (the space after `b` is no end of its own).
        assert_eq!(ends, vec![3, 4, 6, 7]);
    }

    #[test]
    fn feature_key_of_parts_matches_the_weight_file() {
        let text = format!("#schema\t{SCHEMA}\n1.5\tcls\t0\tH\tH\n# comment\n-2\tend1\t。\n");
        let w = Weights::parse(&text).unwrap();
        assert_eq!(w.get(feature_key(&["cls", "0", "H", "H"])), 1.5);
        assert_eq!(w.get(feature_key(&["end1", "。"])), -2.0);
        assert_eq!(w.get(feature_key(&["end1", "，"])), 0.0);
    }

    #[test]
    fn weights_of_another_schema_are_refused() {
        assert!(Weights::parse("1.5\tcls\t0\tH\tH\n").unwrap_err().contains("no `#schema`"));
        let old = "#schema\tboundary/1 cls\n1.5\tcls\t0\tH\tH\n";
        assert!(Weights::parse(old).unwrap_err().contains("boundary/1"));
        let renamed = format!("#schema\t{SCHEMA}\n1.5\tclass\t0\tH\tH\n");
        assert!(Weights::parse(&renamed).unwrap_err().contains("line 2"));
    }

    #[test]
    fn bundled_weights_load_and_cover_the_schema() {
        let text = include_str!("boundary_weights.txt");
        let w = Weights::parse(text).unwrap();
        assert!(weights().is_some());
        // A general model: hundreds of weights, not thousands.
        assert!((50..2000).contains(&w.len()), "{} weights", w.len());
        // Every template the features emit is in the schema.
        let templates: Vec<&str> = SCHEMA.split(' ').skip(1).collect();
        for body in [
            "4 ab cd。ef",
            "Java 定时任务详解为什么需要定时任务？",
            "[ x ]torch.le - y 1.2 . . . 3",
        ] {
            let line = Line::new(body, None);
            for end in line.candidates() {
                let mut c = Collect(Vec::new());
                features(&line, end, &mut c);
                for f in &c.0 {
                    let t = f.split('|').next().unwrap();
                    assert!(templates.contains(&t), "{t} not in the schema");
                }
            }
        }
    }

    #[test]
    fn features_name_both_sides() {
        let line = Line::new("Java 定时任务详解为什么需要定时任务？", None);
        let end = "Java 定时任务详解".len();
        let mut c = Collect(Vec::new());
        features(&line, end, &mut c);
        assert!(c.0.contains(&"end1|H".to_string()), "{:?}", c.0);
        assert!(c.0.contains(&"beg1|H".to_string()));
        assert!(c.0.contains(&"cls|0|H|H".to_string()));
    }
}
