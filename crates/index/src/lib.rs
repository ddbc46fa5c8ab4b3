//! The tantivy index of catalog listings, with Chinese analysis on jieba-rs.
//!
//! * [`analysis`]: the tokenizer pipeline (normalise → segment → filter),
//!   registered under [`analysis::WORDS_TOKENIZER`] and
//!   [`analysis::GRAMS_TOKENIZER`];
//! * [`ListingIndex`]: create or open an index (checking its analysis
//!   version and user dictionary), get a [`ListingWriter`] or a reader;
//! * [`schema`]: fields; numeric and date fields are fast fields;
//! * [`record`]: the stored record of a listing (one compact text, the
//!   listing's text stored once), read back with [`StoredListing::fetch`].
//!
//! ```
//! use wenku_index::{ListingIndex, WriterOptions, analysis::Analyzer};
//! # fn main() -> wenku_index::Result<()> {
//! let index = ListingIndex::create_in_ram(Analyzer::default())?;
//! let writer = index.writer(&WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() })?;
//! let stats = writer.commit()?;
//! assert_eq!(stats.added, 0);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod analysis;
mod codec;
mod directory;
mod error;
mod index;
pub mod record;
pub mod schema;
mod segments;
mod writer;

pub use codec::DICT_FILE;
pub use error::{Error, Result};
pub use index::{IndexMeta, ListingIndex, META_FILE, RECORD_FORMAT, USER_DICT_FILE};
pub use schema::Fields;
pub use segments::SegmentCache;
pub use wenku_listing;
pub use writer::{
    AddOutcome, ListingWriter, MERGE_PARTS, PreAnalyze, StoredListing, WriteStats, WriterOptions,
};
