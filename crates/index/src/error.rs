//! The error type of wenku-index.

use std::path::PathBuf;

/// What can go wrong opening, writing or reading an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The directory holds no wenku index.
    #[error("no wenku index at {0} (create one with `wenku index`)")]
    NotFound(PathBuf),
    /// The index was built by an incompatible analysis pipeline.
    #[error(
        "index at {path} was built with analysis version {found}, this wenku uses {expected}: re-index into a new directory"
    )]
    IncompatibleAnalysis {
        /// Index directory.
        path: PathBuf,
        /// Version stored in the index.
        found: u32,
        /// Version of this build.
        expected: u32,
    },
    /// The directory holds a tantivy index whose schema is not wenku's.
    #[error("index at {0} has an unexpected schema (not a wenku index, or from another version)")]
    SchemaMismatch(PathBuf),
    /// A user dictionary was given that differs from the one stored in the index.
    #[error(
        "index at {0} was built with another user dictionary: re-index into a new directory to change it"
    )]
    DictionaryMismatch(PathBuf),
    /// The user dictionary could not be loaded.
    #[error("invalid user dictionary: {0}")]
    Dictionary(String),
    /// The index metadata file is unreadable.
    #[error("invalid index metadata in {path}")]
    Meta {
        /// The metadata file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A stored document could not be decoded.
    #[error("stored document is corrupt")]
    CorruptDocument(#[source] serde_json::Error),
    /// File system error.
    #[error("{}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Error from tantivy.
    #[error("tantivy")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
