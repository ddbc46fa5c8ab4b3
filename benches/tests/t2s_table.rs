//! The committed traditional → simplified table of wenku-index is what
//! `gen_t2s` generates from the `ferrous-opencc` in Cargo.lock (this package
//! is the only one that still depends on it).

use wenku_benches::t2s;

const COMMITTED: &str = include_str!("../../crates/index/src/analysis/t2s_table.rs");

#[test]
fn committed_t2s_table_is_current() {
    let pairs = t2s::pairs().expect("OpenCC t2s config is embedded");
    let generated = t2s::source(&pairs);
    if generated != COMMITTED {
        let first = generated
            .lines()
            .zip(COMMITTED.lines())
            .position(|(g, c)| g != c)
            .unwrap_or_else(|| generated.lines().count().min(COMMITTED.lines().count()));
        panic!(
            "crates/index/src/analysis/t2s_table.rs is stale (first difference at line {}: \
             generated {:?}, committed {:?}); help: regenerate it with \
             `cargo run --release -p wenku-benches --bin gen_t2s -- crates/index/src/analysis/t2s_table.rs`",
            first + 1,
            generated.lines().nth(first),
            COMMITTED.lines().nth(first),
        );
    }
}
