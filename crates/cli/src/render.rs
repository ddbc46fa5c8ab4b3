//! How hits, facets and listings look to people: plain text, styled on a
//! terminal. The JSON shapes are in `json.rs`.

use std::fmt::Write as _;
use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use wenku::listing::AgeUnit;
use wenku::{Facets, Highlighted, Hit, Listing, SearchResults, Understood};

/// Styles of the plain output (stripped by `anstream` when piped).
struct Styles {
    rank: Style,
    title: Style,
    title_match: Style,
    snippet_match: Style,
    meta: Style,
}

const STYLES: Styles = Styles {
    rank: Style::new().green(),
    title: Style::new().bold(),
    title_match: Style::new().bold().red(),
    snippet_match: Style::new().bold().red(),
    meta: Style::new().dimmed(),
};

/// Writes `h.text` with each span in `hit` style and the rest in `base`.
fn write_highlighted(
    w: &mut dyn Write,
    h: &Highlighted,
    base: Style,
    hit: Style,
) -> io::Result<()> {
    let mut at = 0;
    for s in &h.spans {
        write!(w, "{}", (&h.text[at..s.start]).style(base))?;
        write!(w, "{}", (&h.text[s.start..s.end]).style(hit))?;
        at = s.end;
    }
    write!(w, "{}", (&h.text[at..]).style(base))
}

/// `1 listing`, `2 listings`.
pub(crate) fn count(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// `12,345`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 年前`, as written on catalog pages.
pub(crate) fn age_text(l: &Listing) -> String {
    let unit = match l.age.unit {
        AgeUnit::Second => "秒",
        AgeUnit::Min => "分钟",
        AgeUnit::Hour => "小时",
        AgeUnit::Day => "天",
        AgeUnit::Week => "周",
        AgeUnit::Month => "月",
        AgeUnit::Year => "年",
    };
    format!("{} {unit}前", l.age.value)
}

/// `2025-03-07` (UTC).
pub(crate) fn date(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%d").to_string()
}

/// `38 页 · 2.25 MB · 2025-03-07 · 免费 · page.txt:1 · 3 copies`
pub(crate) fn meta_line(l: &Listing, dup_count: u32) -> String {
    let when = l.published.map_or_else(|| age_text(l), date);
    let price = if l.price == 0 { "免费".to_string() } else { format!("{} 码力", l.price) };
    let mut line = format!(
        "{} 页 · {} · {when} · {price} · {}:{}",
        l.pages, l.size_text, l.source.file, l.source.line
    );
    if dup_count > 1 {
        // writing to a String cannot fail
        let _ = write!(line, " · {dup_count} copies");
    }
    line
}

/// The plain page of results: a header, then each hit as rank and title,
/// metadata line, snippet (and the score's parts with `explain`).
pub(crate) fn write_hits_plain(
    w: &mut dyn Write,
    results: &SearchResults,
    offset: usize,
    explain: bool,
) -> io::Result<()> {
    let total = results.total as u64;
    let noun = if total == 1 { "match" } else { "matches" };
    if results.hits.is_empty() || results.hits.len() as u64 == total {
        writeln!(w, "{} {noun}", thousands(total))?;
    } else {
        let first = offset + 1;
        let last = offset + results.hits.len();
        writeln!(w, "{} {noun}, showing {first}–{last}", thousands(total))?;
    }
    for line in understood_lines(&results.understood, explain) {
        writeln!(w, "{}", line.style(STYLES.meta))?;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(w)?;
        write_hit_plain(w, offset + i + 1, hit, explain)?;
    }
    Ok(())
}

/// What the search read into the query, one line per kind; the optional
/// (filler) words only with `explain`.
pub(crate) fn understood_lines(u: &Understood, explain: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !u.conditions.is_empty() {
        let c: Vec<String> =
            u.conditions.iter().map(|c| format!("{} → {}", c.text, c.meaning)).collect();
        out.push(format!("read as: {}", c.join("; ")));
    }
    if explain && !u.optional.is_empty() {
        out.push(format!("optional words: {}", u.optional.join(" ")));
    }
    if !u.by_reading.is_empty() {
        out.push(format!(
            "also matched by pinyin reading: {} (listings found only that way come after the exact matches)",
            u.by_reading.join(" ")
        ));
    }
    if let Some(r) = &u.relaxed {
        out.push(format!(
            "no listing has all {} words ({}): showing listings with at least {}",
            r.of,
            r.words.join(" "),
            r.matched
        ));
    }
    if let Some(c) = &u.emptied_by {
        out.push(format!("nothing matches with the condition {c}; there are matches without it"));
    }
    out
}

fn write_hit_plain(w: &mut dyn Write, rank: usize, hit: &Hit, explain: bool) -> io::Result<()> {
    let label = format!("{rank:>2}.");
    let indent = " ".repeat(label.len() + 1);
    write!(w, "{} ", label.style(STYLES.rank))?;
    write_highlighted(w, &hit.title, STYLES.title, STYLES.title_match)?;
    writeln!(w)?;
    writeln!(w, "{indent}{}", meta_line(&hit.listing, hit.dup_count).style(STYLES.meta))?;
    if !hit.snippet.text.is_empty() {
        write!(w, "{indent}")?;
        write_highlighted(w, &hit.snippet, Style::new(), STYLES.snippet_match)?;
        writeln!(w)?;
    }
    if explain {
        match &hit.explanation {
            Some(e) => writeln!(
                w,
                "{indent}{}",
                format!(
                    "score {:.4} = bm25 {:.4} (title {:.4} + title grams {:.4} + snippet {:.4}) × age {:.4} × size {:.4}",
                    e.score, e.bm25, e.bm25_title, e.bm25_title_grams, e.bm25_snippet, e.age_factor, e.size_factor
                )
                .style(STYLES.meta)
            )?,
            None => writeln!(w, "{indent}score {:.4}", hit.score)?,
        }
    }
    Ok(())
}

/// Facet counts as two lines.
pub(crate) fn write_facets_plain(w: &mut dyn Write, facets: &Facets) -> io::Result<()> {
    let size: Vec<String> =
        facets.size.iter().map(|(label, n)| format!("{label} {}", thousands(*n))).collect();
    let year: Vec<String> =
        facets.year.iter().map(|(y, n)| format!("{y} {}", thousands(*n))).collect();
    writeln!(w, "by size: {}", size.join(" · "))?;
    writeln!(w, "by year: {}", if year.is_empty() { "-".into() } else { year.join(" · ") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku::Span;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn highlighted_plain_is_the_text() {
        let h = Highlighted {
            text: "GPU利用率".into(),
            spans: vec![Span { start: 3, end: 12, char_start: 3, char_end: 6 }],
        };
        let mut out = Vec::new();
        write_highlighted(&mut out, &h, Style::new(), Style::new()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "GPU利用率");
        let mut out = Vec::new();
        write_highlighted(&mut out, &h, Style::new(), Style::new().bold()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "GPU\x1b[1m利用率\x1b[0m");
    }
}
