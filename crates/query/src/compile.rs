//! [`Expr`] → tantivy query, through the index's own analyzer.
//!
//! An unquoted text term (a whitespace-free chunk such as `子集还原数组`) is
//! cut with jieba's default mode ([`Mode::Query`]) into **units**, each of
//! which must match (see `docs/query-language.md`):
//!
//! * a Han word (`子集`, `还原`, `数组`);
//! * a group of consecutive single Han characters (`监空` cut as `监` +
//!   `空` is not a word: the characters must be adjacent, as typed);
//! * a run of other tokens joined by punctuation (`sys.breakpointhook`,
//!   `3.11.10`): in order and adjacent;
//! * question and filler words (`如何`, `的`, `有没有`,
//!   `data/query-fillers.txt`) are optional units: they add to the score and
//!   never remove a hit.
//!
//! A unit matches in `title` or `snippet` (jieba search-mode words) or in
//! `title_grams` (character bigrams: a substring of the title whatever
//! jieba did with it); the clauses are ORed and their BM25 scores add, the
//! title weighted higher. A two-character word is its own bigram: its
//! `title_grams` clause, weighted as title and bigram together, stands
//! for both title clauses (the same titles match). When a chunk has two
//! or more units, an optional phrase of the whole chunk rewards listings
//! that have them adjacent and in order. A quoted phrase is one unit:
//! every token in order, adjacent.
//!
//! [`Stage::Readings`] adds, to each unit that has few or no exact
//! matches, its pinyin reading in `title_pinyin` (same-reading typos,
//! pinyin typed for Han words, initials); [`Stage::Relaxed`] requires only
//! some of the units.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::rc::Rc;
use std::sync::OnceLock;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Occur, PhraseQuery, Query,
    RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};
use wenku_index::Fields;
use wenku_index::analysis::reading::{han_readings, initials, syllable_splits};
use wenku_index::analysis::{Analyzer, Mode, is_han};

use crate::any_of::AnyOf;
use crate::parse::{Expr, Filter, TextExpr, TextField};
use crate::rank::Ranking;
use crate::understand::{Condition, ConditionKind};

/// How much of the query must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Every unit, as typed.
    Strict,
    /// Every unit, as typed or by its pinyin reading.
    Readings,
    /// At least this many of the top level's required units (with readings).
    Relaxed(usize),
}

/// Units with at most this many exact matches (title + snippet document
/// frequencies) also match by reading in [`Stage::Readings`].
const FEW: u64 = 2;
/// At most this many reading sequences per unit (polyphones multiply).
const MAX_READINGS: usize = 8;

/// What compiling found out about the query, for `Understood`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Notes {
    /// Optional (filler) words.
    pub optional: Vec<String>,
    /// Units that were also matched by reading.
    pub by_reading: Vec<String>,
    /// The syllable (or `^` initial) sequences of those readings.
    pub reading_seqs: Vec<Vec<String>>,
    /// Required units of the top level (the relaxation's candidates).
    pub required: Vec<String>,
}

/// One piece of a text term; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Tokens with positions relative to the unit's first.
    tokens: Tokens,
    /// Position of the unit's first token in its text term.
    at: usize,
    kind: UnitKind,
    optional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    /// A Han word of jieba's cut.
    Word,
    /// Consecutive single Han characters.
    Group,
    /// Other tokens (Latin, digits, code), adjacent.
    Other,
    /// A quoted phrase.
    Phrase,
}

impl Unit {
    fn text(&self) -> String {
        match self.kind {
            UnitKind::Word | UnitKind::Group => {
                self.tokens.iter().map(|(t, _)| t.as_str()).collect()
            }
            UnitKind::Other | UnitKind::Phrase => {
                self.tokens.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join(" ")
            }
        }
    }

    /// A Han word of two characters whose title n-gram query (`grams`,
    /// [`grams_for_query`]) is the word itself: one bigram, the same term.
    fn is_its_own_bigram(&self, grams: &Tokens) -> bool {
        match (self.kind, &self.tokens[..], &grams[..]) {
            (UnitKind::Word, [(word, _)], [(gram, _)]) => word == gram && word.chars().count() == 2,
            _ => false,
        }
    }

    /// A Han word of one character.
    fn is_lone_character(&self) -> bool {
        self.kind == UnitKind::Word && self.tokens[0].0.chars().nth(1).is_none()
    }
}

/// The question and filler words of `data/query-fillers.txt`.
fn fillers() -> &'static HashSet<&'static str> {
    static F: OnceLock<HashSet<&'static str>> = OnceLock::new();
    F.get_or_init(|| {
        include_str!("../../../data/query-fillers.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Average distance between the documents a conjunction looks up above
/// which a unit's clauses are an [`AnyOf`]. Chosen among 4,096 (tantivy's
/// union window), 512, 64, 8 and 1 on the runner's query mix at 1M
/// (docs/benchmarks.md, "A lazy union inside conjunctions"): with denser
/// look-ups the buffered union's batches win.
const SPARSE_GAP: u64 = 64;

/// Which scoring fields to build clauses for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Only {
    All,
    Title,
    TitleGrams,
    Snippet,
}

pub(crate) struct Compiler<'a> {
    /// Filters every compiled query requires (the application's, typed).
    pub filters: &'a [Filter],
    pub analyzer: &'a Analyzer,
    pub fields: &'a Fields,
    pub ranking: &'a Ranking,
    /// Unix seconds of "now" (for `age:`).
    pub now: i64,
    /// For document frequencies (which units need readings).
    pub searcher: &'a tantivy::Searcher,
    /// Filled while compiling.
    pub notes: RefCell<Notes>,
    /// Whether filler words are required: when the query has nothing else.
    pub fillers_required: Cell<bool>,
    /// Units of each text term (`text`, `phrase`), cut once per search.
    pub units_cache: RefCell<UnitsCache>,
    /// Whether the query's top level requires two or more units and the
    /// sparsest of them matches fewer than one document in
    /// [`SPARSE_GAP`]: then the units' clauses are looked up far apart,
    /// and their union is an [`AnyOf`].
    pub conjunction: Cell<bool>,
}

/// Tokens of a text term: `(text, position)`, positions relative to the first.
type Tokens = Vec<(String, usize)>;

/// Units of text terms by `(text, phrase)`.
pub(crate) type UnitsCache = HashMap<(String, bool), Rc<Vec<Unit>>>;

impl Compiler<'_> {
    /// The query for `expr` (`None`: everything) and `conditions` at `stage`.
    pub fn compile(
        &self,
        expr: Option<&Expr>,
        conditions: &[Condition],
        stage: Stage,
    ) -> Box<dyn Query> {
        *self.notes.borrow_mut() = Notes::default();
        self.fillers_required.set(false);
        if let Some(e) = expr {
            let mut terms = Vec::new();
            positive_terms(e, &mut terms);
            let all_fillers = terms.iter().all(|t| self.units(t).iter().all(|u| u.optional));
            self.fillers_required.set(all_fillers);
            let mut top = Vec::new();
            top_level_terms(e, &mut top);
            let units: Vec<Rc<Vec<Unit>>> = top.iter().map(|t| self.units(t)).collect();
            let required = || units.iter().flat_map(|v| v.iter()).filter(|u| !u.optional);
            // the conjunction looks its units up from the sparsest one's
            // documents: far apart, each look-up in a buffered union clears
            // and refills a window of 4,096 documents (document frequencies
            // are read only when there is a conjunction)
            let far = required().count() >= 2 && {
                let sparsest = required().map(|u| self.unit_matches(u)).min().unwrap_or(u64::MAX);
                sparsest.saturating_mul(SPARSE_GAP) < self.searcher.num_docs()
            };
            self.conjunction.set(far);
        } else {
            self.conjunction.set(false);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match (expr, stage) {
            (Some(e), Stage::Relaxed(k)) => clauses.extend(self.relaxed(e, k)),
            (Some(e), _) => clauses.push((Occur::Must, self.expr(e, Only::All, stage))),
            (None, _) => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        if let Some(e) = expr {
            self.note_required(e);
        }
        for c in conditions {
            if let Some(q) = self.condition(c) {
                clauses.push((Occur::Must, q));
            }
        }
        for f in self.filters {
            clauses.push((Occur::Must, self.filter(f)));
        }
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            return clauses.pop().unwrap().1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// A query scoring only one field's clauses, for `explain`: every
    /// positive text term of `e` as an optional clause.
    pub fn field_query(&self, e: &Expr, only: Only, stage: Stage) -> Box<dyn Query> {
        let mut terms = Vec::new();
        positive_terms(e, &mut terms);
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .filter_map(|t| self.text(t, only, stage))
            .map(|q| (Occur::Should, q))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The top level's required units, for [`Notes::required`].
    fn note_required(&self, e: &Expr) {
        let mut terms = Vec::new();
        top_level_terms(e, &mut terms);
        let mut notes = self.notes.borrow_mut();
        notes.required.clear();
        for t in terms {
            for u in self.units(t).iter().filter(|u| !u.optional) {
                notes.required.push(u.text());
            }
        }
    }

    fn condition(&self, c: &Condition) -> Option<Box<dyn Query>> {
        let fl = self.fields;
        let date = |field: Field, v: i64| {
            Term::from_field_date(field, tantivy::DateTime::from_timestamp_secs(v))
        };
        match &c.kind {
            ConditionKind::Filter(f) => Some(self.filter(f)),
            ConditionKind::Newest => None,
            // the age allows [earliest, published]; it overlaps [from, to)
            ConditionKind::Published { from, to } => {
                let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                if let Some(from) = from {
                    parts.push((
                        Occur::Must,
                        Box::new(RangeQuery::new(
                            Bound::Included(date(fl.published, *from)),
                            Bound::Unbounded,
                        )),
                    ));
                }
                if let Some(to) = to {
                    parts.push((
                        Occur::Must,
                        Box::new(RangeQuery::new(
                            Bound::Unbounded,
                            Bound::Excluded(date(fl.published_earliest, *to)),
                        )),
                    ));
                }
                Some(Box::new(BooleanQuery::new(parts)))
            }
        }
    }

    fn expr(&self, e: &Expr, only: Only, stage: Stage) -> Box<dyn Query> {
        match e {
            Expr::Text(t) => self.text(t, only, stage).unwrap_or_else(|| Box::new(AllQuery)),
            Expr::Filter(f) => self.filter(f),
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, self.excluded(inner)),
            ])),
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut positive = false;
                for item in items {
                    match item {
                        Expr::Not(inner) => clauses.push((Occur::MustNot, self.excluded(inner))),
                        Expr::Text(t) => {
                            if let Some(q) = self.text(t, only, stage) {
                                // a chunk of only filler words is optional
                                let occur = if self.units(t).iter().all(|u| u.optional) {
                                    Occur::Should
                                } else {
                                    positive = true;
                                    Occur::Must
                                };
                                clauses.push((occur, q));
                            }
                        }
                        other => {
                            positive = true;
                            clauses.push((Occur::Must, self.expr(other, only, stage)));
                        }
                    }
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(items) => Box::new(BooleanQuery::new(
                items.iter().map(|i| (Occur::Should, self.expr(i, only, stage))).collect(),
            )),
        }
    }

    /// What `-inner` excludes: `inner` as typed (an exclusion is never read
    /// by pinyin or relaxed), its matching documents read in full per
    /// segment (see [`Materialized`]).
    fn excluded(&self, inner: &Expr) -> Box<dyn Query> {
        Box::new(Materialized(self.expr(inner, Only::All, Stage::Strict)))
    }

    /// The top level with only `k` of its required units needed: filters
    /// and exclusions stay as they are, optional units and chunk phrases
    /// still score. `None` parts when `e` is not a conjunction.
    fn relaxed(&self, e: &Expr, k: usize) -> Vec<(Occur, Box<dyn Query>)> {
        let items: &[Expr] = match e {
            Expr::And(v) => v,
            other => std::slice::from_ref(other),
        };
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut units: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for item in items {
            match item {
                Expr::Text(t) => {
                    for u in self.units(t).iter() {
                        let q = self.unit(u, t.field, Only::All, Stage::Readings);
                        if u.optional {
                            self.notes.borrow_mut().optional.push(u.text());
                            out.push((Occur::Should, q));
                        } else {
                            units.push((Occur::Should, q));
                        }
                    }
                    out.extend(self.chunk_phrase(t, Only::All).map(|q| (Occur::Should, q)));
                }
                Expr::Not(inner) => out.push((Occur::MustNot, self.excluded(inner))),
                other => out.push((Occur::Must, self.expr(other, Only::All, Stage::Readings))),
            }
        }
        let k = k.clamp(1, units.len().max(1));
        out.push((Occur::Must, Box::new(BooleanQuery::with_minimum_required_clauses(units, k))));
        out
    }

    /// Tokens of `text` in `mode`, positions made relative to the first.
    pub fn tokens(&self, mode: Mode, text: &str) -> Tokens {
        let toks = self.analyzer.tokens(mode, text);
        let first = toks.first().map_or(0, |t| t.position);
        toks.into_iter().map(|t| (t.text, t.position - first)).collect()
    }

    /// The units of a text term (see the module docs), filler words
    /// required when the query has nothing else.
    fn units(&self, t: &TextExpr) -> Rc<Vec<Unit>> {
        let raw = Rc::clone(
            self.units_cache
                .borrow_mut()
                .entry((t.text.clone(), t.phrase))
                .or_insert_with(|| Rc::new(self.cut_units(t))),
        );
        if self.fillers_required.get() && raw.iter().any(|u| u.optional) {
            let all = raw.iter().cloned().map(|u| Unit { optional: false, ..u }).collect();
            return Rc::new(all);
        }
        raw
    }

    /// [`Compiler::units`] before the query-level filler rule.
    fn cut_units(&self, t: &TextExpr) -> Vec<Unit> {
        let toks = self.tokens(Mode::Query, &t.text);
        if toks.is_empty() {
            return Vec::new();
        }
        if t.phrase {
            return vec![Unit { tokens: toks, at: 0, kind: UnitKind::Phrase, optional: false }];
        }
        let han = |i: usize| toks[i].0.chars().next().is_some_and(is_han);
        let single = |i: usize| han(i) && toks[i].0.chars().nth(1).is_none();
        // filler spans: 1–3 consecutive Han tokens whose text is a filler
        let mut filler = vec![0usize; toks.len()]; // span length starting here
        let mut i = 0;
        while i < toks.len() {
            let span = (1..=3).rev().find(|&n| {
                i + n <= toks.len()
                    && (i..i + n).all(han)
                    && fillers().contains(
                        toks[i..i + n].iter().map(|(s, _)| s.as_str()).collect::<String>().as_str(),
                    )
            });
            if let Some(n) = span {
                filler[i] = n;
                i += n;
            } else {
                i += 1;
            }
        }
        let rel = |v: &[(String, usize)]| -> Tokens {
            let p0 = v[0].1;
            v.iter().map(|(s, p)| (s.clone(), p - p0)).collect()
        };
        let mut units = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let (kind, n, optional) = if filler[i] > 0 {
                (UnitKind::Word, filler[i], true)
            } else if single(i) {
                let mut n = 1;
                while i + n < toks.len()
                    && single(i + n)
                    && filler[i + n] == 0
                    && toks[i + n].1 == toks[i + n - 1].1 + 1
                {
                    n += 1;
                }
                (if n > 1 { UnitKind::Group } else { UnitKind::Word }, n, false)
            } else if han(i) {
                (UnitKind::Word, 1, false)
            } else {
                let mut n = 1;
                while i + n < toks.len() && !han(i + n) {
                    n += 1;
                }
                (UnitKind::Other, n, false)
            };
            units.push(Unit { tokens: rel(&toks[i..i + n]), at: toks[i].1, kind, optional });
            i += n;
        }
        units
    }

    /// The query of one text term, `None` when it has nothing searchable.
    fn text(&self, t: &TextExpr, only: Only, stage: Stage) -> Option<Box<dyn Query>> {
        let units = self.units(t);
        if units.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for u in units.iter() {
            // One field's part (`explain`) is what that field's clauses add
            // to the score: a unit found only in other fields, or with no
            // clause in this one (a two-character word has no `title`
            // clause), must not cancel the others.
            let occur = if u.optional || only != Only::All { Occur::Should } else { Occur::Must };
            if u.optional {
                self.notes.borrow_mut().optional.push(u.text());
            }
            clauses.push((occur, self.unit(u, t.field, only, stage)));
        }
        if let Some(q) = self.chunk_phrase(t, only) {
            clauses.push((Occur::Should, q));
        }
        let q: Box<dyn Query> = if clauses.len() == 1 {
            clauses.pop().map(|c| c.1)?
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        match self.chunk_reading(t, &units, only, stage) {
            Some(reading) => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Should, q),
                (Occur::Should, boost(reading, self.ranking.reading_boost)),
            ]))),
            None => Some(q),
        }
    }

    /// In [`Stage::Readings`], an unquoted Han chunk that jieba cut into
    /// words and a lone character (`第一各` → `第一` + `各`, a typo of
    /// `第一个`) also matches as a whole by its reading: the typo is often
    /// the character jieba could not attach.
    fn chunk_reading(
        &self,
        t: &TextExpr,
        units: &[Unit],
        only: Only,
        stage: Stage,
    ) -> Option<Box<dyn Query>> {
        let eligible = stage == Stage::Readings
            && !t.phrase
            && matches!(only, Only::All | Only::Title)
            && t.field.is_none_or(|f| f == TextField::Title)
            && units.len() >= 2
            && units.iter().all(|u| matches!(u.kind, UnitKind::Word | UnitKind::Group))
            && units.iter().any(|u| !u.optional && u.is_lone_character());
        if !eligible {
            return None;
        }
        let text: String = units.iter().map(Unit::text).collect();
        let q = self.reading_phrases(&han_readings(&text, MAX_READINGS))?;
        self.notes.borrow_mut().by_reading.push(text);
        Some(q)
    }

    /// For an unquoted chunk of two or more units: the whole chunk as a
    /// phrase in the title and the snippet, an optional clause that rewards
    /// the words adjacent and in order.
    fn chunk_phrase(&self, t: &TextExpr, only: Only) -> Option<Box<dyn Query>> {
        if t.phrase {
            return None;
        }
        let units = self.units(t);
        if units.iter().filter(|u| !u.optional).count() < 2 {
            return None;
        }
        let toks: Tokens = units
            .iter()
            .flat_map(|u| u.tokens.iter().map(|(s, p)| (s.clone(), u.at + p)))
            .collect();
        let (r, f) = (self.ranking, self.fields);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if t.field.is_none_or(|x| x == TextField::Title) && matches!(only, Only::All | Only::Title)
        {
            clauses.push((Occur::Should, boost(sequence(f.title, &toks), r.title_boost)));
        }
        if t.field.is_none_or(|x| x == TextField::Snippet)
            && matches!(only, Only::All | Only::Snippet)
        {
            clauses.push((Occur::Should, boost(sequence(f.snippet, &toks), r.snippet_boost)));
        }
        (!clauses.is_empty()).then(|| self.any_of(clauses))
    }

    /// The union of `Should` clauses: an [`AnyOf`] when the query is a
    /// conjunction that only looks documents up in it, tantivy's buffered
    /// union otherwise. The same score either way.
    fn any_of(&self, clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
        if self.conjunction.get() && clauses.len() > 1 {
            Box::new(AnyOf(clauses.into_iter().map(|c| c.1).collect()))
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    /// One unit: its tokens in the title, the title's n-grams or the
    /// snippet; in [`Stage::Readings`] (and relaxed) also its reading.
    fn unit(&self, u: &Unit, field: Option<TextField>, only: Only, stage: Stage) -> Box<dyn Query> {
        let r = self.ranking;
        let f = self.fields;
        let want = |fl: TextField, o: Only| {
            field.is_none_or(|x| x == fl) && (only == Only::All || only == o)
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let in_title = field.is_none_or(|x| x == TextField::Title);
        let grams = in_title.then(|| grams_for_query(&self.tokens(Mode::Grams, &u.text())));
        // A two-character word is its own title bigram: every title that
        // has it as a word has the bigram, so the bigram's clause, weighted
        // as both, matches what the two did (one posting list fewer to
        // merge for the most common kind of query word). Decided whatever
        // `only` asks, so that the explanation's parts add up.
        let own_bigram = grams.as_ref().is_some_and(|g| u.is_its_own_bigram(g));
        if want(TextField::Title, Only::Title) && !own_bigram {
            clauses.push((Occur::Should, boost(sequence(f.title, &u.tokens), r.title_boost)));
        }
        if let Some(grams) = grams.filter(|_| want(TextField::Title, Only::TitleGrams)) {
            let by = if own_bigram { r.grams_boost + r.title_boost } else { r.grams_boost };
            clauses.push((Occur::Should, boost(sequence(f.title_grams, &grams), by)));
        }
        if want(TextField::Snippet, Only::Snippet) {
            clauses.push((Occur::Should, boost(sequence(f.snippet, &u.tokens), r.snippet_boost)));
        }
        if stage != Stage::Strict
            && want(TextField::Title, Only::Title)
            && let Some(q) = self.reading(u)
        {
            self.notes.borrow_mut().by_reading.push(u.text());
            clauses.push((Occur::Should, boost(q, r.reading_boost)));
        }
        match clauses.len() {
            0 => Box::new(EmptyQuery),
            1 => clauses.pop().unwrap().1,
            _ => self.any_of(clauses),
        }
    }

    /// About how many documents a unit matches (its rarest token's title
    /// and snippet documents).
    fn unit_matches(&self, u: &Unit) -> u64 {
        u.tokens.iter().map(|(t, _)| self.exact_matches(t)).min().unwrap_or(0)
    }

    /// Title documents containing `token` in the word fields.
    fn exact_matches(&self, token: &str) -> u64 {
        let f = self.fields;
        [f.title, f.snippet]
            .iter()
            .map(|&field| self.searcher.doc_freq(&Term::from_field_text(field, token)).unwrap_or(0))
            .sum()
    }

    /// The pinyin reading of a unit that has few or no exact matches: the
    /// readings of a Han group or rare word, or the syllables (or initials)
    /// of a Latin word; phrases in `title_pinyin`.
    fn reading(&self, u: &Unit) -> Option<Box<dyn Query>> {
        let seqs: Vec<Vec<String>> = match u.kind {
            UnitKind::Group => han_readings(&u.text(), MAX_READINGS),
            UnitKind::Word if !u.is_lone_character() && !u.optional => {
                if self.exact_matches(&u.tokens[0].0) > FEW {
                    return None;
                }
                han_readings(&u.text(), MAX_READINGS)
            }
            UnitKind::Other if u.tokens.len() == 1 => {
                let w = &u.tokens[0].0;
                if self.exact_matches(w) > FEW {
                    return None;
                }
                let splits = syllable_splits(w, MAX_READINGS);
                if splits.is_empty() { initials(w).into_iter().collect() } else { splits }
            }
            _ => return None,
        };
        self.reading_phrases(&seqs)
    }

    /// Any of the syllable sequences `seqs`, as phrases in `title_pinyin`.
    fn reading_phrases(&self, seqs: &[Vec<String>]) -> Option<Box<dyn Query>> {
        if seqs.is_empty() {
            return None;
        }
        self.notes.borrow_mut().reading_seqs.extend(seqs.iter().cloned());
        let field = self.fields.title_pinyin;
        let phrases: Vec<(Occur, Box<dyn Query>)> = seqs
            .iter()
            .map(|s| {
                let toks: Tokens = s.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
                (Occur::Should, sequence(field, &toks))
            })
            .collect();
        Some(Box::new(BooleanQuery::new(phrases)))
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

/// A query whose documents are read in full when its scorer is made, for
/// exclusions. tantivy 0.27 looks documents up in an exclusion with
/// `seek_danger`, which a phrase scorer (a quoted phrase, `sys.path`, a
/// multi-token unit) does not support after a miss: it asserts in debug
/// builds and may answer wrongly in release ones. A sorted list answers
/// any lookup; exclusions are usually small.
#[derive(Debug)]
struct Materialized(Box<dyn Query>);

impl Clone for Materialized {
    fn clone(&self) -> Self {
        Materialized(self.0.box_clone())
    }
}

impl Query for Materialized {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(MaterializedWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct MaterializedWeight(Box<dyn Weight>);

impl Weight for MaterializedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = self.0.scorer(reader, boost)?;
        let mut docs = Vec::new();
        let mut doc = inner.doc();
        while doc != TERMINATED {
            docs.push(doc);
            doc = inner.advance();
        }
        Ok(Box::new(DocList { docs, at: 0 }))
    }

    fn explain(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

/// Sorted documents; every lookup is a binary search from the current one.
struct DocList {
    docs: Vec<DocId>,
    at: usize,
}

impl DocSet for DocList {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            self.at += self.docs[self.at..].partition_point(|&d| d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Scorer for DocList {
    fn score(&mut self) -> Score {
        1.0
    }
}

/// Text terms of a conjunction's top level (the relaxation's candidates).
fn top_level_terms<'e>(e: &'e Expr, out: &mut Vec<&'e TextExpr>) {
    match e {
        Expr::Text(t) => out.push(t),
        Expr::And(v) => v.iter().for_each(|e| {
            if let Expr::Text(t) = e {
                out.push(t)
            }
        }),
        _ => {}
    }
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
