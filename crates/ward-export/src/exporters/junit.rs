//! `junit`: JUnit XML, as Jenkins, GitLab, CodeBuild and most CI test tabs read it; written to
//! validate against the strict Apache Ant `JUnit.xsd` (`tests/data/schemas/junit/`).
//!
//! One `<testsuite>` per producing tool. With [`JunitGrouping::PerFinding`] each finding is a
//! `<testcase>` (classname = rule, name = severity, title and location); with
//! [`JunitGrouping::PerRule`] each rule is one, failing when any of its findings does. An open
//! finding at or above [`Options::junit_fail_on`] is a `<failure>` (type = severity, message =
//! title, text = the details); triaged ones (false positive, accepted, out of scope, mitigated)
//! are `<skipped>`; the rest pass. A tool without findings gets one passing `no findings` case.

use std::io::Write;

use ward_core::{Finding, Report, Status};

use crate::util::{
    fingerprint, location_text, non_blank, rule_key, slug, status_word, tools, xml_escape,
};
use crate::{Error, Exporter, JunitGrouping, Options, Outcome};

/// JUnit XML.
pub(crate) struct Junit;

impl Exporter for Junit {
    fn id(&self) -> &'static str {
        "junit"
    }

    fn name(&self) -> &'static str {
        "JUnit XML"
    }

    fn extension(&self) -> &'static str {
        "xml"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let timestamp = options.time(report)?.naive();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        let mut tool_names = tools(report);
        if tool_names.is_empty() {
            tool_names.push("ward");
        }
        for (index, tool) in tool_names.iter().enumerate() {
            let findings: Vec<&Finding> =
                report.findings.iter().filter(|f| f.tool == *tool).collect();
            let cases = match options.junit_grouping {
                JunitGrouping::PerFinding => {
                    findings.iter().map(|f| finding_case(f, options)).collect()
                }
                JunitGrouping::PerRule => rule_cases(&findings, options),
            };
            let cases = if cases.is_empty() {
                vec![Case {
                    name: "no findings".into(),
                    classname: format!("ward.{}", slug(tool)),
                    outcome: CaseOutcome::Pass,
                }]
            } else {
                cases
            };
            write_suite(&mut xml, index, tool, &timestamp, &cases, options);
        }
        xml.push_str("</testsuites>\n");
        out.write_all(xml.as_bytes())
            .map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

struct Case {
    name: String,
    classname: String,
    outcome: CaseOutcome,
}

enum CaseOutcome {
    Pass,
    Skipped(String),
    Failure {
        kind: String,
        message: String,
        text: String,
    },
}

fn fails(finding: &Finding, options: &Options) -> bool {
    finding.status == Status::Open && finding.severity >= options.junit_fail_on
}

fn finding_case(finding: &Finding, options: &Options) -> Case {
    let mut name = format!("[{}] {}", finding.severity, finding.title);
    if let Some(location) = location_text(finding) {
        name.push_str(&format!(" ({location})"));
    }
    let outcome = if finding.status != Status::Open {
        CaseOutcome::Skipped(status_word(finding.status).replace('_', " "))
    } else if fails(finding, options) {
        CaseOutcome::Failure {
            kind: finding.severity.to_string(),
            message: finding.title.clone(),
            text: details(finding),
        }
    } else {
        CaseOutcome::Pass
    };
    Case {
        name,
        classname: rule_key(finding),
        outcome,
    }
}

fn rule_cases(findings: &[&Finding], options: &Options) -> Vec<Case> {
    let mut rules: Vec<(String, Vec<&Finding>)> = Vec::new();
    for finding in findings {
        let rule = rule_key(finding);
        match rules.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, members)) => members.push(finding),
            None => rules.push((rule, vec![finding])),
        }
    }
    rules
        .into_iter()
        .map(|(rule, members)| {
            let failing: Vec<&&Finding> = members.iter().filter(|f| fails(f, options)).collect();
            let outcome = if let Some(worst) = failing.iter().map(|f| f.severity).max() {
                let text: Vec<String> = failing.iter().map(|f| details(f)).collect();
                CaseOutcome::Failure {
                    kind: worst.to_string(),
                    message: format!("{} findings: {}", failing.len(), failing[0].title),
                    text: text.join("\n\n"),
                }
            } else if members.iter().all(|f| f.status != Status::Open) {
                CaseOutcome::Skipped(format!("{} triaged findings", members.len()))
            } else {
                CaseOutcome::Pass
            };
            let tool = members.first().map(|f| f.tool.as_str()).unwrap_or("ward");
            Case {
                name: rule,
                classname: format!("ward.{}", slug(tool)),
                outcome,
            }
        })
        .collect()
}

/// The failure text: every field a reader needs to act, one per line.
fn details(f: &Finding) -> String {
    let mut lines = vec![
        format!("Title: {}", f.title),
        format!("Severity: {}", f.severity),
        format!("Category: {}", f.category),
        format!("Tool: {}", f.tool),
    ];
    if let Some(rule) = &f.rule_id {
        lines.push(format!("Rule: {rule}"));
    }
    if let Some(location) = location_text(f) {
        lines.push(format!("Location: {location}"));
    }
    if !f.identifiers.is_empty() {
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        lines.push(format!("Identifiers: {}", ids.join(", ")));
    }
    if let Some(cvss) = f.best_cvss() {
        let score = cvss.score.map(|s| s.to_string()).unwrap_or_default();
        let vector = cvss.vector.clone().unwrap_or_default();
        lines.push(format!("CVSS: {score} {vector}").trim_end().to_string());
    }
    if let Some(fixed) = f
        .location
        .package
        .as_ref()
        .and_then(|p| p.fixed_version.as_ref())
    {
        lines.push(format!("Fixed in: {fixed}"));
    }
    if let Some(secret) = &f.secret {
        lines.push(format!("Secret: {}", secret.masked));
    }
    if let Some(description) = non_blank(f.description.as_deref()) {
        lines.push(format!("Description: {description}"));
    }
    if let Some(remediation) = non_blank(f.remediation.as_deref()) {
        lines.push(format!("Remediation: {remediation}"));
    }
    for reference in &f.references {
        lines.push(format!("Reference: {reference}"));
    }
    lines.push(format!("Fingerprint: {}", fingerprint(f)));
    lines.join("\n")
}

/// An attribute value: escaped, on one line, never empty (the XSD wants tokens of length ≥ 1).
fn attribute(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let escaped = xml_escape(one_line.trim());
    if escaped.is_empty() {
        "unknown".to_string()
    } else {
        escaped
    }
}

fn write_suite(
    xml: &mut String,
    index: usize,
    tool: &str,
    timestamp: &str,
    cases: &[Case],
    options: &Options,
) {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, CaseOutcome::Failure { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, CaseOutcome::Skipped(_)))
        .count();
    xml.push_str(&format!(
        "  <testsuite name=\"{name}\" package=\"ward.{package}\" id=\"{index}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">\n",
        name = attribute(tool),
        package = slug(tool),
        tests = cases.len(),
    ));
    xml.push_str("    <properties>\n");
    xml.push_str(&format!(
        "      <property name=\"ward.version\" value=\"{}\"/>\n",
        xml_escape(&options.ward_version)
    ));
    xml.push_str(&format!(
        "      <property name=\"ward.fail-on\" value=\"{}\"/>\n",
        options.junit_fail_on
    ));
    xml.push_str("    </properties>\n");
    for case in cases {
        let open = format!(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            attribute(&case.name),
            attribute(&case.classname)
        );
        match &case.outcome {
            CaseOutcome::Pass => xml.push_str(&format!("{open}/>\n")),
            CaseOutcome::Skipped(why) => xml.push_str(&format!(
                "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                attribute(why)
            )),
            CaseOutcome::Failure {
                kind,
                message,
                text,
            } => xml.push_str(&format!(
                "{open}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                attribute(message),
                attribute(kind),
                xml_escape(text)
            )),
        }
    }
    xml.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;
    use ward_core::Severity;

    #[test]
    fn per_finding() {
        let xml = testing::export(&Junit, &testing::report());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"));
        assert_eq!(xml.matches("<testsuite ").count(), 6);
        assert_eq!(xml.matches("<testcase ").count(), 6);
        assert_eq!(xml.matches("<failure ").count(), 4);
        assert_eq!(xml.matches("<skipped ").count(), 2);
        assert!(xml.contains(
            "<testcase name=\"[high] Use of eval() &lt;script&gt; (./app/views.py:42)\" classname=\"python.lang.security.eval\" time=\"0\">"
        ));
        assert!(xml.contains("timestamp=\"2024-05-01T12:00:00\""));
        assert!(xml.contains(
            "<failure message=\"Use of eval() &lt;script&gt;\" type=\"high\">Title: Use of eval()"
        ));
        assert!(xml.contains("<skipped message=\"false positive\"/>"));
        assert!(xml.contains("Secret: AKIA****"));
    }

    #[test]
    fn per_rule_with_a_threshold() {
        let mut report = testing::report();
        let mut low = testing::sast();
        low.severity = Severity::Low;
        report.findings.push(low);
        let options = Options {
            junit_grouping: JunitGrouping::PerRule,
            junit_fail_on: Severity::High,
            ..Options::default()
        };
        let xml = testing::export_with(&Junit, &report, &options);
        // Semgrep's one rule has two findings, one failing.
        assert!(xml.contains("<testcase name=\"python.lang.security.eval\" classname=\"ward.semgrep\" time=\"0\">\n      <failure message=\"1 findings: Use of eval() &lt;script&gt;\" type=\"high\">"));
        // Checkov's info finding passes under a high threshold.
        assert!(xml.contains(
            "<testcase name=\"ward.hyperlink-http-x\" classname=\"ward.checkov\" time=\"0\"/>"
        ));
        assert!(xml.contains("<property name=\"ward.fail-on\" value=\"high\"/>"));
    }

    #[test]
    fn empty_report_passes() {
        let xml = testing::export(&Junit, &Report::default());
        assert!(xml.contains("<testcase name=\"no findings\" classname=\"ward.ward\" time=\"0\"/>"));
        assert!(xml.contains("tests=\"1\" failures=\"0\""));
    }
}
