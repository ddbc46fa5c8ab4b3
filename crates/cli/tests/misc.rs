//! `wenku parse`, `wenku stats`, `wenku demo`, `--help`.

use predicates::prelude::*;

use crate::util::*;

#[test]
fn parse_writes_json_lines() {
    let out = wenku().args(["parse", "--as-of", "2026-08-26T08:00:00Z", SEED]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    let records = json_lines(&out);
    assert_eq!(records.len(), 10);
    let first = &records[0];
    assert_eq!(first["title"], "4 Python机器学习性能优化");
    assert_eq!(first["pages"], 38);
    assert_eq!(first["size_bytes"], 2_359_296);
    assert_eq!(first["published"], "2025-08-26T08:00:00Z");
    assert_eq!(first["source"]["line"], 1);
    assert!(records.iter().all(|r| r["id"].as_str().is_some_and(|id| id.len() == 32)));
}

#[test]
fn parse_reports_malformed_lines_on_stderr() {
    let dir = Dir::new();
    let mut page = listing_line("好的标题", "好的内容 ", 0, 3, "1.00 KB", "2 天");
    page.push_str("not a listing\n");
    page.push_str(&listing_line("另一个标题", "更多内容 ", 1, 4, "2.00 KB", "3 天"));
    let page = dir.write("p.txt", page);
    let out = wenku().arg("parse").arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "malformed lines do not fail the run");
    assert_eq!(json_lines(&out).len(), 2);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].ends_with("p.txt:2: expected ' 码力 | ' after the price"), "{err}");
    assert_eq!(lines[1], "wenku: 1 malformed lines skipped (2 listings written)");
}

#[test]
fn parse_output_can_be_indexed() {
    let dir = Dir::new();
    let out = wenku().args(["parse", SEED]).output().unwrap();
    let jsonl = dir.write("seed.jsonl", &out.stdout);
    dir.wenku(&["index"])
        .arg(&jsonl)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("indexed 9 listings (10 read, 1 duplicate collapsed)"));
    let out = dir.wenku(&["search", "--json", "利用率"]).output().unwrap();
    assert!(json_lines(&out)[0]["source"]["file"].as_str().unwrap().ends_with("seed-page.txt"));
}

#[test]
fn parse_stdin_and_missing_files() {
    let page = std::fs::read_to_string(SEED).unwrap();
    let out = wenku().args(["parse", "-"]).write_stdin(page).output().unwrap();
    assert_eq!(json_lines(&out).len(), 10);
    assert_eq!(json_lines(&out)[0]["source"]["file"], "-");
    // reported, the other paths still read, exit status 2 (as ripgrep)
    let out = wenku().args(["parse", "/no/such/page.txt", SEED]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_lines(&out).len(), 10);
    let err = stderr(&out);
    assert!(err.starts_with("/no/such/page.txt: cannot read: "), "{err}");
    assert!(err.contains("wenku: 1 path not read (see above); everything else was read"), "{err}");
}

#[test]
fn stats() {
    let index = seed_index();
    let out = index.wenku(&["stats"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let ids = format!(
        "ids           {} · parser version {}",
        wenku::listing::ID_SCHEME,
        wenku::listing::PARSER_VERSION
    );
    for want in [
        "index         ",
        "listings      9 (1 seen more than once, 1 copies collapsed)",
        "size on disk  ",
        "user dictionary: no",
        ids.as_str(),
        "fields        id (Str: indexed)",
        "published     20",
        "sizes         <100 KB",
        "pages         1–9 ",
        "price         free ",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
    let out = index.wenku(&["stats", "--json"]).output().unwrap();
    let s = &json_lines(&out)[0];
    assert_eq!(s["documents"], 9);
    assert_eq!(s["copies_collapsed"], 1);
    assert_eq!(s["user_dict"], false);
    assert!(s["analysis_version"].as_u64().is_some());
    assert_eq!(s["id_scheme"], wenku::listing::ID_SCHEME);
    assert_eq!(s["parser_version"], wenku::listing::PARSER_VERSION);
    assert!(s["size_on_disk_bytes"].as_u64().unwrap() > 1000);
    let pages: u64 =
        s["page_buckets"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(pages, 9);
    assert!(s["published"]["min"].as_str().unwrap() <= s["published"]["max"].as_str().unwrap());
    assert!(s["fields"].as_array().unwrap().iter().any(|f| f["name"] == "title"));
}

#[test]
fn stats_without_index_exit_2() {
    let dir = Dir::new();
    dir.wenku(&["stats"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("wenku: no wenku index at "));
}

#[test]
fn demo_indexes_the_sample_and_searches() {
    let out = wenku().arg("demo").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "malformed lines: 0",
        "$ wenku search 利用率",
        "多核利用率问题",
        "$ wenku search 標準庫 bisect",
        "Python 标准库参考指南",
        "$ wenku search breakpointhook",
        "sys.breakpointhook()",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
    wenku().args(["demo", "--data", "/no/such/dir"]).assert().code(2);
}

#[test]
fn help_documents_defaults_and_json() {
    wenku()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("WENKU_INDEX"))
        .stdout(predicate::str::contains(".local/share/wenku/index"));
    wenku()
        .args(["search", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("one JSON object per hit per line"))
        .stdout(predicate::str::contains("\"total\": N"));
}

/// `wenku parse` on several threads writes the same records, in the same
/// order, with the same errors, as on one: the dev pages plus a page with
/// malformed lines.
#[test]
fn parse_threads_change_nothing_in_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.txt");
    let seed = std::fs::read_to_string(SEED).unwrap();
    let mut text = String::new();
    for (i, line) in seed.lines().enumerate() {
        text.push_str(line);
        text.push('\n');
        if i % 3 == 1 {
            text.push_str("标题 没有价格的一行 | 12 页\n");
        }
    }
    std::fs::write(&damaged, text).unwrap();
    let run = |threads: &str| {
        let out = wenku()
            .args(["parse", "--as-of", "2026-08-26", "--threads", threads, DEV_PAGES])
            .arg(&damaged)
            .output()
            .unwrap();
        (stdout(&out), stderr(&out), out.status.code())
    };
    let one = run("1");
    assert!(one.0.lines().count() > 1000, "dev pages parsed: {}", one.0.lines().count());
    assert!(one.1.contains("damaged.txt:"), "malformed lines reported: {}", one.1);
    assert_eq!(run("3"), one);
}
