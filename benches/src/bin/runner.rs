//! End-to-end benchmark: wenku against the tantivy + tantivy-jieba baseline
//! on the same generated catalogs, one markdown table.
//!
//! ```text
//! cargo build --release -p wenku-cli -p wenku-benches      # the cold search runs target/release/wenku
//! cargo run --release -p wenku-benches --bin runner -- [--sizes 10000,100000,1000000] [--smoke]
//! ```
//!
//! For every size N: generate the catalog (`wenku_benches::generate`,
//! reused if already generated), time parsing it on one thread, build the
//! wenku index and the baseline index at 1 and 2 writer threads, each in a
//! child process that reports its peak RSS (`VmHWM`), measure the index
//! size, run the fixed 200-query mix (`wenku_benches::queries`) warm on the
//! 2-thread indexes (wenku with blended ranking and with plain BM25, the
//! baseline with `QueryParser` + BM25), and on the largest N time
//! `wenku search` (and the baseline's equivalent) as new processes.
//! `--smoke` is N = 2000 with few repetitions: a CI check that it all runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use wenku::{IndexOptions, Query, Ranking, SearchRequest, Wenku, WriterOptions};
use wenku_benches::baseline::Baseline;
use wenku_benches::corpus::{default_corpus_dir, load_truth};
use wenku_benches::fixtures::{AS_OF, parse_options};
use wenku_benches::generate::{GenOptions, write_catalog};
use wenku_benches::queries::{BenchQuery, query_mix};
use wenku_listing::{CatalogReader, Item};

/// Benchmark wenku against tantivy + tantivy-jieba.
#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Catalog sizes (listings), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<u64>,
    /// Quick run for CI: N = 2000, one query repetition, three cold runs.
    #[arg(long)]
    smoke: bool,
    /// Writer thread counts to measure, comma-separated; queries run on the
    /// index built with the last.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    threads: Vec<usize>,
    /// wenku's parse threads (`ParseOptions::threads`); 0: the indexer's
    /// default (the available cores, at most 8). The baseline parses on
    /// its calling thread.
    #[arg(long, default_value_t = 0)]
    parse_threads: usize,
    /// Writer memory budget in MiB (wenku's default is 256).
    #[arg(long, default_value_t = 256)]
    heap_mib: usize,
    /// Working directory for catalogs and indexes (default: a directory
    /// under the system's temporary directory).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Generator seed.
    #[arg(long, default_value_t = GenOptions::default().seed)]
    seed: u64,
    /// Corpus directory holding truth.jsonl.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Timed passes over the query mix (after one warm-up pass).
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Cold `wenku search` processes to time (median reported).
    #[arg(long, default_value_t = 11)]
    cold_runs: usize,
    /// The `wenku` binary (default: next to this runner, i.e. the same
    /// target directory's release build).
    #[arg(long)]
    wenku_bin: Option<PathBuf>,
    /// Keep the indexes after the run.
    #[arg(long)]
    keep: bool,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// (internal) Build one index in this process and print a JSON report.
    #[command(hide = true)]
    Build {
        #[arg(long)]
        engine: String,
        #[arg(long)]
        threads: usize,
        #[arg(long)]
        heap_mib: usize,
        #[arg(long, default_value_t = 0)]
        parse_threads: usize,
        #[arg(long)]
        catalog: PathBuf,
        #[arg(long)]
        index: PathBuf,
    },
    /// Runs the query mix on an existing index and prints latency by query
    /// kind (for profiling one engine, e.g. under `perf record`).
    Queries {
        /// `wenku` (blended), `wenku-bm25` or `baseline`.
        #[arg(long)]
        engine: String,
        #[arg(long)]
        index: PathBuf,
        #[arg(long, default_value_t = 5)]
        reps: usize,
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Only the queries of this kind (`zh1`, `zh2`, `zh3`, `mixed`,
        /// `phrase`, `filtered`), e.g. to profile one kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only the queries whose wenku text is this (e.g. `互不`), to
        /// profile one query.
        #[arg(long)]
        query: Option<String>,
        /// Also write each query's fastest time over the reps to this file
        /// (tab-separated: position in the mix, kind, ms, query), to compare
        /// two builds or engines query by query.
        #[arg(long)]
        per_query: Option<PathBuf>,
    },
    /// (internal) One baseline search in a new process (cold).
    #[command(hide = true)]
    BaselineSearch {
        #[arg(long)]
        index: PathBuf,
        query: String,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match &args.cmd {
        Some(Cmd::Build { engine, threads, heap_mib, parse_threads, catalog, index }) => {
            let report = build(engine, *threads, *heap_mib, *parse_threads, catalog, index)?;
            println!("{report}");
            Ok(())
        }
        Some(Cmd::BaselineSearch { index, query }) => {
            let b = Baseline::open(index)?;
            let (count, hits) = b.searcher()?.search(query, 10)?;
            println!("{count} matches");
            for h in hits {
                println!("{:.3} {}", h.score, h.title);
            }
            Ok(())
        }
        Some(Cmd::Queries { engine, index, reps, corpus, kind, query, per_query }) => {
            let corpus = corpus.clone().unwrap_or_else(default_corpus_dir);
            let mut queries = mix(&corpus)?;
            if let Some(k) = kind {
                queries.retain(|q| q.kind == k);
                anyhow::ensure!(!queries.is_empty(), "no query of kind {k}");
            }
            if let Some(text) = query {
                queries.retain(|q| q.wenku == *text);
                anyhow::ensure!(!queries.is_empty(), "no query {text:?} in the mix");
            }
            let l = match engine.as_str() {
                "wenku" | "wenku-bm25" => {
                    let mut w = Wenku::open(index)?;
                    if engine == "wenku-bm25" {
                        w = w.with_ranking(Ranking::bm25_only());
                    }
                    latency(&queries, *reps, |q| wenku_search(&w, q))
                }
                "baseline" => {
                    let b = Baseline::open(index)?.searcher()?;
                    latency(&queries, *reps, |q| Ok(b.search(&q.baseline, 10)?.1.len()))
                }
                other => bail!("unknown engine {other}"),
            };
            if let Some(path) = per_query {
                let mut out = String::new();
                for (i, (q, ms)) in queries.iter().zip(&l.fastest_ms).enumerate() {
                    let _ = writeln!(out, "{i}\t{}\t{ms:.4}\t{}", q.kind, q.wenku);
                }
                std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))?;
            }
            println!("| kind | p50 ms | p99 ms |\n| --- | ---: | ---: |");
            for (kind, p50, p99) in &l.by_kind {
                println!("| {kind} | {p50:.3} | {p99:.3} |");
            }
            println!("| all | {:.3} | {:.3} |", l.p50_ms, l.p99_ms);
            println!("no hit: {}, errors: {}", l.zero, l.errors);
            Ok(())
        }
        None => run(args),
    }
}

/// The fixed 200-query mix.
fn mix(corpus: &Path) -> anyhow::Result<Vec<BenchQuery>> {
    let seeds = load_truth(corpus)?;
    Ok(query_mix(&seeds, &jieba_rs::Jieba::new(), 200, 0x0051_EE75))
}

/// A results page from wenku (top 10, highlighted), "now" fixed at the
/// catalogs' capture time.
fn wenku_search(w: &Wenku, q: &BenchQuery) -> anyhow::Result<usize> {
    let mut req = SearchRequest::new(Query::parse(&q.wenku)?);
    req.now = parse_options().as_of;
    Ok(w.search(&req)?.hits.len())
}

// ---------------------------------------------------------------- child ---

/// Peak resident set size of this process, in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds of the calling thread so far (`/proc/thread-self/schedstat`,
/// nanoseconds on a CPU).
fn thread_cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// The 1, 5 and 15 minute load averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// User + system CPU seconds of this process (all threads).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line, in clock ticks (100 Hz on Linux)
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn build(
    engine: &str,
    threads: usize,
    heap_mib: usize,
    parse_threads: usize,
    catalog: &Path,
    index: &Path,
) -> anyhow::Result<Value> {
    let started = Instant::now();
    let heap = heap_mib << 20;
    let (listings, docs, malformed, text_bytes) = match engine {
        "wenku" => {
            let w = Wenku::open_or_create(index)?;
            let opts = IndexOptions {
                writer: WriterOptions { threads, heap_bytes: heap, ..Default::default() },
                parse: wenku::listing::ParseOptions { threads: parse_threads, ..parse_options() },
                keep_errors: Some(0),
            };
            let mut ix = w.indexer(&opts)?;
            ix.add_paths([catalog])?;
            let r = ix.commit()?;
            (r.listings_read, r.indexed, r.malformed, r.text_bytes)
        }
        "baseline" => {
            std::fs::create_dir_all(index)?;
            let b = Baseline::create_in_dir(index)?;
            let mut w = b.writer(threads, heap)?;
            let (mut n, mut bad) = (0u64, 0u64);
            for item in CatalogReader::open(&[catalog], parse_options())? {
                match item {
                    Ok(Item::Listing(l)) => {
                        w.add(&l)?;
                        n += 1;
                    }
                    Ok(Item::Footer(_)) => {}
                    Err(_) => bad += 1,
                }
            }
            let text = w.commit()?;
            (n, n, bad, text)
        }
        // the same listings as clean lines (`clean_lines`): no parsing
        "baseline-clean" => {
            use std::io::BufRead as _;
            std::fs::create_dir_all(index)?;
            let b = Baseline::create_in_dir(index)?;
            let mut w = b.writer(threads, heap)?;
            let mut n = 0u64;
            for line in std::io::BufReader::new(std::fs::File::open(catalog)?).lines() {
                let line = line?;
                let f: Vec<&str> = line.split('\t').collect();
                let [title, snippet, price, pages, size, published] = f[..] else {
                    bail!("not a clean line: {line:?}");
                };
                let num = |s: &str| s.parse::<u64>().context("a number field");
                let published = published.parse::<i64>().ok();
                w.add_fields(title, snippet, [num(price)?, num(pages)?, num(size)?], published)?;
                n += 1;
            }
            let text = w.commit()?;
            (n, n, 0, text)
        }
        other => bail!("unknown engine {other}"),
    };
    Ok(json!({
        "engine": engine,
        "threads": threads,
        "listings": listings,
        "docs": docs,
        "malformed": malformed,
        "text_bytes": text_bytes,
        "secs": started.elapsed().as_secs_f64(),
        "cpu_secs": cpu_secs(),
        "peak_rss_kib": peak_rss_kib(),
    }))
}

// --------------------------------------------------------------- parent ---

#[derive(Debug, Clone, Default)]
struct BuildResult {
    listings: u64,
    docs: u64,
    malformed: u64,
    text_bytes: u64,
    secs: f64,
    cpu_secs: f64,
    peak_rss_kib: u64,
    index_bytes: u64,
}

#[derive(Debug, Clone, Default)]
struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    zero: usize,
    errors: usize,
    /// (kind, p50 ms, p99 ms) in the order of the mix.
    by_kind: Vec<(&'static str, f64, f64)>,
    /// Each query's fastest time over the reps, in the order of the mix.
    fastest_ms: Vec<f64>,
}

#[derive(Debug, Default)]
struct SizeResult {
    n: u64,
    input_bytes: u64,
    gen_secs: Option<f64>,
    parse_secs: f64,
    /// CPU time of the parsing thread (less distorted by a busy machine).
    parse_cpu_secs: f64,
    parsed: u64,
    parse_errors: u64,
    /// (engine, threads) → build
    builds: Vec<(&'static str, usize, BuildResult)>,
    wenku_blended: Latency,
    wenku_bm25: Latency,
    baseline: Latency,
    cold_wenku_ms: Option<(f64, f64, f64)>,
    cold_baseline_ms: Option<(f64, f64, f64)>,
}

impl SizeResult {
    fn build(&self, engine: &str, threads: usize) -> Option<&BuildResult> {
        self.builds.iter().find(|b| b.0 == engine && b.1 == threads).map(|b| &b.2)
    }
}

fn dir_bytes(p: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(p) else { return 0 };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(p).map_or(0, |rd| rd.flatten().map(|e| dir_bytes(&e.path())).sum())
}

fn run(mut args: Args) -> anyhow::Result<()> {
    if args.smoke {
        args.sizes = vec![2000];
        args.reps = 1;
        args.cold_runs = 3;
    }
    if args.sizes.is_empty() || args.threads.is_empty() {
        bail!("--sizes and --threads need at least one value");
    }
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let work = args.work.clone().unwrap_or_else(|| std::env::temp_dir().join("wenku-runner"));
    std::fs::create_dir_all(&work)?;
    let corpus = args.corpus.clone().unwrap_or_else(default_corpus_dir);
    let seeds = load_truth(&corpus)?;
    let queries = mix(&corpus)?;
    let me = std::env::current_exe()?;
    let wenku_bin = args.wenku_bin.clone().unwrap_or_else(|| me.with_file_name("wenku"));
    let largest = *args.sizes.iter().max().expect("non-empty");
    let load_before = loadavg();
    let mut results = Vec::new();
    for &n in &args.sizes {
        eprintln!("runner: N = {n}");
        let r = run_size(&args, &work, &seeds, &queries, &me, &wenku_bin, n, n == largest)?;
        results.push(r);
    }
    let table = table(&results, &args);
    println!("{table}");
    if let Some(r) = results.iter().max_by_key(|r| r.n) {
        println!("\nWarm latency by query kind at {} listings, p50 / p99 ms:\n", human(r.n));
        println!("| kind | wenku blended | wenku BM25 | baseline |\n| --- | ---: | ---: | ---: |");
        for (i, (kind, p50, p99)) in r.wenku_blended.by_kind.iter().enumerate() {
            let other = |l: &Latency| {
                l.by_kind.get(i).map_or("–".into(), |k| format!("{:.3} / {:.3}", k.1, k.2))
            };
            println!(
                "| {kind} | {p50:.3} / {p99:.3} | {} | {} |",
                other(&r.wenku_bm25),
                other(&r.baseline)
            );
        }
    }
    println!(
        "\nCommand: `{command_line}`; query mix: {} queries, {} timed passes after one \
         warm-up; load average (1/5/15 min) {load_before} at the start, {} at the end.",
        queries.len(),
        args.reps,
        loadavg()
    );
    if !args.keep {
        let _ = std::fs::remove_dir_all(work.join("indexes"));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run_size(
    args: &Args,
    work: &Path,
    seeds: &[wenku_benches::corpus::SeedListing],
    queries: &[BenchQuery],
    me: &Path,
    wenku_bin: &Path,
    n: u64,
    largest: bool,
) -> anyhow::Result<SizeResult> {
    let mut r = SizeResult { n, ..Default::default() };
    // 1. the catalog (reused when a complete one is there)
    let catalog = work.join(format!("catalogs/gen-{n}-{:x}", args.seed));
    let done = catalog.with_extension("complete");
    if !done.exists() {
        if catalog.exists() {
            std::fs::remove_dir_all(&catalog)?;
        }
        let opts = GenOptions { listings: n, seed: args.seed, ..GenOptions::default() };
        let stats = write_catalog(seeds, &opts, &catalog)?;
        eprintln!("  {stats}");
        r.gen_secs = Some(stats.elapsed.as_secs_f64());
        std::fs::write(&done, stats.to_string())?;
    }
    r.input_bytes = dir_bytes(&catalog);

    // 2. parsing, one thread, files in the page cache (read once before)
    let _ = dir_bytes(&catalog);
    for f in std::fs::read_dir(&catalog)? {
        let _ = std::fs::read(f?.path())?;
    }
    let t = Instant::now();
    let cpu0 = thread_cpu_secs();
    for item in CatalogReader::open(&[&catalog], parse_options())? {
        match item {
            Ok(Item::Listing(l)) => {
                r.parsed += 1;
                std::hint::black_box(&l);
            }
            Ok(Item::Footer(_)) => {}
            Err(_) => r.parse_errors += 1,
        }
    }
    r.parse_secs = t.elapsed().as_secs_f64();
    r.parse_cpu_secs = thread_cpu_secs() - cpu0;
    eprintln!(
        "  parse: {} listings, {} errors, {:.1} MB/s ({:.1} MB per CPU second)",
        r.parsed,
        r.parse_errors,
        mb(r.input_bytes) / r.parse_secs,
        mb(r.input_bytes) / r.parse_cpu_secs
    );

    // the same listings as clean lines for the baseline-clean build (not
    // timed)
    let clean = catalog.with_extension("clean.tsv");
    clean_lines(&catalog, &clean)?;

    // 3. index builds, each in a child process
    let indexes = work.join("indexes");
    let query_threads = *args.threads.last().expect("non-empty");
    for engine in ["wenku", "baseline", "baseline-clean"] {
        for &threads in &args.threads {
            let dir = indexes.join(format!("{engine}-{n}-t{threads}"));
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            let out = Command::new(me)
                .args(["build", "--engine", engine])
                .arg("--threads")
                .arg(threads.to_string())
                .arg("--heap-mib")
                .arg(args.heap_mib.to_string())
                .arg("--parse-threads")
                .arg(args.parse_threads.to_string())
                .arg("--catalog")
                .arg(if engine == "baseline-clean" { &clean } else { &catalog })
                .arg("--index")
                .arg(&dir)
                .stderr(Stdio::inherit())
                .output()
                .context("running the build child")?;
            if !out.status.success() {
                bail!("building the {engine} index ({threads} threads) failed");
            }
            let v: Value = serde_json::from_slice(&out.stdout).context("child report")?;
            let u = |k: &str| v[k].as_u64().unwrap_or(0);
            let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
            let b = BuildResult {
                listings: u("listings"),
                docs: u("docs"),
                malformed: u("malformed"),
                text_bytes: u("text_bytes"),
                secs: f("secs"),
                cpu_secs: f("cpu_secs"),
                peak_rss_kib: u("peak_rss_kib"),
                index_bytes: dir_bytes(&dir),
            };
            eprintln!(
                "  build {engine} t{threads}: {:.1} s, {:.1} MB/s, {} docs, {} malformed, RSS {:.0} MB, {:.0} MB on disk",
                b.secs,
                mb(r.input_bytes) / b.secs,
                b.docs,
                b.malformed,
                b.peak_rss_kib as f64 / 1024.0,
                mb(b.index_bytes)
            );
            r.builds.push((engine, threads, b));
            if (threads != query_threads || engine == "baseline-clean") && !args.keep {
                std::fs::remove_dir_all(&dir)?;
            }
        }
    }

    // 4. warm queries
    let wdir = indexes.join(format!("wenku-{n}-t{query_threads}"));
    let bdir = indexes.join(format!("baseline-{n}-t{query_threads}"));
    {
        let blended = Wenku::open(&wdir)?;
        let bm25 = Wenku::open(&wdir)?.with_ranking(Ranking::bm25_only());
        r.wenku_blended = latency(queries, args.reps, |q| wenku_search(&blended, q));
        r.wenku_bm25 = latency(queries, args.reps, |q| wenku_search(&bm25, q));
        let b = Baseline::open(&bdir)?.searcher()?;
        r.baseline = latency(queries, args.reps, |q| Ok(b.search(&q.baseline, 10)?.1.len()));
    }
    eprintln!(
        "  warm p50/p99 ms: wenku blended {:.3}/{:.3}, bm25 {:.3}/{:.3}, baseline {:.3}/{:.3}",
        r.wenku_blended.p50_ms,
        r.wenku_blended.p99_ms,
        r.wenku_bm25.p50_ms,
        r.wenku_bm25.p99_ms,
        r.baseline.p50_ms,
        r.baseline.p99_ms
    );

    // 5. cold searches: new processes, on the largest catalog
    if largest {
        let cold_queries: Vec<&BenchQuery> =
            queries.iter().filter(|q| q.kind == "zh2").take(args.cold_runs).collect();
        if wenku_bin.exists() {
            r.cold_wenku_ms = Some(cold(&cold_queries, |q| {
                let mut c = Command::new(wenku_bin);
                c.arg("--index").arg(&wdir).args(["search", "--json", "--now", AS_OF, "--"]);
                c.arg(&q.wenku);
                c
            })?);
        } else {
            eprintln!(
                "  cold: {} not found; build it with `cargo build --release -p wenku-cli` \
                 (same CARGO_TARGET_DIR) or pass --wenku-bin",
                wenku_bin.display()
            );
        }
        r.cold_baseline_ms = Some(cold(&cold_queries, |q| {
            let mut c = Command::new(me);
            c.arg("baseline-search").arg("--index").arg(&bdir).arg(&q.baseline);
            c
        })?);
    }
    Ok(r)
}

/// Writes the listings of `catalog` as clean lines for the baseline-clean
/// build: title, snippet, price, pages, size in bytes and publication
/// time (seconds, empty when unknown), tab-separated, one listing a line
/// (tabs and line breaks inside title and snippet become spaces).
fn clean_lines(catalog: &Path, out: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    let flat = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    for item in CatalogReader::open(&[catalog], parse_options())? {
        if let Ok(Item::Listing(l)) = item {
            let published = l.published.map(|t| t.as_second().to_string()).unwrap_or_default();
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}\t{published}",
                flat(&l.title),
                flat(&l.snippet),
                l.price,
                l.pages,
                l.size_bytes
            )?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Runs the mix once to warm up, then `reps` times; per-query latencies.
fn latency(
    queries: &[BenchQuery],
    reps: usize,
    mut search: impl FnMut(&BenchQuery) -> anyhow::Result<usize>,
) -> Latency {
    let mut out = Latency::default();
    for q in queries {
        match search(q) {
            Ok(0) => out.zero += 1,
            Ok(_) => {}
            Err(_) => out.errors += 1,
        }
    }
    let mut times = Vec::with_capacity(queries.len() * reps);
    for _ in 0..reps.max(1) {
        for q in queries {
            let t = Instant::now();
            let _ = std::hint::black_box(search(q));
            times.push((q.kind, t.elapsed()));
        }
    }
    for (kind, _) in &times {
        if !out.by_kind.iter().any(|k| k.0 == *kind) {
            out.by_kind.push((kind, 0.0, 0.0));
        }
    }
    out.fastest_ms = (0..queries.len())
        .map(|i| {
            let fastest = times.iter().skip(i).step_by(queries.len()).map(|t| t.1).min();
            fastest.unwrap_or_default().as_secs_f64() * 1e3
        })
        .collect();
    for k in &mut out.by_kind {
        let mut t: Vec<Duration> = times.iter().filter(|t| t.0 == k.0).map(|t| t.1).collect();
        k.1 = percentile(&mut t, 0.50);
        k.2 = percentile(&mut t, 0.99);
    }
    let mut all: Vec<Duration> = times.iter().map(|t| t.1).collect();
    out.p50_ms = percentile(&mut all, 0.50);
    out.p99_ms = percentile(&mut all, 0.99);
    out
}

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort_unstable();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1e3
}

/// Wall times of new processes: (median, min, max) in ms.
fn cold(
    queries: &[&BenchQuery],
    mut command: impl FnMut(&BenchQuery) -> Command,
) -> anyhow::Result<(f64, f64, f64)> {
    let mut ms = Vec::new();
    for q in queries {
        let t = Instant::now();
        let status = command(q).stdout(Stdio::null()).stderr(Stdio::null()).status()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        // 0: hits, 1: no hit; anything else is a failure
        if !matches!(status.code(), Some(0 | 1)) {
            bail!("cold search for {:?} failed: {status}", q.wenku);
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok((ms[ms.len() / 2], ms[0], ms[ms.len() - 1]))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1000 && n % 1000 == 0 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

fn table(results: &[SizeResult], args: &Args) -> String {
    let mut head = String::from("| |");
    let mut rule = String::from("| --- |");
    for r in results {
        let _ = write!(head, " {} wenku | {} baseline |", human(r.n), human(r.n));
        rule.push_str(" ---: | ---: |");
    }
    let mut rows = vec![head, rule];
    let mut row = |name: String, f: &dyn Fn(&SizeResult, &str) -> String| {
        let mut s = format!("| {name} |");
        for r in results {
            let _ = write!(s, " {} | {} |", f(r, "wenku"), f(r, "baseline"));
        }
        rows.push(s);
    };
    row("catalog: listing lines, raw MB".into(), &|r, _| match r.gen_secs {
        Some(s) => format!("{}, {:.0} MB (generated in {s:.1} s)", r.n, mb(r.input_bytes)),
        None => format!("{}, {:.0} MB", r.n, mb(r.input_bytes)),
    });
    row("parse, 1 thread: raw MB/s wall (per CPU second)".into(), &|r, e| {
        if e == "wenku" {
            format!(
                "{:.1} ({:.1})",
                mb(r.input_bytes) / r.parse_secs,
                mb(r.input_bytes) / r.parse_cpu_secs
            )
        } else {
            "same parser".into()
        }
    });
    for &t in &args.threads {
        row(format!("index {t} thr: raw MB/s (listings/s)"), &|r, e| match r.build(e, t) {
            Some(b) => {
                format!("{:.2} ({:.0})", mb(r.input_bytes) / b.secs, b.listings as f64 / b.secs)
            }
            None => "–".into(),
        });
    }
    for &t in &args.threads {
        row(
            format!(
                "index {t} thr vs the baseline fed clean lines: its raw MB/s (wenku's speed ÷ its)"
            ),
            &|r, e| match (r.build("wenku", t), r.build("baseline-clean", t)) {
                (Some(w), Some(c)) if e == "wenku" => format!("{:.2}×", c.secs / w.secs),
                (_, Some(c)) => format!("{:.2}", mb(r.input_bytes) / c.secs),
                _ => "–".into(),
            },
        );
    }
    if args.threads.len() >= 2 {
        let (t1, t2) = (args.threads[0], *args.threads.last().expect("len >= 2"));
        row(format!("speed-up {t2} thr / {t1} thr (CPU s at {t2} thr)"), &|r, e| match (
            r.build(e, t1),
            r.build(e, t2),
        ) {
            (Some(a), Some(b)) => format!("{:.2}× ({:.0} s)", a.secs / b.secs, b.cpu_secs),
            _ => "–".into(),
        });
    }
    row("index: CPU seconds per raw MB, by thread count".into(), &|r, e| {
        args.threads
            .iter()
            .filter_map(|&t| r.build(e, t))
            .map(|b| format!("{:.3}", b.cpu_secs / mb(r.input_bytes)))
            .collect::<Vec<_>>()
            .join(" / ")
    });
    row("peak RSS (MB), by thread count".into(), &|r, e| {
        args.threads
            .iter()
            .filter_map(|&t| r.build(e, t))
            .map(|b| format!("{:.0}", b.peak_rss_kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" / ")
    });
    let qt = *args.threads.last().expect("non-empty");
    row("documents indexed (wenku: duplicates collapsed)".into(), &|r, e| {
        r.build(e, qt).map_or("–".into(), |b| format!("{}", b.docs))
    });
    row("index on disk, MB (× text indexed)".into(), &|r, e| match r.build(e, qt) {
        Some(b) => format!(
            "{:.0} ({:.2}×)",
            mb(b.index_bytes),
            b.index_bytes as f64 / b.text_bytes.max(1) as f64
        ),
        None => "–".into(),
    });
    let lat = |l: &Latency| format!("{:.3} / {:.3}", l.p50_ms, l.p99_ms);
    row("warm query p50 / p99 ms, blended".into(), &|r, e| {
        if e == "wenku" { lat(&r.wenku_blended) } else { "–".into() }
    });
    row("warm query p50 / p99 ms, plain BM25".into(), &|r, e| {
        if e == "wenku" { lat(&r.wenku_bm25) } else { lat(&r.baseline) }
    });
    row("queries with no hit (errors) of 200".into(), &|r, e| {
        let l = if e == "wenku" { &r.wenku_blended } else { &r.baseline };
        format!("{} ({})", l.zero, l.errors)
    });
    row("cold search, new process: median (min–max) ms".into(), &|r, e| {
        let c = if e == "wenku" { r.cold_wenku_ms } else { r.cold_baseline_ms };
        c.map_or("–".into(), |(m, lo, hi)| format!("{m:.0} ({lo:.0}–{hi:.0})"))
    });
    rows.join("\n")
}
