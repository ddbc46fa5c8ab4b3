//! Inputs shared by the criterion suites and the runner.

use std::path::{Path, PathBuf};

use anyhow::Context;
use wenku_listing::{CatalogReader, Item, Listing, ParseOptions};

use crate::corpus::{default_corpus_dir, load_truth};
use crate::generate::{GenOptions, GenStats, write_catalog};

/// Capture time of the dev corpus (and of generated catalogs): fixing it
/// keeps `published` independent of file modification times.
pub const AS_OF: &str = "2026-08-26T08:00:00Z";

/// Parse options with [`AS_OF`] as the capture time.
pub fn parse_options() -> ParseOptions {
    ParseOptions { as_of: Some(AS_OF.parse().expect("valid timestamp")), ..Default::default() }
}

/// Every file under `dir` (sorted by path), read into memory and leaked so
/// that it can feed [`CatalogReader::from_reader`] without a copy per run.
///
/// # Errors
/// I/O errors.
pub fn read_files(dir: &Path) -> anyhow::Result<Vec<(String, &'static [u8])>> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let data = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        out.push((p.display().to_string(), &*Vec::leak(data)));
    }
    Ok(out)
}

/// Parses in-memory files; returns the listings and the number of items
/// that were errors (malformed lines).
pub fn parse_files(files: &[(String, &'static [u8])]) -> (Vec<Listing>, usize) {
    let mut listings = Vec::new();
    let mut errors = 0;
    for (name, data) in files {
        for item in CatalogReader::from_reader(name, *data, parse_options()) {
            match item {
                Ok(Item::Listing(l)) => listings.push(l),
                Ok(Item::Footer(_)) => {}
                Err(_) => errors += 1,
            }
        }
    }
    (listings, errors)
}

/// A generated catalog of `n` listings (seed `seed`, default corpus), kept
/// under the system's temporary directory and reused when already there.
///
/// # Errors
/// The corpus is missing, or I/O errors.
pub fn generated_catalog(n: u64, seed: u64) -> anyhow::Result<(PathBuf, Option<GenStats>)> {
    let dir = std::env::temp_dir().join(format!("wenku-benches/gen-{n}-{seed:x}"));
    // the marker sits next to the directory: every file inside is catalog
    let done = dir.with_extension("complete");
    if done.exists() {
        return Ok((dir, None));
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let seeds = load_truth(&default_corpus_dir())?;
    let opts = GenOptions { listings: n, seed, ..GenOptions::default() };
    let stats = write_catalog(&seeds, &opts, &dir)?;
    std::fs::write(&done, stats.to_string())?;
    Ok((dir, Some(stats)))
}
