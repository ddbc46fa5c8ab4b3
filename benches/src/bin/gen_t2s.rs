//! Regenerates wenku-index's traditional → simplified character table from
//! `OpenCC`'s `t2s` data.
//!
//! ```text
//! cargo run --release -p wenku-benches --bin gen_t2s -- crates/index/src/analysis/t2s_table.rs
//! ```
//!
//! Without a path, the table is written to stdout. See `wenku_benches::t2s`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use wenku_benches::t2s;

/// Write the committed t2s table of wenku-index.
#[derive(Debug, Parser)]
struct Args {
    /// Output file (default: stdout).
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let pairs = t2s::pairs().context("loading `OpenCC`'s t2s data")?;
    let src = t2s::source(&pairs);
    match &args.out {
        Some(path) => {
            std::fs::write(path, &src).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{} pairs written to {}", pairs.len(), path.display());
        }
        None => std::io::stdout().write_all(src.as_bytes()).context("writing to stdout")?,
    }
    Ok(())
}
