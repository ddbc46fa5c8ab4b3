//! wenku: full-text search for Chinese document catalogs.
#![deny(missing_docs)]
