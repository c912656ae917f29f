//! ward's secret scanner.
//!
//! Rules are data (`data/rules.toml`, plus custom rules in ward's format or gitleaks'), compiled
//! into a [`RuleSet`]: one Aho-Corasick pass over all keywords decides which regexes run on a
//! text. Inputs are a directory ([`walk`], parallel, respecting `.gitignore`), any bytes
//! ([`Scanner::scan_bytes`], e.g. stdin), and git ([`git`]: staged changes, history). Findings
//! hold the secret only masked and hashed with a salt.
#![warn(missing_docs)]

pub mod git;
pub mod rules;
pub mod scanner;
pub mod walk;

use sha2::{Digest, Sha256};
use ward_core::Finding;

pub use rules::{parse_gitleaks_config, parse_ward_rules, parse_ward_rules_value, Pattern, Rule};
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
        self.rules
            .scan(path, text, &self.salt)
            .into_iter()
            .map(|hit| self.rules.finding(path, hit))
            .collect()
    }
}

/// A salt nobody can guess, for one report: the clock, the process id and an address, hashed.
pub fn random_salt() -> Vec<u8> {
    let mut hasher = Sha256::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.update(now.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let local = 0u8;
    hasher.update((std::ptr::addr_of!(local) as usize).to_le_bytes());
    let random_state = std::collections::hash_map::RandomState::new();
    use std::hash::{BuildHasher, Hasher};
    let mut h = random_state.build_hasher();
    h.write_u64(0);
    hasher.update(h.finish().to_le_bytes());
    hasher.finalize().to_vec()
}

/// Sorts findings (path, line, column, rule) and gives each a fingerprint that does not
/// depend on the salt: rule, path and rank among the same rule's hits in the same file (plus
/// the commit for history findings). So a re-scan matches the last one even though the hashes,
/// salted per report, differ.
pub fn finish(findings: &mut [Finding]) {
    findings.sort_by_cached_key(key);
    let mut previous: Option<(String, String, String)> = None;
    let mut rank = 0usize;
    for f in findings.iter_mut() {
        let path = f
            .location
            .file
            .as_ref()
            .map(|l| ward_core::fingerprint::normalize_path(&l.path))
            .unwrap_or_default();
        let basis = (
            f.rule_id.clone().unwrap_or_default(),
            path,
            f.external_id.clone().unwrap_or_default(),
        );
        if previous.as_ref() == Some(&basis) {
            rank += 1;
        } else {
            rank = 0;
        }
        let mut hasher = Sha256::new();
        for part in [&basis.0, &basis.1, &basis.2] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        hasher.update(rank.to_le_bytes());
        f.fingerprint = hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        previous = Some(basis);
    }
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
