//! Listing parsing: raw page bytes → `Listing` records (decoding, halves,
//! tail, title/snippet split, normalisation, id), from memory.
//!
//! Inputs: `data/sample` (real pages) and a generated 10k-listing catalog
//! (`wenku_benches::generate`, seed fixed). Throughput is raw input bytes.

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wenku_benches::corpus::sample_dir;
use wenku_benches::fixtures::{generated_catalog, parse_files, read_files};

type Files = Vec<(String, &'static [u8])>;

static SAMPLE: LazyLock<Files> = LazyLock::new(|| read_files(&sample_dir()).expect("data/sample"));
static GEN_10K: LazyLock<Files> = LazyLock::new(|| {
    let (dir, _) = generated_catalog(10_000, 7).expect("generate a 10k catalog");
    read_files(&dir).expect("read the generated catalog")
});

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sampling_mode(SamplingMode::Flat);
    for (name, files) in [("data_sample", &*SAMPLE), ("generated_10k", &*GEN_10K)] {
        let bytes: usize = files.iter().map(|f| f.1.len()).sum();
        // warm-up pass, and the count every timed run must reproduce
        let (expected, _) = parse_files(files);
        let expected = expected.len();
        assert!(expected > 0);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.sample_size(if bytes > 1 << 20 { 10 } else { 30 });
        group.measurement_time(Duration::from_secs(if bytes > 1 << 20 { 8 } else { 3 }));
        group.bench_function(name, |b| {
            b.iter(|| {
                let (listings, _) = parse_files(black_box(files));
                assert_eq!(listings.len(), expected);
                listings
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
