//! Writing listings: upsert by id, duplicate counting, one commit per run.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::schema::Term;
use tantivy::{DateTime, DocAddress, IndexWriter, Searcher, TantivyDocument};
use wenku_listing::Listing;
use zstd::zstd_safe::CCtx;

use crate::analysis::{Mode, preanalyzed};
use crate::codec::{Codec, Dictionary, SAMPLE_BYTES};
use crate::index::ListingIndex;
use crate::schema::Fields;
use crate::{Error, Result};

/// A listing as stored in the index: the record plus how many times it was
/// seen in the run that indexed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredListing {
    /// The record.
    #[serde(flatten)]
    pub listing: Listing,
    /// Times this listing (same id) was read in the run that last wrote it.
    pub dup_count: u32,
}

impl StoredListing {
    /// Decodes a stored record (the `doc` field; see [`crate::record`]).
    ///
    /// # Errors
    /// [`Error::CorruptDocument`] when `text` is not a stored record.
    pub fn from_record(text: &str) -> Result<Self> {
        let (listing, dup_count) = crate::record::decode(text)?;
        Ok(StoredListing { listing, dup_count })
    }

    /// The stored listing of the document at `addr` of `index` (a hit of
    /// a search with `searcher`), read straight from the doc store.
    ///
    /// # Errors
    /// From tantivy, or [`Error::CorruptDocument`].
    pub fn fetch(index: &ListingIndex, searcher: &Searcher, addr: DocAddress) -> Result<Self> {
        Self::from_record(&crate::record::fetch_text(index, searcher, addr)?)
    }

    /// Only the id of the document at `addr` (cheaper than
    /// [`fetch`](Self::fetch): nothing else is decoded).
    ///
    /// # Errors
    /// From tantivy, or [`Error::CorruptDocument`].
    pub fn fetch_id(index: &ListingIndex, searcher: &Searcher, addr: DocAddress) -> Result<String> {
        let text = crate::record::fetch_text(index, searcher, addr)?;
        Ok(crate::record::decode_id(&text)?.to_string())
    }
}

/// Settings of a [`ListingWriter`].
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Indexing threads (tantivy workers). Default: available cores, at most 8.
    pub threads: usize,
    /// Memory budget of the writer in bytes, shared by its threads.
    /// Default: 256 MiB; at least 15 MiB per thread.
    pub heap_bytes: usize,
    /// After a bulk run, merge the index into at most two segments
    /// ([`MERGE_PARTS`]; one on a single-core machine) at commit, dropping
    /// deleted documents (replaced duplicates). Default: true.
    ///
    /// A run is bulk when the index was empty when it began (then no
    /// segment is merged while indexing either: the merge at the end does
    /// the work once) or when it added at least as many listings as the
    /// index held. Other runs leave merging to tantivy's policy. Two
    /// segments because tantivy merges on one thread per merge: two
    /// halves merged at the same time take about half as long on two
    /// cores, and a search over two segments costs about what it costs
    /// over one (`docs/benchmarks.md`).
    pub merge_after_bulk: bool,
    /// Which thread analyses the text fields (see [`PreAnalyze`]).
    /// Default (`None`): [`PreAnalyze::Balanced`] when there is one
    /// indexing thread and more than one core, else [`PreAnalyze::Never`].
    pub pre_analyze: Option<PreAnalyze>,
}

/// Which thread analyses the text fields of a listing: tantivy's indexing
/// thread (through the registered tokenizers, as it indexes the text), or
/// the thread that calls [`ListingWriter::add`], which then hands tantivy
/// the tokens instead of the text ([`crate::analysis::preanalyzed`]). The
/// index is the same either way.
///
/// With one indexing thread, that thread is the bottleneck of a bulk run
/// (about a third of its time was wenku's analysis) while the calling
/// thread has idle time; analysing *every* listing on the calling thread
/// overshoots, though: the calling thread also reads, holds repeats and
/// compresses the records, and becomes the bottleneck in turn. Hence
/// [`Balanced`](PreAnalyze::Balanced). With more indexing threads the cores
/// are busy anyway, and encoding and decoding the tokens is only overhead
/// (measured in `docs/benchmarks.md`, "Analysis off the indexing thread").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreAnalyze {
    /// tantivy's indexing threads analyse everything (as before).
    Never,
    /// The calling thread analyses the title and snippet word fields of
    /// every listing.
    Always,
    /// The calling thread analyses the word fields of a share of the
    /// listings, adjusted as it goes: raised while tantivy's indexing
    /// threads are more than a few hundred documents behind (handed over,
    /// not begun yet), lowered while they are not.
    Balanced,
}

impl WriterOptions {
    /// What [`pre_analyze`](Self::pre_analyze) means with these options.
    pub fn pre_analysis(&self) -> PreAnalyze {
        self.pre_analyze.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            if self.threads.max(1) == 1 && cores > 1 {
                PreAnalyze::Balanced
            } else {
                PreAnalyze::Never
            }
        })
    }
}

impl Default for WriterOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        WriterOptions { threads, heap_bytes: 256 << 20, merge_after_bulk: true, pre_analyze: None }
    }
}

/// What [`ListingWriter::add`] did with a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// First time this id is seen in this run.
    New,
    /// The id was already written in this run: the document was replaced
    /// with its duplicate count raised to `seen`.
    Duplicate {
        /// Times seen so far in this run.
        seen: u32,
    },
}

/// Counters of a writing run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteStats {
    /// Listings passed to [`ListingWriter::add`].
    pub added: u64,
    /// Distinct ids among them.
    pub distinct: u64,
    /// Listings collapsed into an earlier one with the same id.
    pub duplicates: u64,
    /// Bytes of listing text (title + snippet) indexed.
    pub text_bytes: u64,
    /// Ids passed to [`ListingWriter::delete`].
    pub deleted: u64,
}

/// Adds, replaces and deletes listings; nothing is visible until
/// [`commit`](ListingWriter::commit). Dropping the writer without committing
/// (or the process dying) leaves the last committed index as it was.
pub struct ListingWriter {
    index: ListingIndex,
    writer: IndexWriter,
    fields: Fields,
    /// id → times seen in this run, and where it was first seen.
    seen: HashMap<u128, FirstSeen>,
    /// First copies, kept (within [`FIRST_COPIES_BUDGET`]) to store the
    /// first copy whole when a later copy with the same id differs.
    first_copies: HashMap<u128, Listing>,
    first_copies_bytes: usize,
    /// Interned source file names (index = `FirstSeen::file`).
    files: Vec<String>,
    /// Whether the index had documents when the run began (then every add
    /// is an upsert and must delete an older copy first).
    upsert: bool,
    /// Documents in the index when the run began.
    docs_before: u64,
    /// See [`WriterOptions::merge_after_bulk`].
    merge_after_bulk: bool,
    /// Documents not written yet, oldest first (see [`ListingWriter::add`]);
    /// `None`: one that moved on (a repeat came) or was deleted.
    held: VecDeque<Option<Held>>,
    /// Place (see [`FirstSeen::held`]) of the queue's front.
    held_start: u64,
    /// Their [`footprint`]s.
    held_bytes: usize,
    /// Bytes of their raw text (a lower bound of their records' size).
    held_raw: usize,
    stats: WriteStats,
    /// Compression context of the records.
    cctx: CCtx<'static>,
    /// Where a record is compressed (reused: no allocation per record).
    frame: Vec<u8>,
    /// The index's records dictionary, once it has one.
    dict: Option<Arc<Dictionary>>,
    /// While the index has no dictionary: this run's first operations,
    /// held (in order) until there are enough records to train one.
    pending: Option<Pending>,
    /// The word analyser, when this writer pre-analyses (see
    /// [`PreAnalyze`]).
    pre: Option<Box<PreAnalyzer>>,
}

/// The index's word analyser, run by the writer (see [`PreAnalyze`]), the
/// buffer of an encoded value and the share of listings it analyses.
struct PreAnalyzer {
    words: tantivy::tokenizer::TextAnalyzer,
    value: String,
    /// Share of the listings analysed here, in 1/[`SHARE_ONE`]ths.
    share: u32,
    /// Whether the share adapts ([`PreAnalyze::Balanced`]).
    balanced: bool,
    /// Accumulated share: a listing is analysed here each time it passes
    /// [`SHARE_ONE`] (the analysed listings spread evenly).
    credit: u32,
    /// Listings analysed here, and all listings written.
    analysed: u64,
    written: u64,
    /// Documents handed to tantivy, and [`ListingIndex::documents_begun`]
    /// when the writer was made: how far behind tantivy is.
    handed: u64,
    begun_before: u64,
}

/// The whole share (every listing analysed by the writer).
const SHARE_ONE: u32 = 1024;
/// Share added at a hand-over that finds tantivy more than [`BEHIND`]
/// documents behind, and taken away at one that does not: the share
/// settles where about one hand-over in 17 finds it so.
const SHARE_UP: u32 = 16;
const SHARE_DOWN: u32 = 1;
/// Documents handed over and not begun by tantivy that keep its indexing
/// threads busy (about 45 ms of work at 90 µs a listing) while the
/// calling thread reads on. Its queue holds 10,000: the share used to
/// rise only when that was full, so a small catalog, which never fills
/// it, was analysed on tantivy's thread alone while the calling thread
/// waited at the commit (docs/benchmarks.md, session 21).
const BEHIND: u64 = 512;

impl PreAnalyzer {
    /// Whether to analyse the next listing here.
    fn take(&mut self) -> bool {
        self.credit += self.share;
        self.written += 1;
        if self.credit >= SHARE_ONE {
            self.credit -= SHARE_ONE;
            self.analysed += 1;
            true
        } else {
            false
        }
    }

    /// Counts a hand-over, after which tantivy has begun `begun`
    /// documents (counted since the index was opened), and adapts the
    /// share.
    fn observe(&mut self, begun: u64) {
        self.handed += 1;
        let behind = self.handed.saturating_sub(begun.saturating_sub(self.begun_before));
        if self.balanced {
            self.share = if behind > BEHIND {
                (self.share + SHARE_UP).min(SHARE_ONE)
            } else {
                self.share.saturating_sub(SHARE_DOWN)
            };
        }
    }
}

/// Operations held back until the records dictionary is trained.
#[derive(Default)]
struct Pending {
    ops: Vec<Op>,
    /// Records already in the index (written without a dictionary by
    /// earlier, smaller runs), trained on too.
    indexed: Vec<String>,
    /// Bytes of the held and indexed records.
    bytes: usize,
}

impl Pending {
    /// Holds operations; the index's own records (up to the training
    /// sample's size) count towards the dictionary, so that an index
    /// grown by many small runs gets one too.
    fn new(index: &ListingIndex, searcher: &Searcher) -> Self {
        let mut p = Pending::default();
        'segments: for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                if p.bytes >= SAMPLE_BYTES {
                    break 'segments;
                }
                let addr = DocAddress::new(ord as u32, doc);
                match crate::record::fetch_text(index, searcher, addr) {
                    Ok(record) => {
                        p.bytes += record.len();
                        p.indexed.push(record);
                    }
                    Err(e) => {
                        // a damaged record is reported by the reads that
                        // need it; the sample makes do without it
                        tracing::warn!("records sample stopped at a stored record: {e}");
                        break 'segments;
                    }
                }
            }
        }
        p
    }
}

/// A held operation; replayed in order, deletes and adds keep their
/// relative order (a delete applies to the documents added before it).
enum Op {
    Delete(Term),
    Add(TantivyDocument, String),
}

/// Segments a bulk run ends with, at most (see
/// [`WriterOptions::merge_after_bulk`]).
pub const MERGE_PARTS: usize = 2;

/// [`MERGE_PARTS`], or 1 on a machine with one core (where two merges
/// would take as long as one).
fn merge_parts() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MERGE_PARTS)
}

/// Splits `sizes` (in order) into `parts` consecutive, non-empty ranges
/// (fewer when there are fewer sizes) whose sums are about equal: each
/// cut where the running sum comes closest to its share.
fn split_in_order(sizes: &[u64], parts: usize) -> Vec<std::ops::Range<usize>> {
    let n = sizes.len();
    let parts = parts.clamp(1, n.max(1));
    let prefix: Vec<u64> = std::iter::once(0)
        .chain(sizes.iter().scan(0u64, |sum, s| {
            *sum += s;
            Some(*sum)
        }))
        .collect();
    let total = prefix[n];
    let mut cuts = vec![0];
    for j in 1..parts {
        let target = total * j as u64 / parts as u64;
        // each range keeps at least one size
        let (lo, hi) = (cuts[j - 1] + 1, n - (parts - j));
        let best = (lo..=hi).min_by_key(|&c| prefix[c].abs_diff(target)).unwrap_or(lo);
        cuts.push(best);
    }
    cuts.push(n);
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Memory for first copies of listings (see [`ListingWriter::add`]).
const FIRST_COPIES_BUDGET: usize = 64 << 20;

/// Where a listing was first read in this run.
#[derive(Debug, Clone, Copy)]
struct FirstSeen {
    count: u32,
    file: u32,
    line: u64,
    /// [`content_hash`] of the first copy.
    content: u64,
    /// While a document of this id waits to be written: its place in the
    /// held queue (counted from the run's first held listing).
    held: Option<u64>,
}

/// A new listing held back before it is written (see [`ListingWriter::add`]).
struct Held {
    key: u128,
    /// [`footprint`] of the listing.
    size: usize,
    /// The listing to store: the first copy, or what replaces it.
    listing: Listing,
    /// Whether it replaces a document written before (deleted first).
    replaces: bool,
}

/// At most this many new listings are held back before they are written
/// (see [`ListingWriter::add`]). In the generated 100k catalog 99 % of the
/// repeats come within 1,078 listings of the first copy.
const HOLD_LISTINGS: usize = 8192;

/// The hold's length at a run's start; it grows by one every second
/// listing added, to [`HOLD_LISTINGS`] (see [`hold_limit`]). Starting
/// at 256 instead, two repeats of a generated 10k catalog came after
/// their first copy was written, and the one merge they then made
/// necessary took longer than the earlier start saved.
const HOLD_FIRST: usize = 1024;

/// How many listings may be held after `added` adds in a run: from
/// [`HOLD_FIRST`], one more every second add, up to [`HOLD_LISTINGS`].
/// tantivy gets listings from the run's start (half of them, until the
/// hold is full) instead of waiting for the first 8,192: a catalog of
/// 10,000 listings used to be read whole before tantivy began, and then
/// analysed while the reading thread idled (docs/benchmarks.md, session
/// 21). Repeats come within about a thousand listings of their first copy
/// (see [`HOLD_LISTINGS`]); the hold covers that from about the 110th add on.
fn hold_limit(added: u64) -> usize {
    let grown = usize::try_from(added / 2).unwrap_or(usize::MAX);
    HOLD_FIRST.saturating_add(grown).min(HOLD_LISTINGS)
}

/// At most this much memory ([`footprint`]) of held listings.
const HOLD_BYTES: usize = 32 << 20;

/// Hash of everything a stored listing holds except its source: two
/// copies with the same hash store the same record. One-shot hashes per
/// field, each seeded with the hash so far (xxh3's streaming hasher
/// copied every piece into its buffer: 0.6 % of a build's samples).
fn content_hash(l: &Listing) -> u64 {
    use xxhash_rust::xxh3::xxh3_64_with_seed;
    let mut h = 0;
    for s in [&l.id, &l.title, &l.snippet, &l.raw, &l.size_text] {
        h = xxh3_64_with_seed(s.as_bytes(), h);
    }
    let published = l.published.map_or(i64::MIN, |t| t.as_second());
    let mut numbers = [0u8; 49];
    let fields = [
        u64::from(l.price),
        u64::from(l.pages),
        l.size_bytes,
        l.trailing,
        u64::from(l.age.value),
        published as u64,
    ];
    for (at, n) in fields.into_iter().enumerate() {
        numbers[8 * at..8 * at + 8].copy_from_slice(&n.to_le_bytes());
    }
    numbers[48] = l.age.unit as u8;
    xxh3_64_with_seed(&numbers, h)
}

/// The stored record of `listing` seen `dup_count` times.
fn record_of(listing: &Listing, dup_count: u32) -> String {
    let mut record = String::with_capacity(listing.raw.len() + 160);
    crate::record::encode(listing, dup_count, &mut record);
    record
}

/// Approximate memory of a kept listing.
fn footprint(l: &Listing) -> usize {
    std::mem::size_of::<Listing>()
        + l.id.len()
        + l.title.len()
        + l.snippet.len()
        + l.title_norm.len()
        + l.snippet_norm.len()
        + l.raw.len()
        + l.size_text.len()
        + l.source.file.len()
}

fn id_key(id: &str) -> u128 {
    u128::from_str_radix(id, 16).unwrap_or_else(|_| hashed_key(id))
}

/// Ids written by other tools need not be hex; hash them into a key.
fn hashed_key(id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    u128::from(h.finish()) | (1u128 << 127)
}

impl ListingIndex {
    /// A writer; see [`WriterOptions`]. (Defined here, with the writer, so
    /// that `index.rs` does not depend on this module.)
    ///
    /// # Errors
    /// The index is locked by another writer, or the heap is too small.
    pub fn writer(&self, options: &WriterOptions) -> Result<ListingWriter> {
        ListingWriter::new(self, options)
    }
}

impl ListingWriter {
    fn new(index: &ListingIndex, options: &WriterOptions) -> Result<Self> {
        index.analyzer().preload();
        let threads = options.threads.max(1);
        let heap = options.heap_bytes.max(threads * (15 << 20) + (1 << 20));
        let writer = index
            .tantivy()
            .writer_with_num_threads(threads, heap)
            .map_err(|e| index.tantivy_error(e))?;
        let reader = index.tantivy().reader().map_err(|e| index.tantivy_error(e))?;
        let docs_before = reader.searcher().num_docs();
        // with the writer lock held: the dictionary another process may
        // have trained since this handle opened the index
        let dict = index.codec().refresh()?;
        let pending = dict.is_none().then(|| Pending::new(index, &reader.searcher()));
        let upsert = docs_before > 0;
        if options.merge_after_bulk && !upsert {
            // one merge at commit instead of merges of merges meanwhile
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
        Ok(ListingWriter {
            index: index.clone(),
            writer,
            fields: *index.fields(),
            seen: HashMap::new(),
            first_copies: HashMap::new(),
            first_copies_bytes: 0,
            files: Vec::new(),
            upsert,
            docs_before,
            merge_after_bulk: options.merge_after_bulk,
            held: VecDeque::new(),
            held_start: 0,
            held_bytes: 0,
            held_raw: 0,
            stats: WriteStats::default(),
            cctx: CCtx::create(),
            frame: Vec::new(),
            dict,
            pending,
            pre: match options.pre_analysis() {
                PreAnalyze::Never => None,
                how => Some(Box::new(PreAnalyzer {
                    words: index.analyzer().text_analyzer(Mode::Words),
                    value: String::new(),
                    share: if how == PreAnalyze::Always { SHARE_ONE } else { 0 },
                    balanced: how == PreAnalyze::Balanced,
                    credit: 0,
                    analysed: 0,
                    written: 0,
                    handed: 0,
                    begun_before: index.documents_begun(),
                })),
            },
        })
    }

    /// Adds a listing, replacing any document with the same id.
    ///
    /// A listing seen again in the same run (same id) replaces the first
    /// copy with its count raised; the stored record stays the first copy
    /// read, whole (its content and its source file and line), so results
    /// do not depend on how many repeats follow. Exception, to bound
    /// memory: once 64 MiB of first copies are kept, a later copy whose
    /// content differs from an unkept first copy is stored whole instead
    /// (its own content and source; never a mix of two copies).
    ///
    /// Documents are held back (the last 8,192 added, or fewer early in
    /// a run, see below; at most 32 MiB of listings) before they are
    /// analysed and written. A repeat of a held
    /// id only raises its count and moves the held document to the end of
    /// the queue, where its replacement would have been written: so a
    /// listing repeated within that distance (nearly every repeat in a
    /// catalog, where copies come from neighbouring result pages) is
    /// analysed and written once, with its final count, and nothing is
    /// deleted, while the index gets the same documents in the same order
    /// as if each copy had replaced the one before. A repeat of an id
    /// already written deletes and re-adds it (held like the others). The
    /// hold is 1,024 listings at a run's start and grows by one every
    /// second add, so that tantivy's indexing threads get work from the
    /// start of a run rather than after the first 8,192 listings.
    ///
    /// # Errors
    /// From tantivy (the writer's threads failed).
    pub fn add(&mut self, listing: &Listing) -> Result<AddOutcome> {
        self.add_cow(Cow::Borrowed(listing))
    }

    /// [`add`](Self::add), taking the listing: a listing held back (see
    /// there) is kept without a copy.
    ///
    /// # Errors
    /// From tantivy (the writer's threads failed).
    pub fn add_owned(&mut self, listing: Listing) -> Result<AddOutcome> {
        self.add_cow(Cow::Owned(listing))
    }

    fn add_cow(&mut self, listing: Cow<'_, Listing>) -> Result<AddOutcome> {
        self.stats.added += 1;
        let key = id_key(&listing.id);
        let file = self.intern(&listing.source.file);
        let content = content_hash(&listing);
        let first = *self.seen.entry(key).and_modify(|f| f.count += 1).or_insert(FirstSeen {
            count: 1,
            file,
            line: listing.source.line,
            content,
            held: None,
        });
        let seen = first.count;
        if seen == 1 {
            self.stats.distinct += 1;
            self.stats.text_bytes += (listing.title_norm.len() + listing.snippet_norm.len()) as u64;
            let size = footprint(&listing);
            self.hold(Held { key, size, listing: listing.into_owned(), replaces: false })?;
            return Ok(AddOutcome::New);
        }
        self.stats.duplicates += 1;
        if let Some(at) = first.held {
            // not written yet: it moves to where this copy came (where a
            // replacement would have been written) and keeps its record
            let held = self.held[(at - self.held_start) as usize].take();
            let held = held.expect("a held listing's slot");
            self.unhold(&held);
            self.hold(held)?;
            return Ok(AddOutcome::Duplicate { seen });
        }
        let original = if let Some(original) = self.first_copies.get(&key) {
            original.clone()
        } else if first.content == content {
            let mut original = listing.into_owned();
            original.source.file.clone_from(&self.files[first.file as usize]);
            original.source.line = first.line;
            original
        } else {
            tracing::debug!(id = %listing.id, "first copy not kept: storing the latest copy whole");
            listing.into_owned()
        };
        let size = footprint(&original);
        self.hold(Held { key, size, listing: original, replaces: true })?;
        Ok(AddOutcome::Duplicate { seen })
    }

    /// Holds a listing at the end of the queue, writing the oldest ones
    /// while the queue is over its bounds.
    fn hold(&mut self, held: Held) -> Result<()> {
        let at = self.held_start + self.held.len() as u64;
        self.seen.get_mut(&held.key).expect("a held listing was seen").held = Some(at);
        self.held_bytes += held.size;
        self.held_raw += held.listing.raw.len();
        self.held.push_back(Some(held));
        let limit = hold_limit(self.stats.added);
        while self.held.len() > limit || self.held_bytes > HOLD_BYTES {
            self.release_held()?;
        }
        if self.pending.as_ref().is_some_and(|p| p.bytes + self.held_raw >= SAMPLE_BYTES) {
            self.flush_pending()?;
        }
        Ok(())
    }

    /// Takes a listing out of the held counts.
    fn unhold(&mut self, held: &Held) {
        self.held_bytes -= held.size;
        self.held_raw -= held.listing.raw.len();
    }

    /// Writes the oldest held listing, with its count so far; false when
    /// none is held.
    fn release_held(&mut self) -> Result<bool> {
        let held = loop {
            match self.held.pop_front() {
                None => return Ok(false),
                Some(slot) => {
                    self.held_start += 1;
                    if let Some(held) = slot {
                        break held;
                    }
                }
            }
        };
        self.unhold(&held);
        let first = self.seen.get_mut(&held.key).expect("a held listing was seen");
        first.held = None;
        let count = first.count;
        if held.replaces || self.upsert {
            self.delete_term(Term::from_field_text(self.fields.id, &held.listing.id));
        }
        let (doc, record) = self.document(&held.listing, count);
        self.add_document(doc, record)?;
        if !held.replaces {
            self.keep_first_copy(held);
        }
        Ok(true)
    }

    /// Keeps a written first copy, within [`FIRST_COPIES_BUDGET`].
    fn keep_first_copy(&mut self, held: Held) {
        if self.first_copies_bytes + held.size <= FIRST_COPIES_BUDGET {
            self.first_copies_bytes += held.size;
            self.first_copies.insert(held.key, held.listing);
        }
    }

    fn intern(&mut self, file: &str) -> u32 {
        if self.files.last().is_none_or(|f| f != file) {
            if let Some(i) = self.files.iter().rposition(|f| f == file) {
                return i as u32;
            }
            self.files.push(file.to_string());
        }
        (self.files.len() - 1) as u32
    }

    /// Deletes the listing with `id` (if any) at the next commit.
    pub fn delete(&mut self, id: &str) {
        self.stats.deleted += 1;
        if let Some(first) = self.seen.get_mut(&id_key(id))
            && let Some(at) = first.held.take()
            && let Some(held) = self.held[(at - self.held_start) as usize].take()
        {
            // as if written and then deleted: a later copy is re-added
            // from the first copy, with its count (see `add`)
            self.unhold(&held);
            if !held.replaces {
                self.keep_first_copy(held);
            }
        }
        self.delete_term(Term::from_field_text(self.fields.id, id));
    }

    fn delete_term(&mut self, term: Term) {
        match &mut self.pending {
            Some(p) => p.ops.push(Op::Delete(term)),
            None => {
                self.writer.delete_term(term);
            }
        }
    }

    /// Adds `doc` with its `record`, or holds both while the dictionary is
    /// not trained yet.
    fn add_document(&mut self, doc: TantivyDocument, record: String) -> Result<()> {
        if let Some(p) = &mut self.pending {
            p.bytes += record.len();
            p.ops.push(Op::Add(doc, record));
            return Ok(());
        }
        self.write_document(doc, &record)
    }

    /// Compresses the record into `doc` and hands it to tantivy (counted
    /// for [`PreAnalyze::Balanced`]).
    fn write_document(&mut self, mut doc: TantivyDocument, record: &str) -> Result<()> {
        let stored =
            Codec::compress_into(&mut self.cctx, self.dict.as_deref(), record, &mut self.frame)?;
        doc.add_bytes(self.fields.doc, stored);
        self.writer.add_document(doc).map_err(|e| self.index.tantivy_error(e))?;
        if let Some(p) = &mut self.pre {
            p.observe(self.index.documents_begun());
        }
        Ok(())
    }

    /// Trains the records dictionary on the index's records, the pending
    /// ones and those of the listings still held (with their counts so
    /// far), in that order, up to [`SAMPLE_BYTES`] (when there are enough
    /// in all), then replays the pending operations in order.
    fn flush_pending(&mut self) -> Result<()> {
        let Some(pending) = self.pending.take() else { return Ok(()) };
        let mut bytes = pending.bytes;
        let mut held_records = Vec::new();
        for held in self.held.iter().flatten() {
            if bytes >= SAMPLE_BYTES {
                break;
            }
            let count = self.seen.get(&held.key).expect("a held listing was seen").count;
            let record = record_of(&held.listing, count);
            bytes += record.len();
            held_records.push(record);
        }
        let samples: Vec<&str> = (pending.indexed.iter().map(String::as_str))
            .chain(pending.ops.iter().filter_map(|op| match op {
                Op::Add(_, record) => Some(record.as_str()),
                Op::Delete(_) => None,
            }))
            .chain(held_records.iter().map(String::as_str))
            .collect();
        if self.index.codec().train(&samples)? {
            self.dict = self.index.codec().dictionary();
        }
        for op in pending.ops {
            match op {
                Op::Delete(term) => {
                    self.writer.delete_term(term);
                }
                Op::Add(doc, record) => {
                    self.write_document(doc, &record)?;
                }
            }
        }
        Ok(())
    }

    fn document(&mut self, listing: &Listing, dup_count: u32) -> (TantivyDocument, String) {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &listing.id);
        let (title, snippet) = (&listing.title_norm, &listing.snippet_norm);
        // a text starting with the mark would read as tokens
        let (title, snippet) = (preanalyzed::strip_mark(title), preanalyzed::strip_mark(snippet));
        doc.add_text(f.title_grams, title);
        doc.add_text(f.title_pinyin, title);
        // the word fields: jieba, most of the analysis; the grams and
        // readings cost about what encoding and decoding them would
        let here = self.pre.as_deref_mut().is_some_and(PreAnalyzer::take);
        match self.pre.as_deref_mut() {
            Some(p) if here => {
                for (field, text) in [(f.title, title), (f.snippet, snippet)] {
                    if preanalyzed::encode(&mut p.words.token_stream(text), &mut p.value) {
                        doc.add_text(field, &p.value);
                    } else {
                        doc.add_text(field, text);
                    }
                }
            }
            _ => {
                doc.add_text(f.title, title);
                doc.add_text(f.snippet, snippet);
            }
        }
        doc.add_u64(f.price, u64::from(listing.price));
        doc.add_u64(f.pages, u64::from(listing.pages));
        doc.add_u64(f.size_bytes, listing.size_bytes);
        if let Some(ts) = listing.published {
            doc.add_date(f.published, DateTime::from_timestamp_secs(ts.as_second()));
            let earliest = ts.as_second().saturating_sub(listing.age.unit.seconds());
            doc.add_date(f.published_earliest, DateTime::from_timestamp_secs(earliest));
        }
        doc.add_u64(f.dup_count, u64::from(dup_count));
        (doc, record_of(listing, dup_count))
    }

    /// Merges the committed segments into at most [`MERGE_PARTS`], deleted
    /// documents dropped, and waits: the segments, in order, in groups of
    /// about equal size, each group merged on its own merge thread at the
    /// same time. Nothing to do when there are no more segments than that
    /// and none has deletes.
    fn merge_all(&mut self) -> Result<()> {
        let metas = self
            .index
            .tantivy()
            .searchable_segment_metas()
            .map_err(|e| self.index.tantivy_error(e))?;
        let parts = merge_parts();
        if metas.len() <= parts && metas.iter().all(|m| !m.has_deletes()) {
            return Ok(());
        }
        let sizes: Vec<u64> = metas.iter().map(|m| u64::from(m.max_doc())).collect();
        let groups: Vec<Vec<_>> = split_in_order(&sizes, parts)
            .into_iter()
            .map(|range| &metas[range])
            // a group of one segment is merged only to drop its deletes
            .filter(|g| g.len() > 1 || g.iter().any(|m| m.has_deletes()))
            .map(|g| g.iter().map(|m| m.id()).collect())
            .collect();
        // a live `SegmentMeta` keeps its segment's files from the clean-up
        drop(metas);
        let started = std::time::Instant::now();
        let merges: Vec<_> = groups.iter().map(|ids| self.writer.merge(ids)).collect();
        for merge in merges {
            merge.wait().map_err(|e| self.index.tantivy_error(e))?;
        }
        tracing::debug!(
            "segments merged in {} group(s) of {:?} in {:?}",
            groups.len(),
            groups.iter().map(Vec::len).collect::<Vec<_>>(),
            started.elapsed()
        );
        // the merged segments' files: not needed by any commit any more
        if let Err(e) = self.writer.garbage_collect_files().wait() {
            tracing::warn!("files of merged segments not removed: {e}");
        }
        Ok(())
    }

    /// Counters so far.
    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Commits everything atomically and waits for merges to finish; after
    /// a bulk run (see [`WriterOptions::merge_after_bulk`]) the index is
    /// merged into at most two segments without deleted documents first.
    ///
    /// The merge runs after the commit: a process killed during it leaves
    /// the index as committed (each merged segment replaces its group in
    /// one atomic metadata write, and partial files are removed by the
    /// next writer).
    ///
    /// # Errors
    /// From tantivy; the previous commit stays intact (or, when the merge
    /// fails, this run's commit, unmerged).
    pub fn commit(mut self) -> Result<WriteStats> {
        while self.release_held()? {}
        self.flush_pending()?;
        if let Some(p) = &self.pre {
            tracing::debug!(
                "{} of {} listings analysed by the writer (share at the end {}/{SHARE_ONE})",
                p.analysed,
                p.written,
                p.share
            );
        }
        self.writer.commit().map_err(|e| self.index.tantivy_error(e))?;
        let bulk = !self.upsert || self.stats.added >= self.docs_before;
        if self.merge_after_bulk && bulk {
            self.merge_all()?;
        }
        self.writer.wait_merging_threads().map_err(|e| self.index.tantivy_error(e))?;
        if let Some(dir) = self.index.path()
            && let Err(e) = write_query_dict(&self.index, dir)
        {
            // the commit is done and durable: a failure here (a full disk)
            // leaves the previous dictionary, which cuts queries with the
            // previous vocabulary; the next commit writes it again
            tracing::warn!("query dictionary of {} not updated: {e}", dir.display());
        }
        Ok(self.stats)
    }
}

/// Writes the index's query dictionary (see
/// [`crate::analysis::query_dict`]) from the Han terms of the word fields.
fn write_query_dict(index: &ListingIndex, dir: &std::path::Path) -> Result<()> {
    let searcher = index.reader()?.searcher();
    let fields = index.fields();
    let mut vocabulary: std::collections::HashSet<String> = std::collections::HashSet::new();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.snippet] {
            let inverted = segment.inverted_index(field)?;
            let mut terms = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                if let Ok(word) = std::str::from_utf8(terms.key())
                    && word.chars().nth(1).is_some()
                    && word.chars().all(crate::analysis::is_han)
                    && !vocabulary.contains(word)
                {
                    vocabulary.insert(word.to_string());
                }
            }
        }
    }
    let jieba = index.analyzer().jieba();
    crate::analysis::query_dict::write(dir, &jieba, vocabulary.iter().map(String::as_str))
        .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
    // this process's searchers follow at once
    index.reload_analysis();
    tracing::debug!("query dictionary: {} indexed words", vocabulary.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_listing::AgeUnit;

    fn pre_analyzer(share: u32, balanced: bool) -> PreAnalyzer {
        PreAnalyzer {
            words: crate::analysis::Analyzer::default().text_analyzer(Mode::Words),
            value: String::new(),
            share,
            balanced,
            credit: 0,
            analysed: 0,
            written: 0,
            handed: 0,
            begun_before: 7,
        }
    }

    #[test]
    fn the_writer_analyses_its_share_of_listings_spread_evenly() {
        let mut p = pre_analyzer(SHARE_ONE / 4, false);
        let taken: Vec<bool> = (0..8).map(|_| p.take()).collect();
        assert_eq!(taken, [false, false, false, true, false, false, false, true]);
        assert_eq!((p.analysed, p.written), (2, 8));
        // a fixed share does not move
        (0..2 * BEHIND).for_each(|_| p.observe(7));
        assert_eq!(p.share, SHARE_ONE / 4);
        let mut p = pre_analyzer(SHARE_ONE, false);
        assert!((0..100).all(|_| p.take()));
        let mut p = pre_analyzer(0, false);
        assert!(!(0..100).any(|_| p.take()));
    }

    /// The share rises while tantivy is more than `BEHIND` documents
    /// behind (counted from the writer's start: 7 begun before it) and
    /// falls while it is not.
    #[test]
    fn a_balanced_share_rises_while_tantivy_is_behind() {
        let mut p = pre_analyzer(0, true);
        // tantivy keeps up: begun = all handed over
        for handed in 1..=2 * BEHIND {
            p.observe(7 + handed);
        }
        assert_eq!(p.share, 0);
        // tantivy stops: the share rises once BEHIND are waiting
        for _ in 0..BEHIND + 10 {
            p.observe(7 + 2 * BEHIND);
        }
        assert_eq!(p.share, 10 * SHARE_UP);
        // it catches up
        p.observe(7 + 3 * BEHIND);
        assert_eq!(p.share, 10 * SHARE_UP - SHARE_DOWN);
        for _ in 0..2000 {
            p.observe(7);
        }
        assert_eq!(p.share, SHARE_ONE);
    }

    /// The seed page's first listing under `n` ids, its raw text padded
    /// to a kilobyte (what a record of the dev corpus holds).
    fn kilobyte_listings(n: usize) -> Vec<Listing> {
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/sample/seed-page.txt");
        let reader = wenku_listing::CatalogReader::open(&[seed], Default::default()).unwrap();
        let first = reader
            .filter_map(|item| match item.unwrap() {
                wenku_listing::Item::Listing(l) => Some(l),
                wenku_listing::Item::Footer(_) => None,
            })
            .next()
            .unwrap();
        (0..n)
            .map(|i| {
                let mut l = first.clone();
                l.id = format!("{i:032x}");
                while l.raw.len() < 1024 {
                    l.raw.push_str(&format!(" {i}"));
                }
                l
            })
            .collect()
    }

    /// Two copies that differ only in their source hash the same; a
    /// change to anything the record stores changes the hash.
    #[test]
    fn the_content_hash_sees_every_stored_field_but_the_source() {
        let l = kilobyte_listings(1).remove(0);
        let h = content_hash(&l);
        let mut moved = l.clone();
        moved.source.file.push_str(".bak");
        moved.source.line += 7;
        assert_eq!(content_hash(&moved), h);
        let changes: [fn(&mut Listing); 13] = [
            |l| l.id.push('0'),
            |l| l.title.push('x'),
            |l| l.snippet.push('x'),
            |l| l.raw.push('x'),
            |l| l.size_text.push('0'),
            |l| l.price += 1,
            |l| l.pages += 1,
            |l| l.size_bytes += 1,
            |l| l.trailing += 1,
            |l| l.age.value += 1,
            |l| l.age.unit = if l.age.unit == AgeUnit::Day { AgeUnit::Week } else { AgeUnit::Day },
            |l| l.published = None,
            // a piece moved from the title to the snippet
            |l| {
                let c = l.title.pop().unwrap();
                l.snippet.insert(0, c);
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut c = l.clone();
            change(&mut c);
            assert_ne!(content_hash(&c), h, "change {i}");
        }
    }

    /// Waits until tantivy's indexing threads have begun a document of
    /// `index` (at most a minute).
    fn wait_for_a_document_begun(index: &ListingIndex) {
        let waited = std::time::Instant::now();
        while index.documents_begun() == 0 {
            assert!(waited.elapsed().as_secs() < 60, "tantivy began no document");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// tantivy gets documents from early in a run: after 3,000 adds (the
    /// hold is then 2,524 long) some have been handed over, the records'
    /// dictionary is trained (from the listings handed over and those
    /// still held: 3 MB of raw text) and tantivy's thread has begun them
    /// before the run is committed.
    #[test]
    fn documents_reach_tantivy_early_in_a_run() {
        let index = ListingIndex::create_in_ram(Default::default()).unwrap();
        let options = WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() };
        let mut w = index.writer(&options).unwrap();
        for l in kilobyte_listings(3000) {
            w.add_owned(l).unwrap();
        }
        assert_eq!(hold_limit(3000), 2524);
        assert_eq!(w.held.len(), 2524);
        assert!(w.pending.is_none() && w.dict.is_some(), "no dictionary yet");
        wait_for_a_document_begun(&index);
        assert!(index.documents_begun() <= 3000 - 2524);
        w.commit().unwrap();
        assert_eq!(index.documents_begun(), 3000);
    }

    /// tantivy writes the doc store on its indexing thread: no
    /// `docstore-compressor` thread runs once it has begun documents,
    /// also in an index made before this setting (its tantivy settings
    /// ask for the dedicated thread, the default). Each 2 KiB block of
    /// the uncompressed store used to cost a hand-over to that thread.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_doc_store_is_written_on_the_indexing_thread() {
        let dir = tempfile::tempdir().unwrap();
        drop(ListingIndex::open_or_create(dir.path(), None).unwrap());
        let meta = std::fs::read_to_string(dir.path().join("meta.json")).unwrap();
        assert!(!meta.contains("docstore_compress_dedicated_thread"), "{meta}");
        let index = ListingIndex::open(dir.path()).unwrap();
        let options = WriterOptions { threads: 2, heap_bytes: 30 << 20, ..Default::default() };
        let mut w = index.writer(&options).unwrap();
        for l in kilobyte_listings(3000) {
            w.add_owned(l).unwrap();
        }
        wait_for_a_document_begun(&index);
        let names: Vec<String> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .collect();
        assert!(names.iter().any(|n| n.starts_with("thrd-tantivy")), "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with("docstore")), "{names:?}");
        w.commit().unwrap();
    }

    #[test]
    fn segments_split_in_order_into_about_equal_parts() {
        // the segments of a 1M build with two writer threads
        let sizes = [138_875, 138_841, 138_827, 138_812, 138_785, 138_767, 74_639, 27_220];
        assert_eq!(split_in_order(&sizes, 2), [0..3, 3..8]); // 416,543 and 518,223
        assert_eq!(split_in_order(&[140, 140, 140, 140, 140, 140, 75, 27], 2), [0..3, 3..8]);
        assert_eq!(split_in_order(&[100, 1, 1], 2), [0..1, 1..3]);
        assert_eq!(split_in_order(&[1, 1, 100], 2), [0..2, 2..3]);
        assert_eq!(split_in_order(&[5, 5], 2), [0..1, 1..2]);
        assert_eq!(split_in_order(&[5], 2), vec![std::ops::Range { start: 0, end: 1 }]);
        assert_eq!(split_in_order(&[5, 5, 5], 1), vec![std::ops::Range { start: 0, end: 3 }]);
        assert_eq!(split_in_order(&[3, 3, 3, 3, 3, 3], 3), [0..2, 2..4, 4..6]);
        assert_eq!(split_in_order(&[9, 1, 1, 1], 3), [0..1, 1..2, 2..4]);
    }
}
