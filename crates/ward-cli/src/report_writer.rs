//! Writes a ward JSON report one finding at a time, byte for byte as `serde_json` pretty-prints
//! a whole [`Report`](ward_core::Report), so that `ward import` never holds every finding of a
//! large report in memory.

use std::io::{self, Write};

use ward_core::{Finding, Source};

/// A report being written: `start`, then `finding` for each finding, then `finish`.
pub(crate) struct ReportWriter<'w> {
    out: &'w mut dyn Write,
    n_findings: usize,
    scratch: Vec<u8>,
}

impl<'w> ReportWriter<'w> {
    /// Writes the opening of the report.
    pub(crate) fn start(out: &'w mut dyn Write) -> io::Result<ReportWriter<'w>> {
        out.write_all(b"{\n  \"findings\": [")?;
        Ok(ReportWriter {
            out,
            n_findings: 0,
            scratch: Vec::with_capacity(4096),
        })
    }

    /// Writes one finding.
    pub(crate) fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.out.write_all(if self.n_findings == 0 {
            b"\n    "
        } else {
            b",\n    "
        })?;
        self.scratch.clear();
        serde_json::to_writer_pretty(&mut self.scratch, finding)?;
        write_indented(self.out, &self.scratch, b"\n    ")?;
        self.n_findings += 1;
        Ok(())
    }

    /// Closes the findings, writes the sources and the end of the report.
    pub(crate) fn finish(self, sources: &[Source]) -> io::Result<()> {
        self.out.write_all(if self.n_findings == 0 {
            b"],\n  \"sources\": "
        } else {
            b"\n  ],\n  \"sources\": "
        })?;
        let sources = serde_json::to_vec_pretty(sources)?;
        write_indented(self.out, &sources, b"\n  ")?;
        self.out.write_all(b"\n}\n")
    }
}

/// Writes pretty JSON with every line after the first indented (JSON text never holds a raw
/// newline inside a string, so every newline is a line break of the layout).
fn write_indented(out: &mut dyn Write, json: &[u8], newline: &[u8]) -> io::Result<()> {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(newline)?;
        out.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::{Category, Location, Report, Severity};

    fn report(n_findings: usize, n_sources: usize) -> Report {
        let findings = (0..n_findings)
            .map(|i| {
                let mut f = Finding::new("Semgrep", Category::Sast, format!("finding {i}"));
                f.severity = Severity::High;
                f.location = Location::file(format!("src/{i}.py"), Some(i as u32 + 1));
                f.add_id("CVE-2021-44228");
                f.add_reference("https://example.com/a\nb");
                f
            })
            .collect();
        let sources = (0..n_sources)
            .map(|i| Source {
                tool: "Semgrep".into(),
                format: "semgrep".into(),
                file: format!("s{i}.json"),
                scan_time: None,
            })
            .collect();
        Report { findings, sources }
    }

    #[test]
    fn same_bytes_as_pretty_printing_the_whole_report() {
        for (n_findings, n_sources) in [(0, 0), (0, 1), (1, 1), (3, 2)] {
            let report = report(n_findings, n_sources);
            let mut expected = serde_json::to_vec_pretty(&report).unwrap();
            expected.push(b'\n');
            let mut written = Vec::new();
            let mut writer = ReportWriter::start(&mut written).unwrap();
            for f in &report.findings {
                writer.finding(f).unwrap();
            }
            writer.finish(&report.sources).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
