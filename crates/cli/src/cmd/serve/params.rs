//! Query-string parameters, parsed strictly: invalid UTF-8, unknown or
//! repeated parameters and out-of-range values are errors that name the
//! parameter, never silently replaced or ignored.

use wenku::{Query, SearchRequest, Sort};

use super::Limits;
use super::error::ApiError;
use crate::flags::{SORTS, parse_encoding, parse_sort, parse_time};

/// `name=value` pairs of a query string, percent-decoded (`+` is a space).
pub(crate) fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let Some(query) = query else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let name = decode(name).map_err(|()| {
            ApiError::bad_request("a parameter name in the query string is not valid UTF-8")
        })?;
        let value = decode(value).map_err(|()| {
            ApiError::bad_request(format!(
                "parameter '{name}' is not valid UTF-8 (percent-encode the UTF-8 bytes of the text)"
            ))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

/// Percent-decoding with `+` as a space; `Err` when the bytes are not UTF-8.
fn decode(s: &str) -> Result<String, ()> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (b.get(i + 1).and_then(|&c| hex(c)), b.get(i + 2).and_then(|&c| hex(c))) {
                    (Some(high), Some(low)) => {
                        out.push(high * 16 + low);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ())
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// The parameters of one endpoint, each taken at most once.
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `query`, rejecting any parameter not in `known` and any given
    /// twice.
    pub(crate) fn parse(query: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let pairs = pairs(query)?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter '{}' (known: {})",
                    name.escape_debug(),
                    known.join(", ")
                )));
            }
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::bad_request(format!("parameter '{name}' is given twice")));
            }
        }
        Ok(Params { pairs })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A whole number, `default` when absent.
    fn number(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| {
                ApiError::bad_request(format!(
                    "parameter '{name}': expected a whole number, found '{}'",
                    v.escape_debug()
                ))
            }),
        }
    }

    /// `true`/`false`/`1`/`0`, or the bare name (`&facets`) for true.
    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("" | "true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "parameter '{name}': expected true or false, found '{}'",
                v.escape_debug()
            ))),
        }
    }

    /// A time (`now`, `as_of`).
    pub(crate) fn time(&self, name: &str) -> Result<Option<jiff::Timestamp>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_time(v).map_err(|e| ApiError::bad_request(format!("parameter '{name}': {e}")))
            })
            .transpose()
    }

    /// An encoding label.
    pub(crate) fn encoding(
        &self,
        name: &str,
    ) -> Result<Option<&'static encoding_rs::Encoding>, ApiError> {
        self.get(name)
            .map(|v| {
                parse_encoding(v)
                    .map_err(|e| ApiError::bad_request(format!("parameter '{name}': {e}")))
            })
            .transpose()
    }
}

/// Parameters of `GET /search`.
pub(crate) const SEARCH_PARAMS: [&str; 7] =
    ["q", "limit", "offset", "sort", "facets", "explain", "now"];

/// `GET /search` parameters → the facade request, within `limits`.
pub(crate) fn search_request(
    query: Option<&str>,
    limits: &Limits,
) -> Result<SearchRequest, ApiError> {
    let p = Params::parse(query, &SEARCH_PARAMS)?;
    let q = p.get("q").ok_or_else(|| ApiError::bad_request("missing parameter 'q' (the query)"))?;
    if q.trim().is_empty() {
        return Err(ApiError::bad_request("parameter 'q' is empty: type a query"));
    }
    let chars = q.chars().count();
    if chars > limits.max_query_chars {
        return Err(ApiError::bad_request(format!(
            "query too long: {chars} characters, at most {}",
            limits.max_query_chars
        )));
    }
    let limit = p.number("limit", 10)?;
    if limit > limits.max_limit {
        return Err(ApiError::bad_request(format!(
            "parameter 'limit': at most {} hits per request",
            limits.max_limit
        )));
    }
    let offset = p.number("offset", 0)?;
    if offset.saturating_add(limit) > limits.max_window {
        return Err(ApiError::bad_request(format!(
            "result window too deep: offset + limit is at most {} (refine the query instead)",
            limits.max_window
        )));
    }
    let sort: Sort = match p.get("sort") {
        None | Some("") => Sort::Relevance,
        Some(s) => parse_sort(s).map_err(|_| {
            ApiError::bad_request(format!(
                "parameter 'sort': unknown order '{}' (one of {})",
                s.escape_debug(),
                SORTS.join(", ")
            ))
        })?,
    };
    // a malformed query: 400 with its position
    let query = Query::parse(q).map_err(wenku::Error::from)?;
    let mut req = SearchRequest::new(query)
        .limit(limit)
        .offset(offset)
        .sort(sort)
        .facets(p.flag("facets")?)
        .explain(p.flag("explain")?);
    req.now = p.time("now")?;
    Ok(req)
}

/// Parameters of `POST /listings`.
pub(crate) const POST_PARAMS: [&str; 3] = ["name", "as_of", "encoding"];

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const LIMITS: Limits = Limits {
        max_query_chars: 10,
        max_limit: 50,
        max_window: 100,
        max_body: 1 << 20,
        timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(1),
    };

    fn err(query: &str) -> String {
        match search_request(Some(query), &LIMITS) {
            Ok(r) => panic!("accepted {query}: {r:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("%E5%88%A9%E7%94%A8%E7%8E%87+GPU"), Ok("利用率 GPU".into()));
        assert_eq!(decode("a%2Bb%25"), Ok("a+b%".into()));
        // a stray % is kept as written
        assert_eq!(decode("100%"), Ok("100%".into()));
        assert_eq!(decode("%zz%4"), Ok("%zz%4".into()));
        assert_eq!(decode("%FF%FE"), Err(()));
        assert_eq!(decode("%E5%88"), Err(()));
    }

    #[test]
    fn a_search() {
        let r = search_request(
            Some(
                "q=%E5%88%A9%E7%94%A8%E7%8E%87&limit=5&offset=10&sort=newest&facets&explain=false",
            ),
            &LIMITS,
        )
        .unwrap();
        assert_eq!(r.query.text(), "利用率");
        assert_eq!((r.limit, r.offset, r.sort), (5, 10, Sort::Newest));
        assert!(r.facets && !r.explain);
        let r = search_request(Some("q=x&now=2026-08-26"), &LIMITS).unwrap();
        assert_eq!(r.now, Some(jiff::Timestamp::from_second(1_787_702_400).unwrap()));
        assert_eq!(search_request(Some("q=x"), &LIMITS).unwrap().limit, 10);
    }

    #[test]
    fn bad_searches_name_the_problem() {
        assert!(err("").contains("missing parameter 'q'"));
        assert!(err("q=+++").contains("empty"));
        assert!(err("q=x&colour=red").contains("unknown parameter 'colour'"));
        assert!(err("q=x&q=y").contains("given twice"));
        assert!(err("q=%FF").contains("not valid UTF-8"));
        assert!(err("q=12345678901").contains("query too long: 11 characters"));
        assert!(err("q=x&limit=ten").contains("expected a whole number, found 'ten'"));
        assert!(err("q=x&limit=-1").contains("whole number"));
        assert!(err("q=x&limit=51").contains("at most 50"));
        assert!(err("q=x&offset=60&limit=50").contains("result window"));
        assert!(err("q=x&offset=18446744073709551615&limit=50").contains("result window"));
        assert!(err("q=x&sort=random").contains("unknown order 'random'"));
        assert!(err("q=x&facets=maybe").contains("true or false"));
        assert!(err("q=x&now=soon").contains("parameter 'now'"));
    }
}
