//! Streaming reader over catalog files: decoding, page structure, records.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use encoding_rs::Encoding;

use crate::memory::TitleMemory;
use crate::parallel::{Lesson, Pool, learner, parser};
use crate::parse::{Mem, RuleHint, parse_line};
use crate::profile::Profile;
use crate::{Error, Listing, Result, Source};

/// Most first-pass hints kept (8 bytes each): beyond, the second pass
/// runs the reliable rules itself.
const HINT_CAP: usize = 1 << 23;

/// How far into a file the encoding detector looks.
const SNIFF: usize = 64 * 1024;

/// Longest line read: a longer one (a binary file, a dump without line
/// breaks) is skipped up to its end and reported, so memory stays bounded.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Options of [`CatalogReader`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Capture time of the pages, from which `published` is computed.
    /// `None`: each file's modification time (for [`CatalogReader::from_reader`]:
    /// unknown, so `published` is `None`).
    pub as_of: Option<jiff::Timestamp>,
    /// Encoding of the input. `None`: a BOM decides the whole file; else
    /// each line is decoded on its own: valid UTF-8 is UTF-8; a line with
    /// at least twice as many valid non-ASCII UTF-8 characters as invalid
    /// sequences is a damaged UTF-8 line (decoded with U+FFFD and
    /// reported); any other line is decoded
    /// with the file's legacy encoding: GB18030 when the file's first
    /// 64 KiB are mostly UTF-8, else `chardetng`'s guess over them
    /// (GBK/GB18030 for Chinese pages). `Some`: every line in that encoding.
    pub encoding: Option<&'static Encoding>,
    /// Split profile: the conventions of a site or document set the
    /// title/snippet split may use (`Profile::bundled("dev-sources")`).
    /// `None`: the generic split, which knows no source.
    pub profile: Option<&'static Profile>,
    /// Split each listing with only what was read before it. `false`
    /// (the default): [`CatalogReader::open`] first reads every regular
    /// file of its input once to gather the titles that a reliable rule
    /// splits (and the site suffixes and snippet openers they show), then
    /// splits every listing with that evidence, so the result does not
    /// depend on reading order. Input that can be read only once (a FIFO,
    /// stdin, [`CatalogReader::from_reader`]) always uses what was read
    /// so far.
    pub split_as_read: bool,
    /// Threads that parse listing lines. `0` or `1`: the calling thread
    /// (the default). `n > 1`: [`CatalogReader::open`] runs the line work
    /// of both passes on `n` worker threads while the calling thread
    /// reads and decodes: in the first pass the workers find the titles
    /// the reliable rules split and the calling thread learns them in
    /// reading order; in the second pass the workers parse the listings
    /// and the calling thread hands out the items in input order. The
    /// items are the same as on one thread (the split of a line in the
    /// second pass depends only on the line and the evidence of the first).
    /// Streamed input ([`CatalogReader::from_reader`], or
    /// [`split_as_read`](Self::split_as_read)) learns as it reads and is
    /// parsed on the calling thread whatever this says.
    /// `wenku::IndexOptions` turns `0` into the available cores (the calling
    /// thread alone after the first pass for a one-thread writer on one or
    /// two cores).
    pub threads: usize,
    /// Threads of the first pass alone, when it should differ from the
    /// second: `0` (the default) means [`threads`](Self::threads). No
    /// listing comes out before the first pass ends, so a consumer that
    /// keeps its cores busy with the listings (an indexer's writer) has
    /// them idle while it runs. The items are the same for any value.
    pub first_pass_threads: usize,
}

impl ParseOptions {
    /// The first pass's threads ([`first_pass_threads`](Self::first_pass_threads),
    /// else [`threads`](Self::threads)).
    fn learn_threads(&self) -> usize {
        if self.first_pass_threads == 0 { self.threads } else { self.first_pass_threads }
    }
}

/// The footer of a page: the totals the site reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    /// `共 N 条`: number of listings in the whole result set.
    pub total: u64,
    /// Number of result pages: the highest `- k` link (or their count).
    pub pages: u32,
    /// Where the `共 N 条` line is.
    pub source: Source,
}

/// One item of a catalog: a listing or a page footer.
// Items are yielded one at a time; boxing the common variant would cost an
// allocation per record for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A listing record.
    Listing(Listing),
    /// A page footer.
    Footer(Footer),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Raw,
    Jsonl,
}

/// How the lines of a source are decoded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// Every line in this encoding (a BOM, or [`ParseOptions::encoding`]).
    Fixed(&'static Encoding),
    /// Per line: UTF-8 when (mostly) valid, else this legacy encoding.
    PerLine(&'static Encoding),
}

/// What the reader has to do next: a file to read, or a problem met while
/// listing the inputs, to report in its place.
#[derive(Debug)]
enum Input {
    File(PathBuf),
    Problem(Error),
}

struct Current {
    name: String,
    reader: Box<dyn BufRead + Send>,
    line: u64,
    decoding: Decoding,
    mode: Mode,
    as_of: Option<jiff::Timestamp>,
    footer: Option<Footer>,
    /// Bytes read so far (after the BOM).
    offset: usize,
    /// The first `valid` bytes (after the BOM) were checked to be UTF-8 by
    /// the encoding detector; lines inside them are not checked again.
    valid: usize,
}

/// Streaming reader over one or more catalog files or directories.
///
/// Yields one `Result<Item>` per listing record, footer or bad line, in
/// file order (directories are walked recursively, entries sorted by
/// name) and line order. Memory is bounded whatever the number of
/// listings: [`open`](Self::open)'s first pass keeps 8 bytes per listing
/// line (what the reliable split rules found in it, so that the second
/// pass does not run them again), for at most 8 Mi lines (64 MiB); later
/// lines are split without.
/// A file is read as JSON Lines (records as written by `serde_json` from
/// [`Listing`]) when its name ends in `.jsonl` or its first non-blank line
/// is a JSON object; otherwise as raw listing pages.
///
/// Nothing aborts the stream: a path that does not exist, a directory
/// entry that cannot be walked (a symbolic link loop, a dangling link, a
/// permission error), a special file met while walking (FIFO, socket,
/// device: [`Error::Skipped`], never opened), a file that cannot be opened
/// or read, each yields one error item in its place and reading goes on.
/// Files named explicitly are read as given, whatever their type (a FIFO,
/// `/dev/stdin`).
pub struct CatalogReader {
    files: VecDeque<Input>,
    current: Option<Current>,
    opts: ParseOptions,
    pending: Pending,
    /// Records of a line parsed by the pool, to yield before `pending`.
    out: VecDeque<Result<Item>>,
    /// Worker threads parsing the listing lines of a second pass (see
    /// [`ParseOptions::threads`]).
    pool: Option<Pool<Vec<Result<Listing>>>>,
    /// Worker threads finding what the lines of a first pass teach.
    learn_pool: Option<Pool<Lesson>>,
    buf: Vec<u8>,
    scratch: Vec<Result<Listing>>,
    /// Titles found by reliable rules, to split later listings of the same
    /// documents (bounded, see `TitleMemory`).
    titles: TitleMemory,
    /// First pass: only learn split evidence, yield no listings.
    learn_only: bool,
    /// Bytes read from all sources so far.
    bytes: u64,
    /// What the first pass found in each listing line (the reliable
    /// rules' end), in reading order, so that the second pass does not
    /// run the rules again (at most `HINT_CAP`).
    hints: Vec<RuleHint>,
    /// First pass: listing lines read so far, and each file's name with
    /// its first line's number among them. Second pass: the files whose
    /// hints are left, as (name, range of `hints`), in reading order.
    listing_lines: usize,
    hint_files: VecDeque<(String, std::ops::Range<usize>)>,
    /// The current file's hints left (second pass).
    hint_range: std::ops::Range<usize>,
}

impl std::fmt::Debug for CatalogReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogReader")
            .field("files_left", &self.files.len())
            .field("current", &self.current.as_ref().map(|c| (&c.name, c.line)))
            .finish()
    }
}

impl CatalogReader {
    /// Read the given files and directories.
    ///
    /// # Errors
    ///
    /// None today: problems with paths come as error items (see the type's
    /// documentation); the `Result` is kept for compatibility.
    pub fn open(paths: &[impl AsRef<Path>], opts: ParseOptions) -> Result<Self> {
        let mut files = VecDeque::new();
        for p in paths {
            let p = p.as_ref();
            match std::fs::metadata(p) {
                Ok(meta) if meta.is_dir() => walk(p, &mut files),
                Ok(_) => files.push_back(Input::File(p.to_path_buf())),
                Err(err) => files
                    .push_back(Input::Problem(Error::Io { path: p.display().to_string(), err })),
            }
        }
        let mut reader = CatalogReader::empty(files, opts);
        if !opts.split_as_read {
            // First pass: the split evidence of the whole input.
            let regular = reader
                .files
                .iter()
                .filter_map(|i| match i {
                    Input::File(p) if std::fs::metadata(p).is_ok_and(|m| m.is_file()) => {
                        Some(Input::File(p.clone()))
                    }
                    _ => None,
                })
                .collect();
            let mut first = CatalogReader::empty(regular, opts);
            first.learn_only = true;
            let profile = opts.profile.unwrap_or(Profile::generic());
            let (counts_tx, counts) = std::sync::mpsc::channel();
            let learn_threads = opts.learn_threads();
            if learn_threads > 1 {
                let make = learner(profile, counts_tx);
                first.learn_pool = Some(Pool::with_workers(learn_threads, make));
            } else {
                drop(counts_tx);
            }
            let started = std::time::Instant::now();
            first.by_ref().for_each(drop);
            // the workers end, and send what they counted
            first.learn_pool = None;
            for c in counts.iter() {
                first.titles.add_counts(&c);
            }
            tracing::debug!(
                "first pass: {} listing lines, {} bytes in {:.2?}",
                first.listing_lines,
                first.bytes,
                started.elapsed()
            );
            reader.hint_files = first.hint_ranges();
            reader.hints = std::mem::take(&mut first.hints);
            reader.titles = first.titles;
            reader.titles.freeze();
            if opts.threads > 1 {
                let titles = Arc::new(std::mem::take(&mut reader.titles));
                reader.pool = Some(Pool::new(opts.threads, parser(titles, profile)));
            }
        }
        Ok(reader)
    }

    /// Read from any buffered reader; `name` stands for the file name in
    /// sources and errors (`-` for stdin, a fixture name in tests).
    pub fn from_reader(
        name: &str,
        reader: impl BufRead + Send + 'static,
        opts: ParseOptions,
    ) -> Self {
        let mut r = CatalogReader::empty(VecDeque::new(), opts);
        r.start(name.to_string(), Box::new(reader), opts.as_of);
        r
    }

    fn empty(files: VecDeque<Input>, opts: ParseOptions) -> Self {
        CatalogReader {
            files,
            current: None,
            opts,
            pending: Pending::default(),
            out: VecDeque::new(),
            pool: None,
            learn_pool: None,
            buf: Vec::with_capacity(8192),
            scratch: Vec::new(),
            titles: TitleMemory::default(),
            learn_only: false,
            bytes: 0,
            hints: Vec::new(),
            listing_lines: 0,
            hint_files: VecDeque::new(),
            hint_range: 0..0,
        }
    }

    /// After a first pass: each file's range of `hints`.
    fn hint_ranges(&self) -> VecDeque<(String, std::ops::Range<usize>)> {
        let n = self.hints.len();
        let ends = self.hint_files.iter().skip(1).map(|f| f.1.start).chain([self.listing_lines]);
        self.hint_files
            .iter()
            .zip(ends)
            .map(|((name, r), end)| (name.clone(), r.start.min(n)..end.min(n)))
            .collect()
    }

    fn record_hint(&mut self, hint: RuleHint) {
        if self.hints.len() < HINT_CAP {
            self.hints.push(hint);
        }
    }

    /// Bytes read from all sources so far (after any BOM).
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Begin reading a source: sniff encoding and mode.
    fn start(
        &mut self,
        name: String,
        mut reader: Box<dyn Read + Send>,
        as_of: Option<jiff::Timestamp>,
    ) {
        // The first SNIFF bytes (or the whole input), whatever the source's
        // own buffering: what is decided from them (BOM, legacy encoding,
        // JSON Lines) must not depend on how the bytes arrive.
        let mut head = Vec::with_capacity(SNIFF);
        if let Err(err) = (&mut reader).take(SNIFF as u64).read_to_end(&mut head) {
            // what was read is still read; the error comes after it
            reader = Box::new(Failed(Some(err)));
        }
        let (decoding, bom, valid) = match Encoding::for_bom(&head) {
            Some((e, n)) => (Decoding::Fixed(e), n, 0),
            None => match self.opts.encoding {
                Some(e) => (Decoding::Fixed(e), 0, 0),
                None => {
                    let (legacy, valid) = detect(&head, head.len() < SNIFF);
                    (Decoding::PerLine(legacy), 0, valid)
                }
            },
        };
        let mode = if name.ends_with(".jsonl") || looks_like_jsonl(&head[bom..]) {
            Mode::Jsonl
        } else {
            Mode::Raw
        };
        head.drain(..bom);
        if self.learn_only {
            self.hint_files.push_back((name.clone(), self.listing_lines..self.listing_lines));
        } else {
            // the first pass read the same regular files in the same order
            self.hint_range = match self.hint_files.front() {
                Some((n, _)) if *n == name => self.hint_files.pop_front().map_or(0..0, |f| f.1),
                _ => 0..0,
            };
        }
        let reader = BufReader::with_capacity(SNIFF, std::io::Cursor::new(head).chain(reader));
        self.current = Some(Current {
            name,
            reader: Box::new(reader),
            line: 0,
            decoding,
            mode,
            as_of,
            footer: None,
            offset: 0,
            valid,
        });
    }

    fn open_next_file(&mut self) -> bool {
        let path = match self.files.pop_front() {
            None => return false,
            Some(Input::Problem(e)) => {
                tracing::debug!("{e}");
                self.pending.push_back(Err(e));
                return true;
            }
            Some(Input::File(path)) => path,
        };
        let name = path.display().to_string();
        match File::open(&path) {
            Ok(f) => {
                let as_of = self.opts.as_of.or_else(|| {
                    let m = f.metadata().ok()?.modified().ok()?;
                    jiff::Timestamp::try_from(m).ok()
                });
                self.start(name, Box::new(f), as_of);
            }
            Err(err) => self.pending.push_back(Err(Error::Io { path: name, err })),
        }
        true
    }

    /// Read and process one line of the current source; false at its end.
    fn step(&mut self) -> bool {
        let Some(cur) = self.current.as_mut() else { return false };
        self.buf.clear();
        let read = std::io::Read::take(&mut cur.reader, MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf);
        let read = match read {
            Ok(n) if n > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') => {
                skip_line(&mut cur.reader).map(|rest| n + rest).map(|n| (n, true))
            }
            Ok(n) => Ok((n, false)),
            Err(err) => Err(err),
        };
        let (too_long, prevalidated) = match read {
            Ok((0, _)) => {
                if let Some(f) = cur.footer.take() {
                    self.pending.push_back(Ok(Item::Footer(f)));
                }
                self.current = None;
                return false;
            }
            Ok((n, too_long)) => {
                cur.line += 1;
                self.bytes += n as u64;
                let line_start = cur.offset;
                cur.offset += n;
                // Inside the prefix the detector validated: no need to check
                // again.
                (too_long, line_start < cur.offset && cur.offset <= cur.valid)
            }
            Err(err) => {
                let line = cur.line + 1;
                tracing::debug!("{}:{line}: read failed: {err}", cur.name);
                if let Some(f) = cur.footer.take() {
                    self.pending.push_back(Ok(Item::Footer(f)));
                }
                self.pending
                    .push_back(Err(Error::Io { path: format!("{}:{line}", cur.name), err }));
                self.current = None;
                return false;
            }
        };
        let at = Source { file: cur.name.clone(), line: cur.line };
        if too_long {
            self.pending.push_back(Err(Error::parse(
                &at,
                format!("line longer than {} MiB skipped", MAX_LINE_BYTES >> 20),
            )));
            return true;
        }
        let (text, damaged) = decode_line(&self.buf, cur.decoding, prevalidated);
        if let Some(encoding) = damaged {
            tracing::debug!("{}:{}: invalid {} bytes", at.file, at.line, encoding.name());
            self.pending
                .push_back(Err(Error::Decode { at: at.clone(), encoding: encoding.name() }));
        }
        let line = text.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            return true;
        }
        if cur.mode == Mode::Jsonl {
            if self.learn_only {
                return true;
            }
            let item = serde_json::from_str::<Listing>(line)
                .map(|mut l| {
                    // ids of this parser's scheme, whatever wrote the record
                    if let Some(id) = crate::parse::id_of_text(&l.raw) {
                        l.id = id;
                    }
                    Item::Listing(l)
                })
                .map_err(|err| Error::Json { at, err });
            self.pending.push_back(item);
            return true;
        }
        let trimmed = line.trim();
        // Footer: `共 N 条`, then `- k` lines.
        if let Some(total) = footer_total(trimmed) {
            if let Some(f) = cur.footer.take() {
                self.pending.push_back(Ok(Item::Footer(f)));
            }
            cur.footer = Some(Footer { total, pages: 0, source: at });
            return true;
        }
        if let Some(k) = page_link(trimmed) {
            if let Some(f) = cur.footer.as_mut() {
                f.pages = (f.pages + 1).max(k);
                return true;
            }
            self.pending.push_back(Err(Error::parse(
                &at,
                "expected a listing or '共 N 条' before a '- k' page link",
            )));
            return true;
        }
        if let Some(f) = cur.footer.take() {
            self.pending.push_back(Ok(Item::Footer(f)));
        }
        let as_of = cur.as_of;
        let profile = self.opts.profile.unwrap_or(Profile::generic());
        if self.learn_only {
            self.listing_lines += 1;
            if let Some(pool) = self.learn_pool.as_mut() {
                let slot = pool.push(line, at, as_of, RuleHint::NONE);
                self.pending.0.push_back(Slot::Line(slot));
            } else {
                let hint = crate::parse::learn_line(line, &mut self.titles, profile);
                self.record_hint(hint);
            }
            return true;
        }
        // the first pass's hint for this line (second pass)
        let hint = self.hint_range.next().and_then(|i| self.hints.get(i).copied());
        let hint = hint.unwrap_or(RuleHint::NONE);
        if let Some(pool) = self.pool.as_mut() {
            let slot = pool.push(line, at, as_of, hint);
            self.pending.0.push_back(Slot::Line(slot));
            return true;
        }
        let memory = if self.titles.is_frozen() {
            Mem::Frozen(&self.titles, hint)
        } else {
            Mem::Learning(&mut self.titles)
        };
        parse_line(line, &at, as_of, memory, profile, &mut self.scratch);
        self.pending.extend(self.scratch.drain(..).map(|r| r.map(Item::Listing)));
        true
    }
}

impl Iterator for CatalogReader {
    type Item = Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(item);
            }
            // Parsing on threads: read ahead until the workers have work.
            let full = match (&self.pool, &self.learn_pool) {
                (Some(p), _) => p.is_full(),
                (_, Some(p)) => p.is_full(),
                (None, None) => true,
            };
            if !full && (self.current.is_some() || !self.files.is_empty()) {
                self.advance();
                continue;
            }
            match self.pending.0.pop_front() {
                Some(Slot::Item(item)) => return Some(item),
                Some(Slot::Line(slot)) => {
                    if let Some(pool) = self.learn_pool.as_mut() {
                        // first pass: learn in reading order
                        let hint = match pool.take(slot) {
                            (Some((body, end)), job) => {
                                let body = &job.line[body];
                                // the worker counted its pairs and words
                                crate::split::learn_split_but_counts(body, end, &mut self.titles);
                                RuleHint::of(body, end)
                            }
                            (None, _) => RuleHint::NONE,
                        };
                        self.record_hint(hint);
                        continue;
                    }
                    let pool = self.pool.as_mut().expect("a line slot comes from a pool");
                    let (records, _) = pool.take(slot);
                    self.out.extend(records.into_iter().map(|r| r.map(Item::Listing)));
                }
                None => {
                    if !self.advance() {
                        return None;
                    }
                }
            }
        }
    }
}

impl CatalogReader {
    /// Reads one line of the current source, or opens the next one;
    /// false at the end of the input.
    fn advance(&mut self) -> bool {
        if self.current.is_some() {
            self.step();
            true
        } else {
            self.open_next_file()
        }
    }
}

/// An item to yield, or the slot of a line the pool parses.
// As for `Item`: boxing would cost an allocation per record; the queue
// holds a few hundred slots at most.
#[allow(clippy::large_enum_variant)]
enum Slot {
    Item(Result<Item>),
    Line((u64, u32)),
}

/// Items in input order.
#[derive(Default)]
struct Pending(VecDeque<Slot>);

impl Pending {
    fn push_back(&mut self, item: Result<Item>) {
        self.0.push_back(Slot::Item(item));
    }

    fn extend(&mut self, items: impl IntoIterator<Item = Result<Item>>) {
        self.0.extend(items.into_iter().map(Slot::Item));
    }
}

/// A source that failed: its error once, then the end.
struct Failed(Option<std::io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Lists the files under `dir` (recursively, sorted by name, following
/// symbolic links) into `out`; entries that cannot be walked and special
/// files become [`Input::Problem`]s in their place.
fn walk(dir: &Path, out: &mut VecDeque<Input>) {
    let walk = walkdir::WalkDir::new(dir).sort_by_file_name().follow_links(true);
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).display().to_string();
                let missing =
                    e.io_error().map(std::io::Error::kind) == Some(std::io::ErrorKind::NotFound);
                let target = e.path().filter(|_| missing).and_then(|p| std::fs::read_link(p).ok());
                let problem = match (e.loop_ancestor(), target) {
                    (Some(a), _) => Error::Skipped {
                        path,
                        reason: format!("symbolic link loop (back to {})", a.display()),
                    },
                    (None, Some(target)) => Error::Skipped {
                        path,
                        reason: format!("dangling symbolic link (to {})", target.display()),
                    },
                    (None, None) => {
                        let err = match e.into_io_error() {
                            Some(io) => io,
                            None => std::io::Error::other("cannot walk"),
                        };
                        Error::Io { path, err }
                    }
                };
                out.push_back(Input::Problem(problem));
                continue;
            }
        };
        let t = entry.file_type();
        if t.is_file() {
            out.push_back(Input::File(entry.into_path()));
        } else if !t.is_dir() {
            let reason = format!("not a regular file ({})", special_kind(&t));
            out.push_back(Input::Problem(Error::Skipped {
                path: entry.path().display().to_string(),
                reason,
            }));
        }
    }
}

/// What kind of special file `t` is.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "named pipe";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_char_device() {
            return "character device";
        }
    }
    if t.is_symlink() { "symbolic link" } else { "special file" }
}

/// Reads and drops the rest of a line (after [`MAX_LINE_BYTES`]), newline
/// included; returns how many bytes that was.
fn skip_line(reader: &mut dyn BufRead) -> std::io::Result<usize> {
    let mut skipped = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(skipped);
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(skipped + i + 1);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
                skipped += n;
            }
        }
    }
}

/// Whether a file whose first bytes (after any BOM) are `head` holds JSON
/// Lines: its first non-blank line is a JSON object. A raw page whose
/// first title starts with `{` is not one. When the first line does not
/// fit in `head`, `{"` at its start decides.
fn looks_like_jsonl(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let head = &head[start..];
    if head.first() != Some(&b'{') {
        return false;
    }
    match memchr::memchr(b'\n', head) {
        Some(end) => {
            serde_json::from_slice::<serde::de::IgnoredAny>(head[..end].trim_ascii_end()).is_ok()
        }
        None => head.starts_with(b"{\""),
    }
}

/// The legacy encoding of a file without BOM, for lines that are not
/// UTF-8: GB18030 when `head` is mostly UTF-8 (see [`mostly_utf8`]), else
/// chardetng's guess. Also returns how many leading bytes of `head` are
/// valid UTF-8 ending on a character boundary (the whole head, a
/// character cut at its end allowed), 0 when `head` is not all valid.
fn detect(head: &[u8], whole: bool) -> (&'static Encoding, usize) {
    match utf8(head) {
        Ok(_) => (encoding_rs::GB18030, head.len()),
        Err(e) if e.error_len().is_none() => (encoding_rs::GB18030, e.valid_up_to()),
        Err(_) if mostly_utf8(head) => (encoding_rs::GB18030, 0),
        Err(_) => {
            let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            d.feed(head, whole);
            let guess = d.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
            (if guess == encoding_rs::UTF_8 { encoding_rs::GB18030 } else { guess }, 0)
        }
    }
}

/// Whether `bytes` is UTF-8 text with some damage rather than text in
/// another encoding: it has at least twice as many valid non-ASCII UTF-8
/// characters as invalid sequences. A damaged UTF-8 line has an invalid
/// sequence where a byte was lost or changed and valid characters all
/// around; GBK text read as UTF-8 has an invalid sequence at nearly every
/// character (its byte pairs rarely form UTF-8 sequences, and `码` (GBK
/// C2 EB), on every listing line, never does): about 0.1 valid characters
/// per invalid sequence.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    invalid * 2 <= valid
}

/// Decodes one line (with its line end). Returns the text and, when the
/// line has bytes invalid in the encoding used, that encoding.
/// `prevalidated`: see [`utf8_doubled`].
fn decode_line(
    buf: &[u8],
    decoding: Decoding,
    prevalidated: bool,
) -> (std::borrow::Cow<'_, str>, Option<&'static Encoding>) {
    let utf8_lossy = |buf| (String::from_utf8_lossy(buf), Some(encoding_rs::UTF_8));
    match decoding {
        Decoding::Fixed(e) if e == encoding_rs::UTF_8 => match utf8_doubled(buf, prevalidated) {
            Ok(s) => (s.into(), None),
            Err(_) => utf8_lossy(buf),
        },
        Decoding::Fixed(e) => {
            let (text, errors) = e.decode_without_bom_handling(buf);
            (text, errors.then_some(e))
        }
        Decoding::PerLine(legacy) => match utf8_doubled(buf, prevalidated) {
            Ok(s) => (s.into(), None),
            Err(_) if mostly_utf8(buf) => utf8_lossy(buf),
            Err(_) => {
                let (text, errors) = legacy.decode_without_bom_handling(buf);
                (text, errors.then_some(legacy))
            }
        },
    }
}

/// `std::str::from_utf8`, validating only one half of a line made of two
/// byte-identical halves (every listing line): the other half is the same
/// bytes, so it is valid too.
///
/// `prevalidated`: `buf` lies inside a prefix of the input found valid
/// (and starts and ends on a character boundary: after a `\n` or at the
/// start of the input, and at a `\n` or the end of that prefix).
fn utf8_doubled(buf: &[u8], prevalidated: bool) -> std::result::Result<&str, std::str::Utf8Error> {
    if prevalidated {
        // SAFETY: see `prevalidated`; a part of a valid UTF-8 string cut
        // at character boundaries is valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(buf) });
    }
    let end = buf.len() - buf.iter().rev().take_while(|b| matches!(b, b'\n' | b'\r')).count();
    let line = &buf[..end];
    let half = end / 2;
    if end >= 64 && end.is_multiple_of(2) && line[..half] == line[half..] {
        utf8(&line[..half])?;
        let tail = utf8(&buf[end..])?;
        debug_assert!(tail.is_ascii());
        // SAFETY: `line` is two copies of the same bytes and the first copy
        // is valid UTF-8 (it ends on a character boundary, being a whole
        // `str`), so their concatenation is valid UTF-8; `buf[end..]` is
        // ASCII line-end bytes.
        return Ok(unsafe { std::str::from_utf8_unchecked(buf) });
    }
    utf8(buf)
}

/// `std::str::from_utf8`, checked by `simdutf8` first (vectorised; the
/// standard library's check is a few percent of parsing a Chinese
/// catalog); std's error, with its position, when it fails.
fn utf8(b: &[u8]) -> std::result::Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(b),
    }
}

fn footer_total(line: &str) -> Option<u64> {
    let n = line.strip_prefix('共')?.strip_suffix('条')?.trim();
    n.parse().ok()
}

fn page_link(line: &str) -> Option<u32> {
    let n = line.strip_prefix('-')?.trim();
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines past the validated head, or straddling its end, are checked
    /// (the head is the first 64 KiB; the source's own buffer size does
    /// not matter).
    #[test]
    fn invalid_utf8_after_the_head_is_reported() {
        let good = " 标题 正文1 码力 | 2 页 | 3.12 KB | 9 月前4";
        let line = format!("{good}{good}\n");
        let mut bad = format!("{good}{good}").into_bytes();
        let half = bad.len() / 2;
        bad[10] = 0xff;
        bad[half + 10] = 0xff;
        let per_head = SNIFF / line.len();
        // the bad line: inside the head, straddling its end, after it
        for n in [per_head - 2, per_head, per_head + 30] {
            let mut text = line.repeat(n).into_bytes();
            text.extend_from_slice(&bad);
            text.push(b'\n');
            text.extend_from_slice(line.as_bytes());
            for cap in [100, 997, 1 << 20] {
                let r = std::io::BufReader::with_capacity(cap, std::io::Cursor::new(text.clone()));
                let items: Vec<_> =
                    CatalogReader::from_reader("t", r, ParseOptions::default()).collect();
                let decode: Vec<u64> = items
                    .iter()
                    .filter_map(|i| match i {
                        Err(Error::Decode { at, .. }) => Some(at.line),
                        _ => None,
                    })
                    .collect();
                assert_eq!(decode, vec![n as u64 + 1], "{n} lines before, capacity {cap}");
                let listings = items.iter().filter(|i| matches!(i, Ok(Item::Listing(_)))).count();
                assert_eq!(listings, n + 2);
            }
        }
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    fn dev_pages() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev/pages")
    }

    fn items(mut r: CatalogReader) -> Vec<String> {
        r.by_ref().map(|i| format!("{i:?}")).collect()
    }

    /// The second pass splits with the first pass's rule ends: the same
    /// listings as when it runs the rules again (no hints), and as when
    /// every hint belongs to another line (shifted by one: each is
    /// refused by its body hash), on one thread and on three.
    #[test]
    fn first_pass_hints_change_nothing() {
        for threads in [1, 3] {
            let opts = ParseOptions { threads, ..ParseOptions::default() };
            let hinted = CatalogReader::open(&[dev_pages()], opts).unwrap();
            let used = hinted.hints.iter().filter(|h| **h != RuleHint::NONE).count();
            // every line of the dev pages that teaches the memory has one
            assert!(used > 1400, "{used} hints");
            let mut none = CatalogReader::open(&[dev_pages()], opts).unwrap();
            none.hints.iter_mut().for_each(|h| *h = RuleHint::NONE);
            let mut shifted = CatalogReader::open(&[dev_pages()], opts).unwrap();
            shifted.hints.rotate_right(1);
            let want = items(none);
            assert_eq!(items(hinted), want);
            assert_eq!(items(shifted), want);
        }
    }

    /// A hint is used only for its own body, and only with an end inside
    /// it on a character boundary.
    #[test]
    fn a_hint_answers_only_for_its_body() {
        let body = "标题 正文";
        assert_eq!(RuleHint::of(body, Some(6)).get(body), Some(Some(6)));
        assert_eq!(RuleHint::of(body, None).get(body), Some(None));
        assert_eq!(RuleHint::of(body, Some(6)).get("标题 正文2"), None);
        assert_eq!(RuleHint::of(body, Some(4)).get(body), None);
        assert_eq!(RuleHint::of(body, Some(99)).get(body), None);
        assert_eq!(RuleHint::NONE.get(body), None);
    }
}
