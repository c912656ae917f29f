//! `csv`: one row per finding, RFC 4180 (comma separated, CRLF line ends, fields quoted when
//! they hold a comma, quote or line break, quotes doubled).
//!
//! Spreadsheets run cells that start with `=`, `+`, `-` or `@` (and tab or CR) as formulas, so a
//! scanner-controlled title such as `=HYPERLINK(…)` could act when the file is opened: such
//! cells get a leading `'`, which spreadsheets show as text (OWASP "CSV injection").

use std::io::Write;

use ward_core::{Finding, Report};

use crate::util::{fingerprint, status_word};
use crate::{Error, Exporter, Options, Outcome};

/// CSV, one row per finding.
pub(crate) struct Csv;

const COLUMNS: &[&str] = &[
    "fingerprint",
    "severity",
    "tool_severity",
    "confidence",
    "category",
    "tool",
    "rule_id",
    "title",
    "identifiers",
    "cvss_score",
    "cvss_vector",
    "epss",
    "file",
    "start_line",
    "end_line",
    "package",
    "version",
    "fixed_version",
    "purl",
    "image",
    "url",
    "method",
    "parameter",
    "resource",
    "status",
    "verified",
    "occurrences",
    "scan_time",
    "description",
    "remediation",
    "references",
];

impl Exporter for Csv {
    fn id(&self) -> &'static str {
        "csv"
    }

    fn name(&self) -> &'static str {
        "CSV"
    }

    fn extension(&self) -> &'static str {
        "csv"
    }

    fn write(&self, report: &Report, _: &Options, out: &mut dyn Write) -> Result<Outcome, Error> {
        let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        write_row(out, &header).map_err(Error::write(self.id()))?;
        for finding in &report.findings {
            write_row(out, &row(finding)).map_err(Error::write(self.id()))?;
        }
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

fn row(f: &Finding) -> Vec<String> {
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    let number = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let location = &f.location;
    let file = location.file.as_ref();
    let package = location.package.as_ref();
    let web = location.web.as_ref();
    let cvss = f.best_cvss();
    let identifiers: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
    let row = vec![
        fingerprint(f).into_owned(),
        f.severity.to_string(),
        text(f.tool_severity.as_ref()),
        f.confidence
            .map(|c| format!("{c:?}").to_lowercase())
            .unwrap_or_default(),
        f.category.to_string(),
        f.tool.clone(),
        text(f.rule_id.as_ref()),
        f.title.clone(),
        identifiers.join(" "),
        cvss.and_then(|c| c.score)
            .map(|s| s.to_string())
            .unwrap_or_default(),
        text(cvss.and_then(|c| c.vector.as_ref())),
        f.epss.map(|e| e.score.to_string()).unwrap_or_default(),
        file.map(|f| f.path.clone()).unwrap_or_default(),
        number(file.and_then(|f| f.start_line)),
        number(file.and_then(|f| f.end_line)),
        package.map(|p| p.name.clone()).unwrap_or_default(),
        text(package.and_then(|p| p.version.as_ref())),
        text(package.and_then(|p| p.fixed_version.as_ref())),
        text(package.and_then(|p| p.purl.as_ref())),
        location
            .image
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_default(),
        web.map(|w| w.url.clone()).unwrap_or_default(),
        text(web.and_then(|w| w.method.as_ref())),
        text(web.and_then(|w| w.parameter.as_ref())),
        location
            .cloud
            .as_ref()
            .map(|c| c.resource_id.clone())
            .unwrap_or_default(),
        status_word(f.status).to_string(),
        f.verified.to_string(),
        f.occurrences.to_string(),
        text(f.scan_time.as_ref()),
        text(f.description.as_ref()),
        text(f.remediation.as_ref()),
        f.references.join(" "),
    ];
    debug_assert_eq!(row.len(), COLUMNS.len());
    row
}

fn write_row(out: &mut dyn Write, cells: &[String]) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&cell_text(cell));
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

/// One cell: defused against formula injection, then quoted if it needs to be.
fn cell_text(cell: &str) -> String {
    let defused;
    let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        defused = format!("'{cell}");
        defused.as_str()
    } else {
        cell
    };
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn quoting_and_formula_injection() {
        assert_eq!(cell_text("plain"), "plain");
        assert_eq!(cell_text("a,b"), "\"a,b\"");
        assert_eq!(cell_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell_text("=1+1"), "'=1+1");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_text("-2"), "'-2");
        assert_eq!(cell_text("+x,y"), "\"'+x,y\"");
        assert_eq!(cell_text(""), "");
    }

    #[test]
    fn one_row_per_finding_with_a_header() {
        let report = testing::report();
        let text = testing::export(&Csv, &report);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        // Header, six findings, and the empty string after the last CRLF.
        assert_eq!(lines.len(), 1 + report.findings.len() + 1);
        assert!(lines[1].starts_with("0123456789abcdef0123456789abcdef,high,ERROR,,sast,Semgrep,"));
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""));
        assert!(text.contains("lodash,4.17.20,4.17.21,pkg:npm/lodash@4.17.20"));
    }
}
