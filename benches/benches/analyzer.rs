//! Analysis of the same Chinese text by wenku's analyzer (NFKC, lower case,
//! script folding, jieba search mode on Han runs, ASCII splitting), by raw
//! jieba-rs `cut_for_search` (HMM on), and by `tantivy-jieba`.
//!
//! Short text: a listing title; long text: the first listings' snippets of
//! `data/sample` joined (a few KB). Throughput is input bytes.

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jieba_rs::Jieba;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};
use wenku_benches::corpus::sample_dir;
use wenku_benches::fixtures::{parse_files, read_files};
use wenku_index::analysis::{Analyzer, Mode};

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// (short, long) texts from `data/sample`.
static TEXTS: LazyLock<(String, String)> = LazyLock::new(|| {
    let files = read_files(&sample_dir()).expect("data/sample");
    let (listings, _) = parse_files(&files);
    let short = listings
        .iter()
        .map(|l| &l.title)
        .find(|t| t.chars().count() >= 12 && t.chars().any(|c| c > '\u{4e00}'))
        .expect("a Chinese title")
        .clone();
    let long = listings.iter().take(12).map(|l| l.snippet.as_str()).collect::<Vec<_>>().join(" ");
    (short, long)
});

fn count_wenku(a: &mut TextAnalyzer, text: &str) -> usize {
    let mut s = a.token_stream(text);
    let mut n = 0;
    while s.advance() {
        n += 1;
    }
    n
}

fn count_tantivy_jieba(t: &mut tantivy_jieba::JiebaTokenizer, text: &str) -> usize {
    let mut s = t.token_stream(text);
    let mut n = 0;
    while s.advance() {
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let mut wenku = Analyzer::default().text_analyzer(Mode::Words);
    let mut tj = tantivy_jieba::JiebaTokenizer::new();
    let (short, long) = &*TEXTS;
    for (name, text) in [("short", short.as_str()), ("long", long.as_str())] {
        let mut group = c.benchmark_group(format!("analyzer/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.measurement_time(Duration::from_secs(3));
        group.warm_up_time(Duration::from_secs(1));
        group.sample_size(if text.len() > 2000 { 30 } else { 50 });
        // warm-up: load every dictionary outside the timed runs
        let n_wenku = count_wenku(&mut wenku, text);
        let n_jieba = JIEBA.cut_for_search(text, true).len();
        let n_tj = count_tantivy_jieba(&mut tj, text);
        group.bench_function("wenku_words", |b| {
            b.iter(|| assert_eq!(count_wenku(&mut wenku, black_box(text)), n_wenku))
        });
        group.bench_function("jieba_cut_for_search", |b| {
            b.iter(|| assert_eq!(JIEBA.cut_for_search(black_box(text), true).len(), n_jieba))
        });
        group.bench_function("tantivy_jieba", |b| {
            b.iter(|| assert_eq!(count_tantivy_jieba(&mut tj, black_box(text)), n_tj))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
