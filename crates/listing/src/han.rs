//! Which characters are Han ideographs: the one definition every wenku
//! crate uses (parsing, analysis, query reading, benchmarks).

/// Han ideographs: the CJK unified ideographs (the base block and
/// extensions A to H), the compatibility ideographs and `〇` (U+3007).
/// Kangxi and supplementary radicals are not ideographs (the normaliser
/// folds them first).
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF | 0x3007)
}

/// The compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F): the Han
/// characters that NFKC replaces by a unified ideograph. Every other Han
/// character is left unchanged by NFKC.
#[inline]
pub fn is_compatibility_ideograph(c: char) -> bool {
    matches!(c as u32, 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn han_and_what_nfkc_does_to_it() {
        for c in ['中', '㐀', '〇', '𠀀', '鿿', '豈', '\u{2F800}'] {
            assert!(is_han(c), "{c}");
        }
        for c in ['a', '。', '⼀', '⺀', 'ぁ', 'ア', '가', '\u{3006}'] {
            assert!(!is_han(c), "{c}");
        }
        // NFKC leaves a Han character alone unless it is a compatibility one
        for c in ['中', '㐀', '〇', '𠀀', '豈', '\u{2F800}', '\u{FA70}'] {
            let same = std::iter::once(c).nfkc().eq(std::iter::once(c));
            assert_eq!(same, !is_compatibility_ideograph(c), "{c}");
        }
    }
}
