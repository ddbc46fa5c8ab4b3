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
    if text.is_ascii() {
        collapse_into(text, &mut out);
        return out;
    }
    // (char after NFKC, was a radical code point)
    let mut chars: Vec<(char, bool)> = Vec::with_capacity(text.len() / 2);
    for c in text.chars() {
        if c.is_ascii() {
            chars.push((c, false));
        } else if is_radical(c) {
            // Radicals decompose to exactly one ideograph.
            for d in std::iter::once(c).nfkc() {
                chars.push((d, true));
            }
        } else {
            chars.push((c, false));
        }
    }
    // Full NFKC of non-radical text (composition may join characters), done
    // on runs so ASCII stays on the fast path.
    let mut normed: Vec<(char, bool)> = Vec::with_capacity(chars.len());
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
    let repaired: String = repair_doubles(&normed).into_iter().collect();
    collapse_into(&repaired, &mut out);
    out
}

fn is_radical(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{2EF3}' | '\u{2F00}'..='\u{2FD5}')
}

fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Collapse doubled ideograph pairs, see [`normalize`].
fn repair_doubles(cs: &[(char, bool)]) -> Vec<char> {
    let n = cs.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        // Measure the run of doubled pairs starting at i.
        let mut j = i;
        let mut pairs = 0;
        let mut any_radical = false;
        let mut firsts: Vec<char> = Vec::new();
        while j + 1 < n && cs[j].0 == cs[j + 1].0 && is_ideograph(cs[j].0) && !cs[j + 1].1 {
            any_radical |= cs[j].1;
            firsts.push(cs[j].0);
            pairs += 1;
            j += 2;
            // `⾏行行`: a radical copy followed by two ideograph copies.
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

/// Collapse whitespace and dot leaders of `text` into `out`: tokens are
/// the whitespace-separated words; a run of three or more `.` tokens is a
/// dot leader and is dropped.
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

    #[test]
    fn idempotent() {
        for s in ["利利⽤用率 . . . . 3", "a. b. c.", "... x", "⽬目录 谢谢"] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s}");
        }
    }
}
