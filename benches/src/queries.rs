//! The fixed query mix of the latency measurements.
//!
//! Queries are built from the titles of the dev corpus (which the generated
//! catalogs recombine), segmented with jieba's default cut, with a seeded
//! [`Rng`]: the same corpus and seed give the same mix. Kinds, out of 200:
//!
//! | kind | count | example |
//! | --- | --- | --- |
//! | `zh1`, `zh2`, `zh3` | 30, 30, 20 | 1–3 Chinese words of a title |
//! | `mixed` | 30 | an ASCII word of a title plus 1–2 of its Chinese words |
//! | `phrase` | 25 | two adjacent words of a title, quoted |
//! | `filtered` | 65 | one of the above plus a metadata filter |
//!
//! Each query has a wenku form (wenku's query language) and a baseline form
//! for tantivy's `QueryParser`: the same text part, and the filter written
//! as a tantivy range on the baseline's fast fields (`pages:>100`,
//! `size_bytes:<5242880`, `price:[0 TO 0]`, `published:>2025-…Z`), which is
//! what a developer would translate by hand.

use jieba_rs::Jieba;
use wenku_listing::is_han;

use crate::corpus::SeedListing;
use crate::rng::Rng;

/// One query of the mix.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    /// `zh1`, `zh2`, `zh3`, `mixed`, `phrase`, or `filtered`.
    pub kind: &'static str,
    /// In wenku's query language.
    pub wenku: String,
    /// In tantivy's query grammar over the baseline schema.
    pub baseline: String,
}

/// (wenku filter, baseline filter), relative to the capture time
/// `2026-08-26T08:00:00Z` of the generated catalogs.
const FILTERS: [(&str, &str); 5] = [
    ("pages:>10", "pages:>10"),
    ("size:<5MB", "size_bytes:<5242880"),
    ("price:0", "price:[0 TO 0]"),
    ("age:<1y", "published:>2025-08-26T08:00:00Z"),
    ("pages:>100 size:>1MB", "pages:>100 AND size_bytes:>1048576"),
];

fn is_zh_word(w: &str) -> bool {
    w.chars().count() >= 2 && w.chars().all(is_han)
}

fn is_ascii_word(w: &str) -> bool {
    w.len() >= 2
        && w.bytes().all(|b| b.is_ascii_alphanumeric())
        && w.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Words of one title.
struct Cut {
    /// Chinese words in title order, with their index in the cut.
    zh: Vec<(usize, String)>,
    ascii: Vec<String>,
}

fn cut(jieba: &Jieba, title: &str) -> Cut {
    let words = jieba.cut(title, false);
    let mut zh = Vec::new();
    let mut ascii = Vec::new();
    for (i, w) in words.iter().map(|t| t.word).enumerate() {
        if is_zh_word(w) {
            zh.push((i, w.to_string()));
        } else if is_ascii_word(w) {
            ascii.push(w.to_string());
        }
    }
    Cut { zh, ascii }
}

/// `k` distinct Chinese words of `c` (in title order), if it has them.
fn pick_words(rng: &mut Rng, c: &Cut, k: usize) -> Option<Vec<String>> {
    let mut uniq: Vec<&String> = Vec::new();
    for (_, w) in &c.zh {
        if !uniq.contains(&w) {
            uniq.push(w);
        }
    }
    if uniq.len() < k {
        return None;
    }
    let start = rng.below((uniq.len() - k + 1) as u64) as usize;
    Some(uniq[start..start + k].iter().copied().cloned().collect())
}

/// A text query of `kind` from a random title, if that title allows it.
fn text_query(rng: &mut Rng, jieba: &Jieba, seeds: &[SeedListing], kind: &str) -> String {
    loop {
        let s = rng.pick(seeds);
        let c = cut(jieba, &s.title);
        let q = match kind {
            "zh1" => pick_words(rng, &c, 1).map(|w| w.join(" ")),
            "zh2" => pick_words(rng, &c, 2).map(|w| w.join(" ")),
            "zh3" => pick_words(rng, &c, 3).map(|w| w.join(" ")),
            "mixed" if !c.ascii.is_empty() => {
                let a = rng.pick(&c.ascii).clone();
                let k = rng.range(1, 2) as usize;
                pick_words(rng, &c, k).or_else(|| pick_words(rng, &c, 1)).map(|w| {
                    let mut all = vec![a];
                    all.extend(w);
                    all.join(" ")
                })
            }
            "phrase" => {
                let pairs: Vec<_> = c.zh.windows(2).filter(|p| p[1].0 == p[0].0 + 1).collect();
                (!pairs.is_empty()).then(|| {
                    let p = rng.pick(&pairs);
                    format!("\"{}{}\"", p[0].1, p[1].1)
                })
            }
            _ => None,
        };
        if let Some(q) = q {
            return q;
        }
    }
}

/// The mix of `n` queries (200 in the runner) in a fixed order.
pub fn query_mix(seeds: &[SeedListing], jieba: &Jieba, n: usize, seed: u64) -> Vec<BenchQuery> {
    const PLAN: [(&str, usize); 6] =
        [("zh1", 30), ("zh2", 30), ("zh3", 20), ("mixed", 30), ("phrase", 25), ("filtered", 65)];
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    let mut filter_i = 0;
    while out.len() < n {
        for (kind, count) in PLAN {
            let count = (count * n).div_ceil(200);
            for _ in 0..count {
                if out.len() == n {
                    break;
                }
                if kind == "filtered" {
                    let base = *rng.pick(&["zh1", "zh2", "mixed", "phrase"]);
                    let text = text_query(&mut rng, jieba, seeds, base);
                    let (wf, bf) = FILTERS[filter_i % FILTERS.len()];
                    filter_i += 1;
                    out.push(BenchQuery {
                        kind,
                        wenku: format!("{text} {wf}"),
                        baseline: format!("({text}) AND {bf}"),
                    });
                } else {
                    let text = text_query(&mut rng, jieba, seeds, kind);
                    out.push(BenchQuery { kind, wenku: text.clone(), baseline: text });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_deterministic_and_sized() {
        let seeds = vec![
            SeedListing {
                title: "Python 标准库参考指南 机器学习性能优化".into(),
                snippet: String::new(),
                snippet_raw: None,
                traditional: false,
            },
            SeedListing {
                title: "TiDB 数据库 集群 部署 拓扑 结构".into(),
                snippet: String::new(),
                snippet_raw: None,
                traditional: false,
            },
        ];
        let jieba = Jieba::new();
        let a = query_mix(&seeds, &jieba, 200, 1);
        assert_eq!(a.len(), 200);
        let b = query_mix(&seeds, &jieba, 200, 1);
        assert!(a.iter().zip(&b).all(|(x, y)| x.wenku == y.wenku && x.baseline == y.baseline));
        assert_eq!(a.iter().filter(|q| q.kind == "filtered").count(), 65);
        assert!(a.iter().any(|q| q.wenku.starts_with('"')));
    }
}
