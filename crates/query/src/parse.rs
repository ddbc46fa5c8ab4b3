//! The query language: text → [`Expr`].
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary+                      (juxtaposition is AND)
//! unary   := "-" atom | atom
//! atom    := "(" or ")" | PHRASE | FIELD ":" (PHRASE | WORD | "(" or ")") | FILTER | WORD
//! FILTER  := ("pages" | "price" | "size" | "age" | "published") ":" RANGE
//! RANGE   := (">" | ">=" | "<" | "<=")? VALUE | VALUE ".." VALUE | VALUE ".." | ".." VALUE
//! ```
//!
//! Every character is folded with NFKC before it is looked at, so
//! full-width punctuation (`（`, `＂`, `：`, `－`) and the ideographic space
//! work like their ASCII forms. Positions in errors count characters of the
//! query as typed, starting at 1.

use std::fmt;
use std::ops::Bound;

use jiff::civil::Date;
use unicode_normalization::UnicodeNormalization;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Words (`性能优化`, `sys.breakpointhook`) or a quoted phrase: the
    /// analysed tokens must occur together, in order.
    Text(TextExpr),
    /// A filter on listing metadata.
    Filter(Filter),
    /// Documents not matching the inner expression.
    Not(Box<Expr>),
    /// All must match.
    And(Vec<Expr>),
    /// At least one must match.
    Or(Vec<Expr>),
}

/// Text to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextExpr {
    /// Restrict to one field (`title:`, `snippet:`); `None` means both.
    pub field: Option<TextField>,
    /// The text as typed (without quotes).
    pub text: String,
    /// Whether it was quoted.
    pub phrase: bool,
}

/// Text fields a term can be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// `title:`
    Title,
    /// `snippet:`
    Snippet,
}

/// A filter on listing metadata. Bounds are as written; [`Filter::Age`]
/// and [`Filter::Published`] are resolved to timestamps when the query is
/// compiled (ages are relative to the time of the search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `pages:` page count.
    Pages(Bound<u64>, Bound<u64>),
    /// `price:` price in 码力.
    Price(Bound<u64>, Bound<u64>),
    /// `size:` size in bytes.
    Size(Bound<u64>, Bound<u64>),
    /// `age:` age in seconds (`age:<1y`: younger than a year).
    Age(Bound<i64>, Bound<i64>),
    /// `published:` publication time in Unix seconds.
    Published(Bound<i64>, Bound<i64>),
}

/// A malformed query: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based character position in the query as typed.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid query at character {}: {}", self.position, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a query.
///
/// # Errors
/// A [`ParseError`] naming the problem and its character position.
pub fn parse(query: &str) -> Result<Expr, ParseError> {
    let chars = fold(query);
    let tokens = lex(&chars)?;
    let mut p = Parser { tokens, i: 0, end: chars.len() };
    if p.tokens.is_empty() {
        return Err(err(1, "the query is empty"));
    }
    let e = p.or()?;
    if let Some(t) = p.peek() {
        return Err(match t.kind {
            Kind::RParen => err(t.pos, "unbalanced ')': there is no '(' before it"),
            _ => err(t.pos, "unexpected input"),
        });
    }
    Ok(e)
}

fn err(position: usize, message: impl Into<String>) -> ParseError {
    ParseError { position, message: message.into() }
}

/// NFKC per character when it gives a single character (full-width forms,
/// ideographic space); other characters are kept.
fn fold(query: &str) -> Vec<char> {
    query
        .chars()
        .map(|c| {
            if c.is_ascii() {
                return c;
            }
            let mut it = std::iter::once(c).nfkc();
            match (it.next(), it.next()) {
                (Some(n), None) => n,
                _ => c,
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    LParen,
    RParen,
    Minus,
    Or,
    /// A quoted phrase.
    Phrase(String),
    /// `name:` directly followed by something.
    Field(String),
    Word(String),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// 1-based char position.
    pos: usize,
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn lex(chars: &[char]) -> Result<Vec<Tok>, ParseError> {
    let mut out = Vec::new();
    let mut i = 0;
    // true where a term may start (after space, '(' , '-', field prefix)
    let mut term_start = true;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if is_space(c) {
            i += 1;
            term_start = true;
            continue;
        }
        match c {
            '(' => {
                out.push(Tok { kind: Kind::LParen, pos });
                i += 1;
                term_start = true;
            }
            ')' => {
                out.push(Tok { kind: Kind::RParen, pos });
                i += 1;
                term_start = false;
            }
            '"' => {
                let close = chars[i + 1..].iter().position(|&d| d == '"');
                let Some(len) = close else {
                    return Err(err(pos, "unbalanced quote: this '\"' is never closed"));
                };
                let text: String = chars[i + 1..i + 1 + len].iter().collect();
                out.push(Tok { kind: Kind::Phrase(text), pos });
                i += len + 2;
                term_start = false;
            }
            '-' if term_start && chars.get(i + 1).is_some_and(|&d| !is_space(d) && d != ')') => {
                out.push(Tok { kind: Kind::Minus, pos });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_space(chars[i]) && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                term_start = false;
                if word == "OR" {
                    out.push(Tok { kind: Kind::Or, pos });
                    term_start = true;
                    continue;
                }
                if let Some(colon) = word.find(':') {
                    let name = &word[..colon];
                    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic()) {
                        out.push(Tok { kind: Kind::Field(name.to_ascii_lowercase()), pos });
                        let rest = &word[colon + 1..];
                        if !rest.is_empty() {
                            let rest_pos = pos + name.chars().count() + 1;
                            out.push(Tok { kind: Kind::Word(rest.to_string()), pos: rest_pos });
                        }
                        term_start = true;
                        continue;
                    }
                }
                out.push(Tok { kind: Kind::Word(word), pos });
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    i: usize,
    /// Number of characters (for end-of-input positions).
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.i).cloned();
        self.i += 1;
        t
    }

    fn end_pos(&self) -> usize {
        self.end + 1
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        if let Some(t) = self.peek().filter(|t| t.kind == Kind::Or) {
            return Err(err(t.pos, "OR needs a term on its left"));
        }
        let mut alts = vec![self.and()?];
        while let Some(t) = self.peek().filter(|t| t.kind == Kind::Or) {
            let pos = t.pos;
            self.next();
            match self.peek() {
                None => return Err(err(pos, "OR needs a term on its right")),
                Some(t) if matches!(t.kind, Kind::Or | Kind::RParen) => {
                    return Err(err(pos, "OR needs a term on its right"));
                }
                _ => {}
            }
            alts.push(self.and()?);
        }
        Ok(if alts.len() == 1 { alts.pop().unwrap() } else { Expr::Or(alts) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = Vec::new();
        while let Some(t) = self.peek() {
            if matches!(t.kind, Kind::Or | Kind::RParen) {
                break;
            }
            items.push(self.unary()?);
        }
        match items.len() {
            0 => {
                let pos = self.peek().map_or(self.end_pos(), |t| t.pos);
                Err(err(pos, "expected a search term"))
            }
            1 => Ok(items.pop().unwrap()),
            _ => Ok(Expr::And(items)),
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek().is_some_and(|t| t.kind == Kind::Minus) {
            self.next();
            return Ok(Expr::Not(Box::new(self.atom()?)));
        }
        self.atom()
    }

    fn group(&mut self, open: usize) -> Result<Expr, ParseError> {
        if self.peek().is_some_and(|t| t.kind == Kind::RParen) {
            return Err(err(open, "empty parentheses"));
        }
        let e = self.or()?;
        match self.next() {
            Some(Tok { kind: Kind::RParen, .. }) => Ok(e),
            _ => Err(err(open, "unbalanced parenthesis: this '(' is never closed")),
        }
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let Some(t) = self.next() else {
            return Err(err(self.end_pos(), "expected a search term at the end of the query"));
        };
        match t.kind {
            Kind::LParen => self.group(t.pos),
            Kind::Phrase(text) => Ok(text_expr(None, text, true)),
            Kind::Word(w) => Ok(text_expr(None, w, false)),
            Kind::Field(name) => self.field(&name, t.pos),
            Kind::Minus => Err(err(t.pos, "'-' must be followed by a term")),
            Kind::Or => Err(err(t.pos, "OR needs a term on its left")),
            Kind::RParen => Err(err(t.pos, "unbalanced ')': there is no '(' before it")),
        }
    }

    fn field(&mut self, name: &str, pos: usize) -> Result<Expr, ParseError> {
        let text_field = match name {
            "title" => Some(TextField::Title),
            "snippet" => Some(TextField::Snippet),
            "pages" | "price" | "size" | "age" | "published" => None,
            _ => {
                return Err(err(
                    pos,
                    format!(
                        "unknown field '{name}:' (fields: title, snippet, pages, price, size, age, published); put the term in quotes to search for it as text"
                    ),
                ));
            }
        };
        let Some(t) = self.next() else {
            return Err(err(pos, format!("'{name}:' needs a value")));
        };
        if let Some(field) = text_field {
            return match t.kind {
                Kind::Word(w) => Ok(text_expr(Some(field), w, false)),
                Kind::Phrase(p) => Ok(text_expr(Some(field), p, true)),
                Kind::LParen => {
                    let inner = self.group(t.pos)?;
                    Ok(restrict(inner, field))
                }
                _ => Err(err(pos, format!("'{name}:' needs a value"))),
            };
        }
        match t.kind {
            Kind::Word(w) => parse_filter(name, &w, t.pos).map(Expr::Filter),
            _ => Err(err(t.pos, format!("'{name}:' needs a value such as {}", example(name)))),
        }
    }
}

fn text_expr(field: Option<TextField>, text: String, phrase: bool) -> Expr {
    Expr::Text(TextExpr { field, text, phrase })
}

/// Applies a field restriction to every text term of `e`.
fn restrict(e: Expr, field: TextField) -> Expr {
    match e {
        Expr::Text(mut t) => {
            t.field = Some(field);
            Expr::Text(t)
        }
        Expr::Not(inner) => Expr::Not(Box::new(restrict(*inner, field))),
        Expr::And(v) => Expr::And(v.into_iter().map(|e| restrict(e, field)).collect()),
        Expr::Or(v) => Expr::Or(v.into_iter().map(|e| restrict(e, field)).collect()),
        f @ Expr::Filter(_) => f,
    }
}

fn example(name: &str) -> &'static str {
    match name {
        "pages" => "'pages:>100' or 'pages:50..300'",
        "price" => "'price:0' or 'price:<5'",
        "size" => "'size:<5MB' or 'size:>=1GB'",
        "age" => "'age:<1y' or 'age:2w..3m'",
        _ => "'published:>=2024-01-01' or 'published:2023'",
    }
}

/// A value kind: parses one literal into the interval `[lo, hi)` it denotes.
type Literal<T> = fn(&str) -> Option<(T, T)>;

fn parse_filter(name: &str, value: &str, pos: usize) -> Result<Filter, ParseError> {
    match name {
        "pages" => range(name, value, pos, count).map(|(a, b)| Filter::Pages(a, b)),
        "price" => range(name, value, pos, count).map(|(a, b)| Filter::Price(a, b)),
        "size" => range(name, value, pos, size).map(|(a, b)| Filter::Size(a, b)),
        "age" => range(name, value, pos, age).map(|(a, b)| Filter::Age(a, b)),
        _ => range(name, value, pos, date).map(|(a, b)| Filter::Published(a, b)),
    }
}

/// Parses `>v`, `>=v`, `<v`, `<=v`, `v`, `a..b`, `a..`, `..b`. A literal
/// denotes an interval `[lo, hi)` (a whole day for `2024-01-01`, a whole
/// year for `1y` as an age), so `<=2024` includes all of 2024.
fn range<T: Copy + fmt::Debug>(
    name: &str,
    value: &str,
    pos: usize,
    lit: Literal<T>,
) -> Result<(Bound<T>, Bound<T>), ParseError> {
    let bad = |at: usize, what: &str| {
        err(at, format!("expected {} after '{name}:', found '{what}'", describe(name)))
    };
    let (op, rest) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("", value));
    let rest_pos = pos + op.chars().count();
    if op.is_empty()
        && let Some((a, b)) = value.split_once("..")
    {
        let lo = if a.is_empty() {
            Bound::Unbounded
        } else {
            Bound::Included(lit(a).ok_or_else(|| bad(pos, a))?.0)
        };
        let b_pos = pos + a.chars().count() + 2;
        let hi = if b.is_empty() {
            Bound::Unbounded
        } else {
            Bound::Excluded(lit(b).ok_or_else(|| bad(b_pos, b))?.1)
        };
        if a.is_empty() && b.is_empty() {
            return Err(bad(pos, value));
        }
        return Ok((lo, hi));
    }
    if rest.is_empty() {
        return Err(err(
            rest_pos,
            format!("'{name}:{op}' needs a value such as {}", example(name)),
        ));
    }
    let (lo, hi) = lit(rest).ok_or_else(|| bad(rest_pos, rest))?;
    Ok(match op {
        ">" => (Bound::Included(hi), Bound::Unbounded),
        ">=" => (Bound::Included(lo), Bound::Unbounded),
        "<" => (Bound::Unbounded, Bound::Excluded(lo)),
        "<=" => (Bound::Unbounded, Bound::Excluded(hi)),
        _ => (Bound::Included(lo), Bound::Excluded(hi)),
    })
}

fn describe(name: &str) -> &'static str {
    match name {
        "pages" | "price" => "a whole number",
        "size" => "a size with a unit (B, KB, MB, GB, TB)",
        "age" => "an age with a unit (h, d, w, m, y)",
        _ => "a date (YYYY, YYYY-MM or YYYY-MM-DD)",
    }
}

fn count(s: &str) -> Option<(u64, u64)> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u64 = s.parse().ok()?;
    Some((v, v.checked_add(1)?))
}

fn split_unit(s: &str) -> Option<(f64, String)> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = s.split_at(split);
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
        return None;
    }
    Some((num.parse().ok()?, unit.to_ascii_lowercase()))
}

fn size(s: &str) -> Option<(u64, u64)> {
    let (v, unit) = split_unit(s)?;
    let mult: f64 = match unit.as_str() {
        "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0f64.powi(4),
        _ => return None,
    };
    let bytes = (v * mult).round();
    if !(0.0..1.8e19).contains(&bytes) {
        return None;
    }
    // A size literal is a point: `size:<5MB` means below 5 MiB exactly.
    Some((bytes as u64, bytes as u64 + 1))
}

fn age(s: &str) -> Option<(i64, i64)> {
    let (v, unit) = split_unit(s)?;
    const DAY: f64 = 86_400.0;
    let secs: f64 = match unit.as_str() {
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => 7.0 * DAY,
        "m" | "month" | "months" => 30.0 * DAY,
        "y" | "year" | "years" => 365.0 * DAY,
        _ => return None,
    };
    let lo = v * secs;
    if !(0.0..1e12).contains(&lo) {
        return None;
    }
    // `age:1y` means "1 年前" as the site writes it: at least one year,
    // less than two.
    Some((lo as i64, (lo + secs) as i64))
}

fn date(s: &str) -> Option<(i64, i64)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse::<i16>().ok())?
    };
    let (start, end) = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            (Date::new(y, 1, 1).ok()?, Date::new(y.checked_add(1)?, 1, 1).ok()?)
        }
        [y, m] => {
            let d = Date::new(num(y, 4)?, num(m, 2)? as i8, 1).ok()?;
            (d, d.checked_add(jiff::Span::new().months(1)).ok()?)
        }
        [y, m, d] => {
            let d = Date::new(num(y, 4)?, num(m, 2)? as i8, num(d, 2)? as i8).ok()?;
            (d, d.tomorrow().ok()?)
        }
        _ => return None,
    };
    let secs =
        |d: Date| d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second());
    Some((secs(start)?, secs(end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(t: &str) -> Expr {
        text_expr(None, t.to_string(), false)
    }

    #[test]
    fn juxtaposition_is_and_with_or_and_not() {
        assert_eq!(
            parse("性能 优化 OR 调优 -java").unwrap(),
            Expr::Or(vec![
                Expr::And(vec![word("性能"), word("优化")]),
                Expr::And(vec![word("调优"), Expr::Not(Box::new(word("java")))]),
            ])
        );
    }

    #[test]
    fn phrases_fields_and_groups() {
        assert_eq!(
            parse(r#"title:"标准库 参考" snippet:(a OR b)"#).unwrap(),
            Expr::And(vec![
                text_expr(Some(TextField::Title), "标准库 参考".into(), true),
                Expr::Or(vec![
                    text_expr(Some(TextField::Snippet), "a".into(), false),
                    text_expr(Some(TextField::Snippet), "b".into(), false),
                ]),
            ])
        );
    }

    #[test]
    fn fullwidth_punctuation_and_ideographic_space() {
        assert_eq!(parse("ＴｉＤＢ　（ａ）").unwrap(), Expr::And(vec![word("TiDB"), word("a")]));
        assert_eq!(parse("pages：＞１００").unwrap(), parse("pages:>100").unwrap());
    }

    #[test]
    fn hyphen_inside_a_word_is_not_negation() {
        assert_eq!(parse("utf-8").unwrap(), word("utf-8"));
    }

    #[test]
    fn filters() {
        use Bound::*;
        assert_eq!(
            parse("pages:>100").unwrap(),
            Expr::Filter(Filter::Pages(Included(101), Unbounded))
        );
        assert_eq!(
            parse("pages:50..300").unwrap(),
            Expr::Filter(Filter::Pages(Included(50), Excluded(301)))
        );
        assert_eq!(
            parse("price:0").unwrap(),
            Expr::Filter(Filter::Price(Included(0), Excluded(1)))
        );
        assert_eq!(
            parse("size:<5MB").unwrap(),
            Expr::Filter(Filter::Size(Unbounded, Excluded(5 << 20)))
        );
        assert_eq!(
            parse("size:>=1GB").unwrap(),
            Expr::Filter(Filter::Size(Included(1 << 30), Unbounded))
        );
        assert_eq!(
            parse("age:<1y").unwrap(),
            Expr::Filter(Filter::Age(Unbounded, Excluded(365 * 86_400)))
        );
        let Expr::Filter(Filter::Published(Included(lo), Unbounded)) =
            parse("published:>=2024-01-01").unwrap()
        else {
            panic!()
        };
        assert_eq!(lo, 1_704_067_200);
        let Expr::Filter(Filter::Published(Unbounded, Excluded(hi))) =
            parse("published:<=2023").unwrap()
        else {
            panic!()
        };
        assert_eq!(hi, 1_704_067_200);
    }

    /// (query, expected error text) — asserted on the Display text users see.
    const ERRORS: &[(&str, &str)] = &[
        ("", "invalid query at character 1: the query is empty"),
        ("   ", "invalid query at character 1: the query is empty"),
        (
            "pages:>abc",
            "invalid query at character 8: expected a whole number after 'pages:', found 'abc'",
        ),
        ("a \"b c", "invalid query at character 3: unbalanced quote: this '\"' is never closed"),
        ("(a b", "invalid query at character 1: unbalanced parenthesis: this '(' is never closed"),
        ("a b)", "invalid query at character 4: unbalanced ')': there is no '(' before it"),
        ("a OR", "invalid query at character 3: OR needs a term on its right"),
        ("OR a", "invalid query at character 1: OR needs a term on its left"),
        (
            "size:<5",
            "invalid query at character 7: expected a size with a unit (B, KB, MB, GB, TB) after 'size:', found '5'",
        ),
        (
            "published:2024-13-01",
            "invalid query at character 11: expected a date (YYYY, YYYY-MM or YYYY-MM-DD) after 'published:', found '2024-13-01'",
        ),
        ("pages:", "invalid query at character 1: 'pages:' needs a value"),
        (
            "foo:bar",
            "invalid query at character 1: unknown field 'foo:' (fields: title, snippet, pages, price, size, age, published); put the term in quotes to search for it as text",
        ),
        ("()", "invalid query at character 1: empty parentheses"),
        (
            "age:..",
            "invalid query at character 5: expected an age with a unit (h, d, w, m, y) after 'age:', found '..'",
        ),
    ];

    #[test]
    fn error_messages() {
        for (q, want) in ERRORS {
            let got = parse(q).expect_err(q).to_string();
            assert_eq!(&got, want, "help: query {q:?}");
        }
    }
}
