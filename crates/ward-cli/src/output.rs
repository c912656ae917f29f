//! Printing and writing: the only place that talks to the terminal or writes result files.
#![allow(clippy::print_stderr)]

use std::io::{IsTerminal, Seek, Write};
use std::path::Path;

use anyhow::Context;

/// Prints an error and its causes on one line: `error: reading x.json: invalid JSON at …`.
pub(crate) fn error(error: &anyhow::Error) {
    let mut message = String::from("error: ");
    for (i, cause) in error.chain().enumerate() {
        if i > 0 {
            message.push_str(": ");
        }
        message.push_str(&cause.to_string());
    }
    eprintln!("{message}");
}

/// Prints a warning to stderr.
pub(crate) fn warning(text: &str) {
    eprintln!("warning: {text}");
}

/// Whether stderr is a terminal, i.e. whether a human summary is wanted.
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Prints text to stderr.
pub(crate) fn note(text: &str) {
    eprintln!("{text}");
}

/// Writes the output of `write` to `path` (`-` or `None` for stdout) all or nothing: a file is
/// written beside its destination and renamed into place only when complete.
pub(crate) fn write_atomically(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
        // Standard output cannot be taken back, so the output is spooled to an unnamed
        // temporary file and copied out only once it is complete.
        let mut spool = std::io::BufWriter::with_capacity(
            1 << 16,
            tempfile::tempfile().context("creating a temporary file for the output")?,
        );
        write(&mut spool)?;
        let mut file = spool
            .into_inner()
            .map_err(|e| e.into_error())
            .context("writing the output")?;
        file.seek(std::io::SeekFrom::Start(0))
            .context("writing the output")?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        std::io::copy(&mut file, &mut out).context("writing to stdout")?;
        out.flush().context("writing to stdout")?;
        return Ok(());
    };
    // Devices and pipes (`-o /dev/null`, a FIFO) are written in place: there is nothing to
    // rename over, and replacing a device node would be wrong.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        return Ok(());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.ward-{}.tmp", std::process::id()));
    let result = (|| {
        let file =
            std::fs::File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        file.sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        std::fs::rename(&temp, path)
            .with_context(|| format!("moving the output into place at {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
