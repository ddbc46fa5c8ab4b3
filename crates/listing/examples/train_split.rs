//! Train the title/snippet boundary scorer (`src/boundary.rs`) on a corpus
//! with a truth file, report held-out accuracy, and write the weights.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-listing cargo run --release -p wenku-listing \
//!     --example train_split -- ../shared/corpus/dev [--write crates/listing/src/boundary_weights.txt]
//! ```
//!
//! The corpus directory holds `pages/` and `truth.jsonl` (one record per
//! listing line, in page and line order, with `page_file`, `line` and
//! `title`). Only lines that no reliable rule splits reach the scorer, so
//! only those train it; the reliable rules' own accuracy is printed too.
//!
//! Model: averaged structured perceptron over the candidates of a line
//! (the gold candidate is the one whose title equals the truth). Held-out
//! accuracy: K folds of contiguous page ranges (result sets are runs of
//! consecutive pages, so most near-duplicates of a listing fall in its own
//! fold), trained on the other folds.

use std::collections::HashMap;
use std::path::PathBuf;

use wenku_listing::train::{self, Memory};
use wenku_listing::{CatalogReader, Item, ParseOptions};

const EPOCHS: usize = 12;
const FOLDS: usize = 5;

struct Example {
    /// Fold by page range.
    fold: usize,
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
    while let Some(a) = args.next() {
        if a == "--write" {
            write = args.next().map(PathBuf::from);
        }
    }
    let truth: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("truth.jsonl"))
        .expect("read truth.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("truth line"))
        .collect();
    let opts =
        ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()), ..Default::default() };
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

    let mut interner: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut memory = Memory::default();
    let mut examples = Vec::new();
    let (mut reliable, mut reliable_ok, mut unreachable) = (0, 0, 0);
    let mut bodies = Vec::new();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let synthetic: usize =
        std::env::var("WENKU_SYNTHETIC").ok().and_then(|v| v.parse().ok()).unwrap_or(SYNTHETIC);
    let mut add = |body: &str, gold_title: &str, fold: usize, kind: Kind| -> bool {
        let cands = train::candidates(body);
        let Some(gold) = cands.iter().position(|(e, _)| body[..*e].trim() == gold_title) else {
            return false;
        };
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
        examples.push(Example { fold, cands, gold, kind });
        bodies.push(body.to_string());
        true
    };
    for (l, t) in listings.iter().zip(&truth) {
        assert!(l.source.file.ends_with(t["page_file"].as_str().unwrap()));
        let gold_title = t["title"].as_str().unwrap();
        let body = train::body(&l.raw).expect("listing body");
        let fold = page_index[t["page_file"].as_str().unwrap()] * FOLDS / pages.len();
        if let Some(end) = train::reliable_end(body, &mut memory) {
            reliable += 1;
            reliable_ok += (body[..end].trim() == gold_title) as usize;
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
                add(&format!("{title}{sep}{window}"), title, fold, Kind::Synthetic);
            }
            continue;
        }
        if !add(body, gold_title, fold, Kind::Scored) {
            unreachable += 1;
        }
    }
    let n = truth.len();
    println!(
        "{n} lines: {reliable} split by reliable rules or memory ({reliable_ok} right, {:.2}%), \
         {} to the scorer, {unreachable} with no candidate equal to the truth",
        100.0 * reliable_ok as f64 / reliable as f64,
        examples.iter().filter(|e| e.kind == Kind::Scored).count()
    );
    println!("{} features", names.len());

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
    // Held-out accuracy.
    let mut held_ok = 0;
    for k in 0..FOLDS {
        let w = train(&examples, names.len(), |e| e.fold != k && use_kind(e.kind));
        let (ok, total) = accuracy(&examples, &w, |e| e.fold == k && e.kind == Kind::Scored);
        if std::env::var_os("WENKU_SHOW_ERRORS").is_some() {
            for (e, b) in
                examples.iter().zip(&bodies).filter(|(e, _)| e.fold == k && e.kind == Kind::Scored)
            {
                let p = argmax(e, &w);
                if p != e.gold {
                    let cands = train::candidates(b);
                    let cut = |i: usize| {
                        let (t, s) = b.split_at(cands[i].0);
                        format!("{}‖{}", t, s.chars().take(16).collect::<String>())
                    };
                    println!("    want {}\n    got  {}", cut(e.gold), cut(p));
                }
            }
        }
        println!("  fold {k}: {ok}/{total} = {:.1}%", 100.0 * ok as f64 / total.max(1) as f64);
        held_ok += ok;
    }
    let m = examples.iter().filter(|e| e.kind == Kind::Scored).count();
    println!(
        "held-out scorer accuracy {held_ok}/{m} = {:.2}%; title right overall {:.2}% (reliable + held-out scorer)",
        100.0 * held_ok as f64 / m as f64,
        100.0 * (reliable_ok + held_ok) as f64 / n as f64
    );
    let w = train(&examples, names.len(), |e| use_kind(e.kind));
    let (ok, _) = accuracy(&examples, &w, |e| e.kind == Kind::Scored);
    println!(
        "trained on all: scorer {ok}/{m}; title right overall {:.2}% (in-sample)",
        100.0 * (reliable_ok + ok) as f64 / n as f64
    );

    if let Some(path) = write {
        let mut rows: Vec<(&str, f32)> = names
            .iter()
            .zip(&w)
            .filter(|(_, w)| w.abs() >= 0.005)
            .map(|(n, w)| (n.as_str(), *w))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = String::from(
            "# Weights of the title/snippet boundary scorer (src/boundary.rs):\n\
             # weight<TAB>feature parts. Generated by examples/train_split.rs from\n\
             # ../shared/corpus/dev (averaged perceptron); do not edit by hand.\n",
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
                let cands = train::candidates(b);
                train::best_end(b, &text) == Some(cands[argmax(e, &w)].0)
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

fn accuracy(examples: &[Example], w: &[f32], pick: impl Fn(&Example) -> bool) -> (usize, usize) {
    let test: Vec<_> = examples.iter().filter(|e| pick(e)).collect();
    (test.iter().filter(|e| argmax(e, w) == e.gold).count(), test.len())
}

/// Averaged structured perceptron over the examples `pick` selects.
fn train(examples: &[Example], dims: usize, pick: impl Fn(&Example) -> bool) -> Vec<f32> {
    let set: Vec<&Example> = examples.iter().filter(|e| pick(e)).collect();
    let mut w = vec![0f32; dims];
    let mut u = vec![0f32; dims];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..set.len()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
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
