//! Stage 2: segmentation of normalised text into tokens.
//!
//! The normalised text is cut into runs: Han characters, other alphanumeric
//! characters ("word" runs: Latin letters, digits, kana, …) and everything
//! else (whitespace, punctuation, symbols), which produces no token at all.
//!
//! * Han runs go to jieba-rs in search mode without HMM ([`Mode::Words`]):
//!   the dictionary words plus their in-dictionary sub-words
//!   (`中国农业发展银行` also gives `中国`, `农业`, `发展`, `银行`). HMM is
//!   off so that text jieba does not know stays split into single characters
//!   instead of being glued into guessed words that no query would match.
//!   In [`Mode::Grams`] Han runs give every character and every pair of
//!   adjacent characters instead (exact substring recall, used for titles).
//! * Word runs are split at ASCII letter/digit boundaries: `v8.5` → `v`,
//!   `8`, `5`; `sys.breakpointhook()` → `sys`, `breakpointhook`;
//!   `__getattribute__` → `getattribute`.
//!
//! **Positions** count significant characters (Han or alphanumeric) before
//! the token, not tokens. Overlapping sub-words thus get consistent
//! positions, and a phrase query built with the same positions
//! (`PhraseQuery::new_with_offset`) matches across word boundaries no matter
//! how jieba cut either side, and whatever punctuation or spacing separates
//! the words (`sys.breakpointhook` ≡ `sys breakpointhook`).

use tantivy::tokenizer::Token;

use super::JiebaRef;
use super::normalize::Normalized;
use wenku_listing::is_han;

/// How Han runs are tokenised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// jieba search mode: words and in-dictionary sub-words.
    Words,
    /// Every character and every character bigram.
    Grams,
    /// jieba default mode (no sub-words): how query text is cut. Every
    /// token it gives is also a token of [`Mode::Words`] for the same text,
    /// since search mode adds sub-words to the default cut.
    Query,
}

/// Character classes of normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Han,
    Word,
    Sep,
}

#[inline]
fn class(c: char) -> Class {
    if is_han(c) {
        Class::Han
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Sep
    }
}

/// Cuts normalised text into tokens; see the module docs.
#[derive(Clone)]
pub struct Segmenter {
    jieba: JiebaRef,
    mode: Mode,
}

impl Segmenter {
    /// A segmenter sharing `jieba`.
    pub fn new(jieba: JiebaRef, mode: Mode) -> Self {
        Segmenter { jieba, mode }
    }

    /// Appends the tokens of `norm` to `out`, with offsets into the
    /// *original* text and non-decreasing positions.
    pub fn segment(&self, norm: &Normalized, out: &mut impl TokenSink) {
        for_each_run(norm.as_str(), |class, start, end, sig| {
            self.flush(norm, class, start, end, sig, out);
        });
    }

    fn flush(
        &self,
        norm: &Normalized,
        class: Class,
        start: usize,
        end: usize,
        sig: usize,
        out: &mut impl TokenSink,
    ) {
        match class {
            Class::Sep => {}
            Class::Word => word_run(norm, start, end, sig, out),
            Class::Han => match self.mode {
                Mode::Words | Mode::Query => self.han_words(norm, start, end, sig, out),
                Mode::Grams => han_grams(norm, start, end, sig, out),
            },
        }
    }

    fn han_words(
        &self,
        norm: &Normalized,
        start: usize,
        end: usize,
        sig: usize,
        out: &mut impl TokenSink,
    ) {
        let run = &norm.as_str()[start..end];
        if run.chars().nth(1).is_none() {
            // one character: its own word, no dictionary needed
            push(norm, start, end, sig, out);
            return;
        }
        let first = out.len();
        let cut = match self.mode {
            Mode::Query => self.jieba.get().cut(run, false),
            _ => self.jieba.get().cut_for_search(run, false),
        };
        for t in cut {
            push(norm, start + t.byte_start, start + t.byte_end, sig + t.start, out);
        }
        // search mode emits sub-words before the word that contains them
        out.tokens_mut()[first..].sort_by_key(|t| (t.position, t.offset_to));
    }
}

/// The tokens of `norm` that are not Han (Latin words, numbers, code
/// pieces), exactly as every mode cuts them, without cutting the Han runs:
/// for highlighting the query's non-Han words in a displayed text.
pub fn word_tokens(norm: &Normalized, out: &mut Vec<Token>) {
    for_each_run(norm.as_str(), |class, start, end, sig| {
        if class == Class::Word {
            word_run(norm, start, end, sig, out);
        }
    });
}

/// Calls `f(class, start, end, sig)` for each maximal run of one character
/// class in `text` (byte range `start..end`; `sig` significant characters
/// before it), in order; a leading empty separator run included.
fn for_each_run(text: &str, mut f: impl FnMut(Class, usize, usize, usize)) {
    let mut sig = 0usize; // significant chars seen so far
    let mut run_class = Class::Sep;
    let mut run_start = 0usize; // byte
    let mut run_sig = 0usize;
    for (i, c) in text.char_indices() {
        let cl = class(c);
        if cl != run_class {
            f(run_class, run_start, i, run_sig);
            run_class = cl;
            run_start = i;
            run_sig = sig;
        }
        if cl != Class::Sep {
            sig += 1;
        }
    }
    f(run_class, run_start, text.len(), run_sig);
}

fn push(norm: &Normalized, start: usize, end: usize, position: usize, out: &mut impl TokenSink) {
    let (offset_from, offset_to) = norm.original_range(start, end);
    out.push_token(offset_from, offset_to, position, &norm.as_str()[start..end]);
}

/// Where the segmenter puts tokens: a `Vec` (a new token each time) or a
/// [`TokenBuf`] (the tokens of the previous text reused, no allocation
/// once its strings are long enough).
pub trait TokenSink {
    /// Appends a token (position length 1).
    fn push_token(&mut self, offset_from: usize, offset_to: usize, position: usize, text: &str);
    /// How many tokens were pushed.
    fn len(&self) -> usize;
    /// Whether none was.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The tokens pushed.
    fn tokens_mut(&mut self) -> &mut [Token];
}

impl TokenSink for Vec<Token> {
    fn push_token(&mut self, offset_from: usize, offset_to: usize, position: usize, text: &str) {
        self.push(Token {
            offset_from,
            offset_to,
            position,
            text: text.to_string(),
            position_length: 1,
        });
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn tokens_mut(&mut self) -> &mut [Token] {
        self
    }
}

/// Token slots reused from one text to the next (the indexing hot path:
/// a `String` per token was a malloc and a free per token).
#[derive(Debug, Default, Clone)]
pub struct TokenBuf {
    tokens: Vec<Token>,
    len: usize,
}

impl TokenBuf {
    /// Forgets the tokens, keeping their memory.
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl TokenSink for TokenBuf {
    fn push_token(&mut self, offset_from: usize, offset_to: usize, position: usize, text: &str) {
        if let Some(t) = self.tokens.get_mut(self.len) {
            t.offset_from = offset_from;
            t.offset_to = offset_to;
            t.position = position;
            t.position_length = 1;
            t.text.clear();
            t.text.push_str(text);
        } else {
            self.tokens.push(Token {
                offset_from,
                offset_to,
                position,
                text: text.to_string(),
                position_length: 1,
            });
        }
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn tokens_mut(&mut self) -> &mut [Token] {
        &mut self.tokens[..self.len]
    }
}

/// Splits a run of alphanumerics at ASCII letter/digit boundaries.
fn word_run(norm: &Normalized, start: usize, end: usize, sig: usize, out: &mut impl TokenSink) {
    let run = &norm.as_str()[start..end];
    let mut piece_start = 0usize;
    let mut piece_sig = sig;
    let mut prev_digit: Option<bool> = None;
    for (n, (i, c)) in run.char_indices().enumerate() {
        let digit = c.is_ascii_digit();
        let boundary = prev_digit.is_some_and(|p| p != digit);
        if boundary {
            push(norm, start + piece_start, start + i, piece_sig, out);
            piece_start = i;
            piece_sig = sig + n;
        }
        prev_digit = Some(digit);
    }
    if piece_start < run.len() {
        push(norm, start + piece_start, end, piece_sig, out);
    }
}

/// Every Han character and every pair of adjacent Han characters.
fn han_grams(norm: &Normalized, start: usize, end: usize, sig: usize, out: &mut impl TokenSink) {
    let run = &norm.as_str()[start..end];
    let mut it = run.char_indices().peekable();
    let mut n = 0;
    while let Some((i, c)) = it.next() {
        let j = i + c.len_utf8();
        push(norm, start + i, start + j, sig + n, out);
        if let Some(&(_, d)) = it.peek() {
            push(norm, start + i, start + j + d.len_utf8(), sig + n, out);
        }
        n += 1;
    }
}
