//! Warm query latency on a generated 10k-listing catalog in RAM: wenku with
//! blended ranking and with plain BM25 against the baseline (`QueryParser`
//! over tantivy-jieba fields, BM25), one query of each kind of the
//! runner's mix (`wenku_benches::queries`). Each search returns a results
//! page: top 10 with stored fields (wenku also highlights).

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wenku::{IndexOptions, Query, Ranking, SearchRequest, Wenku};
use wenku_benches::baseline::{Baseline, BaselineSearcher};
use wenku_benches::corpus::{default_corpus_dir, load_truth};
use wenku_benches::fixtures::{generated_catalog, parse_files, parse_options, read_files};
use wenku_benches::queries::{BenchQuery, query_mix};
use wenku_index::WriterOptions;

struct Engines {
    blended: Wenku,
    bm25: Wenku,
    baseline: BaselineSearcher,
    queries: Vec<BenchQuery>,
}

static ENGINES: LazyLock<Engines> = LazyLock::new(|| {
    let (dir, _) = generated_catalog(10_000, 7).expect("generate a 10k catalog");
    let (listings, _) = parse_files(&read_files(&dir).expect("read the catalog"));
    let opts = IndexOptions {
        writer: WriterOptions { threads: 2, heap_bytes: 128 << 20, ..Default::default() },
        parse: parse_options(),
        keep_errors: None,
    };
    let blended = Wenku::create_in_ram().expect("index");
    let mut ix = blended.indexer(&opts).expect("indexer");
    for l in &listings {
        ix.add(l).expect("add");
    }
    ix.commit().expect("commit");
    blended.reload().expect("reload");
    let bm25 = Wenku::create_in_ram().expect("index").with_ranking(Ranking::bm25_only());
    let mut ix = bm25.indexer(&opts).expect("indexer");
    for l in &listings {
        ix.add(l).expect("add");
    }
    ix.commit().expect("commit");
    bm25.reload().expect("reload");
    let b = Baseline::create_in_ram();
    let mut w = b.writer(2, 128 << 20).expect("writer");
    for l in &listings {
        w.add(l).expect("add");
    }
    w.commit().expect("commit");
    let baseline = b.searcher().expect("searcher");
    let seeds = load_truth(&default_corpus_dir()).expect("corpus");
    let queries = query_mix(&seeds, &jieba_rs::Jieba::new(), 200, 0x0051_EE75);
    Engines { blended, bm25, baseline, queries }
});

fn wenku_hits(w: &Wenku, q: &str) -> usize {
    let mut req = SearchRequest::new(Query::parse(q).expect("a valid query"));
    req.now = parse_options().as_of;
    w.search(&req).expect("search").hits.len()
}

fn bench(c: &mut Criterion) {
    let e = &*ENGINES;
    for kind in ["zh1", "zh2", "mixed", "phrase", "filtered"] {
        let q = e.queries.iter().find(|q| q.kind == kind).expect("a query of each kind");
        let mut group = c.benchmark_group(format!("query/{kind}"));
        group.measurement_time(Duration::from_secs(2));
        group.warm_up_time(Duration::from_millis(500));
        group.sample_size(30);
        // warm-up and the hit counts every timed run must reproduce
        let n_blended = wenku_hits(&e.blended, &q.wenku);
        let n_bm25 = wenku_hits(&e.bm25, &q.wenku);
        let n_base = e.baseline.search(&q.baseline, 10).expect("baseline query").1.len();
        group.bench_function("wenku_blended", |b| {
            b.iter(|| assert_eq!(wenku_hits(&e.blended, black_box(&q.wenku)), n_blended))
        });
        group.bench_function("wenku_bm25", |b| {
            b.iter(|| assert_eq!(wenku_hits(&e.bm25, black_box(&q.wenku)), n_bm25))
        });
        group.bench_function("baseline", |b| {
            b.iter(|| {
                let (_, hits) = e.baseline.search(black_box(&q.baseline), 10).expect("search");
                assert_eq!(hits.len(), n_base);
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
