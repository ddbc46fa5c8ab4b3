//! Bulk indexing of the same ~2k parsed listings, one writer thread, in
//! RAM: wenku (`ListingIndex` + `ListingWriter`: normalised title, title
//! grams, snippet, stored record, upsert by id) against the baseline
//! (tantivy + tantivy-jieba on the raw title and snippet).
//!
//! Parsing is outside the timed part. Throughput is the bytes of title +
//! snippet as written on the lines, the same figure for both engines.

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wenku_benches::baseline::Baseline;
use wenku_benches::fixtures::{generated_catalog, parse_files, read_files};
use wenku_index::analysis::Analyzer;
use wenku_index::{ListingIndex, WriterOptions};
use wenku_listing::Listing;

const HEAP: usize = 64 << 20;

static LISTINGS: LazyLock<Vec<Listing>> = LazyLock::new(|| {
    let (dir, _) = generated_catalog(2_000, 11).expect("generate a 2k catalog");
    let (listings, _) = parse_files(&read_files(&dir).expect("read the catalog"));
    listings
});

fn wenku(listings: &[Listing]) -> u64 {
    let index = ListingIndex::create_in_ram(Analyzer::default()).expect("index");
    let mut w = index
        .writer(&WriterOptions { threads: 1, heap_bytes: HEAP, ..Default::default() })
        .expect("writer");
    for l in listings {
        w.add(l).expect("add");
    }
    w.commit().expect("commit").added
}

fn baseline(listings: &[Listing]) -> u64 {
    let b = Baseline::create_in_ram();
    let mut w = b.writer(1, HEAP).expect("writer");
    for l in listings {
        w.add(l).expect("add");
    }
    w.commit().expect("commit");
    b.searcher().expect("searcher").num_docs()
}

fn bench(c: &mut Criterion) {
    let listings = &*LISTINGS;
    let n = listings.len() as u64;
    let bytes: usize = listings.iter().map(|l| l.title.len() + l.snippet.len()).sum();
    // warm-up: dictionaries loaded, page cache and allocator primed
    assert_eq!(wenku(listings), n);
    assert_eq!(baseline(listings), n);
    let mut group = c.benchmark_group("indexing_1_thread");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(12));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("wenku", |b| b.iter(|| assert_eq!(wenku(black_box(listings)), n)));
    group.bench_function("baseline_tantivy_jieba", |b| {
        b.iter(|| assert_eq!(baseline(black_box(listings)), n))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
