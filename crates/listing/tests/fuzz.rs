//! The reader under proptest at scale: catalogs assembled from real lines
//! (the bundled sample pages), damaged by byte edits, splices and the
//! format's own tokens, read through buffers of random sizes and with
//! random encoding settings. Invariants beyond "no panic":
//!
//! - the items do not depend on the reader's buffer size;
//! - every listing's id is 32 hex digits and is the id of its own text
//!   (`id_of_text(raw)`: ids do not depend on the split);
//! - every line error names a line that exists.
//!
//! Cases: `WENKU_FUZZ_CASES` (default 512, the CI run). The documented long
//! run (docs/reliability.md):
//!
//! ```sh
//! WENKU_FUZZ_CASES=10000000 nice -n 19 cargo test --release -p wenku-listing \
//!     --test tests fuzz:: -- --nocapture
//! ```

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use wenku_listing::{CatalogReader, Item, ParseOptions};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");

/// Every line of the bundled sample pages, plus one JSON Lines record.
static LINES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut files: Vec<_> = std::fs::read_dir(SAMPLE).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        lines.extend(bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    let first = String::from_utf8(lines[0].clone()).unwrap();
    let l = CatalogReader::from_reader("s", std::io::Cursor::new(first), Default::default())
        .find_map(|i| match i {
            Ok(Item::Listing(l)) => Some(l),
            _ => None,
        })
        .unwrap();
    lines.push(serde_json::to_vec(&l).unwrap());
    lines
});

/// Pieces of the format and of damage.
const TOKENS: &[&[u8]] = &[
    " 码力 | ".as_bytes(),
    " 页 | ".as_bytes(),
    b" MB",
    b" KB | ",
    b" | ",
    " 年前".as_bytes(),
    "前".as_bytes(),
    "共 3 条".as_bytes(),
    b"- 2",
    b"\n",
    b"\r\n",
    b"{",
    b"{\"id\":",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\x00",
    b"\xe4\xb8",
    b"\xc2\xeb\xc1\xa6",
    b"99999999999999999999999",
    b"1.5e308",
    b" . . . . . ",
    "利利⽤用率".as_bytes(),
];

#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
    Token(prop::sample::Index, prop::sample::Index),
    Splice(prop::sample::Index, prop::sample::Index, prop::sample::Index, u8),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index as I;
    prop_oneof![
        (any::<I>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<I>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<I>().prop_map(Edit::Delete),
        (any::<I>(), any::<I>()).prop_map(|(i, t)| Edit::Token(i, t)),
        (any::<I>(), any::<I>(), any::<I>(), any::<u8>())
            .prop_map(|(at, l, from, n)| Edit::Splice(at, l, from, n)),
        any::<I>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let at = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match e {
        Edit::Replace(i, b) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        Edit::Insert(i, b) => bytes.insert(at(i, bytes.len()), *b),
        Edit::Delete(i) if !bytes.is_empty() => {
            bytes.remove(i.index(bytes.len()));
        }
        Edit::Token(i, t) => {
            let p = at(i, bytes.len());
            bytes.splice(p..p, TOKENS[t.index(TOKENS.len())].iter().copied());
        }
        Edit::Splice(i, l, from, n) => {
            let src = &LINES[l.index(LINES.len())];
            if !src.is_empty() {
                let s = from.index(src.len());
                let e = (s + usize::from(*n) + 1).min(src.len());
                let p = at(i, bytes.len());
                bytes.splice(p..p, src[s..e].iter().copied());
            }
        }
        Edit::Truncate(i) => {
            let n = at(i, bytes.len());
            bytes.truncate(n);
        }
        _ => {}
    }
}

fn cases() -> u32 {
    std::env::var("WENKU_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

static RUN: AtomicU64 = AtomicU64::new(0);

/// An item in a comparable form (errors by their message).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
enum Seen {
    Item(Item),
    Error(String),
}

fn items(bytes: &[u8], capacity: usize, opts: ParseOptions) -> Vec<Seen> {
    let r = std::io::BufReader::with_capacity(capacity, std::io::Cursor::new(bytes.to_vec()));
    CatalogReader::from_reader("f", r, opts)
        .map(|i| match i {
            Ok(item) => Seen::Item(item),
            Err(e) => Seen::Error(e.to_string()),
        })
        .collect()
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_catalogs_are_read_consistently(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
        crlf in any::<bool>(),
        edits in prop::collection::vec(edit(), 0..10),
        capacity in 1usize..3000,
        encoding in 0u8..4,
    ) {
        let mut bytes = Vec::new();
        for p in &picks {
            bytes.extend_from_slice(&LINES[p.index(LINES.len())]);
            bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        for e in &edits {
            apply(&mut bytes, e);
        }
        let encoding = match encoding {
            0 | 1 => None,
            2 => Some(encoding_rs::UTF_8),
            _ => Some(encoding_rs::GBK),
        };
        let opts = ParseOptions { encoding, ..Default::default() };
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        let seen = items(&bytes, 64 * 1024, opts);
        for item in &seen {
            match item {
                Seen::Item(Item::Listing(l)) => {
                    // a listing text gets the id of its text; only a JSON
                    // Lines record whose `raw` does not parse keeps its own
                    match wenku_listing::id_of_text(&l.raw) {
                        Some(id) => prop_assert!(is_id(&l.id) && id == l.id, "{:?}", l),
                        None => prop_assert!(bytes.contains(&b'{'), "{:?}", l),
                    }
                    prop_assert!(l.source.line >= 1);
                    if l.source.file == "f" {
                        prop_assert!(l.source.line <= lines);
                    }
                }
                Seen::Item(Item::Footer(f)) => prop_assert!(f.source.line <= lines),
                Seen::Error(e) => {
                    let line = e.strip_prefix("f:").map(|r| r.split(':').next().unwrap_or(""));
                    prop_assert!(line.is_some(), "{}", e);
                    if let Ok(n) = line.unwrap_or("").trim().parse::<u64>() {
                        prop_assert!(n >= 1 && n <= lines, "{}", e);
                    }
                }
            }
        }
        prop_assert!(seen.len() <= 4 * lines as usize + 4);
        prop_assert_eq!(items(&bytes, capacity, opts), seen);
        let n = RUN.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(1_000_000) {
            eprintln!("fuzz: {n} cases passed");
        }
    }
}

/// Prints how many cases ran (for the long run's record).
#[test]
fn zz_report_fuzz_cases() {
    println!("fuzz: WENKU_FUZZ_CASES={} per property", cases());
}
