//! The bounds on what an archive may unpack to.

/// Bounds on an unpacked archive. The defaults suit a source tree uploaded for scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes written in all (default 2 GiB).
    pub max_total_bytes: u64,
    /// The most entries, files and directories together (default 100,000).
    pub max_entries: u64,
    /// The most an entry (zip) or the whole stream (tar.gz) may expand over its compressed
    /// size (default 200; source code compresses 3 to 20 times). Checked once more than
    /// [`Limits::ratio_floor`] bytes came out, so small, very regular files pass.
    pub max_ratio: u64,
    /// The output below which the ratio is not checked (default 1 MiB).
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_total_bytes: 2 << 30,
            max_entries: 100_000,
            max_ratio: 200,
            ratio_floor: 1 << 20,
        }
    }
}
