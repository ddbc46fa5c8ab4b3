//! The baseline: what a Rust developer builds first with the same crates.
//!
//! tantivy 0.27 with the `tantivy-jieba` tokenizer (search mode, HMM,
//! registered as `"jieba"`), title and snippet as stored `TEXT` fields, the
//! numbers as fast fields, and tantivy's [`QueryParser`] over title and
//! snippet. It indexes [`Listing::title`] and [`Listing::snippet`] as they
//! are written on the line (no normalisation, no noise repair, no script
//! folding): the naive reading of the parsed records. It does not
//! de-duplicate either: every listing line becomes a document.

use std::path::Path;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};
use wenku_listing::Listing;

/// Name the tantivy-jieba tokenizer is registered under.
pub const TOKENIZER: &str = "jieba";

/// Field handles of the baseline schema.
#[derive(Debug, Clone, Copy)]
pub struct BaselineFields {
    /// Title as written, tantivy-jieba, stored.
    pub title: Field,
    /// Snippet as written, tantivy-jieba, stored.
    pub snippet: Field,
    /// Price (fast).
    pub price: Field,
    /// Page count (fast).
    pub pages: Field,
    /// Size in bytes (fast).
    pub size_bytes: Field,
    /// Publication date (fast), when the parser knew the capture time.
    pub published: Field,
}

/// The baseline schema.
pub fn schema() -> (Schema, BaselineFields) {
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let mut b = Schema::builder();
    let fields = BaselineFields {
        title: b.add_text_field("title", text.clone()),
        snippet: b.add_text_field("snippet", text),
        price: b.add_u64_field("price", FAST),
        pages: b.add_u64_field("pages", FAST),
        size_bytes: b.add_u64_field("size_bytes", FAST),
        published: b.add_date_field("published", FAST),
    };
    (b.build(), fields)
}

/// A baseline index.
#[derive(Clone)]
pub struct Baseline {
    index: Index,
    fields: BaselineFields,
}

impl std::fmt::Debug for Baseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Baseline").finish_non_exhaustive()
    }
}

impl Baseline {
    fn wrap(index: Index) -> Self {
        index.tokenizers().register(TOKENIZER, tantivy_jieba::JiebaTokenizer::new());
        let (_, fields) = schema();
        Baseline { index, fields }
    }

    /// A new index in RAM.
    pub fn create_in_ram() -> Self {
        Self::wrap(Index::create_in_ram(schema().0))
    }

    /// A new index in `dir` (which must exist and be empty).
    ///
    /// # Errors
    /// From tantivy.
    pub fn create_in_dir(dir: &Path) -> tantivy::Result<Self> {
        Ok(Self::wrap(Index::create_in_dir(dir, schema().0)?))
    }

    /// Opens an index written by [`Baseline::create_in_dir`].
    ///
    /// # Errors
    /// From tantivy.
    pub fn open(dir: &Path) -> tantivy::Result<Self> {
        Ok(Self::wrap(Index::open_in_dir(dir)?))
    }

    /// The tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// A writer with `threads` indexing threads and `heap_bytes` of memory
    /// budget (at least 15 MiB per thread, as tantivy requires).
    ///
    /// # Errors
    /// From tantivy.
    pub fn writer(&self, threads: usize, heap_bytes: usize) -> tantivy::Result<BaselineWriter> {
        let threads = threads.max(1);
        let heap = heap_bytes.max(threads * (15 << 20) + (1 << 20));
        Ok(BaselineWriter {
            writer: self.index.writer_with_num_threads(threads, heap)?,
            fields: self.fields,
            text_bytes: 0,
        })
    }

    /// A searcher with a `QueryParser` over title and snippet (AND of the
    /// terms would be the fair comparison with wenku's AND-by-default
    /// language, so conjunction is on).
    ///
    /// # Errors
    /// From tantivy.
    pub fn searcher(&self) -> tantivy::Result<BaselineSearcher> {
        let reader = self.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let mut parser =
            QueryParser::for_index(&self.index, vec![self.fields.title, self.fields.snippet]);
        parser.set_conjunction_by_default();
        Ok(BaselineSearcher { reader, parser, fields: self.fields })
    }
}

/// Adds listings to a [`Baseline`].
pub struct BaselineWriter {
    writer: IndexWriter,
    fields: BaselineFields,
    text_bytes: u64,
}

impl BaselineWriter {
    /// Adds one listing: the raw title and snippet, and the numbers.
    ///
    /// # Errors
    /// From tantivy (the writer's threads failed).
    pub fn add(&mut self, l: &Listing) -> tantivy::Result<()> {
        let published = l.published.map(|ts| ts.as_second());
        self.add_fields(
            &l.title,
            &l.snippet,
            [l.price.into(), l.pages.into(), l.size_bytes],
            published,
        )
    }

    /// Adds one document from its fields: title, snippet, `[price, pages,
    /// size_bytes]` and the publication time in seconds (what
    /// [`add`](Self::add) takes from a listing; the runner's clean-lines
    /// build feeds them from a pre-parsed file).
    ///
    /// # Errors
    /// From tantivy (the writer's threads failed).
    pub fn add_fields(
        &mut self,
        title: &str,
        snippet: &str,
        [price, pages, size_bytes]: [u64; 3],
        published: Option<i64>,
    ) -> tantivy::Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.title, title);
        doc.add_text(f.snippet, snippet);
        doc.add_u64(f.price, price);
        doc.add_u64(f.pages, pages);
        doc.add_u64(f.size_bytes, size_bytes);
        if let Some(secs) = published {
            doc.add_date(f.published, DateTime::from_timestamp_secs(secs));
        }
        self.text_bytes += (title.len() + snippet.len()) as u64;
        self.writer.add_document(doc)?;
        Ok(())
    }

    /// Bytes of title and snippet text added so far.
    pub fn text_bytes(&self) -> u64 {
        self.text_bytes
    }

    /// Commits and waits for merges.
    ///
    /// # Errors
    /// From tantivy.
    pub fn commit(mut self) -> tantivy::Result<u64> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(self.text_bytes)
    }
}

/// Runs queries on a [`Baseline`].
pub struct BaselineSearcher {
    reader: IndexReader,
    parser: QueryParser,
    fields: BaselineFields,
}

/// One baseline hit.
#[derive(Debug, Clone)]
pub struct BaselineHit {
    /// BM25 score.
    pub score: f32,
    /// Stored title.
    pub title: String,
}

impl BaselineSearcher {
    /// Number of documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Parses `query` with tantivy's grammar, counts the matches and loads
    /// the stored titles of the top `limit` (the work a results page needs).
    ///
    /// # Errors
    /// A query tantivy's grammar rejects, or a tantivy error.
    pub fn search(&self, query: &str, limit: usize) -> anyhow::Result<(usize, Vec<BaselineHit>)> {
        let q = self.parser.parse_query(query)?;
        let searcher = self.reader.searcher();
        let (count, top) =
            searcher.search(&q, &(Count, TopDocs::with_limit(limit).order_by_score()))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let title = doc
                .get_first(self.fields.title)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            hits.push(BaselineHit { score, title });
        }
        Ok((count, hits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_listing::{CatalogReader, Item, ParseOptions};

    #[test]
    fn indexes_and_finds_the_sample() {
        let b = Baseline::create_in_ram();
        let mut w = b.writer(1, 20 << 20).unwrap();
        let reader =
            CatalogReader::open(&[crate::corpus::sample_dir()], ParseOptions::default()).unwrap();
        let mut n = 0;
        for item in reader {
            if let Ok(Item::Listing(l)) = item {
                w.add(&l).unwrap();
                n += 1;
            }
        }
        assert!(n > 10);
        w.commit().unwrap();
        let s = b.searcher().unwrap();
        assert_eq!(s.num_docs(), n);
        let (count, hits) = s.search("Python", 5).unwrap();
        assert!(count > 0 && !hits.is_empty());
        let (count, _) = s.search("Python pages:>1", 5).unwrap();
        assert!(count > 0);
    }
}
