//! wenku (文库): full-text search for Chinese document catalogs.
//!
//! This is the one crate an application depends on. It ties together
//! [`listing`] (raw catalog pages → records), [`index`] (Chinese analysis
//! and the tantivy index) and [`query`] (query language, ranking,
//! highlights) behind one type, [`Wenku`]:
//!
//! ```
//! use wenku::{Filter, IndexOptions, Query, SearchRequest, Wenku};
//!
//! # fn main() -> Result<(), wenku::Error> {
//! // An index in RAM; `Wenku::open_or_create(dir)` (or `OpenOptions`) for
//! // one on disk.
//! let wenku = Wenku::create_in_ram()?;
//!
//! // Feed it raw listing pages (or files and directories with `add_paths`).
//! let page = " 3 GPU利用率优化指南GPU利用率优化指南 每个请求单独进GPU，利用率不高0 码力 | 38 页 | 2.25 MB | 1 年前3\n共 1 条\n- 1\n";
//! let mut indexer = wenku.indexer(&IndexOptions::default())?;
//! indexer.add_text("page.txt", page)?;
//! let report = indexer.commit()?;
//! assert_eq!(report.indexed, 1);
//! wenku.reload()?;
//!
//! // What a person typed, in the query language, plus a typed filter of the
//! // application's own (no query syntax to write or escape).
//! let query = Query::parse("利用率")?.filter(Filter::pages(10..));
//! let results = wenku.search(&SearchRequest::new(query))?;
//! assert_eq!(results.total, 1);
//! let hit = &results.hits[0];
//! assert_eq!((hit.id(), hit.listing.pages), (hit.listing.id.as_str(), 38));
//! assert_eq!(hit.title.render("[", "]"), "3 GPU[利用率]优化指南");
//! # Ok(()) }
//! ```
//!
//! Searching is thread-safe (`&self`) and may run while another thread
//! indexes: a search sees the last commit.
#![deny(missing_docs)]

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The time library of [`SearchRequest::now`] and of listing dates.
pub use jiff;
pub use wenku_index as index;
pub use wenku_listing as listing;
pub use wenku_query as query;

pub use wenku_index::{
    AddOutcome, ListingIndex, PreAnalyze, StoredListing, WriteStats, WriterOptions,
};
pub use wenku_listing::{Footer, Item, Listing, ParseOptions, Source};
pub use wenku_query::{
    Condition, Explanation, Facets, Filter, Highlighted, Hit, ParseError, Query, Ranking, Relaxed,
    SearchRequest, SearchResults, Sort, Span, Understood, UnknownSort,
};

use wenku_index::analysis::ANALYSIS_VERSION;
use wenku_listing::CatalogReader;
use wenku_query::Searcher;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or parsing the catalog failed as a whole (a bad *line* is
    /// not an error: it is counted in [`IndexReport`]).
    #[error(transparent)]
    Listing(#[from] wenku_listing::Error),
    /// Opening or writing the index failed.
    #[error(transparent)]
    Index(#[from] wenku_index::Error),
    /// The search failed (a malformed query among others).
    #[error(transparent)]
    Query(#[from] wenku_query::Error),
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Query(e.into())
    }
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// How to open an index on disk: create it if missing, with which user
/// dictionary, with which ranking.
///
/// ```
/// # fn main() -> Result<(), wenku::Error> {
/// let dir = std::env::temp_dir().join(format!("wenku-open-doc-{}", std::process::id()));
/// let wenku = wenku::OpenOptions::new()
///     .create(true)
///     .user_dict("利用率 100 n\n")
///     .open(&dir)?;
/// assert_eq!(wenku.num_docs(), 0);
/// # drop(wenku);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    create: bool,
    user_dict: Option<String>,
    ranking: Option<Ranking>,
}

impl OpenOptions {
    /// Open an existing index, default ranking, no user dictionary.
    #[must_use]
    pub fn new() -> Self {
        OpenOptions::default()
    }

    /// Create the index (and its directory) when there is none.
    #[must_use]
    pub fn create(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    /// A jieba-format user dictionary (`word [freq] [tag]` per line):
    /// stored with a new index; an existing index must have the same one.
    #[must_use]
    pub fn user_dict(mut self, dict: impl Into<String>) -> Self {
        self.user_dict = Some(dict.into());
        self
    }

    /// Ranking parameters of searches (default [`Ranking::default`]).
    #[must_use]
    pub fn ranking(mut self, ranking: Ranking) -> Self {
        self.ranking = Some(ranking);
        self
    }

    /// Opens (or creates) the index at `dir`.
    ///
    /// # Errors
    /// No index at `dir` (without [`create`](OpenOptions::create)), an
    /// index built with an incompatible analysis, I/O, an invalid user
    /// dictionary or one different from the stored one.
    pub fn open(&self, dir: impl AsRef<Path>) -> Result<Wenku> {
        let dir = dir.as_ref();
        let index = if self.create {
            ListingIndex::open_or_create(dir, self.user_dict.as_deref())?
        } else {
            let index = ListingIndex::open(dir)?;
            if self.user_dict.is_some() && index.analyzer().user_dict() != self.user_dict.as_deref()
            {
                return Err(wenku_index::Error::DictionaryMismatch(dir.to_path_buf()).into());
            }
            index
        };
        let wenku = Wenku::wrap(index)?;
        Ok(match &self.ranking {
            Some(r) => wenku.with_ranking(r.clone()),
            None => wenku,
        })
    }
}

/// Parse threads of the second pass and of the first (see
/// [`ParseOptions::first_pass_threads`]) for `writer_threads` tantivy
/// threads on `cores` cores (the indexer passes
/// `WriterOptions::default().threads`: the available cores, at most 8),
/// when the caller leaves them open: every core (at most 8, or the
/// writer's threads if more), except for the second pass beside a
/// one-thread writer that leaves no core free beside it and the calling
/// thread. The one indexing thread bounds such a run, the calling thread
/// keeps up with it while parsing, and parse workers would only share the
/// two cores with both: a 1M catalog on 2 cores indexed 0–22 % faster,
/// with 4–25 % less CPU, parsed on the calling thread (four alternated
/// rounds; docs/benchmarks.md, "Parse threads beside a one-thread
/// writer"). The first pass keeps the workers: the writer has nothing to
/// index before it ends, so they share the cores with nobody (2 cores,
/// alternated: 100k 7.5 % less wall time on average over seven rounds,
/// the same CPU; 1M 1.6 % and 5.1 % in two rounds; "First-pass workers
/// beside a one-thread writer"). With more writer threads the calling
/// thread would bound the run, and the workers pay in both passes.
fn default_parse_threads(cores: usize, writer_threads: usize) -> (usize, usize) {
    let writer_threads = writer_threads.max(1);
    let every = cores.min(8).max(writer_threads);
    if writer_threads == 1 && cores <= 2 { (1, every) } else { (every, every) }
}

/// Settings of an indexing run.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// Writer threads and memory.
    pub writer: WriterOptions,
    /// Capture time and encoding of raw pages, and parse threads
    /// (`parse.threads == 0`, the default: the available cores, at most
    /// 8, or `writer.threads` if more; for a one-thread writer on one or
    /// two cores, the calling thread alone after the first pass; see
    /// [`ParseOptions::threads`] and [`ParseOptions::first_pass_threads`]).
    pub parse: ParseOptions,
    /// How many malformed- and damaged-line errors to keep in the report
    /// (all are counted). Default 20.
    pub keep_errors: Option<usize>,
}

/// Where an indexing run stands, passed to progress callbacks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Listing records read so far.
    pub listings: u64,
    /// Malformed lines so far.
    pub malformed: u64,
    /// Files finished so far.
    pub files_done: u64,
}

/// Summary of an indexing run.
#[derive(Debug, Default)]
pub struct IndexReport {
    /// Listing records read (every listing line).
    pub listings_read: u64,
    /// Distinct listings written in this run.
    pub indexed: u64,
    /// Listings collapsed into an earlier one with the same id.
    pub duplicates: u64,
    /// Lines that could not be used (counted; see `errors`).
    pub malformed: u64,
    /// Lines with bytes invalid in their encoding, decoded with U+FFFD
    /// replacement characters and indexed (counted; see `errors`).
    pub damaged: u64,
    /// The first malformed- and damaged-line errors, with file and line.
    pub errors: Vec<wenku_listing::Error>,
    /// Every file or directory entry that was skipped (a symbolic link
    /// loop, a FIFO, socket or device met while walking) or could not be
    /// opened or read, with the reason. The rest of the run goes on.
    pub skipped: Vec<wenku_listing::Error>,
    /// Page footers seen (`共 N 条`).
    pub footers: Vec<Footer>,
    /// Input bytes read.
    pub bytes_read: u64,
    /// Bytes of listing text indexed (normalised title + snippet).
    pub text_bytes: u64,
    /// Wall time since the indexer was created.
    pub elapsed: Duration,
}

/// An open index with its searcher.
pub struct Wenku {
    index: ListingIndex,
    searcher: Searcher,
    /// Reader for lookups by id (the searcher keeps its own private).
    lookup: tantivy::IndexReader,
}

impl std::fmt::Debug for Wenku {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wenku").field("index", &self.index).finish_non_exhaustive()
    }
}

impl Wenku {
    /// Opens an existing index.
    ///
    /// # Errors
    /// No index at `dir`, or one built with an incompatible analysis.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::wrap(ListingIndex::open(dir.as_ref())?)
    }

    /// Opens the index at `dir`, creating it if needed (no user
    /// dictionary for a new one; see [`OpenOptions`] for one).
    ///
    /// # Errors
    /// I/O, an incompatible index.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Self> {
        OpenOptions::new().create(true).open(dir)
    }

    /// A new index in RAM.
    ///
    /// # Errors
    /// From tantivy.
    pub fn create_in_ram() -> Result<Self> {
        Self::wrap(ListingIndex::create_in_ram(wenku_index::analysis::Analyzer::default())?)
    }

    fn wrap(index: ListingIndex) -> Result<Self> {
        let searcher = Searcher::new(index.clone()).map_err(Error::Query)?;
        let lookup = index.reader()?;
        Ok(Wenku { index, searcher, lookup })
    }

    /// Replaces the ranking parameters.
    #[must_use]
    pub fn with_ranking(mut self, ranking: Ranking) -> Self {
        self.searcher = self.searcher.with_ranking(ranking);
        self
    }

    /// Starts an indexing run. Only one may be open per index at a time
    /// (tantivy's writer lock), also across processes.
    ///
    /// # Errors
    /// The index is locked by another writer.
    pub fn indexer(&self, options: &IndexOptions) -> Result<Indexer> {
        let mut parse = options.parse;
        if parse.threads == 0 {
            let cores = WriterOptions::default().threads;
            let (second, first) = default_parse_threads(cores, options.writer.threads);
            parse.threads = second;
            if parse.first_pass_threads == 0 {
                parse.first_pass_threads = first;
            }
        }
        Ok(Indexer {
            writer: self.index.writer(&options.writer)?,
            parse,
            keep_errors: options.keep_errors.unwrap_or(20),
            progress: None,
            report: IndexReport::default(),
            started: Instant::now(),
        })
    }

    /// Runs a search.
    ///
    /// # Errors
    /// A malformed query ([`wenku_query::Error::Parse`], with the character
    /// position), or an index error.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        Ok(self.searcher.search(request)?)
    }

    /// Makes the last commit visible to searches now (they see it within
    /// about a second otherwise), with everything cached from the index:
    /// the documents and their statistics, and the query dictionary (so a
    /// word first indexed by another process is cut as a fresh process
    /// would cut it).
    ///
    /// # Errors
    /// From tantivy.
    pub fn reload(&self) -> Result<()> {
        self.index.reload_analysis();
        self.searcher.reload()?;
        self.lookup.reload().map_err(wenku_index::Error::from)?;
        Ok(())
    }

    /// The searcher (ranking parameters, compiled queries).
    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// The index.
    pub fn index(&self) -> &ListingIndex {
        &self.index
    }

    /// Number of listings in the index.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The stored listing with `id`, as of the last commit visible to
    /// searches (`None` when there is none).
    ///
    /// # Errors
    /// From tantivy, or a stored document that cannot be decoded.
    pub fn get(&self, id: &str) -> Result<Option<StoredListing>> {
        use tantivy::schema::IndexRecordOption;
        use tantivy::{Term, collector::TopDocs, query::TermQuery};
        let fields = self.index.fields();
        let searcher = self.lookup.searcher();
        let query = TermQuery::new(Term::from_field_text(fields.id, id), IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(wenku_index::Error::from)?;
        let Some(&(_, addr)) = top.first() else { return Ok(None) };
        Ok(Some(StoredListing::fetch(&self.index, &searcher, addr)?))
    }

    /// Version of the analysis pipeline this build uses.
    #[must_use]
    pub fn analysis_version() -> u32 {
        ANALYSIS_VERSION
    }
}

/// An indexing run: add listings, then [`commit`](Indexer::commit) once.
/// Dropping it (or the process dying) before the commit leaves the index
/// as it was after the previous commit.
pub struct Indexer {
    writer: wenku_index::ListingWriter,
    parse: ParseOptions,
    keep_errors: usize,
    progress: Option<ProgressFn>,
    report: IndexReport,
    started: Instant,
}

/// A progress callback (see [`Indexer::on_progress`]).
type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").field("report", &self.report).finish_non_exhaustive()
    }
}

impl Indexer {
    /// Adds one record (upsert by id).
    ///
    /// # Errors
    /// From the index writer.
    pub fn add(&mut self, listing: &Listing) -> Result<AddOutcome> {
        self.report.listings_read += 1;
        Ok(self.writer.add(listing)?)
    }

    /// [`add`](Self::add), taking the record (the writer holds new
    /// listings back for a while and keeps this one without a copy).
    ///
    /// # Errors
    /// From the index writer.
    pub fn add_owned(&mut self, listing: Listing) -> Result<AddOutcome> {
        self.report.listings_read += 1;
        Ok(self.writer.add_owned(listing)?)
    }

    /// Deletes the listing with `id` (if there is one) at the commit.
    pub fn delete(&mut self, id: &str) {
        self.writer.delete(id);
    }

    /// Calls `progress` every 1000 listings and after each file of the
    /// following `add_*` calls (counts start from zero at each call).
    #[must_use]
    pub fn on_progress(mut self, progress: impl FnMut(&Progress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Parses and adds raw pages or JSON Lines from files and directories
    /// (walked recursively). Malformed lines are counted and kept in the
    /// report; files and entries that cannot be read (or are not regular
    /// files, met while walking) are listed in [`IndexReport::skipped`];
    /// the rest is indexed.
    ///
    /// ```
    /// # fn main() -> Result<(), wenku::Error> {
    /// let wenku = wenku::Wenku::create_in_ram()?;
    /// let mut indexer = wenku.indexer(&Default::default())?;
    /// let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");
    /// indexer.add_paths([sample, "/no/such/file"])?;
    /// let report = indexer.commit()?;
    /// assert!(report.indexed > 60);
    /// assert_eq!(report.skipped.len(), 1); // reported, not an error
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An index error only: unreadable paths are reported, not errors.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = impl AsRef<Path>>) -> Result<()> {
        let paths: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_path_buf()).collect();
        let reader = CatalogReader::open(&paths, self.parse)?;
        self.consume(reader)
    }

    /// Parses and adds raw page text (or JSON Lines) held in memory; `name`
    /// stands for the file name in sources and errors. The text is read in
    /// place (a `String`, a `Vec<u8>` or a `&'static str`), not copied;
    /// bytes are decoded like a file's (UTF-8, GBK/GB18030 detected).
    ///
    /// # Errors
    /// An index error.
    pub fn add_text(&mut self, name: &str, text: impl AsRef<[u8]> + Send + 'static) -> Result<()> {
        let reader = CatalogReader::from_reader(name, std::io::Cursor::new(text), self.parse);
        self.consume(reader)
    }

    /// Parses and adds raw pages or JSON Lines from a stream (standard
    /// input, a network body), decoded like a file: BOM, UTF-8, or the
    /// detected or configured encoding. Streamed, not buffered whole.
    ///
    /// # Errors
    /// An index error.
    pub fn add_reader(
        &mut self,
        name: &str,
        reader: impl std::io::BufRead + Send + 'static,
    ) -> Result<()> {
        let reader = CatalogReader::from_reader(name, reader, self.parse);
        self.consume(reader)
    }

    fn consume(&mut self, mut reader: CatalogReader) -> Result<()> {
        let mut progress = self.progress.take();
        let mut p = Progress::default();
        let mut last_file: Option<String> = None;
        let result = self.consume_items(&mut reader, &mut progress, &mut p, &mut last_file);
        self.report.bytes_read += reader.bytes_read();
        if result.is_ok() {
            p.files_done += u64::from(last_file.is_some());
            if let Some(f) = progress.as_mut() {
                f(&p);
            }
        }
        self.progress = progress;
        result
    }

    fn consume_items(
        &mut self,
        reader: &mut CatalogReader,
        progress: &mut Option<ProgressFn>,
        p: &mut Progress,
        last_file: &mut Option<String>,
    ) -> Result<()> {
        for item in reader {
            match item {
                Ok(Item::Listing(l)) => {
                    if last_file.as_deref() != Some(l.source.file.as_str()) {
                        if last_file.is_some() {
                            p.files_done += 1;
                            if let Some(f) = progress.as_mut() {
                                f(p);
                            }
                        }
                        *last_file = Some(l.source.file.clone());
                    }
                    self.add_owned(l)?;
                    p.listings += 1;
                    if p.listings.is_multiple_of(1000)
                        && let Some(f) = progress.as_mut()
                    {
                        f(p);
                    }
                }
                Ok(Item::Footer(f)) => self.report.footers.push(f),
                // a bad line or an unreadable file: reported, the rest indexed
                Err(e) => self.problem(e, p),
            }
        }
        Ok(())
    }

    fn problem(&mut self, e: wenku_listing::Error, p: &mut Progress) {
        if e.is_file_level() {
            tracing::debug!("{e}");
            self.report.skipped.push(e);
            return;
        }
        tracing::debug!("{e}");
        if matches!(e, wenku_listing::Error::Decode { .. }) {
            self.report.damaged += 1;
        } else {
            self.report.malformed += 1;
            p.malformed += 1;
        }
        if self.report.errors.len() < self.keep_errors {
            self.report.errors.push(e);
        }
    }

    /// The report so far.
    pub fn report(&self) -> &IndexReport {
        &self.report
    }

    /// Commits atomically and returns the run's report.
    ///
    /// # Errors
    /// From the index writer; the previous commit stays intact.
    pub fn commit(self) -> Result<IndexReport> {
        let mut report = self.report;
        let stats = self.writer.commit()?;
        report.indexed = stats.distinct;
        report.duplicates = stats.duplicates;
        report.text_bytes = stats.text_bytes;
        report.elapsed = self.started.elapsed();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = " 3 GPU利用率优化指南GPU利用率优化指南 每个请求单独进GPU，利用率不高0 码力 | 38 页 | 2.25 MB | 1 年前3\n";

    /// The progress callback is optional, sees every file and listing of
    /// each `add_*` call, and the report agrees with it.
    #[test]
    fn progress_is_reported_when_asked_for() {
        use std::sync::{Arc, Mutex};
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");
        let wenku = Wenku::create_in_ram().unwrap();
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let log = Arc::clone(&seen);
        let mut indexer = wenku
            .indexer(&IndexOptions::default())
            .unwrap()
            .on_progress(move |p| log.lock().unwrap().push(*p));
        indexer.add_paths([sample]).unwrap();
        indexer.add_text("page.txt", PAGE).unwrap();
        let report = indexer.commit().unwrap();
        let seen = seen.lock().unwrap();
        // after each of the 7 files of the directory, then after the text
        // (counts start again at each call)
        let files: Vec<u64> = seen.iter().map(|p| p.files_done).collect();
        assert_eq!(files, [1, 2, 3, 4, 5, 6, 7, 1], "{seen:?}");
        let last_of_dir = seen[seen.len() - 2];
        assert_eq!(last_of_dir.listings + 1, report.listings_read);
        assert_eq!(seen[seen.len() - 1].listings, 1);
        // without a callback nothing is required
        let mut indexer = wenku.indexer(&IndexOptions::default()).unwrap();
        indexer.add_paths(Vec::<PathBuf>::new()).unwrap();
        assert_eq!(indexer.commit().unwrap().listings_read, 0);
    }

    #[test]
    fn get_and_delete_by_id() {
        let wenku = Wenku::create_in_ram().unwrap();
        let mut indexer = wenku.indexer(&IndexOptions::default()).unwrap();
        indexer.add_text("page.txt", PAGE).unwrap();
        indexer.commit().unwrap();
        wenku.reload().unwrap();
        let request = SearchRequest::new(Query::parse("利用率").unwrap());
        let id = wenku.search(&request).unwrap().hits[0].id().to_string();
        let stored = wenku.get(&id).unwrap().expect("the listing is found by id");
        assert_eq!((stored.listing.id.as_str(), stored.listing.pages), (id.as_str(), 38));
        assert!(wenku.get("0123456789abcdef").unwrap().is_none());

        let mut indexer = wenku.indexer(&IndexOptions::default()).unwrap();
        indexer.delete(&id);
        // nothing changes before the commit
        assert!(wenku.get(&id).unwrap().is_some());
        indexer.commit().unwrap();
        wenku.reload().unwrap();
        assert!(wenku.get(&id).unwrap().is_none());
        assert_eq!(wenku.num_docs(), 0);
    }

    /// Parsing on threads indexes the same listings as parsing on the
    /// calling thread: the same report (counts, errors with file and
    /// line, footers) and the same stored listings (ids, duplicate counts,
    /// the first copy's source). The catalog: the bundled sample, the seed
    /// page, and the seed page again with a malformed line and a page link
    /// without footer (duplicates and errors inside parse batches).
    #[test]
    fn parse_threads_index_the_same_listings() {
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");
        let seed =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed/listing-page-sample.txt");
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(sample).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
        if let Ok(text) = std::fs::read_to_string(seed) {
            std::fs::write(dir.path().join("seed.txt"), &text).unwrap();
            let damaged: String = text
                .lines()
                .enumerate()
                .map(|(i, l)| match i % 4 {
                    1 => format!("{l}\n a title without a tail\n- 7\n"),
                    _ => format!("{l}\n"),
                })
                .collect();
            std::fs::write(dir.path().join("seed-damaged.txt"), damaged).unwrap();
        }
        let run = |threads: usize| {
            let wenku = Wenku::create_in_ram().unwrap();
            let opts = IndexOptions {
                parse: ParseOptions {
                    as_of: Some("2026-08-26T08:00:00Z".parse().unwrap()),
                    threads,
                    ..Default::default()
                },
                keep_errors: Some(1000),
                ..Default::default()
            };
            let mut indexer = wenku.indexer(&opts).unwrap();
            indexer.add_paths([dir.path()]).unwrap();
            let r = indexer.commit().unwrap();
            wenku.reload().unwrap();
            let mut hits: Vec<(String, u32, String, u64, String)> = wenku
                .search(&SearchRequest::new(Query::all()).limit(100_000))
                .unwrap()
                .hits
                .into_iter()
                .map(|h| {
                    let l = h.listing;
                    (l.id, h.dup_count, l.source.file, l.source.line, l.title)
                })
                .collect();
            hits.sort();
            let errors: Vec<String> = r.errors.iter().map(ToString::to_string).collect();
            let counts = (r.listings_read, r.indexed, r.duplicates, r.malformed, r.damaged);
            (counts, errors, r.footers, hits)
        };
        let one = run(1);
        assert!(one.0.1 > 60 && one.0.3 > 0 && !one.1.is_empty(), "{:?}", one.0);
        for threads in [2, 4] {
            let many = run(threads);
            assert_eq!(many.0, one.0, "{threads} threads: counts");
            assert_eq!(many.1, one.1, "{threads} threads: errors");
            assert_eq!(many.2, one.2, "{threads} threads: footers");
            assert_eq!(many.3, one.3, "{threads} threads: stored listings");
        }
    }

    /// The default parse threads: the second pass on the calling thread
    /// alone only for a one-thread writer with no core beside it and the
    /// calling thread; otherwise, and for the first pass always, every
    /// core up to 8, and never fewer than the writer's threads.
    #[test]
    fn default_parse_threads_leave_a_lone_writer_its_core() {
        let cases = [
            // (cores, writer threads) -> (second pass, first pass)
            ((1, 1), (1, 1)),
            ((2, 1), (1, 2)),
            ((2, 2), (2, 2)),
            ((2, 0), (1, 2)),
            ((3, 1), (3, 3)),
            ((4, 1), (4, 4)),
            ((4, 2), (4, 4)),
            ((16, 1), (8, 8)),
            ((16, 12), (12, 12)),
            ((2, 4), (4, 4)),
        ];
        for ((cores, writers), want) in cases {
            assert_eq!(
                default_parse_threads(cores, writers),
                want,
                "{cores} cores, {writers} writers"
            );
        }
    }
}
