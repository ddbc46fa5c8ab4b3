//! Pre-analysed field values (`WriterOptions::pre_analyze`, issue 13): an
//! index whose text was analysed by the writer is the same index as one
//! analysed by tantivy's indexing thread: the same terms, postings,
//! positions, token counts and field norms, and the same bytes in the
//! segment files that hold them; on the dev corpus (`../shared/corpus/dev`,
//! skipped when absent) and the seed page.

use std::path::{Path, PathBuf};

use tantivy::DocSet;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use wenku_index::{ListingIndex, PreAnalyze, WriterOptions};
use wenku_listing::{CatalogReader, Item, Listing, ParseOptions};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn listings() -> Vec<Listing> {
    let mut paths = vec![workspace().join("data/sample/seed-page.txt")];
    let dev = workspace().join("../shared/corpus/dev/pages");
    match std::fs::read_dir(&dev) {
        Ok(entries) => {
            let mut pages: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
            pages.sort();
            paths.extend(pages);
        }
        Err(_) => eprintln!("no dev corpus at {}: the seed page only", dev.display()),
    }
    let opts =
        ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()), ..Default::default() };
    CatalogReader::open(&paths, opts)
        .unwrap()
        .filter_map(|i| match i {
            Ok(Item::Listing(l)) => Some(l),
            _ => None,
        })
        .collect()
}

/// The index of `listings` in a new directory.
fn build(listings: &[Listing], pre_analyze: PreAnalyze) -> (tempfile::TempDir, ListingIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = ListingIndex::open_or_create(dir.path(), None).unwrap();
    // one indexing thread: the same documents in the same order both ways
    let opts = WriterOptions {
        threads: 1,
        heap_bytes: 100 << 20,
        pre_analyze: Some(pre_analyze),
        ..Default::default()
    };
    let mut w = index.writer(&opts).unwrap();
    for l in listings {
        w.add(l).unwrap();
    }
    w.commit().unwrap();
    (dir, index)
}

/// Every term of `field` in `segment`, with each posting: (doc, positions).
type Dump = Vec<(Vec<u8>, Vec<(u32, Vec<u32>)>)>;

fn dump(segment: &tantivy::SegmentReader, field: tantivy::schema::Field) -> Dump {
    let inverted = segment.inverted_index(field).unwrap();
    let mut terms = inverted.terms().stream().unwrap();
    let mut out = Vec::new();
    let mut positions = Vec::new();
    while terms.advance() {
        let mut postings = inverted
            .read_postings_from_terminfo(terms.value(), IndexRecordOption::WithFreqsAndPositions)
            .unwrap();
        let mut docs = Vec::new();
        while postings.doc() != tantivy::TERMINATED {
            postings.positions(&mut positions);
            assert_eq!(positions.len() as u32, postings.term_freq());
            docs.push((postings.doc(), positions.clone()));
            postings.advance();
        }
        out.push((terms.key().to_vec(), docs));
    }
    out
}

/// The segment files of the postings, terms and field norms, by extension.
fn index_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let ext = p.extension()?.to_str()?.to_string();
            ["idx", "pos", "term", "fieldnorm"]
                .contains(&ext.as_str())
                .then(|| (ext, std::fs::read(&p).unwrap()))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn an_index_analysed_by_the_writer_is_the_same_index() {
    let listings = listings();
    let (plain_dir, plain) = build(&listings, PreAnalyze::Never);
    // every listing's words analysed by the writer; then some of them
    for how in [PreAnalyze::Always, PreAnalyze::Balanced] {
        let (pre_dir, pre) = build(&listings, how);
        same_index(&listings, (plain_dir.path(), &plain), (pre_dir.path(), &pre));
    }
}

fn same_index(listings: &[Listing], plain: (&Path, &ListingIndex), pre: (&Path, &ListingIndex)) {
    let ((plain_dir, plain), (pre_dir, pre)) = (plain, pre);
    let f = plain.fields();
    let text_fields =
        [("title", f.title), ("title_grams", f.title_grams), ("title_pinyin", f.title_pinyin)]
            .into_iter()
            .chain([("snippet", f.snippet)]);
    let (plain_searcher, pre_searcher) =
        (plain.reader().unwrap().searcher(), pre.reader().unwrap().searcher());
    let (a, b) = (plain_searcher.segment_readers(), pre_searcher.segment_readers());
    // one segment each: the segments pair up without guessing
    assert_eq!((a.len(), b.len()), (1, 1), "segments");
    let (a, b) = (&a[0], &b[0]);
    assert_eq!(a.max_doc(), b.max_doc());
    assert!(a.max_doc() > 9, "only {} listings", a.max_doc());
    let mut postings = 0;
    for (name, field) in text_fields {
        let (want, got) = (dump(a, field), dump(b, field));
        assert!(!want.is_empty(), "{name}: no terms");
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(
                (String::from_utf8_lossy(&g.0), &g.1),
                (String::from_utf8_lossy(&w.0), &w.1),
                "help: field {name}: a term or its (doc, positions) differ"
            );
        }
        assert_eq!(got.len(), want.len(), "{name}: terms");
        postings += want.iter().map(|t| t.1.len()).sum::<usize>();
        let (ia, ib) = (a.inverted_index(field).unwrap(), b.inverted_index(field).unwrap());
        assert_eq!(ib.total_num_tokens(), ia.total_num_tokens(), "{name}: token count");
        let (na, nb) =
            (a.get_fieldnorms_reader(field).unwrap(), b.get_fieldnorms_reader(field).unwrap());
        for doc in 0..a.max_doc() {
            assert_eq!(nb.fieldnorm_id(doc), na.fieldnorm_id(doc), "{name}: norm of doc {doc}");
        }
    }
    assert!(postings > 10_000 || listings.len() < 100, "only {postings} postings compared");
    // and the files themselves
    let (want, got) = (index_files(plain_dir), index_files(pre_dir));
    assert_eq!(want.len(), 4, "{:?}", want.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((ext, w), (_, g)) in want.iter().zip(&got) {
        assert!(w == g, "help: the .{ext} files differ");
    }
}
