//! A union of scored clauses for a query that looks documents up in it
//! far apart: a unit's clauses (title, title n-grams, snippet, reading)
//! inside a conjunction of two or more units, one of them sparse.
//!
//! tantivy's union for `Should` clauses buffers a window of 4,096
//! documents: every look-up past the window clears it and scores every
//! match of every clause inside the next one, although the conjunction
//! asks about a few of them (perf of the warm mix at 1M: `seek` and
//! `refill` of that union, 33 %). [`AnyOf`] keeps each clause positioned
//! and scores only the document it is on. Iterated over a whole posting
//! list (a query of one unit) or looked up densely the buffered union is
//! faster, and stays (docs/benchmarks.md, "A lazy union inside
//! conjunctions").
//!
//! The score is the sum of the matching clauses' scores in clause order,
//! from 0, as tantivy's union adds them: the same score to the bit.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Matches what any of its clauses matches; scores the sum of theirs.
#[derive(Debug)]
pub(crate) struct AnyOf(pub Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> Self {
        AnyOf(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.0.iter().map(|q| q.weight(scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses = Vec::with_capacity(self.0.len());
        for w in &self.0 {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                clauses.push(s);
            }
        }
        let mut union = AnyOfScorer { clauses, doc: TERMINATED };
        union.doc = union.first();
        Ok(Box::new(union))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        let mut explanation = Explanation::new("sum of the matching clauses", scorer.score());
        for w in &self.0 {
            if let Ok(e) = w.explain(reader, doc) {
                explanation.add_detail(e);
            }
        }
        Ok(explanation)
    }
}

/// The clauses (none exhausted at creation), each on its own document.
struct AnyOfScorer {
    clauses: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl AnyOfScorer {
    fn first(&self) -> DocId {
        self.clauses.iter().map(|c| c.doc()).min().unwrap_or(TERMINATED)
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        for c in &mut self.clauses {
            if c.doc() == self.doc {
                c.advance();
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for c in &mut self.clauses {
            if c.doc() < target {
                c.seek(target);
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses.iter().map(|c| c.size_hint()).fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum: Score = 0.0;
        for c in &mut self.clauses {
            if c.doc() == doc {
                sum += c.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use wenku_index::analysis::{Analyzer, Mode};
    use wenku_index::{ListingIndex, WriterOptions};
    use wenku_listing::{CatalogReader, Item, ParseOptions};

    use super::*;

    /// The dev corpus in a RAM index, `None` (skipped) when absent.
    fn dev_index() -> Option<ListingIndex> {
        let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev/pages");
        if !pages.is_dir() {
            eprintln!("dev corpus not found at {}: skipping", pages.display());
            return None;
        }
        let index = ListingIndex::create_in_ram(Analyzer::default()).unwrap();
        let opts = WriterOptions { threads: 1, heap_bytes: 50 << 20, ..Default::default() };
        let mut w = index.writer(&opts).unwrap();
        for item in CatalogReader::open(&[pages], ParseOptions::default()).unwrap() {
            if let Ok(Item::Listing(l)) = item {
                w.add(&l).unwrap();
            }
        }
        w.commit().unwrap();
        Some(index)
    }

    /// A word's clauses as the compiler builds them: title, title n-gram
    /// phrase, snippet.
    fn clauses(index: &ListingIndex, word: &str) -> Vec<Box<dyn Query>> {
        let f = index.fields();
        let term = |field, t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs))
        };
        let grams: Vec<(usize, Term)> = index
            .analyzer()
            .tokens(Mode::Grams, word)
            .into_iter()
            .filter(|t| t.text.chars().count() == 2)
            .map(|t| (t.position, Term::from_field_text(f.title_grams, &t.text)))
            .collect();
        let mut out = vec![term(f.title, word), term(f.snippet, word)];
        if grams.len() >= 2 {
            let p0 = grams[0].0;
            let grams = grams.into_iter().map(|(p, t)| (p - p0, t)).collect();
            out.insert(1, Box::new(PhraseQuery::new_with_offset(grams)));
        }
        out
    }

    /// Every match of `q` with its score, in document order.
    fn all(index: &ListingIndex, q: &dyn Query) -> Vec<(u32, Score)> {
        let searcher = index.reader().unwrap().searcher();
        let n = searcher.search(q, &Count).unwrap().max(1);
        let mut hits: Vec<(u32, Score)> = searcher
            .search(q, &TopDocs::with_limit(n).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a.doc_id, s))
            .collect();
        hits.sort_by_key(|h| h.0);
        hits
    }

    /// Conjunctions of words on the dev corpus: with every word's clauses
    /// an `AnyOf` they match the same documents with the same scores, to
    /// the bit, as with tantivy's union.
    #[test]
    fn any_of_matches_and_scores_as_tantivys_union() {
        let Some(index) = dev_index() else { return };
        let pairs = [
            ["数组", "子集"],
            ["配置", "参数"],
            ["函数", "返回"],
            ["数据库", "索引"],
            ["整数", "数组"],
            ["文件", "路径"],
        ];
        let mut matched = 0;
        for words in pairs {
            let build = |lazy: bool| -> Box<dyn Query> {
                let units = words
                    .iter()
                    .map(|w| {
                        let c = clauses(&index, w);
                        let q: Box<dyn Query> = if lazy {
                            Box::new(AnyOf(c))
                        } else {
                            Box::new(BooleanQuery::new(
                                c.into_iter().map(|q| (Occur::Should, q)).collect(),
                            ))
                        };
                        (Occur::Must, q)
                    })
                    .collect();
                Box::new(BooleanQuery::new(units))
            };
            let (tantivy, ours) = (all(&index, &*build(false)), all(&index, &*build(true)));
            assert_eq!(ours, tantivy, "{words:?}");
            matched += usize::from(!ours.is_empty());
        }
        assert!(matched >= 3, "only {matched} of the pairs match anything");
    }
}
