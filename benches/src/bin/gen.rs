//! Writes a deterministic scale catalog of raw listing pages.
//!
//! ```text
//! cargo run --release -p wenku-benches --bin gen -- -n 1000000 --out DIR [--seed S] [--corpus PATH]
//! ```
//!
//! See `wenku_benches::generate` for what is generated and at which rates.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use wenku_benches::corpus::{default_corpus_dir, load_truth};
use wenku_benches::generate::{GenOptions, write_catalog};

/// Generate a scale catalog from the dev corpus.
#[derive(Debug, Parser)]
struct Args {
    /// Number of listing lines.
    #[arg(short = 'n', long = "listings", default_value_t = 10_000)]
    listings: u64,
    /// Output directory (created if needed; files are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// PRNG seed: the same seed, N and corpus give the same bytes.
    #[arg(long, default_value_t = GenOptions::default().seed)]
    seed: u64,
    /// Corpus directory holding truth.jsonl (default: ../shared/corpus/dev
    /// relative to the workspace root).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Pages (of ten listings) per file.
    #[arg(long, default_value_t = GenOptions::default().pages_per_file)]
    pages_per_file: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let corpus = args.corpus.unwrap_or_else(default_corpus_dir);
    let seeds = load_truth(&corpus)?;
    let opts = GenOptions {
        listings: args.listings,
        seed: args.seed,
        pages_per_file: args.pages_per_file,
    };
    let stats = write_catalog(&seeds, &opts, &args.out)
        .with_context(|| format!("writing the catalog into {}", args.out.display()))?;
    eprintln!("{stats}");
    eprintln!(
        "gen: from {} corpus records in {}, seed {}",
        seeds.len(),
        corpus.display(),
        opts.seed
    );
    Ok(())
}
