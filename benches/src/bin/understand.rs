//! Warm latency of queries as people type them, by the path the search
//! took: as typed only, with pinyin readings, relaxed, with conditions.
//!
//! ```text
//! understand --index DIR --queries ../shared/corpus/dev/queries-hard.jsonl [--reps 5]
//! ```
//!
//! Every query runs once to warm up, then `reps` times; the table gives
//! p50 / p99 per query kind and per path (`docs/benchmarks.md`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use wenku::{Query, SearchRequest, Wenku};

#[derive(Parser)]
struct Args {
    /// Index to search.
    #[arg(long)]
    index: PathBuf,
    /// JSON Lines with `query` and `kind` (the dev corpus's query files).
    #[arg(long)]
    queries: PathBuf,
    /// Timed repetitions per query.
    #[arg(long, default_value_t = 5)]
    reps: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let wenku = Wenku::open(&args.index).context("opening the index")?;
    let text = std::fs::read_to_string(&args.queries).context("reading the queries")?;
    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut by_path: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let query = v["query"].as_str().context("query")?;
        let kind = v["kind"].as_str().unwrap_or("-").to_string();
        let req = SearchRequest::new(Query::parse(query)?);
        let r = wenku.search(&req)?;
        let u = &r.understood;
        let path = if u.relaxed.is_some() {
            "relaxed"
        } else if !u.by_reading.is_empty() {
            "readings"
        } else if u.emptied_by.is_some() {
            "emptied by a condition"
        } else if !u.conditions.is_empty() {
            "conditions"
        } else {
            "as typed"
        };
        for _ in 0..args.reps {
            let t = Instant::now();
            wenku.search(&req)?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            by_kind.entry(kind.clone()).or_default().push(ms);
            by_path.entry(path).or_default().push(ms);
        }
    }
    println!("| kind or path | queries × reps | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |");
    let row = |name: &str, v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        println!("| {name} | {} | {:.3} | {:.3} |", v.len(), p(0.5), p(0.99));
    };
    let mut all: Vec<f64> = by_kind.values().flatten().copied().collect();
    row("all", &mut all);
    for (k, v) in &mut by_kind {
        row(k, v);
    }
    for (k, v) in &mut by_path {
        row(&format!("path: {k}"), v);
    }
    Ok(())
}
