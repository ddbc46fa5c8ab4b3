//! Nothing lost: damaged folders, per-line encodings, ids that do not
//! depend on reading order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use wenku_listing::{CatalogReader, Error, Item, Listing, ParseOptions, Source};

use crate::damaged::{self, rel};

fn read_all(paths: &[PathBuf]) -> (Vec<Listing>, Vec<Error>) {
    let mut ls = Vec::new();
    let mut errs = Vec::new();
    for item in CatalogReader::open(paths, ParseOptions::default()).unwrap() {
        match item {
            Ok(Item::Listing(l)) => ls.push(l),
            Ok(Item::Footer(_)) => {}
            Err(e) => errs.push(e),
        }
    }
    (ls, errs)
}

#[test]
fn a_damaged_folder_is_read_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let d = damaged::build(tmp.path(), damaged::is_root());
    let (ls, errs) = read_all(std::slice::from_ref(&d.dir));

    let ids: BTreeSet<&str> = ls.iter().map(|l| l.id.as_str()).collect();
    let missing: Vec<_> = d.intact_ids.iter().filter(|i| !ids.contains(i.as_str())).collect();
    assert!(missing.is_empty(), "intact listings not parsed: {missing:?}");

    let mut lines = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    for e in &errs {
        match e.source_location() {
            Some(at) => {
                lines.insert((rel(&d.dir, &at.file), at.line));
            }
            None => {
                assert!(e.is_file_level(), "{e}");
                let (Error::Io { path, .. } | Error::Skipped { path, .. }) = e else { panic!() };
                skipped.insert(rel(&d.dir, path));
            }
        }
    }
    assert_eq!(lines, d.damaged_lines, "{errs:#?}");
    assert_eq!(skipped, d.skipped, "{errs:#?}");
    let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(shown.iter().any(|e| e.contains("loop: skipped: symbolic link loop")), "{shown:?}");
    assert!(shown.iter().any(|e| e.ends_with("fifo: skipped: not a regular file (named pipe)")));
    assert!(shown.iter().any(|e| e.ends_with("socket: skipped: not a regular file (socket)")));
    assert!(shown.iter().any(|e| e.ends_with("a-utf8-damaged.txt:3: invalid UTF-8 byte sequence (decoded with replacement characters)")), "{shown:?}");

    // the damaged line itself is still a record, with its NUL and U+FFFD
    let l3 = ls
        .iter()
        .find(|l| l.source.file.ends_with("a-utf8-damaged.txt") && l.source.line == 3)
        .expect("the damaged line is parsed");
    assert!(l3.raw.contains("\u{FFFD}\u{FFFD}\0"), "{:?}", l3.raw);
    // the GB18030 page: characters outside GBK decoded
    assert!(ls.iter().any(|l| l.title.starts_with("㐀㐁")), "GB18030 four-byte characters");
}

#[test]
fn files_named_explicitly_are_read_as_given() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let seed = std::fs::read(damaged::SEED).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, seed).unwrap())
    };
    let missing = tmp.path().join("missing.txt");
    let (ls, errs) = read_all(&[missing.clone(), fifo]);
    writer.join().unwrap();
    assert_eq!(ls.len(), 10);
    assert_eq!(errs.len(), 1);
    assert!(matches!(&errs[0], Error::Io { path, .. } if Path::new(path) == missing));
}

#[test]
fn encoding_is_decided_per_line() {
    let seed = std::fs::read_to_string(damaged::SEED).unwrap();
    let clean: Vec<Listing> = read_bytes(seed.as_bytes().to_vec()).0;
    // GBK lines inside a UTF-8 file (pages concatenated from two sources)
    let lines: Vec<&str> = seed.lines().collect();
    let mut mixed = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i % 2 == 1 {
            let (gbk, _, unmappable) = encoding_rs::GBK.encode(l);
            if !unmappable {
                mixed.extend_from_slice(&gbk);
                mixed.push(b'\n');
                continue;
            }
        }
        mixed.extend_from_slice(l.as_bytes());
        mixed.push(b'\n');
    }
    let (ls, errs) = read_bytes(mixed);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ids(&ls), ids(&clean));

    // a whole GBK file is still detected as GBK, even with a damaged line
    let (mut gbk, _, _) = encoding_rs::GBK.encode(&seed);
    let gbk = gbk.to_mut();
    let second = gbk.iter().position(|&b| b == b'\n').unwrap() + 20;
    gbk[second] = 0xFF;
    let (ls, errs) = read_bytes(gbk.clone());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].to_string().starts_with("t:2: invalid GBK byte sequence"), "{}", errs[0]);
    assert_eq!(ls.len(), clean.len() + 1, "line 2 has two differing halves now");
}

fn read_bytes(bytes: Vec<u8>) -> (Vec<Listing>, Vec<Error>) {
    let mut ls = Vec::new();
    let mut errs = Vec::new();
    for item in
        CatalogReader::from_reader("t", std::io::Cursor::new(bytes), ParseOptions::default())
    {
        match item {
            Ok(Item::Listing(l)) => ls.push(l),
            Ok(Item::Footer(_)) => {}
            Err(e) => errs.push(e),
        }
    }
    (ls, errs)
}

fn ids(ls: &[Listing]) -> BTreeSet<String> {
    ls.iter().map(|l| l.id.clone()).collect()
}

#[test]
fn a_page_whose_first_title_starts_with_a_brace_is_not_json_lines() {
    let seed = std::fs::read_to_string(damaged::SEED).unwrap();
    let first = seed.lines().next().unwrap();
    let half = &first[..first.len() / 2];
    let braced = format!("{{{}{{{}\n{seed}", half.trim_start(), half.trim_start());
    let (ls, errs) = read_bytes(braced.into_bytes());
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ls.len(), 11);
    assert!(ls[0].title.starts_with("{4 Python"), "{}", ls[0].title);
    // JSON Lines are still recognised without the .jsonl name
    let json = serde_json::to_string(&ls[1]).unwrap();
    let (back, errs) = read_bytes(format!("\n{json}\n{json}\n").into_bytes());
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(back, vec![ls[1].clone(), ls[1].clone()]);
}

#[test]
fn a_line_over_the_limit_is_skipped_and_reported() {
    // a line that lost its line breaks: thousands of halves on one line,
    // each listing parsed once (not quadratic)
    let seed = std::fs::read_to_string(damaged::SEED).unwrap();
    let halves: Vec<&str> =
        seed.lines().filter(|l| l.contains(" 码力 | ")).map(|l| &l[..l.len() / 2]).collect();
    let mut line = String::new();
    for i in 0..3000 {
        // distinct bodies
        line.push_str(&format!(" 第{i}份{}", halves[i % halves.len()].trim_start()));
    }
    let (ls, errs) = read_bytes(format!("{line}\n").into_bytes());
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(ls.len(), 3000);
    assert!(ls.iter().all(|l| l.source.line == 1));
}

/// The dev corpus read as one catalog, file by file, in reverse order, and
/// half by half without the reader's title memory (another split of the
/// same texts): the same ids, the same number of distinct listings.
#[test]
fn ids_do_not_depend_on_order_grouping_or_split() {
    let Some(files) = damaged::dev_pages() else { return };
    let dev = Path::new(damaged::DEV_PAGES);
    let by_line = |ls: Vec<Listing>| -> BTreeMap<(String, u64, String), ()> {
        ls.into_iter().map(|l| ((l.source.file, l.source.line, l.id), ())).collect()
    };
    let (whole, errs) = read_all(&[dev.to_path_buf()]);
    assert!(errs.is_empty(), "{errs:?}");
    let mut single = Vec::new();
    for f in &files {
        single.extend(read_all(std::slice::from_ref(f)).0);
    }
    let reversed: Vec<PathBuf> = files.iter().rev().cloned().collect();
    let (reverse, _) = read_all(&reversed);
    // no memory at all: each listing text parsed alone
    let mut alone = Vec::new();
    for l in &whole {
        alone.push(
            wenku_listing::parse_listing_text(&l.raw, Source { ..l.source.clone() }, None).unwrap(),
        );
    }
    let titles_differ = whole.iter().zip(&alone).filter(|(a, b)| a.title != b.title).count();
    println!(
        "{} listings; {titles_differ} split differently without the title memory",
        whole.len()
    );
    assert!(whole.len() >= 1495, "{}", whole.len());

    let reference = by_line(whole.clone());
    for (name, other) in [("file by file", single), ("reverse order", reverse), ("alone", alone)] {
        assert_eq!(other.len(), whole.len(), "{name}");
        assert_eq!(ids(&other), ids(&whole), "{name}: id sets");
        assert_eq!(by_line(other), reference, "{name}: ids per line");
    }
    // every id is the id of its listing text, whatever the split
    for l in &whole {
        assert_eq!(wenku_listing::id_of_text(&l.raw).as_deref(), Some(l.id.as_str()));
    }
}

/// The split uses the evidence of the whole input (a first pass gathers
/// the titles reliable rules find), so reading the dev corpus in reverse
/// file order gives every line the same title; reading it with
/// `split_as_read` (what was read so far, as from stdin) may differ, and
/// the whole-input split is not worse on the truth.
#[test]
fn titles_do_not_depend_on_reading_order() {
    let Some(files) = damaged::dev_pages() else { return };
    let dev = Path::new(damaged::DEV_PAGES);
    let titles = |files: &[PathBuf], split_as_read: bool| -> BTreeMap<(String, u64), String> {
        let opts = ParseOptions { split_as_read, ..Default::default() };
        CatalogReader::open(files, opts)
            .unwrap()
            .filter_map(|i| match i {
                Ok(Item::Listing(l)) => Some(((l.source.file, l.source.line), l.title)),
                _ => None,
            })
            .collect()
    };
    let reversed: Vec<PathBuf> = files.iter().rev().cloned().collect();
    let forward = titles(&files, false);
    assert_eq!(forward.len(), 1495);
    assert_eq!(titles(&reversed, false), forward);
    let as_read = titles(&reversed, true);
    let truth: BTreeMap<(String, u64), String> =
        std::fs::read_to_string(dev.parent().unwrap().join("truth.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let file = dev.parent().unwrap().join(v["page_file"].as_str().unwrap());
                let key = (file.display().to_string(), v["line"].as_u64().unwrap());
                (key, v["title"].as_str().unwrap().to_string())
            })
            .collect();
    let right = |t: &BTreeMap<(String, u64), String>| {
        t.iter().filter(|(k, v)| truth.get(*k) == Some(*v)).count()
    };
    println!(
        "titles right: whole input {}, as read (reversed) {}",
        right(&forward),
        right(&as_read)
    );
    assert!(right(&forward) >= right(&as_read));
}

/// A source that fails while being read: what came before the failure is
/// parsed, then the failure is reported with the line it happened on.
#[test]
fn a_read_failure_midway_keeps_what_was_read() {
    struct Flaky {
        data: std::io::Cursor<Vec<u8>>,
    }
    impl std::io::Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.data.read(buf)? {
                0 => Err(std::io::Error::other("device went away")),
                n => Ok(n),
            }
        }
    }
    let seed = std::fs::read(damaged::SEED).unwrap();
    // 5 whole lines, then the source fails
    let cut = seed.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(4).unwrap().0 + 1;
    let flaky = Flaky { data: std::io::Cursor::new(seed[..cut].to_vec()) };
    let items: Vec<_> = CatalogReader::from_reader(
        "flaky",
        std::io::BufReader::with_capacity(100, flaky),
        ParseOptions::default(),
    )
    .collect();
    let listings = items.iter().filter(|i| matches!(i, Ok(Item::Listing(_)))).count();
    assert_eq!(listings, 5);
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.to_string(), "flaky:6: cannot read");
    assert!(last.is_file_level());
}
