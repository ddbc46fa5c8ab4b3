//! The tantivy [`Tokenizer`]: normalisation ([`super::normalize`]) then
//! segmentation ([`super::segment`]), with reusable buffers; a
//! pre-analysed value ([`super::preanalyzed`]) is decoded instead.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::normalize::Normalized;
use super::segment::{Segmenter, TokenBuf, TokenSink};

/// Normalise-then-segment tokenizer. Cloning shares the jieba dictionary
/// (`Arc`) and gives the clone its own buffers.
#[derive(Clone)]
pub struct WenkuTokenizer {
    segmenter: Segmenter,
    norm: Normalized,
    tokens: TokenBuf,
}

impl WenkuTokenizer {
    /// A tokenizer over `segmenter`.
    pub fn new(segmenter: Segmenter) -> Self {
        WenkuTokenizer { segmenter, norm: Normalized::default(), tokens: TokenBuf::default() }
    }
}

/// Token stream over a tokenizer's buffer (shared by wenku's tokenizers).
pub struct WenkuTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl<'a> WenkuTokenStream<'a> {
    /// A stream over `tokens`, from the first.
    pub(crate) fn new(tokens: &'a mut [Token]) -> Self {
        WenkuTokenStream { tokens, next: 0 }
    }
}

impl Tokenizer for WenkuTokenizer {
    type TokenStream<'a> = WenkuTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WenkuTokenStream<'a> {
        self.tokens.clear();
        if !super::preanalyzed::decode(text, &mut self.tokens) {
            self.tokens.clear();
            self.norm.normalize(text);
            self.segmenter.segment(&self.norm, &mut self.tokens);
        }
        WenkuTokenStream { tokens: self.tokens.tokens_mut(), next: 0 }
    }
}

impl TokenStream for WenkuTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
