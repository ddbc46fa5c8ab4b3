//! The crate's error type: every error says where it happened.

use crate::Source;

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, and where.
///
/// `Display` gives `file:line: what was expected`; the underlying I/O or
/// JSON error (if any) is available through [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line that is not a listing, a footer or blank, or a listing whose
    /// tail (` 码力 | <pages> 页 | <size> | <age>前<n>`) does not parse.
    #[error("{}:{}: {expected}", at.file, at.line)]
    Parse {
        /// Where.
        at: Source,
        /// What was expected, e.g. `expected ' 码力 | ' after the price`.
        expected: String,
    },
    /// Bytes that are invalid in the file's encoding; the line was decoded
    /// with U+FFFD replacement characters and still parsed.
    #[error("{}:{}: invalid {encoding} byte sequence (decoded with replacement characters)", at.file, at.line)]
    Decode {
        /// Where.
        at: Source,
        /// Name of the encoding the line was decoded with.
        encoding: &'static str,
    },
    /// A JSON Lines record that is not a listing.
    #[error("{}:{}: expected a JSON listing record", at.file, at.line)]
    Json {
        /// Where.
        at: Source,
        /// The JSON error.
        #[source]
        err: serde_json::Error,
    },
    /// A split profile that cannot be loaded: unknown name (`line` 0) or
    /// a bad line.
    #[error("profile {name}{}: {what}", at_line(*.line))]
    Profile {
        /// The profile's name.
        name: String,
        /// 1-based line of the problem; 0 when the profile was not found.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// An entry met while walking a directory that is not read: a special
    /// file (FIFO, socket, device) or a symbolic link loop.
    #[error("{path}: skipped: {reason}")]
    Skipped {
        /// The path.
        path: String,
        /// Why, e.g. `not a regular file (named pipe)`.
        reason: String,
    },
    /// Opening, walking or reading a file failed.
    #[error("{path}: cannot read")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        err: std::io::Error,
    },
}

impl Error {
    /// File and line of the error, when it concerns a line.
    pub fn source_location(&self) -> Option<&Source> {
        match self {
            Error::Parse { at, .. } | Error::Decode { at, .. } | Error::Json { at, .. } => Some(at),
            Error::Io { .. } | Error::Skipped { .. } | Error::Profile { .. } => None,
        }
    }

    /// Whether the error concerns a whole file or directory entry (it could
    /// not be read, or was skipped) rather than one line of it.
    pub fn is_file_level(&self) -> bool {
        matches!(self, Error::Io { .. } | Error::Skipped { .. })
    }

    pub(crate) fn parse(at: &Source, expected: impl Into<String>) -> Error {
        Error::Parse { at: at.clone(), expected: expected.into() }
    }
}

fn at_line(line: usize) -> String {
    if line == 0 { String::new() } else { format!(", line {line}") }
}
