//! The error type of wenku-index.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

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
    /// The index stores its listings in another record format.
    #[error(
        "index at {path} stores listings in record format {found}, this wenku reads format {expected}: re-index the catalog into a new directory (`wenku --index NEW index PATH…`), then replace the old directory with it"
    )]
    IncompatibleRecords {
        /// Index directory.
        path: PathBuf,
        /// Format stored in the index (1: before it was recorded).
        found: u32,
        /// Format of this build.
        expected: u32,
    },
    /// The index's ids were computed with another id scheme or parser
    /// version: indexing into it would add duplicates of its listings.
    #[error(
        "index at {path} holds {found}; this wenku makes {expected}: re-index the catalog into a new directory (`wenku --index NEW index PATH…`), then replace the old directory with it"
    )]
    IncompatibleIds {
        /// Index directory.
        path: PathBuf,
        /// Scheme and version stored in the index.
        found: String,
        /// Scheme and version of this build.
        expected: String,
    },
    /// Another writer (in this or another process) holds the index's lock.
    #[error(
        "index at {0} is locked by another writer (another `wenku index` running?): try again when it has finished"
    )]
    Locked(PathBuf),
    /// The index directory cannot be written (read-only file system or
    /// permissions); searching it still works.
    #[error("index at {path} is read-only: cannot write to it")]
    ReadOnly {
        /// Index directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The device holding the index is full; the last commit is intact.
    #[error(
        "no space left on the device of index {0}: the last commit is intact, free some space and run again"
    )]
    DiskFull(PathBuf),
    /// A file of the index is missing or damaged.
    #[error(
        "index file {} is {reason}: the index is damaged, re-index into a new directory (or restore it from a backup)",
        file.display()
    )]
    Damaged {
        /// The file.
        file: PathBuf,
        /// `missing`, `truncated or corrupt (…)`.
        reason: String,
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
    /// The index metadata file is unreadable (or, writing it, could not be
    /// encoded).
    #[error("invalid index metadata in {path}")]
    Meta {
        /// The metadata file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// zstd failed to compress a record (out of memory).
    #[error("record compression failed: {0}")]
    Compression(&'static str),
    /// A stored document could not be decoded (what was wrong).
    #[error("stored document is corrupt: {0}")]
    CorruptDocument(&'static str),
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

impl Error {
    /// A tantivy error of the index in `dir`, as one of the clear errors
    /// above when it is one: lock held, read-only directory, disk full,
    /// missing or damaged file (named).
    pub fn from_tantivy(dir: &Path, e: tantivy::TantivyError) -> Error {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};
        let io = |err: &std::io::Error, file: &Path| -> Error {
            let source = std::io::Error::new(err.kind(), err.to_string());
            match err.kind() {
                ErrorKind::StorageFull => Error::DiskFull(dir.to_path_buf()),
                ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => {
                    Error::ReadOnly { path: dir.to_path_buf(), source }
                }
                ErrorKind::NotFound => {
                    Error::Damaged { file: dir.join(file), reason: "missing".into() }
                }
                ErrorKind::UnexpectedEof | ErrorKind::InvalidData
                    if !file.as_os_str().is_empty() =>
                {
                    Error::Damaged {
                        file: dir.join(file),
                        reason: format!("truncated or corrupt ({err})"),
                    }
                }
                _ => Error::Io { path: dir.join(file), source },
            }
        };
        match &e {
            T::LockFailure(LockError::LockBusy, _) => Error::Locked(dir.to_path_buf()),
            T::LockFailure(LockError::IoError(err), _) => io(err, Path::new("")),
            T::IoError(err) => io(err, Path::new("")),
            T::OpenReadError(OpenReadError::FileDoesNotExist(file)) => {
                Error::Damaged { file: dir.join(file), reason: "missing".into() }
            }
            T::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
                io(io_error, filepath)
            }
            T::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => {
                io(io_error, filepath)
            }
            T::DataCorruption(dc) => {
                let text = format!("{dc:?}");
                // `Data corruption (in file `"name"`): comment.`
                let file = text
                    .split_once("(in file `\"")
                    .and_then(|(_, rest)| rest.split_once("\"`)"))
                    .map_or_else(|| dir.join("meta.json"), |(f, _)| dir.join(f));
                Error::Damaged { file, reason: format!("truncated or corrupt ({text})") }
            }
            T::IncompatibleIndex(_) | T::OpenReadError(OpenReadError::IncompatibleIndex(_)) => {
                Error::Damaged {
                    file: dir.join("meta.json"),
                    reason: format!("not readable by this version ({e})"),
                }
            }
            // tantivy's indexing threads pass I/O errors on as text
            T::InternalError(m) | T::ErrorInThread(m) | T::SystemError(m)
                if m.contains("(os error 28)") =>
            {
                Error::DiskFull(dir.to_path_buf())
            }
            // a worker that died without saying why, on a file system with
            // no room left (a full disk can kill a worker by a panic too)
            T::InternalError(_) | T::ErrorInThread(_) if nearly_full(dir) => {
                Error::DiskFull(dir.to_path_buf())
            }
            _ => Error::Tantivy(e),
        }
    }
}

/// Whether the file system of `dir` has less than 1 MiB free.
fn nearly_full(dir: &Path) -> bool {
    fs4::available_space(dir).is_ok_and(|free| free < 1 << 20)
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
