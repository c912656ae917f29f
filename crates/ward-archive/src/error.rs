//! Why an archive was not unpacked.

use std::path::PathBuf;

/// Why an archive was refused or could not be unpacked. Entry names are shown as the archive
/// spells them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not a zip, tar or tar.gz archive.
    #[error("not a zip, tar or tar.gz archive")]
    UnknownFormat,
    /// An entry name that would land outside the destination, or is not a plain relative path.
    #[error("entry `{entry}`: {reason}")]
    UnsafePath {
        /// The entry's name.
        entry: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A symbolic or hard link.
    #[error("entry `{entry}` is a {kind} to `{target}`: links are not unpacked")]
    Link {
        /// The entry's name.
        entry: String,
        /// "symbolic link" or "hard link".
        kind: &'static str,
        /// Where it points.
        target: String,
    },
    /// A device file, FIFO, sparse file or other entry that is neither a file nor a directory.
    #[error("entry `{entry}` is a {kind}: only regular files and directories are unpacked")]
    SpecialFile {
        /// The entry's name.
        entry: String,
        /// What it is.
        kind: String,
    },
    /// More entries than [`crate::Limits::max_entries`].
    #[error("the archive has more than {limit} entries")]
    TooManyEntries {
        /// The limit.
        limit: u64,
    },
    /// More unpacked bytes than [`crate::Limits::max_total_bytes`].
    #[error("the archive unpacks to more than {limit} bytes (at entry `{entry}`)")]
    TooLarge {
        /// The entry being written when the limit was crossed.
        entry: String,
        /// The limit.
        limit: u64,
    },
    /// Data that expands more than [`crate::Limits::max_ratio`] times: a compression bomb.
    #[error(
        "entry `{entry}` expands more than {limit} times its compressed size (a compression bomb?)"
    )]
    RatioExceeded {
        /// The entry being written when the limit was crossed.
        entry: String,
        /// The limit.
        limit: u64,
    },
    /// The archive is damaged, truncated, encrypted or uses a feature ward does not read.
    #[error("unreadable archive: {reason}")]
    Corrupt {
        /// What the reader said.
        reason: String,
    },
    /// Writing the destination failed (or reading the archive file).
    #[error("{path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A failure to read the archive itself.
    pub(crate) fn read(source: std::io::Error) -> Error {
        Error::Corrupt {
            reason: source.to_string(),
        }
    }
}
