//! Opening and creating listing indexes, and the metadata they carry.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::analysis::query_dict::QUERY_DICT_FILE;
use crate::analysis::{ANALYSIS_VERSION, Analyzer};
use crate::codec::Codec;
use crate::directory::IndexDirectory;
use crate::schema::{Fields, build_schema};
use crate::{Error, Result};

/// File (inside the index directory) recording how the index was analysed.
pub const META_FILE: &str = "wenku.json";
/// File (inside the index directory) holding the user dictionary, if any.
pub const USER_DICT_FILE: &str = "user-dict.txt";

/// What an index records about its analysis, checked on open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// [`ANALYSIS_VERSION`] of the build that created the index.
    pub analysis_version: u32,
    /// Whether `user-dict.txt` is part of the analysis.
    pub user_dict: bool,
    /// Version of wenku-index that created the index.
    pub created_by: String,
    /// [`wenku_listing::ID_SCHEME`] of the listings' ids; `None` in indexes
    /// made before it was recorded.
    #[serde(default)]
    pub id_scheme: Option<String>,
    /// [`wenku_listing::PARSER_VERSION`] of the parser whose output the ids
    /// were computed from; `None` in indexes made before it was recorded.
    #[serde(default)]
    pub parser_version: Option<u32>,
    /// [`RECORD_FORMAT`] of the stored records; `None` in indexes made
    /// before it was recorded (JSON records, format 1).
    #[serde(default)]
    pub record_format: Option<u32>,
}

/// Format of the stored listing records ([`crate::record`]): 1 was JSON
/// (not recorded in the metadata), 2 the compact record stored once as
/// text, 3 the same record as one zstd frame (dictionary: [`crate::DICT_FILE`]).
pub const RECORD_FORMAT: u32 = 3;

impl IndexMeta {
    /// The metadata of a new index made by this build.
    pub fn current(user_dict: bool) -> Self {
        IndexMeta {
            analysis_version: ANALYSIS_VERSION,
            user_dict,
            created_by: concat!("wenku-index ", env!("CARGO_PKG_VERSION")).to_string(),
            id_scheme: Some(wenku_listing::ID_SCHEME.to_string()),
            parser_version: Some(wenku_listing::PARSER_VERSION),
            record_format: Some(RECORD_FORMAT),
        }
    }
}

/// Settings of a new index: the doc store is not compressed, since each
/// record is already a zstd frame (dictionary: [`crate::DICT_FILE`]).
/// Blocks of 2 KiB (about four records): tantivy copies the whole block
/// a hit is in out of the store (its `None` decompressor is a copy), so a
/// results page of ten hits from ten blocks copied 160 KiB with 16 KiB
/// blocks; the index is the same size (docs/benchmarks.md, "Doc store
/// blocks of 2 KiB").
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::None,
        docstore_blocksize: 2 << 10,
        ..Default::default()
    }
}

/// A tantivy index of listings with wenku's schema and analysis.
#[derive(Clone)]
pub struct ListingIndex {
    index: Index,
    fields: Fields,
    analyzer: Analyzer,
    codec: Codec,
    stores: crate::record::Stores,
    path: Option<PathBuf>,
    /// Values the registered readings tokenizer analysed: documents
    /// tantivy's indexing threads began (see [`crate::analysis::Counting`]).
    readings: Arc<AtomicU64>,
}

impl std::fmt::Debug for ListingIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingIndex").field("path", &self.path).finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

impl ListingIndex {
    /// An index in RAM (tests, examples, benchmarks).
    pub fn create_in_ram(analyzer: Analyzer) -> Result<Self> {
        let ram = tantivy::directory::RamDirectory::create();
        let index = Index::builder()
            .schema(build_schema())
            .settings(index_settings())
            .open_or_create(ram.clone())
            .map_err(Error::Tantivy)?;
        Self::wrap(index, analyzer, None, Box::new(ram))
    }

    /// Opens the index in `dir`, creating it (and the directory) if there
    /// is none. `user_dict` (jieba format) is stored with a new index; for an
    /// existing one it must equal the stored dictionary.
    ///
    /// # Errors
    /// I/O errors, an incompatible index, a different or invalid dictionary.
    pub fn open_or_create(dir: &Path, user_dict: Option<&str>) -> Result<Self> {
        if dir.join(META_FILE).exists() {
            let index = Self::open(dir)?;
            if user_dict.is_some() && index.analyzer.user_dict() != user_dict {
                return Err(Error::DictionaryMismatch(dir.to_path_buf()));
            }
            return Ok(index);
        }
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let analyzer = match user_dict {
            Some(d) => Analyzer::with_user_dict(d)?,
            None => Analyzer::default(),
        };
        if let Some(d) = user_dict {
            let p = dir.join(USER_DICT_FILE);
            std::fs::write(&p, d).map_err(io_err(&p))?;
        }
        let raw = IndexDirectory::open(dir).map_err(|e| Error::from_tantivy(dir, e))?;
        let index = Index::builder()
            .schema(build_schema())
            .settings(index_settings())
            .open_or_create(raw.clone())
            .map_err(|e| Error::from_tantivy(dir, e))?;
        let meta = IndexMeta::current(user_dict.is_some());
        // Written last: its presence marks a complete wenku index.
        let p = dir.join(META_FILE);
        let json = serde_json::to_vec_pretty(&meta)
            .map_err(|source| Error::Meta { path: p.clone(), source })?;
        std::fs::write(&p, json).map_err(io_err(&p))?;
        let analyzer = analyzer.with_query_dict(dir.join(QUERY_DICT_FILE));
        Self::wrap(index, analyzer, Some(dir.to_path_buf()), Box::new(raw))
    }

    /// Opens an existing index.
    ///
    /// # Errors
    /// [`Error::NotFound`] if `dir` holds no wenku index,
    /// [`Error::IncompatibleAnalysis`] if it was analysed differently.
    pub fn open(dir: &Path) -> Result<Self> {
        let meta_path = dir.join(META_FILE);
        let bytes = match std::fs::read(&meta_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotFound(dir.to_path_buf()));
            }
            Err(e) => return Err(io_err(&meta_path)(e)),
        };
        let meta: IndexMeta = serde_json::from_slice(&bytes)
            .map_err(|source| Error::Meta { path: meta_path.clone(), source })?;
        if meta.analysis_version != ANALYSIS_VERSION {
            return Err(Error::IncompatibleAnalysis {
                path: dir.to_path_buf(),
                found: meta.analysis_version,
                expected: ANALYSIS_VERSION,
            });
        }
        if meta.record_format != Some(RECORD_FORMAT) {
            return Err(Error::IncompatibleRecords {
                path: dir.to_path_buf(),
                found: meta.record_format.unwrap_or(1),
                expected: RECORD_FORMAT,
            });
        }
        let ids = (meta.id_scheme.as_deref(), meta.parser_version);
        if ids != (Some(wenku_listing::ID_SCHEME), Some(wenku_listing::PARSER_VERSION)) {
            let found = match ids {
                (Some(scheme), Some(v)) => format!("ids {scheme}, parser version {v}"),
                _ => "ids from before the id scheme was recorded".to_string(),
            };
            return Err(Error::IncompatibleIds {
                path: dir.to_path_buf(),
                found,
                expected: format!(
                    "ids {}, parser version {}",
                    wenku_listing::ID_SCHEME,
                    wenku_listing::PARSER_VERSION
                ),
            });
        }
        let analyzer = if meta.user_dict {
            let p = dir.join(USER_DICT_FILE);
            let dict = std::fs::read_to_string(&p).map_err(io_err(&p))?;
            Analyzer::with_user_dict(&dict)?
        } else {
            Analyzer::default()
        };
        // read on first use and again after each commit or reload (see
        // `ListingIndex::reload_analysis`); absent: queries are cut with the
        // documents' dictionary, as when it is absent in a fresh process
        let analyzer = analyzer.with_query_dict(dir.join(QUERY_DICT_FILE));
        let raw = IndexDirectory::open(dir).map_err(|e| Error::from_tantivy(dir, e))?;
        let index = Index::open(raw.clone()).map_err(|e| Error::from_tantivy(dir, e))?;
        if index.schema() != build_schema() {
            return Err(Error::SchemaMismatch(dir.to_path_buf()));
        }
        check_segment_files(&index).map_err(|e| Error::from_tantivy(dir, e))?;
        Self::wrap(index, analyzer, Some(dir.to_path_buf()), Box::new(raw))
    }

    /// `raw`: the index's directory without tantivy's management (a file
    /// written through tantivy's would be removed as garbage).
    fn wrap(
        mut index: Index,
        analyzer: Analyzer,
        path: Option<PathBuf>,
        raw: Box<dyn tantivy::Directory>,
    ) -> Result<Self> {
        // The doc store is not compressed (`index_settings`): a block is
        // copied to the file where it is made. On a dedicated thread each
        // 2 KiB block cost a hand-over and a wake-up (28,570 context
        // switches of those threads in a 100k two-thread build) for that
        // copy.
        index.settings_mut().docstore_compress_dedicated_thread = false;
        let readings = Arc::default();
        analyzer.register_counting(index.tokenizers(), &readings);
        let fields = Fields::new(&index.schema());
        let codec = Codec::load(raw).map_err(|e| match (&path, e) {
            (Some(dir), Error::Tantivy(t)) => Error::from_tantivy(dir, t),
            (_, e) => e,
        })?;
        Ok(ListingIndex {
            index,
            fields,
            analyzer,
            codec,
            stores: Default::default(),
            path,
            readings,
        })
    }

    /// Documents tantivy's indexing threads have begun, through this
    /// handle and its clones, since it was opened.
    pub(crate) fn documents_begun(&self) -> u64 {
        self.readings.load(Ordering::Relaxed)
    }

    /// The codec of the stored records (its dictionary).
    pub(crate) fn codec(&self) -> &Codec {
        &self.codec
    }

    pub(crate) fn stores(&self) -> &crate::record::Stores {
        &self.stores
    }

    /// A reader that sees each new commit (reloaded on commit).
    ///
    /// # Errors
    /// From tantivy; a missing or damaged segment file is named.
    pub fn reader(&self) -> Result<IndexReader> {
        let reader: tantivy::Result<IndexReader> =
            self.index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into();
        reader.map_err(|e| self.tantivy_error(e))
    }

    /// Makes everything cached from the index directory follow its last
    /// commit: the query dictionary is read again if it changed (the
    /// tantivy reader is reloaded by its owner). Cheap when nothing changed.
    pub fn reload_analysis(&self) {
        self.analyzer.reload_query_dict();
    }

    /// A tantivy error of this index, with the index directory (and the
    /// file, when tantivy names one) in the message.
    pub fn tantivy_error(&self, e: tantivy::TantivyError) -> Error {
        match &self.path {
            Some(dir) => Error::from_tantivy(dir, e),
            None => Error::Tantivy(e),
        }
    }

    /// The underlying tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The analyzer this index was built with.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The directory, for an on-disk index.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// Opens every file of every committed segment and checks its footer
/// (present, long enough, tantivy's magic number and version): a missing
/// or truncated file is found when the index is opened, not halfway
/// through a search. Cheap: the files are mapped, only footers are read.
fn check_segment_files(index: &Index) -> tantivy::Result<()> {
    use tantivy::index::SegmentComponent as C;
    for segment in index.searchable_segments()? {
        let deletes = segment.meta().has_deletes().then_some(C::Delete);
        for c in [C::Postings, C::Positions, C::FastFields, C::FieldNorms, C::Terms, C::Store]
            .into_iter()
            .chain(deletes)
        {
            segment.open_read(c)?;
        }
    }
    Ok(())
}
