//! Long-running processes: reloads that follow other processes' commits,
//! searches during indexing, duplicates stored whole.

use std::path::{Path, PathBuf};
use std::process::Command;

use wenku::index::analysis::Mode;
use wenku::{IndexOptions, ParseOptions, Query, SearchRequest, Wenku, WriterOptions};

#[path = "../../listing/tests/damaged.rs"]
mod damaged;

use damaged::SEED;
const NOW: i64 = 1_787_731_200; // 2026-08-26T08:00:00Z

fn request(q: &str) -> SearchRequest {
    let now = jiff::Timestamp::from_second(NOW).unwrap();
    SearchRequest::new(Query::parse(q).unwrap()).now(now)
}
const CHILD_DIR: &str = "WENKU_RELOAD_TEST_DIR";

fn options() -> IndexOptions {
    IndexOptions {
        writer: WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() },
        parse: ParseOptions {
            as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()),
            ..Default::default()
        },
        keep_errors: None,
    }
}

fn seed_index(dir: &Path) -> Wenku {
    let wenku = Wenku::open_or_create(dir).unwrap();
    let mut indexer = wenku.indexer(&options()).unwrap();
    indexer.add_paths([SEED]).unwrap();
    assert_eq!(indexer.commit().unwrap().indexed, 9);
    wenku.reload().unwrap();
    wenku
}

/// A listing line (the text written twice).
fn line(text: &str) -> String {
    format!(" {text} {text}\n")
}

/// Words the seed page does not have; jieba knows them.
const NEW_LISTING: &str =
    "中国农业发展银行信贷手册 农业发展银行贷款流程与风险管理说明0 码力 | 20 页 | 1.00 MB | 1 月前2";
const QUERIES: [&str; 4] = ["农业发展银行", "农业发展银行贷款", "风险管理 标准库", "利用率"];

fn results(wenku: &Wenku, q: &str) -> Vec<(String, String)> {
    let r = wenku.search(&request(q)).unwrap();
    r.hits.iter().map(|h| (h.id().to_string(), format!("{:.6}", h.score))).collect()
}

fn query_tokens(wenku: &Wenku, q: &str) -> Vec<String> {
    wenku.index().analyzer().tokens(Mode::Query, q).into_iter().map(|t| t.text).collect()
}

/// Runs in a child process (see `reload_follows_commits_of_another_process`).
#[test]
#[ignore = "child process of the reload test"]
fn reload_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else { return };
    let wenku = Wenku::open(&dir).unwrap();
    let mut indexer = wenku.indexer(&options()).unwrap();
    indexer.add_text("new.txt", line(NEW_LISTING)).unwrap();
    assert_eq!(indexer.commit().unwrap().indexed, 1);
}

#[test]
fn reload_follows_commits_of_another_process() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("idx");
    let wenku = seed_index(&dir);
    // a long-running process: its query dictionary is loaded
    let before: Vec<Vec<String>> = QUERIES.iter().map(|q| query_tokens(&wenku, q)).collect();
    assert!(results(&wenku, "农业发展银行").is_empty());

    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "reload_child", "--ignored", "--test-threads=1"])
        .env(CHILD_DIR, &dir)
        .status()
        .unwrap();
    assert!(status.success());

    wenku.reload().unwrap();
    let fresh = Wenku::open(&dir).unwrap();
    assert_eq!(fresh.num_docs(), 10);
    assert_eq!(wenku.num_docs(), 10);
    let mut changed = 0;
    for (q, before) in QUERIES.iter().zip(&before) {
        let after = query_tokens(&wenku, q);
        assert_eq!(after, query_tokens(&fresh, q), "{q}: cut as a fresh process cuts it");
        assert_eq!(
            results(&wenku, q),
            results(&fresh, q),
            "{q}: found as a fresh process finds it"
        );
        changed += usize::from(&after != before);
    }
    assert!(changed > 0, "the new words changed how some query is cut: {before:?}");
    assert_eq!(results(&wenku, "农业发展银行").len(), 1);
}

#[test]
fn searches_during_indexing_see_the_last_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let wenku = seed_index(tmp.path());
    let committed = results(&wenku, "利用率");
    assert!(!committed.is_empty());
    let mut indexer = wenku.indexer(&options()).unwrap();
    let mut page = String::new();
    for i in 0..200 {
        page.push_str(&line(&format!(
            "冥王星探测报告第{i}卷 利用率分析{i}0 码力 | {} 页 | 1.00 MB | 1 月前2",
            i + 1
        )));
    }
    indexer.add_text("new.txt", page).unwrap();
    // searches from other threads while the writer holds 200 uncommitted listings
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                wenku.reload().unwrap();
                assert_eq!(wenku.num_docs(), 9);
                assert!(results(&wenku, "冥王星").is_empty());
                assert_eq!(results(&wenku, "利用率"), committed);
            });
        }
    });
    indexer.commit().unwrap();
    wenku.reload().unwrap();
    assert_eq!(wenku.num_docs(), 209);
    assert_eq!(results(&wenku, "冥王星").len(), 10, "first page of 200");
}

#[test]
fn a_second_writer_gets_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let wenku = seed_index(tmp.path());
    let _held = wenku.indexer(&options()).unwrap();
    let other = Wenku::open(tmp.path()).unwrap();
    let err = other.indexer(&options()).unwrap_err().to_string();
    assert!(err.contains("is locked by another writer"), "{err}");
    assert_eq!(other.num_docs(), 9);
}

#[test]
fn a_collapsed_duplicate_is_stored_as_its_first_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let wenku = Wenku::open_or_create(tmp.path()).unwrap();
    // the same listing captured twice: a year apart, another price
    let first = "Rust 编程之道 所有权与借用0 码力 | 300 页 | 5.00 MB | 1 月前4";
    let later = "Rust 编程之道 所有权与借用3 码力 | 300 页 | 5.00 MB | 1 年前9";
    let mut indexer = wenku.indexer(&options()).unwrap();
    indexer.add_text("a.txt", line(first)).unwrap();
    indexer.add_text("b.txt", format!("\n\n{}", line(later))).unwrap();
    let report = indexer.commit().unwrap();
    assert_eq!((report.indexed, report.duplicates), (1, 1));
    wenku.reload().unwrap();
    let hits = wenku.search(&request("所有权")).unwrap().hits;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].dup_count, 2);
    let l = &hits[0].listing;
    assert_eq!((l.source.file.as_str(), l.source.line), ("a.txt", 1));
    assert_eq!((l.price, l.trailing, l.age.value), (0, 4, 1), "the first copy's content");
    assert_eq!(l.raw, first);
}

/// Every stored listing of an index: id → (source file name, line).
fn stored(wenku: &Wenku) -> std::collections::BTreeMap<String, String> {
    let searcher = wenku.index().reader().unwrap().searcher();
    let mut out = std::collections::BTreeMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            let l = wenku::StoredListing::fetch(wenku.index(), &searcher, addr).unwrap().listing;
            out.insert(l.id, l.title);
        }
    }
    out
}

/// The dev corpus indexed as one catalog, file by file (a reader per
/// file), and in reverse order: the same ids, the same number of listings.
#[test]
fn ids_and_counts_do_not_depend_on_indexing_order() {
    let Some(mut files) = damaged::dev_pages() else { return };
    let dev = Path::new(damaged::DEV_PAGES);
    let run = |wenku: &Wenku, paths: &[PathBuf]| {
        let mut indexer = wenku.indexer(&options()).unwrap();
        indexer.add_paths(paths).unwrap();
        indexer.commit().unwrap();
        wenku.reload().unwrap();
    };
    let whole = Wenku::create_in_ram().unwrap();
    run(&whole, &[dev.to_path_buf()]);
    // one reader per file (no title memory shared between files)
    let per_file = Wenku::create_in_ram().unwrap();
    let mut indexer = per_file.indexer(&options()).unwrap();
    for f in &files {
        indexer.add_paths([f]).unwrap();
    }
    indexer.commit().unwrap();
    per_file.reload().unwrap();
    let reverse = Wenku::create_in_ram().unwrap();
    files.reverse();
    run(&reverse, &files);
    let ids = |w: &Wenku| stored(w).into_keys().collect::<Vec<_>>();
    let reference = ids(&whole);
    assert!(reference.len() > 1000, "{}", reference.len());
    assert_eq!(whole.num_docs() as usize, reference.len());
    for (name, w) in [("file by file", &per_file), ("reverse order", &reverse)] {
        assert_eq!(w.num_docs(), whole.num_docs(), "{name}");
        assert_eq!(ids(w), reference, "{name}");
    }
}
