//! The stored record of a listing: one compact text per document.
//!
//! A listing's title and snippet (as written) are pieces of its `raw`
//! text, and their normalised forms are most often equal to them; the
//! record stores `raw` once and the other four as references into it (or
//! as "same as written") whenever they are, and whole otherwise. The JSON
//! record it replaces held the text three times (issue 13).
//!
//! The record is UTF-8 (decimal numbers and tags around the listing's own
//! text); it is stored as one zstd frame (dictionary: [`crate::DICT_FILE`]) in a
//! stored-only bytes field.
//!
//! Layout, after the [`MAGIC`] marker, in this order:
//!
//! | item | encoding |
//! | --- | --- |
//! | `id`, `raw` | string: `LEN:` then `LEN` bytes |
//! | `title`, `snippet`, `size_text` | piece: `@OFF,LEN,` (bytes of `raw`) or `s` + string |
//! | `title_norm`, `snippet_norm` | `=` (same as written), `d` + edits of the text as written with full-width forms folded (see `put_diff`), or `s` + string |
//! | price, pages, size in bytes, trailing, age value | number: decimal digits then `,` |
//! | age unit | one letter |
//! | published | `-` (none), `t` + signed decimal seconds + `,`, or `n` + seconds + `,` + nanoseconds + `,` |
//! | duplicate count | number |
//! | source file, source line | string, number |

use std::sync::Arc;

use jiff::Timestamp;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher};
use wenku_listing::{Age, AgeUnit, Listing, Source};

use crate::{Error, ListingIndex, Result, SegmentCache};

/// First bytes of every record of this format (a record of another
/// format is refused, not misread).
pub const MAGIC: &str = "W1|";

/// Appends the record of `listing` seen `dup_count` times to `out`.
pub fn encode(listing: &Listing, dup_count: u32, out: &mut String) {
    let raw = listing.raw.as_str();
    out.push_str(MAGIC);
    put_str(out, &listing.id);
    put_str(out, raw);
    put_piece(out, raw, &listing.title, 0);
    // the snippet follows the title in `raw`
    let after_title = piece_of(raw, &listing.title, 0).map_or(0, |(o, l)| o + l);
    put_piece(out, raw, &listing.snippet, after_title);
    put_same_or(out, &listing.title_norm, &listing.title);
    put_same_or(out, &listing.snippet_norm, &listing.snippet);
    let tail = raw.len().saturating_sub(listing.size_text.len() + 64);
    put_piece(out, raw, &listing.size_text, tail);
    for n in [
        u64::from(listing.price),
        u64::from(listing.pages),
        listing.size_bytes,
        listing.trailing,
        u64::from(listing.age.value),
    ] {
        put_num(out, n);
    }
    out.push(unit_letter(listing.age.unit));
    match listing.published {
        None => out.push('-'),
        Some(t) => {
            // whole seconds (the parser's usual output), or with nanoseconds
            let nanos = t.subsec_nanosecond();
            out.push(if nanos == 0 { 't' } else { 'n' });
            put_signed(out, t.as_second());
            if nanos != 0 {
                put_num(out, nanos.unsigned_abs().into());
            }
        }
    }
    put_num(out, u64::from(dup_count));
    put_str(out, &listing.source.file);
    put_num(out, listing.source.line);
}

/// Decodes a record written by [`encode`]: the listing and its duplicate
/// count.
///
/// # Errors
/// [`Error::CorruptDocument`] when `text` is not such a record.
pub fn decode(text: &str) -> Result<(Listing, u32)> {
    let mut c = Cursor::new(text)?;
    let id = c.string()?.to_string();
    let raw = c.string()?;
    let title = c.piece(raw)?;
    let snippet = c.piece(raw)?;
    let title_norm = c.same_or(title)?;
    let snippet_norm = c.same_or(snippet)?;
    let size_text = c.piece(raw)?;
    let price = c.num_u32()?;
    let pages = c.num_u32()?;
    let size_bytes = c.num()?;
    let trailing = c.num()?;
    let age_value = c.num_u32()?;
    let unit = letter_unit(c.byte()?).ok_or_else(|| corrupt("unknown age unit"))?;
    let published = match c.byte()? {
        b'-' => None,
        b't' => Some(Timestamp::from_second(c.signed()?).map_err(|_| corrupt("publication time"))?),
        b'n' => {
            let secs = c.signed()?;
            let nanos = i32::try_from(c.num()?).map_err(|_| corrupt("publication time"))?;
            // a negative time's fraction is negative too
            let nanos = if secs < 0 { -nanos } else { nanos };
            Some(Timestamp::new(secs, nanos).map_err(|_| corrupt("publication time"))?)
        }
        _ => return Err(corrupt("publication time")),
    };
    let dup_count = c.num_u32()?;
    let file = c.string()?.to_string();
    let line = c.num()?;
    if !c.rest().is_empty() {
        return Err(corrupt("bytes after the record"));
    }
    let listing = Listing {
        id,
        title: title.to_string(),
        snippet: snippet.to_string(),
        title_norm: title_norm.into_owned(),
        snippet_norm: snippet_norm.into_owned(),
        raw: raw.to_string(),
        price,
        pages,
        size_bytes,
        size_text: size_text.to_string(),
        age: Age { value: age_value, unit },
        published,
        trailing,
        source: Source { file, line },
    };
    Ok((listing, dup_count))
}

/// The listing id at the start of a record, without decoding the rest.
///
/// # Errors
/// [`Error::CorruptDocument`] when `text` is not a record.
pub fn decode_id(text: &str) -> Result<&str> {
    Cursor::new(text)?.string()
}

/// The stored record of the document at `addr` of `index`, as text.
///
/// Reads the document's bytes from tantivy's doc store and takes the
/// record's frame out of them directly (`frame_of`), then decompresses it
/// (dictionary: [`crate::DICT_FILE`]). tantivy's own document reader copies
/// a bytes value one byte at a time (`Vec<u8>`'s `BinarySerializable`), a
/// quarter of fetching a record (perf); a layout that is not the expected
/// one is read by tantivy's reader instead.
///
/// # Errors
/// From tantivy, or [`Error::CorruptDocument`] when the document has no
/// record or its frame does not decompress.
pub fn fetch_text(index: &ListingIndex, searcher: &Searcher, addr: DocAddress) -> Result<String> {
    let store = index.stores().get_or_try_open(searcher, addr.segment_ord, |seg| {
        seg.get_store_reader(0).map(Arc::new).map_err(tantivy::TantivyError::from)
    })?;
    let doc = store.get_document_bytes(addr.doc_id)?;
    if let Some(frame) = frame_of(&doc) {
        return index.codec().decompress(frame);
    }
    let RecordBytes(bytes) = searcher.doc(addr)?;
    index.codec().decompress(&bytes.ok_or_else(|| corrupt("no stored record"))?)
}

/// tantivy's type code of a bytes value (`schema::document::type_codes`,
/// not public).
const BYTES_CODE: u8 = 4;

/// The record frame inside a stored document's bytes, when they hold what
/// a wenku writer stores: one value (`doc`), of type bytes. tantivy's
/// layout (doc store version 2): the number of values as a `VInt`, then
/// per value its field (`u32`, little endian), its type code and, for
/// bytes, their length as a `VInt` and the bytes. `None` for anything else.
pub(crate) fn frame_of(doc: &[u8]) -> Option<&[u8]> {
    let (values, rest) = vint(doc)?;
    let rest = rest.get(4..).filter(|_| values == 1)?;
    let (&code, rest) = rest.split_first()?;
    let (len, rest) = vint(rest).filter(|_| code == BYTES_CODE)?;
    (rest.len() as u64 == len).then_some(rest)
}

/// tantivy's `VInt`: seven bits a byte, the lowest first, the last byte
/// marked by its high bit; and the bytes after it.
fn vint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 != 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

/// The doc store reader of each segment (the searcher's own are not
/// public), opened once per segment. Without a block cache: the store is
/// not compressed ([`crate::index`]'s settings), so a block is a copy.
pub(crate) type Stores = SegmentCache<Arc<StoreReader>>;

/// The only stored value of a document: its record's frame.
struct RecordBytes(Option<Vec<u8>>);

impl DocumentDeserialize for RecordBytes {
    fn deserialize<'de, D>(mut deserializer: D) -> std::result::Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        // the schema stores one value per document (`doc`); the frame and
        // the record format marker are checked when it is decoded
        let mut bytes = None;
        while let Some((_, value)) = deserializer.next_field::<Vec<u8>>()? {
            bytes.get_or_insert(value);
        }
        Ok(RecordBytes(bytes))
    }
}

fn corrupt(what: &'static str) -> Error {
    Error::CorruptDocument(what)
}

/// `n` in decimal digits.
fn push_decimal(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn put_num(out: &mut String, n: u64) {
    push_decimal(out, n);
    out.push(',');
}

/// A signed number (`-` then the digits when negative), then `,`.
fn put_signed(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    put_num(out, n.unsigned_abs());
}

fn put_str(out: &mut String, s: &str) {
    push_decimal(out, s.len() as u64);
    out.push(':');
    out.push_str(s);
}

/// Where `piece` occurs in `raw`, searching from byte `from` first, then
/// from the start.
fn piece_of(raw: &str, piece: &str, from: usize) -> Option<(usize, usize)> {
    let from = (from..=raw.len()).find(|&i| raw.is_char_boundary(i)).unwrap_or(raw.len());
    // the usual case, without setting up a substring search
    if raw[from..].starts_with(piece) {
        return Some((from, piece.len()));
    }
    let skip = raw[from..].len() - raw[from..].trim_start().len();
    if raw[from + skip..].starts_with(piece) {
        return Some((from + skip, piece.len()));
    }
    raw[from..]
        .find(piece)
        .map(|o| (from + o, piece.len()))
        .or_else(|| raw.find(piece).map(|o| (o, piece.len())))
}

fn put_piece(out: &mut String, raw: &str, piece: &str, from: usize) {
    match piece_of(raw, piece, from) {
        Some((off, len)) => {
            out.push('@');
            put_num(out, off as u64);
            put_num(out, len as u64);
        }
        None => {
            out.push('s');
            put_str(out, piece);
        }
    }
}

fn put_same_or(out: &mut String, s: &str, written: &str) {
    if s == written {
        out.push('=');
        return;
    }
    let mark = out.len();
    out.push('d');
    if put_diff(out, &fold_width(written), s) && out.len() - mark < s.len() + 8 {
        return;
    }
    out.truncate(mark);
    out.push('s');
    put_str(out, s);
}

/// The text as written with full-width ASCII forms and the ideographic
/// space made half-width: the most frequent change normalisation makes
/// (`，` → `,`), taken out of the edits so that they stay few.
fn fold_width(s: &str) -> std::borrow::Cow<'_, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    let Some(first) = s.find(wide) else { return s.into() };
    // the text between wide forms copied in runs (a character at a time
    // was two thirds of `put_same_or`: Chinese text has `，` everywhere)
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut run = first;
    for (i, c) in s[first..].char_indices() {
        if wide(c) {
            out.push_str(&s[run..first + i]);
            out.push(match c {
                '\u{3000}' => ' ',
                c => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            });
            run = first + i + c.len_utf8();
        }
    }
    out.push_str(&s[run..]);
    out.into()
}

/// How far ahead (in characters, on each side) an edit may reach before
/// the two texts agree again; past that the text is stored whole.
const DIFF_WINDOW: usize = 24;

/// Writes `target` as edits of `base` (what normalisation did to the text
/// as written: mostly one character for another, a doubled character
/// dropped, a dot leader collapsed): `cN,` copies N bytes of `base`, `kN,`
/// skips N bytes of it, `iLEN:…` inserts text, `.` ends. Returns false
/// (the caller stores `target` whole) when the edits would not be short.
fn put_diff(out: &mut String, base: &str, target: &str) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut edits = 0;
    while i < base.len() || j < target.len() {
        let same = common_prefix(&base[i..], &target[j..]);
        if same > 0 {
            out.push('c');
            put_num(out, same as u64);
            i += same;
            j += same;
            continue;
        }
        edits += 1;
        if edits > 64 {
            return false;
        }
        let (a, b) = resync(&base[i..], &target[j..]);
        if a > 0 {
            out.push('k');
            put_num(out, a as u64);
        }
        if b > 0 {
            out.push('i');
            put_str(out, &target[j..j + b]);
        }
        i += a;
        j += b;
    }
    out.push('.');
    true
}

/// Length in bytes of the longest common prefix, in whole characters.
fn common_prefix(a: &str, b: &str) -> usize {
    // 16 bytes at a time first: a record's texts agree over most of their
    // length, and comparing them byte by byte was half of `put_same_or`
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let len = x.len().min(y.len());
    let mut n = 0;
    while n + 16 <= len && x[n..n + 16] == y[n..n + 16] {
        n += 16;
    }
    while n < len && x[n] == y[n] {
        n += 1;
    }
    (0..=n).rev().find(|&k| a.is_char_boundary(k) && b.is_char_boundary(k)).unwrap_or(0)
}

/// The shortest edit (bytes of `a` to skip, bytes of `b` to insert) after
/// which the two texts agree on the next two characters (or both end);
/// everything that is left when none is found within [`DIFF_WINDOW`].
fn resync(a: &str, b: &str) -> (usize, usize) {
    // the first DIFF_WINDOW + 1 character starts (the end included), on
    // the stack: this runs for every edit of every record
    let ends = |s: &str| -> ([usize; DIFF_WINDOW + 1], usize) {
        let mut e = [0; DIFF_WINDOW + 1];
        let mut n = 0;
        for k in s.char_indices().map(|(k, _)| k).chain([s.len()]).take(DIFF_WINDOW + 1) {
            e[n] = k;
            n += 1;
        }
        (e, n)
    };
    let ((ea, na), (eb, nb)) = (ends(a), ends(b));
    let (ea, eb) = (&ea[..na], &eb[..nb]);
    let agree = |x: &str, y: &str| {
        let mut cx = x.chars();
        let mut cy = y.chars();
        (0..2).all(|_| cx.next() == cy.next())
    };
    for d in 1..ea.len() + eb.len() {
        for da in 0..=d {
            let db = d - da;
            let (Some(&pa), Some(&pb)) = (ea.get(da), eb.get(db)) else { continue };
            if agree(&a[pa..], &b[pb..]) {
                return (pa, pb);
            }
        }
    }
    (a.len(), b.len())
}

/// Applies the edits written by [`put_diff`] to `base`.
fn apply_diff(c: &mut Cursor<'_>, base: &str) -> Result<String> {
    let mut out = String::with_capacity(base.len());
    let mut i = 0usize;
    loop {
        match c.byte()? {
            b'c' => {
                let n = usize::try_from(c.num()?).unwrap_or(usize::MAX);
                let end = i.checked_add(n).ok_or_else(|| corrupt("edit out of bounds"))?;
                out.push_str(base.get(i..end).ok_or_else(|| corrupt("edit out of bounds"))?);
                i = end;
            }
            b'k' => {
                let n = usize::try_from(c.num()?).unwrap_or(usize::MAX);
                i = i.checked_add(n).ok_or_else(|| corrupt("edit out of bounds"))?;
            }
            b'i' => out.push_str(c.string()?),
            b'.' => return Ok(out),
            _ => return Err(corrupt("expected an edit")),
        }
    }
}

fn unit_letter(unit: AgeUnit) -> char {
    match unit {
        AgeUnit::Second => 's',
        AgeUnit::Min => 'm',
        AgeUnit::Hour => 'h',
        AgeUnit::Day => 'd',
        AgeUnit::Week => 'w',
        AgeUnit::Month => 'M',
        AgeUnit::Year => 'y',
    }
}

fn letter_unit(b: u8) -> Option<AgeUnit> {
    Some(match b {
        b's' => AgeUnit::Second,
        b'm' => AgeUnit::Min,
        b'h' => AgeUnit::Hour,
        b'd' => AgeUnit::Day,
        b'w' => AgeUnit::Week,
        b'M' => AgeUnit::Month,
        b'y' => AgeUnit::Year,
        _ => return None,
    })
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Result<Self> {
        if !text.starts_with(MAGIC) {
            return Err(corrupt("not a record of this format"));
        }
        Ok(Cursor { text, at: MAGIC.len() })
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn byte(&mut self) -> Result<u8> {
        let b = *self.text.as_bytes().get(self.at).ok_or_else(|| corrupt("record cut short"))?;
        self.at += 1;
        Ok(b)
    }

    /// Decimal digits up to `end`.
    fn digits(&mut self, end: u8) -> Result<u64> {
        let bytes = self.text.as_bytes();
        let mut n: u64 = 0;
        let start = self.at;
        loop {
            let b = *bytes.get(self.at).ok_or_else(|| corrupt("record cut short"))?;
            self.at += 1;
            match b {
                b'0'..=b'9' => {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(b - b'0')))
                        .ok_or_else(|| corrupt("number out of range"))?;
                }
                _ if b == end && self.at - start > 1 => return Ok(n),
                _ => return Err(corrupt("expected a number")),
            }
        }
    }

    fn num(&mut self) -> Result<u64> {
        self.digits(b',')
    }

    fn num_u32(&mut self) -> Result<u32> {
        u32::try_from(self.num()?).map_err(|_| corrupt("number out of range"))
    }

    fn signed(&mut self) -> Result<i64> {
        let negative = self.text.as_bytes().get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let n = self.num()?;
        let n = i64::try_from(n).map_err(|_| corrupt("number out of range"))?;
        Ok(if negative { -n } else { n })
    }

    fn string(&mut self) -> Result<&'a str> {
        let len = usize::try_from(self.digits(b':')?).unwrap_or(usize::MAX);
        let end = self.at.checked_add(len).ok_or_else(|| corrupt("record cut short"))?;
        let s = self.text.get(self.at..end).ok_or_else(|| corrupt("string out of bounds"))?;
        self.at = end;
        Ok(s)
    }

    fn piece(&mut self, raw: &'a str) -> Result<&'a str> {
        match self.byte()? {
            b'@' => {
                let off = usize::try_from(self.num()?).unwrap_or(usize::MAX);
                let len = usize::try_from(self.num()?).unwrap_or(usize::MAX);
                let end = off.checked_add(len).ok_or_else(|| corrupt("piece out of bounds"))?;
                raw.get(off..end).ok_or_else(|| corrupt("piece out of bounds"))
            }
            b's' => self.string(),
            _ => Err(corrupt("expected a piece")),
        }
    }

    fn same_or(&mut self, written: &'a str) -> Result<std::borrow::Cow<'a, str>> {
        match self.byte()? {
            b'=' => Ok(written.into()),
            b's' => self.string().map(Into::into),
            b'd' => apply_diff(self, &fold_width(written)).map(Into::into),
            _ => Err(corrupt("expected a normalised text")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing of the bundled sample pages (the seed page and dev
    /// pages, noisy ones included).
    fn listings() -> Vec<Listing> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample");
        let reader = wenku_listing::CatalogReader::open(&[dir], Default::default()).unwrap();
        reader
            .filter_map(|item| match item {
                Ok(wenku_listing::Item::Listing(l)) => Some(l),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_listing_of_the_sample_pages_round_trips_stored_about_once() {
        let all = listings();
        assert!(all.len() >= 50, "{} listings", all.len());
        let mut out = String::new();
        let (mut stored, mut once, mut edited) = (0, 0, 0);
        for (i, l) in all.iter().enumerate() {
            out.clear();
            encode(l, i as u32 + 1, &mut out);
            let (back, dups) = decode(&out).unwrap();
            assert_eq!(&back, l);
            assert_eq!(dups, i as u32 + 1);
            assert_eq!(decode_id(&out).unwrap(), l.id);
            stored += out.len();
            once += l.raw.len() + l.id.len() + l.source.file.len();
            edited += usize::from(l.snippet_norm != l.snippet);
        }
        // normalisation changed many snippets, yet the text is stored once:
        // what is added is tags, numbers and the edits of normalisation
        // (under 150 bytes a record; the JSON record held the text 3 times)
        assert!(edited * 4 > all.len(), "{edited} of {} snippets normalised", all.len());
        assert!(
            stored < once + 150 * all.len(),
            "{stored} bytes stored for {once} in {} records",
            all.len()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_normalised_text_is_rebuilt_from_its_edits(
            base in "[a-c，。利⽤用 ·.]{0,40}",
            target in "[a-c,。利用 .]{0,40}",
        ) {
            let mut out = String::from(MAGIC);
            put_same_or(&mut out, &target, &base);
            let mut c = Cursor::new(&out).unwrap();
            proptest::prop_assert_eq!(c.same_or(&base).unwrap(), target.as_str());
            proptest::prop_assert!(c.rest().is_empty());
        }
    }

    proptest::proptest! {
        #[test]
        fn common_prefix_is_the_longest_in_whole_characters(
            same in "[ab利用，]{0,40}",
            a in "[ab利用，]{0,8}",
            b in "[ab利用，]{0,8}",
        ) {
            let (a, b) = (format!("{same}{a}"), format!("{same}{b}"));
            let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let want = (0..=n).rev().find(|&k| a.is_char_boundary(k) && b.is_char_boundary(k));
            proptest::prop_assert_eq!(common_prefix(&a, &b), want.unwrap_or(0));
        }
    }

    proptest::proptest! {
        #[test]
        fn fold_width_folds_each_wide_form(s in "[a利，（）　！～ｚ]{0,30}") {
            let want: String = s
                .chars()
                .map(|c| match c {
                    '\u{3000}' => ' ',
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
                    c => c,
                })
                .collect();
            let got = fold_width(&s);
            proptest::prop_assert_eq!(got.as_ref(), want.as_str());
        }
    }

    #[test]
    fn texts_not_in_raw_and_odd_values_round_trip() {
        let mut l = listings().remove(0);
        l.title = "不在原文里的标题".into();
        l.snippet = String::new();
        l.title_norm = "x:1,@2,".into();
        l.size_text = "3 MB".into();
        l.published = Some(Timestamp::from_second(-86_400 * 400).unwrap());
        l.source.file = "目录/第 1 页.txt".into();
        l.trailing = u64::MAX;
        for unit in [AgeUnit::Second, AgeUnit::Min, AgeUnit::Week, AgeUnit::Month] {
            l.age.unit = unit;
            let mut out = String::new();
            encode(&l, u32::MAX, &mut out);
            assert_eq!(decode(&out).unwrap(), (l.clone(), u32::MAX));
        }
        l.published = Some(Timestamp::new(-5, -250).unwrap());
        let mut out = String::new();
        encode(&l, 1, &mut out);
        assert_eq!(decode(&out).unwrap().0, l);
        l.published = None;
        let mut out = String::new();
        encode(&l, 1, &mut out);
        assert_eq!(decode(&out).unwrap().0, l);
    }

    #[test]
    fn a_cut_or_foreign_record_is_refused() {
        let l = listings().remove(0);
        let mut out = String::new();
        encode(&l, 1, &mut out);
        for cut in [out.len() - 1, out.len() / 2, MAGIC.len() + 1, 2] {
            let Some(part) = out.get(..cut) else { continue };
            assert!(decode(part).is_err(), "cut at {cut}");
        }
        assert!(decode(&format!("{out}x")).is_err());
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(
            decode(&json).unwrap_err().to_string(),
            "stored document is corrupt: not a record of this format"
        );
    }

    /// Every document the writer stores for the sample pages is read by the
    /// direct path ([`frame_of`] finds its frame), and the frame is the
    /// value tantivy's own document reader returns.
    #[test]
    fn stored_frames_read_directly_equal_tantivys_reading() {
        let all = listings();
        let index = ListingIndex::create_in_ram(Default::default()).unwrap();
        let opts = crate::WriterOptions { threads: 1, heap_bytes: 20 << 20, ..Default::default() };
        let mut w = index.writer(&opts).unwrap();
        for l in &all {
            w.add(l).unwrap();
        }
        w.commit().unwrap();
        let reader = index.reader().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        let mut n = 0;
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let store = index
                .stores()
                .get_or_try_open(&searcher, ord as u32, |seg| seg.get_store_reader(0).map(Arc::new))
                .unwrap();
            for doc in seg.doc_ids_alive() {
                let bytes = store.get_document_bytes(doc).unwrap();
                let RecordBytes(theirs) = searcher.doc(DocAddress::new(ord as u32, doc)).unwrap();
                assert_eq!(frame_of(&bytes), Some(theirs.unwrap().as_slice()), "doc {doc}");
                let text = fetch_text(&index, &searcher, DocAddress::new(ord as u32, doc)).unwrap();
                assert!(decode(&text).is_ok());
                n += 1;
            }
        }
        assert!(n >= 50, "{n} documents");
    }

    /// Bytes of another layout are refused, so that tantivy's reader gets
    /// them: two values, another type code, a length that disagrees, a cut
    /// anywhere; and no byte sequence panics.
    #[test]
    fn frame_of_refuses_other_layouts() {
        // one value, field 7, bytes "abc"
        let good = [0x81, 7, 0, 0, 0, BYTES_CODE, 0x83, b'a', b'b', b'c'];
        assert_eq!(frame_of(&good), Some(&b"abc"[..]));
        let mut two = good;
        two[0] = 0x82;
        assert_eq!(frame_of(&two), None);
        let mut text = good;
        text[5] = 0;
        assert_eq!(frame_of(&text), None);
        assert_eq!(frame_of(&[&good[..], b"d"].concat()), None);
        for cut in 0..good.len() {
            assert_eq!(frame_of(&good[..cut]), None, "cut at {cut}");
        }
        // a length of 200 in two bytes
        let long: Vec<u8> =
            [&[0x81, 0, 0, 0, 0, BYTES_CODE, 0x48, 0x81][..], &[b'x'; 200]].concat();
        assert_eq!(frame_of(&long).map(<[u8]>::len), Some(200));
        proptest::proptest!(|(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64))| {
            let _ = frame_of(&bytes);
        });
    }

    /// A merge leaves the store readers of the segments it replaced out of
    /// the cache (their mapped files would keep the disk space the merge
    /// freed): after reading from the merged index, the cache holds its
    /// segment only.
    #[test]
    fn store_readers_of_merged_segments_are_dropped() {
        let all = listings();
        let index = ListingIndex::create_in_ram(Default::default()).unwrap();
        let opts = crate::WriterOptions {
            threads: 1,
            heap_bytes: 20 << 20,
            merge_after_bulk: false,
            ..Default::default()
        };
        for part in all.chunks(all.len() / 2 + 1) {
            let mut w = index.writer(&opts).unwrap();
            for l in part {
                w.add(l).unwrap();
            }
            w.commit().unwrap();
        }
        let read_all = |searcher: &Searcher| {
            for (ord, seg) in searcher.segment_readers().iter().enumerate() {
                for doc in seg.doc_ids_alive() {
                    fetch_text(&index, searcher, DocAddress::new(ord as u32, doc)).unwrap();
                }
            }
        };
        let ids = |searcher: &Searcher| {
            let mut v: Vec<tantivy::index::SegmentId> =
                searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
            v.sort();
            v
        };
        let cached = || {
            let mut v = index.stores().segments();
            v.sort();
            v
        };
        let reader = index.reader().unwrap();
        reader.reload().unwrap();
        let before = reader.searcher();
        read_all(&before);
        assert!(before.segment_readers().len() >= 2);
        assert_eq!(cached(), ids(&before));

        let segments = index.tantivy().searchable_segment_ids().unwrap();
        let mut w: tantivy::IndexWriter =
            index.tantivy().writer_with_num_threads(1, 20 << 20).unwrap();
        w.merge(&segments).wait().unwrap();
        w.wait_merging_threads().unwrap();
        reader.reload().unwrap();
        let after = reader.searcher();
        assert_eq!(after.segment_readers().len(), 1);
        read_all(&after);
        assert_eq!(cached(), ids(&after));
    }
}
