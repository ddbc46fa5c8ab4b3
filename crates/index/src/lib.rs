//! Chinese analysis and the tantivy index of listings.
#![deny(missing_docs)]
