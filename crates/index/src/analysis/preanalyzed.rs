//! Pre-analysed field values: the tokens of a text, analysed by the writer
//! on the thread that adds listings, carried to tantivy's indexing thread
//! inside the field value (the pattern of Lucene/Solr's `PreAnalyzedField`).
//!
//! With one tantivy indexing thread, that thread is the bottleneck of a bulk
//! run and about a third of its time is wenku's analysis (jieba, the
//! normaliser, the readings), while the thread that calls
//! [`ListingWriter::add`](crate::ListingWriter::add) has idle time. The
//! writer then analyses each text field itself and puts [`encode`]d tokens
//! into the field instead of the text; the registered tokenizers
//! ([`WenkuTokenizer`](super::WenkuTokenizer),
//! [`ReadingTokenizer`](super::reading::ReadingTokenizer)) [`decode`] such a
//! value back into the same tokens and analyse any other value as before.
//! tantivy's own `PreTokenizedString` is not used: it is serialised into the
//! document and every token is cloned on the indexing thread.
//!
//! # Format
//!
//! [`MARK`] (`\0`), then per token: its position's increase over the
//! previous token's (the first token's over 0) written as control
//! characters, then its text. An increase `d` is `d / 30` times U+001F
//! followed by the character `U+0001 + d % 30`; a token text never holds a
//! character below U+0020 (tokens are runs of Han or alphanumeric
//! characters, or readings), so the control characters delimit the texts.
//! The value is valid UTF-8 and, for catalog text, about as long as the
//! text itself.
//!
//! Only what tantivy indexes is carried: token texts and positions (every
//! token has position length 1). Offsets are not indexed (the text fields
//! have no offsets in their postings and are not stored); decoded tokens
//! get the byte range of their text inside the encoded value.
//!
//! A text that begins with [`MARK`] cannot be told from an encoded value,
//! so the writer drops leading `\0`s from the texts it does not encode
//! ([`strip_mark`]): the segmenter makes no token of them and counts no
//! position for them, so the tokens are the same.

use tantivy::tokenizer::{Token, TokenStream};

use super::segment::TokenSink;

/// First character of an encoded value.
pub const MARK: char = '\0';

/// Position increases of at least this much take an escape per step.
const STEP: usize = 30;
/// The escape: the position increases by [`STEP`], no token yet.
const ESCAPE: u8 = 0x1F;

/// Appends to `out` the encoded value of the tokens of `stream` (`out` is
/// cleared first). Returns false, leaving `out` unspecified, when the
/// tokens cannot be encoded: a token text holding a character below
/// U+0020, a position lower than the one before, or a position length
/// other than 1 (none of which wenku's analysis produces).
pub fn encode(stream: &mut dyn TokenStream, out: &mut String) -> bool {
    out.clear();
    out.push(MARK);
    let mut last = 0usize;
    while let Some(t) = stream.next() {
        if !push(t, &mut last, out) {
            return false;
        }
    }
    true
}

fn push(t: &Token, last: &mut usize, out: &mut String) -> bool {
    if t.position < *last || t.position_length != 1 || t.text.bytes().any(|b| b < 0x20) {
        return false;
    }
    let mut d = t.position - *last;
    *last = t.position;
    while d >= STEP {
        out.push(char::from(ESCAPE));
        d -= STEP;
    }
    out.push(char::from(1 + d as u8));
    out.push_str(&t.text);
    true
}

/// Whether `text` is an encoded value.
#[inline]
pub fn is_encoded(text: &str) -> bool {
    text.as_bytes().first() == Some(&0)
}

/// Pushes the tokens of the encoded value `text` into `out`. Returns false
/// when `text` is not one (see [`is_encoded`]) or is malformed (a token
/// without text, an escape at the end); `out` may then hold some tokens,
/// which the caller clears.
pub fn decode(text: &str, out: &mut impl TokenSink) -> bool {
    if !is_encoded(text) {
        return false;
    }
    let bytes = text.as_bytes();
    let mut i = 1;
    let mut position = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == ESCAPE {
            position += STEP;
            i += 1;
            continue;
        }
        if b == 0 || b >= 0x20 {
            return false;
        }
        position += usize::from(b - 1);
        let start = i + 1;
        let end = bytes[start..].iter().position(|&b| b < 0x20).map_or(bytes.len(), |n| start + n);
        if end == start {
            return false;
        }
        // control bytes are ASCII: `start..end` lies on character boundaries
        out.push_token(start, end, position, &text[start..end]);
        i = end;
    }
    // a trailing escape would have been a token's position without a token
    bytes.last() != Some(&ESCAPE)
}

/// `text` without leading [`MARK`]s: what the writer indexes of a text it
/// does not encode (see the module docs).
pub fn strip_mark(text: &str) -> &str {
    text.trim_start_matches(MARK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analyzer, Mode, reading::ReadingTokenizer};
    use tantivy::tokenizer::{TextAnalyzer, Tokenizer};

    fn tokens(stream: &mut dyn TokenStream) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    /// Texts of real listings: the seed page and the dev corpus's titles
    /// and snippets (when present), plus edge cases.
    fn texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = [
            "",
            "，。",
            "\0",
            "sys.breakpointhook() 中国农业发展银行 v8.5 標準庫 ＴｉＤＢ",
            // a token dropped for its length: a position gap over the escape step
            &format!("前 {} 后 x", "a".repeat(150)),
            &"长".repeat(200),
        ]
        .map(String::from)
        .into();
        let seed = root.join("../../data/sample/seed-page.txt");
        texts.extend(std::fs::read_to_string(seed).unwrap().lines().map(String::from));
        let truth = root.join("../../../shared/corpus/dev/truth.jsonl");
        match std::fs::read_to_string(&truth) {
            Ok(t) => {
                for l in t.lines() {
                    let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                    for k in ["title", "snippet"] {
                        texts.extend(v[k].as_str().map(String::from));
                    }
                }
            }
            Err(_) => eprintln!("dev corpus absent: seed page and fixed texts only"),
        }
        texts
    }

    /// Decoding an encoded value gives the analyser's tokens, texts and
    /// positions, in every mode, through the registered tokenizers
    /// themselves (one tokenizer reused across texts, as tantivy does).
    #[test]
    fn registered_tokenizers_decode_what_the_analyzer_made() {
        let a = Analyzer::default();
        let mut value = String::new();
        let mut n = 0;
        for mode in [Mode::Words, Mode::Grams] {
            let (mut direct, mut registered): (TextAnalyzer, TextAnalyzer) =
                (a.text_analyzer(mode), a.text_analyzer(mode));
            for text in texts() {
                assert!(encode(&mut direct.token_stream(&text), &mut value), "{text:?}");
                let want = tokens(&mut direct.token_stream(&text));
                let got = tokens(&mut registered.token_stream(&value));
                assert_eq!(got, want, "help: {mode:?} tokens of {text:?} via {value:?}");
                n += want.len();
            }
        }
        let (mut direct, mut registered) =
            (ReadingTokenizer::default(), ReadingTokenizer::default());
        for text in texts() {
            assert!(encode(&mut direct.token_stream(&text), &mut value));
            let want = tokens(&mut direct.token_stream(&text));
            let got = tokens(&mut registered.token_stream(&value));
            assert_eq!(got, want, "help: readings of {text:?} via {value:?}");
        }
        assert!(n > 1000, "only {n} tokens checked");
    }

    #[test]
    fn values_that_are_not_encoded_are_analysed_as_text() {
        let mut a = Analyzer::default().text_analyzer(Mode::Words);
        // a malformed value after the mark: analysed as text
        for text in ["\0abc", "\0\u{1}", "\0\u{1}ab\u{1f}", "\0\u{1}a\0"] {
            let mut buf = crate::analysis::TokenBuf::default();
            assert!(!decode(text, &mut buf), "{text:?}");
        }
        let got = tokens(&mut a.token_stream("\0abc 标准库"));
        let want = tokens(&mut a.token_stream("abc 标准库"));
        assert_eq!(got, want);
        assert_eq!(want.len(), 3);
        // what the writer indexes of a text starting with the mark: the
        // tokens of the text with a separator for the mark
        let text = "\0\u{1}ab 标准库";
        let got = tokens(&mut a.token_stream(strip_mark(text)));
        let want = tokens(&mut a.token_stream(&text.replace('\0', " ")));
        assert_eq!(got, want);
        assert_eq!(want.len(), 3);
    }

    #[test]
    fn the_encoding_is_compact() {
        let mut a = Analyzer::default().text_analyzer(Mode::Words);
        let mut value = String::new();
        assert!(encode(&mut a.token_stream("sys.breakpointhook() 标准库"), &mut value));
        assert_eq!(value, "\0\u{1}sys\u{4}breakpointhook\u{f}标准\u{3}库");
        assert!(encode(&mut a.token_stream(&format!("x {} y", "b".repeat(101))), &mut value));
        // `y` at 102: three escapes (90) and 12
        assert_eq!(value, "\0\u{1}x\u{1f}\u{1f}\u{1f}\u{d}y");
    }
}
