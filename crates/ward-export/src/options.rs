//! [`Options`]: what an export needs beyond the report (versions, AWS coordinates, the time
//! to stamp, a baseline to compare with).

use std::fmt;
use std::str::FromStr;

use ward_core::{Report, Severity};

use crate::time::UtcTime;
use crate::Error;

/// Settings of the exporters. [`Options::default`] gives the documented defaults; each
/// exporter reads only its own fields.
#[derive(Debug, Clone)]
pub struct Options {
    /// When the scan ran (RFC 3339). When `None`, the earliest scan time the report carries is
    /// used, else the Unix epoch: exporters never read the clock, so output is reproducible.
    pub scan_time: Option<String>,
    /// ward's version, stamped as the analyzer/driver version.
    pub ward_version: String,
    /// The GitLab security report schema version to declare (`15.2.1`). GitLab rejects
    /// versions it does not ship, so this is configurable.
    pub gitlab_schema_version: String,
    /// The Security Hub product ARN. `None` means the account's default product:
    /// `arn:aws:securityhub:{region}:{account}:product/{account}/default`.
    pub asff_product_arn: Option<String>,
    /// The 12-digit AWS account the findings are imported into.
    pub aws_account_id: String,
    /// The AWS region of the Security Hub the findings are imported into.
    pub aws_region: String,
    /// The CycloneDX specification version to write.
    pub cyclonedx_version: CycloneDxVersion,
    /// Which SonarQube generic issue format to write.
    pub sonarqube_format: SonarqubeFormat,
    /// One JUnit test case per finding or per rule.
    pub junit_grouping: JunitGrouping,
    /// Open findings at or above this severity are JUnit failures; the others pass.
    pub junit_fail_on: Severity,
    /// An earlier report; the Markdown summary then tells new, fixed and unchanged findings
    /// apart (by fingerprint).
    pub baseline: Option<Report>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            scan_time: None,
            ward_version: env!("CARGO_PKG_VERSION").to_string(),
            gitlab_schema_version: "15.2.1".to_string(),
            asff_product_arn: None,
            aws_account_id: "000000000000".to_string(),
            aws_region: "us-east-1".to_string(),
            cyclonedx_version: CycloneDxVersion::V1_6,
            sonarqube_format: SonarqubeFormat::V10_3,
            junit_grouping: JunitGrouping::PerFinding,
            junit_fail_on: Severity::Info,
            baseline: None,
        }
    }
}

impl Options {
    /// The time to stamp on the report: [`Options::scan_time`], else the earliest time the
    /// report's sources or findings carry, else the Unix epoch.
    pub fn time(&self, report: &Report) -> Result<UtcTime, Error> {
        if let Some(text) = &self.scan_time {
            return UtcTime::parse(text).ok_or_else(|| Error::InvalidOption {
                option: "scan time",
                value: text.clone(),
                expected: "an RFC 3339 time such as 2024-05-01T12:00:00Z",
            });
        }
        Ok(report_time(report).unwrap_or(UtcTime::EPOCH))
    }

    /// The Security Hub product ARN to use, checked.
    pub fn product_arn(&self) -> Result<String, Error> {
        let arn = match &self.asff_product_arn {
            Some(arn) => arn.clone(),
            None => format!(
                "arn:aws:securityhub:{region}:{account}:product/{account}/default",
                region = self.aws_region,
                account = self.aws_account_id
            ),
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let well_formed = parts.len() == 6
            && parts[0] == "arn"
            && !parts[1].is_empty()
            && parts[2] == "securityhub"
            && parts[5].starts_with("product/")
            && (12..=2048).contains(&arn.len())
            && !arn.chars().any(char::is_whitespace);
        if !well_formed {
            return Err(Error::InvalidOption {
                option: "asff product arn",
                value: arn,
                expected:
                    "arn:<partition>:securityhub:<region>:<account>:product/<company>/<product>",
            });
        }
        Ok(arn)
    }

    /// The AWS account id, checked to be 12 digits.
    pub fn account_id(&self) -> Result<&str, Error> {
        let id = self.aws_account_id.as_str();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidOption {
                option: "aws account id",
                value: id.to_string(),
                expected: "12 digits",
            });
        }
        Ok(id)
    }

    /// The AWS region, checked to look like one (`eu-west-1`).
    pub fn region(&self) -> Result<&str, Error> {
        let region = self.aws_region.as_str();
        let ok = (1..=16).contains(&region.len())
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(Error::InvalidOption {
                option: "aws region",
                value: region.to_string(),
                expected: "a region name such as eu-west-1",
            });
        }
        Ok(region)
    }

    /// The GitLab schema version, checked to be `MAJOR.MINOR.PATCH`.
    pub fn gitlab_version(&self) -> Result<&str, Error> {
        let version = self.gitlab_schema_version.as_str();
        let parts: Vec<&str> = version.split('.').collect();
        let ok = parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(Error::InvalidOption {
                option: "gitlab schema version",
                value: version.to_string(),
                expected: "MAJOR.MINOR.PATCH such as 15.2.1",
            });
        }
        Ok(version)
    }
}

/// The earliest scan time a report's sources or findings carry.
pub(crate) fn report_time(report: &Report) -> Option<UtcTime> {
    report
        .sources
        .iter()
        .filter_map(|s| s.scan_time.as_deref())
        .chain(
            report
                .findings
                .iter()
                .filter_map(|f| f.scan_time.as_deref()),
        )
        .filter_map(UtcTime::parse)
        .min()
}

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, as written on the command line.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value as written on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<$name, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("expected one of: {}", $name::NAMES.join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice! {
    /// A CycloneDX specification version.
    CycloneDxVersion {
        /// CycloneDX 1.5.
        V1_5 = "1.5",
        /// CycloneDX 1.6.
        V1_6 = "1.6",
    }
}

choice! {
    /// The SonarQube generic external issue format.
    SonarqubeFormat {
        /// `{"issues": […]}` with engine, type and severity per issue (SonarQube before 10.3).
        Legacy = "legacy",
        /// `{"rules": […], "issues": […]}` with clean-code attributes and impacts (10.3 and later).
        V10_3 = "10.3",
    }
}

choice! {
    /// What a JUnit test case stands for.
    JunitGrouping {
        /// One test case per finding.
        PerFinding = "finding",
        /// One test case per rule, failing when any finding of the rule does.
        PerRule = "rule",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_product_arn() {
        let options = Options {
            aws_account_id: "111122223333".into(),
            aws_region: "eu-west-1".into(),
            ..Options::default()
        };
        assert_eq!(
            options.product_arn().unwrap(),
            "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let options = Options {
            aws_account_id: "12345".into(),
            gitlab_schema_version: "15.2".into(),
            asff_product_arn: Some("arn:aws:s3:::bucket".into()),
            scan_time: Some("yesterday".into()),
            ..Options::default()
        };
        assert!(options
            .account_id()
            .unwrap_err()
            .to_string()
            .contains("12 digits"));
        assert!(options.gitlab_version().is_err());
        assert!(options.product_arn().is_err());
        let error = options.time(&Report::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid option scan time `yesterday`: an RFC 3339 time such as 2024-05-01T12:00:00Z"
        );
    }

    #[test]
    fn choices_parse_their_names() {
        for name in JunitGrouping::NAMES {
            assert_eq!(name.parse::<JunitGrouping>().unwrap().as_str(), *name);
        }
        assert_eq!("1.5".parse(), Ok(CycloneDxVersion::V1_5));
        assert!("2.0".parse::<CycloneDxVersion>().is_err());
        assert_eq!("legacy".parse(), Ok(SonarqubeFormat::Legacy));
    }
}
