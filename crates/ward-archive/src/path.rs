//! Turning an entry name into a path inside the destination.

use std::path::{Path, PathBuf};

use crate::Error;

/// The path under `dest` where the entry `name` goes, or `None` for a name that is the
/// destination itself (`./`). Refuses anything that is not a plain relative path.
pub(crate) fn entry_path(dest: &Path, name: &str) -> Result<Option<PathBuf>, Error> {
    let unsafe_path = |reason| Error::UnsafePath {
        entry: name.to_string(),
        reason,
    };
    if name.contains('\0') {
        return Err(unsafe_path("the name contains a NUL byte"));
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(unsafe_path("absolute paths are not allowed"));
    }
    if matches!(name.as_bytes(), [drive, b':', ..] if drive.is_ascii_alphabetic()) {
        return Err(unsafe_path("Windows drive prefixes are not allowed"));
    }
    let mut path = dest.to_path_buf();
    let mut depth = 0;
    for segment in name.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => return Err(unsafe_path("`..` segments are not allowed")),
            _ => {
                path.push(segment);
                depth += 1;
            }
        }
    }
    Ok((depth > 0).then_some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_land_inside() {
        let dest = Path::new("/scratch/d");
        let check = |name| entry_path(dest, name).unwrap();
        assert_eq!(check("a/b.txt"), Some(dest.join("a/b.txt")));
        assert_eq!(check("./a//b/"), Some(dest.join("a/b")));
        assert_eq!(check("a\\b"), Some(dest.join("a/b")));
        assert_eq!(check("a..b/c.."), Some(dest.join("a..b/c..")));
        assert_eq!(check("./"), None);
    }

    #[test]
    fn escaping_names_are_refused() {
        for name in [
            "../a",
            "a/../../b",
            "a/..",
            "..\\a",
            "/etc/passwd",
            "\\\\server\\share",
            "\\\\?\\C:\\x",
            "C:\\Windows",
            "c:x",
            "a\0b",
        ] {
            assert!(
                matches!(
                    entry_path(Path::new("/d"), name),
                    Err(Error::UnsafePath { .. })
                ),
                "{name:?}"
            );
        }
    }
}
