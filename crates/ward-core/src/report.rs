//! The ward JSON report: findings plus the reports they came from.

use serde::{Deserialize, Serialize};

use crate::Finding;

/// A ward report: `{"findings": […], "sources": […]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// All findings, in input order.
    pub findings: Vec<Finding>,
    /// The inputs, one per imported file or scanner run.
    pub sources: Vec<Source>,
}

/// One input a report was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The producing tool (`Trivy`, or the SARIF driver name).
    pub tool: String,
    /// The ward format id it was read as (`trivy`, `sarif` …).
    pub format: String,
    /// The file it was read from.
    pub file: String,
    /// When the scan ran, if the report says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_time: Option<String>,
}
