//! The pipeline gate: a policy read from `ward.toml`, applied to findings, gives a verdict.
//!
//! A policy says which findings fail the build (per category and severity, with a maximum
//! count), whether only findings new against a baseline count, which report files may fail to
//! load without failing the build, and which findings are suppressed: by fingerprint, rule, path
//! glob, vulnerability id or tool, each with a reason and an expiry date after which it stops
//! applying. [`evaluate`] judges a report for the gate; [`suppress`] marks what a scanner
//! reports. Reading the policy and the clock is the caller's job; this crate is pure.
#![warn(missing_docs)]

mod date;
mod file;

use std::collections::BTreeSet;

pub use date::Date;
pub use file::{Error, ExportSettings};
use globset::GlobMatcher;
use ward_core::{Category, Finding, Severity, Status};

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The rules that fail the build; see [`Policy::default`] for the rule used when none is set.
    pub fail: Vec<FailRule>,
    /// Count only findings whose fingerprint is not in the baseline.
    pub new_only: bool,
    /// Report files that may be missing or unreadable without failing: globs on the path, or
    /// format ids.
    pub allow_failure: Vec<String>,
    /// The report file `--baseline-ref` reads from git.
    pub baseline_file: String,
    /// Suppressions, in file order.
    pub suppressions: Vec<Suppression>,
    /// `[gate] require_approval`: on the server, a failing verdict waits for a person to
    /// approve (the pipeline goes on) or refuse it instead of failing at once. `ward gate`
    /// runs alone and ignores it.
    pub require_approval: bool,
}

impl Default for Policy {
    /// Without a policy file, any high or critical finding fails the build.
    fn default() -> Policy {
        Policy {
            fail: vec![FailRule {
                severity: Severity::High,
                category: None,
                tool: None,
                max: 0,
            }],
            new_only: false,
            allow_failure: Vec::new(),
            baseline_file: DEFAULT_BASELINE_FILE.to_string(),
            suppressions: Vec::new(),
            require_approval: false,
        }
    }
}

/// Where `--baseline-ref` looks for the baseline report unless the policy says otherwise.
pub const DEFAULT_BASELINE_FILE: &str = "ward-report.json";

/// "More than `max` findings of at least `severity` (in `category`, from `tool`) fail."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailRule {
    /// The least severity that counts.
    pub severity: Severity,
    /// Only this category, if set.
    pub category: Option<Category>,
    /// Only this tool (case-insensitive), if set.
    pub tool: Option<String>,
    /// How many matching findings are tolerated.
    pub max: u32,
}

impl FailRule {
    fn matches(&self, f: &Finding) -> bool {
        f.severity >= self.severity
            && self.category.is_none_or(|c| c == f.category)
            && self
                .tool
                .as_ref()
                .is_none_or(|t| t.eq_ignore_ascii_case(&f.tool))
    }

    /// `high or worse dependency findings from trivy`.
    pub fn describe(&self) -> String {
        let mut text = match self.severity {
            Severity::Critical => "critical".to_string(),
            s => format!("{s} or worse"),
        };
        if let Some(category) = self.category {
            text.push_str(&format!(" {category}"));
        }
        text.push_str(" findings");
        if let Some(tool) = &self.tool {
            text.push_str(&format!(" from {tool}"));
        }
        text
    }
}

/// A suppression: every key that is set must match.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Exact fingerprint.
    pub fingerprint: Option<String>,
    /// Exact rule id.
    pub rule: Option<String>,
    /// Glob on the file path (`tests/**`).
    pub path: Option<GlobMatcher>,
    /// A vulnerability id (CVE, GHSA …) among the finding's identifiers, case-insensitive.
    pub id: Option<String>,
    /// The tool, case-insensitive.
    pub tool: Option<String>,
    /// Why the finding is acceptable.
    pub reason: String,
    /// The last day the suppression applies.
    pub expires: Date,
    /// The line of the policy file that starts it.
    pub line: usize,
}

impl Suppression {
    fn matches(&self, f: &Finding) -> bool {
        self.fingerprint
            .as_ref()
            .is_none_or(|fp| *fp == f.fingerprint)
            && self
                .rule
                .as_ref()
                .is_none_or(|r| f.rule_id.as_deref() == Some(r.as_str()))
            && self.path.as_ref().is_none_or(|glob| {
                f.location
                    .file
                    .as_ref()
                    .is_some_and(|l| glob.is_match(ward_core::fingerprint::normalize_path(&l.path)))
            })
            && self.id.as_ref().is_none_or(|id| {
                f.identifiers
                    .iter()
                    .any(|i| i.value.eq_ignore_ascii_case(id))
            })
            && self
                .tool
                .as_ref()
                .is_none_or(|t| t.eq_ignore_ascii_case(&f.tool))
    }

    /// What it matches, for messages: `CVE-2021-1 in tests/**`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(fp) = &self.fingerprint {
            parts.push(format!("fingerprint {fp}"));
        }
        if let Some(rule) = &self.rule {
            parts.push(format!("rule {rule}"));
        }
        if let Some(id) = &self.id {
            parts.push(id.clone());
        }
        if let Some(path) = &self.path {
            parts.push(format!("path {}", path.glob()));
        }
        if let Some(tool) = &self.tool {
            parts.push(format!("tool {tool}"));
        }
        parts.join(", ")
    }
}

/// The outcome of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the build passes.
    pub passed: bool,
    /// The rules that were broken.
    pub violations: Vec<Violation>,
    /// Suppressions and how many findings each one hid.
    pub suppressed: Vec<SuppressionUse>,
    /// Suppressions past their expiry date that would have matched findings: those findings count.
    pub expired: Vec<SuppressionUse>,
    /// Findings that count (open, not suppressed, new if `new_only`).
    pub n_counted: usize,
    /// Findings the report itself marks closed (false positive, mitigated, accepted …).
    pub n_closed: usize,
    /// Findings left out because the baseline has them (`new_only`).
    pub n_in_baseline: usize,
    /// Baseline fingerprints no longer reported (fixed since the baseline).
    pub n_fixed: usize,
}

impl Verdict {
    /// The verdict as the JSON object `ward gate --json` prints and the server's gate endpoint
    /// answers: `passed`, `violations`, `suppressed`, `expired` and the counts.
    pub fn to_json(&self) -> serde_json::Value {
        let uses = |list: &[SuppressionUse]| -> Vec<serde_json::Value> {
            list.iter()
                .map(|s| {
                    serde_json::json!({"line": s.line, "matches": s.what, "reason": s.reason,
                        "expires": s.expires.to_string(), "findings": s.n_findings})
                })
                .collect()
        };
        serde_json::json!({
            "passed": self.passed,
            "violations": self.violations.iter().map(|v| serde_json::json!({
                "rule": v.rule, "count": v.count, "max": v.max, "examples": v.examples,
            })).collect::<Vec<_>>(),
            "suppressed": uses(&self.suppressed),
            "expired": uses(&self.expired),
            "counted": self.n_counted,
            "closed": self.n_closed,
            "in_baseline": self.n_in_baseline,
            "fixed": self.n_fixed,
        })
    }
}

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule, described.
    pub rule: String,
    /// How many findings matched.
    pub count: usize,
    /// How many were allowed.
    pub max: u32,
    /// Titles of the first matching findings, for the message.
    pub examples: Vec<String>,
}

/// A suppression and the findings it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionUse {
    /// The line that starts it in the policy file.
    pub line: usize,
    /// What it matches.
    pub what: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry date.
    pub expires: Date,
    /// How many findings it matched.
    pub n_findings: usize,
}

/// How many example titles a violation keeps.
const MAX_EXAMPLES: usize = 5;

/// Applies a policy to findings on `today`. `baseline` holds the fingerprints of the baseline
/// report, when there is one.
pub fn evaluate(
    policy: &Policy,
    findings: &[Finding],
    baseline: Option<&BTreeSet<String>>,
    today: Date,
) -> Verdict {
    let mut tally = Tally::new(policy);
    let (mut n_closed, mut n_in_baseline) = (0, 0);
    let mut counted: Vec<&Finding> = Vec::new();
    for finding in findings {
        if !finding.status.is_open() {
            n_closed += 1;
            continue;
        }
        if tally.suppression_of(policy, finding, today).is_some() {
            continue;
        }
        if policy.new_only && baseline.is_some_and(|b| b.contains(&finding.fingerprint)) {
            n_in_baseline += 1;
            continue;
        }
        counted.push(finding);
    }
    let n_fixed = baseline.map_or(0, |b| {
        let current: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        b.iter().filter(|fp| !current.contains(fp.as_str())).count()
    });

    let violations: Vec<Violation> = policy
        .fail
        .iter()
        .filter_map(|rule| {
            let matching: Vec<&&Finding> = counted.iter().filter(|f| rule.matches(f)).collect();
            (matching.len() > rule.max as usize).then(|| Violation {
                rule: rule.describe(),
                count: matching.len(),
                max: rule.max,
                examples: matching
                    .iter()
                    .take(MAX_EXAMPLES)
                    .map(|f| f.title.clone())
                    .collect(),
            })
        })
        .collect();
    Verdict {
        passed: violations.is_empty(),
        violations,
        suppressed: tally.uses(policy, &tally.suppressed),
        expired: tally.uses(policy, &tally.expired),
        n_counted: counted.len(),
        n_closed,
        n_in_baseline,
        n_fixed,
    }
}

/// What [`suppress`] did to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// Suppressions in force and how many findings each marked.
    pub used: Vec<SuppressionUse>,
    /// Suppressions past their expiry date that matched findings, which stay open.
    pub expired: Vec<SuppressionUse>,
}

/// Applies the policy's suppressions to a report as a scanner writes it: each open finding
/// that a suppression in force on `today` matches becomes [`Status::Accepted`], with the
/// suppression (its line in the policy, expiry date and reason) added to its description. The
/// findings stay in the report; [`evaluate`] then counts them as closed. A suppression past
/// its expiry date suppresses nothing and is listed in [`Suppressed::expired`].
pub fn suppress(policy: &Policy, findings: &mut [Finding], today: Date) -> Suppressed {
    let mut tally = Tally::new(policy);
    for finding in findings.iter_mut() {
        if !finding.status.is_open() {
            continue;
        }
        let Some(i) = tally.suppression_of(policy, finding, today) else {
            continue;
        };
        let Some(suppression) = policy.suppressions.get(i) else {
            continue;
        };
        finding.status = Status::Accepted;
        let note = format!(
            "Suppressed by the policy (line {}, until {}): {}",
            suppression.line, suppression.expires, suppression.reason
        );
        finding.description = Some(match finding.description.take() {
            Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
            _ => note,
        });
    }
    Suppressed {
        used: tally.uses(policy, &tally.suppressed),
        expired: tally.uses(policy, &tally.expired),
    }
}

/// How many findings each suppression hid, and how many each would have hidden had it not
/// expired.
struct Tally {
    suppressed: Vec<usize>,
    expired: Vec<usize>,
}

impl Tally {
    fn new(policy: &Policy) -> Tally {
        Tally {
            suppressed: vec![0; policy.suppressions.len()],
            expired: vec![0; policy.suppressions.len()],
        }
    }

    /// The first suppression in force that matches the finding, counting on the way the
    /// expired ones that match.
    fn suppression_of(&mut self, policy: &Policy, finding: &Finding, today: Date) -> Option<usize> {
        for (i, suppression) in policy.suppressions.iter().enumerate() {
            if !suppression.matches(finding) {
                continue;
            }
            if suppression.expires >= today {
                self.suppressed[i] += 1;
                return Some(i);
            }
            self.expired[i] += 1;
        }
        None
    }

    fn uses(&self, policy: &Policy, counts: &[usize]) -> Vec<SuppressionUse> {
        policy
            .suppressions
            .iter()
            .zip(counts)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| SuppressionUse {
                line: s.line,
                what: s.describe(),
                reason: s.reason.clone(),
                expires: s.expires,
                n_findings: *n,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Location;

    fn finding(severity: Severity, category: Category, rule: &str, path: &str) -> Finding {
        let mut f = Finding::new("Semgrep", category, format!("{rule} in {path}"));
        f.severity = severity;
        f.rule_id = Some(rule.into());
        f.location = Location::file(path, Some(1));
        f.fingerprint = format!("fp-{rule}-{path}");
        f
    }

    fn policy(toml: &str) -> Policy {
        Policy::from_toml(toml).unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn default_fails_on_high_and_critical_only() {
        let medium = [finding(Severity::Medium, Category::Sast, "r", "a.py")];
        assert!(evaluate(&Policy::default(), &medium, None, day("2026-01-01")).passed);
        let high = [finding(Severity::High, Category::Sast, "r", "a.py")];
        let verdict = evaluate(&Policy::default(), &high, None, day("2026-01-01"));
        assert!(!verdict.passed);
        assert_eq!(verdict.violations[0].rule, "high or worse findings");
    }

    #[test]
    fn thresholds_per_category_and_severity() {
        let p = policy(
            "[[gate.fail]]\nseverity = \"critical\"\n\n[[gate.fail]]\ncategory = \"dependency\"\nseverity = \"high\"\nmax = 2\n",
        );
        let deps: Vec<Finding> = (0..3)
            .map(|i| finding(Severity::High, Category::Dependency, "CVE", &format!("{i}")))
            .collect();
        let verdict = evaluate(&p, &deps[..2], None, day("2026-01-01"));
        assert!(verdict.passed, "{verdict:?}");
        let verdict = evaluate(&p, &deps, None, day("2026-01-01"));
        assert_eq!(verdict.violations.len(), 1);
        assert_eq!(
            (verdict.violations[0].count, verdict.violations[0].max),
            (3, 2)
        );
        let sast_high = [finding(Severity::High, Category::Sast, "r", "a.py")];
        assert!(
            evaluate(&p, &sast_high, None, day("2026-01-01")).passed,
            "high SAST is under no rule"
        );
        let crit = [finding(Severity::Critical, Category::Sast, "r", "a.py")];
        assert!(!evaluate(&p, &crit, None, day("2026-01-01")).passed);
    }

    #[test]
    fn suppressions_apply_until_they_expire() {
        let p = policy(
            "[[suppress]]\npath = \"tests/**\"\nreason = \"test fixtures\"\nexpires = 2026-06-30\n",
        );
        let findings = [finding(
            Severity::Critical,
            Category::Sast,
            "r",
            "./tests/x.py",
        )];
        let before = evaluate(&p, &findings, None, day("2026-06-30"));
        assert!(before.passed);
        assert_eq!(before.suppressed[0].n_findings, 1);
        let after = evaluate(&p, &findings, None, day("2026-07-01"));
        assert!(!after.passed);
        assert_eq!(
            (
                after.expired[0].line,
                after.expired[0].expires.to_string().as_str()
            ),
            (1, "2026-06-30")
        );
    }

    #[test]
    fn suppression_keys_all_must_match() {
        let p = policy(
            "[[suppress]]\nrule = \"B101\"\ntool = \"semgrep\"\nreason = \"asserts are fine here\"\nexpires = \"2099-01-01\"\n",
        );
        let hit = finding(Severity::High, Category::Sast, "B101", "a.py");
        let other_rule = finding(Severity::High, Category::Sast, "B102", "a.py");
        let verdict = evaluate(&p, &[hit, other_rule], None, day("2026-01-01"));
        assert_eq!(verdict.suppressed[0].n_findings, 1);
        assert_eq!(verdict.n_counted, 1);
    }

    #[test]
    fn ids_and_fingerprints() {
        let mut dep = finding(
            Severity::Critical,
            Category::Dependency,
            "CVE-2021-44228",
            "pom.xml",
        );
        dep.add_id("CVE-2021-44228");
        let p = policy("[[suppress]]\ncve = \"cve-2021-44228\"\nreason = \"not reachable\"\nexpires = 2099-01-01\n");
        assert!(evaluate(&p, std::slice::from_ref(&dep), None, day("2026-01-01")).passed);
        let p = policy(&format!(
            "[[suppress]]\nfingerprint = \"{}\"\nreason = \"x\"\nexpires = 2099-01-01\n",
            dep.fingerprint
        ));
        assert!(evaluate(&p, &[dep], None, day("2026-01-01")).passed);
    }

    #[test]
    fn new_only_against_a_baseline() {
        let p = policy("[gate]\nnew_only = true\n");
        let old = finding(Severity::Critical, Category::Sast, "old", "a.py");
        let new = finding(Severity::Critical, Category::Sast, "new", "a.py");
        let baseline: BTreeSet<String> = [old.fingerprint.clone(), "gone".to_string()].into();
        let verdict = evaluate(
            &p,
            std::slice::from_ref(&old),
            Some(&baseline),
            day("2026-01-01"),
        );
        assert!(verdict.passed);
        assert_eq!((verdict.n_in_baseline, verdict.n_fixed), (1, 1));
        let verdict = evaluate(&p, &[old, new], Some(&baseline), day("2026-01-01"));
        assert!(!verdict.passed);
        assert_eq!(verdict.violations[0].examples, ["new in a.py"]);
    }

    #[test]
    fn closed_findings_do_not_count() {
        let mut f = finding(Severity::Critical, Category::Sast, "r", "a.py");
        f.status = Status::FalsePositive;
        let verdict = evaluate(&Policy::default(), &[f], None, day("2026-01-01"));
        assert!(verdict.passed);
        assert_eq!(verdict.n_closed, 1);
    }

    #[test]
    fn suppress_marks_findings_and_keeps_them() {
        let p = policy(
            "[[suppress]]\nrule = \"old\"\nreason = \"gone soon\"\nexpires = 2020-01-01\n\n[[suppress]]\npath = \"tests/**\"\nreason = \"fixtures\"\nexpires = 2099-01-01\n",
        );
        let mut findings = vec![
            finding(Severity::High, Category::Secret, "r", "tests/a.env"),
            finding(Severity::High, Category::Secret, "old", "src/a.env"),
            finding(Severity::High, Category::Secret, "r", "src/b.env"),
        ];
        findings[0].description = Some("A key.".into());
        let done = suppress(&p, &mut findings, day("2026-01-01"));
        assert_eq!(findings.len(), 3, "nothing is dropped");
        assert_eq!(findings[0].status, Status::Accepted);
        assert_eq!(
            findings[0].description.as_deref(),
            Some("A key.\n\nSuppressed by the policy (line 6, until 2099-01-01): fixtures")
        );
        assert_eq!(findings[1].status, Status::Open, "its suppression expired");
        assert_eq!(findings[2].status, Status::Open);
        assert_eq!(
            (done.used.len(), done.used[0].line, done.used[0].n_findings),
            (1, 6, 1)
        );
        assert_eq!((done.expired.len(), done.expired[0].line), (1, 1));
        // The gate then counts the marked finding as closed, not as suppressed again.
        let verdict = evaluate(&p, &findings, None, day("2026-01-01"));
        assert_eq!((verdict.n_closed, verdict.n_counted), (1, 2));
    }
}
