//! Streaming reader over catalog files: decoding, page structure, records.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use crate::parse::parse_line;
use crate::split::TitleMemory;
use crate::{Error, Listing, Result, Source};

/// How far into a file the encoding detector looks.
const SNIFF: usize = 64 * 1024;

/// Options of [`CatalogReader`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Capture time of the pages, from which `published` is computed.
    /// `None`: each file's modification time (for [`CatalogReader::from_reader`]:
    /// unknown, so `published` is `None`).
    pub as_of: Option<jiff::Timestamp>,
    /// Encoding of the input. `None`: a BOM decides; else UTF-8 if the
    /// first 64 KiB are valid UTF-8; else `chardetng`'s guess (GBK/GB18030
    /// for Chinese pages).
    pub encoding: Option<&'static Encoding>,
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

struct Current {
    name: String,
    reader: Box<dyn BufRead + Send>,
    line: u64,
    encoding: &'static Encoding,
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
/// name) and line order. Memory does not grow with the number of listings.
/// A file is read as JSON Lines (records as written by `serde_json` from
/// [`Listing`]) when its name ends in `.jsonl` or its first non-blank byte
/// is `{`; otherwise as raw listing pages.
pub struct CatalogReader {
    files: VecDeque<PathBuf>,
    current: Option<Current>,
    opts: ParseOptions,
    pending: VecDeque<Result<Item>>,
    buf: Vec<u8>,
    scratch: Vec<Result<Listing>>,
    /// Titles found by reliable rules, to split later listings of the same
    /// documents (bounded, see `TitleMemory`).
    titles: TitleMemory,
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
    /// [`Error::Io`] when a path does not exist or a directory cannot be
    /// walked. Errors opening or reading individual files come later, as
    /// items.
    pub fn open(paths: &[impl AsRef<Path>], opts: ParseOptions) -> Result<Self> {
        let mut files = VecDeque::new();
        for p in paths {
            let p = p.as_ref();
            let meta = std::fs::metadata(p)
                .map_err(|err| Error::Io { path: p.display().to_string(), err })?;
            if meta.is_dir() {
                let walk = walkdir::WalkDir::new(p).sort_by_file_name().follow_links(true);
                for entry in walk {
                    let entry = entry.map_err(|e| Error::Io {
                        path: e.path().unwrap_or(p).display().to_string(),
                        err: e.into(),
                    })?;
                    if entry.file_type().is_file() {
                        files.push_back(entry.into_path());
                    }
                }
            } else {
                files.push_back(p.to_path_buf());
            }
        }
        Ok(CatalogReader::empty(files, opts))
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

    fn empty(files: VecDeque<PathBuf>, opts: ParseOptions) -> Self {
        CatalogReader {
            files,
            current: None,
            opts,
            pending: VecDeque::new(),
            buf: Vec::with_capacity(8192),
            scratch: Vec::new(),
            titles: TitleMemory::default(),
        }
    }

    /// Begin reading a source: sniff encoding and mode.
    fn start(
        &mut self,
        name: String,
        mut reader: Box<dyn BufRead + Send>,
        as_of: Option<jiff::Timestamp>,
    ) {
        let (encoding, mode, bom, valid) = match reader.fill_buf() {
            Ok(head) => {
                let (enc, bom, valid) = match Encoding::for_bom(head) {
                    Some((e, n)) => (e, n, 0),
                    None => match self.opts.encoding {
                        Some(e) => (e, 0, 0),
                        None => {
                            let (e, valid) = detect(head);
                            (e, 0, valid)
                        }
                    },
                };
                let first = head[bom..].iter().find(|b| !b.is_ascii_whitespace());
                let mode = if name.ends_with(".jsonl") || first == Some(&b'{') {
                    Mode::Jsonl
                } else {
                    Mode::Raw
                };
                (enc, mode, bom, valid)
            }
            Err(err) => {
                self.pending.push_back(Err(Error::Io { path: name, err }));
                return;
            }
        };
        reader.consume(bom);
        self.current = Some(Current {
            name,
            reader,
            line: 0,
            encoding,
            mode,
            as_of,
            footer: None,
            offset: 0,
            valid,
        });
    }

    fn open_next_file(&mut self) -> bool {
        let Some(path) = self.files.pop_front() else { return false };
        let name = path.display().to_string();
        match File::open(&path) {
            Ok(f) => {
                let as_of = self.opts.as_of.or_else(|| {
                    let m = f.metadata().ok()?.modified().ok()?;
                    jiff::Timestamp::try_from(m).ok()
                });
                self.start(name, Box::new(BufReader::with_capacity(SNIFF, f)), as_of);
            }
            Err(err) => self.pending.push_back(Err(Error::Io { path: name, err })),
        }
        true
    }

    /// Read and process one line of the current source; false at its end.
    fn step(&mut self) -> bool {
        let Some(cur) = self.current.as_mut() else { return false };
        self.buf.clear();
        match cur.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                if let Some(f) = cur.footer.take() {
                    self.pending.push_back(Ok(Item::Footer(f)));
                }
                self.current = None;
                return false;
            }
            Ok(_) => {}
            Err(err) => {
                self.pending.push_back(Err(Error::Io { path: cur.name.clone(), err }));
                self.current = None;
                return false;
            }
        }
        cur.line += 1;
        let line_start = cur.offset;
        cur.offset += self.buf.len();
        // Inside the prefix the detector validated: no need to check again.
        let prevalidated = line_start < cur.offset && cur.offset <= cur.valid;
        let at = Source { file: cur.name.clone(), line: cur.line };
        let (text, had_errors) = if cur.encoding == encoding_rs::UTF_8 {
            match utf8_doubled(&self.buf, prevalidated) {
                Ok(s) => (std::borrow::Cow::Borrowed(s), false),
                Err(_) => (String::from_utf8_lossy(&self.buf), true),
            }
        } else {
            cur.encoding.decode_without_bom_handling(&self.buf)
        };
        if had_errors {
            self.pending
                .push_back(Err(Error::Decode { at: at.clone(), encoding: cur.encoding.name() }));
        }
        let line = text.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            return true;
        }
        if cur.mode == Mode::Jsonl {
            let item = serde_json::from_str::<Listing>(line)
                .map(Item::Listing)
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
        parse_line(line, &at, as_of, Some(&mut self.titles), &mut self.scratch);
        self.pending.extend(self.scratch.drain(..).map(|r| r.map(Item::Listing)));
        true
    }
}

impl Iterator for CatalogReader {
    type Item = Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.current.is_some() {
                self.step();
            } else if !self.open_next_file() {
                return None;
            }
        }
    }
}

/// Encoding of a file without BOM: UTF-8 when the head is valid UTF-8 (a
/// character cut at the end of the head is allowed), else chardetng.
/// Also returns how many leading bytes of `head` are known valid UTF-8
/// (ending on a character boundary), 0 when not UTF-8.
fn detect(head: &[u8]) -> (&'static Encoding, usize) {
    match std::str::from_utf8(head) {
        Ok(_) => (encoding_rs::UTF_8, head.len()),
        Err(e) if e.error_len().is_none() => (encoding_rs::UTF_8, e.valid_up_to()),
        Err(_) => {
            let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            d.feed(head, head.len() < SNIFF);
            (d.guess(Some(b"cn"), chardetng::Utf8Detection::Allow), 0)
        }
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
        std::str::from_utf8(&line[..half])?;
        let tail = std::str::from_utf8(&buf[end..])?;
        debug_assert!(tail.is_ascii());
        // SAFETY: `line` is two copies of the same bytes and the first copy
        // is valid UTF-8 (it ends on a character boundary, being a whole
        // `str`), so their concatenation is valid UTF-8; `buf[end..]` is
        // ASCII line-end bytes.
        return Ok(unsafe { std::str::from_utf8_unchecked(buf) });
    }
    std::str::from_utf8(buf)
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
    /// (the head is the reader's first buffer; here smaller than the input).
    #[test]
    fn invalid_utf8_after_the_head_is_reported() {
        let good = " 标题 正文1 码力 | 2 页 | 3.12 KB | 9 月前4";
        let mut text = Vec::new();
        for _ in 0..40 {
            text.extend_from_slice(format!("{good}{good}\n").as_bytes());
        }
        let mut bad = format!("{good}{good}").into_bytes();
        let half = bad.len() / 2;
        bad[10] = 0xff;
        bad[half + 10] = 0xff;
        text.extend_from_slice(&bad);
        text.push(b'\n');
        for cap in [100, 997, 4096] {
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
            assert_eq!(decode, vec![41], "capacity {cap}");
            assert_eq!(items.iter().filter(|i| matches!(i, Ok(Item::Listing(_)))).count(), 41);
        }
    }
}
