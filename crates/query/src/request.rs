//! What to search for: a [`Query`] (what a person typed, typed filters,
//! or every listing) in a [`SearchRequest`] (page, order, extras).

use std::ops::{Bound, RangeBounds};

use serde::Serialize;

use crate::parse::{Filter, ParseError};
use crate::understand::{Understanding, understand};

/// What to match: text in the query language, read the way
/// `docs/query-language.md` describes (what a person types), and typed
/// [`Filter`]s that the application adds without writing query syntax.
///
/// ```
/// use wenku_query::{Filter, Query};
///
/// // user text as typed, plus the application's own condition
/// let q = Query::parse("標準庫 bisect")?.filter(Filter::pages(100..));
/// assert_eq!(q.text(), "標準庫 bisect");
/// // a malformed query is an error with the character position
/// assert_eq!(Query::parse("pages:>abc").unwrap_err().position, 8);
/// // every listing, with or without filters
/// let free = Query::all().filter(Filter::price(0..=0));
/// assert_eq!(free.filters().len(), 1);
/// # Ok::<(), wenku_query::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    text: String,
    understanding: Understanding,
    filters: Vec<Filter>,
}

impl Query {
    /// Reads `text` as a person's query: catalog conditions in plain words
    /// (`500页以上`, `最新`), then the query language (AND by default,
    /// `"phrases"`, `-not`, `OR`, `title:`, `pages:>100` …).
    ///
    /// # Errors
    /// A [`ParseError`] with the character position: an empty query, a
    /// malformed filter value, a query beyond the length, nesting or term
    /// limits.
    pub fn parse(text: &str) -> Result<Query, ParseError> {
        Ok(Query { text: text.to_string(), understanding: understand(text)?, filters: Vec::new() })
    }

    /// Every listing (narrowed by the filters added to it).
    pub fn all() -> Query {
        Query {
            text: String::new(),
            understanding: Understanding { expr: None, conditions: Vec::new() },
            filters: Vec::new(),
        }
    }

    /// Also requires `filter` (AND).
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Query {
        self.filters.push(filter);
        self
    }

    /// The text as given to [`Query::parse`] (empty for [`Query::all`]).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How the text was read: its conditions and its query-language part.
    pub fn understanding(&self) -> &Understanding {
        &self.understanding
    }

    /// The filters added with [`Query::filter`].
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }
}

fn bounds<T: Copy, U>(r: &impl RangeBounds<T>, f: impl Fn(T) -> U) -> (Bound<U>, Bound<U>) {
    (r.start_bound().map(|v| f(*v)), r.end_bound().map(|v| f(*v)))
}

impl Filter {
    /// Page count in `range` (`Filter::pages(100..)`: 100 pages or more).
    pub fn pages(range: impl RangeBounds<u64>) -> Filter {
        let (lo, hi) = bounds(&range, |v| v);
        Filter::Pages(lo, hi)
    }

    /// Price (码力) in `range` (`Filter::price(0..=0)`: free).
    pub fn price(range: impl RangeBounds<u64>) -> Filter {
        let (lo, hi) = bounds(&range, |v| v);
        Filter::Price(lo, hi)
    }

    /// File size in bytes in `range` (`Filter::size_bytes(..5 << 20)`:
    /// under 5 MiB, what `size:<5MB` means).
    pub fn size_bytes(range: impl RangeBounds<u64>) -> Filter {
        let (lo, hi) = bounds(&range, |v| v);
        Filter::Size(lo, hi)
    }

    /// Publication time in `range` (the latest instant the listing's age
    /// allows, as `published:` filters).
    pub fn published(range: impl RangeBounds<jiff::Timestamp>) -> Filter {
        let (lo, hi) = bounds(&range, |t: jiff::Timestamp| t.as_second());
        Filter::Published(lo, hi)
    }

    /// Age at the time of the search in `range`
    /// (`Filter::age(..Duration::from_secs(86_400 * 365))`: younger than a
    /// year, what `age:<1y` means).
    pub fn age(range: impl RangeBounds<std::time::Duration>) -> Filter {
        let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let (lo, hi) = bounds(&range, secs);
        Filter::Age(lo, hi)
    }
}

/// What to search for and how to return it.
///
/// ```
/// use wenku_query::{Query, SearchRequest, Sort};
///
/// let request = SearchRequest::new(Query::parse("利用率")?)
///     .sort(Sort::Newest)
///     .limit(20)
///     .now("2026-08-26T08:00:00Z".parse().unwrap());
/// assert_eq!((request.offset, request.limit), (0, 20));
/// # Ok::<(), wenku_query::ParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What to match.
    pub query: Query,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Order.
    pub sort: Sort,
    /// Attach an [`crate::Explanation`] to every hit.
    pub explain: bool,
    /// Compute [`crate::Facets`] over all matches.
    pub facets: bool,
    /// "Now", for `age:` filters and the age factor (default: the current
    /// time).
    pub now: Option<jiff::Timestamp>,
    /// Characters of snippet to show around the first match.
    pub fragment_chars: usize,
}

impl SearchRequest {
    /// A request for the first 10 hits of `query` by relevance.
    pub fn new(query: Query) -> Self {
        SearchRequest {
            query,
            offset: 0,
            limit: 10,
            sort: Sort::Relevance,
            explain: false,
            facets: false,
            now: None,
            fragment_chars: 120,
        }
    }

    /// Skips the first `offset` hits.
    #[must_use]
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Returns at most `limit` hits.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Orders the hits by `sort`.
    #[must_use]
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }

    /// Attaches the score's parts to every hit.
    #[must_use]
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Counts all matches by size bucket and publication year.
    #[must_use]
    pub fn facets(mut self, facets: bool) -> Self {
        self.facets = facets;
        self
    }

    /// Searches as of `now` instead of the current time.
    #[must_use]
    pub fn now(mut self, now: jiff::Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    /// Shows `chars` characters of snippet around the first match.
    #[must_use]
    pub fn fragment_chars(mut self, chars: usize) -> Self {
        self.fragment_chars = chars;
        self
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Blended relevance (BM25 × age × size), see [`Ranking`](crate::Ranking).
    #[default]
    Relevance,
    /// Most recently published first.
    Newest,
    /// Least recently published first.
    Oldest,
    /// Largest file first.
    Largest,
    /// Smallest file first.
    Smallest,
    /// Most pages first.
    Pages,
}

/// A sort name that is not one of [`Sort`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sort '{0}' (relevance, newest, oldest, largest, smallest, pages)")]
pub struct UnknownSort(pub String);

impl std::str::FromStr for Sort {
    type Err = UnknownSort;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownSort> {
        Ok(match s {
            "relevance" => Sort::Relevance,
            "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            "largest" => Sort::Largest,
            "smallest" => Sort::Smallest,
            "pages" => Sort::Pages,
            _ => return Err(UnknownSort(s.to_string())),
        })
    }
}
