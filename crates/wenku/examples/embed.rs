//! Embedding wenku: build an index from the bundled sample catalog in a
//! temporary directory, search it, print the hits.
//!
//! Run with `cargo run -p wenku --example embed [QUERY]`.

use std::path::PathBuf;

use wenku::{IndexOptions, ParseOptions, Query, SearchRequest, Wenku};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // # Step 1: an index on disk, in a directory of our own.
    let dir = tempfile::tempdir()?;
    let wenku = Wenku::open_or_create(dir.path())?;

    // # Step 2: index the raw pages of `data/sample/`. The pages were
    // captured on 2026-08-26; ages like `9 月前` are relative to that.
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
    let options = IndexOptions {
        parse: ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse()?), ..Default::default() },
        ..Default::default()
    };
    let mut indexer = wenku.indexer(&options)?.on_progress(|p| {
        eprintln!("{} listings read, {} files done", p.listings, p.files_done);
    });
    indexer.add_paths([data])?;
    let report = indexer.commit()?;
    println!(
        "indexed {} listings ({} read, {} duplicates, {} malformed lines)",
        report.indexed, report.listings_read, report.duplicates, report.malformed
    );

    // # Step 3: search. The query language is in docs/query-language.md.
    wenku.reload()?;
    let query = std::env::args().nth(1).unwrap_or_else(|| "標準庫 bisect".to_string());
    let results = wenku.search(&SearchRequest::new(Query::parse(&query)?))?;
    println!("{} matches for {query:?}", results.total);
    for (rank, hit) in results.hits.iter().enumerate() {
        let l = &hit.listing;
        println!(
            "{:>2}. {}  [{} 页, {}, {}:{}]",
            rank + 1,
            hit.title.render("【", "】"),
            l.pages,
            l.size_text,
            l.source.file,
            l.source.line
        );
        println!("    {}", hit.snippet.render("【", "】"));
    }
    assert!(results.total > 0, "the sample catalog has matches for {query:?}");
    Ok(())
}
