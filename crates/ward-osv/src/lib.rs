//! OSV advisories for ward's dependency scanner: the record format ([`record`]), version
//! ordering per ecosystem ([`version`]), range evaluation ([`range`]), and the offline
//! database file ([`Database`], built with [`Builder`], filled from folders, zips or
//! [`update::download`]).

use std::path::PathBuf;

mod db;
pub mod range;
pub mod record;
pub mod staleness;
pub mod update;
pub mod version;

pub use db::{package_key, Builder, Database, Match};
pub use record::{Advisory, Affected, Event, Range};
pub use version::Scheme;

/// What can go wrong opening or building a database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database file is not one ward wrote, or is damaged.
    #[error("{}: {reason}; rebuild it with `ward db update` or `ward db import`", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A zip archive that cannot be read.
    #[error("{origin}: not a readable zip archive: {reason}")]
    Zip {
        /// The file or URL.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// Nothing could be downloaded.
    #[error("{0}")]
    Download(String),
}

/// Where the database lives unless told otherwise: `$WARD_DB`, else
/// `$XDG_DATA_HOME/ward/osv.db`, else `~/.local/share/ward/osv.db` (on Windows
/// `%LOCALAPPDATA%\ward\osv.db`).
pub fn default_path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(path) = var("WARD_DB") {
        return Some(path);
    }
    let data = var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local/share")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(data.join("ward").join("osv.db"))
}
