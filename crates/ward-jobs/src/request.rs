//! What a scan job asks for: the job payload the server queues and a worker reads back.

use serde::{Deserialize, Serialize};

/// The `kind` of scan jobs in the store's queue.
pub const SCAN_JOB: &str = "scan";

/// A scan request: what to scan, with which scanners, where the findings go and which
/// report formats to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// What to scan.
    pub source: Source,
    /// Adapter ids ([`crate::ADAPTERS`]), run one after the other.
    pub scanners: Vec<String>,
    /// The product the findings are imported into (created when missing).
    pub product: String,
    /// The engagement the findings are imported into (created when missing).
    pub engagement: String,
    /// Export format ids (`ward_export`) written besides the ward JSON report.
    #[serde(default)]
    pub formats: Vec<String>,
}

/// What a scan runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// A git repository, cloned at `reference` (a branch, tag or commit; the default branch
    /// when absent).
    Git {
        /// The repository URL.
        url: String,
        /// What to check out.
        #[serde(default)]
        reference: Option<String>,
        /// Clone with the git token of the product's webhook settings, presented as this
        /// user name (`oauth2` for GitLab, `x-access-token` for GitHub). The token itself is
        /// never in the request: the worker reads it from the store and opens it with the
        /// master keyring.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_user: Option<String>,
    },
    /// An uploaded zip, tar or tar.gz archive, by its object key (`raw-uploads/…`).
    Archive {
        /// The object key.
        key: String,
    },
    /// An uploaded image tarball (`docker save`), by its object key (`raw-uploads/…`).
    Image {
        /// The object key.
        key: String,
    },
    /// A running web application.
    Url {
        /// Its `http(s)` URL.
        url: String,
    },
}

impl ScanRequest {
    /// Checks what can be checked before the job is queued: known scanners and formats, each
    /// scanner able to scan the source's kind of target.
    pub fn validate(&self) -> Result<(), String> {
        if self.scanners.is_empty() {
            return Err("scanners: name at least one scanner".to_string());
        }
        let kind = match &self.source {
            Source::Git { .. } | Source::Archive { .. } => crate::TargetKind::Directory,
            Source::Image { .. } => crate::TargetKind::Image,
            Source::Url { .. } => crate::TargetKind::Url,
        };
        for id in &self.scanners {
            let Some(adapter) = crate::adapters::adapter(id) else {
                return Err(format!("scanners: unknown scanner `{id}`"));
            };
            if adapter.target != kind {
                return Err(format!(
                    "scanners: `{id}` scans a {:?} target, not a {kind:?}",
                    adapter.target
                ));
            }
        }
        for format in &self.formats {
            if ward_export::exporter(format).is_none() {
                return Err(format!("formats: unknown format `{format}`"));
            }
        }
        for (field, value) in [("product", &self.product), ("engagement", &self.engagement)] {
            if value.trim().is_empty() {
                return Err(format!("{field}: must not be empty"));
            }
        }
        Ok(())
    }
}

/// The object name (kind [`ward_blob::Kind::Report`]) of a job's report in `format`
/// (`None`: the ward JSON report, which is the job's result key), next to the result key.
pub fn report_name(result_name: &str, format: Option<&str>) -> String {
    match format {
        None => result_name.to_string(),
        Some(format) => {
            let stem = result_name.strip_suffix(".json").unwrap_or(result_name);
            format!("{stem}.{format}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(scanners: &[&str], source: Source) -> ScanRequest {
        ScanRequest {
            source,
            scanners: scanners.iter().map(|s| s.to_string()).collect(),
            product: "shop".to_string(),
            engagement: "main".to_string(),
            formats: vec!["sarif".to_string()],
        }
    }

    #[test]
    fn validation_names_the_field() {
        let archive = || Source::Archive {
            key: "raw-uploads/a.tar.gz".to_string(),
        };
        assert_eq!(request(&["secrets"], archive()).validate(), Ok(()));
        let unknown = request(&["nope"], archive()).validate().unwrap_err();
        assert!(unknown.starts_with("scanners:"), "{unknown}");
        let wrong = request(&["zap-baseline"], archive())
            .validate()
            .unwrap_err();
        assert!(wrong.contains("zap-baseline"), "{wrong}");
        let mut bad_format = request(&["secrets"], archive());
        bad_format.formats = vec!["pdf".to_string()];
        assert!(bad_format.validate().unwrap_err().starts_with("formats:"));
    }

    #[test]
    fn payload_round_trips_and_refuses_unknown_fields() {
        let json = r#"{"source":{"git":{"url":"https://example.com/r.git","reference":"v1"}},
            "scanners":["secrets"],"product":"shop","engagement":"main"}"#;
        let parsed: ScanRequest = serde_json::from_str(json).unwrap();
        assert!(parsed.formats.is_empty());
        let back: ScanRequest =
            serde_json::from_value(serde_json::to_value(&parsed).unwrap()).unwrap();
        assert_eq!(back, parsed);
        assert!(serde_json::from_str::<ScanRequest>(r#"{"source":{"url":{"url":"x"}},"scanners":[],"product":"p","engagement":"e","extra":1}"#).is_err());
    }

    #[test]
    fn export_names_sit_next_to_the_report() {
        assert_eq!(
            report_name("scan-1/report.json", None),
            "scan-1/report.json"
        );
        assert_eq!(
            report_name("scan-1/report.json", Some("sarif")),
            "scan-1/report.sarif"
        );
    }
}
