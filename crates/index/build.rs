//! Generates the character-level traditional → simplified table from
//! OpenCC's data (via `ferrous-opencc`) at build time, so the analyzer pays
//! nothing at start-up and folds scripts char by char (keeping offsets exact).

use std::fmt::Write as _;
use std::path::PathBuf;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// CJK blocks whose characters may have a simplified form.
const RANGES: &[(u32, u32)] = &[
    (0x3400, 0x4DBF),   // Extension A
    (0x4E00, 0x9FFF),   // Unified Ideographs
    (0xF900, 0xFAFF),   // Compatibility Ideographs
    (0x20000, 0x2FA1F), // Extensions B.. and Compatibility Supplement
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let cc = OpenCC::from_config(BuiltinConfig::T2s).expect("OpenCC t2s config is embedded");
    let chars: Vec<char> =
        RANGES.iter().flat_map(|&(lo, hi)| (lo..=hi).filter_map(char::from_u32)).collect();
    // One character per line: the phrase dictionary never matches across a
    // line break, so every character is converted on its own.
    let mut input = String::with_capacity(chars.len() * 5);
    for c in &chars {
        input.push(*c);
        input.push('\n');
    }
    let output = cc.convert(&input);
    let mut pairs: Vec<(char, char)> = Vec::new();
    for (c, line) in chars.iter().zip(output.split('\n')) {
        let mut it = line.chars();
        if let (Some(s), None) = (it.next(), it.next())
            && s != *c
        {
            pairs.push((*c, s));
        }
    }
    pairs.sort_unstable();
    let mut src = String::from("/// (traditional, simplified) pairs from OpenCC t2s, sorted.\n");
    writeln!(src, "pub(crate) static T2S: [(char, char); {}] = [", pairs.len()).unwrap();
    for (t, s) in pairs {
        writeln!(src, "    ({t:?}, {s:?}),").unwrap();
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("t2s_table.rs");
    std::fs::write(out, src).unwrap();
}
