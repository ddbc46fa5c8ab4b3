//! `wenku parse`: raw pages → JSON Lines records, no index.

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wenku::ParseOptions;
use wenku::listing::{CatalogReader, Item};

use crate::app;
use crate::flags::{Global, parse_encoding, parse_profile, parse_time};

/// Flags of `wenku parse`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = "\
Writes one JSON record per listing line to stdout (the fields of a listing:
id, title, snippet, title_norm, snippet_norm, raw, price, pages, size_bytes,
size_text, age, published, trailing, source). Malformed lines are reported on
stderr as `file:line: reason`, followed by a count; the output can be indexed
with `wenku index FILE.jsonl`. Files and entries that cannot be read, and
special files met while walking (FIFOs, sockets, devices), are reported on
stderr (`path: reason`) and skipped; the run goes on. Exit status (as
ripgrep): 0 when every path was read, also with malformed lines; 2 when some
path could not be read or was skipped (everything else is still written).")]
pub(crate) struct Args {
    /// Raw catalog pages or directories of them (walked recursively);
    /// `-`: standard input.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Capture time of the pages, from which `published` is computed
    /// (YYYY-MM-DD or RFC 3339) [default: each file's modification time;
    /// for standard input, none].
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) as_of: Option<jiff::Timestamp>,

    /// Encoding of the pages (utf-8, gbk, gb18030, big5, …) [default: a BOM,
    /// else UTF-8 if valid, else detected].
    #[arg(long, value_parser = parse_encoding, value_name = "LABEL")]
    pub(crate) encoding: Option<&'static encoding_rs::Encoding>,

    /// Split profile: the title conventions of a site or document set that
    /// the title/snippet split may use, a bundled name (dev-sources,
    /// manual-versions) or a profile file [default: none, the generic
    /// split].
    #[arg(long, value_parser = parse_profile, value_name = "NAME|FILE")]
    pub(crate) profile: Option<&'static wenku::listing::Profile>,

    /// Threads that parse raw pages read from files (standard input is
    /// parsed on the main thread); the records come out in input order
    /// whatever the number [default: available cores, at most 8].
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) threads: Option<u16>,
}

impl Args {
    pub(crate) fn options(&self) -> ParseOptions {
        ParseOptions {
            as_of: self.as_of,
            encoding: self.encoding,
            profile: self.profile,
            // the indexer's default: the available cores, at most 8
            threads: self
                .threads
                .map_or_else(|| wenku::WriterOptions::default().threads, usize::from),
            ..Default::default()
        }
    }
}

pub(crate) fn run(_global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let opts = args.options();
    let mut out = app::raw_stdout();
    let (mut listings, mut malformed) = (0u64, 0u64);
    let mut skipped = 0usize;
    for path in &args.paths {
        let reader = if path.as_os_str() == "-" {
            CatalogReader::from_reader("-", BufReader::new(std::io::stdin()), opts)
        } else {
            CatalogReader::open(&[path], opts)?
        };
        for item in reader {
            match item {
                Ok(Item::Listing(l)) => {
                    serde_json::to_writer(&mut out, &l).context("writing a record")?;
                    out.write_all(b"\n")?;
                    listings += 1;
                }
                Ok(Item::Footer(f)) => {
                    tracing::info!(
                        "{}:{}: footer 共 {} 条, {} pages",
                        f.source.file,
                        f.source.line,
                        f.total,
                        f.pages
                    );
                }
                Err(e) => {
                    // keep the order of stdout and stderr when both go to a terminal
                    out.flush()?;
                    if e.is_file_level() {
                        skipped += 1;
                    } else {
                        malformed += 1;
                    }
                    let _ = writeln!(std::io::stderr(), "{:#}", anyhow::Error::new(e));
                }
            }
        }
    }
    out.flush()?;
    if malformed > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "wenku: {malformed} malformed lines skipped ({listings} listings written)"
        );
    } else {
        tracing::info!("{listings} listings written");
    }
    Ok(super::index::exit_status(skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    fn args(argv: &[&str]) -> Args {
        match parse(&[&["parse"], argv].concat()).unwrap().command {
            Command::Parse(a) => a,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn paths_are_required() {
        assert!(parse(&["parse"]).is_err());
        assert_eq!(args(&["a", "-"]).paths, [PathBuf::from("a"), PathBuf::from("-")]);
    }

    #[test]
    fn as_of_and_encoding() {
        let o = args(&["p"]).options();
        assert_eq!((o.as_of, o.encoding), (None, None));
        let o = args(&["--as-of", "2026-08-26", "--encoding", "gb18030", "p"]).options();
        assert_eq!(o.as_of, Some("2026-08-26T00:00:00Z".parse().unwrap()));
        assert_eq!(o.encoding, Some(encoding_rs::GB18030));
        assert!(parse(&["parse", "--encoding", "x-nope", "p"]).is_err());
    }
}
