//! Stage 1: character normalisation with an exact map back to the input.
//!
//! Every input character becomes zero or more output characters:
//! NFKC (full-width → ASCII, Kangxi radicals U+2F00–U+2FD5 → ideographs,
//! U+3000 → space), lower case, then traditional → simplified
//! ([`super::script`]). For every output byte we remember the byte range of
//! the input character it came from, so that a token found in the normalised
//! text maps back to exact byte offsets in the original (highlights).
//!
//! NFKC is applied per character, not across characters: composition of a
//! base letter with a following combining mark is not attempted. Catalog text
//! is precomposed in practice, and per-character mapping is what keeps the
//! offset map trivial.

use unicode_normalization::UnicodeNormalization;

use wenku_listing::{is_compatibility_ideograph, is_han};

use super::script::to_simplified;

/// Normalised text plus, for each of its bytes, the input range it came from.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`: start of the input character it came from.
    from: Vec<u32>,
    /// For each byte of `text`: end of the input character it came from.
    to: Vec<u32>,
}

impl Normalized {
    /// Normalises `input`, reusing this buffer's allocations.
    pub fn normalize(&mut self, input: &str) {
        self.text.clear();
        self.from.clear();
        self.to.clear();
        self.text.reserve(input.len());
        for (start, c) in input.char_indices() {
            let end = (start + c.len_utf8()) as u32;
            let start = start as u32;
            if c.is_ascii() {
                self.push(c.to_ascii_lowercase(), start, end);
            } else if is_han(c) && !is_compatibility_ideograph(c) {
                // NFKC and lower-casing leave it alone
                self.push(to_simplified(c), start, end);
            } else {
                for n in std::iter::once(c).nfkc() {
                    for l in n.to_lowercase() {
                        self.push(to_simplified(l), start, end);
                    }
                }
            }
        }
    }

    #[inline]
    fn push(&mut self, c: char, from: u32, to: u32) {
        let before = self.text.len();
        self.text.push(c);
        for _ in before..self.text.len() {
            self.from.push(from);
            self.to.push(to);
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to a byte range of the input.
    ///
    /// `start < end` must hold and both must lie on char boundaries of the
    /// normalised text.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.from[start] as usize, self.to[end - 1] as usize)
    }
}

/// Normalises a whole string (queries, tests); no offset map.
pub fn normalize_str(input: &str) -> String {
    let mut n = Normalized::default();
    n.normalize(input);
    n.text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, normalised) pairs; each row is one behaviour.
    const CASES: &[(&str, &str)] = &[
        ("CUDA", "cuda"),
        ("ＴｉＤＢ　ｖ８．５", "tidb v8.5"),
        ("⽬目录", "目目录"), // radical folded; doubling is repaired upstream, in wenku-listing
        ("標準庫", "标准库"),
        ("Python 标准库", "python 标准库"),
        ("１４９２", "1492"),
        ("ﬁle", "file"),
        ("", ""),
    ];

    #[test]
    fn normalises_table() {
        for (input, want) in CASES {
            assert_eq!(normalize_str(input), *want, "help: input {input:?}");
        }
    }

    #[test]
    fn maps_back_to_input_bytes() {
        let input = "Ａ標x";
        let mut n = Normalized::default();
        n.normalize(input);
        assert_eq!(n.as_str(), "a标x");
        // "标" is bytes 1..4 of the output and came from bytes 3..6 of the input.
        assert_eq!(n.original_range(1, 4), (3, 6));
        assert_eq!(&input[3..6], "標");
        assert_eq!(n.original_range(0, 5), (0, 7));
        // an expansion: both output letters map to the whole ligature
        n.normalize("ﬁ");
        assert_eq!(n.as_str(), "fi");
        assert_eq!(n.original_range(1, 2), (0, 3));
    }
}
