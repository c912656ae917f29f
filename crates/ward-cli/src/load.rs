//! Reading report files of any supported format (ward JSON included) into findings.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use ward_core::{Finding, Source};

/// The largest input read unless `--max-size` says otherwise: 1.5 GiB.
pub(crate) const DEFAULT_MAX_SIZE: u64 = 1536 * 1024 * 1024;

/// One report, read.
pub(crate) struct Loaded {
    /// Where it came from.
    pub(crate) source: Source,
    /// Its findings, fingerprinted.
    pub(crate) findings: Vec<Finding>,
    /// What the parser skipped or did not understand.
    pub(crate) warnings: Vec<String>,
}

/// Reads and parses a report file (`-` for stdin) as `format` (`None`: detect).
pub(crate) fn load(path: &Path, format: Option<&str>, max_size: u64) -> anyhow::Result<Loaded> {
    let name = path.display().to_string();
    let bytes = read_limited(path, max_size).with_context(|| format!("reading {name}"))?;
    parse(&name, &bytes, format)
}

/// Parses report bytes that came from `name`.
pub(crate) fn parse(name: &str, bytes: &[u8], format: Option<&str>) -> anyhow::Result<Loaded> {
    let imported =
        ward_formats::import(bytes, format).with_context(|| format!("reading {name}"))?;
    let parsed = imported.parsed;
    Ok(Loaded {
        source: Source {
            tool: parsed
                .tool
                .unwrap_or_else(|| imported.parser.name().to_string()),
            format: imported.parser.id().to_string(),
            file: name.to_string(),
            scan_time: parsed.scan_time,
        },
        findings: parsed.findings,
        warnings: parsed.warnings,
    })
}

/// Checks `--format` before any file is read.
pub(crate) fn check_format(format: &str) -> anyhow::Result<Option<&str>> {
    if format == "auto" {
        return Ok(None);
    }
    if ward_formats::parser(format).is_none() {
        anyhow::bail!("unknown format `{format}` (see `ward formats`)");
    }
    Ok(Some(format))
}

/// Reads a file (or stdin for `-`), refusing more than `limit` bytes before reading them.
fn read_limited(path: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    let too_large = |size: u64| ward_formats::Error::TooLarge { size, limit };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)?;
    } else {
        let file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        if size > limit {
            return Err(too_large(size).into());
        }
        bytes.reserve_exact(size as usize);
        file.take(limit + 1).read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64).into());
    }
    Ok(bytes)
}
