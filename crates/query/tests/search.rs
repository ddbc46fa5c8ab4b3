//! Search behaviour on real text: the seed page alone, and the seed page
//! plus the dev corpus (`../shared/corpus/dev`, skipped when absent).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use wenku_index::analysis::Analyzer;
use wenku_index::{ListingIndex, WriterOptions};
use wenku_listing::{CatalogReader, Item, Listing, ParseOptions, Profile};
use wenku_query::{Query, Ranking, SearchRequest, SearchResults, Searcher, Sort};

/// Capture time of the dev corpus (its README); used for the seed page too.
const AS_OF: &str = "2026-08-26T08:00:00Z";
/// "Now" for age filters and the age factor: fixed, so tests do not drift.
const NOW: i64 = 1_787_731_200; // 2026-08-26T08:00:00Z

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(NOW).unwrap()
}

/// A request for `query`, which must parse.
fn request(query: &str) -> SearchRequest {
    SearchRequest::new(Query::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"))).now(now())
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    workspace().join("data/sample/seed-page.txt")
}

fn dev_pages() -> Option<PathBuf> {
    let p = workspace().join("../shared/corpus/dev/pages");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("dev corpus not found at {}: skipping", p.display());
        None
    }
}

/// The listings of raw pages, parsed as of [`AS_OF`].
fn listings_of(paths: &[PathBuf], profile: Option<&'static Profile>) -> Vec<Listing> {
    let opts = ParseOptions { as_of: Some(AS_OF.parse().unwrap()), profile, ..Default::default() };
    let mut listings = Vec::new();
    for item in CatalogReader::open(paths, opts).unwrap() {
        if let Item::Listing(l) = item.unwrap() {
            listings.push(l);
        }
    }
    listings
}

fn build(paths: &[PathBuf], profile: Option<&'static Profile>) -> Searcher {
    let index = ListingIndex::create_in_ram(Analyzer::default()).unwrap();
    let mut w = index
        .writer(&WriterOptions { threads: 1, heap_bytes: 50 << 20, ..Default::default() })
        .unwrap();
    for l in listings_of(paths, profile) {
        w.add(&l).unwrap();
    }
    w.commit().unwrap();
    let s = Searcher::new(index).unwrap();
    s.reload().unwrap();
    s
}

/// The seed page with the split profile of its manuals' titles (their
/// version is part of the title: `Python 标准库参考指南 3.11.10`).
static SEED: LazyLock<Searcher> =
    LazyLock::new(|| build(&[seed()], Some(Profile::bundled("manual-versions").unwrap())));

/// An index of `listings` written in two commits, without a merge: two
/// segments.
fn two_segments(listings: &[Listing]) -> ListingIndex {
    let index = ListingIndex::create_in_ram(Analyzer::default()).unwrap();
    let options = WriterOptions { threads: 1, merge_after_bulk: false, ..Default::default() };
    for half in listings.chunks(listings.len().div_ceil(2)) {
        let mut w = index.writer(&options).unwrap();
        for l in half {
            w.add(l).unwrap();
        }
        w.commit().unwrap();
    }
    index
}

static DEV: LazyLock<Option<Searcher>> =
    LazyLock::new(|| dev_pages().map(|p| build(&[seed(), p], None)));

fn run(s: &Searcher, query: &str, limit: usize, sort: Sort) -> SearchResults {
    let req = request(query).limit(limit).sort(sort);
    s.search(&req).unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Seed line numbers of the hits (all hits).
fn seed_lines(query: &str) -> BTreeSet<u64> {
    run(&SEED, query, 100, Sort::Relevance).hits.iter().map(|h| h.listing.source.line).collect()
}

/// An index of hand-written listing texts (line numbers from 1).
fn index_of(lines: &[&str]) -> Searcher {
    use wenku_listing::{Source, parse_listing_text};
    let index = ListingIndex::create_in_ram(Analyzer::default()).unwrap();
    let mut w = index
        .writer(&WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() })
        .unwrap();
    for (i, text) in lines.iter().enumerate() {
        let src = Source { file: "cases.txt".into(), line: i as u64 + 1 };
        w.add(&parse_listing_text(text, src, Some(AS_OF.parse().unwrap())).unwrap()).unwrap();
    }
    w.commit().unwrap();
    let s = Searcher::new(index).unwrap();
    s.reload().unwrap();
    s
}

fn lines(v: &[u64]) -> BTreeSet<u64> {
    v.iter().copied().collect()
}

mod analysis_acceptance {
    //! Issue 4: what the analysis must find.
    use super::*;

    #[test]
    fn seed_line_1_is_found_by_words_inside_noisy_text() {
        for q in ["CUDA", "cuda", "利用率", "目录", "压力工具", "大量请求", "ＣＵＤＡ"]
        {
            assert!(seed_lines(q).contains(&1), "help: {q} should find seed line 1");
        }
    }

    #[test]
    fn code_and_versions() {
        // lines 4/5 are one listing (collapsed), line 8 is 3.7.13
        assert_eq!(seed_lines("breakpointhook"), lines(&[4, 8]));
        assert_eq!(seed_lines("sys.breakpointhook"), lines(&[4, 8]));
        assert_eq!(seed_lines("3.11"), lines(&[3]));
        assert_eq!(seed_lines("3.8.20"), lines(&[4]));
        assert_eq!(seed_lines("bisect"), lines(&[3, 6, 9, 10]));
        // only the 3.7.13 snippet reaches `__getattribute__()`
        assert_eq!(seed_lines("__getattribute__"), lines(&[8]));
        assert!(seed_lines("BERT").contains(&1) && seed_lines("py binding").contains(&1));
    }

    #[test]
    fn traditional_query_finds_simplified_text() {
        assert_eq!(seed_lines("標準庫"), lines(&[3, 4, 6, 7, 8, 9, 10]));
        assert_eq!(seed_lines("標準庫"), seed_lines("标准库"));
    }

    #[test]
    fn phrase_across_a_word_boundary() {
        // jieba cuts 机器学习 | 性能 | 优化; the phrase spans two words
        assert_eq!(seed_lines("\"学习性能\""), lines(&[1]));
        assert_eq!(seed_lines("\"性能 优化\""), lines(&[1]));
        // order matters in a phrase
        assert!(seed_lines("\"优化性能\"").is_empty());
    }

    #[test]
    fn single_character_and_substring_of_a_title() {
        let Some(dev) = DEV.as_ref() else { return };
        let r = run(dev, "灯", 10, Sort::Relevance);
        assert!(r.hits.iter().any(|h| h.listing.title.contains("交通灯")), "灯");
    }

    /// `可读` inside a longer title word (`可读性`) and across two (`不可|读取`,
    /// where only the title's character n-grams have it): both listings are
    /// found and `可读` is what is highlighted.
    /// (Snippets have no n-grams: `可读` does not find the dev snippets
    /// with `可读性与执行效率`; see docs/analysis.md.)
    #[test]
    fn a_word_inside_a_longer_title_word_is_found_and_highlighted() {
        let s = index_of(&[
            " 代码可读性指南 命名与注释0 码力 | 12 页 | 1.00 MB | 1 年前1",
            " 代码风格指南 缩进与空行0 码力 | 12 页 | 1.00 MB | 1 年前1",
            " 可靠性设计 读写分离0 码力 | 12 页 | 1.00 MB | 1 年前1",
            " 文件不可读取时的错误处理 权限与重试0 码力 | 3 页 | 20.00 KB | 1 年前1",
        ]);
        let r = run(&s, "可读", 10, Sort::Relevance);
        let found: Vec<String> = r.hits.iter().map(|h| h.title.render("[", "]")).collect();
        assert_eq!(r.total, 2, "{found:?}");
        // as typed, not by reading (pinyin `ke du` would find both too)
        assert!(r.understood.by_reading.is_empty(), "{:?}", r.understood);
        for marked in ["代码[可读]性指南", "文件不[可读]取时"] {
            assert!(found.iter().any(|t| t.contains(marked)), "{marked}: {found:?}");
        }
    }
}

mod operators {
    use super::*;

    #[test]
    fn and_or_not_parentheses_fields() {
        assert_eq!(seed_lines("bisect 3.13"), lines(&[9, 10]));
        assert_eq!(seed_lines("bisect OR breakpointhook"), lines(&[3, 4, 6, 8, 9, 10]));
        assert_eq!(seed_lines("bisect -3.13"), lines(&[3, 6]));
        assert_eq!(seed_lines("(3.11 OR 3.10) bisect"), lines(&[3, 6]));
        assert_eq!(seed_lines("title:python"), lines(&[1, 2, 3, 4, 6, 7, 8, 9, 10]));
        assert_eq!(seed_lines("title:bisect"), lines(&[]));
        assert_eq!(seed_lines("snippet:bisect"), lines(&[3, 6, 9, 10]));
        assert_eq!(seed_lines("-python"), lines(&[]));
        assert_eq!(seed_lines("-title:python"), lines(&[]));
        assert_eq!(seed_lines("-标准库"), lines(&[1, 2]));
    }

    #[test]
    fn filters() {
        assert_eq!(seed_lines("pages:>2000"), lines(&[3, 6, 7, 9, 10]));
        assert_eq!(seed_lines("pages:30..50"), lines(&[1, 2]));
        assert_eq!(seed_lines("size:<5MB"), lines(&[1]));
        assert_eq!(seed_lines("size:>=11MB"), lines(&[3, 9, 10]));
        assert_eq!(seed_lines("price:0"), lines(&[1, 2, 3, 4, 6, 7, 8, 9, 10]));
        // the seed page says 1 年前 for lines 1-2 and 9 月前 for the rest
        assert_eq!(seed_lines("age:>300d"), lines(&[1, 2]));
        assert_eq!(seed_lines("age:<1y"), lines(&[3, 4, 6, 7, 8, 9, 10]));
        // 1 年前 → 2025-08-26, 9 月前 → 2025-11-29 (as of 2026-08-26)
        assert_eq!(seed_lines("published:<2025-10"), lines(&[1, 2]));
        assert_eq!(seed_lines("published:2025-11"), lines(&[3, 4, 6, 7, 8, 9, 10]));
        assert_eq!(seed_lines("published:>=2025-11-01"), lines(&[3, 4, 6, 7, 8, 9, 10]));
        assert_eq!(seed_lines("标准库 pages:<2000 size:>9MB"), lines(&[4, 8]));
        assert_eq!(seed_lines("标准库 pages:<2000 size:>9.5MB"), lines(&[4]));
    }

    #[test]
    fn filters_alone_list_everything_matching() {
        let r = run(&SEED, "pages:>=0", 100, Sort::Relevance);
        assert_eq!(r.total, 9, "10 lines, lines 4 and 5 collapsed");
        assert_eq!(r.hits.len(), 9);
    }

    /// An application's typed filters next to user text select what the
    /// same condition written in the query language selects; the user text
    /// is read as typed (nothing to escape), and `Query::all` lists every
    /// listing.
    #[test]
    fn typed_filters_and_every_listing() {
        use std::time::Duration;
        use wenku_query::Filter;
        let lines_of = |q: Query| -> BTreeSet<u64> {
            let r = SEED.search(&SearchRequest::new(q).now(now()).limit(100)).unwrap();
            r.hits.iter().map(|h| h.listing.source.line).collect()
        };
        let parse = |q: &str| Query::parse(q).unwrap();
        let date = |d: &str| -> jiff::Timestamp { d.parse().unwrap() };
        let year = Duration::from_secs(365 * 86_400);
        for (text, filter, same) in [
            ("bisect", Filter::pages(2001..), "bisect pages:>2000"),
            ("python", Filter::pages(30..=50), "python pages:30..50"),
            ("python", Filter::size_bytes(..5 << 20), "python size:<5MB"),
            ("python", Filter::price(0..=0), "python price:0"),
            ("python", Filter::age(..year), "python age:<1y"),
            (
                "python",
                Filter::published(..date("2025-10-01T00:00:00Z")),
                "python published:<2025-10",
            ),
        ] {
            let typed = lines_of(parse(text).filter(filter.clone()));
            assert!(!typed.is_empty(), "{same}");
            assert_eq!(typed, seed_lines(same), "help: {filter:?} vs {same}");
        }
        // the application's filter holds whatever the user typed: pasted
        // in front of this text, `pages:>2000` would bind to `pages:0..1`
        // only, and `OR python` would bring back every python listing
        let r = SEED
            .search(&SearchRequest::new(
                parse("pages:0..1 OR python").filter(Filter::pages(2001..)),
            ))
            .unwrap();
        assert!(r.hits.iter().all(|h| h.listing.pages > 2000) && r.total > 0);
        // every listing: 10 lines, lines 4 and 5 collapsed
        assert_eq!(lines_of(Query::all()), lines(&[1, 2, 3, 4, 6, 7, 8, 9, 10]));
        assert_eq!(lines_of(Query::all().filter(Filter::pages(30..=50))), lines(&[1, 2]));
    }

    #[test]
    fn duplicates_appear_once_with_their_count() {
        let r = run(&SEED, "3.8.20", 10, Sort::Relevance);
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].dup_count, 2);
    }

    #[test]
    fn malformed_queries_are_errors_with_positions() {
        for (q, want) in [
            (
                "pages:>abc",
                "invalid query at character 8: expected a whole number after 'pages:', found 'abc'",
            ),
            (
                "bisect size:<5",
                "invalid query at character 14: expected a size with a unit (B, KB, MB, GB, TB) after 'size:', found '5'",
            ),
        ] {
            let err = Query::parse(q).unwrap_err();
            assert_eq!(err.to_string(), want, "help: query {q:?}");
        }
    }

    #[test]
    fn pagination() {
        let all: Vec<String> = run(&SEED, "python", 100, Sort::Relevance)
            .hits
            .into_iter()
            .map(|h| h.listing.id)
            .collect();
        let req = request("python").offset(2).limit(3);
        let page: Vec<String> =
            SEED.search(&req).unwrap().hits.into_iter().map(|h| h.listing.id).collect();
        assert_eq!(page, all[2..5]);
    }
}

mod sorting {
    use super::*;

    fn values(sort: Sort, f: impl Fn(&wenku_listing::Listing) -> i64) -> Vec<i64> {
        run(&SEED, "python", 100, sort).hits.iter().map(|h| f(&h.listing)).collect()
    }

    #[test]
    fn every_sort_orders_its_key() {
        let published = |l: &wenku_listing::Listing| l.published.unwrap().as_second();
        let size = |l: &wenku_listing::Listing| l.size_bytes as i64;
        let pages = |l: &wenku_listing::Listing| i64::from(l.pages);
        let desc = |v: &[i64]| v.windows(2).all(|w| w[0] >= w[1]);
        let asc = |v: &[i64]| v.windows(2).all(|w| w[0] <= w[1]);
        assert!(desc(&values(Sort::Newest, published)));
        assert!(asc(&values(Sort::Oldest, published)));
        assert!(desc(&values(Sort::Largest, size)));
        assert!(asc(&values(Sort::Smallest, size)));
        assert!(desc(&values(Sort::Pages, pages)));
        assert_eq!(values(Sort::Largest, size)[0], (11.74 * 1048576.0f64).round() as i64);
    }

    /// Listings that tie in an order (the same date, size or pages and the
    /// same BM25; the constant score of a filter-only query) come in the
    /// same order whatever the order they were indexed in and however the
    /// index was cut into segments: ties go by listing id, also at the cut
    /// of a page of hits.
    #[test]
    fn ties_are_deterministic() {
        let mut paths = vec![seed()];
        paths.extend(dev_pages());
        let listings = listings_of(&paths, None);
        let build = |listings: &mut dyn Iterator<Item = &wenku_listing::Listing>, threads| {
            let index = ListingIndex::create_in_ram(Analyzer::default()).unwrap();
            let mut w = index
                .writer(&WriterOptions { threads, heap_bytes: 60 << 20, ..Default::default() })
                .unwrap();
            for l in listings {
                w.add(l).unwrap();
            }
            w.commit().unwrap();
            let s = Searcher::new(index).unwrap();
            s.reload().unwrap();
            s
        };
        let forward = build(&mut listings.iter(), 1);
        let backward = build(&mut listings.iter().rev(), 2);
        let sorts = [
            Sort::Relevance,
            Sort::Newest,
            Sort::Oldest,
            Sort::Largest,
            Sort::Smallest,
            Sort::Pages,
        ];
        let mut tied = 0;
        for q in ["pages:>=0", "price:0", "标准库", "python", "数组", "的"] {
            for sort in sorts {
                for limit in [3, 10, 1000] {
                    let a = run(&forward, q, limit, sort);
                    let b = run(&backward, q, limit, sort);
                    let ids = |r: &SearchResults| {
                        r.hits.iter().map(|h| h.id().to_string()).collect::<Vec<_>>()
                    };
                    assert_eq!(ids(&a), ids(&b), "help: {q:?} {sort:?} limit {limit}");
                    tied += a.hits.windows(2).filter(|w| w[0].score == w[1].score).count();
                }
            }
        }
        // the queries do have ties to break
        assert!(tied > 10, "{tied}");
    }
}

mod highlighting {
    use super::*;

    fn first_hit_title(q: &str) -> String {
        run(&SEED, q, 1, Sort::Relevance).hits[0].title.render("[", "]")
    }

    #[test]
    fn titles_and_snippets_are_marked_on_the_right_characters() {
        assert_eq!(first_hit_title("机器学习"), "4 Python[机器学习]性能优化");
        assert_eq!(first_hit_title("標準庫 3.11"), "Python [标准库]参考指南 [3].[11].10");
        let hit = &run(&SEED, "利用率", 1, Sort::Relevance).hits[0];
        let s = &hit.snippet;
        assert!(!s.spans.is_empty());
        for span in &s.spans {
            assert_eq!(&s.text[span.start..span.end], "利用率");
            let chars: String = s
                .text
                .chars()
                .skip(span.char_start)
                .take(span.char_end - span.char_start)
                .collect();
            assert_eq!(chars, "利用率");
        }
    }
}

mod ranking {
    use super::*;

    #[test]
    fn explain_parts_multiply_to_the_score() {
        for q in ["bisect 标准库", "利用率", "python -bisect", "3.8.20 OR 机器学习"] {
            let req = request(q).explain(true);
            let r = SEED.search(&req).unwrap();
            assert!(!r.hits.is_empty(), "{q}");
            for h in &r.hits {
                let e = h.explanation.unwrap();
                assert!(
                    (e.score - h.score).abs() < 1e-6 * h.score.max(1.0),
                    "{e:?} vs {}",
                    h.score
                );
                let parts = e.bm25_title + e.bm25_title_grams + e.bm25_snippet;
                assert!((parts - e.bm25).abs() < 1e-3 * e.bm25.max(1.0), "{e:?}");
                assert!(e.age_factor <= 1.0 && e.size_factor <= 1.0);
            }
        }
    }

    /// Each field's part is what that field's clauses add, also when the
    /// query's words match in different fields (one in the title only,
    /// one in the snippet only): the parts still add up to the total.
    #[test]
    fn explain_parts_add_up_when_words_match_in_different_fields() {
        let s = index_of(&[
            " 二分查找 模板与边界 本文讲解 bisect 模块的用法0 码力 | 12 页 | 1.00 MB | 1 年前1",
        ]);
        let r = s.search(&request("二分查找 bisect").explain(true)).unwrap();
        let hit = &r.hits[0];
        assert!(!hit.listing.title.contains("bisect"), "{}", hit.listing.title);
        let e = hit.explanation.unwrap();
        assert!(e.bm25_title > 0.0 && e.bm25_snippet > 0.0, "{e:?}");
        let parts = e.bm25_title + e.bm25_title_grams + e.bm25_snippet;
        assert!((parts - e.bm25).abs() < 1e-3 * e.bm25.max(1.0), "{e:?}");
    }

    #[test]
    fn huge_offset_and_limit_are_fine() {
        let mut req = request("python");
        req.limit = usize::MAX;
        req.offset = usize::MAX / 2;
        let r = SEED.search(&req).unwrap();
        assert_eq!((r.total, r.hits.len()), (9, 0));
        req.offset = 0;
        assert_eq!(SEED.search(&req).unwrap().hits.len(), 9);
    }

    /// The blended top 10 (one scored pass with fast-field factors) against
    /// an independent full sort: every match by plain BM25 (a top-k as large
    /// as the catalog, so nothing is skipped), its blended score computed
    /// from the stored record with `Ranking`'s formula, all sorted.
    #[test]
    fn blended_top_k_equals_a_full_sort() {
        let Some(dev) = DEV.as_ref() else { return };
        let ranking = Ranking::default();
        let plain = Searcher::new(dev.index().clone()).unwrap().with_ranking(Ranking::bm25_only());
        for q in ["数组", "python", "tidb", "的", "pages:>=0", "python 5页以上"] {
            let top = run(dev, q, 10, Sort::Relevance);
            let all = run(&plain, q, 100_000, Sort::Relevance);
            assert_eq!(top.total, all.total, "{q}");
            assert!(all.hits.len() == all.total && all.total > 10, "{q}: {}", all.total);
            let blended = |h: &wenku_query::Hit| {
                let l = &h.listing;
                let published = l.published.map(|p| p.as_second());
                h.score * ranking.age_factor(published, NOW) * ranking.size_factor(l.pages.into())
            };
            let mut want: Vec<(f64, &str)> =
                all.hits.iter().map(|h| (blended(h), h.id())).collect();
            want.sort_by(|a, b| b.0.total_cmp(&a.0));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-5 * a.abs().max(b.abs());
            for (i, hit) in top.hits.iter().enumerate() {
                // the score at each rank is the full sort's…
                assert!(
                    close(hit.score, want[i].0),
                    "{q} rank {i}: {} vs {:?}",
                    hit.score,
                    want[i]
                );
                // …and it is this listing's own blended score
                let own = want.iter().find(|w| w.1 == hit.id()).expect("a match").0;
                assert!(close(hit.score, own), "{q} rank {i}: {} vs {own}", hit.score);
            }
        }
    }

    /// A two-character word is queried in the title through its bigram
    /// alone (weighted as the word and the bigram, `compile.rs`): it still
    /// matches exactly the listings with the word among the title's words,
    /// the title's bigrams or the snippet's words.
    #[test]
    fn a_two_character_word_matches_its_title_words_bigrams_and_snippet() {
        use tantivy::Term;
        use tantivy::collector::Count;
        use tantivy::query::{BooleanQuery, Query as TantivyQuery, TermQuery};
        use tantivy::schema::IndexRecordOption;
        let Some(dev) = DEV.as_ref() else { return };
        let fields = dev.index().fields();
        let searcher = dev.index().reader().unwrap().searcher();
        for word in ["数组", "模块", "函数", "配置", "文件", "性能"] {
            let term = |field| {
                let t = Term::from_field_text(field, word);
                Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn TantivyQuery>
            };
            let any = BooleanQuery::union(vec![
                term(fields.title),
                term(fields.title_grams),
                term(fields.snippet),
            ]);
            let want = searcher.search(&any, &Count).unwrap();
            let title_only = BooleanQuery::union(vec![term(fields.title)]);
            assert!(searcher.search(&title_only, &Count).unwrap() > 0, "{word}");
            assert!(want > 10, "{word}: {want}");
            assert_eq!(run(dev, word, 10, Sort::Relevance).total, want, "{word}");
        }
    }

    /// Plain BM25 goes through the same one-pass collector, which skips
    /// matches that score below the current 10th: its top 10 and count are
    /// those of the full list (scores equal at every rank, ties by id).
    #[test]
    fn plain_bm25_top_k_equals_the_full_list() {
        let Some(dev) = DEV.as_ref() else { return };
        let plain = Searcher::new(dev.index().clone()).unwrap().with_ranking(Ranking::bm25_only());
        for q in ["数组", "python", "tidb", "的", "python 5页以上"] {
            let top = run(&plain, q, 10, Sort::Relevance);
            let all = run(&plain, q, 100_000, Sort::Relevance);
            assert_eq!(top.total, all.total, "{q}");
            assert!(all.total > 10, "{q}: {}", all.total);
            let ids = |r: &SearchResults| {
                r.hits.iter().take(10).map(|h| (h.score, h.id().to_string())).collect::<Vec<_>>()
            };
            assert_eq!(ids(&top), ids(&all), "{q}");
        }
    }

    /// Under plain BM25 a filter-only query scores every match the same:
    /// the whole list is one tie, and any page of it is the first matches
    /// by listing id (the first k equal those of the full list, which is
    /// put in order from every stored id; a cut page walks the id terms).
    /// (The index is written in two commits: two segments, whose id orders
    /// must be merged.)
    #[test]
    fn a_tie_of_every_match_is_cut_by_listing_id() {
        let Some(pages) = dev_pages() else { return };
        let plain = Searcher::new(two_segments(&listings_of(&[pages], None)))
            .unwrap()
            .with_ranking(Ranking::bm25_only());
        plain.reload().unwrap();
        for q in ["pages:>=0", "price:0"] {
            let all = run(&plain, q, 100_000, Sort::Relevance);
            // longer than the run that is ordered by reading each id
            assert!(all.total > 300 && all.hits.len() == all.total, "{q}: {}", all.total);
            let ids: Vec<&str> = all.hits.iter().map(|h| h.id()).collect();
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{q}: the full list is in id order");
            for k in [1, 3, 10, 50] {
                let top = run(&plain, q, k, Sort::Relevance);
                let got: Vec<&str> = top.hits.iter().map(|h| h.id()).collect();
                assert_eq!(got, ids[..k], "{q}, limit {k}");
                assert_eq!(top.total, all.total, "{q}");
            }
        }
    }

    /// The blended top k, cut where two listings tie, equals the first k
    /// of the full list (real text; the ties here are pairs, which the
    /// k + 1 the search asks for already hold: longer ties are the next
    /// test's).
    #[test]
    fn blended_top_k_cut_at_a_tie_equals_the_full_list() {
        let Some(dev) = DEV.as_ref() else { return };
        let mut cut_at_a_tie = 0;
        for q in ["一致", "示例", "数组", "python 文档"] {
            let all = run(dev, q, 100_000, Sort::Relevance);
            let hits = |r: &SearchResults| {
                r.hits.iter().map(|h| (h.score, h.id().to_string())).collect::<Vec<_>>()
            };
            let full = hits(&all);
            for k in 1..=14.min(full.len() - 1) {
                let top = run(dev, q, k, Sort::Relevance);
                assert_eq!(top.total, all.total, "{q}");
                assert_eq!(hits(&top), full[..k], "{q}, limit {k}");
                cut_at_a_tie += usize::from(full[k - 1].0 == full[k].0);
            }
        }
        // some cut does fall in a tie
        assert!(cut_at_a_tie > 0);
    }

    /// Forty listings that differ only in a number of their snippet (one
    /// token, as long as any other) tie on every key, with better and
    /// worse matches around them. Over two segments, any page of the list
    /// cuts the tie where the full list does: the listings with the
    /// smallest ids, whichever segment and place they were written in. The
    /// blended collector finds them in its one pass: each segment keeps,
    /// beside its best k, the matches that tie with its k-th, and the merge
    /// keeps those that tie with the k-th of all; dropping either kind, or
    /// the merge's, fails this test.
    #[test]
    fn a_long_tie_is_cut_by_listing_id_in_one_pass() {
        use wenku_listing::{Source, parse_listing_text};
        let text = |title: &str, n: usize| {
            format!(
                " {title} 数组二分算法的说明与示例 第 {n} 条0 码力 | 120 页 | 2.00 MB | 3 天前1"
            )
        };
        let mut texts: Vec<String> = (0..40).map(|p| text("Python 标准库参考指南", p)).collect();
        texts.extend((0..5).map(|p| text("Python 指南", 100 + p)));
        texts.extend((0..5).map(|p| text("Python 标准库参考指南大全", 200 + p)));
        // the better and worse ones spread over both commits
        texts.swap(3, 41);
        texts.swap(30, 47);
        let listings: Vec<Listing> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let src = Source { file: "ties.txt".into(), line: i as u64 + 1 };
                parse_listing_text(t, src, Some(AS_OF.parse().unwrap())).unwrap()
            })
            .collect();
        let s = Searcher::new(two_segments(&listings)).unwrap();
        s.reload().unwrap();
        let all = run(&s, "python", 1000, Sort::Relevance);
        assert_eq!(all.total, 50);
        let full: Vec<(f64, String)> =
            all.hits.iter().map(|h| (h.score, h.id().to_string())).collect();
        let tied = full.iter().filter(|h| h.0 == full[10].0).count();
        assert_eq!(tied, 40, "the forty tie");
        for k in 1..=full.len() {
            let top = run(&s, "python", k, Sort::Relevance);
            let got: Vec<(f64, String)> =
                top.hits.iter().map(|h| (h.score, h.id().to_string())).collect();
            assert_eq!(got, full[..k], "limit {k}");
        }
    }

    #[test]
    fn facets_count_every_match() {
        let req = request("python").facets(true);
        let r = SEED.search(&req).unwrap();
        let f = r.facets.unwrap();
        assert_eq!(f.size.iter().map(|(_, n)| n).sum::<u64>(), r.total as u64);
        assert_eq!(f.year.iter().map(|(_, n)| n).sum::<u64>(), r.total as u64);
        assert_eq!(f.size.iter().find(|(l, _)| l == "1–10 MB").unwrap().1, 3);
        // seed lines 4 and 5 are one listing read twice
        assert_eq!((f.listings_with_copies, f.copies_collapsed), (1, 1));
    }
}

mod blend_cases {
    //! Hand-checked cases of the blended order (docs/ranking.md).
    use super::*;

    fn order(s: &Searcher, q: &str) -> Vec<u64> {
        run(s, q, 10, Sort::Relevance).hits.iter().map(|h| h.listing.source.line).collect()
    }

    #[test]
    fn exact_title_match_beats_a_fresh_weak_hit() {
        let s = index_of(&[
            " 读书笔记 今天翻了翻 Python 标准库参考指南 的目录，记了几条0 码力 | 1 页 | 3.00 KB | 1 小时前1",
            " Python 标准库参考指南 3.13 bisect --- 数组二分算法 . . . . 263 8.7.1 性能说明0 码力 | 2246 页 | 11.74 MB | 3 年前3",
        ]);
        assert_eq!(order(&s, "Python 标准库参考指南"), vec![2, 1]);
    }

    #[test]
    fn a_year_old_full_manual_beats_a_fresh_one_page_note_with_the_same_title_words() {
        let s = index_of(&[
            " Python 标准库 笔记 记几个常用模块 os sys json0 码力 | 1 页 | 2.10 KB | 2 天前1",
            " Python 标准库 3.10 目录 内置函数 12 内置常量 30 内置类型 35 异常 99 文本处理服务 1200 码力 | 1980 页 | 9.76 MB | 1 年前2",
        ]);
        assert_eq!(order(&s, "Python 标准库"), vec![2, 1]);
        // with equal size, the fresher one wins
        let s = index_of(&[
            " Python 标准库 3.10 目录 内置函数 12 内置常量 30 内置类型 35 异常 99 文本处理服务 1200 码力 | 1980 页 | 9.76 MB | 5 年前2",
            " Python 标准库 3.12 目录 内置函数 12 内置常量 30 内置类型 35 异常 99 文本处理服务 1200 码力 | 1980 页 | 9.76 MB | 2 天前2",
        ]);
        assert_eq!(order(&s, "Python 标准库"), vec![2, 1]);
    }
}

mod understanding {
    //! Issue 11: what people actually type (docs/query-language.md).
    use super::*;
    use wenku_query::ConditionKind;

    fn titles(r: &SearchResults) -> Vec<String> {
        r.hits.iter().map(|h| h.listing.title_norm.clone()).collect()
    }

    fn dev() -> Option<&'static Searcher> {
        DEV.as_ref()
    }

    /// An unspaced Han run is its words, in any order; adjacency ranks first.
    #[test]
    fn unspaced_han_runs_are_words_not_phrases() {
        let Some(s) = dev() else { return };
        let r = run(s, "错误处理事务", 10, Sort::Relevance);
        assert!(titles(&r).iter().any(|t| t == "事务错误处理"), "{:?}", titles(&r));
        let r = run(s, "事务错误处理", 10, Sort::Relevance);
        assert_eq!(titles(&r)[0], "事务错误处理");
        // a quoted run keeps the exact phrase
        assert_eq!(run(s, "\"错误处理事务\"", 10, Sort::Relevance).total, 0);
    }

    /// Every dev title with punctuation, pasted as displayed (and typed
    /// full-width), brings a listing with that title first.
    #[test]
    fn pasted_titles_come_first_half_and_full_width() {
        let Some(s) = dev() else { return };
        let truth = workspace().join("../shared/corpus/dev/truth.jsonl");
        let mut titles_seen = BTreeSet::new();
        for line in std::fs::read_to_string(truth).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let t = v["title"].as_str().unwrap().to_string();
            if t.contains(['—', '[', ']', ':', '(']) {
                titles_seen.insert(t);
            }
        }
        let full_width = |t: &str| -> String {
            t.chars()
                .map(|c| match c {
                    ' ' => '\u{3000}',
                    '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                    c => c,
                })
                .collect()
        };
        let (mut first, mut n) = (0, 0);
        for t in &titles_seen {
            for q in [t.clone(), full_width(t)] {
                n += 1;
                let r = run(s, &q, 1, Sort::Relevance);
                if r.hits.first().is_some_and(|h| h.listing.title == *t) {
                    first += 1;
                }
            }
        }
        // the rest are listings whose title the parser split wrongly
        assert!(n > 200, "{n}");
        assert!(first as f64 / n as f64 >= 0.9, "{first} of {n}");
    }

    #[test]
    fn question_and_filler_words_are_optional() {
        let Some(s) = dev() else { return };
        let plain: BTreeSet<String> =
            titles(&run(s, "打家劫舍", 10, Sort::Relevance)).into_iter().collect();
        for q in ["如何打家劫舍", "有没有打家劫舍的文档", "打家劫舍怎么用", "求 打家劫舍"]
        {
            let r = run(s, q, 10, Sort::Relevance);
            let got: BTreeSet<String> = titles(&r).into_iter().collect();
            assert_eq!(got, plain, "help: query {q:?}");
            assert!(!r.understood.optional.is_empty(), "{q}");
        }
        // a query of only filler words searches them
        assert!(run(s, "如何", 10, Sort::Relevance).understood.optional.is_empty());
    }

    #[test]
    fn pinyin_full_unspaced_and_initials() {
        let Some(s) = dev() else { return };
        for q in ["diaodu", "dajiajieshe", "dajia jieshe", "djjs"] {
            let r = run(s, q, 10, Sort::Relevance);
            let want = if q == "diaodu" { "调度" } else { "打家劫舍" };
            assert!(
                titles(&r)[..3.min(r.hits.len())].iter().any(|t| t.contains(want)),
                "{q}: {:?}",
                titles(&r)
            );
            assert!(!r.understood.by_reading.is_empty(), "{q}");
        }
        // English and code words that the catalog has are not read as pinyin
        for q in ["python", "bisect", "table"] {
            assert!(run(s, q, 10, Sort::Relevance).understood.by_reading.is_empty(), "{q}");
        }
    }

    #[test]
    fn same_reading_typos() {
        let Some(s) = dev() else { return };
        let r = run(s, "管联 查询", 10, Sort::Relevance);
        assert_eq!(titles(&r)[0], "关联子查询去关联");
        assert_eq!(r.understood.by_reading, ["管联"]);
    }

    /// A listing with the typed word comes before one that matches only by
    /// reading, even when the reading match is a better title match.
    #[test]
    fn exact_matches_come_before_reading_matches() {
        let s = index_of(&[
            " 监控告警配置 告警规则与通知渠道0 码力 | 30 页 | 1.00 MB | 1 天前1",
            " 运维手册 第三章 监空告警 的误写0 码力 | 3 页 | 10.00 KB | 5 年前1",
        ]);
        let r = run(&s, "监空告警", 10, Sort::Relevance);
        let order: Vec<u64> = r.hits.iter().map(|h| h.listing.source.line).collect();
        assert_eq!(order, [2, 1]);
        assert_eq!(r.total, 2);
    }

    /// The examples of issue 11 that found nothing before: an unspaced run
    /// whose words are apart in the title, a pasted title with a dash, a
    /// spaced ` - ` that is text.
    #[test]
    fn the_issue_examples_find_their_listing() {
        let s = index_of(&[
            " 2006. 差的绝对值为 K 的数对数目 给你一个整数数组 nums 和一个整数 k0 码力 | 3 页 | 5.00 KB | 1 年前1",
            " 代码对象 — Python 3.11 文档 代码对象是 CPython 实现的低层级细节0 码力 | 2 页 | 3.00 KB | 1 年前1",
            " nix registry - 管理 Nix 软件源注册表 更多信息0 码力 | 1 页 | 1.00 KB | 1 年前1",
            " 代码对象 — Python 3.12 文档 代码对象是 CPython 实现的低层级细节0 码力 | 2 页 | 3.00 KB | 1 年前1",
        ]);
        let first = |q: &str| {
            let r = run(&s, q, 10, Sort::Relevance);
            r.hits.first().map(|h| h.listing.source.line)
        };
        assert_eq!(first("绝对值数目"), Some(1));
        assert_eq!(first("代码对象 — Python 3.11 文档"), Some(2));
        assert_eq!(first("代码对象 — Python 3.12 文档"), Some(4));
        assert_eq!(first("nix registry - 管理 Nix 软件源注册表"), Some(3));
    }

    /// An exclusion removes exactly the listings of what it excludes,
    /// phrases and multi-token units included (tantivy's exclusion looks a
    /// phrase up out of order), and is never read by pinyin.
    #[test]
    fn exclusions_remove_exactly_their_matches() {
        let Some(s) = dev() else { return };
        let ids = |q: &str| -> BTreeSet<String> {
            run(s, q, 10_000, Sort::Pages).hits.iter().map(|h| h.id().to_string()).collect()
        };
        for (base, ex) in [
            ("python", "\"sys path\""),
            ("python", "sys.path"),
            ("的", "\"python 3\""),
            ("的", "tidb"),
            ("python", "and"),
        ] {
            // every listing of `ex` (each query here has 10 or more exact
            // matches or a quoted phrase: no pinyin reading widens them)
            let want: BTreeSet<String> = ids(base).difference(&ids(ex)).cloned().collect();
            assert_eq!(ids(&format!("{base} -{ex}")), want, "help: {base} -{ex}");
        }
    }

    /// A typo that jieba cuts into a word and a lone character is matched
    /// by the reading of the whole run.
    #[test]
    fn a_typo_cut_off_as_a_lone_character() {
        let s = index_of(&[
            " 278. 第一个错误版本 你是产品经理，目前正在带领一个团队开发新的产品0 码力 | 3 页 | 5.00 KB | 1 年前1",
            " 各地的第一 手资料汇编0 码力 | 3 页 | 5.00 KB | 1 年前1",
        ]);
        let r = run(&s, "第一各", 10, Sort::Relevance);
        // the listing with the typed characters (scattered) first: exact tier
        assert_eq!(titles(&r), ["各地的第一", "278. 第一个错误版本"]);
        assert!(r.understood.by_reading.contains(&"第一各".to_string()));
    }

    #[test]
    fn catalog_conditions() {
        let Some(s) = dev() else { return };
        let r = run(s, "错误处理 5页以上", 20, Sort::Relevance);
        assert!(r.total > 0 && r.hits.iter().all(|h| h.listing.pages >= 5));
        assert_eq!(r.understood.conditions[0].meaning, "pages:>=5");
        let all = run(s, "错误处理", 20, Sort::Relevance);
        assert!(all.total > r.total);

        let r = run(s, "错误处理 2KB以下", 20, Sort::Relevance);
        assert!(r.hits.iter().all(|h| h.listing.size_bytes <= 2048));

        let r = run(s, "错误处理 免费", 20, Sort::Relevance);
        assert!(r.total > 0 && r.hits.iter().all(|h| h.listing.price == 0));

        // 最新: the newest of the title matches first
        let r = run(s, "参考手册 最新", 10, Sort::Relevance);
        assert_eq!(r.understood.conditions[0].kind, ConditionKind::Newest);
        let newest = r.hits.iter().filter_map(|h| h.listing.published).max();
        assert_eq!(r.hits[0].listing.published, newest);
        assert!(r.hits[0].listing.title_norm.contains("参考手册"));

        // a year: the age must allow a publication in that year
        let r = run(s, "错误处理 2025年", 20, Sort::Relevance);
        assert!(r.total > 0);
        for h in &r.hits {
            let l = &h.listing;
            let latest = l.published.unwrap().as_second();
            let earliest = latest - l.age.unit.seconds();
            assert!(latest >= 1_735_689_600 && earliest < 1_767_225_600, "{:?}", l.age);
        }
    }

    #[test]
    fn a_condition_that_empties_the_result_is_named() {
        let Some(s) = dev() else { return };
        let r = run(s, "参考手册 5000页以上", 10, Sort::Relevance);
        assert_eq!(r.total, 0);
        assert_eq!(r.understood.emptied_by.as_deref(), Some("5000页以上"));
    }

    /// When no listing has every word: those with the most of them, and
    /// the answer says so.
    #[test]
    fn relaxation_when_nothing_has_every_word() {
        let Some(s) = dev() else { return };
        let r = run(s, "打家劫舍 量子纠缠", 10, Sort::Relevance);
        let relaxed = r.understood.relaxed.clone().expect("relaxed");
        assert_eq!(relaxed.words, ["打家劫舍", "量子", "纠缠"]);
        assert!(relaxed.matched < relaxed.of);
        assert!(titles(&r)[0].contains("打家劫舍"), "{:?}", titles(&r));
        // an exact match is never relaxed
        assert!(run(s, "打家劫舍", 10, Sort::Relevance).understood.relaxed.is_none());
    }
}
