//! Scanner report parsers.
//!
//! Each supported format is one module under [`formats`] with a unit struct implementing
//! [`Parser`]; [`PARSERS`] lists them all. [`import`] picks the parser (by `--format` or by
//! [`detect`]ing the content, never the file name), parses, and assigns fingerprints.
#![warn(missing_docs)]

pub mod de;
mod error;
pub mod formats;
mod input;
pub mod util;

pub use error::Error;
pub use formats::PARSERS;
pub use input::{Input, Sniff, XmlSniff};
use ward_core::Finding;

/// A report format ward reads.
pub trait Parser: Sync {
    /// The format id used with `--format` (kebab-case, stable).
    fn id(&self) -> &'static str;
    /// The tool or format's human name.
    fn name(&self) -> &'static str;
    /// The DefectDojo `scan_type` names this parser stands for, so that pipelines written for
    /// DefectDojo's import API work unchanged.
    fn scan_types(&self) -> &'static [&'static str];
    /// Whether the input is this format. Looks only at [`Input::sniff`], which is bounded.
    fn detect(&self, input: &Input<'_>) -> bool;
    /// Reads the report. Fails only when the input is not this format at all or is broken;
    /// entries that cannot be used become [`Parsed::warnings`].
    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error>;
    /// Reads the report and hands its findings to `each` in batches as they are made, so that
    /// a caller writing them out never holds them all. The returned [`Parsed`] carries the
    /// warnings, tool and scan time (and any findings not handed over). Formats whose reports
    /// grow large override this; by default every finding comes in one batch after [`Parser::parse`].
    fn parse_each(
        &self,
        input: &Input<'_>,
        each: &mut dyn FnMut(Vec<Finding>),
    ) -> Result<Parsed, Error> {
        let mut parsed = self.parse(input)?;
        each(std::mem::take(&mut parsed.findings));
        Ok(parsed)
    }
}

/// The result of parsing one report.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The findings, in report order.
    pub findings: Vec<Finding>,
    /// Entries that were skipped or values that were not understood, each naming where.
    pub warnings: Vec<String>,
    /// The producing tool as the report names it (a SARIF driver's name), if it does.
    pub tool: Option<String>,
    /// When the scan ran, if the report says.
    pub scan_time: Option<String>,
}

/// The outcome of [`import`]: which parser read the input, and what it found.
#[derive(Debug)]
pub struct Imported {
    /// The parser that read the input.
    pub parser: &'static dyn Parser,
    /// Its output, with fingerprints assigned.
    pub parsed: Parsed,
}

impl std::fmt::Debug for dyn Parser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The parser with this id (or DefectDojo scan type, case-insensitively).
pub fn parser(name: &str) -> Option<&'static dyn Parser> {
    PARSERS
        .iter()
        .copied()
        .find(|p| p.id() == name)
        .or_else(|| {
            PARSERS
                .iter()
                .copied()
                .find(|p| p.scan_types().iter().any(|s| s.eq_ignore_ascii_case(name)))
        })
}

/// The first parser in [`PARSERS`] order that recognises the input.
pub fn detect(input: &Input<'_>) -> Result<&'static dyn Parser, Error> {
    if let Some(parser) = PARSERS.iter().copied().find(|p| p.detect(input)) {
        return Ok(parser);
    }
    // The sniff reads only the start of an XML document, and skips deep JSON unread: a broken
    // or hostile input deserves its position more than a guess at its format.
    match input.sniff() {
        Sniff::Xml(_) => de::check_xml(input.bytes())?,
        Sniff::Json(_) | Sniff::JsonLines(_) => {
            if let Some(error) = input::nesting_error(input.bytes()) {
                return Err(error);
            }
        }
        _ => {}
    }
    let what = match input.sniff() {
        Sniff::Json(v) | Sniff::JsonLines(v) => match v {
            serde_json::Value::Object(o) => {
                let keys: Vec<&str> = o.keys().take(8).map(String::as_str).collect();
                format!("JSON with top-level keys {keys:?}")
            }
            serde_json::Value::Array(a) if a.is_empty() => "an empty JSON array".to_string(),
            _ => "JSON".to_string(),
        },
        Sniff::Xml(x) => format!("XML with root element <{}>", x.root),
        Sniff::Html => "HTML".to_string(),
        Sniff::Zip => "a ZIP archive".to_string(),
        Sniff::Broken(error) => {
            return Err(input::nesting_error(input.bytes()).unwrap_or_else(|| error.clone()))
        }
        Sniff::Other { reason } => reason.clone(),
    };
    Err(Error::Unrecognized { what })
}

/// Parses one report with the named format (`Some("trivy")`) or the detected one (`None`), and
/// assigns fingerprints.
pub fn import(bytes: &[u8], format: Option<&str>) -> Result<Imported, Error> {
    let input = Input::new(bytes);
    let parser = match format {
        None | Some("auto") => detect(&input)?,
        Some(name) => parser(name).ok_or_else(|| Error::UnknownFormat(name.to_string()))?,
    };
    let mut parsed = parser.parse(&input)?;
    // Only ward's own format arrives with fingerprints; they are kept as they were assigned.
    if parsed.findings.iter().any(|f| f.fingerprint.is_empty()) {
        ward_core::fingerprint::assign(&mut parsed.findings);
    }
    Ok(Imported { parser, parsed })
}

/// Like [`import`], but hands the findings to `each` in fingerprinted batches as the parser
/// makes them (see [`Parser::parse_each`]), so the caller can write them out without holding
/// them all. Fingerprints are assigned per batch; a streaming parser makes a batch of
/// everything that shares a file (a Trivy target), which is what the ranks of
/// [`ward_core::fingerprint`] compare.
pub fn import_each(
    bytes: &[u8],
    format: Option<&str>,
    each: &mut dyn FnMut(Vec<Finding>),
) -> Result<Imported, Error> {
    let input = Input::new(bytes);
    let parser = match format {
        None | Some("auto") => detect(&input)?,
        Some(name) => parser(name).ok_or_else(|| Error::UnknownFormat(name.to_string()))?,
    };
    let mut fingerprinted = |mut batch: Vec<Finding>| {
        if batch.iter().any(|f| f.fingerprint.is_empty()) {
            ward_core::fingerprint::assign(&mut batch);
        }
        each(batch);
    };
    let mut parsed = parser.parse_each(&input, &mut fingerprinted)?;
    if !parsed.findings.is_empty() {
        fingerprinted(std::mem::take(&mut parsed.findings));
    }
    Ok(Imported { parser, parsed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for parser in PARSERS {
            let id = parser.id();
            assert!(seen.insert(id), "duplicate parser id {id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id} is not kebab-case"
            );
            assert!(!parser.name().is_empty());
            assert!(
                !parser.scan_types().is_empty() || matches!(id, "ward" | "empty"),
                "{id} names no DefectDojo scan type"
            );
        }
    }

    #[test]
    fn scan_types_resolve_to_their_parser() {
        for parser in PARSERS {
            for scan_type in parser.scan_types() {
                assert_eq!(
                    super::parser(scan_type).map(|p| p.id()),
                    Some(parser.id()),
                    "{scan_type}"
                );
            }
        }
    }

    #[test]
    fn nothing_detects_garbage() {
        for garbage in [&b"hello"[..], b"{}", b"[{}]", b"<root/>", b"{\"a\": 1}"] {
            let input = Input::new(garbage);
            let found: Vec<_> = PARSERS
                .iter()
                .filter(|p| p.detect(&input))
                .map(|p| p.id())
                .collect();
            assert!(
                found.is_empty(),
                "{:?} detected as {found:?}",
                String::from_utf8_lossy(garbage)
            );
        }
    }

    #[test]
    fn unknown_format_is_named() {
        let err = import(b"{}", Some("no-such-tool")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `no-such-tool` (see `ward formats`)"
        );
    }
}
