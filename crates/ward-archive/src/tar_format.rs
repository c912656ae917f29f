//! tar and tar.gz archives, through the `tar` and `flate2` crates. The `tar` crate applies
//! GNU long names and pax headers to the entry they describe; ward writes the data itself
//! rather than calling `tar`'s own unpacking, so that every byte is counted and no link,
//! device or permission bit from the archive reaches the disk.

use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use tar::EntryType;

use crate::path::entry_path;
use crate::write::{make_dir, write_file};
use crate::{Counts, Error, Limits};

pub(crate) fn unpack<R: Read>(
    reader: R,
    gzip: bool,
    dest: &Path,
    limits: &Limits,
) -> Result<Counts, Error> {
    let consumed = Rc::new(Cell::new(0u64));
    let counting = CountingReader {
        inner: reader,
        consumed: consumed.clone(),
    };
    let stream: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(counting))
    } else {
        Box::new(counting)
    };
    let mut archive = tar::Archive::new(stream);
    let mut counts = Counts::default();
    for entry in archive.entries().map_err(Error::read)? {
        let mut entry = entry.map_err(Error::read)?;
        counts.entry(limits)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let entry_type = entry.header().entry_type();
        match entry_type {
            EntryType::Regular | EntryType::Continuous | EntryType::Directory => {}
            // A pax global header (`git archive` writes one with the commit id) is metadata.
            EntryType::XGlobalHeader => continue,
            EntryType::Symlink | EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                return Err(Error::Link {
                    entry: name,
                    kind: if entry_type == EntryType::Symlink {
                        "symbolic link"
                    } else {
                        "hard link"
                    },
                    target,
                });
            }
            other => {
                return Err(Error::SpecialFile {
                    entry: name,
                    kind: special_kind(other),
                })
            }
        }
        let Some(path) = entry_path(dest, &name)? else {
            continue;
        };
        if entry_type == EntryType::Directory {
            make_dir(&path, &mut counts)?;
            continue;
        }
        // Only a compressed stream has a ratio: the whole output against the input consumed.
        let ratio_exceeded = |_entry_bytes: u64, total: u64| {
            gzip && total > limits.ratio_floor
                && total > consumed.get().max(1).saturating_mul(limits.max_ratio)
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

fn special_kind(entry_type: EntryType) -> String {
    match entry_type {
        EntryType::Char => "character device".to_string(),
        EntryType::Block => "block device".to_string(),
        EntryType::Fifo => "FIFO".to_string(),
        EntryType::GNUSparse => "sparse file".to_string(),
        other => format!("tar entry of type `{}`", other.as_byte().escape_ascii()),
    }
}

/// Counts the bytes read from the archive file, for the compression ratio.
struct CountingReader<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}
