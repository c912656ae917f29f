//! `markdown`: a merge/pull-request comment (GitLab and GitHub flavoured Markdown).
//!
//! Counts by severity first; then each finding folded in a `<details>` block, most severe
//! first. Given a baseline report ([`Options::baseline`]), findings are told apart by
//! fingerprint into new, fixed (in the baseline only) and unchanged, and the counts table has
//! a column for each. At most [`MAX_DETAILS`] findings per section are written out, so the
//! comment stays under the hosts' size limits.
//!
//! Report text is escaped: HTML special characters become entities and Markdown punctuation
//! is backslash-escaped, so a finding cannot add links, images (tracking pixels) or markup
//! to the comment.

use std::collections::BTreeSet;
use std::io::Write;

use ward_core::{Finding, Report, Severity};

use crate::util::{
    fingerprint, location_text, non_blank, severity_counts, severity_title, status_word,
};
use crate::{Error, Exporter, Options, Outcome};

/// A Markdown merge-request comment.
pub(crate) struct Markdown;

/// Findings written out in full per section; the rest are counted.
pub(crate) const MAX_DETAILS: usize = 50;

impl Exporter for Markdown {
    fn id(&self) -> &'static str {
        "markdown"
    }

    fn name(&self) -> &'static str {
        "Markdown merge-request comment"
    }

    fn extension(&self) -> &'static str {
        "md"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let mut text = String::from("## ward security report\n\n");
        let current = sorted(report.findings.iter());
        match &options.baseline {
            None => {
                counts_line(&mut text, &current);
                if !current.is_empty() {
                    text.push_str("| Severity | Findings |\n|---|---:|\n");
                    for (severity, n) in severity_counts(current.iter().copied()) {
                        text.push_str(&format!("| {} | {n} |\n", badge(severity)));
                    }
                    text.push('\n');
                }
                section(&mut text, "Findings", &current);
            }
            Some(baseline) => {
                let before: BTreeSet<String> = baseline
                    .findings
                    .iter()
                    .map(|f| fingerprint(f).into_owned())
                    .collect();
                let now: BTreeSet<String> = report
                    .findings
                    .iter()
                    .map(|f| fingerprint(f).into_owned())
                    .collect();
                let (unchanged, new): (Vec<&Finding>, Vec<&Finding>) = current
                    .iter()
                    .partition(|f| before.contains(fingerprint(f).as_ref()));
                let fixed = sorted(
                    baseline
                        .findings
                        .iter()
                        .filter(|f| !now.contains(fingerprint(f).as_ref())),
                );
                text.push_str(&format!(
                    "**{} new**, **{} fixed**, {} unchanged findings.\n\n",
                    new.len(),
                    fixed.len(),
                    unchanged.len()
                ));
                text.push_str("| Severity | New | Fixed | Unchanged |\n|---|---:|---:|---:|\n");
                let [new_counts, fixed_counts, unchanged_counts] =
                    [&new, &fixed, &unchanged].map(|list| severity_counts(list.iter().copied()));
                for i in 0..Severity::ALL.len() {
                    text.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        badge(new_counts[i].0),
                        new_counts[i].1,
                        fixed_counts[i].1,
                        unchanged_counts[i].1
                    ));
                }
                text.push('\n');
                section(&mut text, "New findings", &new);
                section(&mut text, "Fixed findings", &fixed);
                section(&mut text, "Unchanged findings", &unchanged);
            }
        }
        out.write_all(text.as_bytes())
            .map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

/// Most severe first; ties keep report order.
fn sorted<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let mut list: Vec<&Finding> = findings.collect();
    list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    list
}

fn badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "🟣 Critical",
        Severity::High => "🔴 High",
        Severity::Medium => "🟠 Medium",
        Severity::Low => "🟡 Low",
        Severity::Info => "⚪ Info",
    }
}

fn counts_line(text: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        text.push_str("No findings. :white_check_mark:\n\n");
        return;
    }
    let parts: Vec<String> = severity_counts(findings.iter().copied())
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    text.push_str(&format!(
        "**{} findings**: {}.\n\n",
        findings.len(),
        parts.join(", ")
    ));
}

fn section(text: &mut String, title: &str, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    text.push_str(&format!("### {title} ({})\n\n", findings.len()));
    for finding in findings.iter().take(MAX_DETAILS) {
        details(text, finding);
    }
    if findings.len() > MAX_DETAILS {
        text.push_str(&format!(
            "… and {} more (see the full report).\n\n",
            findings.len() - MAX_DETAILS
        ));
    }
}

fn details(text: &mut String, f: &Finding) {
    let mut summary = format!(
        "<b>{}</b> {}",
        severity_title(f.severity),
        escape_inline(&f.title)
    );
    if let Some(location) = location_text(f) {
        summary.push_str(&format!(" — <code>{}</code>", escape_html(&location)));
    }
    text.push_str(&format!("<details>\n<summary>{summary}</summary>\n\n"));
    let mut item = |name: &str, value: &str| {
        if !value.trim().is_empty() {
            text.push_str(&format!("- **{name}:** {}\n", escape_inline(value)));
        }
    };
    item("Tool", &f.tool);
    item("Category", f.category.as_str());
    if let Some(rule) = &f.rule_id {
        item("Rule", rule);
    }
    if !f.identifiers.is_empty() {
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        item("Identifiers", &ids.join(", "));
    }
    if let Some(cvss) = f.best_cvss() {
        let score = cvss.score.map(|s| s.to_string()).unwrap_or_default();
        item(
            "CVSS",
            format!("{score} {}", cvss.vector.as_deref().unwrap_or_default()).trim(),
        );
    }
    if let Some(fixed) = f
        .location
        .package
        .as_ref()
        .and_then(|p| p.fixed_version.as_deref())
    {
        item("Fixed in", fixed);
    }
    if let Some(secret) = &f.secret {
        item("Secret", &secret.masked);
    }
    if !f.status.is_open() {
        item("Status", &status_word(f.status).replace('_', " "));
    }
    item("Fingerprint", &fingerprint(f));
    if let Some(description) = non_blank(f.description.as_deref()) {
        text.push('\n');
        text.push_str(&escape_block(description));
        text.push('\n');
    }
    if let Some(remediation) = non_blank(f.remediation.as_deref()) {
        text.push_str(&format!(
            "\n**Remediation:** {}\n",
            escape_block(remediation)
        ));
    }
    if !f.references.is_empty() {
        text.push_str("\n**References:**\n");
        for reference in &f.references {
            text.push_str(&format!("- {}\n", escape_inline(reference)));
        }
    }
    text.push_str("\n</details>\n\n");
}

fn escape_html(text: &str) -> String {
    crate::util::html_escape(text)
}

/// One line of text: entities for HTML, backslashes before Markdown punctuation, line breaks
/// as spaces.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | ':' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Several lines: each escaped like [`escape_inline`], joined with hard line breaks.
fn escape_block(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(escape_inline).collect();
    lines.join("  \n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn counts_and_collapsed_details() {
        let md = testing::export(&Markdown, &testing::report());
        assert!(md.contains("**6 findings**: 1 critical, 3 high, 1 medium, 1 info."));
        assert!(md.contains("| 🔴 High | 3 |"));
        assert!(md.contains("### Findings (6)"));
        assert_eq!(md.matches("<details>").count(), 6);
        // Most severe first.
        let critical = md.find("<b>Critical</b>").unwrap();
        let high = md.find("<b>High</b>").unwrap();
        assert!(critical < high);
        assert!(md.contains("<summary><b>High</b> Use of eval\\(\\) &lt;script&gt; — <code>./app/views.py:42</code></summary>"));
        assert!(md.contains("- **Secret:** AKIA\\*\\*\\*\\*"));
    }

    #[test]
    fn report_text_cannot_add_markup() {
        let mut report = testing::report();
        report.findings[0].title = "![x](https://tracker.example/p.png) <img src=x>".into();
        let md = testing::export(&Markdown, &report);
        assert!(!md.contains("![x]("));
        assert!(!md.contains("<img"));
        assert!(
            md.contains("\\!\\[x\\]\\(https\\://tracker\\.example/p\\.png\\) &lt;img src=x&gt;")
        );
    }

    #[test]
    fn baseline_tells_new_fixed_and_unchanged() {
        let current = testing::report();
        let mut baseline = testing::report();
        baseline.findings.remove(0); // the SAST finding is new
        let mut gone = testing::dependency();
        gone.fingerprint = "99999999999999999999999999999999".into();
        gone.title = "CVE-2020-1 in old-lib".into();
        baseline.findings.push(gone);
        let options = Options {
            baseline: Some(baseline),
            ..Options::default()
        };
        let md = testing::export_with(&Markdown, &current, &options);
        assert!(md.contains("**1 new**, **1 fixed**, 5 unchanged findings."));
        assert!(md.contains("| 🟣 Critical | 0 | 1 | 1 |"));
        assert!(md.contains("### New findings (1)"));
        assert!(md.contains("### Fixed findings (1)"));
        assert!(md.contains("CVE\\-2020\\-1 in old\\-lib"));
        assert!(md.contains("### Unchanged findings (5)"));
    }

    #[test]
    fn long_reports_are_cut() {
        let mut report = Report::default();
        for i in 0..(MAX_DETAILS + 7) {
            let mut finding = testing::sast();
            finding.fingerprint = format!("{i:032x}");
            report.findings.push(finding);
        }
        let md = testing::export(&Markdown, &report);
        assert_eq!(md.matches("<details>").count(), MAX_DETAILS);
        assert!(md.contains("… and 7 more"));
        assert!(testing::export(&Markdown, &Report::default()).contains("No findings."));
    }
}
