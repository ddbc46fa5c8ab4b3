//! Process plumbing shared by the subcommands: logging, colour, where the
//! index lives, output streams and how errors end the run.

use std::io::{BufWriter, IsTerminal, StdoutLock, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::flags::{ColorWhen, Global};

/// Logs go to stderr: warnings only by default, `-v` info, `-vv` debug,
/// `-vvv` trace; a valid `RUST_LOG` replaces all of that.
pub(crate) fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .without_time()
        .try_init();
}

/// Applies `--color` to every `anstream` stream of the process.
pub(crate) fn init_color(when: ColorWhen) {
    let choice = match when {
        // anstream decides per stream: terminal, NO_COLOR, CLICOLOR_FORCE
        ColorWhen::Auto => return,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Prints the error as one line (`wenku: <error>: <cause>: …`) and returns
/// exit code 2; a closed stdout is not an error (exit 0, nothing printed),
/// as in ripgrep's `main.rs`.
pub(crate) fn report_error(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "wenku: {err:#}");
    if let Some(bad) = err.downcast_ref::<BadQuery>() {
        let _ = stderr.write_all(bad.pointer().as_bytes());
    }
    ExitCode::from(2)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == BrokenPipe)
            // serde_json wraps the I/O error and does not expose it as source()
            || e.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind)
                == Some(BrokenPipe)
    })
}

/// The index directory: `--index`, else `WENKU_INDEX`, else
/// `<per-user data dir>/wenku/index`.
pub(crate) fn index_dir(global: &Global) -> anyhow::Result<PathBuf> {
    if let Some(dir) = global.index.as_ref().filter(|d| !d.as_os_str().is_empty()) {
        return Ok(dir.clone());
    }
    let dirs = directories::ProjectDirs::from("", "", "wenku").context(
        "no --index given and no home directory for the default index (use --index or WENKU_INDEX)",
    )?;
    Ok(dirs.data_dir().join("index"))
}

/// Opens the existing index of `--index` for reading.
pub(crate) fn open_index(global: &Global) -> anyhow::Result<(PathBuf, wenku::Wenku)> {
    let dir = index_dir(global)?;
    match wenku::Wenku::open(&dir) {
        Ok(w) => Ok((dir, w)),
        // its message already names the directory and the way out
        Err(e @ wenku::Error::Index(wenku::index::Error::NotFound(_))) => Err(e.into()),
        Err(e) => {
            Err(anyhow::Error::new(e).context(format!("cannot open index {}", dir.display())))
        }
    }
}

/// Buffered stdout that passes ANSI styles through on a terminal (or with
/// `--color always`) and strips them otherwise. Call `flush` at the end:
/// a broken pipe must surface as an error, not be lost in `Drop`.
pub(crate) fn styled_stdout() -> BufWriter<anstream::AutoStream<StdoutLock<'static>>> {
    BufWriter::new(anstream::stdout().lock())
}

/// Buffered raw stdout, for JSON.
pub(crate) fn raw_stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// A malformed query, shown with a pointer under the offending character.
#[derive(Debug)]
pub(crate) struct BadQuery {
    pub(crate) query: String,
    pub(crate) error: wenku::query::ParseError,
}

impl std::fmt::Display for BadQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for BadQuery {}

impl BadQuery {
    /// Two lines: the query, and a `^` under character `position` (1-based),
    /// counting East Asian wide characters as two columns. A long query is
    /// shown as a window of [`POINTER_WINDOW`] characters around the
    /// position, `…` marking what was cut.
    pub(crate) fn pointer(&self) -> String {
        let chars: Vec<char> =
            self.query.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let at = self.error.position.saturating_sub(1).min(chars.len());
        let start = at.saturating_sub(POINTER_WINDOW / 2);
        let end = (start + POINTER_WINDOW).min(chars.len());
        let (open, close) =
            (if start > 0 { "…" } else { "" }, if end < chars.len() { "…" } else { "" });
        let shown: String = chars[start..end].iter().collect();
        let before: usize =
            chars[start..at].iter().copied().map(width).sum::<usize>() + open.len().min(1);
        format!("  {open}{shown}{close}\n  {}^\n", " ".repeat(before))
    }
}

/// Characters of a long query shown around an error's position.
const POINTER_WINDOW: usize = 60;

/// Terminal columns of a character: 2 for East Asian wide and full-width
/// forms (CJK ideographs, kana, hangul, CJK punctuation, Ｆｕｌｌ ｗｉｄｔｈ), else 1.
pub(crate) fn width(c: char) -> usize {
    let wide = matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_under_wide_characters() {
        let q = "利用率 pages:>abc";
        let Err(error) = wenku::query::parse(q) else { panic!("query should be malformed") };
        assert_eq!(error.position, 12);
        let bad = BadQuery { query: q.into(), error };
        assert_eq!(bad.pointer(), format!("  利用率 pages:>abc\n{}^\n", " ".repeat(16)));
        assert!(bad.to_string().contains("character 12"), "{bad}");
    }

    #[test]
    fn pointer_of_a_long_query_is_a_window() {
        let q = format!("{} pages:>x {}", "a".repeat(300), "b".repeat(300));
        let Err(error) = wenku::query::parse(&q) else { panic!("query should be malformed") };
        let bad = BadQuery { query: q, error };
        let p = bad.pointer();
        let lines: Vec<&str> = p.lines().collect();
        assert_eq!(lines[0].chars().count(), 2 + 1 + 60 + 1, "{p}");
        let caret = lines[1].find('^').unwrap();
        // the caret sits under the 'x' of pages:>x
        assert_eq!(lines[0].chars().nth(caret), Some('x'), "{p}");
    }

    #[test]
    fn broken_pipe_is_found_in_the_chain() {
        let e = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing hits");
        assert!(is_broken_pipe(&e));
        let json = serde_json::Error::io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::new(json).context("writing a record")));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }

    #[test]
    fn explicit_index_dir_wins() {
        let g = Global { index: Some("/x/y".into()), verbose: 0, color: ColorWhen::Auto };
        assert_eq!(index_dir(&g).unwrap(), PathBuf::from("/x/y"));
        let g = Global { index: None, ..g };
        if let Ok(d) = index_dir(&g) {
            assert!(d.ends_with("index"), "{}", d.display());
        }
    }
}
