//! A folder of damaged catalog files, shared by the reader tests here and
//! the tests of the facade and the CLI (`#[path]`-included there), with the
//! dev corpus's location.
//!
//! Each case is a real file (or directory entry) in a temporary directory;
//! `Damaged` says what a reader must make of it.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wenku_listing::{CatalogReader, Item, ParseOptions};

pub const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/seed-page.txt");
pub const SAMPLE_PAGE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/dev-page-0001.txt");
pub const OTHER_PAGE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/dev-page-0002.txt");

/// The development corpus pages (outside the repository).
pub const DEV_PAGES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/dev/pages");

/// The dev corpus pages sorted by name; `None`, saying so, when absent.
pub fn dev_pages() -> Option<Vec<PathBuf>> {
    let dev = Path::new(DEV_PAGES);
    if !dev.exists() {
        println!("skipped: no dev corpus at {}", dev.display());
        return None;
    }
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dev).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    Some(files)
}

/// Size of the very long line.
pub const LONG_LINE: usize = 24 << 20;

/// What was built, and what reading it must give.
pub struct Damaged {
    /// The folder.
    pub dir: PathBuf,
    /// Ids of every intact listing (each must be parsed).
    pub intact_ids: BTreeSet<String>,
    /// (file, normalised title) of one intact listing per file (its last,
    /// not a repeat of an earlier file's listing), to search.
    pub probes: Vec<(String, String)>,
    /// Damaged lines: (file name inside `dir`, line) (each must be reported).
    pub damaged_lines: BTreeSet<(String, u64)>,
    /// Entries that must be reported as skipped or unreadable (file names
    /// inside `dir`); the unreadable file and directory are in it only when
    /// `unreadable`.
    pub skipped: BTreeSet<String>,
    /// Whether `unreadable.txt` and `locked/` really are unreadable to the
    /// process that reads (not for root: permissions do not stop root).
    pub unreadable: bool,
}

/// Whether this process runs as root (owns what it creates as uid 0).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().metadata().unwrap().uid() == 0
}

fn ids_of(name: &str, bytes: &[u8]) -> Vec<(String, String, u64)> {
    CatalogReader::from_reader(name, std::io::Cursor::new(bytes.to_vec()), ParseOptions::default())
        .filter_map(|i| match i {
            Ok(Item::Listing(l)) => Some((l.id, l.title_norm, l.source.line)),
            _ => None,
        })
        .collect()
}

/// Builds the folder inside `root`. `reader_is_root`: whether the process
/// that will read it is root (then `unreadable.txt` is readable).
pub fn build(root: &Path, reader_is_root: bool) -> Damaged {
    use std::os::unix::fs::PermissionsExt;
    let dir = root.join("damaged");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let seed = std::fs::read(SEED).unwrap();
    let page = std::fs::read(SAMPLE_PAGE).unwrap();
    let mut d = Damaged {
        dir: dir.clone(),
        intact_ids: BTreeSet::new(),
        probes: Vec::new(),
        damaged_lines: BTreeSet::new(),
        skipped: BTreeSet::new(),
        unreadable: !reader_is_root,
    };
    let intact = |d: &mut Damaged, file: &str, bytes: &[u8], except: &[u64]| {
        let mut probe = None;
        for (id, title, line) in ids_of(file, bytes) {
            if !except.contains(&line) {
                d.intact_ids.insert(id);
                probe = Some(title);
            }
        }
        if let Some(t) = probe {
            d.probes.push((file.to_string(), t));
        }
    };

    // 1. A UTF-8 page with an invalid byte sequence and a NUL inside one
    //    listing (line 3, both halves): the line is decoded lossily and
    //    reported, its 9 neighbours are intact.
    let mut lines: Vec<Vec<u8>> = seed.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let l = &lines[2];
    let half = l.len() / 2;
    let at = l[..half].iter().position(|&b| b == b' ').unwrap() + 1;
    let mut bad = l[..at].to_vec();
    bad.extend_from_slice(b"\xff\xfe\x00");
    bad.extend_from_slice(&l[at..half]);
    lines[2] = [bad.clone(), bad].concat();
    std::fs::write(dir.join("a-utf8-damaged.txt"), lines.join(&b'\n')).unwrap();
    intact(&mut d, "a-utf8-damaged.txt", &seed, &[3]);
    d.damaged_lines.insert(("a-utf8-damaged.txt".into(), 3));

    // 2. A GB18030 page: the seed page plus a listing with characters
    //    outside GBK (four-byte GB18030 sequences).
    let extra = " 㐀㐁 扩展区文字 测试文档 说明0 码力 | 12 页 | 1.50 MB | 3 月前7";
    let text = format!("{}{extra}{extra}\n", String::from_utf8(seed.clone()).unwrap());
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    std::fs::write(dir.join("b-gb18030.txt"), &gb).unwrap();
    intact(&mut d, "b-gb18030.txt", text.as_bytes(), &[]);

    // 3. A page whose last listing line is cut in its first half (footer
    //    lost, no final newline).
    let text = String::from_utf8(page.clone()).unwrap();
    let lines_of: Vec<&str> = text.split('\n').collect();
    let k = lines_of.iter().rposition(|l| l.contains(" 码力 | ")).unwrap();
    let last = lines_of[k];
    let cut = (last.len() / 3..last.len()).find(|&i| last.as_bytes()[i] == b' ').unwrap();
    let head = lines_of[..k].join("\n") + "\n";
    std::fs::write(dir.join("c-truncated.txt"), format!("{head}{}", &last[..cut])).unwrap();
    intact(&mut d, "c-truncated.txt", head.as_bytes(), &[]);
    d.damaged_lines.insert(("c-truncated.txt".into(), k as u64 + 1));

    // 4. An empty file.
    std::fs::write(dir.join("d-empty.txt"), b"").unwrap();

    // 5. A 24 MB line (text without any listing tail) between two listings.
    let first = &seed[..=seed.iter().position(|&b| b == b'\n').unwrap()];
    let mut long = first.to_vec();
    let unit = "长行没有价格 no tail here ".as_bytes();
    while long.len() < first.len() + LONG_LINE {
        long.extend_from_slice(unit);
    }
    long.push(b'\n');
    long.extend_from_slice(lines[1].as_slice());
    long.push(b'\n');
    std::fs::write(dir.join("e-long-line.txt"), &long).unwrap();
    d.damaged_lines.insert(("e-long-line.txt".into(), 2));
    // (its two listings are seed lines 1 and 2, already in intact_ids)

    // 6. An intact page in a subdirectory.
    let other = std::fs::read(OTHER_PAGE).unwrap();
    std::fs::write(dir.join("sub/page.txt"), &other).unwrap();
    intact(&mut d, "sub/page.txt", &other, &[]);

    // 7. A file nobody may read.
    let unreadable = dir.join("unreadable.txt");
    std::fs::write(&unreadable, &page).unwrap();
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    if d.unreadable {
        d.skipped.insert("unreadable.txt".into());
    }

    // 8. A directory nobody may list (its page repeats c's listings).
    let locked = dir.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("page.txt"), &page).unwrap();
    if d.unreadable {
        d.skipped.insert("locked".into());
    }

    // 9. A symbolic link loop, a dangling link, a FIFO and a socket.
    std::os::unix::fs::symlink(".", dir.join("sub/loop")).unwrap();
    d.skipped.insert("sub/loop".into());
    std::os::unix::fs::symlink("does-not-exist.txt", dir.join("dangling.txt")).unwrap();
    d.skipped.insert("dangling.txt".into());
    let fifo = std::process::Command::new("mkfifo").arg(dir.join("fifo")).status().unwrap();
    assert!(fifo.success());
    d.skipped.insert("fifo".into());
    drop(std::os::unix::net::UnixListener::bind(dir.join("socket")).unwrap());
    d.skipped.insert("socket".into());

    // everything readable by another user (the CLI test may drop to one)
    for entry in walk_plain(&dir) {
        let mode = if entry.is_dir() { 0o777 } else { 0o644 };
        if entry != unreadable && !entry.is_symlink() {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o777)).unwrap();
    d
}

/// Every entry under `dir`, not following links (no loop).
fn walk_plain(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let t = std::fs::symlink_metadata(&p).unwrap().file_type();
        if t.is_dir() {
            out.extend(walk_plain(&p));
        } else if t.is_file() {
            out.push(p);
        }
    }
    out
}

/// The path of `p` relative to `dir`, for comparing with [`Damaged`].
pub fn rel(dir: &Path, p: &str) -> String {
    let p = Path::new(p);
    p.strip_prefix(dir).unwrap_or(p).display().to_string()
}
