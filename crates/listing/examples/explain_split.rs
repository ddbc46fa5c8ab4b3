//! Why the boundary scorer splits a line where it does: the four best
//! candidate titles with their scores and strongest features.
//!
//! ```text
//! cargo run --release -p wenku-listing --example explain_split -- ../shared/seed/listing-page-sample.txt 2
//! ```
//!
//! Arguments: a raw page and a 1-based line number (the line's first half
//! is used), and optionally a directory: the catalog evidence comes from
//! its files (else from the page's lines), as when the reader opens it.

use wenku_listing::train;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).expect("a page file"))
        .expect("read the page");
    let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).expect("a line number");
    let half = |line: &'static str| {
        let mid = (0..=line.len() / 2).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
        &line[..mid]
    };
    let text: &'static str = text.leak();
    let mut memory = train::Memory::default();
    // The catalog: a directory given as third argument, else the page.
    let mut catalog = vec![text];
    if let Some(dir) = std::env::args().nth(3) {
        let mut paths: Vec<_> =
            std::fs::read_dir(dir).expect("a directory").map(|e| e.unwrap().path()).collect();
        paths.sort();
        catalog = paths.iter().map(|p| &*std::fs::read_to_string(p).unwrap().leak()).collect();
    }
    for l in catalog.iter().flat_map(|t| t.lines()) {
        if let Some(body) = train::body(half(l)) {
            train::reliable_end(body, &mut memory, None);
        }
    }
    memory.freeze();
    let line = text.lines().nth(n.saturating_sub(1)).expect("no such line");
    let body = train::body(half(line)).expect("a listing line");
    if let Some(end) = train::reliable_end(body, &mut memory, None) {
        println!("split by a rule or the catalog's titles: {:?}", &body[..end]);
        return;
    }
    let mut scored: Vec<(f32, usize, Vec<String>)> = train::candidates(body, Some(&memory))
        .into_iter()
        .map(|(e, fs)| (fs.iter().map(|f| train::bundled_weight(f)).sum(), e, fs))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (s, e, fs) in scored.iter().take(4) {
        println!("{s:.2} {:?}", &body[..*e]);
        let mut fw: Vec<(f32, &String)> =
            fs.iter().map(|f| (train::bundled_weight(f), f)).collect();
        fw.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        for (x, f) in fw.iter().take(8) {
            println!("     {x:.2} {f}");
        }
    }
}
