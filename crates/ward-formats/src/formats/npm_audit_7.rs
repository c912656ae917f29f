//! npm audit JSON as npm 7 and later write it (`npm audit --json`, `auditReportVersion: 2`): a
//! `vulnerabilities` object keyed by package name, each naming the advisories that hit the
//! package itself (`via` objects) or the vulnerable packages it depends on (`via` names).
//! `npm audit fix --dry-run --json` wraps the same report in an `audit` object; both are read.
//! <https://docs.npmjs.com/cli/commands/npm-audit>
//!
//! One finding per vulnerable package, as npm reports them. Its title, rule id and CVSS come
//! from the first advisory on the package; every advisory's ids, CWEs and links are kept. A
//! package that is vulnerable only through its dependencies gets CWE-1035 (using components with
//! known vulnerabilities), which is exactly what it is. npm 7 reports no installed version.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Finding, PackageLocation};

use super::npm_audit::NpmError;
use super::sca_common::{
    ghsa_in_url, npm_advisory_id, npm_severity, Entries, NpmCvss, Scalar, Strings,
};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// npm audit, npm 7 and later.
pub(crate) struct NpmAudit7;

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "auditReportVersion")]
    audit_report_version: Option<Scalar>,
    vulnerabilities: Option<Entries<Vulnerability>>,
    /// `npm audit fix --dry-run --json` nests the report here.
    audit: Option<Box<Report>>,
    error: Option<NpmError>,
}

#[derive(Deserialize)]
struct Vulnerability {
    name: Option<String>,
    severity: Option<String>,
    #[serde(rename = "isDirect")]
    is_direct: Option<bool>,
    #[serde(default)]
    via: Vec<Via>,
    #[serde(default)]
    effects: Vec<String>,
    range: Option<String>,
    #[serde(default)]
    nodes: Vec<String>,
    #[serde(rename = "fixAvailable")]
    fix_available: Option<FixAvailable>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Via {
    /// The name of a vulnerable dependency this package is affected through.
    Package(String),
    Advisory(Advisory),
}

#[derive(Deserialize)]
struct Advisory {
    #[serde(default)]
    source: Scalar,
    title: Option<String>,
    url: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    cwe: Strings,
    cvss: Option<NpmCvss>,
    range: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FixAvailable {
    Flag(bool),
    Fix {
        name: Option<String>,
        version: Option<String>,
        #[serde(rename = "isSemVerMajor")]
        is_semver_major: Option<bool>,
    },
}

impl Parser for NpmAudit7 {
    fn id(&self) -> &'static str {
        "npm-audit-7"
    }

    fn name(&self) -> &'static str {
        "npm audit (npm 7+)"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["NPM Audit v7+ Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        let report = v.get("audit").filter(|a| a.is_object()).unwrap_or(v);
        report.get("auditReportVersion").is_some()
            && report.get("vulnerabilities").is_some_and(|v| v.is_object())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut report: Report = de::json(input.bytes())?;
        if let Some(inner) = report.audit.take() {
            report = *inner;
        }
        if let Some(error) = report.error {
            return Err(Error::Field {
                field: "error".into(),
                message: error.message(),
            });
        }
        if report.audit_report_version.is_none() {
            return Err(Error::WrongFormat {
                format: "npm-audit-7",
                reason: "no `auditReportVersion`: reports of npm 6 and earlier are read with --format npm-audit".into(),
            });
        }
        let mut parsed = Parsed {
            tool: Some("npm audit".into()),
            ..Parsed::default()
        };
        let vulnerabilities = report.vulnerabilities.unwrap_or_default();
        // Each package's vulnerable range, for the packages it makes vulnerable.
        let ranges: HashMap<&str, &str> = vulnerabilities
            .0
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.range.as_deref()?)))
            .collect();
        for (key, vulnerability) in &vulnerabilities.0 {
            parsed.findings.push(finding(key, vulnerability, &ranges));
        }
        Ok(parsed)
    }
}

fn finding(key: &str, v: &Vulnerability, ranges: &HashMap<&str, &str>) -> Finding {
    let name = non_empty(v.name.as_deref()).unwrap_or_else(|| key.to_string());
    let advisories: Vec<&Advisory> = v
        .via
        .iter()
        .filter_map(|via| match via {
            Via::Advisory(a) => Some(a),
            Via::Package(_) => None,
        })
        .collect();
    let primary = advisories.first();
    let title = primary
        .and_then(|a| non_empty(a.title.as_deref()))
        .unwrap_or_else(|| name.clone());
    let mut f = Finding::new("npm audit", Category::Dependency, title);
    if let Some(label) = non_empty(v.severity.as_deref()) {
        f.severity = npm_severity(&label);
        f.tool_severity = Some(label);
    }
    f.rule_id = primary.and_then(|a| a.source.0.clone());
    for advisory in &advisories {
        if let Some(ghsa) = advisory.url.as_deref().and_then(ghsa_in_url) {
            f.add_id(ghsa);
        }
        if let Some(number) = advisory.source.0.as_deref() {
            f.add_id(&npm_advisory_id(number));
        }
        for cwe in advisory.cwe.iter() {
            f.add_cwe(cwe);
        }
        if let Some(url) = advisory.url.as_deref() {
            f.add_reference(url);
        }
    }
    if advisories.is_empty() {
        // Vulnerable only through its dependencies.
        f.add_cwe("1035");
    }
    f.cvss.extend(
        primary
            .and_then(|a| a.cvss.as_ref())
            .and_then(NpmCvss::rating),
    );

    let (fixed_version, remediation) = match &v.fix_available {
        Some(FixAvailable::Fix {
            name: fix_name,
            version,
            is_semver_major,
        }) => {
            let fix_name = non_empty(fix_name.as_deref()).unwrap_or_else(|| name.clone());
            let version = non_empty(version.as_deref());
            let major = if *is_semver_major == Some(true) {
                " (a semver-major change)"
            } else {
                ""
            };
            let text = match &version {
                Some(version) => format!("Update {fix_name} to version {version}{major}."),
                None => format!("Update {fix_name}{major}."),
            };
            let fixed = version.filter(|_| fix_name == name);
            (fixed, Some(text))
        }
        Some(FixAvailable::Flag(true)) => (None, Some("Run `npm audit fix`.".to_string())),
        Some(FixAvailable::Flag(false)) => (None, Some("No fix is available.".to_string())),
        None => (None, None),
    };
    f.remediation = remediation;
    f.location.package = Some(PackageLocation {
        name: name.clone(),
        version: None,
        ecosystem: Some("npm".into()),
        purl: None,
        fixed_version,
    });

    let mut lines = Vec::new();
    match non_empty(v.range.as_deref()) {
        Some(range) => lines.push(format!("Vulnerable versions of {name}: {range}")),
        None => lines.push(format!("Vulnerable package: {name}")),
    }
    if v.is_direct == Some(true) {
        lines.push("A direct dependency.".into());
    }
    for via in &v.via {
        match via {
            Via::Package(dependency) => {
                lines.push(format!("Depends on vulnerable versions of {dependency}"));
            }
            Via::Advisory(a) => {
                let mut line = non_empty(a.title.as_deref()).unwrap_or_else(|| "advisory".into());
                if let Some(url) = non_empty(a.url.as_deref()) {
                    line.push_str(&format!(" - {url}"));
                }
                if let Some(severity) = non_empty(a.severity.as_deref()) {
                    line.push_str(&format!(" ({severity}"));
                    if let Some(range) = non_empty(a.range.as_deref()) {
                        line.push_str(&format!(", {range}"));
                    }
                    line.push(')');
                }
                lines.push(line);
            }
        }
    }
    if !v.nodes.is_empty() {
        lines.push(format!("Installed at: {}", v.nodes.join(", ")));
    }
    let effects: Vec<String> = v
        .effects
        .iter()
        .map(|effect| {
            let range = ranges.get(effect.as_str()).and_then(|r| non_empty(Some(r)));
            match range {
                Some(range) => format!("{effect} {range}"),
                None => effect.clone(),
            }
        })
        .collect();
    if !effects.is_empty() {
        lines.push(format!("Makes vulnerable: {}", effects.join(", ")));
    }
    f.description = Some(lines.join("\n"));
    f.occurrences = u32::try_from(v.nodes.len()).unwrap_or(u32::MAX).max(1);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Severity;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(NpmAudit7.detect(&input));
        NpmAudit7.parse(&input).unwrap()
    }

    const REPORT: &str = r#"{"auditReportVersion":2,"vulnerabilities":{
        "debug":{"name":"debug","severity":"high","isDirect":true,"via":[
            {"source":1094222,"name":"debug","dependency":"debug","title":"ReDoS in debug","url":"https://github.com/advisories/GHSA-gxpj-cx7g-858c",
             "severity":"moderate","cwe":["CWE-400"],"cvss":{"score":5.3,"vectorString":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"},"range":"<2.6.9"},
            {"source":1094457,"title":"debug ReDoS","url":"https://github.com/advisories/GHSA-9vvw-cc9w-f27h","severity":"high","cwe":["CWE-1333"],
             "cvss":{"score":7.5,"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},"range":"<2.6.9"},
            "ms"],"effects":["app"],"range":"<=2.6.8","nodes":["node_modules/debug"],
            "fixAvailable":{"name":"debug","version":"2.6.9","isSemVerMajor":false}},
        "app":{"name":"app","severity":"high","isDirect":false,"via":["debug"],"effects":[],"range":"*","nodes":["node_modules/app"],"fixAvailable":false}
    },"metadata":{}}"#;

    #[test]
    fn packages_become_findings() {
        let parsed = check(REPORT);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "ReDoS in debug");
        assert_eq!(
            (f.severity, f.rule_id.as_deref()),
            (Severity::High, Some("1094222"))
        );
        assert_eq!(f.cwe(), Some(400));
        assert_eq!(f.cvss.len(), 1);
        assert_eq!(
            f.cvss[0].vector.as_deref(),
            Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L")
        );
        assert!(f
            .identifiers
            .iter()
            .any(|i| i.value == "GHSA-9vvw-cc9w-f27h"));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("2.6.9"));
        let transitive = &parsed.findings[1];
        assert_eq!(
            (transitive.title.as_str(), transitive.cwe()),
            ("app", Some(1035))
        );
        assert_eq!(
            transitive.remediation.as_deref(),
            Some("No fix is available.")
        );
    }

    #[test]
    fn dry_run_wrapper_and_npm6() {
        let wrapped = format!(r#"{{"added":0,"audit":{REPORT}}}"#);
        assert_eq!(check(&wrapped).findings.len(), 2);
        let input = Input::new(br#"{"actions":[],"advisories":{},"muted":[]}"#);
        assert!(!NpmAudit7.detect(&input));
        assert!(NpmAudit7.parse(&input).is_err());
    }
}
