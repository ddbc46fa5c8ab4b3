//! Compression of the stored records: one zstd frame per record, with a
//! dictionary trained on the index's first records.
//!
//! A record is about a kilobyte of text. Compressed alone it shrinks little
//! (zstd: 0.70 of its size on the dev corpus); compressed in blocks of
//! records by tantivy's doc store (LZ4, 16 KiB), every hit of a results
//! page decompresses a whole block. With a dictionary (zstd's trainer, on
//! the first [`SAMPLE_BYTES`] of records a writer sees), a record alone
//! compresses to 0.34–0.41 of its size on dev-corpus records the dictionary
//! was not trained on (docs/benchmarks.md, "Records: one zstd frame per
//! record"), and a hit decompresses only its own record, with a context
//! kept per thread (tantivy 0.27 makes a zstd context per block it reads).
//! The doc store itself is then left uncompressed.
//!
//! Stored value: one byte, [`PLAIN`] or [`WITH_DICT`], then the frame. The
//! dictionary lives in the index directory ([`DICT_FILE`]), written
//! atomically before the first record that uses it is added, and never
//! changed afterwards; a frame names its dictionary's id, checked on read.
//! Records written before an index had a dictionary (runs too small to
//! train one) stay [`PLAIN`]; the first run whose records, with the
//! index's own, reach [`MIN_SAMPLE_BYTES`] trains it on both.

use std::cell::RefCell;
use std::path::Path;
use std::sync::{Arc, RwLock};

use tantivy::Directory;
use zstd::zstd_safe::{CCtx, CDict, DCtx, DDict};

use crate::{Error, Result};

/// File (inside the index directory) holding the records' dictionary.
pub const DICT_FILE: &str = "records.zdict";

/// Stored-value tag: a zstd frame without dictionary.
const PLAIN: u8 = b'0';
/// Stored-value tag: a zstd frame made with the index's dictionary.
const WITH_DICT: u8 = b'1';

/// zstd level of the records (measured: docs/benchmarks.md).
const LEVEL: i32 = 3;

/// Bytes of records a writer collects (in input order) to train the
/// dictionary on, when the index has none. 2 MiB (4 MiB before): the
/// training took 20 % of the instructions of indexing 10k listings and
/// half the sample halves it; with a dictionary of the same size the
/// index of 100k generated listings is 0.7 % larger (docs/benchmarks.md,
/// "Indexing CPU outside parsing"). With one fastCover pass instead of
/// zstd's parameter search ([`FAST_COVER_K`]) the training is 4 % of
/// indexing 10k listings.
pub(crate) const SAMPLE_BYTES: usize = 2 << 20;

/// Fewer sample bytes than this train no dictionary (zstd's trainer
/// recommends about a hundred times the dictionary's size).
const MIN_SAMPLE_BYTES: usize = 256 << 10;

/// Largest dictionary (zstd's default size).
const MAX_DICT_BYTES: usize = 112 << 10;

/// zstd's fastCover trainer's segment size `k` and d-mer size `d`. zstd's
/// `ZDICT_trainFromBuffer` searches five `k` (50 to 1998, with `d` = 8),
/// building and scoring a dictionary for each; on the dev corpus's records
/// and on a generated 10k catalog's it chose `k` = 537 both times.
/// Training once with that `k`, on the whole sample, takes 0.27 of the
/// instructions and 0.29 of the time (10k catalog; docs/benchmarks.md,
/// "Session 17").
const FAST_COVER_K: u32 = 537;
const FAST_COVER_D: u32 = 8;

/// A dictionary of at most `capacity` bytes trained on `data`, the
/// samples of `sizes` concatenated; `None` when zstd's trainer declines
/// (too few or too small samples).
fn train_fast_cover(data: &[u8], sizes: &[usize], capacity: usize) -> Option<Vec<u8>> {
    use zstd_sys::{
        ZDICT_fastCover_params_t, ZDICT_isError, ZDICT_params_t, ZDICT_trainFromBuffer_fastCover,
    };
    if sizes.iter().sum::<usize>() != data.len() {
        return None;
    }
    let count = u32::try_from(sizes.len()).ok()?;
    let params = ZDICT_fastCover_params_t {
        k: FAST_COVER_K,
        d: FAST_COVER_D,
        // zero: zstd's defaults (f = 20, accel = 1, one thread, no
        // shrinking; the whole sample trains)
        f: 0,
        steps: 0,
        nbThreads: 0,
        splitPoint: 0.0,
        accel: 0,
        shrinkDict: 0,
        shrinkDictMaxRegression: 0,
        zParams: ZDICT_params_t { compressionLevel: LEVEL, notificationLevel: 0, dictID: 0 },
    };
    let mut out = vec![0u8; capacity];
    // SAFETY: `out` is writable for `capacity` bytes; `data` is readable
    // for the sum of `sizes`, which is its length (checked above), and
    // `sizes` holds `count` elements. zstd reads and writes nothing else
    // and keeps no pointer after returning.
    let written = unsafe {
        ZDICT_trainFromBuffer_fastCover(
            out.as_mut_ptr().cast(),
            capacity,
            data.as_ptr().cast(),
            sizes.as_ptr(),
            count,
            params,
        )
    };
    // SAFETY: a plain function of the returned code.
    if unsafe { ZDICT_isError(written) } != 0 || written > capacity {
        return None;
    }
    out.truncate(written);
    Some(out)
}

/// Largest record a frame may announce (a damaged frame must not make
/// the reader allocate gigabytes).
const MAX_RECORD_BYTES: u64 = 256 << 20;

/// A trained dictionary, prepared for both directions.
pub(crate) struct Dictionary {
    id: u32,
    cdict: CDict<'static>,
    ddict: DDict<'static>,
}

impl Dictionary {
    fn new(bytes: &[u8]) -> Option<Self> {
        let id = zstd::zstd_safe::get_dict_id_from_dict(bytes)?.get();
        let cdict = CDict::try_create(bytes, LEVEL)?;
        let ddict = DDict::try_create(bytes)?;
        Some(Dictionary { id, cdict, ddict })
    }
}

/// The records' codec of one index: its dictionary, if it has one.
/// Clones share the dictionary.
#[derive(Clone)]
pub(crate) struct Codec {
    dir: Box<dyn Directory>,
    dict: Arc<RwLock<Option<Arc<Dictionary>>>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec").field("dictionary", &self.dictionary().map(|d| d.id)).finish()
    }
}

thread_local! {
    static DCTX: RefCell<DCtx<'static>> = RefCell::new(DCtx::create());
}

fn read_dict(dir: &dyn Directory) -> Result<Option<Arc<Dictionary>>> {
    let path = Path::new(DICT_FILE);
    match dir.atomic_read(path) {
        Ok(bytes) => Dictionary::new(&bytes)
            .map(|d| Some(Arc::new(d)))
            .ok_or(Error::CorruptDocument("the records' dictionary is not a zstd dictionary")),
        Err(tantivy::directory::error::OpenReadError::FileDoesNotExist(_)) => Ok(None),
        Err(e) => Err(Error::Tantivy(e.into())),
    }
}

impl Codec {
    /// The codec of the index in `dir` (its dictionary read, if any).
    /// `dir` must not be tantivy's managed directory, which would remove
    /// the dictionary as garbage.
    pub(crate) fn load(dir: Box<dyn Directory>) -> Result<Self> {
        let dict = read_dict(&*dir)?;
        Ok(Codec { dir, dict: Arc::new(RwLock::new(dict)) })
    }

    /// The dictionary new records are compressed with.
    pub(crate) fn dictionary(&self) -> Option<Arc<Dictionary>> {
        self.dict.read().ok()?.clone()
    }

    /// The dictionary as the index directory has it now (another process
    /// may have trained it since this one opened the index). A writer
    /// calls it once it holds the index's writer lock, so that nothing
    /// trains meanwhile.
    pub(crate) fn refresh(&self) -> Result<Option<Arc<Dictionary>>> {
        let on_disk = read_dict(&*self.dir)?;
        if let (Some(d), Ok(mut slot)) = (&on_disk, self.dict.write()) {
            *slot = Some(d.clone());
        }
        Ok(on_disk)
    }

    /// Trains a dictionary on `samples` (records in input order), writes it
    /// to the index directory and makes it the codec's. `Ok(false)` when
    /// there is too little to train on, or the trainer declines. Never
    /// replaces a dictionary the directory has (records name it): the
    /// caller holds the writer lock and has [`refresh`](Self::refresh)ed.
    pub(crate) fn train(&self, samples: &[&str]) -> Result<bool> {
        if self.dir.exists(Path::new(DICT_FILE)).unwrap_or(true) {
            return Ok(false);
        }
        let total: usize = samples.iter().map(|s| s.len()).sum();
        if total < MIN_SAMPLE_BYTES {
            return Ok(false);
        }
        let data: Vec<u8> = samples.iter().flat_map(|s| s.bytes()).collect();
        let sizes: Vec<usize> = samples.iter().map(|s| s.len()).collect();
        // a sixteenth of the sample: the largest size from a full sample
        let size = (total / 16).clamp(16 << 10, MAX_DICT_BYTES);
        let started = std::time::Instant::now();
        let Some(bytes) = train_fast_cover(&data, &sizes, size) else {
            tracing::debug!("no records dictionary: zstd's trainer declined");
            return Ok(false);
        };
        let Some(dict) = Dictionary::new(&bytes) else { return Ok(false) };
        self.dir
            .atomic_write(Path::new(DICT_FILE), &bytes)
            .map_err(|e| Error::Tantivy(tantivy::TantivyError::from(e)))?;
        tracing::debug!(
            "records dictionary {} of {} bytes, trained on {total} bytes in {:?}",
            dict.id,
            bytes.len(),
            started.elapsed()
        );
        if let Ok(mut slot) = self.dict.write() {
            *slot = Some(Arc::new(dict));
        }
        Ok(true)
    }

    /// The stored value of `record`, compressed with `dict` (or without).
    ///
    /// # Errors
    /// [`Error::Compression`] when zstd fails (it cannot run out of room:
    /// the buffer holds its bound).
    #[cfg(test)]
    pub(crate) fn compress(
        cctx: &mut CCtx<'static>,
        dict: Option<&Dictionary>,
        record: &str,
    ) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        let n = Self::compress_into(cctx, dict, record, &mut buf)?.len();
        buf.truncate(n);
        Ok(buf)
    }

    /// The stored value of `record`, compressed with `dict` (or without),
    /// written at the start of `buf` (grown when too small, never shrunk:
    /// a writer reuses one buffer for all its records).
    ///
    /// # Errors
    /// [`Error::Compression`] when zstd fails (it cannot run out of room:
    /// the buffer holds its bound).
    pub(crate) fn compress_into<'b>(
        cctx: &mut CCtx<'static>,
        dict: Option<&Dictionary>,
        record: &str,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8]> {
        let src = record.as_bytes();
        let need = 1 + zstd::zstd_safe::compress_bound(src.len());
        if buf.len() < need {
            buf.resize(need, 0);
        }
        buf[0] = if dict.is_some() { WITH_DICT } else { PLAIN };
        let out = &mut buf[1..need];
        let done = match dict {
            Some(d) => cctx.compress_using_cdict(out, src, &d.cdict),
            None => cctx.compress(out, src, LEVEL),
        };
        let n = done.map_err(|code| Error::Compression(zstd::zstd_safe::get_error_name(code)))?;
        Ok(&buf[..1 + n])
    }

    /// The record text of a stored value.
    ///
    /// # Errors
    /// [`Error::CorruptDocument`] for a value that is not a frame of this
    /// index, or whose dictionary is missing.
    pub(crate) fn decompress(&self, stored: &[u8]) -> Result<String> {
        let corrupt = Error::CorruptDocument;
        let (&tag, frame) = stored.split_first().ok_or(corrupt("empty record"))?;
        let size = match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(n)) if n <= MAX_RECORD_BYTES => n as usize,
            _ => return Err(corrupt("record is not a zstd frame of known size")),
        };
        let mut out = Vec::with_capacity(size);
        let done = match tag {
            PLAIN => DCTX.with(|c| c.borrow_mut().decompress(&mut out, frame)),
            WITH_DICT => {
                let id = zstd::zstd_safe::get_dict_id_from_frame(frame).map_or(0, |i| i.get());
                let dict = self.dictionary_with_id(id)?;
                DCTX.with(|c| c.borrow_mut().decompress_using_ddict(&mut out, frame, &dict.ddict))
            }
            _ => return Err(corrupt("unknown record tag")),
        };
        if done.is_err() || out.len() != size {
            return Err(corrupt("record frame does not decompress"));
        }
        // simdutf8: std's check was 40 % of decompressing a record (callgrind)
        if simdutf8::basic::from_utf8(&out).is_err() {
            return Err(corrupt("record is not UTF-8"));
        }
        // SAFETY: `out` was validated as UTF-8 just above
        Ok(unsafe { String::from_utf8_unchecked(out) })
    }

    /// The dictionary with `id`: the codec's, or (when another process
    /// trained it after this one opened the index) read again.
    fn dictionary_with_id(&self, id: u32) -> Result<Arc<Dictionary>> {
        if let Some(d) = self.dictionary().filter(|d| d.id == id) {
            return Ok(d);
        }
        match read_dict(&*self.dir)? {
            Some(d) if d.id == id => {
                if let Ok(mut slot) = self.dict.write() {
                    *slot = Some(d.clone());
                }
                Ok(d)
            }
            _ => Err(Error::CorruptDocument("the record's dictionary is missing or different")),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn codec() -> Codec {
        Codec::load(Box::new(tantivy::directory::RamDirectory::create())).unwrap()
    }

    /// Lines of the dev corpus's pages (real catalog text), or `None` when
    /// the corpus is absent.
    fn dev_lines() -> Option<Vec<String>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev/pages");
        let mut pages: Vec<_> = std::fs::read_dir(dir).ok()?.map(|e| e.unwrap().path()).collect();
        pages.sort();
        let text: String = pages.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        Some(text.lines().filter(|l| l.len() > 64).map(str::to_owned).collect())
    }

    /// The fixed-parameter trainer makes the same dictionary from the same
    /// samples, and it compresses lines it was not trained on (the second
    /// half of the dev corpus) to less than they take without it.
    #[test]
    fn the_trainer_is_deterministic_and_its_dictionary_helps_on_unseen_text() {
        let Some(lines) = dev_lines() else {
            eprintln!("skipped: no dev corpus");
            return;
        };
        let (seen, unseen) = lines.split_at(lines.len() / 2);
        let data: Vec<u8> = seen.iter().flat_map(|l| l.bytes()).collect();
        let sizes: Vec<usize> = seen.iter().map(String::len).collect();
        let dict = train_fast_cover(&data, &sizes, 32 << 10).expect("a dictionary");
        assert!(!dict.is_empty() && dict.len() <= 32 << 10);
        assert_eq!(train_fast_cover(&data, &sizes, 32 << 10).as_deref(), Some(&dict[..]));
        let with = Dictionary::new(&dict).expect("a zstd dictionary");
        let mut cctx = CCtx::create();
        let mut size = |d: Option<&Dictionary>| -> usize {
            unseen.iter().map(|l| Codec::compress(&mut cctx, d, l).unwrap().len()).sum()
        };
        let (plain, trained) = (size(None), size(Some(&with)));
        eprintln!("unseen lines: {trained} bytes with the dictionary, {plain} without");
        assert!(trained * 10 < plain * 9, "{trained} bytes with the dictionary, {plain} without");
    }

    /// Sizes that do not add up to the data, or a sample too small to
    /// learn from, give no dictionary (and no out-of-bounds read).
    #[test]
    fn the_trainer_declines_bad_or_tiny_samples() {
        assert_eq!(train_fast_cover(b"abcdefgh", &[4, 8], 16 << 10), None);
        assert_eq!(train_fast_cover(b"abcdefgh", &[8], 16 << 10), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the samples (any bytes, any sizes, the sizes adding up
        /// or not), the trainer returns a dictionary zstd accepts, within
        /// the capacity, or none; never a panic.
        #[test]
        fn the_trainer_takes_any_samples(
            samples in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..120),
            skewed in any::<bool>(),
        ) {
            let data: Vec<u8> = samples.iter().flatten().copied().collect();
            let mut sizes: Vec<usize> = samples.iter().map(Vec::len).collect();
            if skewed && let Some(s) = sizes.last_mut() {
                *s += 1;
            }
            if let Some(dict) = train_fast_cover(&data, &sizes, 16 << 10) {
                prop_assert!(!skewed);
                prop_assert!(dict.len() <= 16 << 10);
                prop_assert!(Dictionary::new(&dict).is_some());
            }
        }
    }

    proptest! {
        /// Any stored value, damaged or foreign, decodes or is an error;
        /// never a panic or an oversized allocation.
        #[test]
        fn any_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = codec().decompress(&bytes);
        }

        /// One buffer reused for records of any lengths, longer and shorter
        /// than the one before: each stored value reads back as its record.
        #[test]
        fn a_reused_buffer_stores_each_record_alone(lens in proptest::collection::vec(0usize..3000, 1..6)) {
            let c = codec();
            let mut cctx = CCtx::create();
            let mut buf = Vec::new();
            for (i, len) in lens.into_iter().enumerate() {
                let record: String = "利用率 wenku ".chars().cycle().skip(i).take(len).collect();
                let stored = Codec::compress_into(&mut cctx, None, &record, &mut buf).unwrap().to_vec();
                prop_assert_eq!(c.decompress(&stored).unwrap(), record);
            }
        }

        /// A frame cut short is refused, not read as a record.
        #[test]
        fn a_truncated_frame_is_an_error(cut in 1usize..40) {
            let record = "W1|32:0123456789abcdef0123456789abcdef5:hello@0,5,";
            let stored = Codec::compress(&mut CCtx::create(), None, record).unwrap();
            let c = codec();
            prop_assert_eq!(c.decompress(&stored).unwrap(), record);
            let cut = cut.min(stored.len() - 1);
            prop_assert!(c.decompress(&stored[..stored.len() - cut]).is_err());
        }
    }
}
