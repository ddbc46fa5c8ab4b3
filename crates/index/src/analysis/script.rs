//! Traditional → simplified folding, one character at a time.
//!
//! The table is generated at build time from OpenCC's `t2s` data (see
//! `build.rs`): every CJK code point is converted on its own and kept when
//! OpenCC maps it to a single different character. Character-level folding
//! keeps the text length in characters, so positions and offsets stay exact;
//! OpenCC's phrase-level rules (which pick among several simplified forms by
//! context) are given up for that, a loss measured in `docs/analysis.md`.

include!(concat!(env!("OUT_DIR"), "/t2s_table.rs"));

/// The simplified form of `c`, or `c` itself.
#[inline]
pub fn to_simplified(c: char) -> char {
    if (c as u32) < 0x3400 {
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

    #[test]
    fn table_is_sorted_and_substantial() {
        assert!(T2S.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(table_len() > 2000, "t2s table has only {} entries", table_len());
    }
}
