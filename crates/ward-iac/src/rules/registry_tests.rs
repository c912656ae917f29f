//! Registry-wide tests: ids unique and kebab-case, every rule documented, with a reference,
//! remediation and examples, and every example behaving as declared.

use std::collections::HashSet;

use super::{all, Check};

#[test]
fn there_are_at_least_120_rules_with_unique_kebab_case_ids() {
    let rules = all();
    assert!(rules.len() >= 120, "{} rules", rules.len());
    let mut seen = HashSet::new();
    for rule in rules {
        assert!(seen.insert(rule.id), "duplicate id {}", rule.id);
        assert!(
            rule.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !rule.id.starts_with('-')
                && !rule.id.ends_with('-')
                && !rule.id.contains("--"),
            "{} is not kebab-case",
            rule.id
        );
        let prefix = match rule.check {
            Check::Aws { .. } => "aws-",
            Check::Kubernetes(_) => "k8s-",
            Check::Dockerfile(_) => "docker-",
            Check::Compose(_) => "compose-",
        };
        assert!(
            rule.id.starts_with(prefix),
            "{} should start with {prefix}",
            rule.id
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in all() {
        assert!(
            rule.description.contains("Flags"),
            "{}: doc must say what it flags",
            rule.id
        );
        assert!(
            rule.description.contains("Why:"),
            "{}: doc must say why",
            rule.id
        );
        assert!(
            !rule.title.is_empty() && !rule.title.ends_with('.'),
            "{}: title",
            rule.id
        );
        assert!(rule.remediation.len() > 10, "{}: remediation", rule.id);
        assert!(
            !rule.references.is_empty()
                && rule.references.iter().all(|r| r.starts_with("https://")),
            "{}: references",
            rule.id
        );
        assert!(
            !rule.fail.is_empty() && !rule.pass.is_empty(),
            "{}: examples",
            rule.id
        );
    }
}

#[test]
fn every_example_behaves_as_declared() {
    let mut problems = Vec::new();
    for rule in all() {
        for (name, text) in rule.fail {
            let scan = crate::scan_text(name, text);
            if !scan.warnings.is_empty() {
                problems.push(format!(
                    "{}: failing example {name} does not parse: {:?}",
                    rule.id, scan.warnings
                ));
            }
            if !scan
                .findings
                .iter()
                .any(|f| f.rule_id.as_deref() == Some(rule.id))
            {
                problems.push(format!(
                    "{}: failing example {name} is not flagged",
                    rule.id
                ));
            }
        }
        for (name, text) in rule.pass {
            let scan = crate::scan_text(name, text);
            if !scan.warnings.is_empty() {
                problems.push(format!(
                    "{}: passing example {name} does not parse: {:?}",
                    rule.id, scan.warnings
                ));
            }
            if scan.n_files != 1 {
                problems.push(format!(
                    "{}: passing example {name} is not recognised",
                    rule.id
                ));
            }
            if scan
                .findings
                .iter()
                .any(|f| f.rule_id.as_deref() == Some(rule.id))
            {
                problems.push(format!("{}: passing example {name} is flagged", rule.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn aliases_are_not_shared_between_rules_of_one_family() {
    // A checkov or cfn-nag id names one check; two ward rules claiming it would make
    // suppressions by that id ambiguous. CKV2_AWS_6 (no public access block at all) is the
    // deliberate exception: it stands for all four public-access-block rules.
    let mut seen = std::collections::HashMap::new();
    for rule in all() {
        for alias in rule.aliases {
            if *alias == "CKV2_AWS_6" {
                continue;
            }
            if let Some(other) = seen.insert(*alias, rule.id) {
                panic!("{alias} is claimed by {other} and {}", rule.id);
            }
        }
    }
}
