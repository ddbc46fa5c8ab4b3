//! A value opened once per segment of an index (a reader of one of the
//! segment's files), for the searches of any searcher over it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// Values per segment, shared by the clones of the cache. A value that
/// maps one of its segment's files keeps the file's disk space after a
/// merge deletes it, so whenever a segment is opened, the segments the
/// asking searcher no longer has are dropped (a merge always makes a new
/// segment, which the next search opens).
pub struct SegmentCache<T>(Arc<Mutex<HashMap<SegmentId, T>>>);

impl<T> Default for SegmentCache<T> {
    fn default() -> Self {
        SegmentCache(Arc::default())
    }
}

impl<T> Clone for SegmentCache<T> {
    fn clone(&self) -> Self {
        SegmentCache(Arc::clone(&self.0))
    }
}

impl<T: Clone> SegmentCache<T> {
    /// The value of `searcher`'s segment `segment_ord`, opened by `open`
    /// the first time.
    ///
    /// # Errors
    /// From `open`.
    pub fn get_or_try_open<E>(
        &self,
        searcher: &Searcher,
        segment_ord: u32,
        open: impl FnOnce(&SegmentReader) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let seg = searcher.segment_reader(segment_ord);
        let id = seg.segment_id();
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = map.get(&id) {
            return Ok(v.clone());
        }
        let live = searcher.segment_readers();
        map.retain(|id, _| live.iter().any(|s| s.segment_id() == *id));
        let v = open(seg)?;
        map.insert(id, v.clone());
        Ok(v)
    }

    /// [`SegmentCache::get_or_try_open`] for an `open` that cannot fail.
    pub fn get_or_open(
        &self,
        searcher: &Searcher,
        segment_ord: u32,
        open: impl FnOnce(&SegmentReader) -> T,
    ) -> T {
        let opened = self.get_or_try_open(searcher, segment_ord, |seg| {
            Ok::<T, std::convert::Infallible>(open(seg))
        });
        match opened {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// The segments held (for tests of the callers).
    #[doc(hidden)]
    pub fn segments(&self) -> Vec<SegmentId> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).keys().copied().collect()
    }
}
