//! The blended top-k collector: the best `k` matches by
//! `bm25 × age_factor × size_factor` (by BM25 alone under a ranking that
//! does not blend), and the number of matches, in one scored pass.
//!
//! Both factors are ≤ 1 (`rank.rs`), so a match whose BM25 score is below
//! the k-th best blended score found so far cannot enter the top k: its
//! factors are not computed (two fast-field reads, a `powf` and two `ln`).
//! The threshold is shared across segments (they are collected one after
//! the other on the searching thread, or concurrently with a multi-thread
//! executor: an atomic maximum either way). The result equals a full sort
//! by blended score, ties broken by segment and document order; the
//! search asks for one more than it needs and orders ties by listing id
//! (`Searcher::settle_ties` in `search.rs`).
//!
//! Besides the best `k`, the collector keeps every match whose score equals
//! the k-th best (the matches tied with it that the heap had no room for),
//! so that a tie at the cut is settled without a second pass over the
//! matches: see [`BlendedSegment::collect`].

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{Columns, ColumnsCache};
use crate::rank::Ranking;

/// See the module docs.
pub(crate) struct BlendedTop<'a> {
    pub k: usize,
    pub ranking: Ranking,
    pub now: i64,
    columns: &'a ColumnsCache,
    /// The searcher the collector runs on (its segments' columns).
    searcher: &'a tantivy::Searcher,
    /// The best k-th blended score of any finished heap (f64 bits; scores
    /// are ≥ 0, so the bit patterns order like the values).
    threshold: Arc<AtomicU64>,
}

impl<'a> BlendedTop<'a> {
    pub(crate) fn new(
        k: usize,
        ranking: Ranking,
        now: i64,
        columns: &'a ColumnsCache,
        searcher: &'a tantivy::Searcher,
    ) -> Self {
        let threshold = Arc::new(AtomicU64::new(0));
        BlendedTop { k: k.max(1), ranking, now, columns, searcher, threshold }
    }
}

/// A hit in the heap: blended score, then the earlier document wins ties.
#[derive(Clone, Copy, PartialEq)]
struct Entry {
    score: f64,
    doc: DocId,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub(crate) struct BlendedSegment {
    seg: SegmentOrdinal,
    k: usize,
    ranking: Ranking,
    /// Whether the ranking blends at all (otherwise the score is BM25).
    blends: bool,
    now: i64,
    cols: Columns,
    /// The k best so far, worst on top.
    heap: BinaryHeap<Reverse<Entry>>,
    /// Matches outside the heap whose score equals the heap's worst (only
    /// once the heap is full).
    ties: Vec<Entry>,
    count: usize,
    shared: Arc<AtomicU64>,
    /// Below this BM25 score a match cannot enter (max of the shared
    /// threshold and this heap's k-th score).
    floor: f64,
}

impl Collector for BlendedTop<'_> {
    type Fruit = (usize, Vec<(f64, DocAddress)>);
    type Child = BlendedSegment;

    fn for_segment(&self, seg: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(BlendedSegment {
            seg,
            k: self.k,
            ranking: self.ranking.clone(),
            blends: self.ranking.blends(),
            now: self.now,
            cols: self.columns.get_or_open(self.searcher, seg, Columns::of),
            heap: BinaryHeap::with_capacity(self.k + 1),
            ties: Vec::new(),
            count: 0,
            shared: Arc::clone(&self.threshold),
            floor: f64::from_bits(self.threshold.load(AtomicOrdering::Relaxed)),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// The best `k` of all segments, followed by every other match with
    /// the k-th best score.
    fn merge_fruits(
        &self,
        fruits: Vec<(usize, Vec<(f64, DocAddress)>)>,
    ) -> tantivy::Result<Self::Fruit> {
        let total = fruits.iter().map(|f| f.0).sum();
        let mut all: Vec<(f64, DocAddress)> = fruits.into_iter().flat_map(|f| f.1).collect();
        let best_first =
            |a: &(f64, DocAddress), b: &(f64, DocAddress)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let k = self.k;
        if all.len() > k {
            // the k best first (sorted), then the others tied with the k-th
            // (in any order: the search orders ties by listing id); a tie of
            // every match is not sorted
            all.select_nth_unstable_by(k - 1, best_first);
            let kth = all[k - 1].0;
            let mut end = k;
            for i in k..all.len() {
                if all[i].0 == kth {
                    all.swap(end, i);
                    end += 1;
                }
            }
            all.truncate(end);
            all[..k].sort_unstable_by(best_first);
        } else {
            all.sort_unstable_by(best_first);
        }
        Ok((total, all))
    }
}

impl SegmentCollector for BlendedSegment {
    type Fruit = (usize, Vec<(f64, DocAddress)>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        let bm25 = f64::from(score);
        // blended ≤ bm25: strictly below the floor, it cannot enter (an
        // equal score loses the tie to the earlier document)
        if bm25 < self.floor {
            return;
        }
        let blended = if self.blends {
            bm25 * self.cols.factors(&self.ranking, doc, self.now).0
        } else {
            bm25
        };
        let entry = Entry { score: blended, doc };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(entry));
        } else if let Some(worst) = self.heap.peek().map(|w| w.0)
            && entry > worst
        {
            self.heap.pop();
            self.heap.push(Reverse(entry));
            // The matches kept beside the heap tie with its worst. When
            // the worst rises above them, none of them can tie with the
            // final k-th best (it is at least this heap's k-th), and
            // neither can the match just dropped: they are let go (the
            // merge would drop them too; this bounds the list).
            if self.heap.peek().is_some_and(|w| w.0.score == worst.score) {
                self.ties.push(worst);
            } else {
                self.ties.clear();
            }
        } else {
            // no room: kept only when it ties with the worst
            if self.heap.peek().is_some_and(|w| w.0.score == entry.score) {
                self.ties.push(entry);
            }
            return;
        }
        if self.heap.len() == self.k
            && let Some(w) = self.heap.peek()
        {
            let kth = w.0.score;
            let prev = self.shared.fetch_max(kth.to_bits(), AtomicOrdering::Relaxed);
            self.floor = kth.max(f64::from_bits(prev));
        }
    }

    fn harvest(self) -> Self::Fruit {
        let seg = self.seg;
        let hits = self
            .heap
            .into_iter()
            .map(|Reverse(e)| e)
            .chain(self.ties)
            .map(|e| (e.score, DocAddress::new(seg, e.doc)))
            .collect();
        (self.count, hits)
    }
}
