//! Traditional → simplified folding, one character at a time.
//!
//! The table (`t2s_table.rs`, committed) is generated from OpenCC's `t2s`
//! data by `cargo run --release -p wenku-benches --bin gen_t2s --
//! crates/index/src/analysis/t2s_table.rs` (`wenku_benches::t2s`; a test
//! there fails when the committed file is stale): every CJK code point is
//! converted on its own and kept when OpenCC maps it to a single different
//! character. Committing it keeps OpenCC's data and its readers (rkyv, fst,
//! phf…) out of every build of wenku. Character-level folding
//! keeps the text length in characters, so positions and offsets stay exact;
//! OpenCC's phrase-level rules (which pick among several simplified forms by
//! context) are given up for that, a loss measured in `docs/analysis.md`.

include!("t2s_table.rs");

/// One bit per code point of the Basic Multilingual Plane: set when the
/// table has an entry for it. Most characters of a text (simplified Han,
/// everything else) have none; the bit rejects them without the binary
/// search, which the analysis would otherwise run once per Han character
/// and field (2 % of the indexing CPU, issue 13).
static IN_TABLE_BMP: [u64; 1024] = bmp_bits(&T2S);

const fn bmp_bits(table: &[(char, char)]) -> [u64; 1024] {
    let mut bits = [0u64; 1024];
    let mut i = 0;
    while i < table.len() {
        let t = table[i].0 as u32;
        if t < 0x1_0000 {
            bits[(t >> 6) as usize] |= 1 << (t & 63);
        }
        i += 1;
    }
    bits
}

/// The simplified form of `c`, or `c` itself.
#[inline]
pub fn to_simplified(c: char) -> char {
    let n = c as u32;
    if n < 0x3400 || (n < 0x1_0000 && IN_TABLE_BMP[(n >> 6) as usize] & (1 << (n & 63)) == 0) {
        return c;
    }
    match T2S.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => T2S[i].1,
        Err(_) => c,
    }
}

/// Number of entries in the table (reported by `wenku stats`).
pub fn table_len() -> usize {
    T2S.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_common_traditional_characters() {
        let cases =
            [('標', '标'), ('準', '准'), ('庫', '库'), ('語', '语'), ('體', '体'), ('龍', '龙')];
        for (t, s) in cases {
            assert_eq!(to_simplified(t), s, "{t}");
        }
    }

    #[test]
    fn leaves_simplified_and_other_scripts_alone() {
        for c in ['标', '准', '库', 'a', '1', ' ', 'é', 'の', '한'] {
            assert_eq!(to_simplified(c), c, "{c}");
        }
    }

    /// The bitmap's fast path gives what the table gives, for every
    /// code point.
    #[test]
    fn bitmap_agrees_with_the_table() {
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            let want = T2S.binary_search_by_key(&c, |&(t, _)| t).map_or(c, |i| T2S[i].1);
            assert_eq!(to_simplified(c), want, "U+{:04X}", c as u32);
        }
    }

    /// The committed table is well formed: what `to_simplified`'s binary
    /// search and its fast path for code points below U+3400 rely on.
    #[test]
    fn table_is_sorted_han_pairs_and_substantial() {
        for w in T2S.windows(2) {
            assert!(w[0].0 < w[1].0, "t2s table not strictly sorted at {:?}, {:?}", w[0], w[1]);
        }
        for &(t, s) in &T2S {
            assert!(t != s, "t2s table maps {t} to itself");
            assert!(crate::analysis::is_han(t) && crate::analysis::is_han(s), "{t} → {s}");
            assert!(t as u32 >= 0x3400, "{t} is below to_simplified's fast path");
        }
        assert!(table_len() > 2000, "t2s table has only {} entries", table_len());
    }
}
