//! Parse throughput: parse every file of a directory N times and print MB/s
//! of raw input per thread (best round). By default one reader reads all
//! pages concatenated (a catalog in one file); `WENKU_PER_FILE=1` uses one
//! reader per file (a directory of pages); `WENKU_OPEN=1` times
//! `CatalogReader::open` on the directory (two passes: the first gathers the
//! split evidence of the whole input). `WENKU_DUMP=1` prints every
//! record as JSON once instead (to compare the output of two versions).
//! `WENKU_THREADS=n` sets `ParseOptions::threads` (used by `WENKU_OPEN=1`
//! and `WENKU_DUMP=1`); the process CPU time of all threads is printed too.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-listing cargo run --release -p wenku-listing \
//!     --example parse_speed -- ../shared/corpus/dev/pages 20
//! ```
//!
//! Files are read into memory first, so the number is parsing only
//! (decoding, halves, tail, split, normalisation, id), not disk I/O.

use std::time::Instant;

use wenku_listing::{CatalogReader, Item, ParseOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "../shared/corpus/dev/pages".to_string());
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let dump = std::env::var_os("WENKU_DUMP").is_some();
    // One reader per file (as for a directory of pages) instead of one
    // reader over all pages concatenated.
    let per_file = std::env::var_os("WENKU_PER_FILE").is_some();
    // `CatalogReader::open` on the directory: files read from disk (the
    // page cache), with the first pass that gathers the split evidence of
    // the whole input (`from_reader` streams and has no first pass).
    let open_dir = std::env::var_os("WENKU_OPEN").is_some();
    let mut files: Vec<(String, &'static [u8])> = Vec::new();
    for e in std::fs::read_dir(&dir).expect("read the directory") {
        let p = e.expect("dir entry").path();
        if p.is_file() {
            let data = std::fs::read(&p).expect("read a file");
            files.push((p.display().to_string(), Vec::leak(data)));
        }
    }
    files.sort();
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let threads = std::env::var("WENKU_THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(0);
    let opts = ParseOptions {
        as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()),
        threads,
        ..Default::default()
    };
    if dump {
        for item in CatalogReader::open(&[&dir], opts).expect("open the directory") {
            if let Ok(Item::Listing(l)) = item {
                println!("{}", serde_json::to_string(&l).unwrap());
            }
        }
        return;
    }
    // One reader over the pages concatenated in file order, as a catalog
    // in one file (the reader's title memory spans the whole input).
    let all: &'static [u8] = Vec::leak(files.iter().flat_map(|f| f.1.iter().copied()).collect());
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut best_process_cpu = f64::INFINITY;
    let mut listings = 0usize;
    for _ in 0..rounds {
        let start = Instant::now();
        let cpu0 = thread_cpu_secs();
        let process0 = process_cpu_secs();
        listings = 0;
        let readers: Vec<CatalogReader> = if open_dir {
            vec![CatalogReader::open(&[&dir], opts).expect("open the directory")]
        } else if per_file {
            files.iter().map(|(name, data)| CatalogReader::from_reader(name, *data, opts)).collect()
        } else {
            vec![CatalogReader::from_reader("all", all, opts)]
        };
        for item in readers.into_iter().flatten() {
            if let Ok(Item::Listing(l)) = item {
                listings += 1;
                std::hint::black_box(&l);
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_secs()) {
            best_cpu = best_cpu.min(b - a);
        }
        if let (Some(a), Some(b)) = (process0, process_cpu_secs()) {
            best_process_cpu = best_process_cpu.min(b - a);
        }
    }
    eprintln!(
        "{} files, {:.2} MB, {listings} listings: best of {rounds} rounds {:.2} ms = {:.1} MB/s wall, \
         {:.1} MB/s thread CPU time, {:.1} MB/s process CPU time ({threads} parse threads)",
        files.len(),
        bytes as f64 / 1e6,
        best * 1e3,
        bytes as f64 / best / 1e6,
        bytes as f64 / best_cpu / 1e6,
        bytes as f64 / best_process_cpu / 1e6
    );
}

/// User + system CPU time of the process, all threads (`/proc/self/stat`,
/// clock ticks of 10 ms).
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let f: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
    Some((tick(11)? + tick(12)?) / 100.0)
}

/// CPU time of this thread (Linux `/proc/thread-self/schedstat`), which a
/// busy shared machine distorts less than wall time.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
