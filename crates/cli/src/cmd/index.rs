//! `wenku index`: parse raw pages and add them to the index.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use wenku::{
    Footer, IndexOptions, IndexReport, ParseOptions, PreAnalyze, Progress, Wenku, WriterOptions,
};

use crate::app;
use crate::flags::{
    Global, parse_encoding, parse_heap, parse_pre_analyze, parse_profile, parse_time,
};
use crate::render::{count, thousands};

/// Malformed lines shown in the summary (all are counted).
const SHOWN_ERRORS: usize = 5;

/// Flags of `wenku index`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = "\
Listings are identified by their content (the normalised listing text
before the price, pages, size; not by where the title ends, nor by the order
of reading): indexing the same pages again replaces them instead of adding
copies, and repeats within one run are collapsed into one listing with a
copy count. Malformed lines are reported (file:line: reason) and skipped;
damaged lines (bytes invalid in their encoding) are reported and indexed as
decoded. Files and directory entries that cannot be read (permissions,
symbolic link loops, dangling links) and special files met while walking
(FIFOs, sockets, devices) are reported (path: reason) and skipped. The run
always goes to the end and commits what it read.

Exit status (as ripgrep: results, and 2 if any error occurred): 0 when every
file was read (malformed lines are data, not errors); 2 when some file or
entry was skipped or unreadable (the rest is committed and the summary
printed), when no listing could be read at all, or on an error that stops
the run (nothing is committed then: the index keeps its last commit).")]
pub(crate) struct Args {
    /// Raw catalog pages, directories of them (walked recursively) or JSON
    /// Lines files written by `wenku parse`; `-` or nothing: standard input.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Capture time of the pages, from which publication dates are computed
    /// (YYYY-MM-DD or RFC 3339) [default: each file's modification time;
    /// for standard input, now].
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) as_of: Option<jiff::Timestamp>,

    /// Indexing threads [default: available cores, at most 8].
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) threads: Option<u16>,

    /// Threads that parse raw pages read from files (standard input is
    /// parsed on the main thread) [default: available cores, at most 8,
    /// or the indexing threads if more; with one indexing thread on a
    /// machine of one or two cores, 1 after the first pass over the
    /// input].
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) parse_threads: Option<u16>,

    /// Writer memory budget, shared by the threads, e.g. 256MB or 1GB
    /// [default: 256MB; at least 15MB per thread].
    #[arg(long, value_parser = parse_heap, value_name = "SIZE")]
    pub(crate) heap: Option<usize>,

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

    /// jieba user dictionary (one `word [freq [tag]]` per line), stored with a
    /// new index; an existing index must have been built with the same one.
    #[arg(long, value_name = "FILE")]
    pub(crate) dict: Option<PathBuf>,

    /// Print the summary as one JSON object (and no progress display).
    #[arg(long)]
    pub(crate) json: bool,

    /// Leave the segments as written: no merge into at most two segments
    /// after a bulk run (a run into an empty index, or one adding at least
    /// as many listings as the index holds). Faster to finish; searches are
    /// slower over many segments and deleted duplicates keep their disk
    /// space.
    #[arg(long)]
    pub(crate) no_merge: bool,

    /// Which thread cuts the title and snippet into words: the indexing
    /// threads (never), the thread that reads the listings, handing the
    /// indexing thread the words (always), or the reading thread for as
    /// many listings as keeps the indexing thread from falling behind
    /// (balanced). The index is the same. [default: balanced with one
    /// indexing thread on a machine with more cores, else never]
    #[arg(long, value_name = "never|always|balanced", value_parser = parse_pre_analyze)]
    pub(crate) pre_analyze: Option<PreAnalyze>,
}

impl Args {
    /// The facade's indexing options.
    pub(crate) fn options(&self) -> IndexOptions {
        let mut writer = WriterOptions::default();
        if let Some(t) = self.threads {
            writer.threads = usize::from(t);
        }
        if let Some(h) = self.heap {
            writer.heap_bytes = h;
        }
        writer.merge_after_bulk = !self.no_merge;
        writer.pre_analyze = self.pre_analyze;
        IndexOptions {
            writer,
            parse: ParseOptions {
                as_of: self.as_of,
                encoding: self.encoding,
                profile: self.profile,
                threads: self.parse_threads.map_or(0, usize::from),
                ..Default::default()
            },
            keep_errors: Some(SHOWN_ERRORS),
        }
    }

    /// Whether the pages come from standard input.
    fn stdin(&self) -> anyhow::Result<bool> {
        let dash = self.paths.iter().any(|p| p.as_os_str() == "-");
        if dash && self.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with paths");
        }
        if self.paths.is_empty() && std::io::stdin().is_terminal() {
            bail!(
                "nothing to index: give files or directories (wenku index PATH…) or pipe pages in"
            );
        }
        Ok(dash || self.paths.is_empty())
    }
}

pub(crate) fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let dir = app::index_dir(global)?;
    let dict = match &args.dict {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read user dictionary {}", p.display()))?,
        ),
        None => None,
    };
    let stdin = args.stdin()?;
    // a mistyped path should not leave a new, empty index behind
    for p in args.paths.iter().filter(|p| p.as_os_str() != "-") {
        std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
    }
    let mut open = wenku::OpenOptions::new().create(true);
    if let Some(d) = dict {
        open = open.user_dict(d);
    }
    let wenku = open
        .open(&dir)
        .with_context(|| format!("cannot open or create index {}", dir.display()))?;
    let report = index_into(&wenku, args, stdin)?;
    wenku.reload().context("reloading the index")?;
    let summary = Summary { dir: &dir, report: &report, documents: wenku.num_docs() };
    if args.json {
        let mut out = app::raw_stdout();
        serde_json::to_writer(&mut out, &summary.json())?;
        writeln!(out)?;
        out.flush()?;
    } else {
        let mut out = app::styled_stdout();
        summary.write_plain(&mut out)?;
        out.flush()?;
    }
    if report.listings_read == 0 {
        bail!(
            "nothing indexed: no listing could be read ({} malformed lines, {} unreadable or skipped paths)",
            report.malformed,
            report.skipped.len()
        );
    }
    Ok(exit_status(report.skipped.len()))
}

/// 0, or 2 when some path was skipped (after saying so on stderr).
pub(crate) fn exit_status(skipped: usize) -> ExitCode {
    if skipped == 0 {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(
        std::io::stderr(),
        "wenku: {} not read (see above); everything else was read",
        count(skipped as u64, "path")
    );
    ExitCode::from(2)
}

/// Reads the pages into `wenku` and commits.
pub(crate) fn index_into(wenku: &Wenku, args: &Args, stdin: bool) -> anyhow::Result<IndexReport> {
    let mut options = args.options();
    if stdin && options.parse.as_of.is_none() {
        options.parse.as_of = Some(jiff::Timestamp::now());
    }
    let mut indexer = wenku.indexer(&options).context("cannot start writing the index")?;
    let bar = progress_bar(args.json);
    if let Some(bar) = bar.clone() {
        indexer = indexer.on_progress(move |p: &Progress| {
            bar.set_message(format!(
                "{} listings · {} files · {} malformed",
                thousands(p.listings),
                thousands(p.files_done),
                thousands(p.malformed)
            ));
        });
    }
    if stdin {
        // streamed; decoded like a file (BOM, UTF-8, detected or --encoding)
        let stdin = std::io::BufReader::new(std::io::stdin());
        indexer.add_reader("-", stdin).context("indexing standard input")?;
    } else {
        indexer.add_paths(&args.paths).context("indexing failed")?;
    }
    if let Some(bar) = &bar {
        bar.set_message("committing (a bulk run is then merged into at most two segments)");
    }
    // committed even when nothing was read: that changes nothing
    let report = indexer.commit().context("commit failed")?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

fn progress_bar(json: bool) -> Option<indicatif::ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed:>3} indexing: {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// `error: cause: cause` for a malformed-line error.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// Footers grouped into result sets: consecutive footers with the same
/// totals belong to one search. Returns (result sets, listings they report).
fn result_sets(footers: &[Footer]) -> (u64, u64) {
    let mut sets = 0;
    let mut reported = 0;
    let mut last = None;
    for f in footers {
        if last != Some((f.total, f.pages)) {
            sets += 1;
            reported += f.total;
            last = Some((f.total, f.pages));
        }
    }
    (sets, reported)
}

/// `wenku index --json`.
#[derive(Debug, Serialize)]
pub(crate) struct SummaryJson {
    index: String,
    listings_read: u64,
    indexed: u64,
    duplicates: u64,
    malformed: u64,
    /// Lines decoded with replacement characters (and indexed).
    damaged: u64,
    /// The first few malformed or damaged lines, `file:line: reason`.
    malformed_examples: Vec<String>,
    /// Every path not read, `path: reason`.
    skipped: Vec<String>,
    footers: FootersJson,
    /// Listings in the index after the run.
    documents: u64,
    bytes_read: u64,
    elapsed_secs: f64,
    /// Decimal megabytes (10^6 bytes) of input per second.
    mb_per_sec: f64,
}

/// Page footers (`共 N 条`) seen.
#[derive(Debug, Serialize)]
struct FootersJson {
    pages: usize,
    result_sets: u64,
    /// Sum of the totals of the result sets.
    reported_listings: u64,
}

/// The end-of-run summary.
pub(crate) struct Summary<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) report: &'a IndexReport,
    /// Listings in the index after the commit.
    pub(crate) documents: u64,
}

impl Summary<'_> {
    fn mb_per_sec(&self) -> f64 {
        let secs = self.report.elapsed.as_secs_f64();
        if secs > 0.0 { self.report.bytes_read as f64 / 1e6 / secs } else { 0.0 }
    }

    /// The summary as one JSON object.
    pub(crate) fn json(&self) -> SummaryJson {
        let r = self.report;
        let (result_sets, reported_listings) = result_sets(&r.footers);
        SummaryJson {
            index: self.dir.display().to_string(),
            listings_read: r.listings_read,
            indexed: r.indexed,
            duplicates: r.duplicates,
            malformed: r.malformed,
            damaged: r.damaged,
            malformed_examples: r.errors.iter().map(|e| error_chain(e)).collect(),
            skipped: r.skipped.iter().map(|e| error_chain(e)).collect(),
            footers: FootersJson { pages: r.footers.len(), result_sets, reported_listings },
            documents: self.documents,
            bytes_read: r.bytes_read,
            elapsed_secs: r.elapsed.as_secs_f64(),
            mb_per_sec: self.mb_per_sec(),
        }
    }

    /// A few lines for people.
    pub(crate) fn write_plain(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let r = self.report;
        writeln!(
            w,
            "indexed {} ({} read, {} collapsed) into {}",
            count(r.indexed, "listing"),
            thousands(r.listings_read),
            count(r.duplicates, "duplicate"),
            self.dir.display()
        )?;
        if r.malformed == 0 && r.damaged == 0 {
            writeln!(w, "malformed lines: 0")?;
        } else {
            writeln!(w, "malformed lines: {} (skipped)", thousands(r.malformed))?;
            if r.damaged > 0 {
                writeln!(
                    w,
                    "damaged lines: {} (invalid bytes replaced, indexed)",
                    thousands(r.damaged)
                )?;
            }
            for e in &r.errors {
                writeln!(w, "  {}", error_chain(e))?;
            }
            let more = (r.malformed + r.damaged).saturating_sub(r.errors.len() as u64);
            if more > 0 {
                writeln!(
                    w,
                    "  … and {} more (`wenku parse PATH… > /dev/null` lists them all)",
                    thousands(more)
                )?;
            }
        }
        if !r.skipped.is_empty() {
            writeln!(w, "not read: {}", count(r.skipped.len() as u64, "path"))?;
            for e in &r.skipped {
                writeln!(w, "  {}", error_chain(e))?;
            }
        }
        if !r.footers.is_empty() {
            let (sets, reported) = result_sets(&r.footers);
            writeln!(
                w,
                "page footers: {} in {} result {} reporting 共 {} 条 in all",
                thousands(r.footers.len() as u64),
                thousands(sets),
                if sets == 1 { "set" } else { "sets" },
                thousands(reported)
            )?;
        }
        writeln!(w, "index now holds {}", count(self.documents, "listing"))?;
        writeln!(
            w,
            "{:.2} MB in {:.2} s ({:.2} MB/s)",
            r.bytes_read as f64 / 1e6,
            r.elapsed.as_secs_f64(),
            self.mb_per_sec()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    fn args(argv: &[&str]) -> Args {
        match parse(&[&["index"], argv].concat()).unwrap().command {
            Command::Index(a) => a,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn paths() {
        assert!(args(&[]).paths.is_empty());
        assert_eq!(args(&["a.txt", "dir"]).paths, [PathBuf::from("a.txt"), PathBuf::from("dir")]);
        assert!(args(&["-", "a.txt"]).stdin().is_err());
        assert!(args(&["-"]).stdin().unwrap());
        assert!(!args(&["a.txt"]).stdin().unwrap());
    }

    #[test]
    fn as_of() {
        assert_eq!(args(&["p"]).options().parse.as_of, None);
        let a = args(&["--as-of", "2026-08-26", "p"]);
        assert_eq!(a.options().parse.as_of, Some("2026-08-26T00:00:00Z".parse().unwrap()));
        let a = args(&["--as-of=2026-08-26T08:00:00Z", "p"]);
        assert_eq!(a.options().parse.as_of.unwrap().as_second(), 1_787_731_200);
        assert!(parse(&["index", "--as-of", "last week", "p"]).is_err());
    }

    #[test]
    fn threads() {
        assert_eq!(args(&["p"]).options().writer.threads, WriterOptions::default().threads);
        assert_eq!(args(&["--threads", "3", "p"]).options().writer.threads, 3);
        assert_eq!(args(&["-j", "1", "p"]).options().writer.threads, 1);
        assert!(parse(&["index", "--threads", "0", "p"]).is_err());
        assert!(parse(&["index", "--threads", "many", "p"]).is_err());
    }

    #[test]
    fn parse_threads() {
        assert_eq!(args(&["p"]).options().parse.threads, 0);
        assert_eq!(args(&["--parse-threads", "3", "p"]).options().parse.threads, 3);
        assert!(parse(&["index", "--parse-threads", "0", "p"]).is_err());
    }

    #[test]
    fn heap() {
        assert_eq!(args(&["p"]).options().writer.heap_bytes, 256 << 20);
        assert_eq!(args(&["--heap", "512MB", "p"]).options().writer.heap_bytes, 512 << 20);
        assert_eq!(args(&["--heap=1GB", "p"]).options().writer.heap_bytes, 1 << 30);
        assert!(parse(&["index", "--heap", "big", "p"]).is_err());
    }

    #[test]
    fn no_merge() {
        assert!(args(&["p"]).options().writer.merge_after_bulk);
        assert!(!args(&["--no-merge", "p"]).options().writer.merge_after_bulk);
        assert!(parse(&["index", "--no-merge=yes", "p"]).is_err());
    }

    #[test]
    fn pre_analyze() {
        assert_eq!(args(&["p"]).options().writer.pre_analyze, None);
        let a = args(&["--pre-analyze", "always", "p"]);
        assert_eq!(a.options().writer.pre_analyze, Some(PreAnalyze::Always));
        let a = args(&["--pre-analyze=never", "p"]);
        assert_eq!(a.options().writer.pre_analyze, Some(PreAnalyze::Never));
        let a = args(&["--pre-analyze", "balanced", "-j", "2", "p"]);
        assert_eq!(a.options().writer.pre_analysis(), PreAnalyze::Balanced);
        let err = parse(&["index", "--pre-analyze", "maybe", "p"]).unwrap_err().to_string();
        assert!(err.contains("never, always or balanced"), "{err}");
    }

    #[test]
    fn encoding() {
        assert_eq!(args(&["p"]).options().parse.encoding, None);
        assert_eq!(
            args(&["--encoding", "gbk", "p"]).options().parse.encoding,
            Some(encoding_rs::GBK)
        );
        let err = parse(&["index", "--encoding", "nope", "p"]).unwrap_err().to_string();
        assert!(err.contains("unknown encoding"), "{err}");
    }

    #[test]
    fn dict_and_json() {
        let a = args(&["p"]);
        assert!(a.dict.is_none() && !a.json);
        let a = args(&["--dict", "words.txt", "--json", "p"]);
        assert_eq!(a.dict, Some(PathBuf::from("words.txt")));
        assert!(a.json);
    }

    #[test]
    fn malformed_errors_are_kept_for_the_summary() {
        assert_eq!(args(&["p"]).options().keep_errors, Some(SHOWN_ERRORS));
    }

    #[test]
    fn footers_group_into_result_sets() {
        let f = |total, pages, line| Footer {
            total,
            pages,
            source: wenku::Source { file: "p".into(), line },
        };
        assert_eq!(result_sets(&[]), (0, 0));
        assert_eq!(result_sets(&[f(163, 17, 11)]), (1, 163));
        assert_eq!(result_sets(&[f(30, 3, 11), f(30, 3, 11), f(30, 3, 11), f(12, 2, 3)]), (2, 42));
    }
}
