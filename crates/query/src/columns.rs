//! Fast-field columns of a segment that ranking reads (pages, duplicate
//! count, size, publication date), and their cache.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::{DateTime, DocId, SegmentReader};
use wenku_index::schema::names;

use crate::rank::Ranking;

/// Fast-field columns of one segment used by ranking.
#[derive(Clone)]
pub(crate) struct Columns {
    dup_count: Option<Column<u64>>,
    pages: Option<Column<u64>>,
    size: Option<Column<u64>>,
    published: Option<Column<DateTime>>,
}

impl Columns {
    pub(crate) fn of(seg: &SegmentReader) -> Columns {
        let ff = seg.fast_fields();
        Columns {
            dup_count: ff.u64(names::DUP_COUNT).ok(),
            pages: ff.u64(names::PAGES).ok(),
            size: ff.u64(names::SIZE).ok(),
            published: ff.date(names::PUBLISHED).ok(),
        }
    }
    pub(crate) fn pages(&self, doc: DocId) -> u64 {
        self.pages.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
    }
    pub(crate) fn dup_count(&self, doc: DocId) -> u64 {
        self.dup_count.as_ref().and_then(|c| c.first(doc)).unwrap_or(1)
    }
    pub(crate) fn size(&self, doc: DocId) -> u64 {
        self.size.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
    }
    /// (product, age factor, size factor) of a document under `r`: the one
    /// place the blend is computed, for ranking and for explain.
    pub(crate) fn factors(&self, r: &Ranking, doc: DocId, now: i64) -> (f64, f64, f64) {
        let a = r.age_factor(self.published(doc), now);
        let s = r.size_factor(self.pages(doc));
        (a * s, a, s)
    }
    pub(crate) fn published(&self, doc: DocId) -> Option<i64> {
        self.published.as_ref().and_then(|c| c.first(doc)).map(|d| d.into_timestamp_secs())
    }
}

/// The [`Columns`] of each segment, opened once per segment rather than
/// once per query: opening the four columns was 3 % of a warm query at 1M
/// listings (perf, runner mix, one segment). A segment's columns never
/// change (deletes do not touch them). Columns map their segment's file,
/// which keeps the file's disk space after a merge deletes it: before each
/// search, [`ColumnsCache::keep`] drops the segments its searcher no
/// longer has.
#[derive(Default)]
pub(crate) struct ColumnsCache(Mutex<HashMap<SegmentId, Columns>>);

impl ColumnsCache {
    pub(crate) fn of(&self, seg: &SegmentReader) -> Columns {
        let id = seg.segment_id();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(id).or_insert_with(|| Columns::of(seg)).clone()
    }

    /// Drops the columns of segments `searcher` does not have.
    pub(crate) fn keep(&self, searcher: &tantivy::Searcher) {
        let live = searcher.segment_readers();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|id, _| live.iter().any(|s| s.segment_id() == *id));
    }

    #[cfg(test)]
    pub(crate) fn segments(&self) -> Vec<SegmentId> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).keys().copied().collect()
    }
}
