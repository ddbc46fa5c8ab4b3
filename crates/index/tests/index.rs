//! Index-level behaviour: upserts, duplicate counts, metadata checks and
//! crash safety, on the seed page.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tantivy::collector::Count;
use tantivy::query::AllQuery;
use wenku_index::analysis::ANALYSIS_VERSION;
use wenku_index::{Error, ListingIndex, META_FILE, RECORD_FORMAT, StoredListing, WriterOptions};
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
    WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() }
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

/// An index whose metadata does not record the record format holds JSON
/// records (format 1, before issue 13): refused with a clear error, not
/// misread at the first search.
#[test]
fn an_index_with_json_records_is_refused() {
    let dir = seed_index_dir();
    let meta = dir.path().join(META_FILE);
    let text = std::fs::read_to_string(&meta).unwrap();
    let current = format!("\"record_format\": {RECORD_FORMAT}");
    assert!(text.contains(&current), "{text}");
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_object_mut().unwrap().remove("record_format");
    std::fs::write(&meta, serde_json::to_vec(&json).unwrap()).unwrap();
    let err = ListingIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::IncompatibleRecords { found: 1, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "index at {} stores listings in record format 1, this wenku reads format {RECORD_FORMAT}: re-index the catalog into a new directory (`wenku --index NEW index PATH…`), then replace the old directory with it",
            dir.path().display()
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

/// The index at `dir` with the first 500 synthetic listings committed.
fn committed_500(dir: &str) -> ListingIndex {
    let index = ListingIndex::open_or_create(Path::new(dir), None).unwrap();
    let mut w = index.writer(&opts()).unwrap();
    for l in synthetic(500) {
        w.add(&l).unwrap();
    }
    w.commit().unwrap();
    index
}

/// Starts this test binary's ignored test `name` as a child process on the
/// index at `path` (passed in `env_key`) and waits until it prints
/// `marker`. The child's stdout is returned with it, to keep the pipe open.
fn child_after(
    name: &str,
    env_key: &str,
    path: &Path,
    marker: &str,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"])
        .env(env_key, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains(marker) {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "child ended before printing {marker:?}");
    }
    (child, out)
}

const CHILD_DIR: &str = "WENKU_CRASH_TEST_DIR";

/// Runs in a child process (see `killed_writer_leaves_last_commit_intact`):
/// commits 500 listings, says so, then keeps adding without committing
/// until it is killed.
#[test]
#[ignore = "child process of the crash test"]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else { return };
    let index = committed_500(&dir);
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
    let (mut child, _out) = child_after("crash_child", CHILD_DIR, &path, "committed 500");
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

// ---- faults: each promise of docs/reliability.md with a test

#[test]
fn a_second_writer_is_refused_and_damages_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&index, &seed_listings());
    let mut first = index.writer(&opts()).unwrap();
    first.add(&synthetic(1).next().unwrap()).unwrap();
    // another handle, as another process would open it
    let other = ListingIndex::open(dir.path()).unwrap();
    let err = other.writer(&opts()).err().expect("the lock is held");
    assert!(matches!(err, Error::Locked(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "index at {} is locked by another writer (another `wenku index` running?): try again when it has finished",
            dir.path().display()
        )
    );
    assert_eq!(count(&other), 9, "the refused writer changed nothing");
    first.commit().unwrap();
    assert_eq!(count(&other), 10);
    index_all(&other, &seed_listings());
}

#[test]
fn an_index_with_another_id_scheme_says_how_to_migrate() {
    let dir = tempfile::tempdir().unwrap();
    ListingIndex::open_or_create(dir.path(), None).unwrap();
    let meta = dir.path().join(META_FILE);
    let text = std::fs::read_to_string(&meta).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let scheme = json["id_scheme"].as_str().unwrap().to_string();
    assert_eq!(scheme, wenku_listing::ID_SCHEME);
    assert_eq!(json["parser_version"], wenku_listing::PARSER_VERSION);
    // an index from before ids were recorded
    json.as_object_mut().unwrap().remove("id_scheme");
    json.as_object_mut().unwrap().remove("parser_version");
    std::fs::write(&meta, json.to_string()).unwrap();
    let err = ListingIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::IncompatibleIds { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("holds ids from before the id scheme was recorded"), "{msg}");
    assert!(msg.contains("re-index the catalog into a new directory (`wenku --index NEW index PATH…`), then replace the old directory with it"), "{msg}");
    // another parser version
    json["id_scheme"] = scheme.clone().into();
    json["parser_version"] = 1.into();
    std::fs::write(&meta, json.to_string()).unwrap();
    let msg = ListingIndex::open_or_create(dir.path(), None).unwrap_err().to_string();
    assert!(msg.contains(&format!("holds ids {scheme}, parser version 1; this wenku makes ids {scheme}, parser version {}", wenku_listing::PARSER_VERSION)), "{msg}");
}

/// A fresh index with the seed page committed, copied to a scratch
/// directory to damage.
fn seed_index_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&index, &seed_listings());
    dir
}

/// Opens, reads every stored document: what a search does.
fn open_and_read(dir: &Path) -> wenku_index::Result<usize> {
    let index = ListingIndex::open(dir)?;
    let searcher = index.reader()?.searcher();
    let mut n = 0;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            StoredListing::fetch(&index, &searcher, addr).map_err(|e| match e {
                wenku_index::Error::Tantivy(e) => index.tantivy_error(e),
                e => e,
            })?;
            n += 1;
        }
    }
    Ok(n)
}

#[test]
fn a_missing_or_truncated_index_file_is_a_clear_error_naming_it() {
    let dir = seed_index_dir();
    assert_eq!(open_and_read(dir.path()).unwrap(), 9);
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == "meta.json"
                || name.contains('.')
                    && !name.starts_with('.')
                    && !name.ends_with(".txt")
                    && name != META_FILE
        })
        .collect();
    assert!(files.len() >= 6, "{files:?}");
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let original = std::fs::read(file).unwrap();
        for (what, bytes) in
            [("missing", None), ("truncated", Some(&original[..original.len() / 2]))]
        {
            match bytes {
                None => std::fs::remove_file(file).unwrap(),
                Some(b) => std::fs::write(file, b).unwrap(),
            }
            let result = std::panic::catch_unwind(|| open_and_read(dir.path()));
            let result = result.unwrap_or_else(|_| panic!("{what} {name}: panicked"));
            let err = result.err().unwrap_or_else(|| panic!("{what} {name}: no error"));
            let msg = err.to_string();
            assert!(msg.contains(&name), "{what} {name}: {msg}");
            assert!(msg.contains("the index is damaged"), "{what} {name}: {msg}");
            std::fs::write(file, &original).unwrap();
        }
    }
    assert_eq!(open_and_read(dir.path()).unwrap(), 9);
    // wenku's own metadata file
    let meta = dir.path().join(META_FILE);
    let original = std::fs::read(&meta).unwrap();
    std::fs::write(&meta, &original[..original.len() / 2]).unwrap();
    let msg = open_and_read(dir.path()).unwrap_err().to_string();
    assert_eq!(msg, format!("invalid index metadata in {}", meta.display()));
    std::fs::remove_file(&meta).unwrap();
    let msg = open_and_read(dir.path()).unwrap_err().to_string();
    assert!(msg.starts_with("no wenku index at "), "{msg}");
}

/// Mounts a tmpfs of `size` at `at` (root only); `None` with a message
/// when mounting is not permitted here.
fn mount_tmpfs(at: &Path, size: &str) -> Option<Mount> {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("skipped: cannot mount a tmpfs at {} (not root, or not permitted)", at.display());
        return None;
    }
    Some(Mount(at.to_path_buf()))
}

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_during_commit_is_a_clear_error_and_the_last_commit_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(_mount) = mount_tmpfs(tmp.path(), "2m") else { return };
    let path = tmp.path().join("idx");
    let index = ListingIndex::open_or_create(&path, None).unwrap();
    index_all(&index, &seed_listings());
    assert_eq!(count(&index), 9);
    // far more than 2 MB of new listings, hardly compressible
    let mut w = index.writer(&opts()).unwrap();
    let base = seed_listings().remove(2);
    let mut failed = None;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..6000 {
        let mut l = base.clone();
        l.id = format!("{i:032x}");
        l.snippet_norm = (0..400)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from_u32(0x4E00 + (state % 20000) as u32).unwrap()
            })
            .collect();
        l.snippet.clone_from(&l.snippet_norm);
        if let Err(e) = w.add(&l) {
            failed = Some(e);
            break;
        }
    }
    let err = match failed {
        Some(e) => e,
        None => w.commit().expect_err("2 MB cannot hold this commit"),
    };
    assert!(matches!(err, Error::DiskFull(_)), "{err:?}");
    assert!(err.to_string().starts_with("no space left on the device of index "), "{err}");
    drop(index);
    let index = ListingIndex::open(&path).unwrap();
    assert_eq!(count(&index), 9, "the last commit is intact");
    assert_eq!(open_and_read(&path).unwrap(), 9);
}

#[test]
fn a_read_only_index_is_searchable_and_refuses_writers_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(mount) = mount_tmpfs(tmp.path(), "16m") else {
        return read_only_by_permissions();
    };
    let path = tmp.path().join("idx");
    let index = ListingIndex::open_or_create(&path, None).unwrap();
    index_all(&index, &seed_listings());
    drop(index);
    let ro = Command::new("mount").args(["-o", "remount,ro"]).arg(&mount.0).status().unwrap();
    assert!(ro.success());
    check_read_only(&path);
}

/// Without root: every file and the directory made read-only.
fn read_only_by_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = seed_index_dir();
    let set = |mode: u32| {
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let p = e.unwrap().path();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    set(0o444);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    check_read_only(dir.path());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    set(0o644);
}

fn check_read_only(path: &Path) {
    assert_eq!(open_and_read(path).unwrap(), 9, "searching needs no writing");
    let index = ListingIndex::open(path).unwrap();
    let err = index.writer(&opts()).err().expect("a read-only directory");
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("index at {} is read-only: cannot write to it", path.display())
    );
}

fn distinct_seed() -> u64 {
    seed_listings().iter().map(|l| &l.id).collect::<std::collections::HashSet<_>>().len() as u64
}

/// Segments of the last commit: (count, any with deleted documents).
fn segments(index: &ListingIndex) -> (usize, bool) {
    let metas = index.tantivy().searchable_segment_metas().unwrap();
    (metas.len(), metas.iter().any(|m| m.has_deletes()))
}

/// Two writer threads with a small heap (several segments from a few
/// thousand listings).
fn two_threads(merge_after_bulk: bool) -> WriterOptions {
    WriterOptions { threads: 2, heap_bytes: 40 << 20, merge_after_bulk, ..Default::default() }
}

/// A bulk run (issue 13) ends in at most two segments (`MERGE_PARTS`)
/// without the deleted copies of its duplicates; a small run into a larger
/// index is not a bulk run and does not rewrite the index.
#[test]
fn a_bulk_run_is_merged_into_two_segments_without_deleted_duplicates() {
    let run = |merge_after_bulk: bool| {
        let dir = tempfile::tempdir().unwrap();
        let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
        let options = two_threads(merge_after_bulk);
        let mut w = index.writer(&options).unwrap();
        let seed = seed_listings();
        for l in seed.iter().chain(synthetic(3000).collect::<Vec<_>>().iter()).chain(&seed) {
            w.add(l).unwrap();
        }
        let stats = w.commit().unwrap();
        assert!(stats.duplicates >= seed.len() as u64, "{stats:?}");
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), stats.distinct);
        assert_eq!(stats.distinct, 3000 + distinct_seed());
        (dir, index)
    };
    let (_kept, index) = run(false);
    let (n, deletes) = segments(&index);
    assert!(n > 1 || deletes, "without the merge: {n} segments, deletes {deletes}");

    let (dir, index) = run(true);
    let (n, deletes) = segments(&index);
    assert!(n <= wenku_index::MERGE_PARTS && !deletes, "{n} segments, deletes {deletes}");
    // and the merged segments' files are gone
    let stores = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "store"))
        .count();
    assert_eq!(stores, n);
    // the merged index reads back whole
    assert_eq!(open_and_read(dir.path()).unwrap() as u64, 3000 + distinct_seed());

    // more segments than the merge leaves: one committed, two from the run
    let grown = |merge_after_bulk: bool| {
        let dir = tempfile::tempdir().unwrap();
        let index = committed_500(dir.path().to_str().unwrap());
        let options = two_threads(merge_after_bulk);
        let mut w = index.writer(&options).unwrap();
        for l in synthetic(5500).skip(500) {
            w.add(&l).unwrap();
        }
        w.commit().unwrap();
        assert_eq!(count(&index), 5500);
        segments(&index)
    };
    let (unmerged, _) = grown(false);
    assert!(unmerged > wenku_index::MERGE_PARTS, "{unmerged} segments");
    let (n, deletes) = grown(true);
    assert!(n <= wenku_index::MERGE_PARTS && !deletes, "{n} segments, deletes {deletes}");

    // not bulk: 2 listings into 3009
    let mut w = index.writer(&opts()).unwrap();
    for l in synthetic(3002).skip(3000) {
        let mut l = l;
        l.id = format!("ff{}", &l.id[2..]);
        w.add(&l).unwrap();
    }
    let before = segments(&index).0;
    w.commit().unwrap();
    assert_eq!(segments(&index).0, before + 1);
}

const MERGE_CHILD_DIR: &str = "WENKU_MERGE_CRASH_TEST_DIR";

/// Runs in a child process (see `killed_during_the_bulk_merge_keeps_a_whole_commit`):
/// commits 500 listings, then a bulk run of 5,000 more on two threads,
/// saying when it starts its commit (which merges after committing).
#[test]
#[ignore = "child process of the merge crash test"]
fn merge_crash_child() {
    let Ok(dir) = std::env::var(MERGE_CHILD_DIR) else { return };
    let index = committed_500(&dir);
    let options = WriterOptions {
        threads: 2,
        heap_bytes: 40 << 20,
        merge_after_bulk: true,
        ..Default::default()
    };
    let mut w = index.writer(&options).unwrap();
    for l in synthetic(5500).skip(500) {
        w.add(&l).unwrap();
    }
    println!("committing");
    w.commit().unwrap();
    println!("merged");
}

/// A process killed while a bulk run commits and merges (issue 13) leaves
/// either the previous commit or the run's, whole and readable, never a
/// mix or a damaged index; the next writer works. The kill lands at
/// several delays after the commit starts (before, during or after the
/// merge: the test cannot tell which, and checks the promise in all).
#[test]
fn killed_during_the_bulk_merge_keeps_a_whole_commit() {
    for delay_ms in [100, 600, 1500, 4000] {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("idx");
        let (mut child, _out) =
            child_after("merge_crash_child", MERGE_CHILD_DIR, &path, "committing");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();

        let n = open_and_read(&path).unwrap();
        assert!(n == 500 || n == 5500, "killed after {delay_ms} ms: {n} listings");
        eprintln!("killed after {delay_ms} ms: {n} listings, finished before the kill: {finished}");
        let index = ListingIndex::open(&path).unwrap();
        assert_eq!(count(&index), n);
        index_all(&index, &seed_listings());
        assert_eq!(count(&index) as u64, n as u64 + distinct_seed());
    }
}

/// Every stored listing with its count, by id.
fn stored_by_id(index: &ListingIndex) -> std::collections::HashMap<String, StoredListing> {
    let reader = index.reader().unwrap();
    reader.reload().unwrap();
    let searcher = reader.searcher();
    let mut out = std::collections::HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            let s = StoredListing::fetch(index, &searcher, addr).unwrap();
            assert!(out.insert(s.listing.id.clone(), s).is_none(), "an id stored twice");
        }
    }
    out
}

/// The ids of the index's documents in document order (one segment).
fn ids_in_doc_order(index: &ListingIndex) -> Vec<String> {
    let searcher = index.reader().unwrap().searcher();
    assert_eq!(searcher.segment_readers().len(), 1);
    let segment = &searcher.segment_readers()[0];
    let addr = |doc| tantivy::DocAddress::new(0, doc);
    let fetch = |doc| StoredListing::fetch_id(index, &searcher, addr(doc)).unwrap();
    segment.doc_ids_alive().map(fetch).collect()
}

/// The order of documents when each copy replaces the one before: each id
/// where its last copy was added.
fn last_copy_order(listings: &[&Listing]) -> Vec<String> {
    let last: std::collections::HashMap<&str, usize> =
        listings.iter().enumerate().map(|(i, l)| (l.id.as_str(), i)).collect();
    let mut ids: Vec<(&str, usize)> = last.into_iter().collect();
    ids.sort_by_key(|&(_, i)| i);
    ids.into_iter().map(|(id, _)| id.to_string()).collect()
}

/// Documents tantivy was given, deleted ones included.
fn max_docs(index: &ListingIndex) -> u32 {
    index.tantivy().searchable_segment_metas().unwrap().iter().map(|m| m.max_doc()).sum()
}

/// The seed page's listings with other content (a later capture: other
/// price), same ids and lines.
fn recaptured(seed: &[Listing]) -> Vec<Listing> {
    seed.iter()
        .map(|l| {
            let mut l = l.clone();
            l.price += 1;
            l.source.line += 1000;
            l
        })
        .collect()
}

/// A repeat that comes soon after its first copy (within the writer's
/// hold: 1,024 listings at a run's start, one more every second add, up
/// to 8,192) is not written again: tantivy gets each id once,
/// with its final count, and no document is deleted, so even without the
/// bulk merge the index has no deleted documents. The stored record is the
/// first copy, the count the total.
#[test]
fn repeats_within_the_hold_are_written_once_with_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    let options = WriterOptions { merge_after_bulk: false, ..opts() };
    let mut w = index.writer(&options).unwrap();
    let seed = seed_listings();
    let again = recaptured(&seed);
    // about 1,550 apart, the hold then about 1,800
    let filler: Vec<Listing> = synthetic(1500).collect();
    let all: Vec<&Listing> = seed.iter().chain(&filler).chain(&again).collect();
    for l in &all {
        w.add(l).unwrap();
    }
    let stats = w.commit().unwrap();
    assert_eq!(stats.distinct, 1500 + distinct_seed());
    assert_eq!(max_docs(&index) as u64, stats.distinct, "a repeat was written again");
    assert!(!segments(&index).1, "deleted documents");
    // the same order as when each copy replaced the one before
    assert_eq!(ids_in_doc_order(&index), last_copy_order(&all));
    let stored = stored_by_id(&index);
    for l in &seed {
        let s = &stored[&l.id];
        let copies = seed.iter().filter(|c| c.id == l.id).count() as u32;
        assert_eq!(s.dup_count, 2 * copies, "{}", l.id);
        let first = seed.iter().find(|c| c.id == l.id).unwrap();
        assert_eq!(&s.listing, first, "not the first copy");
    }
}

/// A repeat that comes after its first copy was written (more than 8,192
/// listings later) replaces it: the first copy, with the total count.
#[test]
fn a_repeat_after_the_hold_replaces_the_written_first_copy() {
    let index = ListingIndex::create_in_ram(Default::default()).unwrap();
    // one segment (so that the document order reads straight)
    let options = WriterOptions { heap_bytes: 100 << 20, ..opts() };
    let mut w = index.writer(&options).unwrap();
    let seed = seed_listings();
    let again = recaptured(&seed);
    let filler: Vec<Listing> = synthetic(9000).collect();
    let all: Vec<&Listing> = seed.iter().chain(&filler).chain(&again).chain(&again).collect();
    for l in &all {
        w.add(l).unwrap();
    }
    let stats = w.commit().unwrap();
    assert_eq!(stats.distinct, 9000 + distinct_seed());
    assert_eq!(ids_in_doc_order(&index), last_copy_order(&all));
    let stored = stored_by_id(&index);
    assert_eq!(stored.len() as u64, stats.distinct);
    for l in &seed {
        let copies = seed.iter().filter(|c| c.id == l.id).count() as u32;
        assert_eq!(stored[&l.id].dup_count, 3 * copies, "{}", l.id);
        let first = seed.iter().find(|c| c.id == l.id).unwrap();
        assert_eq!(&stored[&l.id].listing, first, "not the first copy");
    }
}

/// Deleting an id that is still held drops it; a later copy in the same
/// run comes back with the run's count, as when it had been written.
#[test]
fn deleting_a_held_listing_drops_it() {
    let index = ListingIndex::create_in_ram(Default::default()).unwrap();
    let seed = seed_listings();
    let mut w = index.writer(&opts()).unwrap();
    for l in &seed {
        w.add(l).unwrap();
    }
    w.delete(&seed[0].id);
    w.delete(&seed[1].id);
    w.add(&seed[1]).unwrap();
    w.commit().unwrap();
    let stored = stored_by_id(&index);
    assert_eq!(stored.len() as u64, distinct_seed() - 1);
    assert!(!stored.contains_key(&seed[0].id));
    let copies = seed.iter().filter(|c| c.id == seed[1].id).count() as u32;
    assert_eq!(stored[&seed[1].id].dup_count, copies + 1);
    assert_eq!(stored[&seed[1].id].listing, seed[1]);
}

/// Repeats that move held documents (each listing added twice in a row,
/// 48 MB of listings in all, more than the hold's 32 MiB) keep the hold's
/// memory count right: every repeat is still caught.
#[test]
fn many_repeats_keep_the_hold_working() {
    let index = ListingIndex::create_in_ram(Default::default()).unwrap();
    let options = WriterOptions { merge_after_bulk: false, ..opts() };
    let mut w = index.writer(&options).unwrap();
    for mut l in synthetic(6000) {
        // memory only: `raw` is stored, not analysed
        l.raw.push_str(&"x".repeat(8 << 10));
        w.add(&l).unwrap();
        w.add(&l).unwrap();
    }
    let stats = w.commit().unwrap();
    assert_eq!((stats.distinct, stats.duplicates), (6000, 6000));
    assert_eq!(max_docs(&index), 6000, "repeats written again");
    assert!(!segments(&index).1, "deleted documents");
}
