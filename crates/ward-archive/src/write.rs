//! Writing one entry's data to a new file, counting every byte against the limits.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use crate::{Counts, Error, Limits};

/// Copies `data` into a new file at `path` (making its parent directories). Before each block
/// is written, the total is checked against [`Limits::max_total_bytes`] and
/// `ratio_exceeded(entry_bytes, total_bytes)` is asked whether the compression ratio is
/// crossed, so a bomb stops at the first block over a limit.
pub(crate) fn write_file(
    path: &Path,
    entry: &str,
    data: &mut dyn Read,
    counts: &mut Counts,
    limits: &Limits,
    ratio_exceeded: &dyn Fn(u64, u64) -> bool,
) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_error)?;
    }
    let mut file = File::create(path).map_err(io_error)?;
    let mut buffer = vec![0; 64 * 1024];
    let mut entry_bytes = 0u64;
    loop {
        let n = match data.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::read(e)),
        };
        entry_bytes += n as u64;
        counts.n_bytes += n as u64;
        if counts.n_bytes > limits.max_total_bytes {
            return Err(Error::TooLarge {
                entry: entry.to_string(),
                limit: limits.max_total_bytes,
            });
        }
        if ratio_exceeded(entry_bytes, counts.n_bytes) {
            return Err(Error::RatioExceeded {
                entry: entry.to_string(),
                limit: limits.max_ratio,
            });
        }
        let block = buffer.get(..n).unwrap_or_default();
        file.write_all(block).map_err(io_error)?;
    }
    counts.n_files += 1;
    Ok(())
}

/// Makes a directory an entry names.
pub(crate) fn make_dir(path: &Path, counts: &mut Counts) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    counts.n_dirs += 1;
    Ok(())
}
