//! Allowlists: when a rule's match is not worth reporting. One model for ward's own rule
//! format (paths, stop words, exact values) and for gitleaks' (commits, paths, regexes against
//! the secret, the match or the line, stop words, joined by OR or AND), with gitleaks'
//! semantics (gitleaks v8.21+, `config/allowlist.go` and `detect/detect.go`):
//!
//! - with `condition = "OR"` (the default) any one criterion allows a finding;
//! - with `condition = "AND"` every criterion the list sets must hold;
//! - commits are compared case-insensitively and only match findings from git history;
//! - `regexes` test the secret, or with `regexTarget` the whole match or its line(s);
//! - stop words are searched, case-insensitively, in the secret.

use regex::bytes::Regex;

/// How an allowlist's criteria combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Condition {
    /// Any criterion allows (gitleaks' default).
    #[default]
    Or,
    /// Every criterion set must allow.
    And,
}

/// What an allowlist's `regexes` are tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegexTarget {
    /// The secret (the rule's secret group).
    #[default]
    Secret,
    /// The whole match of the rule's regex.
    Match,
    /// The line or lines the match is on.
    Line,
}

/// One allowlist of a rule (global allowlists are copied into every rule they target).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// How the criteria combine.
    pub condition: Condition,
    /// Commit ids, lower-case: findings from these commits are allowed.
    pub commits: Vec<String>,
    /// Path regexes.
    pub paths: Vec<Regex>,
    /// What `regexes` are tested against.
    pub regex_target: RegexTarget,
    /// Content regexes.
    pub regexes: Vec<Regex>,
    /// Lower-case words: a secret containing one is allowed.
    pub stopwords: Vec<String>,
    /// Exact secret values (ward's format: documented example values).
    pub values: Vec<String>,
}

/// Where a text comes from: its path and, for git history, its commit.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The path, `/`-separated, as findings name it.
    pub path: &'a str,
    /// The commit id, for a blob read from git history.
    pub commit: Option<&'a str>,
}

impl<'a> Origin<'a> {
    /// A file outside git history.
    pub fn file(path: &'a str) -> Origin<'a> {
        Origin { path, commit: None }
    }
}

/// One candidate finding, as an allowlist sees it.
pub struct Candidate<'a> {
    /// The secret.
    pub secret: &'a [u8],
    /// The whole match.
    pub matched: &'a [u8],
    /// The line(s) of the match.
    pub line: &'a [u8],
}

impl Allowlist {
    /// Whether the list sets no criterion at all (gitleaks refuses such a list).
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
            && self.paths.is_empty()
            && self.regexes.is_empty()
            && self.stopwords.is_empty()
            && self.values.is_empty()
    }

    /// Whether the list allows everything a rule could find in this file, before any regex
    /// runs: by commit or path with OR; with AND only when commits and paths are its only
    /// criteria and all of them hold.
    pub fn allows_origin(&self, origin: &Origin<'_>) -> bool {
        match self.condition {
            Condition::Or => self.commit_allowed(origin) || self.path_allowed(origin),
            Condition::And => {
                let content = !self.regexes.is_empty()
                    || !self.stopwords.is_empty()
                    || !self.values.is_empty();
                let origin_set = !self.commits.is_empty() || !self.paths.is_empty();
                !content
                    && origin_set
                    && (self.commits.is_empty() || self.commit_allowed(origin))
                    && (self.paths.is_empty() || self.path_allowed(origin))
            }
        }
    }

    /// Whether the list allows one candidate.
    pub fn allows(&self, origin: &Origin<'_>, candidate: &Candidate<'_>) -> bool {
        match self.condition {
            Condition::Or => {
                self.commit_allowed(origin)
                    || self.path_allowed(origin)
                    || self.regex_allowed(candidate)
                    || self.stopword_in(candidate.secret)
                    || self.value_is(candidate.secret)
            }
            Condition::And => {
                !self.is_empty()
                    && (self.commits.is_empty() || self.commit_allowed(origin))
                    && (self.paths.is_empty() || self.path_allowed(origin))
                    && (self.regexes.is_empty() || self.regex_allowed(candidate))
                    && (self.stopwords.is_empty() || self.stopword_in(candidate.secret))
                    && (self.values.is_empty() || self.value_is(candidate.secret))
            }
        }
    }

    /// Whether a candidate needs its line computed (only `regexTarget = "line"` does).
    pub fn needs_line(&self) -> bool {
        self.regex_target == RegexTarget::Line && !self.regexes.is_empty()
    }

    fn commit_allowed(&self, origin: &Origin<'_>) -> bool {
        origin.commit.is_some_and(|commit| {
            self.commits
                .iter()
                .any(|c| c.eq_ignore_ascii_case(commit.trim()))
        })
    }

    fn path_allowed(&self, origin: &Origin<'_>) -> bool {
        !origin.path.is_empty()
            && self
                .paths
                .iter()
                .any(|p| p.is_match(origin.path.as_bytes()))
    }

    fn regex_allowed(&self, candidate: &Candidate<'_>) -> bool {
        let target = match self.regex_target {
            RegexTarget::Secret => candidate.secret,
            RegexTarget::Match => candidate.matched,
            RegexTarget::Line => candidate.line,
        };
        !target.is_empty() && self.regexes.iter().any(|r| r.is_match(target))
    }

    fn stopword_in(&self, secret: &[u8]) -> bool {
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = secret.to_ascii_lowercase();
        self.stopwords
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    }

    fn value_is(&self, secret: &[u8]) -> bool {
        self.values.iter().any(|v| v.as_bytes() == secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    fn candidate<'a>(secret: &'a str, matched: &'a str, line: &'a str) -> Candidate<'a> {
        Candidate {
            secret: secret.as_bytes(),
            matched: matched.as_bytes(),
            line: line.as_bytes(),
        }
    }

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn or_allows_on_any_criterion() {
        let list = Allowlist {
            paths: vec![re(r"^tests/")],
            stopwords: vec!["dummy".into()],
            ..Allowlist::default()
        };
        let c = candidate(
            "s3cr3tDUMMYvalue",
            "k = s3cr3tDUMMYvalue",
            "k = s3cr3tDUMMYvalue",
        );
        assert!(list.allows(&Origin::file("src/a.py"), &c), "stop word");
        let c = candidate("s3cr3tvalue", "k = s3cr3tvalue", "k = s3cr3tvalue");
        assert!(!list.allows(&Origin::file("src/a.py"), &c));
        assert!(list.allows_origin(&Origin::file("tests/a.py")), "path");
    }

    #[test]
    fn and_needs_every_criterion_it_sets() {
        let list = Allowlist {
            condition: Condition::And,
            paths: vec![re(r"^tests/")],
            regexes: vec![re(r"^test_")],
            ..Allowlist::default()
        };
        let fixture = candidate("test_abcdef123456", "k = test_abcdef123456", "");
        let real = candidate("live_abcdef123456", "k = live_abcdef123456", "");
        assert!(list.allows(&Origin::file("tests/a.py"), &fixture));
        assert!(
            !list.allows(&Origin::file("tests/a.py"), &real),
            "regex fails"
        );
        assert!(
            !list.allows(&Origin::file("src/a.py"), &fixture),
            "path fails"
        );
        // With content criteria the file as a whole is never allowed up front.
        assert!(!list.allows_origin(&Origin::file("tests/a.py")));
    }

    #[test]
    fn and_with_commit_and_path_allows_the_file_up_front() {
        let list = Allowlist {
            condition: Condition::And,
            commits: vec![COMMIT.into()],
            paths: vec![re(r"\.env$")],
            ..Allowlist::default()
        };
        let upper = COMMIT.to_ascii_uppercase();
        let in_commit = Origin {
            path: "app/.env",
            commit: Some(&upper),
        };
        assert!(
            list.allows_origin(&in_commit),
            "commit ids compare case-insensitively"
        );
        assert!(
            !list.allows_origin(&Origin::file("app/.env")),
            "no commit outside history"
        );
        let other = Origin {
            path: "app/main.py",
            commit: Some(COMMIT),
        };
        assert!(!list.allows_origin(&other));
    }

    #[test]
    fn commits_only_match_history() {
        let list = Allowlist {
            commits: vec![COMMIT.into()],
            ..Allowlist::default()
        };
        let c = candidate("x", "x", "x");
        assert!(!list.allows(&Origin::file("a"), &c));
        let origin = Origin {
            path: "a",
            commit: Some(COMMIT),
        };
        assert!(list.allows(&origin, &c));
        assert!(list.allows_origin(&origin));
    }

    #[test]
    fn regex_targets() {
        let line = "token = \"abc123def456\" # nosec";
        let matched = "token = \"abc123def456\"";
        let c = candidate("abc123def456", matched, line);
        let origin = Origin::file("a.py");
        let list = |target, pattern: &str| Allowlist {
            regex_target: target,
            regexes: vec![re(pattern)],
            ..Allowlist::default()
        };
        assert!(list(RegexTarget::Secret, "^abc").allows(&origin, &c));
        assert!(!list(RegexTarget::Secret, "^token").allows(&origin, &c));
        assert!(list(RegexTarget::Match, "^token").allows(&origin, &c));
        assert!(!list(RegexTarget::Match, "nosec").allows(&origin, &c));
        assert!(list(RegexTarget::Line, "# nosec$").allows(&origin, &c));
        assert!(list(RegexTarget::Line, "nosec").needs_line());
        assert!(!list(RegexTarget::Match, "nosec").needs_line());
    }

    #[test]
    fn values_are_exact() {
        let list = Allowlist {
            values: vec!["AKIAIOSFODNN7EXAMPLE".into()],
            ..Allowlist::default()
        };
        let origin = Origin::file("a");
        assert!(list.allows(&origin, &candidate("AKIAIOSFODNN7EXAMPLE", "", "")));
        assert!(!list.allows(&origin, &candidate("AKIAIOSFODNN7EXAMPLF", "", "")));
    }
}
