//! Nothing lost, end to end: a folder of damaged files indexed and
//! searched with the real binary; a second writer; exit statuses.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Output;

use crate::util::*;

#[path = "../../listing/tests/damaged.rs"]
mod damaged;

/// Uid and gid of `nobody`, when this process is root and may switch to
/// it: then the binary runs as nobody, for whom `unreadable.txt` really is
/// unreadable (root reads everything).
fn nobody() -> Option<u32> {
    if !damaged::is_root() {
        return None;
    }
    // the binary must also be reachable by nobody (a private target dir)
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_wenku"))
        .arg("--version")
        .uid(65534)
        .gid(65534)
        .output();
    ok.is_ok_and(|o| o.status.success()).then_some(65534)
}

fn run(uid: Option<u32>, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wenku"));
    cmd.env_remove("WENKU_INDEX").env_remove("RUST_LOG").args(args);
    if let Some(id) = uid {
        cmd.uid(id).gid(id);
    }
    cmd.output().unwrap()
}

#[test]
fn a_damaged_folder_is_indexed_to_the_end_and_searchable() {
    let dir = Dir::new();
    let uid = nobody();
    let reader_is_root = uid.is_none() && damaged::is_root();
    if reader_is_root {
        println!("running as root without setuid: unreadable.txt is readable here");
    }
    let d = damaged::build(dir.tmp.path(), reader_is_root);
    let index = dir.index_arg();
    let folder = d.dir.display().to_string();
    let out = run(uid, &["--index", &index, "index", "--as-of", "2026-08-26", &folder]);
    let (text, err) = (stdout(&out), stderr(&out));
    println!("{text}{err}");
    assert_eq!(out.status.code(), Some(2), "some paths were not read\n{text}\n{err}");
    // every damaged line reported with file:line, every skipped path with a reason
    for (file, line) in &d.damaged_lines {
        let at = format!("{}:{line}: ", d.dir.join(file).display());
        assert!(text.contains(&at), "{at} not reported:\n{text}");
    }
    assert!(text.contains(&format!("not read: {} paths", d.skipped.len())), "{text}");
    for name in &d.skipped {
        let at = format!("  {}: ", d.dir.join(name).display());
        assert!(text.contains(&at), "{name} not reported:\n{text}");
    }
    assert!(
        err.contains(&format!(
            "wenku: {} paths not read (see above); everything else was read",
            d.skipped.len()
        )),
        "{err}"
    );
    // every intact listing committed (plus the damaged line, decoded)
    let holds = format!("index now holds {} listings", d.intact_ids.len() + 1);
    assert!(text.contains(&holds), "{holds}:\n{text}");
    // and searchable, from every file
    for (file, title) in &d.probes {
        let phrase = format!("\"{title}\"");
        let out = run(None, &["--index", &index, "search", "--json", "-n", "50", &phrase]);
        assert_eq!(out.status.code(), Some(0), "{phrase}: {}", stderr(&out));
        let hits = json_lines(&out);
        assert!(
            hits.iter().any(|h| h["source"]["file"].as_str().unwrap().ends_with(file.as_str())),
            "{phrase} not found in {file}"
        );
    }

    // `wenku parse` lists every problem on stderr, and exits 2 the same way
    let out = run(uid, &["parse", "--as-of", "2026-08-26", &folder]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for (file, line) in &d.damaged_lines {
        assert!(err.contains(&format!("{}:{line}: ", d.dir.join(file).display())), "{err}");
    }
    assert_eq!(json_lines(&out).len(), expected_records(&d));
}

/// Listing records `wenku parse` writes for the damaged folder: every
/// listing line read, duplicates included.
fn expected_records(d: &damaged::Damaged) -> usize {
    let seed = 10;
    let page = count_lines(Path::new(damaged::SAMPLE_PAGE));
    let other = count_lines(Path::new(damaged::OTHER_PAGE));
    // a: seed (line 3 damaged, still a record); b: seed + 1; c: page − its
    // last listing; e: 2; sub/page: other; unreadable.txt and locked/page.txt:
    // page each, when readable
    seed + (seed + 1) + (page - 1) + 2 + other + if d.unreadable { 0 } else { 2 * page }
}

fn count_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).unwrap().lines().filter(|l| l.contains(" 码力 | ")).count()
}

#[test]
fn a_second_writer_is_refused_across_processes() {
    let dir = Dir::new().indexed(&[Path::new(SEED)]);
    let wenku = wenku::Wenku::open(dir.index()).unwrap();
    let held = wenku.indexer(&wenku::IndexOptions::default()).unwrap();
    let out = dir.wenku(&["index", SEED]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("is locked by another writer (another `wenku index` running?)"), "{err}");
    // searching is not blocked by the writer
    dir.wenku(&["search", "利用率"]).assert().code(0);
    drop(held);
    dir.wenku(&["index", SEED]).assert().code(0);
}
