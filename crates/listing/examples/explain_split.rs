//! Why the boundary scorer splits a line where it does: the four best
//! candidate titles with their scores and strongest features.
//!
//! ```text
//! cargo run --release -p wenku-listing --example explain_split -- ../shared/seed/listing-page-sample.txt 2
//! ```
//!
//! Arguments: a raw page and a 1-based line number (the line's first half
//! is used).

use wenku_listing::train;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).expect("a page file"))
        .expect("read the page");
    let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).expect("a line number");
    let line = text.lines().nth(n.saturating_sub(1)).expect("no such line");
    let mid = (0..=line.len() / 2).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
    let half = &line[..mid];
    let body = train::body(half).expect("a listing line");
    let mut scored: Vec<(f32, usize, Vec<String>)> = train::candidates(body)
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
