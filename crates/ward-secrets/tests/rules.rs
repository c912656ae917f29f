//! Registry tests over the built-in rules: ids unique and kebab-case, every rule documented
//! by at least one example and one negative example, every example found by its rule (through
//! the keyword prefilter too), no negative example found.

use ward_secrets::{builtin_rules, RuleSet};

#[test]
fn at_least_150_rules() {
    assert!(builtin_rules().len() >= 150, "{}", builtin_rules().len());
}

#[test]
fn ids_unique_and_kebab_case() {
    let rules = builtin_rules();
    let mut seen = std::collections::BTreeSet::new();
    for rule in &rules {
        assert!(seen.insert(rule.id.clone()), "duplicate id {}", rule.id);
        assert!(
            !rule.id.is_empty()
                && !rule.id.starts_with('-')
                && !rule.id.ends_with('-')
                && !rule.id.contains("--")
                && rule
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "id `{}` is not kebab-case",
            rule.id
        );
        assert!(!rule.title.is_empty(), "{} has no title", rule.id);
        assert!(
            rule.keywords
                .iter()
                .all(|k| !k.is_empty() && *k == k.to_ascii_lowercase()),
            "{}: keywords must be lower-case",
            rule.id
        );
    }
}

#[test]
fn every_example_is_found_and_no_negative_example_is() {
    let mut failures = Vec::new();
    for rule in builtin_rules() {
        if rule.examples.is_empty() || rule.negative_examples.is_empty() {
            failures.push(format!("{}: needs examples and negative examples", rule.id));
        }
        let id = rule.id.clone();
        let examples = rule.examples.clone();
        let negatives = rule.negative_examples.clone();
        let set = RuleSet::new(vec![rule]);
        for example in &examples {
            if set
                .scan("src/app.py", example.as_bytes(), b"salt")
                .is_empty()
            {
                failures.push(format!("{id}: example not found: {example}"));
            }
        }
        for negative in &negatives {
            if !set
                .scan("src/app.py", negative.as_bytes(), b"salt")
                .is_empty()
            {
                failures.push(format!("{id}: negative example found: {negative}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
