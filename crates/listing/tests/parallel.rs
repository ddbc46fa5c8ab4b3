//! Parsing on worker threads (`ParseOptions::threads`, and
//! `first_pass_threads` for the first pass alone) yields the same items in
//! the same order as parsing on the calling thread: listings (ids, splits,
//! sources), footers and errors with their file and line.

use std::path::Path;

use wenku_listing::{CatalogReader, Item, ParseOptions};

const DEV_PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/dev/pages");
const SEED: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/listing-page-sample.txt");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");

/// Every item of `CatalogReader::open(dir)` with `threads` threads (and
/// `first` for the first pass, 0: the same), errors as their messages.
fn items(dir: &Path, threads: usize, first: usize) -> Vec<Result<Item, String>> {
    let opts = ParseOptions {
        as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()),
        threads,
        first_pass_threads: first,
        ..Default::default()
    };
    CatalogReader::open(&[dir], opts).unwrap().map(|i| i.map_err(|e| e.to_string())).collect()
}

/// The dev pages (or the bundled sample when the corpus is absent), the
/// seed page, and a damaged page: a malformed line, a page link without
/// footer, invalid UTF-8, a line with two differing halves, between good
/// lines, so that errors fall inside batches.
fn catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pages = if Path::new(DEV_PAGES).is_dir() { DEV_PAGES } else { SAMPLE };
    if pages == SAMPLE {
        eprintln!("{DEV_PAGES} absent: the bundled sample only");
    }
    for e in walkdir::WalkDir::new(pages).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let name = e.path().strip_prefix(pages).unwrap().to_string_lossy().replace('/', "_");
            std::fs::copy(e.path(), dir.path().join(name)).unwrap();
        }
    }
    let seed = std::fs::read(SEED).unwrap();
    std::fs::write(dir.path().join("seed.txt"), &seed).unwrap();
    let mut damaged = Vec::new();
    let good: Vec<&[u8]> = seed.split(|b| *b == b'\n').filter(|l| l.len() > 100).collect();
    for (i, line) in good.iter().cycle().take(200).enumerate() {
        damaged.extend_from_slice(line);
        damaged.push(b'\n');
        match i % 37 {
            3 => damaged.extend_from_slice(b" a title without a tail 0 \xe7\xa0\x81\n"),
            11 => damaged.extend_from_slice(b"- 3\n"),
            19 => {
                let mut bad = line.to_vec();
                bad[20] = 0xff;
                damaged.extend_from_slice(&bad);
                damaged.push(b'\n');
            }
            29 => {
                // two different listings on one line
                damaged.extend_from_slice(good[0]);
                damaged.extend_from_slice(good[1]);
                damaged.push(b'\n');
            }
            _ => {}
        }
    }
    damaged.extend_from_slice("共 200 条\n- 1\n- 2\n".as_bytes());
    std::fs::write(dir.path().join("zz-damaged.txt"), damaged).unwrap();
    dir
}

#[test]
fn threads_yield_the_same_items_in_the_same_order() {
    let dir = catalog();
    let one = items(dir.path(), 1, 0);
    let listings = one.iter().filter(|i| matches!(i, Ok(Item::Listing(_)))).count();
    let errors = one.iter().filter(|i| i.is_err()).count();
    let footers = one.iter().filter(|i| matches!(i, Ok(Item::Footer(_)))).count();
    assert!(listings > 200 && errors >= 10 && footers > 1, "{listings} {errors} {footers}");
    // Sources in reading order: (file index, line) never goes back.
    let mut files: Vec<String> = Vec::new();
    // (second pass, first pass): workers in both, or in one pass only
    for (threads, first) in [(2, 0), (3, 0), (8, 0), (1, 2), (1, 3), (2, 1)] {
        let many = items(dir.path(), threads, first);
        let threads = format!("{threads}+{first}");
        assert_eq!(many.len(), one.len(), "{threads} threads: item count");
        for (k, (a, b)) in one.iter().zip(&many).enumerate() {
            assert_eq!(a, b, "{threads} threads: item {k}");
        }
        let mut last = (0usize, 0u64);
        for item in &many {
            let Ok(Item::Listing(l)) = item else { continue };
            if files.last() != Some(&l.source.file) {
                files.push(l.source.file.clone());
            }
            let at = (files.len() - 1, l.source.line);
            assert!(at >= last, "{threads} threads: {at:?} after {last:?}");
            last = at;
        }
        files.clear();
    }
}
