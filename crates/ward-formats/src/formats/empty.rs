//! An input that holds no report at all: an empty file, `null` or `[]`. Several scanners write
//! exactly that when they find nothing (gitleaks and legacy Trivy write `null`, nuclei and
//! osv-scanner an empty file, trufflehog3 and whispers `[]`), so a pipeline that imports a
//! clean scan must not fail. It reads as zero findings, with a warning saying so.

use crate::{Error, Input, Parsed, Parser};

/// No report content.
pub(crate) struct Empty;

/// Whether the bytes are blank, `null` or an empty array (whitespace and a BOM aside).
fn is_empty_report(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let compact: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .take(5)
        .collect();
    matches!(compact.as_slice(), b"" | b"null" | b"[]")
}

impl Parser for Empty {
    fn id(&self) -> &'static str {
        "empty"
    }

    fn name(&self) -> &'static str {
        "empty report"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &[]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        is_empty_report(input.bytes())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        if !is_empty_report(input.bytes()) {
            return Err(Error::WrongFormat {
                format: "empty",
                reason: "the input has content".into(),
            });
        }
        Ok(Parsed {
            warnings: vec![
                "the input holds no report (it is empty, `null` or `[]`): read as no findings"
                    .into(),
            ],
            ..Parsed::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_null_and_empty_arrays_only() {
        for empty in [&b""[..], b"  \n", b"null\n", b"[ ]", b"\xef\xbb\xbf[]"] {
            let imported = crate::import(empty, None).unwrap();
            assert_eq!(imported.parser.id(), "empty");
            assert!(imported.parsed.findings.is_empty());
            assert_eq!(imported.parsed.warnings.len(), 1);
        }
        for content in [&b"{}"[..], b"[1]", b"nul", b"[[]]"] {
            assert!(
                !Empty.detect(&Input::new(content)),
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
    }
}
