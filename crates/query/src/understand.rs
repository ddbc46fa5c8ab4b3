//! Catalog conditions typed in plain words: `500页以上`, `20KB以上`,
//! `2025年`, `最新版`, `免费`.
//!
//! A condition is recognised in a whitespace-separated chunk of the folded
//! query (full-width digits and letters are ASCII by then): the whole chunk,
//! or the end of a chunk for the numeric forms and `最新版`
//! (`错误处理5页以上` is `错误处理` plus a page condition). What is
//! recognised is taken out of the text and applied as a filter or an order;
//! the rest is searched as words. The forms are listed in
//! `docs/query-language.md`.

use std::sync::OnceLock;

use jiff::civil::Date;
use regex::Regex;
use serde::Serialize;

use crate::parse::{Expr, Filter, ParseError, fold, parse_chars};

/// A condition read from the query's words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The words as typed (after full-width folding): `500页以上`.
    pub text: String,
    /// What they were read as, in the query language where it has an
    /// equivalent (`pages:>=500`, `size:>=20KB`), in words otherwise.
    pub meaning: String,
    /// The condition itself.
    #[serde(skip)]
    pub kind: ConditionKind,
}

/// What a [`Condition`] does.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionKind {
    /// A metadata filter (pages, size, price).
    Filter(Filter),
    /// Listings whose age allows a publication time in `[from, to)` (Unix
    /// seconds; `None`: unbounded): `1 年前` seen in August 2026 allows
    /// any time from August 2024 to August 2025, so it matches both `2024年`
    /// and `2025年`.
    Published {
        /// Start of the period.
        from: Option<i64>,
        /// End of the period (exclusive).
        to: Option<i64>,
    },
    /// The newest of the best matches first (`最新`, `最新版`, `最近`).
    Newest,
}

/// A query split into its conditions and the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Understanding {
    /// The query language part; `None` when the query was only conditions.
    pub expr: Option<Expr>,
    /// Conditions read from plain words, in query order.
    pub conditions: Vec<Condition>,
}

/// Reads catalog conditions out of `query`, then parses the rest with
/// [`crate::parse()`].
///
/// # Errors
/// A [`ParseError`] for the rest of the query.
pub fn understand(query: &str) -> Result<Understanding, ParseError> {
    let mut chars = fold(query);
    let mut conditions = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let end = chars[i..].iter().position(|c| c.is_whitespace()).map_or(chars.len(), |n| i + n);
        let chunk: String = chars[i..end].iter().collect();
        if let Some((at, cond)) = condition(&chunk) {
            let from = i + chunk[..at].chars().count();
            chars[from..end].iter_mut().for_each(|c| *c = ' ');
            conditions.push(cond);
        }
        i = end;
    }
    let expr = if chars.iter().all(|c| c.is_whitespace()) && !conditions.is_empty() {
        None
    } else {
        Some(parse_chars(&chars)?)
    };
    Ok(Understanding { expr, conditions })
}

struct Patterns {
    pages: Regex,
    size: Regex,
    year: Regex,
    recent: Regex,
}

const MORE: &[&str] = &["大于", "超过", "多于", "高于"];
const AT_LEAST: &[&str] = &["至少", "不少于", "不低于"];
const LESS: &[&str] = &["小于", "少于", "低于", "不到"];
const AT_MOST: &[&str] = &["不超过", "至多", "最多", "不大于"];

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let pre = [MORE, AT_LEAST, LESS, AT_MOST].concat().join("|");
        let post = "以上|以下|以内|之内|左右";
        let re = |s: String| Regex::new(&s).expect("valid pattern");
        Patterns {
            pages: re(format!(r"(?:({pre}))?([0-9]{{1,7}})页({post})?$")),
            size: re(format!(
                r"(?:({pre}))?([0-9]{{1,7}}(?:\.[0-9]{{1,3}})?)((?i:kb|k|mb|m|gb|g|b)|兆)({post})?$"
            )),
            year: re(
                r"(?:^|[^0-9])((?:19|20)[0-9][0-9])年(以后|之后|以来|后|以前|之前|前)?$".into()
            ),
            recent: re(r"近([0-9]{1,2}|一|两|二|三|半)(年|个月)$".into()),
        }
    })
}

/// The condition at the end of `chunk` (or the whole chunk): its byte
/// offset in `chunk` and what it means.
fn condition(chunk: &str) -> Option<(usize, Condition)> {
    const NEWEST_WHOLE: &[&str] = &["最新", "最新的", "最近", "最近的", "最新版", "最新版本"];
    const NEWEST_SUFFIX: &[&str] = &["最新版本", "最新版"];
    let newest = || Condition {
        text: String::new(),
        meaning: "newest first among the best matches".into(),
        kind: ConditionKind::Newest,
    };
    if NEWEST_WHOLE.contains(&chunk) {
        return Some((0, Condition { text: chunk.into(), ..newest() }));
    }
    if let Some(s) = NEWEST_SUFFIX.iter().find(|s| chunk.ends_with(**s)) {
        let at = chunk.len() - s.len();
        return Some((at, Condition { text: (*s).into(), ..newest() }));
    }
    if matches!(chunk, "免费" | "免费的") {
        let kind = ConditionKind::Filter(Filter::Price(Included(0), Excluded(1)));
        return Some((0, Condition { text: chunk.into(), meaning: "price:0".into(), kind }));
    }
    use std::ops::Bound::{Excluded, Included, Unbounded};
    if !chunk.bytes().any(|b| b.is_ascii_digit()) && !chunk.contains('近') {
        return None;
    }
    let p = patterns();
    if let Some(c) = p.pages.captures(chunk) {
        let (pre, post) = (c.get(1).map(|m| m.as_str()), c.get(3).map(|m| m.as_str()));
        let n: u64 = c[2].parse().ok()?;
        let (lo, hi) = bounds(pre, post, n)?;
        let m = c.get(0)?;
        let meaning = format!("pages:{}", show(lo, hi, |v| v.to_string()));
        let kind = ConditionKind::Filter(Filter::Pages(lo, hi));
        return Some((m.start(), Condition { text: m.as_str().into(), meaning, kind }));
    }
    if let Some(c) = p.size.captures(chunk) {
        let (pre, post) = (c.get(1).map(|m| m.as_str()), c.get(4).map(|m| m.as_str()));
        let v: f64 = c[2].parse().ok()?;
        let unit = c[3].to_ascii_lowercase();
        let mult: f64 = match unit.as_str() {
            "b" => 1.0,
            "k" | "kb" => 1024.0,
            "g" | "gb" => 1024.0 * 1024.0 * 1024.0,
            _ => 1024.0 * 1024.0,
        };
        let (lo, hi) = bounds(pre, post, (v * mult).round() as u64)?;
        let m = c.get(0)?;
        let meaning = format!("size:{}", show(lo, hi, human_size));
        let kind = ConditionKind::Filter(Filter::Size(lo, hi));
        return Some((m.start(), Condition { text: m.as_str().into(), meaning, kind }));
    }
    if let Some(c) = p.year.captures(chunk) {
        let y: i16 = c[1].parse().ok()?;
        let start = year_start(y)?;
        let end = year_start(y + 1)?;
        let (from, to, meaning) = match c.get(2).map(|m| m.as_str()) {
            None => (Some(start), Some(end), format!("published in {y} (as far as the age tells)")),
            Some("以前" | "之前" | "前") => {
                (None, Some(start), format!("published before {y} (as far as the age tells)"))
            }
            Some(_) => {
                (Some(start), None, format!("published in {y} or later (as far as the age tells)"))
            }
        };
        let m = c.get(1)?;
        let text = chunk[m.start()..].to_string();
        return Some((
            m.start(),
            Condition { text, meaning, kind: ConditionKind::Published { from, to } },
        ));
    }
    if let Some(c) = p.recent.captures(chunk) {
        let n: f64 = match &c[1] {
            "一" => 1.0,
            "两" | "二" => 2.0,
            "三" => 3.0,
            "半" => 0.5,
            d => d.parse().ok()?,
        };
        let days = if &c[2] == "年" { n * 365.0 } else { n * 30.0 };
        let secs = (days * 86_400.0) as i64;
        let m = c.get(0)?;
        let kind = ConditionKind::Filter(Filter::Age(Unbounded, Excluded(secs)));
        let meaning = format!("age:<{}d", days as i64);
        return Some((m.start(), Condition { text: m.as_str().into(), meaning, kind }));
    }
    None
}

type Range = (std::ops::Bound<u64>, std::ops::Bound<u64>);

/// Bounds for `n` with a prefix (`大于`) or a suffix (`以上`); `None`
/// without either (a bare `500页` is text).
fn bounds(pre: Option<&str>, post: Option<&str>, n: u64) -> Option<Range> {
    use std::ops::Bound::{Excluded, Included, Unbounded};
    let is = |set: &[&str], s: Option<&str>| s.is_some_and(|s| set.contains(&s));
    Some(if is(MORE, pre) {
        (Excluded(n), Unbounded)
    } else if is(AT_LEAST, pre) || post == Some("以上") {
        (Included(n), Unbounded)
    } else if is(LESS, pre) {
        (Unbounded, Excluded(n))
    } else if is(AT_MOST, pre) || matches!(post, Some("以下" | "以内" | "之内")) {
        (Unbounded, Included(n))
    } else if post == Some("左右") {
        (Included(n * 4 / 5), Included(n * 6 / 5))
    } else {
        return None;
    })
}

/// `>=500`, `<20KB`, `400..600` in the query language.
fn show(lo: std::ops::Bound<u64>, hi: std::ops::Bound<u64>, f: impl Fn(u64) -> String) -> String {
    use std::ops::Bound::{Excluded, Included, Unbounded};
    match (lo, hi) {
        (Included(a), Unbounded) => format!(">={}", f(a)),
        (Excluded(a), Unbounded) => format!(">{}", f(a)),
        (Unbounded, Included(b)) => format!("<={}", f(b)),
        (Unbounded, Excluded(b)) => format!("<{}", f(b)),
        (Included(a), Included(b)) => format!("{}..{}", f(a), f(b)),
        _ => String::new(),
    }
}

fn human_size(b: u64) -> String {
    const K: u64 = 1024;
    match b {
        b if b >= K * K * K && b % (K * K * K) == 0 => format!("{}GB", b / (K * K * K)),
        b if b >= K * K && b % (K * K) == 0 => format!("{}MB", b / (K * K)),
        b if b >= K && b % K == 0 => format!("{}KB", b / K),
        b => format!("{b}B"),
    }
}

fn year_start(y: i16) -> Option<i64> {
    let d = Date::new(y, 1, 1).ok()?;
    Some(d.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use std::ops::Bound::{Included, Unbounded};

    use super::*;

    fn read(q: &str) -> (Option<Expr>, Vec<(String, String)>) {
        let u = understand(q).unwrap();
        (u.expr, u.conditions.into_iter().map(|c| (c.text, c.meaning)).collect())
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.into(), b.into())
    }

    #[test]
    fn page_and_size_conditions() {
        let (e, c) = read("错误处理 500页以上");
        assert_eq!(e, Some(crate::parse("错误处理").unwrap()));
        assert_eq!(c, [pair("500页以上", "pages:>=500")]);
        assert_eq!(read("错误处理５页以上").1, [pair("5页以上", "pages:>=5")]);
        assert_eq!(read("a 大于 100页").1, []); // the prefix must touch the number's chunk
        assert_eq!(read("a 大于100页").1, [pair("大于100页", "pages:>100")]);
        assert_eq!(read("a 300页左右").1, [pair("300页左右", "pages:240..360")]);
        assert_eq!(read("a 20KB以上").1, [pair("20KB以上", "size:>=20KB")]);
        assert_eq!(read("a ２ＭＢ以下").1, [pair("2MB以下", "size:<=2MB")]);
        assert_eq!(read("a 小于1.5mb").1, [pair("小于1.5mb", "size:<1536KB")]);
        // a bare number with a unit is text
        assert_eq!(read("a 500页").1, []);
        assert_eq!(read("a 5MB").1, []);
        let u = understand("a 20KB以上").unwrap();
        assert_eq!(
            u.conditions[0].kind,
            ConditionKind::Filter(Filter::Size(Included(20480), Unbounded))
        );
    }

    #[test]
    fn year_newest_free_recent() {
        let u = understand("有效 括号 2025年").unwrap();
        assert_eq!(u.expr, Some(crate::parse("有效 括号").unwrap()));
        let ConditionKind::Published { from: Some(a), to: Some(b) } = u.conditions[0].kind else {
            panic!("{:?}", u.conditions)
        };
        assert_eq!((a, b), (1_735_689_600, 1_767_225_600));
        let u = understand("a 2024年以后").unwrap();
        assert!(matches!(
            u.conditions[0].kind,
            ConditionKind::Published { from: Some(_), to: None }
        ));
        assert_eq!(read("参考手册 最新").1, [pair("最新", "newest first among the best matches")]);
        assert_eq!(read("参考手册最新版").1[0].0, "最新版");
        // 最近 inside a title word is text: 最近公共祖先
        assert_eq!(read("最近公共祖先").1, []);
        assert_eq!(read("a 免费").1, [pair("免费", "price:0")]);
        assert_eq!(read("a 近两年").1, [pair("近两年", "age:<730d")]);
        // only conditions: everything, filtered
        assert_eq!(read("500页以上").0, None);
        // a version or a year without 年 is text
        assert_eq!(read("python 2025").1, []);
    }
}
