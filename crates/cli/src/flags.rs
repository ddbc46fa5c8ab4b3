//! What the user typed: global flags and the value parsers shared by the
//! subcommands. Turning these into configured objects happens in each
//! `cmd/<name>.rs`.

use std::path::PathBuf;

use clap::{ArgAction, ValueEnum};
use wenku::Sort;

/// Flags accepted by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Global {
    /// Index directory.
    #[arg(long, global = true, env = "WENKU_INDEX", value_name = "DIR")]
    #[arg(
        help_heading = "Global options",
        long_help = "\
Index directory.

Default: `index` in the per-user data directory of wenku, i.e.
  Linux    $XDG_DATA_HOME/wenku/index (~/.local/share/wenku/index)
  macOS    ~/Library/Application Support/wenku/index
  Windows  %APPDATA%\\wenku\\data\\index
`wenku stats` prints the directory in use. `wenku demo` ignores this flag."
    )]
    pub(crate) index: Option<PathBuf>,

    /// Log to stderr: -v info, -vv debug, -vvv trace (`RUST_LOG` overrides).
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = "Global options")]
    pub(crate) verbose: u8,

    /// When to colour highlights (auto: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    #[arg(help_heading = "Global options")]
    pub(crate) color: ColorWhen,
}

/// `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// `--as-of` / `--now`: an RFC 3339 timestamp (`2026-08-26T08:00:00Z`,
/// `2026-08-26T16:00:00+08:00`) or a date (`2026-08-26`, midnight UTC).
pub(crate) fn parse_time(s: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    if let Ok(date) = s.parse::<jiff::civil::Date>()
        && let Ok(z) = date.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp());
    }
    Err(format!("'{s}' is not a date (YYYY-MM-DD) or an RFC 3339 timestamp (2026-08-26T08:00:00Z)"))
}

/// `--heap`: bytes with an optional 1024-based unit (`256MB`, `1.5 GB`,
/// `512K`, `1GiB`, or a plain number of bytes).
pub(crate) fn parse_heap(s: &str) -> Result<usize, String> {
    let bad = || format!("'{s}' is not a size such as 256MB, 1GB or 512KB");
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| bad())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    let bytes = value * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > usize::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as usize)
}

/// `--timeout` and the like: `30s`, `500ms`, `10m`, `1h`, or a plain number
/// of seconds.
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("'{s}' is not a duration such as 30s, 500ms or 10m");
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(bad()),
    };
    std::time::Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero() && d.as_secs() <= 7 * 24 * 3600)
        .ok_or_else(bad)
}

/// `--encoding`: a WHATWG encoding label (`utf-8`, `gbk`, `gb18030`, `big5`).
pub(crate) fn parse_encoding(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding '{s}' (use a WHATWG label such as utf-8, gbk, gb18030, big5)")
    })
}

/// `--pre-analyze`: `never`, `always` or `balanced`.
pub(crate) fn parse_pre_analyze(s: &str) -> Result<wenku::PreAnalyze, String> {
    use wenku::PreAnalyze;
    match s.trim() {
        "never" => Ok(PreAnalyze::Never),
        "always" => Ok(PreAnalyze::Always),
        "balanced" => Ok(PreAnalyze::Balanced),
        _ => Err(format!("'{s}' is not one of never, always or balanced")),
    }
}

/// `--profile`: a bundled split profile by name (`dev-sources`,
/// `manual-versions`) or a profile file (docs/listing-format.md).
pub(crate) fn parse_profile(s: &str) -> Result<&'static wenku::listing::Profile, String> {
    use wenku::listing::Profile;
    let path = std::path::Path::new(s);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{s}: {e}"))?;
        let name = path.file_stem().map_or(s.into(), |n| n.to_string_lossy());
        return Profile::parse(&name, &text).map(Profile::leak).map_err(|e| e.to_string());
    }
    Profile::bundled(s).map_err(|e| e.to_string())
}

/// The `--sort` names, in the order `--help` lists them.
pub(crate) const SORTS: [&str; 6] =
    ["relevance", "newest", "oldest", "largest", "smallest", "pages"];

/// `--sort`.
pub(crate) fn parse_sort(s: &str) -> Result<Sort, wenku::UnknownSort> {
    s.parse()
}

#[cfg(test)]
pub(crate) mod tests {
    use clap::Parser;

    use super::*;
    use crate::Cli;

    /// Parses a command line (without the program name).
    pub(crate) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("wenku").chain(args.iter().copied()))
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn index_flag_any_position() {
        let cli = parse(&["--index", "/tmp/a", "stats"]).unwrap();
        assert_eq!(cli.global.index, Some(PathBuf::from("/tmp/a")));
        let cli = parse(&["stats", "--index", "/tmp/b"]).unwrap();
        assert_eq!(cli.global.index, Some(PathBuf::from("/tmp/b")));
    }

    #[test]
    fn verbose_counts() {
        assert_eq!(parse(&["stats"]).unwrap().global.verbose, 0);
        assert_eq!(parse(&["-v", "stats"]).unwrap().global.verbose, 1);
        assert_eq!(parse(&["stats", "-vv"]).unwrap().global.verbose, 2);
    }

    #[test]
    fn color_values() {
        assert_eq!(parse(&["stats"]).unwrap().global.color, ColorWhen::Auto);
        assert_eq!(parse(&["--color", "never", "stats"]).unwrap().global.color, ColorWhen::Never);
        assert_eq!(parse(&["stats", "--color=always"]).unwrap().global.color, ColorWhen::Always);
        assert!(parse(&["--color", "sometimes", "stats"]).is_err());
    }

    #[test]
    fn a_subcommand_is_required() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["frobnicate"]).is_err());
    }

    #[test]
    fn time_values() {
        assert_eq!(parse_time("2026-08-26").unwrap().to_string(), "2026-08-26T00:00:00Z");
        assert_eq!(parse_time("2026-08-26T08:00:00Z").unwrap().as_second(), 1_787_731_200);
        assert_eq!(
            parse_time("2026-08-26T16:00:00+08:00").unwrap(),
            parse_time("2026-08-26T08:00:00Z").unwrap()
        );
        assert!(parse_time("yesterday").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_time("2026-13-01").is_err());
    }

    #[test]
    fn heap_values() {
        assert_eq!(parse_heap("256MB"), Ok(256 << 20));
        assert_eq!(parse_heap("256 mb"), Ok(256 << 20));
        assert_eq!(parse_heap("1GB"), Ok(1 << 30));
        assert_eq!(parse_heap("1.5G"), Ok(3 << 29));
        assert_eq!(parse_heap("512KiB"), Ok(512 << 10));
        assert_eq!(parse_heap("1000"), Ok(1000));
        assert!(parse_heap("lots").is_err());
        assert!(parse_heap("12XB").is_err());
        assert!(parse_heap("0MB").is_err());
        assert!(parse_heap("").is_err());
    }

    #[test]
    fn duration_values() {
        use std::time::Duration;
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_mins(10)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_mins(90)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("1e99").is_err());
    }

    #[test]
    fn encoding_values() {
        assert_eq!(parse_encoding("gbk").unwrap(), encoding_rs::GBK);
        assert_eq!(parse_encoding("GB18030").unwrap(), encoding_rs::GB18030);
        assert_eq!(parse_encoding("utf8").unwrap(), encoding_rs::UTF_8);
        assert!(parse_encoding("klingon").unwrap_err().contains("unknown encoding"));
    }

    #[test]
    fn sort_values() {
        for name in SORTS {
            assert!(parse_sort(name).is_ok(), "{name}");
        }
        assert_eq!(parse_sort("newest"), Ok(Sort::Newest));
        assert!(parse_sort("random").is_err());
    }
}
