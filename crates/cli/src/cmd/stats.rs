//! `wenku stats`: what the index holds.
//!
//! Everything here goes through the facade's search: counts are searches
//! with `limit 0`, distributions come from facets and filter queries, the
//! date range from `--sort oldest/newest`, duplicate counts from the
//! `dup_count` facet.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use wenku::index::{IndexMeta, META_FILE};
use wenku::{Filter, Query, SearchRequest, Sort, Wenku};

use crate::app;
use crate::cmd::search::search;
use crate::flags::Global;
use crate::json::{Bucket, YearCount, size_filter, year_filter};
use crate::render::{date, thousands};

/// Page-count buckets: (label, fewest pages, most pages).
const PAGE_BUCKETS: [(&str, u64, u64); 5] = [
    ("1–9", 0, 9),
    ("10–49", 10, 49),
    ("50–99", 50, 99),
    ("100–499", 100, 499),
    ("≥500", 500, u64::MAX),
];

/// Flags of `wenku stats`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Print the statistics as one JSON object.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Listings read more than once in the run that indexed them.
#[derive(Debug, Default)]
struct Copies {
    /// Listings with a copy count above 1.
    listings: u64,
    /// Copies collapsed into them (sum of count − 1).
    collapsed: u64,
}

/// `wenku stats --json`.
#[derive(Debug, Serialize)]
pub(crate) struct StatsJson<'a> {
    index: String,
    documents: u64,
    listings_with_copies: u64,
    copies_collapsed: u64,
    size_on_disk_bytes: u64,
    analysis_version: u32,
    user_dict: bool,
    created_by: &'a str,
    /// How listing ids are computed (see docs/reliability.md).
    id_scheme: Option<&'a str>,
    parser_version: Option<u32>,
    fields: Vec<FieldJson<'a>>,
    published: Option<Range>,
    size_buckets: Vec<Bucket<&'a str>>,
    page_buckets: Vec<Bucket<&'a str>>,
    years: Vec<YearCount>,
    /// Listings with price 0.
    free: u64,
}

#[derive(Debug, Serialize)]
struct FieldJson<'a> {
    name: &'a str,
    r#type: &'a str,
    options: &'a [&'static str],
}

#[derive(Debug, Serialize)]
struct Range {
    min: jiff::Timestamp,
    max: jiff::Timestamp,
}

pub(crate) struct Stats {
    documents: u64,
    disk_bytes: u64,
    meta: IndexMeta,
    fields: Vec<(String, &'static str, Vec<&'static str>)>,
    copies: Copies,
    published: Option<(jiff::Timestamp, jiff::Timestamp)>,
    sizes: Vec<(String, u64)>,
    years: Vec<(i32, u64)>,
    pages: Vec<(&'static str, u64)>,
    free: u64,
}

pub(crate) fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let (dir, wenku) = app::open_index(global)?;
    let stats = collect(&dir, &wenku)?;
    if args.json {
        let mut out = app::raw_stdout();
        serde_json::to_writer(&mut out, &stats.json(&dir))?;
        writeln!(out)?;
        out.flush()?;
    } else {
        let mut out = app::styled_stdout();
        stats.write_plain(&mut out, &dir)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The number of listings that pass `filter`.
fn count(wenku: &Wenku, filter: Filter) -> anyhow::Result<u64> {
    let req = SearchRequest::new(Query::all().filter(filter)).limit(0);
    Ok(search(wenku, &req)?.total as u64)
}

fn first_published(wenku: &Wenku, sort: Sort) -> anyhow::Result<Option<jiff::Timestamp>> {
    let req = SearchRequest::new(Query::all()).limit(1).sort(sort).fragment_chars(0);
    Ok(search(wenku, &req)?.hits.first().and_then(|h| h.listing.published))
}

/// Bytes of the files under `dir`.
fn disk_usage(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_usage(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

pub(crate) fn collect(dir: &Path, wenku: &Wenku) -> anyhow::Result<Stats> {
    let meta_path = dir.join(META_FILE);
    let meta: IndexMeta = serde_json::from_slice(
        &std::fs::read(&meta_path)
            .with_context(|| format!("cannot read {}", meta_path.display()))?,
    )
    .with_context(|| format!("invalid index metadata {}", meta_path.display()))?;
    let schema = wenku.index().tantivy().schema();
    let fields = schema
        .fields()
        .map(|(_, e)| {
            let flags =
                [("indexed", e.is_indexed()), ("fast", e.is_fast()), ("stored", e.is_stored())]
                    .into_iter()
                    .filter_map(|(name, on)| on.then_some(name))
                    .collect();
            (e.name().to_string(), e.field_type().value_type().name(), flags)
        })
        .collect();
    let documents = wenku.num_docs();
    let req = SearchRequest::new(Query::all()).limit(0).facets(true);
    let facets = search(wenku, &req)?.facets.unwrap_or_default();
    let published =
        match (first_published(wenku, Sort::Oldest)?, first_published(wenku, Sort::Newest)?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
    let mut pages = Vec::new();
    for (label, lo, hi) in PAGE_BUCKETS {
        pages.push((label, count(wenku, Filter::pages(lo..=hi))?));
    }
    Ok(Stats {
        documents,
        disk_bytes: disk_usage(dir),
        meta,
        fields,
        copies: Copies {
            listings: facets.listings_with_copies,
            collapsed: facets.copies_collapsed,
        },
        published,
        sizes: facets.size,
        years: facets.year,
        pages,
        free: count(wenku, Filter::price(0..=0))?,
    })
}

impl Stats {
    pub(crate) fn json<'a>(&'a self, dir: &Path) -> StatsJson<'a> {
        StatsJson {
            index: dir.display().to_string(),
            documents: self.documents,
            listings_with_copies: self.copies.listings,
            copies_collapsed: self.copies.collapsed,
            size_on_disk_bytes: self.disk_bytes,
            analysis_version: self.meta.analysis_version,
            user_dict: self.meta.user_dict,
            created_by: &self.meta.created_by,
            id_scheme: self.meta.id_scheme.as_deref(),
            parser_version: self.meta.parser_version,
            fields: self
                .fields
                .iter()
                .map(|(name, ty, options)| FieldJson { name, r#type: ty, options })
                .collect(),
            published: self.published.map(|(min, max)| Range { min, max }),
            size_buckets: self
                .sizes
                .iter()
                .map(|(b, n)| Bucket { bucket: b.as_str(), count: *n, filter: size_filter(b) })
                .collect(),
            page_buckets: self
                .pages
                .iter()
                .map(|&(bucket, count)| Bucket { bucket, count, filter: None })
                .collect(),
            years: self
                .years
                .iter()
                .map(|&(year, count)| YearCount { year, count, filter: Some(year_filter(year)) })
                .collect(),
            free: self.free,
        }
    }

    fn write_plain(&self, w: &mut dyn Write, dir: &Path) -> std::io::Result<()> {
        let row =
            |w: &mut dyn Write, label: &str, value: String| writeln!(w, "{label:<13} {value}");
        let counts = |items: &mut dyn Iterator<Item = (String, u64)>| {
            let v: Vec<String> = items.map(|(l, n)| format!("{l} {}", thousands(n))).collect();
            if v.is_empty() { "-".to_string() } else { v.join(" · ") }
        };
        row(w, "index", dir.display().to_string())?;
        let copies = format!(
            "{} seen more than once, {} copies collapsed",
            thousands(self.copies.listings),
            thousands(self.copies.collapsed)
        );
        row(w, "listings", format!("{} ({copies})", thousands(self.documents)))?;
        row(w, "size on disk", format!("{:.2} MB", self.disk_bytes as f64 / 1e6))?;
        row(
            w,
            "analysis",
            format!(
                "version {} · user dictionary: {} · created by {}",
                self.meta.analysis_version,
                if self.meta.user_dict { "yes" } else { "no" },
                self.meta.created_by
            ),
        )?;
        let ids = match (&self.meta.id_scheme, self.meta.parser_version) {
            (Some(scheme), Some(v)) => format!("{scheme} · parser version {v}"),
            _ => "not recorded (an index from before stable ids: re-index)".to_string(),
        };
        row(w, "ids", ids)?;
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|(name, ty, flags)| format!("{name} ({ty}: {})", flags.join(", ")))
            .collect();
        row(w, "fields", fields.join(" · "))?;
        row(
            w,
            "published",
            self.published.map_or("-".into(), |(a, b)| format!("{} … {}", date(a), date(b))),
        )?;
        row(w, "sizes", counts(&mut self.sizes.iter().cloned()))?;
        row(w, "pages", counts(&mut self.pages.iter().map(|(l, n)| (l.to_string(), *n))))?;
        row(w, "years", counts(&mut self.years.iter().map(|(y, n)| (y.to_string(), *n))))?;
        row(
            w,
            "price",
            format!(
                "free {} · paid {}",
                thousands(self.free),
                thousands(self.documents.saturating_sub(self.free))
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    #[test]
    fn json_flag() {
        let Command::Stats(a) = parse(&["stats"]).unwrap().command else { panic!() };
        assert!(!a.json);
        let Command::Stats(a) = parse(&["stats", "--json"]).unwrap().command else { panic!() };
        assert!(a.json);
        assert!(parse(&["stats", "extra"]).is_err());
    }

    #[test]
    fn page_buckets_cover_every_count_once() {
        assert_eq!(PAGE_BUCKETS[0].1, 0);
        assert_eq!(PAGE_BUCKETS[PAGE_BUCKETS.len() - 1].2, u64::MAX);
        for w in PAGE_BUCKETS.windows(2) {
            assert_eq!(w[0].2 + 1, w[1].1, "{w:?}");
        }
    }
}
