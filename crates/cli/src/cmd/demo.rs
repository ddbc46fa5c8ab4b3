//! `wenku demo`: the one-command quick start. Indexes the bundled sample
//! catalog (`data/sample/`) into a temporary directory and runs a few real
//! searches against it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wenku::{SearchRequest, Wenku};

use crate::app;
use crate::cmd::{index, search};
use crate::flags::{Global, parse_time};
use crate::render;

/// The sample catalog of the source tree.
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");

/// When the bundled sample pages were captured (the dev corpus's capture
/// time), so that dates and ages in the demo do not depend on file times.
const SAMPLE_AS_OF: &str = "2026-08-26T08:00:00Z";

/// Searches run when none are given: Chinese words found through noisy PDF
/// text, traditional characters matching a simplified title plus a Latin
/// word, and a Python identifier.
const QUERIES: [&str; 3] = ["利用率", "標準庫 bisect", "breakpointhook"];

/// Flags of `wenku demo`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = "\
Example: cargo run --release -p wenku-cli -- demo
The temporary index is removed at the end; --index is ignored.")]
pub(crate) struct Args {
    /// Queries to run instead of the built-in ones (利用率, 標準庫 bisect,
    /// breakpointhook); each argument is one query.
    #[arg(value_name = "QUERY")]
    pub(crate) queries: Vec<String>,

    /// Catalog pages to index [default: the bundled data/sample].
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,

    /// Capture time of the pages [default: 2026-08-26T08:00:00Z for the
    /// bundled sample, else each file's modification time].
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) as_of: Option<jiff::Timestamp>,

    /// Hits shown per search.
    #[arg(short = 'n', long, default_value_t = 3, value_name = "N")]
    pub(crate) limit: usize,
}

impl Args {
    fn data(&self) -> anyhow::Result<PathBuf> {
        let (dir, hint) = match &self.data {
            Some(d) => (d.clone(), ""),
            None => {
                (PathBuf::from(SAMPLE), " (the sample ships with the source tree; pass --data DIR)")
            }
        };
        let dir =
            dir.canonicalize().with_context(|| format!("cannot find {}{hint}", dir.display()))?;
        // shorter `file:line`s in the hits when run from the source tree
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize());
        Ok(match cwd.ok().and_then(|cwd| dir.strip_prefix(cwd).ok().map(PathBuf::from)) {
            Some(rel) if !rel.as_os_str().is_empty() => rel,
            _ => dir,
        })
    }

    fn as_of(&self) -> Option<jiff::Timestamp> {
        match (self.as_of, &self.data) {
            (Some(t), _) => Some(t),
            (None, None) => SAMPLE_AS_OF.parse().ok(),
            (None, Some(_)) => None,
        }
    }

    fn queries(&self) -> Vec<String> {
        if self.queries.is_empty() {
            QUERIES.iter().map(ToString::to_string).collect()
        } else {
            self.queries.clone()
        }
    }
}

pub(crate) fn run(_global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let data = args.data()?;
    let tmp = tempfile::Builder::new()
        .prefix("wenku-demo-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let dir = tmp.path().join("index");
    let mut out = app::styled_stdout();
    writeln!(out, "wenku demo: indexing {} into a temporary index\n", data.display())?;
    out.flush()?;

    let wenku = Wenku::open_or_create(&dir)
        .with_context(|| format!("cannot create index {}", dir.display()))?;
    let index_args = index::Args {
        paths: vec![data],
        as_of: args.as_of(),
        threads: None,
        parse_threads: None,
        heap: None,
        encoding: None,
        profile: None,
        dict: None,
        json: false,
        no_merge: false,
        pre_analyze: None,
    };
    let report = index::index_into(&wenku, &index_args, false)?;
    wenku.reload().context("reloading the index")?;
    index::Summary { dir: &dir, report: &report, documents: wenku.num_docs() }
        .write_plain(&mut out)?;

    for query in args.queries() {
        writeln!(out, "\n$ wenku search {query}")?;
        let mut req = SearchRequest::new(search::parse_query(&query)?)
            .limit(args.limit.min(usize::try_from(wenku.num_docs()).unwrap_or(usize::MAX)));
        req.now = index_args.as_of;
        let results = search::search(&wenku, &req)?;
        render::write_hits_plain(&mut out, &results, 0, false)?;
    }
    writeln!(out, "\nTry your own: wenku index PAGES… && wenku search QUERY (see wenku --help)")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    fn args(argv: &[&str]) -> Args {
        match parse(&[&["demo"], argv].concat()).unwrap().command {
            Command::Demo(a) => a,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn defaults_use_the_bundled_sample() {
        let a = args(&[]);
        assert_eq!(a.queries(), QUERIES);
        assert_eq!(a.limit, 3);
        assert_eq!(a.as_of().unwrap().as_second(), 1_787_731_200);
        assert!(a.data().unwrap().join("seed-page.txt").is_file());
        assert!(a.data().unwrap().ends_with("data/sample"));
    }

    #[test]
    fn data_as_of_limit_and_queries() {
        let a = args(&["--data", "/nonexistent/wenku", "--limit", "5", "GPU"]);
        assert!(a.data().is_err());
        assert_eq!(a.as_of(), None);
        assert_eq!(a.limit, 5);
        assert_eq!(a.queries(), ["GPU"]);
        let a = args(&["--as-of", "2025-01-01", "-n", "1"]);
        assert_eq!(a.as_of(), Some("2025-01-01T00:00:00Z".parse().unwrap()));
        assert_eq!(a.limit, 1);
    }
}
