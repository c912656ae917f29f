//! ward's secret scanner.
//!
//! Rules are data (`data/rules.toml`, plus custom rules in ward's format or a gitleaks config,
//! [`gitleaks`]), compiled into a [`RuleSet`]: one Aho-Corasick pass over all keywords decides
//! which regexes run on a text; [`allowlist`]s drop what is not worth reporting. Inputs are a
//! directory ([`walk`], parallel, respecting `.gitignore`), any bytes ([`Scanner::scan_bytes`],
//! e.g. stdin), and git ([`git`]: staged changes, history). Findings hold the secret only
//! masked and hashed with a [`salt`].
#![warn(missing_docs)]

pub mod allowlist;
pub mod git;
pub mod gitleaks;
pub mod rules;
pub mod salt;
pub mod scanner;
pub mod walk;

use ward_core::Finding;

pub use allowlist::{Allowlist, Origin};
pub use gitleaks::{load_gitleaks_config, parse_gitleaks_config, GitleaksConfig};
pub use rules::{parse_ward_rules, parse_ward_rules_value, Pattern, Rule};
pub use scanner::{salted_secret, Hit, RuleSet, TOOL};

/// Errors of the secret scanner.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rules file that cannot be read as rules.
    #[error("{source_name}: {message}")]
    Config {
        /// The file or table the rules came from.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// One rule that does not compile.
    #[error("{source_name}: rule `{id}`: {message}")]
    Rule {
        /// The file or table the rule came from.
        source_name: String,
        /// The rule id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// Reading a file or directory.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// What failed.
        message: String,
    },
    /// A git operation.
    #[error("git: {0}")]
    Git(String),
}

/// What the `[scan.secrets]` table of a ward.toml sets: custom rules and the hash salt.
#[derive(Debug, Default)]
pub struct WardTomlSettings {
    /// `[[scan.secrets.rules]]`, in ward's rule format.
    pub rules: Vec<Rule>,
    /// `[scan.secrets] salt`.
    pub salt: Option<Vec<u8>>,
}

/// Reads the `[scan.secrets]` table of a ward.toml (`source` names it in errors); a file
/// without one sets nothing. `ward scan` and the server's native scanner both use it.
pub fn ward_toml_settings(source: &str, text: &str) -> Result<WardTomlSettings, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|e| Error::Config {
        source_name: source.to_string(),
        message: e.to_string(),
    })?;
    let mut settings = WardTomlSettings::default();
    let Some(secrets) = table.get("scan").and_then(|s| s.get("secrets")) else {
        return Ok(settings);
    };
    if let Some(custom) = secrets.get("rules").cloned() {
        let name = format!("{source} [[scan.secrets.rules]]");
        settings.rules = parse_ward_rules_value(&name, custom)?;
    }
    settings.salt = secrets
        .get("salt")
        .and_then(|s| s.as_str())
        .map(|s| s.as_bytes().to_vec());
    Ok(settings)
}

/// The built-in rules.
pub fn builtin_rules() -> Vec<Rule> {
    parse_ward_rules(rules::BUILTIN_SOURCE, rules::BUILTIN_RULES)
        .expect("the built-in rules compile")
}

/// A rule set and the salt for hashing what it finds.
pub struct Scanner {
    /// The rules.
    pub rules: RuleSet,
    /// Salt of the secret hashes.
    pub salt: Vec<u8>,
}

impl Scanner {
    /// A scanner over the given rules.
    pub fn new(rules: Vec<Rule>, salt: Vec<u8>) -> Scanner {
        Scanner {
            rules: RuleSet::new(rules),
            salt,
        }
    }

    /// Scans one text named `path` and returns its findings.
    pub fn scan_bytes(&self, path: &str, text: &[u8]) -> Vec<Finding> {
        self.scan_from(&Origin::file(path), text)
    }

    /// Scans one text from `origin` (a file, or a blob of a commit) and returns its findings.
    pub fn scan_from(&self, origin: &Origin<'_>, text: &[u8]) -> Vec<Finding> {
        self.rules
            .scan_from(origin, text, &self.salt)
            .into_iter()
            .map(|hit| self.rules.finding(origin.path, hit))
            .collect()
    }
}

/// Sorts findings (path, line, column, rule) and gives each its fingerprint, as
/// [`ward_core::fingerprint`] defines it for secrets: the path, the commit for findings from
/// git history, and the rank among the secrets of that file. Neither the salt nor the secret
/// itself enters it, so a re-scan, a new salt and another tool's report of the same tree agree.
pub fn finish(findings: &mut [Finding]) {
    findings.sort_by_cached_key(key);
    ward_core::fingerprint::assign(findings);
}

fn key(f: &Finding) -> (String, String, String, u32, u32) {
    let file = f.location.file.as_ref();
    (
        file.map(|l| l.path.clone()).unwrap_or_default(),
        f.rule_id.clone().unwrap_or_default(),
        f.external_id.clone().unwrap_or_default(),
        file.and_then(|l| l.start_line).unwrap_or(0),
        file.and_then(|l| l.start_column).unwrap_or(0),
    )
}
