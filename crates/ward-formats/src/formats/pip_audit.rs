//! pip-audit JSON (`pip-audit --format json`): the audited Python distributions, each with the
//! vulnerabilities (PyPI advisory ids, aliases, fix versions) found for its version. Both the
//! early bare list and the current `{"dependencies": [...], "fixes": [...]}` object are read.
//! <https://github.com/pypa/pip-audit>
//!
//! One finding per vulnerability of a distribution. pip-audit rates nothing, so findings are
//! medium, and all carry CWE-1395 (dependency on a vulnerable third-party component), the
//! weakness every one of them is. Distributions pip-audit skipped become warnings.

use serde::Deserialize;
use ward_core::{Category, Finding, PackageLocation, Severity};

use super::sca_common::Strings;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// pip-audit.
pub(crate) struct PipAudit;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    vulns: Vec<Vulnerability>,
    skip_reason: Option<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    #[serde(default)]
    fix_versions: Strings,
    #[serde(default)]
    aliases: Strings,
    description: Option<String>,
}

impl Parser for PipAudit {
    fn id(&self) -> &'static str {
        "pip-audit"
    }

    fn name(&self) -> &'static str {
        "pip-audit"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["pip-audit Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let dependency = |item: &serde_json::Value| {
            item.get("name").is_some()
                && (item.get("vulns").is_some() || item.get("skip_reason").is_some())
        };
        match input.json() {
            Some(serde_json::Value::Array(items)) => items.first().is_some_and(dependency),
            Some(serde_json::Value::Object(o)) => {
                let Some(list) = o.get("dependencies").and_then(|d| d.as_array()) else {
                    return false;
                };
                match list.first() {
                    Some(first) => dependency(first),
                    // An empty report: only pip-audit's own two keys.
                    None => o.keys().all(|k| k == "dependencies" || k == "fixes"),
                }
            }
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = if matches!(input.json(), Some(serde_json::Value::Array(_))) {
            Report {
                dependencies: de::json(input.bytes())?,
            }
        } else {
            de::json(input.bytes())?
        };
        let mut parsed = Parsed {
            tool: Some("pip-audit".into()),
            ..Parsed::default()
        };
        for (index, dependency) in report.dependencies.iter().enumerate() {
            let Some(name) = non_empty(dependency.name.as_deref()) else {
                parsed
                    .warnings
                    .push(format!("dependencies[{index}]: no name; skipped"));
                continue;
            };
            if let Some(reason) = non_empty(dependency.skip_reason.as_deref()) {
                parsed
                    .warnings
                    .push(format!("{name}: not audited: {reason}"));
            }
            for vulnerability in &dependency.vulns {
                parsed
                    .findings
                    .push(finding(&name, dependency, vulnerability));
            }
        }
        Ok(parsed)
    }
}

fn finding(name: &str, dependency: &Dependency, v: &Vulnerability) -> Finding {
    let version = non_empty(dependency.version.as_deref());
    let id = non_empty(v.id.as_deref());
    let title = format!(
        "{} in {name}:{}",
        id.as_deref().unwrap_or("Vulnerability"),
        version.as_deref().unwrap_or("unknown")
    );
    let mut f = Finding::new("pip-audit", Category::Dependency, title);
    f.severity = Severity::Medium;
    f.rule_id = id.clone();
    if let Some(id) = &id {
        f.add_id(id);
    }
    for alias in v.aliases.iter() {
        f.add_id(alias);
    }
    f.add_cwe("1395");
    f.description = non_empty(v.description.as_deref());
    let fixes = &v.fix_versions.0;
    f.location.package = Some(PackageLocation {
        name: name.to_string(),
        version,
        ecosystem: Some("PyPI".into()),
        purl: None,
        fixed_version: (!fixes.is_empty()).then(|| fixes.join(", ")),
    });
    if !fixes.is_empty() {
        f.remediation = Some(format!("Upgrade {name} to {}.", fixes.join(" or ")));
    }
    if let Some(id) = &id {
        if id.starts_with("PYSEC-") || id.starts_with("GHSA-") {
            f.add_reference(&format!("https://osv.dev/vulnerability/{id}"));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(PipAudit.detect(&input));
        PipAudit.parse(&input).unwrap()
    }

    #[test]
    fn both_shapes() {
        let list = r#"[{"name":"adal","version":"1.2.2","vulns":[]},{"name":"azure-devops","skip_reason":"not on PyPI"},
            {"name":"django","version":"3.2.9","vulns":[{"id":"PYSEC-2021-439","fix_versions":["2.2.25","3.2.10"],"aliases":["CVE-2021-44420","GHSA-v6rh-hp5x-86rv"],"description":"d"}]}]"#;
        for json in [
            list.to_string(),
            format!(r#"{{"dependencies":{list},"fixes":[]}}"#),
        ] {
            let parsed = check(&json);
            assert_eq!(parsed.findings.len(), 1);
            assert_eq!(parsed.warnings.len(), 1);
            let f = &parsed.findings[0];
            assert_eq!(f.title, "PYSEC-2021-439 in django:3.2.9");
            assert_eq!((f.severity, f.cwe()), (Severity::Medium, Some(1395)));
            assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-44420"));
            let p = f.location.package.as_ref().unwrap();
            assert_eq!(p.fixed_version.as_deref(), Some("2.2.25, 3.2.10"));
        }
        assert!(check(r#"{"dependencies":[]}"#).findings.is_empty());
    }
}
