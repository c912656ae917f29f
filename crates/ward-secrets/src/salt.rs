//! The salt of the secret hashes. A report hashes each secret with a salt (see
//! [`crate::salted_secret`]) so that nobody holding the report can test guesses of a weak
//! password against it. Unless one is configured, the salt is derived from a random key kept
//! once per user (`$XDG_DATA_HOME/ward/secret-salt`, 32 bytes, readable by its owner only)
//! and the project's root: re-scans of a project on one machine give the same hashes, another
//! project or another user gets different ones. Fingerprints never depend on the salt.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Error;

/// The key file's name in ward's data directory.
pub const KEY_FILE: &str = "secret-salt";

/// Bytes in a key and in a random salt.
const KEY_LEN: usize = 32;

/// `$XDG_DATA_HOME/ward/secret-salt`, else `~/.local/share/ward/secret-salt` (on Windows
/// `%LOCALAPPDATA%\ward\secret-salt`); `None` when none of these variables is set.
pub fn default_key_path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local/share")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(data.join("ward").join(KEY_FILE))
}

/// The key at `path`, created first if it does not exist: 32 random bytes, written to a
/// private temporary file and linked into place only if no other process got there first.
pub fn load_or_create_key(path: &Path) -> Result<Vec<u8>, Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    match std::fs::read(path) {
        Ok(key) if key.len() == KEY_LEN => return Ok(key),
        Ok(key) => {
            return Err(Error::Io {
                path: path.display().to_string(),
                message: format!(
                    "a secret-salt key is {KEY_LEN} bytes, this file has {}; remove it to \
                     create a new key (hashes in earlier reports will then no longer match)",
                    key.len()
                ),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let key = random_bytes()?;
    // tempfile creates the file readable and writable by its owner only (0600 on Unix).
    let mut file = tempfile::Builder::new()
        .prefix(".secret-salt")
        .tempfile_in(dir)
        .map_err(io)?;
    file.write_all(&key).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    match file.persist_noclobber(path) {
        Ok(_) => Ok(key),
        // Another ward created the key meanwhile: use that one, so both agree.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(path).map_err(io)
        }
        Err(e) => Err(io(e.error)),
    }
}

/// The salt of one project: SHA-256 over a label, the key and the project's root path.
pub fn project_salt(key: &[u8], project: &Path) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(b"ward secret salt v1\0");
    hasher.update(key);
    hasher.update([0u8]);
    hasher.update(project.to_string_lossy().as_bytes());
    hasher.finalize().to_vec()
}

/// Where the project containing `path` starts: the work tree of its git repository, else
/// `path` itself (its directory, for a file), made absolute.
pub fn project_root(path: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = if absolute.is_file() {
        absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
    } else {
        absolute
    };
    git2::Repository::discover(&dir)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf))
        .and_then(|w| std::fs::canonicalize(&w).ok())
        .unwrap_or(dir)
}

/// A salt nobody can guess, for one report: 32 bytes from the operating system.
pub fn random_salt() -> Result<Vec<u8>, Error> {
    random_bytes()
}

fn random_bytes() -> Result<Vec<u8>, Error> {
    let mut bytes = vec![0u8; KEY_LEN];
    getrandom::fill(&mut bytes).map_err(|e| Error::Io {
        path: "the system's random source".into(),
        message: e.to_string(),
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/ward").join(KEY_FILE);
        let first = load_or_create_key(&path).unwrap();
        assert_eq!(first.len(), KEY_LEN);
        assert_eq!(
            load_or_create_key(&path).unwrap(),
            first,
            "read back, not replaced"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, [KEY_FILE], "no temporary file left behind");
    }

    #[test]
    fn a_damaged_key_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        std::fs::write(&path, b"short").unwrap();
        let e = load_or_create_key(&path).unwrap_err().to_string();
        assert!(e.contains(KEY_FILE) && e.contains("32 bytes"), "{e}");
    }

    #[test]
    fn salts_differ_per_project_and_key() {
        let a = project_salt(&[1; 32], Path::new("/src/a"));
        assert_eq!(a, project_salt(&[1; 32], Path::new("/src/a")));
        assert_ne!(a, project_salt(&[1; 32], Path::new("/src/b")));
        assert_ne!(a, project_salt(&[2; 32], Path::new("/src/a")));
        assert_ne!(random_salt().unwrap(), random_salt().unwrap());
    }

    #[test]
    fn project_root_is_the_git_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let sub = repo.join("src/deep");
        std::fs::create_dir_all(&sub).unwrap();
        git2::Repository::init(&repo).unwrap();
        let root = std::fs::canonicalize(&repo).unwrap();
        assert_eq!(project_root(&sub), root);
        std::fs::write(sub.join("f.txt"), "x").unwrap();
        assert_eq!(project_root(&sub.join("f.txt")), root);
        let plain = dir.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        assert_eq!(project_root(&plain), std::fs::canonicalize(&plain).unwrap());
    }
}
