//! Running a query: collection, blended ranking, hits, facets, explain.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, IndexReader, Score, SegmentReader, TERMINATED};
use wenku_index::wenku_listing::Listing;
use wenku_index::{ListingIndex, StoredListing};

use crate::Result;
use crate::blend::BlendedTop;
use crate::columns::{Columns, ColumnsCache};
use crate::compile::{Compiler, Notes, Only, Stage, positive_terms};
use crate::highlight::{Highlighted, Highlighter};
use crate::parse::{Expr, Filter};
use crate::rank::Ranking;
use crate::request::{SearchRequest, Sort};
use crate::understand::{Condition, ConditionKind};

/// Below this many exact matches, units are also matched by reading.
const READINGS_BELOW: usize = 10;
/// `最新`: the newest first among this many best matches…
const NEWEST_POOL: usize = 50;
/// …that score at least this share of the best score.
const NEWEST_SHARE: f64 = 0.5;

/// The score of a hit, broken into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Explanation {
    /// BM25 of the whole query (sum of the field parts for plain AND/OR queries).
    pub bm25: f32,
    /// BM25 contribution of the title words (boost included).
    pub bm25_title: f32,
    /// BM25 contribution of the title character n-grams (boost included).
    pub bm25_title_grams: f32,
    /// BM25 contribution of the snippet words (boost included).
    pub bm25_snippet: f32,
    /// Age factor, in `[1 − age_weight, 1]`.
    pub age_factor: f64,
    /// Size factor, in `[1 − size_weight, 1]`.
    pub size_factor: f64,
    /// `bm25 × age_factor × size_factor`.
    pub score: f64,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Ranking score (blended for relevance order; BM25 otherwise).
    pub score: f64,
    /// The listing (its id is [`Hit::id`]).
    pub listing: Listing,
    /// Times the listing was read in the run that indexed it (copies
    /// collapsed into it, plus one).
    pub dup_count: u32,
    /// The normalised title with highlights.
    pub title: Highlighted,
    /// A window of the normalised snippet with highlights.
    pub snippet: Highlighted,
    /// The score's parts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl Hit {
    /// The listing's id.
    pub fn id(&self) -> &str {
        &self.listing.id
    }
}

/// Counts of all matches by size bucket and by publication year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// `(bucket label, count)` in increasing size; buckets are fixed.
    pub size: Vec<(String, u64)>,
    /// `(year, count)`, oldest first; listings without a date are left out.
    pub year: Vec<(i32, u64)>,
    /// Matching listings that were read more than once (`dup_count > 1`).
    pub listings_with_copies: u64,
    /// Copies collapsed into the matching listings (sum of `dup_count − 1`).
    pub copies_collapsed: u64,
}

/// How the query was read, beyond its literal words; see
/// `docs/query-language.md`. Empty fields mean nothing of the kind
/// happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Understood {
    /// Catalog conditions read from plain words (`500页以上`, `最新`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Question and filler words made optional (`如何`, `的`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<String>,
    /// Words that also matched by their pinyin reading (pinyin typed for
    /// Han words, a same-reading typo) because they had few exact matches;
    /// listings found only that way follow the exact matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_reading: Vec<String>,
    /// No listing has every word: the hits match only some of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// The condition (as typed) without which there would be hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emptied_by: Option<String>,
}

impl Understood {
    /// Whether the query was read literally (nothing to report).
    pub fn is_literal(&self) -> bool {
        *self == Understood::default()
    }
}

/// How far a query was relaxed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relaxed {
    /// Each hit matches at least this many of the words…
    pub matched: usize,
    /// …out of this many.
    pub of: usize,
    /// The words (as analysed).
    pub words: Vec<String>,
}

/// Hits of a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Number of matching listings (before offset/limit).
    pub total: usize,
    /// How the query was read.
    pub understood: Understood,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

/// Searches one index. Cheap to share between threads (`&self` methods);
/// it sees new commits of a writer in another thread or process shortly
/// after they happen (or at once after [`Searcher::reload`]).
pub struct Searcher {
    index: ListingIndex,
    reader: IndexReader,
    ranking: Ranking,
    columns: ColumnsCache,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("index", &self.index)
            .field("ranking", &self.ranking)
            .finish()
    }
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Searcher {
    /// A searcher over `index` with the default [`Ranking`].
    ///
    /// # Errors
    /// From tantivy, opening the reader.
    pub fn new(index: ListingIndex) -> Result<Self> {
        let reader = index.reader()?;
        Ok(Searcher {
            index,
            reader,
            ranking: Ranking::default(),
            columns: ColumnsCache::default(),
        })
    }

    /// Replaces the ranking parameters.
    pub fn with_ranking(mut self, ranking: Ranking) -> Self {
        self.ranking = ranking;
        self
    }

    /// The ranking parameters.
    pub fn ranking(&self) -> &Ranking {
        &self.ranking
    }

    /// The index searched.
    pub fn index(&self) -> &ListingIndex {
        &self.index
    }

    /// Makes the latest commit visible now.
    ///
    /// # Errors
    /// From tantivy.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Number of listings in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn compiler<'a>(
        &'a self,
        now: i64,
        searcher: &'a tantivy::Searcher,
        filters: &'a [Filter],
    ) -> Compiler<'a> {
        Compiler {
            filters,
            analyzer: self.index.analyzer(),
            fields: self.index.fields(),
            ranking: &self.ranking,
            now,
            searcher,
            notes: Default::default(),
            fillers_required: Default::default(),
            units_cache: Default::default(),
            conjunction: Default::default(),
        }
    }

    /// Runs a search.
    ///
    /// The query is read as `docs/query-language.md` describes: catalog
    /// conditions first, then the words, all required; when fewer than 10
    /// listings have them all, words with few exact matches also match by
    /// pinyin reading (those hits follow the exact ones); when none has them
    /// all, the listings with the most of them. [`SearchResults::understood`]
    /// says what happened.
    ///
    /// # Errors
    /// An index error ([`crate::Error::Index`], [`crate::Error::Tantivy`],
    /// [`crate::Error::MissingStoredDocument`]). A malformed query is an
    /// error of [`crate::Query::parse`], before the search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let now = req.now.map_or_else(now_secs, |t| t.as_second());
        let understanding = req.query.understanding();
        let expr = understanding.expr.as_ref();
        let conditions = &understanding.conditions;
        let searcher = self.reader.searcher();
        let compiler = self.compiler(now, &searcher, req.query.filters());
        let newest = conditions.iter().any(|c| c.kind == ConditionKind::Newest);
        let sort = match (req.sort, newest, expr) {
            (Sort::Relevance, true, None) => Sort::Newest,
            (sort, _, _) => sort,
        };
        let rerank_newest = newest && sort == Sort::Relevance;
        // never ask collectors for more than there is (huge --offset/--limit)
        let wanted = req.offset.saturating_add(req.limit);
        let need = if rerank_newest { wanted.max(NEWEST_POOL) } else { wanted };

        let mut stage = Stage::Strict;
        let mut reading_seqs: Vec<Vec<String>> = Vec::new();
        let mut query = compiler.compile(expr, conditions, stage);
        let notes: Notes = compiler.notes.take();
        let (mut total, mut ranked) = self.rank(&searcher, &*query, sort, need, now)?;
        let mut understood = Understood {
            conditions: conditions.clone(),
            optional: notes.optional,
            ..Understood::default()
        };
        if total < READINGS_BELOW && expr.is_some() {
            let q = compiler.compile(expr, conditions, Stage::Readings);
            let Notes { by_reading, reading_seqs: seqs, .. } = compiler.notes.take();
            if !by_reading.is_empty() {
                let (t, r) = self.rank(&searcher, &*q, sort, need, now)?;
                if t > total {
                    ranked = merge_tiers(ranked, r, need);
                    (total, query, stage) = (t, q, Stage::Readings);
                    understood.by_reading = by_reading;
                    reading_seqs = seqs;
                }
            }
        }
        // nothing: a condition that empties the result is the answer;
        // otherwise the listings that have the most of the words
        if total == 0 {
            understood.emptied_by =
                self.emptied_by(&searcher, &compiler, expr, conditions, stage)?;
        }
        let of = notes.required.len();
        if total == 0 && understood.emptied_by.is_none() && of >= 2 {
            for k in (1..of).rev() {
                let q = compiler.compile(expr, conditions, Stage::Relaxed(k));
                let (t, r) = self.rank(&searcher, &*q, sort, need, now)?;
                if t > 0 {
                    (total, ranked, query, stage) = (t, r, q, Stage::Relaxed(k));
                    let notes = compiler.notes.take();
                    understood.by_reading = notes.by_reading;
                    reading_seqs = notes.reading_seqs;
                    understood.relaxed =
                        Some(Relaxed { matched: k, of, words: notes.required.clone() });
                    break;
                }
            }
        }
        if rerank_newest {
            newest_first(&searcher, &mut ranked);
        }

        let mut terms = Vec::new();
        if let Some(e) = expr {
            positive_terms(e, &mut terms);
        }
        let analyzer = self.index.analyzer();
        let highlighter = Highlighter::new(analyzer, terms.iter().map(|t| t.text.as_str()))
            .without(&understood.optional)
            .with_readings(reading_seqs);
        let mut hits = Vec::with_capacity(req.limit.min(total));
        for &(score, addr) in ranked.iter().skip(req.offset).take(req.limit) {
            let StoredListing { listing, dup_count } =
                StoredListing::fetch(&self.index, &searcher, addr)?;
            let explanation = match (req.explain, expr) {
                (true, Some(e)) => {
                    Some(self.explain(&searcher, &compiler, e, &*query, stage, addr, now)?)
                }
                _ => None,
            };
            hits.push(Hit {
                score,
                title: highlighter.highlight(&listing.title_norm),
                snippet: highlighter.fragment(&listing.snippet_norm, req.fragment_chars),
                listing,
                dup_count,
                explanation,
            });
        }
        let facets =
            if req.facets { Some(searcher.search(&*query, &FacetCollector)?) } else { None };
        Ok(SearchResults { total, understood, hits, facets })
    }

    /// The number of matches and the best `need` in `sort` order; matches
    /// with equal keys in that order (equal scores, or equal field values and
    /// BM25) are ordered by listing id, so the order does not depend on how
    /// the index was built (reading order, threads, segments).
    fn rank(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        sort: Sort,
        need: usize,
        now: i64,
    ) -> Result<(usize, Vec<(f64, DocAddress)>)> {
        let order = match sort {
            Sort::Relevance if self.ranking.blends() => Order::Blended(self.ranking.clone(), now),
            Sort::Relevance => Order::Bm25,
            sort => Order::Field(sort),
        };
        let (total, top, ties_kept) = match &order {
            Order::Blended(..) | Order::Bm25 => {
                // one scored pass over every match, the count fused into it
                // (a ranking that does not blend reads no factor); it also
                // keeps every match tied with the last it returns
                let need = need.min(searcher.num_docs() as usize);
                let blended =
                    BlendedTop::new(need + 1, self.ranking.clone(), now, &self.columns, searcher);
                let (total, top) = searcher.search(query, &blended)?;
                (total, top.into_iter().map(|(s, a)| ((0, s), a)).collect(), true)
            }
            Order::Field(_) => {
                let need = need.min(searcher.num_docs() as usize);
                let (total, top) = searcher.search(query, &(Count, order.top(need + 1)))?;
                (total, top, false)
            }
        };
        let ranked = self.settle_ties(searcher, query, &order, top, need, ties_kept)?;
        Ok((total, ranked))
    }

    /// `top` (the best matches by key, one more than `need` if there are
    /// that many), cut at `need` with ties ordered by listing id: when the
    /// key at the cut is shared by the match after it, every match with that
    /// key is needed. `ties_kept`: `top` already holds them all (the blended
    /// collector keeps them); otherwise the first pass kept an arbitrary few
    /// of them, and a second pass over the matches fetches the rest.
    fn settle_ties(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        order: &Order,
        mut top: Vec<(Key, DocAddress)>,
        need: usize,
        ties_kept: bool,
    ) -> Result<Vec<(f64, DocAddress)>> {
        if need == 0 {
            return Ok(Vec::new());
        }
        if !ties_kept && top.len() > need && top[need].0 == top[need - 1].0 {
            let (key, at_cut) = top[need - 1];
            let tied = Tied { order: order.clone(), key, columns: &self.columns, searcher };
            let near = searcher.search(query, &tied)?;
            // the same key as computed by this pass (a top-k pass may sum a
            // score's parts in another order, to the last bit)
            let exact = near.iter().find(|t| t.1 == at_cut).map_or(key, |t| t.0);
            top.retain(|t| t.0 != key);
            top.extend(near.into_iter().filter(|t| t.0 == exact).map(|t| (key, t.1)));
        }
        let mut start = 0;
        while start < top.len().min(need) {
            let end = start + top[start..].iter().take_while(|t| t.0 == top[start].0).count();
            let slots = end.min(need) - start;
            let by_segment = (end - start > LARGE_RUN && slots < end - start)
                .then(|| by_segment(&top[start..end]))
                .filter(|runs| walk_pays(searcher, runs, slots));
            if let Some(runs) = by_segment {
                // a run across the cut: only its `slots` smallest ids are
                // shown, found without reading every record of the run
                let key = top[start].0;
                let first = self.smallest_ids(searcher, &runs, slots)?;
                for (slot, addr) in top[start..].iter_mut().zip(first) {
                    *slot = (key, addr);
                }
                top.truncate(start + slots);
                break;
            }
            if end - start > 1 {
                let mut run = Vec::with_capacity(end - start);
                for &(k, addr) in &top[start..end] {
                    run.push((self.id_of(searcher, addr)?, k, addr));
                }
                run.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                for (slot, (_, k, addr)) in top[start..end].iter_mut().zip(run) {
                    *slot = (k, addr);
                }
            }
            start = end;
        }
        top.truncate(need);
        Ok(top.into_iter().map(|(k, a)| (k.1, a)).collect())
    }

    /// The `slots` documents of a run (`runs`: its documents by segment)
    /// with the smallest listing ids, smallest first. Each segment's `id`
    /// terms are walked in order (the term dictionary sorts them as the ids
    /// compare) until `slots` of the run's documents are met, so a run of
    /// many thousands (a filter-only query under plain BM25: every match
    /// ties) costs a few look-ups per slot instead of one stored record per
    /// match.
    fn smallest_ids(
        &self,
        searcher: &tantivy::Searcher,
        runs: &RunBySegment,
        slots: usize,
    ) -> Result<Vec<DocAddress>> {
        use tantivy::DocSet;
        use tantivy::schema::IndexRecordOption;
        let id = self.index.fields().id;
        let io = tantivy::TantivyError::from;
        let mut found: Vec<(Vec<u8>, DocAddress)> = Vec::new();
        for (&seg, docs) in runs {
            let inverted = searcher.segment_reader(seg).inverted_index(id)?;
            let mut terms = inverted.terms().stream().map_err(io)?;
            // a segment with fewer of the run's documents than slots stops
            // once it has met them all
            let want = slots.min(docs.len());
            let mut met = 0;
            while met < want && terms.advance() {
                let info = terms.value();
                let mut postings = inverted
                    .read_postings_from_terminfo(info, IndexRecordOption::Basic)
                    .map_err(io)?;
                while postings.doc() != TERMINATED {
                    if docs.contains(&postings.doc()) {
                        found.push((terms.key().to_vec(), DocAddress::new(seg, postings.doc())));
                        met += 1;
                    }
                    postings.advance();
                }
            }
        }
        found.sort_unstable();
        found.truncate(slots);
        Ok(found.into_iter().map(|f| f.1).collect())
    }

    /// The stored id of a document.
    fn id_of(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> Result<String> {
        Ok(StoredListing::fetch_id(&self.index, searcher, addr)?)
    }

    /// When a query with conditions finds nothing: the first condition
    /// without which it would find something.
    fn emptied_by(
        &self,
        searcher: &tantivy::Searcher,
        compiler: &Compiler<'_>,
        expr: Option<&Expr>,
        conditions: &[Condition],
        stage: Stage,
    ) -> Result<Option<String>> {
        for (i, c) in conditions.iter().enumerate() {
            if c.kind == ConditionKind::Newest {
                continue;
            }
            let mut rest = conditions.to_vec();
            rest.remove(i);
            if compiler.compile(expr, &rest, stage).count(searcher)? > 0 {
                return Ok(Some(c.text.clone()));
            }
        }
        Ok(None)
    }

    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        searcher: &tantivy::Searcher,
        compiler: &Compiler<'_>,
        expr: &Expr,
        query: &dyn Query,
        stage: Stage,
        addr: DocAddress,
        now: i64,
    ) -> Result<Explanation> {
        let value = |q: &dyn Query| score_of(searcher, q, addr);
        let bm25 = value(query);
        let cols = Columns::of(searcher.segment_reader(addr.segment_ord));
        let (f, age_factor, size_factor) = cols.factors(&self.ranking, addr.doc_id, now);
        Ok(Explanation {
            bm25,
            bm25_title: value(&*compiler.field_query(expr, Only::Title, stage)),
            bm25_title_grams: value(&*compiler.field_query(expr, Only::TitleGrams, stage)),
            bm25_snippet: value(&*compiler.field_query(expr, Only::Snippet, stage)),
            age_factor,
            size_factor,
            score: bm25 as f64 * f,
        })
    }
}

/// The hits of the exact tier, then those of the wider one that are not in
/// it, at most `need` in all.
fn merge_tiers(
    exact: Vec<(f64, DocAddress)>,
    wider: Vec<(f64, DocAddress)>,
    need: usize,
) -> Vec<(f64, DocAddress)> {
    let seen: std::collections::HashSet<DocAddress> = exact.iter().map(|h| h.1).collect();
    let mut out = exact;
    out.extend(wider.into_iter().filter(|h| !seen.contains(&h.1)));
    out.truncate(need);
    out
}

/// `最新`: the hits scoring at least [`NEWEST_SHARE`] of the best, newest
/// first (ties keep their relevance order), then the others.
fn newest_first(searcher: &tantivy::Searcher, ranked: &mut [(f64, DocAddress)]) {
    let Some(best) = ranked.first().map(|h| h.0) else { return };
    let strong = ranked.iter().take_while(|h| h.0 >= best * NEWEST_SHARE).count();
    let published = |a: &DocAddress| {
        Columns::of(searcher.segment_reader(a.segment_ord)).published(a.doc_id).unwrap_or(i64::MIN)
    };
    ranked[..strong].sort_by_cached_key(|h| std::cmp::Reverse(published(&h.1)));
}

/// The score `query` gives document `addr`, 0 when it does not match.
///
/// Computed with a scorer advanced to the document rather than with
/// `Query::explain`, whose boolean implementation seeks backwards (a debug
/// assertion in tantivy) when a clause's first match lies after the document.
fn score_of(searcher: &tantivy::Searcher, query: &dyn Query, addr: DocAddress) -> f32 {
    use tantivy::DocSet;
    use tantivy::query::EnableScoring;
    let Ok(weight) = query.weight(EnableScoring::enabled_from_searcher(searcher)) else {
        return 0.0;
    };
    let Ok(mut scorer) = weight.scorer(searcher.segment_reader(addr.segment_ord), 1.0) else {
        return 0.0;
    };
    if scorer.doc() < addr.doc_id {
        scorer.seek(addr.doc_id);
    }
    if scorer.doc() == addr.doc_id { scorer.score() } else { 0.0 }
}

/// The key of a match in an order, largest first: `(0, blended score)`,
/// `(0, BM25)`, or `(field value, BM25)` for an explicit sort (its sign
/// turned for the ascending ones; no date sorts last both ways).
type Key = (i64, f64);

/// An order of the matches, as the key of each.
#[derive(Clone)]
enum Order {
    /// BM25 × age factor × size factor, at "now".
    Blended(Ranking, i64),
    /// BM25 alone.
    Bm25,
    /// A fast field, then BM25.
    Field(Sort),
}

impl Order {
    /// The key of each match of one segment.
    fn keys(&self, seg: &SegmentReader) -> impl Fn(DocId, Score) -> Key + use<> {
        self.keys_with(Columns::of(seg))
    }

    /// [`Order::keys`] with the segment's columns already open.
    fn keys_with(&self, cols: Columns) -> impl Fn(DocId, Score) -> Key + use<> {
        let order = self.clone();
        move |doc, score| {
            let score = f64::from(score);
            match &order {
                Order::Blended(r, now) => (0, score * cols.factors(r, doc, *now).0),
                Order::Bm25 => (0, score),
                Order::Field(sort) => {
                    let key = match sort {
                        Sort::Newest => cols.published(doc).unwrap_or(i64::MIN),
                        Sort::Oldest => cols.published(doc).map_or(i64::MIN, |p| -p),
                        Sort::Largest => cols.size(doc) as i64,
                        Sort::Smallest => -(cols.size(doc) as i64),
                        Sort::Pages | Sort::Relevance => cols.pages(doc) as i64,
                    };
                    (key, score)
                }
            }
        }
    }

    /// The best `limit` matches by key.
    fn top(&self, limit: usize) -> impl Collector<Fruit = Vec<(Key, DocAddress)>> + use<> {
        let order = self.clone();
        TopDocs::with_limit(limit.max(1)).tweak_score(move |seg: &SegmentReader| order.keys(seg))
    }
}

/// Every match whose key is `key`, give or take the last bits of the score.
struct Tied<'a> {
    order: Order,
    key: Key,
    columns: &'a ColumnsCache,
    searcher: &'a tantivy::Searcher,
}

struct TiedSegment<F> {
    segment: u32,
    keys: F,
    key: Key,
    /// Below this BM25 score a match's key cannot come within the
    /// tolerance of `key` (see [`TiedSegment::collect`]).
    floor: f64,
    found: Vec<(Key, DocAddress)>,
}

/// A run of tied matches longer than this that crosses the cut may be put
/// in id order by [`Searcher::smallest_ids`] (a walk of the id terms)
/// rather than by reading each match's stored id ([`walk_pays`]).
const LARGE_RUN: usize = 256;

/// About how many id terms the walk visits in the time one stored id is
/// read (a zstd frame); kept low, so the walk is taken only when it is
/// clearly cheaper.
const TERMS_PER_RECORD: usize = 4;

/// The documents of a run of tied matches, by segment ordinal.
type RunBySegment = BTreeMap<u32, HashSet<DocId>>;

fn by_segment(run: &[(Key, DocAddress)]) -> RunBySegment {
    let mut runs = RunBySegment::new();
    for (_, a) in run {
        runs.entry(a.segment_ord).or_default().insert(a.doc_id);
    }
    runs
}

/// Whether walking the id terms to find the `slots` smallest ids of a run
/// costs less than reading the id of every match of the run. The walk
/// meets a document of the run about every `max_doc / run in the segment`
/// terms, so it pays when the run is a large share of its segments (a
/// filter-only query under plain BM25: every match ties), not for a few
/// hundred tied copies among a million listings.
fn walk_pays(searcher: &tantivy::Searcher, runs: &RunBySegment, slots: usize) -> bool {
    let len: usize = runs.values().map(HashSet::len).sum();
    let walk: usize = runs
        .iter()
        .map(|(&seg, docs)| {
            let n = docs.len();
            slots.min(n).saturating_mul(searcher.segment_reader(seg).max_doc() as usize) / n
        })
        .sum();
    walk < len.saturating_mul(TERMS_PER_RECORD)
}

/// How far apart two keys' scores may be and still tie (relative).
const TIE_TOLERANCE: f64 = 1e-6;

impl Collector for Tied<'_> {
    type Fruit = Vec<(Key, DocAddress)>;
    type Child = TiedSegment<Box<dyn Fn(DocId, Score) -> Key>>;

    fn for_segment(&self, segment: u32, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        let cols = self.columns.get_or_open(self.searcher, segment, Columns::of);
        let keys: Box<dyn Fn(DocId, Score) -> Key> = Box::new(self.order.keys_with(cols));
        let key = self.key;
        let floor = key.1 - TIE_TOLERANCE * key.1.abs();
        Ok(TiedSegment { segment, keys, key, floor, found: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for TiedSegment<Box<dyn Fn(DocId, Score) -> Key>> {
    type Fruit = Vec<(Key, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        // A key's score part is at most the BM25 score (scores are ≥ 0 and
        // the blend's factors ≤ 1, `rank.rs`; the other orders use BM25
        // itself), so a match scoring below the tolerance band cannot tie
        // and its key is not computed: for the blend that is two column
        // reads per match, which made a search with a tie at the cut up to
        // 3× slower (a common word, thousands of matches; docs/benchmarks.md,
        // "Session 18").
        if f64::from(score) < self.floor {
            return;
        }
        let k = (self.keys)(doc, score);
        if k.0 == self.key.0 && (k.1 - self.key.1).abs() <= TIE_TOLERANCE * self.key.1.abs() {
            self.found.push((k, DocAddress::new(self.segment, doc)));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

const SIZE_BUCKETS: &[(&str, u64)] = &[
    ("<100 KB", 100 << 10),
    ("100 KB–1 MB", 1 << 20),
    ("1–10 MB", 10 << 20),
    ("10–100 MB", 100 << 20),
    ("≥100 MB", u64::MAX),
];

struct FacetCollector;

struct FacetSegment {
    cols: Columns,
    counts: Counts,
}

/// Facet counts of one segment.
#[derive(Default)]
struct Counts {
    size: [u64; 5],
    year: BTreeMap<i32, u64>,
    with_copies: u64,
    collapsed: u64,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _: u32, seg: &SegmentReader) -> tantivy::Result<FacetSegment> {
        Ok(FacetSegment { cols: Columns::of(seg), counts: Counts::default() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Facets> {
        let mut all = Counts::default();
        for c in fruits {
            for (i, n) in c.size.into_iter().enumerate() {
                all.size[i] += n;
            }
            for (k, n) in c.year {
                *all.year.entry(k).or_insert(0) += n;
            }
            all.with_copies += c.with_copies;
            all.collapsed += c.collapsed;
        }
        Ok(Facets {
            size: SIZE_BUCKETS.iter().zip(all.size).map(|((l, _), n)| (l.to_string(), n)).collect(),
            year: all.year.into_iter().collect(),
            listings_with_copies: all.with_copies,
            copies_collapsed: all.collapsed,
        })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let c = &mut self.counts;
        let s = self.cols.size(doc);
        let bucket = SIZE_BUCKETS.iter().position(|&(_, lim)| s < lim).unwrap_or(4);
        c.size[bucket] += 1;
        let copies = self.cols.dup_count(doc);
        if copies > 1 {
            c.with_copies += 1;
            c.collapsed += copies - 1;
        }
        if let Some(p) = self.cols.published(doc)
            && let Ok(ts) = jiff::Timestamp::from_second(p)
        {
            let year = i32::from(ts.to_zoned(jiff::tz::TimeZone::UTC).year());
            *c.year.entry(year).or_insert(0) += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Query, SearchRequest};

    /// After a merge, a search leaves the columns of the segments the merge
    /// replaced out of the cache (their mapped files would keep the disk
    /// space the merge freed); before it, the cache holds every segment.
    #[test]
    fn columns_of_merged_segments_are_dropped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        let listings: Vec<_> = wenku_listing::CatalogReader::open(&[dir], Default::default())
            .unwrap()
            .filter_map(|item| match item {
                Ok(wenku_listing::Item::Listing(l)) => Some(l),
                _ => None,
            })
            .collect();
        let index = ListingIndex::create_in_ram(Default::default()).unwrap();
        let opts = wenku_index::WriterOptions {
            threads: 1,
            heap_bytes: 20 << 20,
            merge_after_bulk: false,
            ..Default::default()
        };
        for part in listings.chunks(listings.len() / 2 + 1) {
            let mut w = index.writer(&opts).unwrap();
            for l in part {
                w.add(l).unwrap();
            }
            w.commit().unwrap();
        }
        let searcher = Searcher::new(index.clone()).unwrap();
        searcher.reload().unwrap();
        let live = || {
            let s = searcher.reader.searcher();
            let mut v: Vec<_> = s.segment_readers().iter().map(|r| r.segment_id()).collect();
            v.sort();
            v
        };
        let cached = || {
            let mut v = searcher.columns.segments();
            v.sort();
            v
        };
        // the first title word of the first listing: a match in each part
        let req = SearchRequest::new(Query::parse("Python").unwrap());
        assert!(searcher.search(&req).unwrap().total > 0);
        assert!(live().len() >= 2);
        assert_eq!(cached(), live());

        let ids = index.tantivy().searchable_segment_ids().unwrap();
        let mut w: tantivy::IndexWriter =
            index.tantivy().writer_with_num_threads(1, 20 << 20).unwrap();
        w.merge(&ids).wait().unwrap();
        w.wait_merging_threads().unwrap();
        searcher.reload().unwrap();
        assert!(searcher.search(&req).unwrap().total > 0);
        assert_eq!(live().len(), 1);
        assert_eq!(cached(), live());
    }
}
