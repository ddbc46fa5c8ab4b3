//! An application that searches what its users type inside a section of
//! its own: free documents of at least 100 pages. The user's text is read
//! with the query language (so `"phrases"`, `-not`, `OR` and `最新` work),
//! the application's conditions are typed filters next to it: nothing to
//! escape, and nothing the user types can lift them.
//!
//! Run with `cargo run -p wenku --example app_filter [QUERY…]`; each
//! argument is one user query (default: a few, one of them malformed).

use std::path::PathBuf;

use wenku::{Filter, IndexOptions, ParseOptions, Query, SearchRequest, Wenku};

/// The section's search: one page of hits for `user_text`, or the message
/// to show the user for a malformed query.
fn search_section(wenku: &Wenku, user_text: &str) -> Result<Vec<String>, String> {
    // a malformed query: the message names the character (`e.position`)
    let query = Query::parse(user_text)
        .map_err(|e| e.to_string())?
        .filter(Filter::price(0..=0))
        .filter(Filter::pages(100..));
    let results = wenku.search(&SearchRequest::new(query).limit(5)).map_err(|e| e.to_string())?;
    Ok(results
        .hits
        .iter()
        .map(|hit| {
            format!(
                "{} ({} 页, {} 码力) {}",
                hit.title.render("【", "】"),
                hit.listing.pages,
                hit.listing.price,
                hit.id()
            )
        })
        .collect())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wenku = Wenku::create_in_ram()?;
    let options = IndexOptions {
        parse: ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse()?), ..Default::default() },
        ..Default::default()
    };
    let mut indexer = wenku.indexer(&options)?;
    indexer.add_paths([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/sample")])?;
    indexer.commit()?;
    wenku.reload()?;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let queries = if args.is_empty() {
        vec!["標準庫 bisect".to_string(), "python OR 性能".to_string(), "pages:>abc".to_string()]
    } else {
        args
    };
    for user_text in &queries {
        println!("{user_text}");
        match search_section(&wenku, user_text) {
            Ok(hits) if hits.is_empty() => println!("  nothing free of 100 pages or more"),
            Ok(hits) => hits.iter().for_each(|h| println!("  {h}")),
            Err(message) => println!("  {message}"),
        }
    }
    Ok(())
}
