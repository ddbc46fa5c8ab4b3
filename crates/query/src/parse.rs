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

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 32;
/// Most terms (words, phrases, filters) accepted in one query.
pub const MAX_TERMS: usize = 128;

/// Parses a query.
///
/// The explicit syntax (`"phrase"`, `-not`, `OR`, `( )`, `field:`) is read
/// only where it is syntax, so that pasted text never breaks a query:
/// punctuation that analyses to nothing (`—`, `[`, `·`) makes no term,
/// brackets and quotes that do not balance are text, `-` negates only at the
/// start of a term that has something to search for, `OR` without a term on
/// both sides is the word `or`, and `name:` is a field prefix only for a
/// known field name.
///
/// # Errors
/// A [`ParseError`] naming the problem and its character position: an
/// empty query, a query with nothing to search for, a malformed filter
/// value (`pages:>abc`), or a query beyond [`MAX_QUERY_CHARS`],
/// [`MAX_DEPTH`] or [`MAX_TERMS`].
pub fn parse(query: &str) -> Result<Expr, ParseError> {
    parse_chars(&fold(query))
}

/// [`parse`] of already folded characters.
pub(crate) fn parse_chars(chars: &[char]) -> Result<Expr, ParseError> {
    if chars.len() > MAX_QUERY_CHARS {
        return Err(err(
            MAX_QUERY_CHARS + 1,
            format!(
                "the query is too long ({} characters; at most {MAX_QUERY_CHARS})",
                chars.len()
            ),
        ));
    }
    if chars.iter().all(|c| is_space(*c)) {
        return Err(err(1, "the query is empty"));
    }
    let tokens = lex(chars)?;
    if tokens.is_empty() {
        return Err(err(1, "the query has nothing to search for (only punctuation)"));
    }
    let terms = tokens.iter().filter(|t| !matches!(t.kind, Kind::LParen | Kind::RParen)).count();
    if terms > MAX_TERMS {
        return Err(err(1, format!("the query has too many terms ({terms}; at most {MAX_TERMS})")));
    }
    let mut p = Parser { tokens, i: 0, end: chars.len(), depth: 0 };
    let e = p.or()?;
    if let Some(t) = p.peek() {
        return Err(err(t.pos, "unexpected input"));
    }
    Ok(e)
}

fn err(position: usize, message: impl Into<String>) -> ParseError {
    ParseError { position, message: message.into() }
}

/// NFKC per character when it gives a single character (full-width forms,
/// ideographic space); other characters are kept. Control characters
/// become spaces.
pub(crate) fn fold(query: &str) -> Vec<char> {
    query
        .chars()
        .map(|c| {
            if c.is_control() {
                return ' ';
            }
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
    /// `name:` (a known field name) directly followed by something.
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

/// Whether `s` has anything the analyzer makes a token of.
fn searchable(s: &[char]) -> bool {
    s.iter().any(|c| c.is_alphanumeric())
}

const FIELDS: [&str; 7] = ["title", "snippet", "pages", "price", "size", "age", "published"];

/// Which `(`, `)` and `"` of `chars` are syntax: a quote that has a closing
/// quote after it (and the closing one), a `(` where a term may start that
/// has a matching `)`, with something searchable between them.
fn syntax_marks(chars: &[char]) -> Vec<bool> {
    let mut mark = vec![false; chars.len()];
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let term_start =
            i == 0 || is_space(chars[i - 1]) || matches!(chars[i - 1], '(' | '-' | ':');
        match c {
            '"' => {
                if let Some(len) = chars[i + 1..].iter().position(|&d| d == '"') {
                    mark[i] = true;
                    mark[i + 1 + len] = true;
                    i += len + 2;
                    continue;
                }
            }
            '(' if term_start => open.push(i),
            ')' => {
                if let Some(o) = open.pop()
                    && searchable(&chars[o + 1..i])
                {
                    mark[o] = true;
                    mark[i] = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // a '(' whose ')' is text is text too (checked above); unclosed ones stay text
    mark
}

fn lex(chars: &[char]) -> Result<Vec<Tok>, ParseError> {
    let mark = syntax_marks(chars);
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
            '(' if mark[i] => {
                out.push(Tok { kind: Kind::LParen, pos });
                i += 1;
                term_start = true;
            }
            ')' if mark[i] => {
                out.push(Tok { kind: Kind::RParen, pos });
                i += 1;
                term_start = false;
            }
            '"' if mark[i] => {
                let len = chars[i + 1..].iter().position(|&d| d == '"').unwrap_or(0);
                let inner = &chars[i + 1..i + 1 + len];
                if searchable(inner) {
                    out.push(Tok { kind: Kind::Phrase(inner.iter().collect()), pos });
                }
                i += len + 2;
                term_start = false;
            }
            '-' if term_start && negates(chars, &mark, i + 1) => {
                out.push(Tok { kind: Kind::Minus, pos });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !is_space(chars[i])
                    && !(mark[i] && matches!(chars[i], '(' | ')' | '"'))
                {
                    i += 1;
                }
                let word = &chars[start..i];
                term_start = false;
                if word == ['O', 'R'] {
                    out.push(Tok { kind: Kind::Or, pos });
                    term_start = true;
                    continue;
                }
                if let Some(colon) = word.iter().position(|&c| c == ':') {
                    let name: String =
                        word[..colon].iter().collect::<String>().to_ascii_lowercase();
                    let rest = &word[colon + 1..];
                    let value_follows = !rest.is_empty()
                        || chars.get(i).is_some_and(|&c| mark[i] && matches!(c, '(' | '"'));
                    if FIELDS.contains(&name.as_str()) && value_follows {
                        out.push(Tok { kind: Kind::Field(name.clone()), pos });
                        if !rest.is_empty() {
                            let rest_pos = pos + colon + 1;
                            out.push(Tok {
                                kind: Kind::Word(rest.iter().collect()),
                                pos: rest_pos,
                            });
                        }
                        term_start = true;
                        continue;
                    }
                    if ["pages", "price", "size", "age", "published"].contains(&name.as_str()) {
                        return Err(err(pos, format!("'{name}:' needs a value")));
                    }
                }
                if searchable(word) {
                    out.push(Tok { kind: Kind::Word(word.iter().collect()), pos });
                }
            }
        }
    }
    Ok(demote_stray_ors(out))
}

/// Whether a `-` before `chars[at..]` negates: the term after it has
/// something to search for (or is a group or a phrase).
fn negates(chars: &[char], mark: &[bool], at: usize) -> bool {
    match chars.get(at) {
        None => false,
        Some(&c) if mark[at] && matches!(c, '(' | '"') => true,
        Some(_) => {
            let end = chars[at..].iter().position(|&c| is_space(c)).map_or(chars.len(), |n| at + n);
            searchable(&chars[at..end])
        }
    }
}

/// An `OR` without a term on its left or its right is the word `OR`.
fn demote_stray_ors(mut toks: Vec<Tok>) -> Vec<Tok> {
    let n = toks.len();
    for k in 0..n {
        if toks[k].kind != Kind::Or {
            continue;
        }
        let left_ok = k > 0
            && !matches!(toks[k - 1].kind, Kind::Or | Kind::LParen | Kind::Minus | Kind::Field(_));
        let right_ok = k + 1 < n && !matches!(toks[k + 1].kind, Kind::Or | Kind::RParen);
        if !(left_ok && right_ok) {
            toks[k].kind = Kind::Word("OR".into());
        }
    }
    toks
}

struct Parser {
    tokens: Vec<Tok>,
    i: usize,
    /// Number of characters (for end-of-input positions).
    end: usize,
    /// Parentheses open at this point.
    depth: usize,
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
        if self.depth == MAX_DEPTH {
            return Err(err(open, format!("parentheses nested too deeply (at most {MAX_DEPTH})")));
        }
        if self.peek().is_some_and(|t| t.kind == Kind::RParen) {
            return Err(err(open, "empty parentheses"));
        }
        self.depth += 1;
        let e = self.or()?;
        self.depth -= 1;
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
        // the lexer emits only the names of FIELDS
        let text_field = match name {
            "title" => Some(TextField::Title),
            "snippet" => Some(TextField::Snippet),
            _ => None,
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
            "— [ ] ·",
            "invalid query at character 1: the query has nothing to search for (only punctuation)",
        ),
        (
            "pages:>abc",
            "invalid query at character 8: expected a whole number after 'pages:', found 'abc'",
        ),
        (
            "size:<5",
            "invalid query at character 7: expected a size with a unit (B, KB, MB, GB, TB) after 'size:', found '5'",
        ),
        (
            "published:2024-13-01",
            "invalid query at character 11: expected a date (YYYY, YYYY-MM or YYYY-MM-DD) after 'published:', found '2024-13-01'",
        ),
        ("a pages:", "invalid query at character 3: 'pages:' needs a value"),
        (
            "age:..",
            "invalid query at character 5: expected an age with a unit (h, d, w, m, y) after 'age:', found '..'",
        ),
    ];

    /// Pasted text parses as the words it contains: stray brackets, quotes,
    /// dashes and operators are text, unknown `name:` prefixes are words.
    #[test]
    fn pasted_text_is_text() {
        let and = |v: &[&str]| Expr::And(v.iter().map(|w| word(w)).collect());
        assert_eq!(
            parse("代码对象 — Python 3.11 文档").unwrap(),
            and(&["代码对象", "Python", "3.11", "文档"])
        );
        assert_eq!(
            parse("[ torch 参数更多 ]torch.special.erf").unwrap(),
            and(&["torch", "参数更多", "]torch.special.erf"])
        );
        assert_eq!(
            parse("ｍａｉｌｂｏｘ　－－－　操纵多种格式的邮箱").unwrap(),
            and(&["mailbox", "操纵多种格式的邮箱"])
        );
        assert_eq!(parse("nix registry - 管理").unwrap(), and(&["nix", "registry", "管理"]));
        assert_eq!(parse("a \"b c").unwrap(), and(&["a", "\"b", "c"]));
        assert_eq!(parse("(a b").unwrap(), and(&["(a", "b"]));
        assert_eq!(parse("a b)").unwrap(), and(&["a", "b)"]));
        assert_eq!(parse("sys.breakpointhook()").unwrap(), word("sys.breakpointhook()"));
        assert_eq!(parse("a OR").unwrap(), and(&["a", "OR"]));
        assert_eq!(parse("OR a").unwrap(), and(&["OR", "a"]));
        assert_eq!(parse("foo:bar").unwrap(), word("foo:bar"));
        assert_eq!(parse("email.iterators: 迭代器").unwrap(), and(&["email.iterators:", "迭代器"]));
        // syntax still works where it is syntax
        assert_eq!(
            parse("-(a OR b) c").unwrap(),
            Expr::And(vec![Expr::Not(Box::new(Expr::Or(vec![word("a"), word("b")]))), word("c"),])
        );
    }

    /// Hostile input gets a clear error or a bounded answer, never a stack
    /// overflow.
    #[test]
    fn hostile_queries_are_bounded() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("too long"));
        let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).unwrap_err().message.contains("nested too deeply"));
        let ors = vec!["a"; 200].join(" OR ");
        assert!(parse(&ors).unwrap_err().message.contains("too many terms"));
        assert!(parse(&"x".repeat(1 << 20)).unwrap_err().message.contains("too long"));
        assert_eq!(
            parse("a\u{0}\u{7}b\tc").unwrap(),
            Expr::And(vec![word("a"), word("b"), word("c")])
        );
    }

    #[test]
    fn error_messages() {
        for (q, want) in ERRORS {
            let got = parse(q).expect_err(q).to_string();
            assert_eq!(&got, want, "help: query {q:?}");
        }
    }
}
