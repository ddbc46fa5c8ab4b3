//! The tantivy schema of a listing index.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{GRAMS_TOKENIZER, READINGS_TOKENIZER, WORDS_TOKENIZER};

/// Field names, for callers that address fields by name.
pub mod names {
    /// Listing id (raw, indexed for upserts and lookups).
    pub const ID: &str = "id";
    /// Normalised title, jieba words.
    pub const TITLE: &str = "title";
    /// Normalised title, character unigrams + bigrams (substring recall).
    pub const TITLE_GRAMS: &str = "title_grams";
    /// Normalised title, toneless pinyin readings and initials of its Han
    /// characters (pinyin queries, same-reading typos).
    pub const TITLE_PINYIN: &str = "title_pinyin";
    /// Normalised snippet, jieba words.
    pub const SNIPPET: &str = "snippet";
    /// Price (fast).
    pub const PRICE: &str = "price";
    /// Page count (fast).
    pub const PAGES: &str = "pages";
    /// Size in bytes (fast).
    pub const SIZE: &str = "size_bytes";
    /// Publication date (fast, seconds): the latest instant the age allows.
    pub const PUBLISHED: &str = "published";
    /// The earliest instant the age allows (fast, seconds, exclusive):
    /// `1 年前` is anything from one to two years before the capture.
    pub const PUBLISHED_EARLIEST: &str = "published_earliest";
    /// How many times the listing was seen in the run that indexed it (fast).
    pub const DUP_COUNT: &str = "dup_count";
    /// The whole record, one zstd frame (stored only; see [`crate::record`]
    /// and the `codec` module).
    pub const DOC: &str = "doc";
}

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// See [`names::ID`].
    pub id: Field,
    /// See [`names::TITLE`].
    pub title: Field,
    /// See [`names::TITLE_GRAMS`].
    pub title_grams: Field,
    /// See [`names::TITLE_PINYIN`].
    pub title_pinyin: Field,
    /// See [`names::SNIPPET`].
    pub snippet: Field,
    /// See [`names::PRICE`].
    pub price: Field,
    /// See [`names::PAGES`].
    pub pages: Field,
    /// See [`names::SIZE`].
    pub size_bytes: Field,
    /// See [`names::PUBLISHED`].
    pub published: Field,
    /// See [`names::PUBLISHED_EARLIEST`].
    pub published_earliest: Field,
    /// See [`names::DUP_COUNT`].
    pub dup_count: Field,
    /// See [`names::DOC`].
    pub doc: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Builds the schema.
pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    // the id is inside the stored record: stored once
    b.add_text_field(names::ID, STRING);
    b.add_text_field(names::TITLE, text(WORDS_TOKENIZER));
    b.add_text_field(names::TITLE_GRAMS, text(GRAMS_TOKENIZER));
    b.add_text_field(names::TITLE_PINYIN, text(READINGS_TOKENIZER));
    b.add_text_field(names::SNIPPET, text(WORDS_TOKENIZER));
    b.add_u64_field(names::PRICE, FAST);
    b.add_u64_field(names::PAGES, FAST);
    b.add_u64_field(names::SIZE, FAST);
    b.add_date_field(names::PUBLISHED, FAST);
    b.add_date_field(names::PUBLISHED_EARLIEST, FAST);
    b.add_u64_field(names::DUP_COUNT, FAST);
    b.add_bytes_field(names::DOC, STORED);
    b.build()
}

impl Fields {
    /// Resolves the fields of `schema`.
    ///
    /// # Panics
    /// If `schema` was not built by [`build_schema`] (checked on open).
    pub fn new(schema: &Schema) -> Fields {
        let f = |n: &str| schema.get_field(n).expect("schema built by build_schema");
        Fields {
            id: f(names::ID),
            title: f(names::TITLE),
            title_grams: f(names::TITLE_GRAMS),
            title_pinyin: f(names::TITLE_PINYIN),
            snippet: f(names::SNIPPET),
            price: f(names::PRICE),
            pages: f(names::PAGES),
            size_bytes: f(names::SIZE),
            published: f(names::PUBLISHED),
            published_earliest: f(names::PUBLISHED_EARLIEST),
            dup_count: f(names::DUP_COUNT),
            doc: f(names::DOC),
        }
    }
}
