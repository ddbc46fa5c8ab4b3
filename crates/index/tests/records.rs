//! Stored records compressed with the index's dictionary
//! (`wenku_index::DICT_FILE`): what a writer stores is what a search reads
//! back, across runs and whether or not the index has a dictionary; on the
//! dev corpus (`../shared/corpus/dev`, skipped when absent) and the seed page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wenku_index::{DICT_FILE, Error, ListingIndex, StoredListing, WriterOptions};
use wenku_listing::{CatalogReader, Item, Listing, ParseOptions};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn listings(paths: &[PathBuf]) -> Vec<Listing> {
    let opts =
        ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()), ..Default::default() };
    CatalogReader::open(paths, opts)
        .unwrap()
        .filter_map(|i| match i {
            Ok(Item::Listing(l)) => Some(l),
            _ => None,
        })
        .collect()
}

fn dev_pages() -> Option<Vec<PathBuf>> {
    let dir = workspace().join("../shared/corpus/dev/pages");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no dev corpus at {}", dir.display());
        return None;
    };
    let mut pages: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    pages.sort();
    Some(pages)
}

fn index_all(index: &ListingIndex, listings: &[Listing]) {
    let opts = WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() };
    let mut w = index.writer(&opts).unwrap();
    for l in listings {
        w.add(l).unwrap();
    }
    w.commit().unwrap();
}

/// Every stored listing, read the way a search reads a hit, by id.
fn stored(index: &ListingIndex) -> wenku_index::Result<HashMap<String, Listing>> {
    let reader = index.reader()?;
    reader.reload()?;
    let searcher = reader.searcher();
    let mut out = HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            let l = StoredListing::fetch(index, &searcher, addr)?.listing;
            out.insert(l.id.clone(), l);
        }
    }
    Ok(out)
}

/// What the index must hold: the first copy read of each id.
fn first_copies<'a>(runs: impl IntoIterator<Item = &'a [Listing]>) -> HashMap<String, Listing> {
    let mut out = HashMap::new();
    for run in runs {
        let mut this_run: HashMap<String, Listing> = HashMap::new();
        for l in run {
            this_run.entry(l.id.clone()).or_insert_with(|| l.clone());
        }
        // a later run replaces the record of an id it holds
        out.extend(this_run);
    }
    out
}

/// The dev corpus in two runs: the first trains the dictionary (written to
/// the index directory), the second compresses with it unchanged; every
/// record reads back equal to the listing that was added.
#[test]
fn records_read_back_whole_through_the_dictionary_across_runs() {
    let Some(pages) = dev_pages() else { return };
    let (a, b) = pages.split_at(pages.len() / 2);
    let (first, second) = (listings(a), listings(b));
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&index, &first);
    let dict = std::fs::read(dir.path().join(DICT_FILE)).expect("a dictionary was trained");
    drop(index);
    let index = ListingIndex::open(dir.path()).unwrap();
    index_all(&index, &second);
    assert_eq!(std::fs::read(dir.path().join(DICT_FILE)).unwrap(), dict, "dictionary changed");
    let want = first_copies([first.as_slice(), second.as_slice()]);
    let got = stored(&ListingIndex::open(dir.path()).unwrap()).unwrap();
    assert_eq!(got.len(), want.len());
    for (id, l) in &want {
        assert_eq!(got.get(id), Some(l), "listing {id}");
    }
}

/// The seed page is too small to train a dictionary: its records are
/// stored without one. A later, larger run trains one; both kinds of
/// record read back.
#[test]
fn an_index_begun_without_a_dictionary_gets_one_later_and_reads_both() {
    let Some(pages) = dev_pages() else { return };
    let seed = listings(&[workspace().join("data/sample/seed-page.txt")]);
    let dev = listings(&pages);
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&index, &seed);
    assert!(!dir.path().join(DICT_FILE).exists(), "dictionary from one page");
    assert_eq!(stored(&index).unwrap(), first_copies([seed.as_slice()]));
    index_all(&index, &dev);
    assert!(dir.path().join(DICT_FILE).exists());
    let got = stored(&ListingIndex::open(dir.path()).unwrap()).unwrap();
    assert_eq!(got, first_copies([seed.as_slice(), dev.as_slice()]));
}

/// Without its dictionary file an index still opens; reading a record
/// that needs it is a clear error, not a panic or garbage.
#[test]
fn a_missing_dictionary_is_a_clear_error() {
    let Some(pages) = dev_pages() else { return };
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&index, &listings(&pages[..pages.len() / 2]));
    drop(index);
    std::fs::remove_file(dir.path().join(DICT_FILE)).unwrap();
    let index = ListingIndex::open(dir.path()).unwrap();
    match stored(&index) {
        Err(e @ Error::CorruptDocument(_)) => {
            assert!(e.to_string().contains("dictionary"), "{e}");
        }
        other => panic!("expected a corrupt-document error, got {other:?}"),
    }
}

/// An index grown by runs too small to train a dictionary alone (ten dev
/// pages each) gets one once its records are enough, trained on the
/// records it already holds too; every record reads back.
#[test]
fn an_index_grown_by_small_runs_gets_a_dictionary() {
    let Some(pages) = dev_pages() else { return };
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    let runs: Vec<Vec<Listing>> = pages.chunks(10).map(listings).collect();
    let mut trained_after = None;
    for (i, run) in runs.iter().enumerate() {
        index_all(&index, run);
        if trained_after.is_none() && dir.path().join(DICT_FILE).exists() {
            trained_after = Some(i + 1);
        }
    }
    let after = trained_after.expect("no dictionary after every run");
    assert!(after > 1, "one run of ten pages trained a dictionary alone");
    let got = stored(&ListingIndex::open(dir.path()).unwrap()).unwrap();
    assert_eq!(got, first_copies(runs.iter().map(Vec::as_slice)));
}

/// A reader that opened the index before another handle (another process
/// in practice) trained the dictionary reads the new records after its
/// reload: the dictionary is read when a record first names it.
#[test]
fn a_reader_opened_before_the_dictionary_reads_records_made_with_it() {
    let Some(pages) = dev_pages() else { return };
    let dir = tempfile::tempdir().unwrap();
    let seed = listings(&[workspace().join("data/sample/seed-page.txt")]);
    let dev = listings(&pages);
    let early = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&early, &seed);
    assert!(!dir.path().join(DICT_FILE).exists());
    let reader = early.reader().unwrap();
    // another handle on the same directory writes and trains
    index_all(&ListingIndex::open(dir.path()).unwrap(), &dev);
    assert!(dir.path().join(DICT_FILE).exists());
    reader.reload().unwrap();
    let got = stored(&early).unwrap();
    assert_eq!(got, first_copies([seed.as_slice(), dev.as_slice()]));
}

/// A writer made from a handle opened before another handle trained the
/// dictionary uses that dictionary: it never trains and writes another one
/// over it (the records made with the first would become unreadable).
#[test]
fn a_writer_from_an_older_handle_keeps_the_dictionary() {
    let Some(pages) = dev_pages() else { return };
    let (a, b) = pages.split_at(pages.len() / 2);
    let (first, second) = (listings(a), listings(b));
    let seed = listings(&[workspace().join("data/sample/seed-page.txt")]);
    let dir = tempfile::tempdir().unwrap();
    let early = ListingIndex::open_or_create(dir.path(), None).unwrap();
    index_all(&early, &seed);
    index_all(&ListingIndex::open(dir.path()).unwrap(), &first);
    let dict = std::fs::read(dir.path().join(DICT_FILE)).expect("a dictionary was trained");
    index_all(&early, &second);
    let after = std::fs::read(dir.path().join(DICT_FILE)).unwrap();
    assert!(after == dict, "dictionary replaced");
    let got = stored(&ListingIndex::open(dir.path()).unwrap()).unwrap();
    assert_eq!(got, first_copies([seed.as_slice(), first.as_slice(), second.as_slice()]));
}
