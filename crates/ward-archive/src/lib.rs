//! Safe unpacking of the archives pipelines upload to be scanned (zip, tar, tar.gz).
//!
//! An uploaded archive is hostile until proven otherwise. [`unpack`] writes only regular files
//! and directories, and only inside a new destination directory:
//!
//! - entry names are relative paths: `..` segments, absolute paths (`/`, `\`), Windows drive
//!   prefixes (`C:`) and NUL bytes are refused; `\` counts as a separator;
//! - symbolic links and hard links are refused, whatever they point at (scanners do not need
//!   them, and a link inside the tree can redirect a later entry outside it);
//! - device files, FIFOs and sparse files are refused;
//! - the bytes actually written (not the sizes the archive declares) are bounded in total, the
//!   entries in number, and the compression ratio (per entry for zip, over the stream for
//!   tar.gz), so zip bombs and tar bombs stop with an error once they cross a limit.
//!
//! On any error the destination is removed, so a caller never sees half an archive. It lives
//! in its own crate, apart from ward-blob, because it has its own dependencies and its own
//! reason to change (hostile input), and so its fuzz target builds without the object store.
#![warn(missing_docs)]

mod error;
mod limits;
mod path;
mod tar_format;
mod write;
mod zip_format;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

pub use error::Error;
pub use limits::Limits;

/// The archive formats [`unpack`] reads, recognised by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip archive (stored and deflated entries).
    Zip,
    /// A POSIX (ustar/pax) or GNU tar archive.
    Tar,
    /// A gzip-compressed tar archive.
    TarGz,
}

/// What an unpacked archive held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    /// The format it was read as.
    pub format: Format,
    /// Regular files written.
    pub n_files: u64,
    /// Directories made (named by entries; parents made implicitly are not counted).
    pub n_dirs: u64,
    /// Bytes written.
    pub n_bytes: u64,
}

/// Unpacks the archive at `archive` into `dest`, which must not exist yet (its parent must).
pub fn unpack(archive: &Path, dest: &Path, limits: &Limits) -> Result<Unpacked, Error> {
    let file = File::open(archive).map_err(|source| Error::Io {
        path: archive.to_path_buf(),
        source,
    })?;
    unpack_reader(file, dest, limits)
}

/// Like [`unpack`], from any seekable reader (zip reads its directory at the end first).
pub fn unpack_reader<R: Read + Seek>(
    mut reader: R,
    dest: &Path,
    limits: &Limits,
) -> Result<Unpacked, Error> {
    let format = detect(&mut reader)?;
    std::fs::create_dir(dest).map_err(|source| Error::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    let result = match format {
        Format::Zip => zip_format::unpack(reader, dest, limits),
        Format::Tar => tar_format::unpack(reader, false, dest, limits),
        Format::TarGz => tar_format::unpack(reader, true, dest, limits),
    };
    match result {
        Ok(counts) => Ok(Unpacked {
            format,
            n_files: counts.n_files,
            n_dirs: counts.n_dirs,
            n_bytes: counts.n_bytes,
        }),
        Err(error) => {
            // Best effort: the error matters more than a failure to clean up after it.
            let _ = std::fs::remove_dir_all(dest);
            Err(error)
        }
    }
}

/// Recognises the format by its first bytes, and rewinds.
fn detect<R: Read + Seek>(reader: &mut R) -> Result<Format, Error> {
    let mut head = Vec::with_capacity(512);
    reader
        .by_ref()
        .take(512)
        .read_to_end(&mut head)
        .map_err(Error::read)?;
    reader.seek(SeekFrom::Start(0)).map_err(Error::read)?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Ok(Format::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Format::TarGz)
    } else if head.get(257..262) == Some(b"ustar") {
        Ok(Format::Tar)
    } else {
        Err(Error::UnknownFormat)
    }
}

/// Counts shared by the format modules.
#[derive(Debug, Default)]
struct Counts {
    n_files: u64,
    n_dirs: u64,
    n_bytes: u64,
    n_entries: u64,
}

impl Counts {
    /// Counts one more entry against the limit.
    fn entry(&mut self, limits: &Limits) -> Result<(), Error> {
        self.n_entries += 1;
        if self.n_entries > limits.max_entries {
            return Err(Error::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        Ok(())
    }
}
