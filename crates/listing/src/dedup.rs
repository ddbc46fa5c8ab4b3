//! Collapse byte-identical listings.

use std::collections::HashMap;

use crate::{Listing, Source};

/// Whether a listing was seen before, as told by [`Dedup::observe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// First time this listing text is seen.
    First,
    /// A byte-identical listing was seen before.
    Repeat {
        /// Where it was first seen.
        first: Source,
        /// How many times it has been seen, this one included (≥ 2).
        count: u64,
    },
}

/// Detects byte-identical listings (same `raw` text: title, snippet,
/// price, pages, size, age and trailing integer) among records given in
/// order. Listings that differ in anything, e.g. pages or size, stay
/// separate. Memory: one 16-byte hash plus the first source per distinct
/// listing.
#[derive(Debug, Default)]
pub struct Dedup {
    seen: HashMap<u128, (Source, u64)>,
}

impl Dedup {
    /// An empty deduplicator.
    pub fn new() -> Self {
        Dedup::default()
    }

    /// Record `listing` and tell whether it is a repeat.
    pub fn observe(&mut self, listing: &Listing) -> Seen {
        let key = xxhash_rust::xxh3::xxh3_128(listing.raw.as_bytes());
        match self.seen.get_mut(&key) {
            Some((first, count)) => {
                *count += 1;
                Seen::Repeat { first: first.clone(), count: *count }
            }
            None => {
                self.seen.insert(key, (listing.source.clone(), 1));
                Seen::First
            }
        }
    }

    /// How many times a listing with the same text has been observed.
    pub fn count(&self, listing: &Listing) -> u64 {
        let key = xxhash_rust::xxh3::xxh3_128(listing.raw.as_bytes());
        self.seen.get(&key).map_or(0, |(_, c)| *c)
    }

    /// Number of distinct listings observed.
    pub fn distinct(&self) -> usize {
        self.seen.len()
    }
}
