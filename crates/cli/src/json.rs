//! The JSON shapes shared by `wenku search --json`, `wenku stats --json` and
//! the HTTP API of `wenku serve`: one definition of a hit and of facets, so
//! that a program reading the CLI's output reads the server's too.

use serde::Serialize;
use wenku::listing::Age;
use wenku::{Explanation, Facets, Hit, SearchResults, Source, Span, Understood};

use crate::render::age_text;

/// One hit as printed by `wenku search --json` (one line each; fields in
/// this order) and as listed in `hits` by `GET /search`.
#[derive(Debug, Serialize)]
pub(crate) struct HitJson<'a> {
    rank: usize,
    id: &'a str,
    score: f64,
    title: &'a str,
    /// Byte and character ranges of `title` to highlight.
    title_spans: &'a [Span],
    snippet: &'a str,
    /// Byte and character ranges of `snippet` to highlight.
    snippet_spans: &'a [Span],
    price: u32,
    pages: u32,
    size_bytes: u64,
    size_text: &'a str,
    published: Option<jiff::Timestamp>,
    age: Age,
    age_text: String,
    dup_count: u32,
    source: &'a Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a Explanation>,
}

impl<'a> HitJson<'a> {
    pub(crate) fn new(rank: usize, hit: &'a Hit) -> Self {
        let l = &hit.listing;
        HitJson {
            rank,
            id: hit.id(),
            score: hit.score,
            title: &hit.title.text,
            title_spans: &hit.title.spans,
            snippet: &hit.snippet.text,
            snippet_spans: &hit.snippet.spans,
            price: l.price,
            pages: l.pages,
            size_bytes: l.size_bytes,
            size_text: &l.size_text,
            published: l.published,
            age: l.age,
            age_text: age_text(l),
            dup_count: hit.dup_count,
            source: &l.source,
            explanation: hit.explanation.as_ref(),
        }
    }

    /// The hits of `results`, ranked from `offset + 1`.
    pub(crate) fn all(results: &'a SearchResults, offset: usize) -> Vec<Self> {
        results.hits.iter().enumerate().map(|(i, hit)| HitJson::new(offset + i + 1, hit)).collect()
    }
}

/// `{"bucket": "<100 KB", "count": 3}`
#[derive(Debug, Serialize)]
pub(crate) struct Bucket<K> {
    pub(crate) bucket: K,
    pub(crate) count: u64,
    /// The query filter that selects this bucket (`size:>=100KB size:<1MB`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) filter: Option<String>,
}

/// `{"year": 2024, "count": 3}`
#[derive(Debug, Serialize)]
pub(crate) struct YearCount {
    pub(crate) year: i32,
    pub(crate) count: u64,
    /// The query filter that selects this year (`published:2024`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) filter: Option<String>,
}

/// The filter of each size bucket label of [`Facets::size`] (buckets are
/// half-open: `[low, high)`).
const SIZE_FILTERS: [(&str, &str); 5] = [
    ("<100 KB", "size:<100KB"),
    ("100 KB–1 MB", "size:>=100KB size:<1MB"),
    ("1–10 MB", "size:>=1MB size:<10MB"),
    ("10–100 MB", "size:>=10MB size:<100MB"),
    ("≥100 MB", "size:>=100MB"),
];

/// The query filter selecting the size bucket `label` (`None` for a label
/// this build does not know).
pub(crate) fn size_filter(label: &str) -> Option<String> {
    SIZE_FILTERS.iter().find(|(l, _)| *l == label).map(|(_, f)| f.to_string())
}

/// The query filter selecting the publication year `year`.
pub(crate) fn year_filter(year: i32) -> String {
    format!("published:{year}")
}

/// Facets as JSON lists of objects, each with the filter that selects it.
#[derive(Debug, Serialize)]
pub(crate) struct FacetsJson<'a> {
    pub(crate) size: Vec<Bucket<&'a str>>,
    pub(crate) year: Vec<YearCount>,
}

impl<'a> FacetsJson<'a> {
    pub(crate) fn new(f: &'a Facets) -> Self {
        FacetsJson {
            size: f
                .size
                .iter()
                .map(|(b, n)| Bucket { bucket: b.as_str(), count: *n, filter: size_filter(b) })
                .collect(),
            year: f
                .year
                .iter()
                .map(|&(year, count)| YearCount { year, count, filter: Some(year_filter(year)) })
                .collect(),
        }
    }
}

/// The last line of `wenku search --json`, after the hits: with `--facets`,
/// or when the query was read as more than its literal words.
#[derive(Debug, Serialize)]
pub(crate) struct SummaryLine<'a> {
    pub(crate) total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) understood: Option<&'a Understood>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) facets: Option<FacetsJson<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_bucket_has_a_filter_that_parses() {
        for (label, filter) in SIZE_FILTERS {
            assert_eq!(size_filter(label).as_deref(), Some(filter));
            wenku::query::parse(filter).unwrap();
        }
        assert_eq!(size_filter("huge"), None);
    }
}
