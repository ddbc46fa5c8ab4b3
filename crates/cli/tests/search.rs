//! `wenku search`: plain and JSON output, exit codes, errors, broken pipes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use predicates::prelude::*;
use serde_json::Value;

use crate::util::*;

#[test]
fn plain_output() {
    let out = seed_index().wenku(&["search", "利用率"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "1 match");
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], " 1. 4 Python机器学习性能优化");
    assert!(lines[3].starts_with("    38 页 · 2.25 MB · 2025-08-26 · 免费 · "), "{}", lines[3]);
    assert!(lines[3].ends_with("seed-page.txt:1"), "{}", lines[3]);
    assert!(lines[4].contains("多核利用率问题"), "{}", lines[4]);
    assert!(!text.contains('\x1b'), "no colour when piped: {text:?}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn words_are_one_query() {
    let index = seed_index();
    let now = "--now=2026-08-26T08:00:00Z";
    let split = index.wenku(&["search", now, "--json", "標準庫", "bisect"]).output().unwrap();
    let joined = index.wenku(&["search", now, "--json", "標準庫 bisect"]).output().unwrap();
    assert_eq!(split.status.code(), Some(0));
    assert_eq!(stdout(&split), stdout(&joined));
    assert!(json_lines(&split).len() >= 2);
}

#[test]
fn colour_on_request() {
    let out = seed_index().wenku(&["--color", "always", "search", "利用率"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("\x1b["), "{text:?}");
    // the match is wrapped in a style, the text around it is not changed
    let plain: String = strip_ansi(&text);
    assert!(plain.contains("多核利用率问题"));
    assert!(text.contains("利用率\x1b["), "{text:?}");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn dup_count_in_metadata() {
    let out = seed_index().wenku(&["search", "breakpointhook"]).output().unwrap();
    assert!(stdout(&out).contains(" · 2 copies"), "{}", stdout(&out));
}

const HIT_FIELDS: [&str; 17] = [
    "rank",
    "id",
    "score",
    "title",
    "title_spans",
    "snippet",
    "snippet_spans",
    "price",
    "pages",
    "size_bytes",
    "size_text",
    "published",
    "age",
    "age_text",
    "dup_count",
    "source",
    "rank",
];

/// Every span of `field`, sliced by bytes and by characters (which must agree).
fn highlighted(hit: &Value, field: &str) -> Vec<String> {
    let text = hit[field].as_str().unwrap();
    hit[format!("{field}_spans")]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
            let by_bytes = text[start as usize..end as usize].to_string();
            let by_chars =
                chars(text, s["char_start"].as_u64().unwrap(), s["char_end"].as_u64().unwrap());
            assert_eq!(by_bytes, by_chars);
            by_bytes
        })
        .collect()
}

#[test]
fn json_hits_with_spans() {
    let out = seed_index().wenku(&["search", "--json", "利用率"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let hits = json_lines(&out);
    assert_eq!(hits.len(), 1, "no summary line without --facets");
    let hit = &hits[0];
    for f in HIT_FIELDS {
        assert!(hit.get(f).is_some(), "missing {f}: {hit}");
    }
    assert!(hit.get("explanation").is_none());
    assert_eq!(hit["rank"], 1);
    assert_eq!(hit["id"].as_str().unwrap().len(), 32);
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["title"], "4 Python机器学习性能优化");
    assert_eq!(hit["price"], 0);
    assert_eq!(hit["pages"], 38);
    assert_eq!(hit["size_bytes"], 2_359_296);
    assert_eq!(hit["size_text"], "2.25 MB");
    assert_eq!(hit["published"], "2025-08-26T08:00:00Z");
    assert_eq!(hit["age"], serde_json::json!({"value": 1, "unit": "year"}));
    assert_eq!(hit["age_text"], "1 年前");
    assert_eq!(hit["dup_count"], 1);
    assert!(hit["source"]["file"].as_str().unwrap().ends_with("seed-page.txt"));
    assert_eq!(hit["source"]["line"], 1);
    assert_eq!(highlighted(hit, "snippet"), ["利用率"]);
    assert_eq!(highlighted(hit, "title"), Vec::<String>::new());
}

#[test]
fn title_spans_slice_the_query_word() {
    let out = seed_index().wenku(&["search", "--json", "性能优化"]).output().unwrap();
    let hits = json_lines(&out);
    assert!(!hits.is_empty());
    for hit in &hits {
        let title = hit["title"].as_str().unwrap();
        if title.contains("性能优化") {
            assert_eq!(highlighted(hit, "title"), ["性能优化"], "{hit}");
        }
    }
    assert!(hits.iter().any(|h| h["title"].as_str().unwrap().contains("性能优化")));
}

#[test]
fn json_facets_line_comes_last() {
    let out = seed_index().wenku(&["search", "--json", "--facets", "pages:>=0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 10, "9 hits and the facets line");
    let last = lines.last().unwrap();
    assert_eq!(last["total"], 9);
    let size: u64 = last["facets"]["size"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(size, 9);
    assert!(last["facets"]["year"].as_array().unwrap().iter().all(|y| y["year"].is_number()));
    assert!(lines[..9].iter().all(|h| h.get("id").is_some()));
    // plain facets
    seed_index()
        .wenku(&["search", "--facets", "pages:>=0"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("by size: <100 KB"))
        .stdout(predicate::str::contains("by year: 20"));
}

#[test]
fn explain() {
    let index = seed_index();
    index
        .wenku(&["search", "--explain", "標準庫 bisect"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"score [0-9.]+ = bm25 [0-9.]+ \(title [0-9.]+").unwrap());
    let out = index.wenku(&["search", "--json", "--explain", "標準庫 bisect"]).output().unwrap();
    let hit = &json_lines(&out)[0];
    let e = &hit["explanation"];
    assert!(e["bm25"].as_f64().unwrap() > 0.0, "{e}");
    assert!((e["score"].as_f64().unwrap() - hit["score"].as_f64().unwrap()).abs() < 1e-3, "{hit}");
}

#[test]
fn limit_offset_and_sort() {
    let index = seed_index();
    let out = index
        .wenku(&["search", "--json", "--sort", "pages", "-n", "3", "pages:>=0"])
        .output()
        .unwrap();
    let hits = json_lines(&out);
    assert_eq!(hits.len(), 3);
    let pages: Vec<u64> = hits.iter().map(|h| h["pages"].as_u64().unwrap()).collect();
    assert!(pages.windows(2).all(|w| w[0] >= w[1]), "{pages:?}");
    let out = index
        .wenku(&[
            "search",
            "--json",
            "--sort",
            "pages",
            "--offset",
            "2",
            "--limit",
            "2",
            "pages:>=0",
        ])
        .output()
        .unwrap();
    let page2 = json_lines(&out);
    assert_eq!(page2[0]["rank"], 3);
    assert_eq!(page2[0]["id"], hits[2]["id"]);
    index
        .wenku(&["search", "--offset", "2", "--limit", "2", "pages:>=0"])
        .assert()
        .stdout(predicate::str::starts_with("9 matches, showing 3–4\n"));
    // a huge limit is fine
    index
        .wenku(&["search", "--json", "--limit", "18446744073709551615", "pages:>=0"])
        .assert()
        .code(0);
}

#[test]
fn now_makes_age_filters_reproducible() {
    let index = seed_index();
    let young = |now: &str| {
        let out = index
            .wenku(&["search", "--json", "--now", now, "age:<1y", "pages:>=0"])
            .output()
            .unwrap();
        json_lines(&out).len()
    };
    assert!(young("2026-08-26T08:00:00Z") > 0);
    assert_eq!(young("2040-01-01"), 0);
}

#[test]
fn no_hits_exit_1() {
    let index = seed_index();
    let out = index.wenku(&["search", "没有这个词语"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "0 matches\n");
    assert_eq!(stderr(&out), "");
    let out = index.wenku(&["search", "--json", "没有这个词语"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
}

#[test]
fn bad_query_exit_2_with_position() {
    let out = seed_index().wenku(&["search", "利用率 size:>5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(
        err,
        "wenku: invalid query at character 11: expected a size with a unit (B, KB, MB, GB, TB) after 'size:', found '5'\n  利用率 size:>5\n               ^\n"
    );
    let out = seed_index().wenku(&["search", "pages:>x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("wenku: invalid query at character 8: "), "{}", stderr(&out));
}

#[test]
fn unknown_index_exit_2() {
    let dir = Dir::new();
    let out = dir.wenku(&["search", "利用率"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(
        err,
        format!("wenku: no wenku index at {} (create one with `wenku index`)\n", dir.index_arg())
    );
    assert!(!dir.index().exists(), "searching must not create an index");
    // WENKU_INDEX is the default
    wenku()
        .env("WENKU_INDEX", dir.index())
        .args(["search", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no wenku index at"));
}

#[test]
fn usage_errors_exit_2() {
    seed_index().wenku(&["search"]).assert().code(2).stderr(predicate::str::contains("Usage"));
    seed_index().wenku(&["search", "--sort", "random", "q"]).assert().code(2);
    seed_index()
        .wenku(&["search", "利用率", "-GPU"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'-- -G'"));
    // exclusions work after `--`
    seed_index().wenku(&["search", "--", "利用率", "-GPU"]).assert().code(1);
    seed_index().wenku(&["search", "利用率 -GPU"]).assert().code(1);
}

/// `wenku search … | head -1`: the reader goes away after one line.
fn read_one_line_then_close(args: &[&str], dir: &Dir) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wenku"))
        .arg("--index")
        .arg(dir.index())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(!first.is_empty());
    // the reader (and with it the pipe) is dropped here
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "a closed pipe is not an error");
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = Dir::new();
    // far more output than a pipe buffer holds, so writes do hit the closed pipe
    let page = dir.write("many.txt", synthetic_page(3000));
    let dir = dir.indexed(&[&page]);
    read_one_line_then_close(&["search", "--json", "--limit", "5000", "pages:>=0"], &dir);
    read_one_line_then_close(&["search", "--limit", "5000", "利用率"], &dir);
    read_one_line_then_close(&["parse", page.to_str().unwrap()], &dir);
}

/// A condition typed in words is applied and reported: on the terminal
/// after the count, in --json as a last line after the hits.
#[test]
fn understood_conditions_are_reported() {
    let index = seed_index();
    let out = index.wenku(&["search", "利用率 30页以上"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("1 match\nread as: 30页以上 → pages:>=30\n"), "{text}");
    let out = index.wenku(&["search", "--json", "利用率 30页以上"]).output().unwrap();
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["pages"], 38);
    assert_eq!(lines[1]["total"], 1);
    assert_eq!(lines[1]["understood"]["conditions"][0]["meaning"], "pages:>=30");
    // the condition that leaves nothing is named
    let out = index.wenku(&["search", "利用率 300页以上"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("nothing matches with the condition 300页以上"),
        "{}",
        stdout(&out)
    );
}
