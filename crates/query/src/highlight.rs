//! Highlighting: which byte ranges of a displayed text matched the query.
//!
//! Han query tokens are found as substrings of the normalised text (so a
//! word found through the title's character n-grams is highlighted too);
//! other tokens (Latin words, numbers) must equal a token of the text, so
//! that `py` does not light up inside `python`. Matches are found in the
//! normalised text and mapped back through the analyzer's offset map: the
//! spans are exact byte ranges of the text as displayed, on character
//! boundaries.

use std::collections::HashSet;

use serde::Serialize;
use wenku_index::analysis::reading::{INITIAL_MARK, readings};
use wenku_index::analysis::segment::word_tokens;
use wenku_index::analysis::{Analyzer, Mode, Normalized, is_han};

/// A highlighted byte range `[start, end)` of a text, with the same range in
/// characters for consumers that index by character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Start byte (UTF-8).
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Start character (Unicode scalar values).
    pub char_start: usize,
    /// End character (exclusive).
    pub char_end: usize,
}

/// A text with highlighted spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Highlighted {
    /// The text.
    pub text: String,
    /// Sorted, non-overlapping spans.
    pub spans: Vec<Span>,
}

impl Highlighted {
    /// The text with each span wrapped in `open` … `close`.
    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.spans.len() * 8);
        let mut at = 0;
        for s in &self.spans {
            out.push_str(&self.text[at..s.start]);
            out.push_str(open);
            out.push_str(&self.text[s.start..s.end]);
            out.push_str(close);
            at = s.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// The query's positive tokens, ready to mark texts.
#[derive(Debug, Default, Clone)]
pub struct Highlighter {
    han: Vec<String>,
    words: HashSet<String>,
    /// Syllable sequences that matched titles by reading (titles only).
    readings: Vec<Vec<String>>,
}

impl Highlighter {
    /// From the texts of the query's positive terms.
    pub fn new<'a>(analyzer: &Analyzer, terms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut h = Highlighter::default();
        for term in terms {
            for t in analyzer.tokens(Mode::Query, term) {
                if t.text.chars().all(is_han) {
                    if !h.han.contains(&t.text) {
                        h.han.push(t.text);
                    }
                } else {
                    h.words.insert(t.text);
                }
            }
        }
        h
    }

    /// Leaves the Han tokens of `words` (such as the optional filler words
    /// of the query: `怎么用` covers the tokens `怎么` and `用`) unmarked,
    /// unless nothing else would be marked.
    pub fn without(mut self, words: &[String]) -> Self {
        let kept: Vec<String> = self
            .han
            .iter()
            .filter(|h| !words.iter().any(|w| w.contains(h.as_str())))
            .cloned()
            .collect();
        if !kept.is_empty() || !self.words.is_empty() {
            self.han = kept;
        }
        self
    }

    /// Also marks, in titles ([`Highlighter::highlight`]), the characters
    /// whose toneless readings spell one of `seqs` (`jian kong` marks
    /// `监控`; an `^j` item is an initial).
    pub fn with_readings(mut self, seqs: Vec<Vec<String>>) -> Self {
        self.readings = seqs;
        self
    }

    /// Byte ranges of `text` to highlight (sorted, merged).
    pub fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        self.spans_of(text, false)
    }

    fn spans_of(&self, text: &str, readings: bool) -> Vec<(usize, usize)> {
        self.spans_upto(text, readings, false).0
    }

    /// The spans of `text` and, when `text` is the start of a longer text
    /// (`prefix`), the byte of `text` before which the longer text has the
    /// same spans: every match the longer text adds (a query word cut off
    /// at the end of `text`, or a run of word characters that goes on)
    /// starts at or after it. Normalisation maps each character on its
    /// own, so `text` normalises to the start of the longer text's normal
    /// form and matches the same way up to there.
    fn spans_upto(&self, text: &str, readings: bool, prefix: bool) -> (Vec<(usize, usize)>, usize) {
        let mut ranges = Vec::new();
        let mut same_before = text.len();
        if readings && !self.readings.is_empty() {
            self.reading_ranges(text, &mut ranges);
        }
        if !self.han.is_empty() || !self.words.is_empty() {
            let mut norm = Normalized::default();
            norm.normalize(text);
            let n = norm.as_str();
            for needle in &self.han {
                for (i, m) in n.match_indices(needle.as_str()) {
                    ranges.push(norm.original_range(i, i + m.len()));
                }
            }
            // the text's non-Han tokens (Han ones are never in `words`)
            if !self.words.is_empty() {
                let mut tokens = Vec::new();
                word_tokens(&norm, &mut tokens);
                for t in tokens {
                    if self.words.contains(&t.text) {
                        ranges.push((t.offset_from, t.offset_to));
                    }
                }
            }
            if prefix {
                // a Han word the end cut off starts less than its length
                // before the end; a word run (neither Han nor white space)
                // at the end may go on
                let longest = self.han.iter().map(String::len).max().unwrap_or(0);
                let mut from = n.len().saturating_sub(longest);
                if !self.words.is_empty() {
                    from = from
                        .min(n.trim_end_matches(|c: char| !c.is_whitespace() && !is_han(c)).len());
                }
                while !n.is_char_boundary(from) {
                    from -= 1;
                }
                if let Some(c) = n[from..].chars().next() {
                    same_before = norm.original_range(from, from + c.len_utf8()).0;
                }
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (s, e) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        (merged, same_before)
    }

    /// `text` (a title) with its spans, reading matches included.
    pub fn highlight(&self, text: &str) -> Highlighted {
        let spans = self.spans_of(text, true);
        with_spans(text, &spans)
    }

    /// Ranges of runs of significant characters whose readings spell one of
    /// the reading sequences (the characters the `title_pinyin` phrase
    /// matched: positions there count letters, digits and Han characters).
    fn reading_ranges(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        let mut norm = Normalized::default();
        norm.normalize(text);
        let sig: Vec<(usize, char)> =
            norm.as_str().char_indices().filter(|(_, c)| c.is_alphanumeric()).collect();
        let fits = |c: char, syllable: &str| {
            let rs = readings(c);
            match syllable.strip_prefix(INITIAL_MARK) {
                Some(initial) => rs.iter().any(|r| r.starts_with(initial)),
                None => rs.iter().any(|r| r == syllable),
            }
        };
        for seq in &self.readings {
            let n = seq.len();
            for i in 0..sig.len().saturating_sub(n - 1) {
                if n > 0 && (0..n).all(|k| fits(sig[i + k].1, &seq[k])) {
                    let (last_at, last) = sig[i + n - 1];
                    out.push(norm.original_range(sig[i].0, last_at + last.len_utf8()));
                }
            }
        }
    }

    /// A window of about `max_chars` characters of `text` around the first
    /// match (the start of the text when nothing matched), with `…` where it
    /// was cut.
    pub fn fragment(&self, text: &str, max_chars: usize) -> Highlighted {
        let total = text.chars().count();
        if total <= max_chars {
            return with_spans(text, &self.spans(text));
        }
        self.fragment_of_prefix(text, total, max_chars)
            .unwrap_or_else(|| self.fragment_of_whole(text, total, max_chars))
    }

    /// [`Highlighter::fragment`] from the spans of the text's first
    /// `1.5 × max_chars` (and a few) characters, when the window lies in
    /// the part of them whose spans are the whole text's (see
    /// [`Highlighter::spans_upto`]); most snippets match early. `None`
    /// otherwise. A snippet is about three times as long as its window.
    fn fragment_of_prefix(
        &self,
        text: &str,
        total: usize,
        max_chars: usize,
    ) -> Option<Highlighted> {
        let cut_char = max_chars + max_chars / 2 + 16;
        if cut_char >= total {
            return None;
        }
        let cut = byte_at(text, cut_char);
        let (spans, same_before) = self.spans_upto(&text[..cut], false, true);
        let &(first, _) = spans.first().filter(|s| s.0 < same_before)?;
        let (start, end) = window(text, total, first, max_chars);
        (end < same_before).then(|| windowed(text, &spans, start, end))
    }

    /// [`Highlighter::fragment`] from the spans of the whole text.
    fn fragment_of_whole(&self, text: &str, total: usize, max_chars: usize) -> Highlighted {
        let spans = self.spans(text);
        let first = spans.first().map_or(0, |s| s.0);
        let (start, end) = window(text, total, first, max_chars);
        windowed(text, &spans, start, end)
    }
}

/// The byte where character `c` of `text` starts (its length past the end).
fn byte_at(text: &str, c: usize) -> usize {
    text.char_indices().nth(c).map_or(text.len(), |(b, _)| b)
}

/// The bytes of the window of `max_chars` characters (`< total`) of `text`
/// that a fragment shows around the span starting at byte `first`.
fn window(text: &str, total: usize, first: usize, max_chars: usize) -> (usize, usize) {
    let first_char = text[..first].chars().count();
    let start_char = first_char.saturating_sub(max_chars / 4).min(total - max_chars);
    (byte_at(text, start_char), byte_at(text, start_char + max_chars))
}

/// `text[start..end]` with `…` where it was cut and the `spans` inside it.
fn windowed(text: &str, spans: &[(usize, usize)], start: usize, end: usize) -> Highlighted {
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let window = format!("{prefix}{}{suffix}", &text[start..end]);
    let shifted: Vec<(usize, usize)> = spans
        .iter()
        .filter(|&&(s, e)| s >= start && e <= end)
        .map(|&(s, e)| (s - start + prefix.len(), e - start + prefix.len()))
        .collect();
    with_spans(&window, &shifted)
}

fn with_spans(text: &str, ranges: &[(usize, usize)]) -> Highlighted {
    let spans = ranges
        .iter()
        .map(|&(start, end)| Span {
            start,
            end,
            char_start: text[..start].chars().count(),
            char_end: text[..end].chars().count(),
        })
        .collect();
    Highlighted { text: text.to_string(), spans }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(query: &[&str], text: &str) -> String {
        let a = Analyzer::default();
        Highlighter::new(&a, query.iter().copied()).highlight(text).render("[", "]")
    }

    /// (query terms, text, rendered) — Chinese, English and mixed text.
    const CASES: &[(&[&str], &str, &str)] = &[
        (&["利用率"], "多核利用率问题", "多核[利用率]问题"),
        (&["CUDA"], "CUDA会爆 cuda", "[CUDA]会爆 [cuda]"),
        (&["py"], "python py binding", "python [py] binding"),
        (&["標準庫"], "Python 标准库参考", "Python [标准库]参考"),
        (&["标准库"], "Python 標準庫參考", "Python [標準庫]參考"),
        (&["ｔｉｄｂ"], "TiDB v8.5 中文手册", "[TiDB] v8.5 中文手册"),
        (&["sys.breakpointhook"], "sys.breakpointhook() 可以", "[sys].[breakpointhook]() 可以"),
        (&["可读"], "人类可读的格式", "人类[可读]的格式"),
        (&["性能 优化"], "性能优化", "[性能优化]"),
        (&["目录"], "Ｘ目录", "Ｘ[目录]"),
    ];

    #[test]
    fn highlights_table() {
        for (q, text, want) in CASES {
            assert_eq!(marked(q, text), *want, "help: query {q:?}");
        }
    }

    #[test]
    fn titles_mark_the_characters_a_reading_matched() {
        let a = Analyzer::default();
        let seqs =
            vec![vec!["jian".to_string(), "kong".to_string()], vec!["^g".into(), "^j".into()]];
        let h = Highlighter::new(&a, ["jiankong"]).with_readings(seqs);
        assert_eq!(h.highlight("集群監控 告警部署").render("[", "]"), "集群[監控] [告警]部署");
        // snippets are not marked by reading
        assert_eq!(h.fragment("监控", 100).spans, vec![]);
    }

    #[test]
    fn filler_words_are_not_marked() {
        let a = Analyzer::default();
        let fillers = ["如何".to_string(), "的".to_string(), "怎么用".to_string()];
        let h = Highlighter::new(&a, ["如何", "打家劫舍的", "怎么用"]).without(&fillers);
        assert_eq!(
            h.highlight("如何打家劫舍的题解怎么用").render("[", "]"),
            "如何[打家劫舍]的题解怎么用"
        );
        // a query of only such words still marks them
        let h = Highlighter::new(&a, ["如何"]).without(&fillers);
        assert_eq!(h.highlight("如何使用").render("[", "]"), "[如何]使用");
    }

    #[test]
    fn spans_are_exact_bytes_and_chars() {
        let a = Analyzer::default();
        let h = Highlighter::new(&a, ["利用率"]).highlight("GPU利用率");
        assert_eq!(h.spans, vec![Span { start: 3, end: 12, char_start: 3, char_end: 6 }]);
        assert_eq!(&h.text[3..12], "利用率");
    }

    /// Texts built so that matches and word runs straddle the end of the
    /// prefix a fragment looks at first: the fragment is the one computed
    /// from the whole text either way.
    #[test]
    fn a_fragment_is_the_same_whether_its_prefix_sufficed_or_not() {
        let a = Analyzer::default();
        let h = Highlighter::new(&a, ["关键字", "python", "長標題詞語比較長"]);
        for first in (0..70).step_by(3) {
            for second in 60usize..100 {
                for word in ["关键字", " python ", "python3", "长标题词语比较长"] {
                    let mut text = "前".repeat(first);
                    text.push_str(word);
                    let pad = second.saturating_sub(text.chars().count()).max(1);
                    text.push_str(&"中".repeat(pad));
                    text.push_str(if second % 2 == 0 { "python" } else { "关键字" });
                    text.push_str(&"后".repeat(80));
                    let total = text.chars().count();
                    for max in [20, 40, 60] {
                        assert_eq!(
                            h.fragment(&text, max),
                            h.fragment_of_whole(&text, total, max),
                            "{text} ({max} chars)"
                        );
                    }
                }
            }
        }
    }

    /// The dev corpus's snippets (with their `page:line`) and the dev
    /// queries (with the `page:line` of the listing each looks for), `None`
    /// when the corpus is absent.
    #[allow(clippy::type_complexity)]
    fn dev_snippets_and_queries() -> Option<(Vec<(String, String)>, Vec<(String, String)>)> {
        let dev =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev");
        let rows = |f: &str| -> Option<Vec<serde_json::Value>> {
            let text = std::fs::read_to_string(dev.join(f)).ok()?;
            Some(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
        };
        let str_of = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        let snippets = rows("truth.jsonl")?
            .iter()
            .map(|v| (format!("{}:{}", str_of(v, "page_file"), v["line"]), str_of(v, "snippet")))
            .collect();
        let mut queries = rows("queries.jsonl")?;
        queries.extend(rows("queries-hard.jsonl")?);
        let queries = queries.iter().map(|v| (str_of(v, "query"), str_of(v, "expected"))).collect();
        Some((snippets, queries))
    }

    /// On real snippets and queries, the fragment taken from a prefix of
    /// the snippet, wherever it is taken, equals the fragment from the
    /// whole snippet (each query against a sample of all snippets); and the
    /// prefix suffices for most of the snippets of the listings the queries
    /// look for, where they match.
    #[test]
    fn fragments_from_prefixes_of_dev_snippets_equal_those_from_the_whole() {
        let Some((snippets, queries)) = dev_snippets_and_queries() else {
            eprintln!("dev corpus not found: skipping");
            return;
        };
        assert!(snippets.len() > 1000 && queries.len() > 300);
        let a = Analyzer::default();
        let (mut taken, mut sampled) = (0, 0);
        let (mut expected_taken, mut expected_matching) = (0, 0);
        for (qi, (q, expected)) in queries.iter().enumerate() {
            let h = Highlighter::new(&a, q.split_whitespace());
            for (si, (at, text)) in snippets.iter().enumerate() {
                let is_expected = at == expected;
                if !is_expected && si % 31 != qi % 31 {
                    continue;
                }
                let total = text.chars().count();
                for max in [30, 120] {
                    if total <= max {
                        continue;
                    }
                    let whole = h.fragment_of_whole(text, total, max);
                    let prefix = h.fragment_of_prefix(text, total, max);
                    sampled += 1;
                    if let Some(f) = prefix.as_ref() {
                        taken += 1;
                        assert_eq!(f, &whole, "query {q:?}, snippet {at}, {max} chars");
                    }
                    if is_expected && max == 120 && !whole.spans.is_empty() {
                        expected_matching += 1;
                        expected_taken += usize::from(prefix.is_some());
                    }
                }
            }
        }
        assert!(taken > 1000, "the prefix was taken {taken} times of {sampled}");
        assert!(
            expected_taken * 3 > expected_matching * 2,
            "the prefix sufficed for {expected_taken} of {expected_matching} expected snippets"
        );
    }

    #[test]
    fn fragment_windows_around_the_first_match() {
        let a = Analyzer::default();
        let text = format!("{}关键字{}", "前".repeat(100), "后".repeat(100));
        let f = Highlighter::new(&a, ["关键字"]).fragment(&text, 40);
        assert!(f.text.starts_with('…') && f.text.ends_with('…'), "{}", f.text);
        assert_eq!(f.spans.len(), 1);
        assert_eq!(&f.text[f.spans[0].start..f.spans[0].end], "关键字");
        assert_eq!(f.text.chars().count(), 42);
    }
}
