//! Text normalisation for indexing and display: NFKC, repair of fake-bold
//! doubled characters, dot-leader and whitespace collapse.

use unicode_normalization::UnicodeNormalization;

/// Normalise listing text for search and display.
///
/// Steps, in one pass over the characters:
///
/// 1. NFKC: full-width ASCII → ASCII, Kangxi radicals (U+2F00–U+2FD5) and
///    CJK radicals supplement → ordinary ideographs, compatibility forms.
/// 2. Fake-bold repair: PDF text extracted from bold glyphs repeats each
///    character (`利利⽤用率` → `利用率`). A pair `XX` (after NFKC, both CJK
///    ideographs) is collapsed to `X` when the first copy was a radical code
///    point (`⽬目` → `目`), or when it belongs to a run of at least two
///    adjacent doubled pairs (`常常见见` → `常见`). A lone pair of ordinary
///    ideographs (`谢谢`, `看看`) is a genuine repeat and is kept; digits and
///    Latin letters are never collapsed (`1000`, `aa`).
/// 3. Dot leaders of tables of contents (`. . . . 256`: three or more dots
///    separated by single spaces) are removed.
/// 4. Whitespace runs become one ASCII space; the result is trimmed.
///
/// Known damage: a genuine `AABB` reduplication (`高高兴兴`) becomes `AB`
/// (rare in technical text); a lone doubled pair without radical
/// (`为例例`) is left doubled.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if normalize_simple(text, &mut out) {
        return out;
    }
    out.clear();
    let mut c = Collapse::new(&mut out);
    let normed = nfkc_marked(text);
    let doubled = normed.windows(2).any(|w| w[0].0 == w[1].0 && is_ideograph(w[0].0));
    if doubled {
        repair_doubles(&normed, |ch| c.feed(ch));
    } else {
        normed.iter().for_each(|p| c.feed(p.0));
    }
    c.finish();
    out
}

/// Whether [`normalize`] leaves `text` as it is, by a sufficient test
/// (`false` does not mean it changes it): every character is ASCII or
/// one NFKC keeps and nothing composes with (no radical), no whitespace
/// but single ASCII spaces between words, no `.` opening a word (no dot
/// leader), no two equal ideographs in a row (no fake-bold pair).
pub(crate) fn is_plain(text: &str) -> bool {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let ok = match c {
            ' ' | '.' => prev.is_some_and(|p| p != ' '),
            c if c.is_whitespace() => false,
            c if c.is_ascii() => true,
            c => is_stable(c) && !(prev == Some(c) && is_ideograph(c)),
        };
        if !ok {
            return false;
        }
        prev = Some(c);
    }
    prev != Some(' ')
}

/// Whether [`normalize`]`(text)` starts with `text[..n]` unchanged, by a
/// sufficient test: `text[..n]` [`is_plain`], and the character after it
/// (if any) is ASCII or one NFKC keeps that composes with nothing before
/// it. (A fake-bold pair across `n` keeps its first copy at `n - 1`;
/// whitespace, dots and pairs after `n` change only what follows.)
pub(crate) fn starts_plain(text: &str, n: usize) -> bool {
    text.len() >= n
        && text.is_char_boundary(n)
        && is_plain(&text[..n])
        && text[n..].chars().next().is_none_or(|c| c.is_ascii() || is_stable(c))
}

/// Whether `comparable(text)` (see `text::comparable`: [`normalize`], then
/// ASCII lowercase) may start with `comparable(prefix)`, by a necessary
/// test that allocates nothing: `false` means it does not.
///
/// Both sides are read as their *skeletons*: each character mapped as
/// [`normalize`] maps it on its own (radicals to their ideograph,
/// full-width to ASCII, ASCII lowercased), whitespace and `.` dropped, and
/// a character equal to the one before it dropped. Every step of
/// [`normalize`] keeps a text's skeleton (the per-character map is
/// idempotent; it only drops whitespace, `.` of dot leaders, and one copy
/// of a pair of equal characters), so if one comparable form starts with
/// the other, so do the skeletons. A character with no such map (one
/// general NFKC may compose, expand or reorder) ends the test there, and
/// the character before it is not compared (it may compose with it).
pub(crate) fn may_start_with(text: &str, prefix: &str) -> bool {
    let mut t = Skeleton::new(text);
    let mut p = Skeleton::new(prefix);
    loop {
        match (p.next(), t.next()) {
            (Skel::End | Skel::Unknown, _) | (_, Skel::Unknown) => return true,
            (Skel::Char(_), Skel::End) => return false,
            (Skel::Char(a), Skel::Char(b)) if a != b => return false,
            _ => {}
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Skel {
    Char(char),
    /// A character the per-character map cannot decide.
    Unknown,
    End,
}

/// The skeleton of a text, a character at a time (see [`may_start_with`]).
struct Skeleton<'a> {
    chars: std::str::Chars<'a>,
    /// The last mapped character, given out once the next one is known
    /// not to be [`Skel::Unknown`].
    held: Option<char>,
}

impl<'a> Skeleton<'a> {
    fn new(text: &'a str) -> Self {
        Skeleton { chars: text.chars(), held: None }
    }

    fn next(&mut self) -> Skel {
        loop {
            let Some(raw) = self.chars.next() else {
                return self.held.take().map_or(Skel::End, Skel::Char);
            };
            if raw.is_whitespace() {
                continue;
            }
            let Some(mapped) = map_alone(raw) else { return Skel::Unknown };
            let mapped = mapped.to_ascii_lowercase();
            if mapped == '.' || mapped.is_whitespace() || Some(mapped) == self.held {
                continue;
            }
            if let Some(out) = self.held.replace(mapped) {
                return Skel::Char(out);
            }
        }
    }
}

/// Whether [`normalize`]`(a + b)` is `normalize(a) + normalize(b)` for
/// two texts glued with nothing between them, by a sufficient test on
/// the characters around the seam: each maps on its own (ASCII, a
/// radical, or a character NFKC maps alone that cannot compose with the
/// one before it), none maps to whitespace or `.` (no word, dot leader),
/// and no two neighbours across or next to the seam map to the same
/// character (no fake-bold pair or run of pairs spans it).
pub(crate) fn glues_cleanly(a: &str, b: &str) -> bool {
    let map = |c: char| map_alone(c).filter(|m| *m != '.' && !m.is_whitespace());
    let mut ta = a.chars().rev();
    let mut sb = b.chars();
    let (Some(x), Some(y)) = (ta.next().and_then(map), sb.next().and_then(map)) else {
        return false;
    };
    let x2 = ta.next().map(map);
    let y2 = sb.next().map(map);
    x != y
        && x2.is_none_or(|c| c.is_some_and(|c| c != x))
        && y2.is_none_or(|c| c.is_some_and(|c| c != y))
}

/// What [`normalize`] maps `c` to when it maps it on its own: ASCII as
/// it is, a radical to its ideograph, a character NFKC maps alone
/// ([`simple_nfkc`]); `None` for one only general NFKC decides (it may
/// compose, expand or reorder).
pub(crate) fn map_alone(c: char) -> Option<char> {
    if c.is_ascii() {
        Some(c)
    } else if is_radical(c) {
        Some(radical_nfkc(c))
    } else {
        simple_nfkc(c)
    }
}

/// A non-ASCII character that NFKC maps to itself and that cannot
/// compose with a character before it (a starter with NFKC_QC = Yes), not
/// a radical, not whitespace.
fn is_stable(c: char) -> bool {
    !is_radical(c) && !c.is_whitespace() && simple_nfkc(c) == Some(c)
}

/// The common case in one pass: no radical, no character that needs the
/// general NFKC algorithm, no doubled ideograph. Then NFKC is a
/// character-by-character map and there is nothing to repair. Returns
/// false (with `out` partly written) when the text needs the general path.
///
/// Inside a word, a run of characters that every step leaves as they are
/// (ASCII other than whitespace, ideographs NFKC keeps, the stable CJK
/// punctuation of [`simple_nfkc`]) is copied as one slice; other
/// characters go through [`Collapse::feed`] one at a time.
fn normalize_simple(text: &str, out: &mut String) -> bool {
    let b = text.as_bytes();
    let mut c = Collapse::new(out);
    // The last character as mapped (a code point), for the doubled test.
    let mut prev = 0u32;
    let mut i = 0;
    while i < b.len() {
        if c.state == State::InToken {
            let start = i;
            while let Some(&x) = b.get(i) {
                if x < 0x80 {
                    if is_ascii_space(x) {
                        break;
                    }
                    prev = u32::from(x);
                    i += 1;
                    continue;
                }
                // A three-byte sequence (the text is UTF-8), decoded here.
                let (0xE0..=0xEF, Some(&[y, z])) = (x, b.get(i + 1..i + 3)) else { break };
                let cp =
                    (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
                if !is_kept3(cp) {
                    break;
                }
                // `is_ideograph` among the kept: the ideographs but `〇`.
                if cp == prev && cp >= 0x3400 {
                    return false;
                }
                prev = cp;
                i += 3;
            }
            c.out.push_str(&text[start..i]);
            if i == b.len() {
                break;
            }
        }
        let ch = match b[i] {
            x @ 0..0x80 => x as char,
            _ => text[i..].chars().next().unwrap_or('\0'),
        };
        i += ch.len_utf8();
        let m = if ch.is_ascii() {
            ch
        } else if is_radical(ch) {
            return false;
        } else {
            match simple_nfkc(ch) {
                Some(m) => m,
                None => return false,
            }
        };
        if m as u32 == prev && is_ideograph(m) {
            return false;
        }
        prev = m as u32;
        c.feed(m);
    }
    c.finish();
    true
}

/// ASCII whitespace as `char::is_whitespace` has it (with U+000B, which
/// `u8::is_ascii_whitespace` leaves out).
#[inline(always)]
fn is_ascii_space(x: u8) -> bool {
    matches!(x, b' ' | b'\t'..=b'\r')
}

/// `char::is_whitespace`, with the common cases first (no Unicode
/// whitespace comes after U+3000).
#[inline(always)]
pub(crate) fn is_space(c: char) -> bool {
    match c as u32 {
        0..0x80 => is_ascii_space(c as u8),
        0x3001.. => false,
        _ => c.is_whitespace(),
    }
}

/// A three-byte character (U+0800–U+FFFF) every step of [`normalize`]
/// keeps as it is inside a word: not whitespace, mapped to itself by one
/// of [`simple_nfkc`]'s fixed arms (the ideographs of the base block and
/// extension A, the stable CJK and general punctuation), so composing
/// with nothing (test `kept_characters_are_stable`).
#[inline(always)]
fn is_kept3(cp: u32) -> bool {
    // the base block first: most of the characters
    (0x4E00..=0x9FFF).contains(&cp)
        || matches!(cp, 0x2012..=0x2016 | 0x2018..=0x2023 | 0x3001..=0x3029 | 0x3400..=0x4DBF)
}

/// NFKC of `text` as (character, was a radical code point) pairs.
///
/// Radicals (U+2E80–U+2EF3, U+2F00–U+2FD5) are mapped one by one and
/// marked; NFKC of the other non-ASCII characters is done on their maximal
/// runs (between ASCII characters and radicals), so that composition
/// cannot join characters across ASCII. A run made only of characters
/// whose NFKC is one fixed character that can neither compose nor reorder
/// (CJK ideographs, full-width ASCII, U+3000, NFKC-stable starters) is
/// mapped character by character, which gives the same result without the
/// general algorithm.
fn nfkc_marked(text: &str) -> Vec<(char, bool)> {
    let mut out: Vec<(char, bool)> = Vec::with_capacity(text.len() / 2);
    // Open run: (byte offset in text, index in out, all simple so far).
    let mut run: Option<(usize, usize, bool)> = None;
    let close = |out: &mut Vec<(char, bool)>, run: Option<(usize, usize, bool)>, end: usize| {
        if let Some((from, at, false)) = run {
            out.truncate(at);
            out.extend(text[from..end].nfkc().map(|c| (c, false)));
        }
    };
    for (i, ch) in text.char_indices() {
        if ch.is_ascii() {
            close(&mut out, run.take(), i);
            out.push((ch, false));
        } else if is_kept3(ch as u32) {
            // `simple_nfkc`'s common case, first
            run.get_or_insert((i, out.len(), true));
            out.push((ch, false));
        } else if is_radical(ch) {
            close(&mut out, run.take(), i);
            out.push((radical_nfkc(ch), true));
        } else {
            let r = run.get_or_insert((i, out.len(), true));
            match simple_nfkc(ch) {
                Some(m) => out.push((m, false)),
                None => {
                    r.2 = false;
                    out.push((ch, false));
                }
            }
        }
    }
    close(&mut out, run, text.len());
    out
}

/// NFKC of a non-ASCII, non-radical character that maps to one character
/// and takes no part in composition or reordering; `None` otherwise.
#[inline(always)]
fn simple_nfkc(c: char) -> Option<char> {
    // the common case first: ideographs of the base block and extension
    // A, the stable CJK and general punctuation (see the tests)
    if is_kept3(c as u32) {
        return Some(c);
    }
    match c {
        c if crate::is_han(c) && !crate::is_compatibility_ideograph(c) => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        '\u{00B7}' => Some(c),
        _ => slow_simple_nfkc(c),
    }
}

/// A character NFKC leaves alone and that cannot compose with its
/// neighbours: a starter (combining class 0) with NFKC_Quick_Check = Yes.
#[inline(never)]
fn slow_simple_nfkc(c: char) -> Option<char> {
    use unicode_normalization::{IsNormalized, char::canonical_combining_class};
    (canonical_combining_class(c) == 0
        && unicode_normalization::is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
        .then_some(c)
}

fn is_radical(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{2EF3}' | '\u{2F00}'..='\u{2FD5}')
}

/// NFKC of a radical ([`is_radical`]): always exactly one character (the
/// test `radicals_map_to_one_character`), looked up in a table made once
/// from `unicode-normalization` instead of running its iterator per
/// character.
fn radical_nfkc(c: char) -> char {
    const SUPPLEMENT: u32 = 0x2E80;
    const KANGXI: u32 = 0x2F00;
    static TABLE: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (SUPPLEMENT..=0x2EF3)
            .chain(KANGXI..=0x2FD5)
            .filter_map(char::from_u32)
            .map(|r| std::iter::once(r).nfkc().next().unwrap_or(r))
            .collect()
    });
    let i = match c as u32 {
        n @ SUPPLEMENT..=0x2EF3 => Some(n - SUPPLEMENT),
        n => n.checked_sub(KANGXI).map(|k| k + (0x2EF3 - SUPPLEMENT + 1)),
    };
    i.and_then(|i| table.get(i as usize)).copied().unwrap_or(c)
}

/// A Han character that fake-bold doubling can repeat. `〇` is left out:
/// it is doubled for real in years written in characters (`二〇〇八`).
fn is_ideograph(c: char) -> bool {
    c != '〇' && crate::is_han(c)
}

/// Length (in pairs, and end index) of the run of doubled pairs at `i`,
/// and whether a first copy was a radical; `firsts` gets each first copy.
fn doubled_run(
    cs: &[(char, bool)],
    i: usize,
    mut firsts: impl FnMut(char),
) -> (usize, usize, bool) {
    let n = cs.len();
    let mut j = i;
    let mut pairs = 0;
    let mut any_radical = false;
    while j + 1 < n && cs[j].0 == cs[j + 1].0 && is_ideograph(cs[j].0) && !cs[j + 1].1 {
        any_radical |= cs[j].1;
        firsts(cs[j].0);
        pairs += 1;
        j += 2;
        // `⾏行行`: a radical copy followed by two ideograph copies.
        if cs[j - 2].1 && j < n && cs[j].0 == cs[j - 1].0 && !cs[j].1 {
            j += 1;
        }
    }
    (pairs, j, any_radical)
}

/// Collapse doubled ideograph pairs, see [`normalize`]; `emit` gets the
/// repaired characters in order.
fn repair_doubles(cs: &[(char, bool)], mut emit: impl FnMut(char)) {
    let n = cs.len();
    let mut i = 0;
    while i < n {
        let (pairs, j, any_radical) = doubled_run(cs, i, |_| {});
        if pairs == 0 {
            emit(cs[i].0);
            i += 1;
            continue;
        }
        if pairs >= 2 || any_radical {
            doubled_run(cs, i, &mut emit);
        } else {
            emit(cs[i].0);
            emit(cs[i + 1].0);
        }
        i = j;
    }
}

/// Streaming whitespace and dot-leader collapse: tokens are the
/// whitespace-separated words, joined by one space; a run of three or more
/// `.` tokens is a dot leader and is dropped.
struct Collapse<'a> {
    out: &'a mut String,
    /// `.` tokens seen since the last other token.
    dots: usize,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    /// A token that so far is just `.`.
    Dot,
    InToken,
}

impl<'a> Collapse<'a> {
    fn new(out: &'a mut String) -> Self {
        Collapse { out, dots: 0, state: State::Between }
    }

    fn sep(&mut self) {
        if !self.out.is_empty() {
            self.out.push(' ');
        }
    }

    /// Before a token that is not `.`: keep fewer than three pending dots.
    fn flush_dots(&mut self) {
        if (1..3).contains(&self.dots) {
            for _ in 0..self.dots {
                self.sep();
                self.out.push('.');
            }
        }
        self.dots = 0;
    }

    #[inline(always)]
    fn feed(&mut self, c: char) {
        if is_space(c) {
            if self.state == State::Dot {
                self.dots += 1;
            }
            self.state = State::Between;
            return;
        }
        match self.state {
            State::InToken => self.out.push(c),
            State::Between if c == '.' => self.state = State::Dot,
            State::Between => {
                self.flush_dots();
                self.sep();
                self.out.push(c);
                self.state = State::InToken;
            }
            State::Dot => {
                self.flush_dots();
                self.sep();
                self.out.push('.');
                self.out.push(c);
                self.state = State::InToken;
            }
        }
    }

    fn finish(mut self) {
        if self.state == State::Dot {
            self.dots += 1;
        }
        if (1..3).contains(&self.dots) {
            for _ in 0..self.dots {
                self.sep();
                self.out.push('.');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn examples() {
        assert_eq!(normalize("利利⽤用率"), "利用率");
        assert_eq!(normalize("⼤大量量请求并⾏行行"), "大量请求并行");
        assert_eq!(normalize("⽬目录"), "目录");
        assert_eq!(normalize("谢谢 看看 1000"), "谢谢 看看 1000");
        assert_eq!(normalize("ＴｉＤＢ　集群"), "TiDB 集群");
        assert_eq!(normalize("8.7.1 性能说明 . . . . . . 257"), "8.7.1 性能说明 257");
        assert_eq!(normalize("  a  b\t\nc "), "a b c");
        assert_eq!(normalize("a . b"), "a . b");
        assert_eq!(normalize("x . . y"), "x . . y");
        assert_eq!(normalize("end ."), "end .");
        assert_eq!(normalize("参数调整常常见见问问题题"), "参数调整常见问题");
    }

    /// The implementation before the fast paths, kept as a reference.
    fn reference(text: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        fn collapse_into(text: &str, out: &mut String) {
            let mut dots = 0usize;
            let push = |out: &mut String, tok: &str| {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(tok);
            };
            for tok in text.split_whitespace() {
                if tok == "." {
                    dots += 1;
                    continue;
                }
                if (1..3).contains(&dots) {
                    for _ in 0..dots {
                        push(out, ".");
                    }
                }
                dots = 0;
                push(out, tok);
            }
            if (1..3).contains(&dots) {
                for _ in 0..dots {
                    push(out, ".");
                }
            }
        }
        fn repair(cs: &[(char, bool)]) -> Vec<char> {
            let n = cs.len();
            let mut out = Vec::with_capacity(n);
            let mut i = 0;
            while i < n {
                let mut j = i;
                let mut pairs = 0;
                let mut any_radical = false;
                let mut firsts: Vec<char> = Vec::new();
                while j + 1 < n
                    && cs[j].0 == cs[j + 1].0
                    && super::is_ideograph(cs[j].0)
                    && !cs[j + 1].1
                {
                    any_radical |= cs[j].1;
                    firsts.push(cs[j].0);
                    pairs += 1;
                    j += 2;
                    if cs[j - 2].1 && j < n && cs[j].0 == cs[j - 1].0 && !cs[j].1 {
                        j += 1;
                    }
                }
                if pairs == 0 {
                    out.push(cs[i].0);
                    i += 1;
                    continue;
                }
                if pairs >= 2 || any_radical {
                    out.extend_from_slice(&firsts);
                } else {
                    out.extend_from_slice(&[cs[i].0, cs[i + 1].0]);
                }
                i = j;
            }
            out
        }
        let mut out = String::new();
        let mut chars: Vec<(char, bool)> = Vec::new();
        for c in text.chars() {
            if !c.is_ascii() && super::is_radical(c) {
                chars.extend(std::iter::once(c).nfkc().map(|d| (d, true)));
            } else {
                chars.push((c, false));
            }
        }
        let mut normed: Vec<(char, bool)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].0.is_ascii() || chars[i].1 {
                normed.push(chars[i]);
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && !chars[i].0.is_ascii() && !chars[i].1 {
                i += 1;
            }
            normed.extend(chars[start..i].iter().map(|p| p.0).nfkc().map(|c| (c, false)));
        }
        let repaired: String = repair(&normed).into_iter().collect();
        collapse_into(&repaired, &mut out);
        out
    }

    #[test]
    fn radicals_map_to_one_character() {
        use unicode_normalization::UnicodeNormalization;
        let radicals = ('\u{2E80}'..='\u{2EF3}').chain('\u{2F00}'..='\u{2FD5}');
        for r in radicals {
            assert!(super::is_radical(r));
            let nfkc: Vec<char> = std::iter::once(r).nfkc().collect();
            assert_eq!(nfkc, [super::radical_nfkc(r)], "U+{:04X}", r as u32);
        }
        assert_eq!(super::radical_nfkc('⽤'), '用');
        assert_eq!(super::radical_nfkc('⺟'), '母');
    }

    /// What the simple path copies as it is: characters that map to
    /// themselves alone, are not whitespace and compose with nothing.
    #[test]
    fn kept_characters_are_stable() {
        let mut kept = 0;
        for cp in (0x800..=0xFFFF).filter(|&cp| super::is_kept3(cp)) {
            let c = char::from_u32(cp).unwrap();
            assert!(super::is_stable(c), "U+{cp:04X}");
            // the simple path's doubled test: an ideograph iff at or past U+3400
            assert_eq!(super::is_ideograph(c), cp >= 0x3400, "U+{cp:04X}");
            kept += 1;
        }
        assert!(kept > 27_000, "{kept}");
    }

    #[test]
    fn is_space_is_is_whitespace() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(super::is_space(c), c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn fast_ranges_are_stable() {
        for c in ('\u{3001}'..='\u{3029}')
            .chain('\u{2012}'..='\u{2016}')
            .chain('\u{2018}'..='\u{2023}')
            .chain(['\u{00B7}'])
        {
            assert_eq!(super::slow_simple_nfkc(c), Some(c), "{c:?} U+{:04X}", c as u32);
        }
    }

    proptest::proptest! {
        #[test]
        fn same_as_reference(s in "[ a.\\t\u{3000}\u{2F00}-\u{2F10}\u{4E00}-\u{4E10}\u{FF01}-\u{FF10}\u{0300}-\u{0302}\u{00C0}-\u{00C5}\u{3001}-\u{3040}\u{2010}-\u{2030}\u{00B7}\u{FB00}\u{2460}\u{AC00}\u{1100}\u{1161}]{0,40}") {
            proptest::prop_assert_eq!(normalize(&s), reference(&s));
        }

        /// Words of ASCII and ideographs with every kind of ASCII and
        /// Unicode whitespace, dots and doubled characters: the slices
        /// the simple path copies whole, and where they must stop.
        #[test]
        fn same_as_reference_runs(s in "([a.\u{4E00}\u{4E01}\u{3001}\u{00B7}\u{2F00}\u{FF0C}]{1,6}[ \t\n\r\u{0B}\u{0C}\u{85}\u{A0}\u{3000}\u{2028}]{0,2}){0,8}") {
            proptest::prop_assert_eq!(normalize(&s), reference(&s));
        }

        #[test]
        fn same_as_reference_any(s in "\\PC{0,60}") {
            proptest::prop_assert_eq!(normalize(&s), reference(&s));
        }
    }

    proptest::proptest! {
        /// `is_plain` and `starts_plain` are sufficient tests.
        #[test]
        fn plain_text_normalises_to_itself(s in "[ a.\\t\u{3000}\u{2F00}-\u{2F03}\u{4E00}-\u{4E03}\u{FF01}-\u{FF03}\u{0300}-\u{0301}\u{00C0}-\u{00C1}\u{3001}-\u{3003}\u{1680}\u{00B7}\u{1100}\u{1161}]{0,16}", n in 0usize..40) {
            if super::is_plain(&s) {
                proptest::prop_assert_eq!(normalize(&s), s.clone());
            }
            if super::starts_plain(&s, n) {
                let norm = normalize(&s);
                proptest::prop_assert!(norm.starts_with(&s[..n]), "{:?} {}", s, n);
            }
        }

        #[test]
        fn plain_any(s in "\\PC{0,30}", n in 0usize..60) {
            if super::is_plain(&s) {
                proptest::prop_assert_eq!(normalize(&s), s.clone());
            }
            if super::starts_plain(&s, n) {
                proptest::prop_assert!(normalize(&s).starts_with(&s[..n]));
            }
        }
    }

    /// `text::comparable`, as the split compares.
    fn comparable(s: &str) -> String {
        let mut k = normalize(s);
        k.make_ascii_lowercase();
        k
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// The skeleton test is necessary: whenever one comparable form
        /// starts with the other, `may_start_with` says it may (texts
        /// made to start with the prefix, and unrelated ones).
        #[test]
        fn skeleton_test_is_necessary(
            prefix in "[ aA.\t\u{3000}\u{00A0}\u{2F00}-\u{2F02}\u{4E00}-\u{4E02}\u{4E28}\u{4E36}\u{FF0E}\u{FF21}\u{FF41}\u{0301}\u{00E1}\u{AC00}\u{11A8}\u{FB01}]{1,6}",
            rest in "[ aA.\t\u{3000}\u{00A0}\u{2F00}-\u{2F02}\u{4E00}-\u{4E02}\u{4E28}\u{4E36}\u{FF0E}\u{FF21}\u{FF41}\u{0301}\u{00E1}\u{AC00}\u{11A8}\u{FB01}]{0,8}",
            noise in "[ aA.\t\u{3000}\u{00A0}\u{2F00}-\u{2F02}\u{4E00}-\u{4E02}\u{FF0E}\u{FF21}\u{FF41}\u{0301}\u{00E1}\u{AC00}\u{11A8}\u{FB01}]{0,10}",
            flags in proptest::collection::vec(0u8..6, 1..8),
        ) {
            // a noised copy of the prefix: fake-bold pairs (doubled, or a
            // radical before its ideograph), full width, spaces
            let noised: String = prefix
                .chars()
                .zip(flags.iter().cycle())
                .map(|(c, f)| {
                    let radical = match c {
                        '一' => Some('\u{2F00}'),
                        '丨' => Some('\u{2F01}'),
                        '丶' => Some('\u{2F02}'),
                        _ => None,
                    };
                    match (f, radical) {
                        (1, _) => format!("{c}{c}"),
                        (2, Some(r)) => format!("{r}{c}"),
                        (3, _) if c.is_ascii_graphic() => {
                            char::from_u32(c as u32 + 0xFEE0).unwrap().to_string()
                        }
                        (4, _) => format!("{c} "),
                        _ => c.to_string(),
                    }
                })
                .collect();
            for text in [
                format!("{prefix}{rest}"),
                format!("{noised}{rest}"),
                noise.clone(),
                format!("{noise}{prefix}"),
            ] {
                if comparable(&text).starts_with(&comparable(&prefix)) {
                    proptest::prop_assert!(super::may_start_with(&text, &prefix), "{:?} {:?}", text, prefix);
                }
            }
        }

        /// The same on any text.
        #[test]
        fn skeleton_test_is_necessary_any(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            if comparable(&a).starts_with(&comparable(&b)) {
                proptest::prop_assert!(super::may_start_with(&a, &b), "{:?} {:?}", a, b);
            }
        }
    }

    #[test]
    fn skeleton_test_examples() {
        use super::may_start_with;
        // a noised repeat (radical copies, full width, doubled pairs)
        assert!(may_start_with("⽬目录结构 介绍", "目录结构"));
        assert!(may_start_with("ＰＹＴＨＯＮ 教程", "python 教程"));
        assert!(may_start_with("常常见见问问题题 如何", "常见问题"));
        // a different text is rejected on its first characters
        assert!(!may_start_with("目前的结构", "目录结构"));
        assert!(!may_start_with("py", "python"));
        // a character only general NFKC decides ends the test
        assert!(may_start_with("\u{FB01}le", "file"));
    }

    #[test]
    fn plain_examples() {
        use super::{is_plain, starts_plain};
        assert!(is_plain("Python 3.13 文档"));
        assert!(is_plain("856. 括号的分数"));
        for s in
            ["利利用", "a  b", " a", "a ", "x . y", "⽬录", "ＴｉＤＢ", "a\tb", "e\u{301}", "."]
        {
            assert!(!is_plain(s), "{s:?}");
        }
        assert!(starts_plain("文档 . . . 3", "文档".len()));
        assert!(!starts_plain("e\u{301}", 1), "a combining mark after the prefix");
        assert!(!starts_plain("文档⽬", "文档".len()), "a radical after the prefix");
        assert!(!starts_plain("ab", 3));
    }

    #[test]
    fn idempotent() {
        for s in ["利利⽤用率 . . . . 3", "a. b. c.", "... x", "⽬目录 谢谢"] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s}");
        }
    }
}
