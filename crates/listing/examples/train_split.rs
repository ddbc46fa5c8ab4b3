//! Train the title/snippet boundary scorer (`src/boundary.rs`) on a corpus
//! with a truth file, report its accuracy three ways, and write the
//! weights. The one command that retrains what ships:
//!
//! ```text
//! cargo run --release -p wenku-listing --example train_split -- \
//!     ../shared/corpus/dev --write crates/listing/src/boundary_weights.txt
//! ```
//!
//! `--profile NAME` measures with a bundled split profile (the shipped
//! weights are trained without one). Environment: `WENKU_SHOW_ERRORS=1`
//! prints the held-out misses, `WENKU_SHOW_RULE_ERRORS=1` the rules'
//! misses, `WENKU_ABLATE=a,b` leaves feature templates out,
//! `WENKU_SHOW_PRICE_ERRORS=1` the price misses, `WENKU_SEED=k` other
//! shuffles (the spread over seeds is the learner's noise),
//! `WENKU_SPLIT_AS_READ=1` learns catalog evidence in reading order only.
//!
//! The corpus directory holds `pages/` and `truth.jsonl` (one record per
//! listing line, in page and line order, with `page_file`, `line`,
//! `title`, `snippet`, `price` and `source_repo`). Only lines that no
//! reliable rule splits reach the scorer, so only those train it; the
//! reliable rules' own accuracy is printed too. The table gives, per
//! source, the split (title and snippet exact) in-sample, held out by
//! pages and leave-one-source-out (trained without any line, real or
//! synthetic, of the tested source), and the price per source.
//!
//! Model: averaged structured perceptron over the candidates of a line
//! (the gold candidate is the one whose title equals the truth). Held-out
//! accuracy: K folds of contiguous page ranges (result sets are runs of
//! consecutive pages, so most near-duplicates of a listing fall in its own
//! fold), trained on the other folds.

use std::collections::HashMap;
use std::path::PathBuf;

use wenku_listing::train::{self, Memory};
use wenku_listing::{CatalogReader, Item, ParseOptions, Profile};

const EPOCHS: usize = 12;
/// Perceptrons averaged, each over its own shuffle of the examples (a
/// smoother model: 89.77 % leave-one-source-out against 89.43 with one).
const RUNS: u64 = 5;
const FOLDS: usize = 5;

/// What is measured of one corpus line.
struct LineEval {
    source: usize,
    fold: usize,
    /// (title right, title and snippet right) when a rule split it.
    reliable: Option<(bool, bool)>,
    /// The scorer example, and whether its gold end gives the right
    /// snippet too.
    example: Option<(usize, bool)>,
    price_ok: bool,
}

/// Lines right per source, titles and whole splits.
struct Tally {
    title: Vec<usize>,
    split: Vec<usize>,
}

fn tally<'w>(
    lines: &[LineEval],
    examples: &[Example],
    n_sources: usize,
    weights_for: impl Fn(&LineEval) -> &'w [f32],
) -> Tally {
    let mut t = Tally { title: vec![0; n_sources], split: vec![0; n_sources] };
    for l in lines {
        let (title, split) = match (l.reliable, l.example) {
            (Some(r), _) => r,
            (None, Some((i, snippet_ok))) => {
                let right = argmax(&examples[i], weights_for(l)) == examples[i].gold;
                (right, right && snippet_ok)
            }
            (None, None) => (false, false),
        };
        t.title[l.source] += title as usize;
        t.split[l.source] += split as usize;
    }
    t
}

struct Example {
    /// Fold by page range.
    fold: usize,
    /// Index of the truth's `source_repo` (leave-one-source-out).
    source: usize,
    /// Byte offset of each candidate end.
    ends: Vec<usize>,
    /// Features (interned) of each candidate.
    cands: Vec<Vec<u32>>,
    gold: usize,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A corpus line that no reliable rule splits: the scorer's real input.
    Scored,
    /// Made from a line a reliable rule splits (its title, then a later
    /// window of its text); no truth involved.
    Synthetic,
}

/// Synthetic examples per reliably split line.
const SYNTHETIC: usize = 4;

/// xorshift64: deterministic runs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "../shared/corpus/dev".into()));
    let mut write: Option<PathBuf> = None;
    let mut profile = None;
    while let Some(a) = args.next() {
        if a == "--write" {
            write = args.next().map(PathBuf::from);
        } else if a == "--profile" {
            let name = args.next().expect("a profile name");
            profile = Some(Profile::bundled(&name).expect("a bundled profile"));
        }
    }
    let truth: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("truth.jsonl"))
        .expect("read truth.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("truth line"))
        .collect();
    let opts = ParseOptions {
        as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()),
        profile,
        ..Default::default()
    };
    let listings: Vec<_> = CatalogReader::open(&[dir.join("pages")], opts)
        .expect("open pages")
        .filter_map(|i| match i {
            Ok(Item::Listing(l)) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(listings.len(), truth.len(), "listings vs truth records");
    let pages: Vec<&str> = {
        let mut p: Vec<&str> = truth.iter().map(|t| t["page_file"].as_str().unwrap()).collect();
        p.dedup();
        p
    };
    let page_index: HashMap<&str, usize> = pages.iter().enumerate().map(|(i, p)| (*p, i)).collect();

    let sources: Vec<&str> = {
        let mut s: Vec<&str> = truth.iter().map(|t| t["source_repo"].as_str().unwrap()).collect();
        s.sort_unstable();
        s.dedup();
        s
    };
    let source_of = |t: &serde_json::Value| {
        sources.iter().position(|s| *s == t["source_repo"].as_str().unwrap()).unwrap()
    };

    let mut interner: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut memory = Memory::default();
    let mut examples = Vec::new();
    // Per corpus line: its source, page fold, the reliable end (if a rule
    // or the memory split it), the scorer example (if it reached the
    // scorer with a candidate equal to the truth), and whether a given end
    // is right for the title and for title + snippet.
    let mut lines: Vec<LineEval> = Vec::new();
    let mut bodies = Vec::new();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let synthetic: usize =
        std::env::var("WENKU_SYNTHETIC").ok().and_then(|v| v.parse().ok()).unwrap_or(SYNTHETIC);
    let mut add =
        |body: &str, memory: &Memory, gold_title: &str, fold: usize, source: usize, kind: Kind| {
            let cands = train::candidates(body, Some(memory));
            let gold = cands.iter().position(|(e, _)| body[..*e].trim() == gold_title)?;
            let ends: Vec<usize> = cands.iter().map(|(e, _)| *e).collect();
            let gold_end = ends[gold];
            let cands = cands
                .into_iter()
                .map(|(_, fs)| {
                    fs.into_iter()
                        .map(|f| {
                            let n = interner.len() as u32;
                            *interner.entry(f.clone()).or_insert_with(|| {
                                names.push(f);
                                n
                            })
                        })
                        .collect()
                })
                .collect();
            examples.push(Example { fold, source, ends, cands, gold, kind });
            bodies.push(body.to_string());
            Some((examples.len() - 1, gold_end))
        };
    // The reader's first pass: the evidence of the whole catalog.
    if std::env::var_os("WENKU_SPLIT_AS_READ").is_none() {
        for l in &listings {
            train::reliable_end(train::body(&l.raw).expect("listing body"), &mut memory, profile);
        }
        memory.freeze();
    }
    for (l, t) in listings.iter().zip(&truth) {
        assert!(l.source.file.ends_with(t["page_file"].as_str().unwrap()));
        let gold_title = t["title"].as_str().unwrap();
        let gold_snippet = t
            .get("snippet_raw")
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| t["snippet"].as_str().unwrap());
        let body = train::body(&l.raw).expect("listing body");
        let fold = page_index[t["page_file"].as_str().unwrap()] * FOLDS / pages.len();
        let source = source_of(t);
        let judge = |end: usize| {
            let (ti, sn) = body.split_at(end);
            (ti.trim() == gold_title, ti.trim() == gold_title && sn.trim() == gold_snippet)
        };
        let mut eval = LineEval {
            source,
            fold,
            reliable: None,
            example: None,
            price_ok: u64::from(l.price) == t["price"].as_u64().unwrap(),
        };
        if !eval.price_ok && std::env::var_os("WENKU_SHOW_PRICE_ERRORS").is_some() {
            let text = &l.raw[..l.raw.rfind(" 码力 | ").unwrap_or(l.raw.len())];
            let tail: String =
                text.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            println!(
                "PRICE {} {}: …{tail}‖{} (truth {})",
                sources[source], t["page_file"], l.price, t["price"]
            );
        }
        if let Some(end) = train::reliable_end(body, &mut memory, profile) {
            eval.reliable = Some(judge(end));
            if std::env::var_os("WENKU_SHOW_RULE_ERRORS").is_some() && !judge(end).1 {
                let (ti, sn) = body.split_at(end);
                println!(
                    "  rule miss: want {gold_title:?}\n             got  {ti:?} | {:?}",
                    sn.chars().take(20).collect::<String>()
                );
            }
            // Synthetic hard cases from the rule's split (not the truth):
            // the same title followed by a window of the document that
            // starts after the title's repeat or further in.
            let title = body[..end].trim();
            let rest: Vec<char> = body[end..].trim().chars().collect();
            let skip = title.chars().count().min(rest.len());
            for i in 0..synthetic {
                let room = rest.len().saturating_sub(skip + 60);
                let k = if i == 0 || room == 0 { skip } else { skip + rng.below(room.min(400)) };
                let window: String = rest[k..].iter().collect();
                let window = window.trim_start();
                if window.chars().count() < 40 {
                    continue;
                }
                let sep = if rng.below(2) == 0 { " " } else { "" };
                add(
                    &format!("{title}{sep}{window}"),
                    &memory,
                    title,
                    fold,
                    source,
                    Kind::Synthetic,
                );
            }
        } else if let Some((i, gold_end)) =
            add(body, &memory, gold_title, fold, source, Kind::Scored)
        {
            // Whether the snippet is right too when the title is: the
            // gold candidate's split.
            eval.example = Some((i, judge(gold_end).1));
        }
        lines.push(eval);
    }
    let n = truth.len();
    let reliable = lines.iter().filter(|l| l.reliable.is_some()).count();
    let reliable_ok = lines.iter().filter(|l| l.reliable.is_some_and(|r| r.0)).count();
    let scored = examples.iter().filter(|e| e.kind == Kind::Scored).count();
    println!(
        "{n} lines: {reliable} split by reliable rules or memory ({reliable_ok} titles right, {:.2}%), \
         {scored} to the scorer, {} with no candidate equal to the truth",
        100.0 * reliable_ok as f64 / reliable as f64,
        n - reliable - scored
    );
    println!("{} features", names.len());

    // A catalog the weights never saw: `WENKU_EVAL=bundled` measures the
    // weights this binary was built with (no training) and stops.
    if std::env::var("WENKU_EVAL").is_ok_and(|v| v == "bundled") {
        let w: Vec<f32> = names.iter().map(|f| train::bundled_weight(f)).collect();
        if std::env::var_os("WENKU_SHOW_ERRORS").is_some() {
            for (e, b) in examples.iter().zip(&bodies).filter(|(e, _)| e.kind == Kind::Scored) {
                let p = argmax(e, &w);
                if p != e.gold {
                    let cut = |i: usize| {
                        let (t, s) = b.split_at(e.ends[i]);
                        format!("{}‖{}", t, s.chars().take(16).collect::<String>())
                    };
                    println!("    want {}\n    got  {}", cut(e.gold), cut(p));
                }
            }
        }
        let t = tally(&lines, &examples, sources.len(), |_| &w);
        for (s, name) in sources.iter().enumerate() {
            let n = lines.iter().filter(|l| l.source == s).count();
            let price = lines.iter().filter(|l| l.source == s && l.price_ok).count();
            println!(
                "{name}: {n} lines, split {} ({:.2} %), title {}, price {price}",
                t.split[s],
                100.0 * t.split[s] as f64 / n as f64,
                t.title[s]
            );
        }
        let ok: usize = t.split.iter().sum();
        println!("all: {n} lines, split {ok} ({:.2} %)", 100.0 * ok as f64 / n as f64);
        return;
    }
    // Which examples train: both kinds by default; WENKU_TRAIN=synthetic
    // or WENKU_TRAIN=scored for one.
    let which = std::env::var("WENKU_TRAIN").unwrap_or_default();
    let use_kind = |k: Kind| match which.as_str() {
        "synthetic" => k == Kind::Synthetic,
        "scored" => k == Kind::Scored,
        _ => true,
    };
    println!(
        "{} synthetic examples",
        examples.iter().filter(|e| e.kind == Kind::Synthetic).count()
    );
    let show = std::env::var_os("WENKU_SHOW_ERRORS").is_some();
    let show_errors = |w: &[f32], pick: &dyn Fn(&Example) -> bool| {
        for (e, b) in
            examples.iter().zip(&bodies).filter(|(e, _)| e.kind == Kind::Scored && pick(e))
        {
            let p = argmax(e, w);
            if p != e.gold {
                let cut = |i: usize| {
                    let (t, s) = b.split_at(e.ends[i]);
                    format!("{}‖{}", t, s.chars().take(16).collect::<String>())
                };
                println!("    want {}\n    got  {}", cut(e.gold), cut(p));
                if std::env::var_os("WENKU_SHOW_FEATURES").is_some() {
                    // The features that differ, by their weight difference.
                    let mut diff: HashMap<u32, f32> = HashMap::new();
                    for &f in &e.cands[e.gold] {
                        *diff.entry(f).or_default() += w[f as usize];
                    }
                    for &f in &e.cands[p] {
                        *diff.entry(f).or_default() -= w[f as usize];
                    }
                    let mut d: Vec<_> = diff.into_iter().filter(|(_, v)| v.abs() > 0.05).collect();
                    d.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
                    let show: Vec<String> = d
                        .iter()
                        .take(6)
                        .map(|(f, v)| format!("{}={v:.1}", names[*f as usize].replace('\t', "|")))
                        .collect();
                    println!("      gold-pred: {}", show.join("  "));
                }
            }
        }
    };
    // Three ways to measure: in-sample (trained on every line), held out
    // by pages (K folds of contiguous page ranges) and leave-one-source-out
    // (trained without the tested source's lines, real and synthetic).
    let mut tallies: Vec<(&str, Tally)> = Vec::new();
    let all = train(&examples, names.len(), |e| use_kind(e.kind));
    tallies.push(("in-sample", tally(&lines, &examples, sources.len(), |_| &all)));
    let mut held_out = |title: &'static str,
                        groups: usize,
                        of_example: fn(&Example) -> usize,
                        of_line: fn(&LineEval) -> usize| {
        let models: Vec<Vec<f32>> = (0..groups)
            .map(|k| train(&examples, names.len(), |e| of_example(e) != k && use_kind(e.kind)))
            .collect();
        if show {
            println!("{title} misses:");
            for (k, w) in models.iter().enumerate() {
                show_errors(w, &|e| of_example(e) == k);
            }
        }
        tallies.push((title, tally(&lines, &examples, sources.len(), |l| &models[of_line(l)])));
    };
    held_out("held out by pages", FOLDS, |e| e.fold, |l| l.fold);
    held_out("leave-one-source-out", sources.len(), |e| e.source, |l| l.source);
    println!();
    println!(
        "| source | lines | rules right | scorer lines | {} |",
        tallies.iter().map(|(n, _)| format!("split {n}")).collect::<Vec<_>>().join(" | ")
    );
    println!("| --- | ---: | ---: | ---: |{}", " ---: |".repeat(tallies.len()));
    for s in 0..=sources.len() {
        let name = sources.get(s).copied().unwrap_or("**all**");
        let pick = |l: &LineEval| s == sources.len() || l.source == s;
        let n = lines.iter().filter(|l| pick(l)).count();
        let rel = lines.iter().filter(|l| pick(l) && l.reliable.is_some()).count();
        let rel_ok = lines.iter().filter(|l| pick(l) && l.reliable.is_some_and(|r| r.1)).count();
        let cells: Vec<String> = tallies
            .iter()
            .map(|(_, t)| {
                let ok = if s == sources.len() { t.split.iter().sum() } else { t.split[s] };
                format!("{:.2} %", 100.0 * ok as f64 / n as f64)
            })
            .collect();
        println!("| {name} | {n} | {rel_ok} / {rel} | {} | {} |", n - rel, cells.join(" | "));
    }
    for (name, t) in &tallies {
        let total = t.title.iter().sum::<usize>();
        println!("title right, {name}: {total}/{n} = {:.2} %", 100.0 * total as f64 / n as f64);
    }
    // Price: no trained parameter, so one figure per source.
    let price: Vec<String> = (0..sources.len())
        .map(|s| {
            let of = lines.iter().filter(|l| l.source == s);
            format!("{} {}/{}", sources[s], of.clone().filter(|l| l.price_ok).count(), of.count())
        })
        .collect();
    println!(
        "price right: {}/{n} ({})",
        lines.iter().filter(|l| l.price_ok).count(),
        price.join(", ")
    );
    let w = all;
    let m = scored;
    if let Some(path) = write {
        let mut rows: Vec<(&str, f32)> = names
            .iter()
            .zip(&w)
            .filter(|(_, w)| w.abs() >= 0.005)
            .map(|(n, w)| (n.as_str(), *w))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = format!(
            "# Weights of the title/snippet boundary scorer (src/boundary.rs):\n\
             # weight<TAB>feature parts. Generated by examples/train_split.rs from\n\
             # ../shared/corpus/dev (averaged perceptron, no profile); do not edit\n\
             # by hand. The parser refuses weights of another schema.\n#schema\t{}\n",
            train::SCHEMA
        );
        for (name, w) in rows {
            out.push_str(&format!("{w:.3}\t{name}\n"));
        }
        std::fs::write(&path, out).expect("write weights");
        println!("wrote {}", path.display());
        // The written (rounded, pruned) weights decide like the trained ones.
        let text = std::fs::read_to_string(&path).unwrap();
        let agree = examples
            .iter()
            .zip(&bodies)
            .filter(|(e, _)| e.kind == Kind::Scored)
            .filter(|(e, b)| {
                train::best_end(b, Some(&memory), &text) == Some(e.ends[argmax(e, &w)])
            })
            .count();
        println!("written weights agree with the trained ones on {agree}/{m} lines");
    }
}

fn score(c: &[u32], w: &[f32]) -> f32 {
    c.iter().map(|&f| w[f as usize]).sum()
}

fn argmax(e: &Example, w: &[f32]) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (i, c) in e.cands.iter().enumerate() {
        let s = score(c, w);
        if s > best.0 {
            best = (s, i);
        }
    }
    best.1
}

/// Averaged structured perceptron over the examples `pick` selects.
fn train(examples: &[Example], dims: usize, pick: impl Fn(&Example) -> bool) -> Vec<f32> {
    let set: Vec<&Example> = examples.iter().filter(|e| pick(e)).collect();
    if std::env::var("WENKU_MODEL").is_ok_and(|m| m == "logit") {
        return train_logit(&set, dims);
    }
    let runs: u64 = std::env::var("WENKU_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS);
    // `WENKU_SEED=k` (k > 0) shuffles with other seeds: the spread of the
    // figures over seeds is the noise of the learner (0 = the default).
    let base: u64 = std::env::var("WENKU_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut sum = vec![0f32; dims];
    for r in 0..runs {
        let r = r + base * runs;
        let w = train_once(&set, dims, 0x9e37_79b9_7f4a_7c15 ^ r.wrapping_mul(0x2545_f491));
        for (s, w) in sum.iter_mut().zip(w) {
            *s += w / runs as f32;
        }
    }
    sum
}

/// One averaged perceptron over `set`, shuffled by `seed`.
fn train_once(set: &[&Example], dims: usize, seed: u64) -> Vec<f32> {
    let mut w = vec![0f32; dims];
    let mut u = vec![0f32; dims];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..set.len()).collect();
    let mut rng = Rng(seed);
    for _ in 0..EPOCHS {
        // Deterministic shuffle (xorshift).
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for &i in &order {
            let e = set[i];
            let p = argmax(e, &w);
            if p != e.gold {
                for &f in &e.cands[e.gold] {
                    w[f as usize] += 1.0;
                    u[f as usize] += c;
                }
                for &f in &e.cands[p] {
                    w[f as usize] -= 1.0;
                    u[f as usize] -= c;
                }
            }
            c += 1.0;
        }
    }
    w.iter().zip(&u).map(|(w, u)| w - u / c).collect()
}

/// A conditional log-linear model over the candidates of each example
/// (softmax of the candidate scores), L2-regularised, trained by AdaGrad.
fn train_logit(set: &[&Example], dims: usize) -> Vec<f32> {
    let env = |k: &str, d: f64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let l2 = env("WENKU_L2", 1.0) as f32;
    let epochs = env("WENKU_EPOCHS", 30.0) as usize;
    let rate = env("WENKU_RATE", 0.3) as f32;
    let scored_weight = env("WENKU_SCORED_WEIGHT", 1.0) as f32;
    let n = set.len().max(1) as f32;
    let mut w = vec![0f32; dims];
    let mut g2 = vec![1e-6f32; dims];
    let mut order: Vec<usize> = (0..set.len()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut grad: HashMap<u32, f32> = HashMap::new();
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for &i in &order {
            let e = set[i];
            let scores: Vec<f32> = e.cands.iter().map(|c| score(c, &w)).collect();
            let m = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let z: f32 = scores.iter().map(|s| (s - m).exp()).sum();
            let k = if e.kind == Kind::Scored { scored_weight } else { 1.0 };
            grad.clear();
            for (c, s) in e.cands.iter().zip(&scores) {
                let p = (s - m).exp() / z;
                if p < 1e-6 {
                    continue;
                }
                for &f in c {
                    *grad.entry(f).or_default() += k * p;
                }
            }
            for &f in &e.cands[e.gold] {
                *grad.entry(f).or_default() -= k;
            }
            for (&f, &g) in &grad {
                let f = f as usize;
                let g = g + l2 * w[f] / n;
                g2[f] += g * g;
                w[f] -= rate * g / g2[f].sqrt();
            }
        }
    }
    w
}
