//! `sonarqube`: SonarQube's generic external issue format, for `sonar.externalIssuesReportPaths`
//! (<https://docs.sonarsource.com/sonarqube-server/analyzing-source-code/importing-external-issues/generic-issue-import-format>).
//! The rules it must follow are written down in `tests/data/schemas/sonarqube-generic.md`.
//!
//! - [`SonarqubeFormat::V10_3`] (default): `{"rules": […], "issues": […]}`. Each rule (id
//!   unique, `engineId` = the tool) has a clean-code attribute and one impact (security →
//!   `SECURITY`, quality → `MAINTAINABILITY`, performance → `RELIABILITY`; severity
//!   `HIGH`/`MEDIUM`/`LOW`); issues name their rule and carry no severity or type.
//! - [`SonarqubeFormat::Legacy`] (before 10.3): `{"issues": […]}` with `engineId`, `ruleId`,
//!   `type` and `severity` (`BLOCKER` … `INFO`) per issue.
//!
//! SonarQube attaches issues to files it indexed, so findings without a file are left out
//! with a warning. Text ranges carry lines only: SonarQube fails the analysis on a range that
//! does not fit the file, and scanners' columns are too often off by one for that risk.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{json, Map, Value};
use ward_core::{Category, Finding, Report, Severity};

use crate::util::{clean_path, is_security, non_blank, rule_key, truncate};
use crate::{Error, Exporter, Options, Outcome, SonarqubeFormat};

/// SonarQube generic external issues.
pub(crate) struct Sonarqube;

impl Exporter for Sonarqube {
    fn id(&self) -> &'static str {
        "sonarqube"
    }

    fn name(&self) -> &'static str {
        "SonarQube generic external issues"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let with_file: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| {
                f.location
                    .file
                    .as_ref()
                    .is_some_and(|file| !clean_path(&file.path).is_empty())
            })
            .collect();
        let rule_ids = rule_ids(&with_file);
        let document = match options.sonarqube_format {
            SonarqubeFormat::V10_3 => {
                let mut rules: Vec<Value> = Vec::new();
                let mut seen: BTreeSet<&str> = BTreeSet::new();
                for (finding, id) in with_file.iter().zip(&rule_ids) {
                    if seen.insert(id) {
                        rules.push(rule(finding, id));
                    }
                }
                let issues: Vec<Value> = with_file
                    .iter()
                    .zip(&rule_ids)
                    .map(|(f, id)| json!({"ruleId": id, "primaryLocation": location(f)}))
                    .collect();
                json!({"rules": rules, "issues": issues})
            }
            SonarqubeFormat::Legacy => {
                let issues: Vec<Value> = with_file
                    .iter()
                    .zip(&rule_ids)
                    .map(|(f, id)| {
                        json!({
                            "engineId": engine(f),
                            "ruleId": id,
                            "severity": legacy_severity(f.severity),
                            "type": legacy_type(f.category),
                            "primaryLocation": location(f),
                        })
                    })
                    .collect();
                json!({"issues": issues})
            }
        };
        let id = self.id();
        serde_json::to_writer_pretty(&mut *out, &document).map_err(Error::json(id))?;
        out.write_all(b"\n").map_err(Error::write(id))?;
        let n_left_out = report.findings.len() - with_file.len();
        let mut warnings = Vec::new();
        if n_left_out > 0 {
            warnings.push(format!(
                "left out {n_left_out} findings without a file (SonarQube attaches issues to source files)"
            ));
        }
        Ok(Outcome {
            exported: with_file.len(),
            warnings,
        })
    }
}

fn engine(finding: &Finding) -> &str {
    non_blank(Some(&finding.tool)).unwrap_or("ward")
}

/// Rule ids, unique per tool: a rule id two tools share becomes `tool:rule` for both.
fn rule_ids(findings: &[&Finding]) -> Vec<String> {
    let plain: Vec<(String, &str)> = findings.iter().map(|f| (rule_key(f), engine(f))).collect();
    let mut tools_of_rule: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (rule, tool) in &plain {
        tools_of_rule.entry(rule).or_default().insert(tool);
    }
    plain
        .iter()
        .map(|(rule, tool)| {
            let shared = tools_of_rule
                .get(rule.as_str())
                .is_some_and(|t| t.len() > 1);
            if shared {
                format!("{tool}:{rule}")
            } else {
                rule.clone()
            }
        })
        .collect()
}

fn rule(finding: &Finding, id: &str) -> Value {
    let (attribute, quality) = match finding.category {
        Category::Quality => ("LOGICAL", "MAINTAINABILITY"),
        Category::Performance => ("EFFICIENT", "RELIABILITY"),
        Category::License => ("LAWFUL", "SECURITY"),
        _ => ("TRUSTWORTHY", "SECURITY"),
    };
    let severity = match finding.severity {
        Severity::Critical | Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low | Severity::Info => "LOW",
    };
    let name = non_blank(Some(&finding.title)).unwrap_or(id);
    let mut rule = json!({
        "id": id,
        "name": truncate(name, 200),
        "engineId": engine(finding),
        "cleanCodeAttribute": attribute,
        "impacts": [{"softwareQuality": quality, "severity": severity}],
    });
    if let Some(description) = non_blank(finding.description.as_deref()) {
        rule["description"] = json!(description);
    }
    rule
}

fn legacy_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "BLOCKER",
        Severity::High => "CRITICAL",
        Severity::Medium => "MAJOR",
        Severity::Low => "MINOR",
        Severity::Info => "INFO",
    }
}

fn legacy_type(category: Category) -> &'static str {
    if is_security(category) {
        "VULNERABILITY"
    } else if category == Category::Performance {
        "BUG"
    } else {
        "CODE_SMELL"
    }
}

fn location(finding: &Finding) -> Value {
    let mut location = Map::new();
    let message = non_blank(Some(&finding.title)).unwrap_or("finding");
    location.insert("message".into(), json!(truncate(message, 1000)));
    if let Some(file) = &finding.location.file {
        location.insert("filePath".into(), json!(clean_path(&file.path)));
        if let Some(start) = file.start_line {
            let end = file.end_line.filter(|end| *end >= start).unwrap_or(start);
            location.insert(
                "textRange".into(),
                json!({"startLine": start, "endLine": end}),
            );
        }
    }
    Value::Object(location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn rules_and_issues() {
        let report = testing::report();
        let outcome = Sonarqube
            .write(&report, &Options::default(), &mut Vec::new())
            .unwrap();
        assert_eq!(outcome.exported, 4);
        assert_eq!(
            outcome.warnings,
            ["left out 2 findings without a file (SonarQube attaches issues to source files)"]
        );
        let json = testing::export_json(&Sonarqube, &report);
        let rule = &json["rules"][0];
        assert_eq!(rule["id"], "python.lang.security.eval");
        assert_eq!(rule["engineId"], "Semgrep");
        assert_eq!(rule["cleanCodeAttribute"], "TRUSTWORTHY");
        assert_eq!(
            rule["impacts"],
            json!([{"softwareQuality": "SECURITY", "severity": "HIGH"}])
        );
        let issue = &json["issues"][0];
        assert_eq!(
            issue,
            &json!({"ruleId": "python.lang.security.eval", "primaryLocation": {
                "message": "Use of eval() <script>",
                "filePath": "app/views.py",
                "textRange": {"startLine": 42, "endLine": 43},
            }})
        );
        assert!(issue.get("severity").is_none());
    }

    #[test]
    fn legacy_issues_carry_engine_type_and_severity() {
        let options = Options {
            sonarqube_format: SonarqubeFormat::Legacy,
            ..Options::default()
        };
        let text = testing::export_with(&Sonarqube, &testing::report(), &options);
        let json: Value = serde_json::from_str(&text).unwrap();
        assert!(json.get("rules").is_none());
        let issue = &json["issues"][0];
        assert_eq!(issue["engineId"], "Semgrep");
        assert_eq!(issue["severity"], "CRITICAL");
        assert_eq!(issue["type"], "VULNERABILITY");
    }

    #[test]
    fn shared_rule_ids_are_qualified() {
        let mut other = testing::sast();
        other.tool = "Opengrep".into();
        let a = testing::sast();
        let ids = rule_ids(&[&a, &other]);
        assert_eq!(
            ids,
            [
                "Semgrep:python.lang.security.eval",
                "Opengrep:python.lang.security.eval"
            ]
        );
    }
}
