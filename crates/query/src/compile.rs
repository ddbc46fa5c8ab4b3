//! [`Expr`] → tantivy query, through the index's own analyzer.
//!
//! A text term (a whitespace-free chunk such as `Python机器学习`, or a quoted
//! phrase) is cut with jieba's default mode ([`Mode::Query`]); its tokens,
//! with their character positions, must occur in that order and spacing:
//!
//! * in `title` or `snippet` (jieba search-mode words): a term query for one
//!   token, a phrase query with explicit offsets for several;
//! * in `title_grams` (character uni/bigrams of the title): the same text as
//!   overlapping bigrams, an exact substring match whatever jieba did with
//!   the title (`可读` inside `人类可读`).
//!
//! The clauses of one term are ORed (at least one must match) and their
//! BM25 scores add, with the title weighted higher.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use wenku_index::Fields;
use wenku_index::analysis::{Analyzer, Mode, is_han};

use crate::parse::{Expr, Filter, TextExpr, TextField};
use crate::rank::Ranking;

/// Which scoring fields to build clauses for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Only {
    All,
    Title,
    TitleGrams,
    Snippet,
}

pub(crate) struct Compiler<'a> {
    pub analyzer: &'a Analyzer,
    pub fields: &'a Fields,
    pub ranking: &'a Ranking,
    /// Unix seconds of "now" (for `age:`).
    pub now: i64,
}

/// Tokens of a text term: `(text, position)`, positions relative to the first.
type Tokens = Vec<(String, usize)>;

impl Compiler<'_> {
    /// The full query.
    pub fn compile(&self, e: &Expr) -> Box<dyn Query> {
        self.expr(e, Only::All)
    }

    /// A query scoring only one field's clauses, for `explain`: every
    /// positive text term of `e` as an optional clause.
    pub fn field_query(&self, e: &Expr, only: Only) -> Box<dyn Query> {
        let mut terms = Vec::new();
        positive_terms(e, &mut terms);
        let clauses: Vec<(Occur, Box<dyn Query>)> =
            terms.iter().map(|t| (Occur::Should, self.text(t, only))).collect();
        Box::new(BooleanQuery::new(clauses))
    }

    fn expr(&self, e: &Expr, only: Only) -> Box<dyn Query> {
        match e {
            Expr::Text(t) => self.text(t, only),
            Expr::Filter(f) => self.filter(f),
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, self.expr(inner, only)),
            ])),
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut positive = false;
                for item in items {
                    match item {
                        Expr::Not(inner) => clauses.push((Occur::MustNot, self.expr(inner, only))),
                        other => {
                            positive = true;
                            clauses.push((Occur::Must, self.expr(other, only)));
                        }
                    }
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(items) => Box::new(BooleanQuery::new(
                items.iter().map(|i| (Occur::Should, self.expr(i, only))).collect(),
            )),
        }
    }

    /// Tokens of `text` in `mode`, positions made relative to the first.
    pub fn tokens(&self, mode: Mode, text: &str) -> Tokens {
        let toks = self.analyzer.tokens(mode, text);
        let first = toks.first().map_or(0, |t| t.position);
        toks.into_iter().map(|t| (t.text, t.position - first)).collect()
    }

    fn text(&self, t: &TextExpr, only: Only) -> Box<dyn Query> {
        let r = self.ranking;
        let f = self.fields;
        let words = self.tokens(Mode::Query, &t.text);
        if words.is_empty() {
            // Nothing searchable (only punctuation): matches nothing.
            return Box::new(EmptyQuery);
        }
        let want = |field: TextField, o: Only| {
            t.field.is_none_or(|x| x == field) && (only == Only::All || only == o)
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if want(TextField::Title, Only::Title) {
            clauses.push((Occur::Should, boost(sequence(f.title, &words), r.title_boost)));
        }
        if want(TextField::Title, Only::TitleGrams) {
            let grams = grams_for_query(&self.tokens(Mode::Grams, &t.text));
            clauses.push((Occur::Should, boost(sequence(f.title_grams, &grams), r.grams_boost)));
        }
        if want(TextField::Snippet, Only::Snippet) {
            clauses.push((Occur::Should, boost(sequence(f.snippet, &words), r.snippet_boost)));
        }
        match clauses.len() {
            0 => Box::new(EmptyQuery),
            1 => clauses.pop().unwrap().1,
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }

    fn filter(&self, f: &Filter) -> Box<dyn Query> {
        let fl = self.fields;
        let u = |field: Field, lo: &Bound<u64>, hi: &Bound<u64>| -> Box<dyn Query> {
            let t = |v: &u64| Term::from_field_u64(field, *v);
            Box::new(RangeQuery::new(lo.as_ref().map(t), hi.as_ref().map(t)))
        };
        let d = |lo: Bound<i64>, hi: Bound<i64>| -> Box<dyn Query> {
            let t = |v: i64| {
                Term::from_field_date(fl.published, tantivy::DateTime::from_timestamp_secs(v))
            };
            Box::new(RangeQuery::new(lo.map(t), hi.map(t)))
        };
        match f {
            Filter::Pages(lo, hi) => u(fl.pages, lo, hi),
            Filter::Price(lo, hi) => u(fl.price, lo, hi),
            Filter::Size(lo, hi) => u(fl.size_bytes, lo, hi),
            Filter::Published(lo, hi) => d(*lo, *hi),
            // age in [lo, hi) ⇔ published in (now - hi, now - lo]
            Filter::Age(lo, hi) => {
                let flip = |b: &Bound<i64>| match b {
                    Bound::Included(v) => Bound::Included(self.now - v),
                    Bound::Excluded(v) => Bound::Excluded(self.now - v),
                    Bound::Unbounded => Bound::Unbounded,
                };
                d(flip(hi), flip(lo))
            }
        }
    }
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    if (by - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, by)) }
}

/// A term query for one token, a phrase query with explicit offsets for more.
fn sequence(field: Field, tokens: &Tokens) -> Box<dyn Query> {
    match tokens.as_slice() {
        [] => Box::new(EmptyQuery),
        [(text, _)] => Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        )),
        _ => Box::new(PhraseQuery::new_with_offset(
            tokens.iter().map(|(t, p)| (*p, Term::from_field_text(field, t))).collect(),
        )),
    }
}

/// From the uni- and bigrams of a query term, the fewest that pin it down:
/// bigrams where a Han run has two or more characters (its last unigram is
/// covered by the bigram before it), the unigram of a one-character run,
/// other tokens as they are.
fn grams_for_query(tokens: &Tokens) -> Tokens {
    let mut out: Tokens = Vec::new();
    let mut covered_to = 0usize; // first position not covered yet
    let mut i = 0;
    while i < tokens.len() {
        let (text, pos) = &tokens[i];
        // a bigram, if any, directly follows the unigram at the same position
        let pick = match tokens.get(i + 1) {
            Some((next, p)) if p == pos && next.chars().count() == 2 => {
                i += 1;
                next
            }
            _ => text,
        };
        i += 1;
        let len = pick.chars().count();
        let han = pick.chars().all(is_han);
        let width = if han { len } else { len.max(1) };
        if han && pos + width <= covered_to {
            continue;
        }
        covered_to = pos + width;
        out.push((pick.clone(), *pos));
    }
    out
}

/// Text terms of `e` that are not under a negation.
pub(crate) fn positive_terms<'e>(e: &'e Expr, out: &mut Vec<&'e TextExpr>) {
    match e {
        Expr::Text(t) => out.push(t),
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| positive_terms(e, out)),
        Expr::Not(_) | Expr::Filter(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[(&str, usize)]) -> Tokens {
        v.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn grams_pick_bigrams_and_cover_the_tail() {
        // 人类可读: 人 人类 类 类可 可 可读 读
        let toks =
            t(&[("人", 0), ("人类", 0), ("类", 1), ("类可", 1), ("可", 2), ("可读", 2), ("读", 3)]);
        assert_eq!(grams_for_query(&toks), t(&[("人类", 0), ("类可", 1), ("可读", 2)]));
        assert_eq!(grams_for_query(&t(&[("灯", 0)])), t(&[("灯", 0)]));
        let mixed = t(&[("tidb", 0), ("安", 4), ("安装", 4), ("装", 5)]);
        assert_eq!(grams_for_query(&mixed), t(&[("tidb", 0), ("安装", 4)]));
    }
}
