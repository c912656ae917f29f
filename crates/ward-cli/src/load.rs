//! Reading inputs: files or stdin with a size limit, and whole reports from either ward JSON
//! or any format `ward import` reads.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use ward_core::{Report, Source};
use ward_formats::{Input, Sniff};

/// The largest input read unless `--max-size` says otherwise: 1.5 GiB.
pub(crate) const DEFAULT_MAX_SIZE: u64 = 1536 * 1024 * 1024;

/// A report read from one input, and what the importer had to say about it.
pub(crate) struct Loaded {
    pub(crate) report: Report,
    pub(crate) warnings: Vec<String>,
}

/// Checks `--format` before any file is read: `auto` gives `None`.
pub(crate) fn check_format(format: &str) -> anyhow::Result<Option<&str>> {
    if format == "auto" {
        return Ok(None);
    }
    if ward_formats::parser(format).is_none() {
        anyhow::bail!("unknown format `{format}` (see `ward formats`)");
    }
    Ok(Some(format))
}

/// Reads one input (`-` for stdin) as a report; see [`parse`].
pub(crate) fn load(path: &Path, format: Option<&str>, max_size: u64) -> anyhow::Result<Loaded> {
    let name = path.display().to_string();
    let bytes = read_limited(path, max_size).with_context(|| format!("reading {name}"))?;
    parse(&name, &bytes, format)
}

/// Parses report bytes that came from `name`. With `format` `None`, a ward JSON report
/// (`{"findings": […], "sources": […]}`) is taken as it is, sources and fingerprints
/// included, and anything else goes through the importers' detection; `ward` forces ward
/// JSON, any other value names an importer.
pub(crate) fn parse(name: &str, bytes: &[u8], format: Option<&str>) -> anyhow::Result<Loaded> {
    if format == Some("ward") || (format.is_none() && is_ward_json(bytes)) {
        let mut report: Report = serde_json::from_slice(bytes)
            .with_context(|| format!("reading {name} as a ward JSON report"))?;
        if report.findings.iter().any(|f| f.fingerprint.is_empty()) {
            ward_core::fingerprint::assign(&mut report.findings);
        }
        return Ok(Loaded {
            report,
            warnings: Vec::new(),
        });
    }
    let imported =
        ward_formats::import(bytes, format).with_context(|| format!("reading {name}"))?;
    Ok(loaded(name, imported))
}

/// The report of one import, as the file `name` gave it.
pub(crate) fn loaded(name: &str, imported: ward_formats::Imported) -> Loaded {
    let parsed = imported.parsed;
    let source = Source {
        tool: parsed
            .tool
            .unwrap_or_else(|| imported.parser.name().to_string()),
        format: imported.parser.id().to_string(),
        file: name.to_string(),
        scan_time: parsed.scan_time,
    };
    Loaded {
        report: Report {
            findings: parsed.findings,
            sources: vec![source],
        },
        warnings: parsed.warnings,
    }
}

/// Whether the bytes look like a ward report: a JSON object whose `findings` and `sources`
/// are arrays. Decided on the bounded sniff, so a huge foreign report costs little.
pub(crate) fn is_ward_json(bytes: &[u8]) -> bool {
    let input = Input::new(bytes);
    let Sniff::Json(serde_json::Value::Object(object)) = input.sniff() else {
        return false;
    };
    object.get("findings").is_some_and(|v| v.is_array())
        && object.get("sources").is_some_and(|v| v.is_array())
}

/// Reads a file (or stdin for `-`), refusing more than `limit` bytes before reading them.
pub(crate) fn read_limited(path: &Path, limit: u64) -> anyhow::Result<Vec<u8>> {
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
