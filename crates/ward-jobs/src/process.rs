//! Running an external tool: found on a given `PATH`, started in its own process group with
//! a clean environment and no stdin, its output kept only as a bounded tail, and the whole
//! group killed when its time is up.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use crate::redact::redact_secrets;

/// How long output readers may go on after the tool ended (a descendant that escaped the
/// process group can hold the pipes open; its output is not worth waiting for).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// How a tool's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it.
    Signal(i32),
    /// Its time ran out and its process group was killed.
    TimedOut,
}

/// A finished run.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) exit: Exit,
    pub(crate) stdout_tail: String,
    pub(crate) stderr_tail: String,
}

/// The first executable file named `program` in the `PATH`-style list `search_path`.
pub(crate) fn find_program(program: &str, search_path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(search_path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// What to run and how.
pub(crate) struct Spawn<'a> {
    pub(crate) program: &'a Path,
    pub(crate) args: &'a [String],
    pub(crate) cwd: &'a Path,
    /// The whole environment: nothing is inherited.
    pub(crate) env: &'a [(OsString, OsString)],
    pub(crate) timeout: Duration,
    pub(crate) tail_bytes: usize,
}

/// Runs the program to its end or its timeout.
pub(crate) async fn run(spawn: &Spawn<'_>) -> std::io::Result<Finished> {
    let mut child = Command::new(spawn.program)
        .args(spawn.args)
        .current_dir(spawn.cwd)
        .env_clear()
        .envs(spawn.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that a timeout kills what it started too.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    let stdout = tokio::spawn(read_tail(child.stdout.take(), spawn.tail_bytes));
    let stderr = tokio::spawn(read_tail(child.stderr.take(), spawn.tail_bytes));

    let exit = match tokio::time::timeout(spawn.timeout, child.wait()).await {
        Ok(status) => {
            let status = status?;
            match (status.code(), status.signal()) {
                (Some(code), _) => Exit::Code(code),
                (None, Some(signal)) => Exit::Signal(signal),
                (None, None) => Exit::Code(-1),
            }
        }
        Err(_elapsed) => {
            // The leader is not reaped yet, so the group id cannot have been reused.
            if let Some(group) = group {
                let _ = killpg(group, Signal::SIGKILL);
            }
            child.wait().await?;
            Exit::TimedOut
        }
    };
    let stdout_tail = drain(stdout).await;
    let stderr_tail = drain(stderr).await;
    Ok(Finished {
        exit,
        stdout_tail,
        stderr_tail,
    })
}

async fn drain(reader: tokio::task::JoinHandle<Vec<u8>>) -> String {
    let abort = reader.abort_handle();
    match tokio::time::timeout(DRAIN_GRACE, reader).await {
        Ok(Ok(bytes)) => redact_secrets(&String::from_utf8_lossy(&bytes)),
        Ok(Err(_)) => String::new(),
        Err(_) => {
            abort.abort();
            String::new()
        }
    }
}

/// Reads a stream to its end, keeping only its last `keep` bytes.
async fn read_tail<R: AsyncRead + Unpin>(stream: Option<R>, keep: usize) -> Vec<u8> {
    let Some(mut stream) = stream else {
        return Vec::new();
    };
    let mut tail = Vec::new();
    let mut buffer = vec![0; 16 * 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend_from_slice(buffer.get(..n).unwrap_or_default());
                // Trim only once the buffer is twice the tail, so trimming stays rare.
                if tail.len() > keep.saturating_mul(2).max(keep + 1) {
                    tail.drain(..tail.len() - keep);
                }
            }
        }
    }
    if tail.len() > keep {
        tail.drain(..tail.len() - keep);
    }
    tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_executables_on_absolute_path_entries() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["relative", dir.path().to_str().unwrap()]).unwrap();
        assert_eq!(find_program("tool", &path), Some(tool));
        assert_eq!(find_program("plain", &path), None);
        assert_eq!(find_program("absent", &path), None);
    }

    #[tokio::test]
    async fn keeps_only_the_tail() {
        let text: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let tail = read_tail(Some(&text[..]), 10).await;
        assert_eq!(tail, b"998\n99999\n");
    }
}
