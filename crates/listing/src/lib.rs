//! Parse raw listing pages of Chinese document catalogs into clean records.
#![deny(missing_docs)]

mod record;

pub use record::{Age, AgeUnit, Listing, Source};
