//! Exporters: a ward [`Report`] out to the formats CI systems and dashboards read.
//!
//! Each output format is one module under [`exporters`] with a unit struct implementing
//! [`Exporter`]; [`EXPORTERS`] lists them all. [`exporter`] finds one by id, and
//! [`gitlab_artifacts`] splits a report into GitLab's five standard security report files.
//!
//! Exporters are pure: the same report and [`Options`] give the same bytes. Anything that
//! changes between runs (the scan time, ward's version) comes in through [`Options`]. A found
//! secret is only ever held masked in a [`ward_core::Finding`], and exporters copy only that.
#![warn(missing_docs)]

mod error;
pub mod exporters;
mod options;
pub mod time;
mod util;

use std::io::Write;

pub use error::Error;
pub use exporters::gitlab::{gitlab_artifacts, GitlabArtifact, GitlabKind};
pub use exporters::EXPORTERS;
pub use options::{CycloneDxVersion, JunitGrouping, Options, SonarqubeFormat};
use ward_core::Report;

/// An output format ward writes.
pub trait Exporter: Sync {
    /// The format id used with `--to` (kebab-case, stable).
    fn id(&self) -> &'static str;
    /// The format's human name.
    fn name(&self) -> &'static str;
    /// The usual file name extension, without the dot (`json`, `sarif`, `xml` …).
    fn extension(&self) -> &'static str;
    /// Writes the report in this format. Findings the format cannot hold are left out and
    /// named in [`Outcome::warnings`].
    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error>;

    /// The report in this format, as bytes.
    fn export(&self, report: &Report, options: &Options) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        self.write(report, options, &mut bytes)?;
        Ok(bytes)
    }
}

impl std::fmt::Debug for dyn Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// What an export did besides writing: how many findings went out, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Findings written.
    pub exported: usize,
    /// Findings the format could not hold, or that belong to another report type, each
    /// group named once (`12 findings have no file, which SonarQube requires`).
    pub warnings: Vec<String>,
}

/// The exporter with this id.
pub fn exporter(id: &str) -> Option<&'static dyn Exporter> {
    EXPORTERS.iter().copied().find(|e| e.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for exporter in EXPORTERS {
            let id = exporter.id();
            assert!(seen.insert(id), "duplicate exporter id {id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id} is not kebab-case"
            );
            assert!(!exporter.name().is_empty());
            assert!(!exporter.extension().is_empty());
            assert_eq!(super::exporter(id).map(|e| e.id()), Some(id));
        }
    }

    #[test]
    fn every_exporter_handles_an_empty_report() {
        let options = Options::default();
        for exporter in EXPORTERS {
            let a = exporter.export(&Report::default(), &options).unwrap();
            let b = exporter.export(&Report::default(), &options).unwrap();
            assert!(!a.is_empty(), "{}", exporter.id());
            assert_eq!(a, b, "{} is not deterministic", exporter.id());
        }
    }
}
