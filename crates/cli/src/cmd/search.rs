//! `wenku search`: run a query, print ranked hits.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use wenku::{Query, SearchRequest, SearchResults, Sort, Wenku};

use crate::app::{self, BadQuery};
use crate::flags::{Global, SORTS, parse_sort, parse_time};
use crate::json::{FacetsJson, HitJson, SummaryLine};
use crate::render;

/// Flags of `wenku search`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = "\
Query language (see docs/query-language.md): words are ANDed (`利用率 GPU`),
Chinese typed without spaces is cut into words (`子集还原数组`), question and
filler words are optional (`如何`, `的`), pinyin and same-reading typos are
tried when few listings match, catalog conditions are read from plain words
(`500页以上`, `20KB以上`, `2025年`, `最新`, `免费`). Explicit syntax:
\"quoted phrases\", -exclusion, OR, (grouping), title:/snippet: restrictions,
and filters pages:>100, price:0, size:<5MB, age:<1y, published:2024..2025.

Output: `N matches`, then per hit its rank and title, a line
`pages 页 · size · date · price · file:line`, and the snippet, with matches
highlighted on a terminal.

With --json: one JSON object per hit per line, with the fields
rank, id, score, title, title_spans, snippet, snippet_spans, price, pages,
size_bytes, size_text, published, age, age_text, dup_count,
source {file, line} and, with --explain, explanation. Spans are
{start, end, char_start, char_end}: byte and character offsets into the
title/snippet string of the same object. With --json --facets, a last line
{\"total\": N, \"facets\": {\"size\": [...], \"year\": [...]}} follows the hits; it
also follows them, with an \"understood\" object, when the query was read as
more than its words (conditions such as 500页以上 or 最新, pinyin readings,
relaxed words; see docs/query-language.md).

Exit status: 0 when the query matched, 1 when it did not, 2 on error.")]
pub(crate) struct Args {
    /// The query; several words are joined with spaces into one query. A word
    /// starting with `-` (an exclusion) goes inside a quoted query or after
    /// `--`: wenku search '利用率 -GPU', wenku search -- 利用率 -GPU.
    #[arg(required = true, value_name = "QUERY")]
    pub(crate) query: Vec<String>,

    /// Hits to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// Hits to skip (for paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) offset: usize,

    /// Result order.
    #[arg(long, default_value = "relevance", value_name = "ORDER",
          value_parser = PossibleValuesParser::new(SORTS).try_map(|s| parse_sort(&s)))]
    pub(crate) sort: Sort,

    /// Show each hit's score and its parts (BM25 per field, age and size factors).
    #[arg(long)]
    pub(crate) explain: bool,

    /// Count all matches by size bucket and by year.
    #[arg(long)]
    pub(crate) facets: bool,

    /// One JSON object per hit per line (see below).
    #[arg(long)]
    pub(crate) json: bool,

    /// "Now" for age: filters and the age factor (YYYY-MM-DD or RFC 3339;
    /// default: the current time), for reproducible results.
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) now: Option<jiff::Timestamp>,
}

impl Args {
    /// The facade request; `docs` (the index size) bounds offset and limit.
    ///
    /// # Errors
    /// A malformed query, as a [`BadQuery`].
    pub(crate) fn request(&self, docs: u64) -> anyhow::Result<SearchRequest> {
        let docs = usize::try_from(docs).unwrap_or(usize::MAX);
        let mut req = SearchRequest::new(parse_query(&self.query.join(" "))?)
            .offset(self.offset.min(docs))
            .limit(self.limit.min(docs))
            .sort(self.sort)
            .explain(self.explain)
            .facets(self.facets);
        req.now = self.now;
        Ok(req)
    }
}

pub(crate) fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let (_, wenku) = app::open_index(global)?;
    let req = args.request(wenku.num_docs())?;
    let results = search(&wenku, &req)?;
    if args.json {
        let mut out = app::raw_stdout();
        write_json(&mut out, &results, req.offset, args.facets)?;
        out.flush()?;
    } else {
        let mut out = app::styled_stdout();
        render::write_hits_plain(&mut out, &results, req.offset, args.explain)?;
        if let Some(f) = &results.facets {
            writeln!(out)?;
            render::write_facets_plain(&mut out, f)?;
        }
        out.flush()?;
    }
    Ok(if results.total > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Reads `text` as a query, a malformed one as a [`BadQuery`] (shown with
/// a pointer under the faulty character).
pub(crate) fn parse_query(text: &str) -> anyhow::Result<Query> {
    Query::parse(text).map_err(|error| BadQuery { query: text.to_string(), error }.into())
}

/// Runs `req`.
pub(crate) fn search(wenku: &Wenku, req: &SearchRequest) -> anyhow::Result<SearchResults> {
    wenku.search(req).context("search failed")
}

fn write_json(
    out: &mut dyn Write,
    results: &SearchResults,
    offset: usize,
    facets: bool,
) -> anyhow::Result<()> {
    for hit in HitJson::all(results, offset) {
        serde_json::to_writer(&mut *out, &hit)?;
        out.write_all(b"\n")?;
    }
    let u = &results.understood;
    let understood = !u.is_literal() && (!results.hits.is_empty() || u.emptied_by.is_some());
    if facets || understood {
        let line = SummaryLine {
            total: results.total,
            understood: understood.then_some(u),
            facets: results.facets.as_ref().filter(|_| facets).map(FacetsJson::new),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    fn args(argv: &[&str]) -> Args {
        match parse(&[&["search"], argv].concat()).unwrap().command {
            Command::Search(a) => a,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn query_words_are_joined() {
        let a = args(&["標準庫", "bisect"]);
        assert_eq!(a.request(100).unwrap().query.text(), "標準庫 bisect");
        // one argument with spaces (how score.py passes it) is the same query
        assert_eq!(args(&["標準庫 bisect"]).request(100).unwrap().query.text(), "標準庫 bisect");
    }

    #[test]
    fn query_is_required() {
        assert!(parse(&["search"]).is_err());
        assert!(parse(&["search", "--json"]).is_err());
    }

    #[test]
    fn flags_go_anywhere_and_exclusions_need_quotes_or_dashes() {
        let a = args(&["利用率", "--json", "GPU"]);
        assert_eq!(a.query, ["利用率", "GPU"]);
        assert!(a.json);
        assert_eq!(args(&["利用率 -GPU"]).request(1).unwrap().query.text(), "利用率 -GPU");
        let a = args(&["--json", "--", "利用率", "-GPU"]);
        assert_eq!(a.query, ["利用率", "-GPU"]);
        assert!(a.json);
        let err = parse(&["search", "利用率", "-GPU"]).unwrap_err().to_string();
        assert!(err.contains("'-- -G'"), "{err}");
    }

    #[test]
    fn limit_and_offset() {
        let a = args(&["q"]);
        assert_eq!((a.limit, a.offset), (10, 0));
        let a = args(&["--limit", "3", "--offset", "20", "q"]);
        assert_eq!((a.limit, a.offset), (3, 20));
        assert_eq!(args(&["q", "-n", "5"]).limit, 5);
        assert!(parse(&["search", "--limit", "-1", "q"]).is_err());
        // bounded by the index size, so that offset + limit cannot overflow
        let a = args(&["--limit", "18446744073709551615", "--offset", "18446744073709551615", "q"]);
        let req = a.request(42).unwrap();
        assert_eq!((req.limit, req.offset), (42, 42));
    }

    #[test]
    fn sort_flag() {
        assert_eq!(args(&["q"]).sort, Sort::Relevance);
        assert_eq!(args(&["--sort", "newest", "q"]).sort, Sort::Newest);
        assert_eq!(args(&["--sort=pages", "q"]).request(1).unwrap().sort, Sort::Pages);
        let err = parse(&["search", "--sort", "random", "q"]).unwrap_err().to_string();
        assert!(err.contains("relevance"), "{err}");
    }

    #[test]
    fn switches() {
        let a = args(&["q"]);
        assert!(!a.explain && !a.facets && !a.json);
        let a = args(&["--explain", "--facets", "--json", "q"]);
        assert!(a.explain && a.facets && a.json);
        let req = a.request(1).unwrap();
        assert!(req.explain && req.facets);
    }

    #[test]
    fn now_flag() {
        assert_eq!(args(&["q"]).request(1).unwrap().now, None);
        let a = args(&["--now", "2026-08-26T08:00:00Z", "q"]);
        let now = jiff::Timestamp::from_second(1_787_731_200).unwrap();
        assert_eq!(a.request(1).unwrap().now, Some(now));
        assert!(parse(&["search", "--now", "soon", "q"]).is_err());
    }
}
