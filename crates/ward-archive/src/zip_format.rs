//! Zip archives, through the `zip` crate. Entries are read in central-directory order; the
//! Unix mode bits, when present, decide whether an entry is a link or a special file.

use std::io::{Read, Seek};
use std::path::Path;

use zip::ZipArchive;

use crate::path::entry_path;
use crate::write::{make_dir, write_file};
use crate::{Counts, Error, Limits};

const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;

pub(crate) fn unpack<R: Read + Seek>(
    reader: R,
    dest: &Path,
    limits: &Limits,
) -> Result<Counts, Error> {
    let mut archive = ZipArchive::new(reader).map_err(corrupt)?;
    // The central directory says how many entries follow: refuse before unpacking any.
    if archive.len() as u64 > limits.max_entries {
        return Err(Error::TooManyEntries {
            limit: limits.max_entries,
        });
    }
    let mut counts = Counts::default();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(corrupt)?;
        counts.entry(limits)?;
        let name = entry.name().to_string();
        let file_type = entry.unix_mode().unwrap_or(0) & S_IFMT;
        match file_type {
            0 | S_IFREG | S_IFDIR => {}
            S_IFLNK => {
                let mut target = Vec::new();
                // The target is the entry's data; a few hundred bytes name it well enough.
                let _ = entry.by_ref().take(256).read_to_end(&mut target);
                return Err(Error::Link {
                    entry: name,
                    kind: "symbolic link",
                    target: String::from_utf8_lossy(&target).into_owned(),
                });
            }
            other => {
                return Err(Error::SpecialFile {
                    entry: name,
                    kind: special_kind(other).to_string(),
                })
            }
        }
        let Some(path) = entry_path(dest, &name)? else {
            continue;
        };
        if entry.is_dir() || file_type == S_IFDIR {
            make_dir(&path, &mut counts)?;
            continue;
        }
        let compressed = entry.compressed_size().max(1);
        let ratio_exceeded = |entry_bytes: u64, _total: u64| {
            entry_bytes > limits.ratio_floor
                && entry_bytes > compressed.saturating_mul(limits.max_ratio)
        };
        write_file(
            &path,
            &name,
            &mut entry,
            &mut counts,
            limits,
            &ratio_exceeded,
        )?;
    }
    Ok(counts)
}

fn special_kind(file_type: u32) -> &'static str {
    match file_type {
        0o020_000 => "character device",
        0o060_000 => "block device",
        0o010_000 => "FIFO",
        0o140_000 => "socket",
        _ => "file of an unknown type",
    }
}

fn corrupt(error: zip::result::ZipError) -> Error {
    Error::Corrupt {
        reason: error.to_string(),
    }
}
