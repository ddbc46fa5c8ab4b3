//! Query language, ranking and snippets.
#![deny(missing_docs)]
