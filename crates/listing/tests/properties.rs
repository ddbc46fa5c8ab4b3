//! Never panic: arbitrary bytes, mutated seed lines.

use proptest::prelude::*;
use wenku_listing::{CatalogReader, ParseOptions, Source, parse_listing_text};

fn drain(bytes: Vec<u8>) {
    for item in
        CatalogReader::from_reader("p", std::io::Cursor::new(bytes), ParseOptions::default())
    {
        let _ = item;
    }
}

fn seed_lines() -> Vec<String> {
    let text = std::fs::read_to_string(crate::seed::SEED).unwrap();
    text.lines().map(str::to_string).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        drain(bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}( 码力 \\| [0-9]{0,3} 页 \\| [0-9.]{0,5} [KMG]B \\| [0-9]{0,2} (年|月|小时)前[0-9]{0,3}){0,2}") {
        let _ = parse_listing_text(&s, Source { file: "p".into(), line: 1 }, None);
        let _ = wenku_listing::normalize(&s);
        drain(s.into_bytes());
    }

    #[test]
    fn mutated_seed_lines_never_panic(
        line in 0usize..13,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let lines = seed_lines();
        let mut bytes = lines[line % lines.len()].clone().into_bytes();
        for (at, b, op) in edits {
            if bytes.is_empty() { bytes.push(b); continue; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = b,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, b),
            }
        }
        bytes.push(b'\n');
        drain(bytes.clone());
        let _ = parse_listing_text(&String::from_utf8_lossy(&bytes), Source { file: "p".into(), line: 1 }, None);
    }
}
