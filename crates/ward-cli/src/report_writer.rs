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
        self.scratch.clear();
        self.scratch.extend_from_slice(if self.n_findings == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        // A finding is an item of the report's `findings`: two levels in.
        pretty(&mut self.scratch, finding, 2)?;
        self.out.write_all(&self.scratch)?;
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
        let mut json = Vec::new();
        pretty(&mut json, sources, 1)?;
        self.out.write_all(&json)?;
        self.out.write_all(b"\n}\n")
    }
}

/// Pretty-prints a value as `serde_json::to_writer_pretty` does, as if it were `level` levels
/// deep in a larger document (each line after the first indented by two spaces a level).
fn pretty<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    level: usize,
) -> io::Result<()> {
    let formatter = Indented {
        level,
        has_value: false,
    };
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// serde_json's `PrettyFormatter` with two-space indentation, starting at a given level.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn newline<W: ?Sized + Write>(&self, writer: &mut W, comma: bool) -> io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        writer.write_all(if comma { b",\n" } else { b"\n" })?;
        let mut n = self.level * 2;
        while n > 0 {
            let now = n.min(SPACES.len());
            writer.write_all(&SPACES[..now])?;
            n -= now;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(writer, false)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(writer, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(writer, false)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(writer, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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
