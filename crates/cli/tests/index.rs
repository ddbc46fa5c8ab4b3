//! `wenku index`: summaries, malformed lines, re-indexing, errors.

use std::fmt::Write as _;
use std::path::Path;

use predicates::prelude::*;

use crate::util::*;

#[test]
fn seed_page_summary() {
    let dir = Dir::new();
    let out = dir.wenku(&["index", SEED]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("indexed 9 listings (10 read, 1 duplicate collapsed) into "), "{text}");
    assert!(text.contains("malformed lines: 0"), "{text}");
    assert!(text.contains("page footers: 1 in 1 result set reporting 共 163 条 in all"), "{text}");
    assert!(text.contains("index now holds 9 listings"), "{text}");
    assert!(text.contains(" MB/s)"), "{text}");
    // no progress display when stderr is not a terminal
    assert_eq!(stderr(&out), "");
}

#[test]
fn json_summary_is_one_object() {
    let dir = Dir::new();
    let out = dir.wenku(&["index", "--json", SEED]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let s = &lines[0];
    assert_eq!(s["listings_read"], 10);
    assert_eq!(s["indexed"], 9);
    assert_eq!(s["duplicates"], 1);
    assert_eq!(s["malformed"], 0);
    assert_eq!(s["documents"], 9);
    assert_eq!(s["footers"]["reported_listings"], 163);
    assert_eq!(s["index"], dir.index_arg());
    assert!(s["bytes_read"].as_u64().unwrap() > 10_000);
    assert!(s["mb_per_sec"].as_f64().unwrap() > 0.0);
}

/// The seed page with a bad line at line 3 and another at line 5.
fn mixed_page() -> String {
    let seed = std::fs::read_to_string(SEED).unwrap();
    let lines: Vec<&str> = seed.lines().collect();
    format!(
        "{}\n{}\nthis is not a listing\n{}\n broken 0 码力 | x 页 | 1.00 KB | 1 年前2\n",
        lines[0], lines[1], lines[2]
    )
}

#[test]
fn malformed_lines_are_reported_with_file_and_line() {
    let dir = Dir::new();
    let page = dir.write("mixed.txt", mixed_page());
    let out = dir.wenku(&["index"]).arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "malformed lines do not fail the run");
    let text = stdout(&out);
    assert!(text.contains("indexed 3 listings (3 read, 0 duplicates collapsed)"), "{text}");
    assert!(text.contains("malformed lines: 2 (skipped)"), "{text}");
    assert!(text.contains("mixed.txt:3: expected"), "{text}");
    assert!(text.contains("mixed.txt:5: expected the page count"), "{text}");

    let dir = Dir::new();
    let page = dir.write("mixed.txt", mixed_page());
    let out = dir.wenku(&["index", "--json"]).arg(&page).output().unwrap();
    let s = &json_lines(&out)[0];
    assert_eq!(s["malformed"], 2);
    let examples = s["malformed_examples"].as_array().unwrap();
    assert!(
        examples[0].as_str().unwrap().ends_with("mixed.txt:3: expected ' 码力 | ' after the price")
    );
}

#[test]
fn only_the_first_five_malformed_lines_are_listed() {
    let dir = Dir::new();
    let mut page = listing_line("好的标题", "好的内容 ", 0, 3, "1.00 KB", "2 天");
    for i in 0..8 {
        let _ = writeln!(page, "bad line {i}");
    }
    let page = dir.write("bad8.txt", page);
    dir.wenku(&["index"])
        .arg(&page)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("malformed lines: 8"))
        .stdout(predicate::str::contains("bad8.txt:6: "))
        .stdout(predicate::str::contains("bad8.txt:7: ").not())
        .stdout(predicate::str::contains("… and 3 more"));
}

#[test]
fn nothing_readable_is_an_error() {
    let dir = Dir::new();
    let page = dir.write("bad.txt", "hello world\nnot a listing either\n");
    let out = dir.wenku(&["index"]).arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("bad.txt:1: expected"), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("wenku: nothing indexed: no listing could be read"), "{err}");
}

#[test]
fn a_missing_path_is_an_error_and_creates_no_index() {
    let dir = Dir::new();
    let missing = dir.path("no-such-page.txt");
    let out = dir.wenku(&["index"]).arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("wenku: cannot read "), "{err}");
    assert!(err.contains("no-such-page.txt: No such file"), "{err}");
    assert!(!dir.index().exists());
}

fn documents(dir: &Dir) -> u64 {
    let out = dir.wenku(&["stats", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json_lines(&out)[0]["documents"].as_u64().unwrap()
}

#[test]
fn reindexing_the_same_files_adds_no_duplicates() {
    let dir = Dir::new().indexed(&[Path::new(SAMPLE)]);
    let first = documents(&dir);
    assert!(first > 60, "{first}");
    let out = dir.wenku(&["index", "--json", SAMPLE]).output().unwrap();
    assert_eq!(json_lines(&out)[0]["documents"], first);
    // also when the same file is given twice in one run
    dir.wenku(&["index", SEED, SEED]).assert().success();
    assert_eq!(documents(&dir), first);
    dir.wenku(&["search", "--json", "利用率"])
        .assert()
        .code(0)
        .stdout(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn standard_input() {
    let dir = Dir::new();
    let page = std::fs::read_to_string(SEED).unwrap();
    dir.wenku(&["index", "--as-of", "2026-08-26"])
        .write_stdin(page.clone())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("indexed 9 listings"));
    let out = dir.wenku(&["search", "--json", "利用率"]).output().unwrap();
    let hit = &json_lines(&out)[0];
    assert_eq!(hit["source"]["file"], "-");
    assert_eq!(hit["published"], "2025-08-26T00:00:00Z");
    // `-` means standard input too
    dir.wenku(&["index", "-"]).write_stdin(page).assert().code(0);
    assert_eq!(documents(&dir), 9);
}

#[test]
fn as_of_sets_publication_dates() {
    let dir = Dir::new();
    dir.wenku(&["index", "--as-of", "2026-08-26T08:00:00Z", SEED]).assert().success();
    let out = dir.wenku(&["search", "--json", "利用率"]).output().unwrap();
    // 1 年前 before the capture time
    assert_eq!(json_lines(&out)[0]["published"], "2025-08-26T08:00:00Z");
}

#[test]
fn gbk_pages_with_encoding() {
    let dir = Dir::new();
    let line = listing_line("国标编码测试文档", "简体中文内容 ", 2, 5, "3.00 KB", "3 月");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&line);
    assert!(!bad);
    let page = dir.write("gbk.txt", gbk);
    dir.wenku(&["index", "--encoding", "gbk"]).arg(&page).assert().code(0);
    dir.wenku(&["search", "国标编码"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("国标编码测试文档"));
    // standard input is decoded like a file: GBK is detected without the label
    let dir2 = Dir::new();
    let (gbk, _, _) = encoding_rs::GBK.encode(&line);
    dir2.wenku(&["index", "-"]).write_stdin(gbk.clone().into_owned()).assert().code(0);
    dir2.wenku(&["search", "国标编码"]).assert().code(0);
    let dir3 = Dir::new();
    dir3.wenku(&["index", "--encoding", "gbk", "-"]).write_stdin(gbk.into_owned()).assert().code(0);
    dir3.wenku(&["search", "国标编码"]).assert().code(0);
    dir.wenku(&["index", "--encoding", "no-such-encoding"])
        .arg(&page)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown encoding"));
}

#[test]
fn user_dictionary_is_stored_and_checked() {
    let dir = Dir::new();
    let dict = dir.write("dict.txt", "多核利用率 100 n\n");
    dir.wenku(&["index", "--dict"]).arg(&dict).arg(SEED).assert().code(0);
    let out = dir.wenku(&["stats", "--json"]).output().unwrap();
    assert_eq!(json_lines(&out)[0]["user_dict"], true);
    let other = dir.write("other.txt", "别的词 5 n\n");
    let out = dir.wenku(&["index", "--dict"]).arg(&other).arg(SEED).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("another user dictionary"), "{}", stderr(&out));
    let out =
        dir.wenku(&["index", "--dict"]).arg(dir.path("missing.txt")).arg(SEED).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("wenku: cannot read user dictionary "), "{}", stderr(&out));
}

#[test]
fn threads_and_heap() {
    let dir = Dir::new();
    dir.wenku(&["index", "--threads", "1", "--heap", "64MB", SEED])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("indexed 9 listings"));
    dir.wenku(&["index", "--heap", "lots", SEED])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a size"));
}

#[test]
fn dev_corpus() {
    if !Path::new(DEV_PAGES).is_dir() {
        eprintln!("skipped: no dev corpus at {DEV_PAGES}");
        return;
    }
    let dir = Dir::new();
    let out = dir.wenku(&["index", "--json", DEV_PAGES]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = &json_lines(&out)[0];
    assert_eq!(s["listings_read"], 1495);
    assert_eq!(s["malformed"], 0);
    assert_eq!(s["footers"]["pages"], 154);
    assert_eq!(s["footers"]["result_sets"], 12);
    assert_eq!(s["footers"]["reported_listings"], 1495);
    let docs = s["documents"].as_u64().unwrap();
    assert_eq!(s["indexed"].as_u64().unwrap() + s["duplicates"].as_u64().unwrap(), 1495);

    // the score tool's command line, with a query of queries.jsonl (D0002,
    // whose only answer is pages/page-0011.txt:6)
    let out = dir.wenku(&["search", "--json", "--limit", "10", "股票 收益"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hits = json_lines(&out);
    assert!(!hits.is_empty() && hits.len() <= 10);
    for h in &hits {
        let file = h["source"]["file"].as_str().unwrap();
        assert!(file.contains("page-") && file.ends_with(".txt"), "{file}");
        assert!(h["source"]["line"].as_u64().unwrap() >= 1);
    }
    assert!(
        hits.iter().any(|h| h["source"]["file"].as_str().unwrap().ends_with("/page-0011.txt")
            && h["source"]["line"] == 6),
        "{hits:?}"
    );

    // indexing the corpus again changes nothing
    let out = dir.wenku(&["index", "--json", DEV_PAGES]).output().unwrap();
    assert_eq!(json_lines(&out)[0]["documents"], docs);
}
