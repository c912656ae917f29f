//! `json`: the ward report itself, `{"findings": […], "sources": […]}`, as `ward import` writes it.

use std::io::Write;

use ward_core::Report;

use crate::{Error, Exporter, Options, Outcome};

/// The ward JSON report.
pub(crate) struct Json;

impl Exporter for Json {
    fn id(&self) -> &'static str {
        "json"
    }

    fn name(&self) -> &'static str {
        "ward JSON"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn write(&self, report: &Report, _: &Options, out: &mut dyn Write) -> Result<Outcome, Error> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(Error::json(self.id()))?;
        out.write_all(b"\n").map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn round_trips_through_serde() {
        let report = testing::report();
        let text = testing::export(&Json, &report);
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert!(text.ends_with("}\n"));
    }
}
