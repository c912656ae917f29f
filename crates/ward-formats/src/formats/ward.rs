//! ward's own JSON report (`{"findings": […], "sources": […]}`), so that `ward convert` and
//! `ward gate` take ward's output as input. Fingerprints are kept as written.

use serde::Deserialize;
use ward_core::Finding;

use crate::util::has_keys;
use crate::{de, Error, Input, Parsed, Parser};

/// The ward JSON report.
pub(crate) struct Ward;

#[derive(Deserialize)]
struct Report {
    findings: Vec<Finding>,
    #[serde(default)]
    sources: Vec<ward_core::Source>,
}

impl Parser for Ward {
    fn id(&self) -> &'static str {
        "ward"
    }

    fn name(&self) -> &'static str {
        "ward"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        // DefectDojo has no scan type for it.
        &[]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.json().is_some_and(|v| {
            has_keys(v, &["findings", "sources"])
                && v["findings"].is_array()
                && v["sources"].is_array()
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let mut tools: Vec<&str> = report.sources.iter().map(|s| s.tool.as_str()).collect();
        tools.dedup();
        Ok(Parsed {
            tool: (tools.len() == 1).then(|| tools[0].to_string()),
            scan_time: report.sources.first().and_then(|s| s.scan_time.clone()),
            findings: report.findings,
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_fingerprints() {
        let text = r#"{"findings": [{"fingerprint": "0123456789abcdef0123456789abcdef", "title": "t",
            "severity": "high", "category": "sast", "tool": "Semgrep"}],
            "sources": [{"tool": "Semgrep", "format": "semgrep", "file": "s.json"}]}"#;
        let input = Input::new(text.as_bytes());
        assert!(Ward.detect(&input));
        let imported = crate::import(text.as_bytes(), None).unwrap();
        assert_eq!(imported.parser.id(), "ward");
        assert_eq!(
            imported.parsed.findings[0].fingerprint,
            "0123456789abcdef0123456789abcdef"
        );
        assert_eq!(imported.parsed.tool.as_deref(), Some("Semgrep"));
    }

    #[test]
    fn bad_findings_name_the_field() {
        let text = r#"{"findings": [{"title": "t", "severity": "severe", "category": "sast", "tool": "x"}], "sources": []}"#;
        let err = crate::import(text.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("findings[0].severity"), "{err}");
    }
}
