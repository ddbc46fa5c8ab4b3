//! Index-level behaviour: upserts, duplicate counts, metadata checks and
//! crash safety, on the seed page.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tantivy::collector::Count;
use tantivy::query::AllQuery;
use wenku_index::analysis::ANALYSIS_VERSION;
use wenku_index::{Error, ListingIndex, META_FILE, WriterOptions};
use wenku_listing::{CatalogReader, Item, Listing, ParseOptions};

fn seed_listings() -> Vec<Listing> {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample/seed-page.txt");
    let opts =
        ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()), ..Default::default() };
    CatalogReader::open(&[seed], opts)
        .unwrap()
        .filter_map(|i| match i.unwrap() {
            Item::Listing(l) => Some(l),
            Item::Footer(_) => None,
        })
        .collect()
}

fn opts() -> WriterOptions {
    WriterOptions { threads: 1, heap_bytes: 20 << 20 }
}

fn count(index: &ListingIndex) -> usize {
    let reader = index.reader().unwrap();
    reader.reload().unwrap();
    reader.searcher().search(&AllQuery, &Count).unwrap()
}

fn index_all(index: &ListingIndex, listings: &[Listing]) -> wenku_index::WriteStats {
    let mut w = index.writer(&opts()).unwrap();
    for l in listings {
        w.add(l).unwrap();
    }
    w.commit().unwrap()
}

#[test]
fn reindexing_the_same_catalog_upserts() {
    let dir = tempfile::tempdir().unwrap();
    let listings = seed_listings();
    assert_eq!(listings.len(), 10);
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    let first = index_all(&index, &listings);
    assert_eq!((first.added, first.distinct, first.duplicates), (10, 9, 1));
    assert_eq!(count(&index), 9);
    // each commit writes the query dictionary: indexed words, jieba's frequencies
    let dict = std::fs::read_to_string(dir.path().join("query-dict.txt")).unwrap();
    assert!(dict.lines().any(|l| l.starts_with("利用率 ")), "indexed word missing");
    assert!(!dict.lines().any(|l| l.starts_with("农业发展银行 ")), "unindexed word present");
    drop(index);
    let index = ListingIndex::open(dir.path()).unwrap();
    index_all(&index, &listings);
    assert_eq!(count(&index), 9, "second run must replace, not add");
}

#[test]
fn delete_by_id() {
    let index = ListingIndex::create_in_ram(Default::default()).unwrap();
    let listings = seed_listings();
    index_all(&index, &listings);
    let mut w = index.writer(&opts()).unwrap();
    w.delete(&listings[0].id);
    w.commit().unwrap();
    assert_eq!(count(&index), 8);
}

#[test]
fn opening_checks_presence_version_and_dictionary() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = ListingIndex::open(&missing).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)));
    assert!(err.to_string().starts_with("no wenku index at "), "{err}");

    let path = dir.path().join("idx");
    ListingIndex::open_or_create(&path, Some("压力工具 10 n\n")).unwrap();
    // same dictionary: fine; another one: refused
    ListingIndex::open_or_create(&path, Some("压力工具 10 n\n")).unwrap();
    let err = ListingIndex::open_or_create(&path, Some("别的词 5\n")).unwrap_err();
    assert!(matches!(err, Error::DictionaryMismatch(_)), "{err}");
    // the stored dictionary is used on open
    let index = ListingIndex::open(&path).unwrap();
    assert_eq!(index.analyzer().user_dict(), Some("压力工具 10 n\n"));

    // an index from another analysis version is a clear error
    let meta = path.join(META_FILE);
    let text = std::fs::read_to_string(&meta).unwrap();
    let current = format!("\"analysis_version\": {ANALYSIS_VERSION}");
    assert!(text.contains(&current), "{text}");
    std::fs::write(&meta, text.replace(&current, "\"analysis_version\": 999")).unwrap();
    let err = ListingIndex::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "index at {} was built with analysis version 999, this wenku uses {ANALYSIS_VERSION}: re-index into a new directory",
            path.display()
        )
    );
}

/// Listings that differ from the seed's (unique ids) for the crash test.
fn synthetic(n: usize) -> impl Iterator<Item = Listing> {
    let base = seed_listings().remove(0);
    (0..n).map(move |i| {
        let mut l = base.clone();
        l.id = format!("{i:032x}");
        l.title_norm = format!("{} {i}", base.title_norm);
        l
    })
}

const CHILD_DIR: &str = "WENKU_CRASH_TEST_DIR";

/// Runs in a child process (see `killed_writer_leaves_last_commit_intact`):
/// commits 500 listings, says so, then keeps adding without committing
/// until it is killed.
#[test]
#[ignore = "child process of the crash test"]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else { return };
    let index = ListingIndex::open_or_create(Path::new(&dir), None).unwrap();
    let mut w = index.writer(&opts()).unwrap();
    for l in synthetic(500) {
        w.add(&l).unwrap();
    }
    w.commit().unwrap();
    println!("committed 500");
    let mut w = index.writer(&opts()).unwrap();
    for l in synthetic(usize::MAX).skip(500) {
        w.add(&l).unwrap();
    }
}

#[test]
fn killed_writer_leaves_last_commit_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("idx");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("committed 500") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "child ended before committing");
    }
    // let it index uncommitted listings for a while, then kill it mid-run
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();

    let index = ListingIndex::open(&path).unwrap();
    assert_eq!(count(&index), 500, "exactly the committed listings survive");
    // the writer lock died with the process: a new run can write
    index_all(&index, &seed_listings());
    assert_eq!(count(&index), 509);
}
