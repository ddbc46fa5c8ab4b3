//! Fast-field columns of a segment that ranking reads (pages, duplicate
//! count, size, publication date), and their cache.

use tantivy::columnar::Column;
use tantivy::{DateTime, DocId, SegmentReader};
use wenku_index::SegmentCache;
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
/// change (deletes do not touch them).
pub(crate) type ColumnsCache = SegmentCache<Columns>;
