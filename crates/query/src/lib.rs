//! The query side of wenku: what a person types → ranked, explained,
//! highlighted hits.
//!
//! * [`parse()`]: the query language (AND by default, `"phrases"`, `-not`,
//!   `OR`, parentheses, `title:`/`snippet:`, and metadata filters such as
//!   `pages:>100`, `size:<5MB`, `age:<1y`); see `docs/query-language.md`;
//! * [`Query`]: what a person typed ([`Query::parse`]) plus typed
//!   [`Filter`]s, or every listing ([`Query::all`]);
//! * [`Searcher`]: runs a [`SearchRequest`] with blended [`Ranking`]
//!   (BM25 × age × size) or an explicit [`Sort`], and returns [`Hit`]s with
//!   highlighted title and snippet, facet counts and score explanations.
#![deny(missing_docs)]

mod any_of;
mod blend;
mod columns;
mod compile;
pub mod highlight;
pub mod parse;
pub mod rank;
mod request;
mod search;
pub mod understand;

pub use highlight::{Highlighted, Highlighter, Span};
pub use parse::{Expr, Filter, ParseError, TextExpr, TextField, parse};
pub use rank::Ranking;
pub use request::{Query, SearchRequest, Sort, UnknownSort};
pub use search::{Explanation, Facets, Hit, Relaxed, SearchResults, Searcher, Understood};
pub use understand::{Condition, ConditionKind, Understanding, understand};

/// What can go wrong searching.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query is malformed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The index could not be read.
    #[error(transparent)]
    Index(#[from] wenku_index::Error),
    /// A hit has no stored document (index written by another tool).
    #[error("a matching document has no stored listing")]
    MissingStoredDocument,
    /// Error from tantivy.
    #[error("search failed")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
