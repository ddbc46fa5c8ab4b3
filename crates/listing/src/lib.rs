//! Parse raw listing pages of Chinese document catalogs into clean records.
//!
//! A catalog is a set of scraped search-result pages: one line per listing
//! (the listing text written twice), then a footer `共 N 条` and `- k` page
//! links. This crate turns them into typed [`Listing`] records:
//!
//! - [`CatalogReader`] streams files, directories or any [`std::io::BufRead`]
//!   (UTF-8 or GBK/GB18030, raw pages or JSON Lines) and yields one
//!   `Result<`[`Item`]`>` per listing, footer or bad line, so a caller can
//!   skip or stop on errors;
//! - [`parse_listing_text`] parses one listing text;
//! - [`normalize`] is the text normalisation used for `title_norm` and
//!   `snippet_norm` (NFKC, fake-bold repair, dot leaders, whitespace);
//! - [`Dedup`] tells byte-identical repeats from first sightings.
//!
//! The format and every heuristic (halves, price digits, title/snippet
//! split, doubled characters) with its measured failure rate are
//! described in `docs/listing-format.md`.
//!
//! # Example
//!
//! ```
//! use wenku_listing::{CatalogReader, Item, ParseOptions};
//!
//! let page = " 856. 括号的分数 题目描述 给定一个平衡括号字符串 S1 码力 | 2 页 | 3.12 KB | 9 月前4 \
//! 856. 括号的分数 题目描述 给定一个平衡括号字符串 S1 码力 | 2 页 | 3.12 KB | 9 月前4\n\
//! 共 1 条\n- 1\n\n";
//! let opts = ParseOptions { as_of: Some("2026-08-26T08:00:00Z".parse()?), ..Default::default() };
//! let mut listings = 0;
//! for item in CatalogReader::from_reader("page.txt", page.as_bytes(), opts) {
//!     match item? {
//!         Item::Listing(l) => {
//!             listings += 1;
//!             assert_eq!(l.title, "856. 括号的分数");
//!             assert_eq!(l.snippet, "题目描述 给定一个平衡括号字符串 S");
//!             assert_eq!((l.price, l.pages, l.size_bytes, l.trailing), (1, 2, 3195, 4));
//!             assert_eq!(l.source.line, 1);
//!         }
//!         Item::Footer(f) => assert_eq!((f.total, f.pages), (1, 1)),
//!     }
//! }
//! assert_eq!(listings, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod boundary;
mod dedup;
mod error;
mod han;
mod memory;
mod normalize;
mod parallel;
mod parse;
mod prefixes;
mod profile;
mod reader;
mod record;
mod shape;
mod split;
mod text;
#[doc(hidden)]
pub mod train;

pub use dedup::{Dedup, Seen};
pub use error::{Error, Result};
pub use han::{is_compatibility_ideograph, is_han};
pub use normalize::normalize;
pub use parse::{
    ID_SCHEME, PARSER_VERSION, age_duration, id_of_text, listing_id, parse_listing_text,
};
pub use profile::Profile;
pub use reader::{CatalogReader, Footer, Item, ParseOptions};
pub use record::{Age, AgeUnit, Listing, Source};
