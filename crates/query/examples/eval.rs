//! Known-item evaluation of ranking on the dev corpus, in process.
//!
//! Builds an in-RAM index of `../shared/corpus/dev/pages`, runs the queries
//! of a JSON Lines file (default: the corpus's `queries.jsonl`; records with
//! `query`, `expected` = `page_file:line`, optional `kind`) under plain BM25
//! and under the default blended ranking, and prints MRR@10 and S@1/S@10
//! per kind for both. A hit counts when its listing has the same `doc` as
//! the expected line in `truth.jsonl` (duplicates count, other releases do
//! not), as in the corpus's `score.py`.
//!
//! `cargo run --release -p wenku-query --example eval [-- QUERIES.jsonl]`

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use wenku_index::{ListingIndex, WriterOptions};
use wenku_listing::{CatalogReader, Item, ParseOptions};
use wenku_query::{Query, Ranking, SearchRequest, Searcher};

const NOW: i64 = 1_787_731_200; // the corpus's capture time, 2026-08-26T08:00Z

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev");
    let queries = std::env::args().nth(1).map_or(corpus.join("queries.jsonl"), PathBuf::from);
    // page_file:line → doc
    let mut doc_of: HashMap<String, u64> = HashMap::new();
    for line in std::fs::read_to_string(corpus.join("truth.jsonl"))?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let key = format!("{}:{}", v["page_file"].as_str().unwrap(), v["line"]);
        doc_of.insert(key, v["doc"].as_u64().unwrap());
    }
    let index = ListingIndex::create_in_ram(Default::default())?;
    let mut w = index.writer(&WriterOptions::default())?;
    let opts = ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse()?), ..Default::default() };
    for item in CatalogReader::open(&[corpus.join("pages")], opts)? {
        if let Ok(Item::Listing(l)) = item {
            w.add(&l)?;
        }
    }
    w.commit()?;
    let qs: Vec<serde_json::Value> = std::fs::read_to_string(&queries)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    println!("{} queries from {}", qs.len(), queries.display());
    println!("| ranking | kind | n | MRR@10 | S@1 | S@10 |\n| --- | --- | --- | --- | --- | --- |");
    for (name, ranking) in [("bm25", Ranking::bm25_only()), ("blended", Ranking::default())] {
        let s = Searcher::new(index.clone())?.with_ranking(ranking);
        s.reload()?;
        let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for q in &qs {
            let want = doc_of[q["expected"].as_str().unwrap()];
            let query = Query::parse(q["query"].as_str().unwrap_or_default())?;
            let req = SearchRequest::new(query).now(jiff::Timestamp::from_second(NOW)?);
            let r = s.search(&req)?;
            let rank = r.hits.iter().position(|h| {
                let src = &h.listing.source;
                let file = Path::new(&src.file).file_name().unwrap().to_string_lossy();
                doc_of.get(&format!("pages/{file}:{}", src.line)) == Some(&want)
            });
            let rr = rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
            if std::env::var_os("EVAL_SHOW").is_some() && rank != Some(0) {
                let top: Vec<&str> =
                    r.hits.iter().take(3).map(|h| h.listing.title.as_str()).collect();
                println!(
                    "  {name} {:?} rank {:?} want {:?} ({}) got {top:?}",
                    q["query"], rank, q["expected_title"], q["kind"]
                );
            }
            let kind = q["kind"].as_str().unwrap_or("all").to_string();
            by_kind.entry(kind).or_default().push(rr);
            by_kind.entry("ALL".into()).or_default().push(rr);
        }
        for (kind, rrs) in &by_kind {
            let n = rrs.len() as f64;
            let mrr = rrs.iter().sum::<f64>() / n;
            let s1 = rrs.iter().filter(|&&r| r == 1.0).count() as f64 / n;
            let s10 = rrs.iter().filter(|&&r| r > 0.0).count() as f64 / n;
            println!("| {name} | {kind} | {} | {mrr:.3} | {s1:.3} | {s10:.3} |", rrs.len());
        }
    }
    Ok(())
}
