//! Scanning bytes: an Aho-Corasick pass over every rule's keywords picks the rules worth
//! running, then only those rules' regexes run; hits become `ward_core::Finding`s with the
//! secret masked and hashed, never kept in clear.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use sha2::{Digest, Sha256};
use ward_core::{Category, Confidence, FileLocation, Finding, Location, Secret};

use crate::allowlist::Origin;
use crate::rules::Rule;

/// The tool name on every finding.
pub const TOOL: &str = "ward";

/// A line containing this (in any comment syntax) is never reported.
pub const ALLOW_MARKER: &[u8] = b"ward:allow";

/// Longest snippet kept, in characters.
const MAX_SNIPPET_CHARS: usize = 200;

/// Compiled rules plus the keyword prefilter.
pub struct RuleSet {
    rules: Vec<Rule>,
    prefilter: AhoCorasick,
    /// For each keyword pattern of the prefilter, the rules it turns on.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword: always run.
    always: Vec<usize>,
}

/// Where a secret was found in one scanned text, before it becomes a finding.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Index of the rule in the set.
    pub rule: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in bytes) of the secret.
    pub column: u32,
    /// 1-based column after the secret.
    pub end_column: u32,
    /// The line, with the secret masked.
    pub snippet: String,
    /// Masked form and salted hash.
    pub secret: Secret,
}

impl RuleSet {
    /// Builds the prefilter over the rules' keywords.
    pub fn new(rules: Vec<Rule>) -> RuleSet {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for k in &rule.keywords {
                match keywords.iter().position(|x| x == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(k.clone());
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .or_else(|_| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(&keywords)
            })
            .expect("keywords are plain strings");
        RuleSet {
            rules,
            prefilter,
            keyword_rules,
            always,
        }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds the secrets in `text`. `path` is used for path allowlists; `salt` keys the hash.
    pub fn scan(&self, path: &str, text: &[u8], salt: &[u8]) -> Vec<Hit> {
        self.scan_from(&Origin::file(path), text, salt)
    }

    /// Finds the secrets in `text` from `origin` (a path, and a commit for git history, which
    /// allowlists may name).
    pub fn scan_from(&self, origin: &Origin<'_>, text: &[u8], salt: &[u8]) -> Vec<Hit> {
        let mut wanted = vec![false; self.rules.len()];
        for &i in &self.always {
            wanted[i] = true;
        }
        // Overlapping search so a keyword inside another still counts.
        for m in self.prefilter.find_overlapping_iter(text) {
            for &i in &self.keyword_rules[m.pattern().as_usize()] {
                wanted[i] = true;
            }
        }
        // Rules earlier in the list are more specific: a later rule's hit on a secret an
        // earlier one already reported is dropped.
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut raw: Vec<(usize, crate::rules::RuleMatch)> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if !wanted[i] {
                continue;
            }
            for m in rule.find_in(origin, text) {
                if taken
                    .iter()
                    .any(|&(s, e)| m.secret_start < e && s < m.secret_end)
                {
                    continue;
                }
                taken.push((m.secret_start, m.secret_end));
                raw.push((i, m));
            }
        }
        raw.sort_by_key(|(_, m)| m.secret_start);
        let mut hits = Vec::with_capacity(raw.len());
        let mut line = 1u32;
        let mut counted_to = 0usize;
        for (rule, m) in raw {
            line += count_newlines(&text[counted_to..m.secret_start]);
            counted_to = m.secret_start;
            let line_start = text[..m.secret_start]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let line_end = memchr::memchr(b'\n', &text[m.secret_start..])
                .map_or(text.len(), |p| m.secret_start + p);
            let line_bytes = &text[line_start..line_end];
            if memchr::memmem::find(line_bytes, ALLOW_MARKER).is_some() {
                continue;
            }
            let clear = String::from_utf8_lossy(&text[m.secret_start..m.secret_end]);
            let secret = salted_secret(&clear, salt);
            let line_text = String::from_utf8_lossy(line_bytes);
            let snippet = truncate(&secret.redact(line_text.trim_end_matches('\r'), &clear));
            let end_in_line = m.secret_end.min(line_end);
            hits.push(Hit {
                rule,
                line,
                column: u32::try_from(m.secret_start - line_start + 1).unwrap_or(u32::MAX),
                end_column: u32::try_from(end_in_line - line_start + 1).unwrap_or(u32::MAX),
                snippet: if m.secret_end > line_end || snippet.contains(clear.as_ref()) {
                    // The secret spans lines (a PEM block): the line shows only its start.
                    secret.masked.clone()
                } else {
                    snippet
                },
                secret,
            });
        }
        hits
    }

    /// Turns a hit in `path` into a finding.
    pub fn finding(&self, path: &str, hit: Hit) -> Finding {
        let rule = &self.rules[hit.rule];
        let mut finding = Finding::new(TOOL, Category::Secret, rule.title.clone());
        finding.severity = rule.severity;
        finding.confidence = Some(if rule.entropy.is_some() {
            Confidence::Medium
        } else {
            Confidence::High
        });
        finding.rule_id = Some(rule.id.clone());
        let mut file = FileLocation::new(path, Some(hit.line));
        file.end_line = Some(hit.line);
        file.start_column = Some(hit.column);
        file.end_column = Some(hit.end_column);
        file.snippet = Some(hit.snippet);
        finding.location = Location {
            file: Some(file),
            ..Location::default()
        };
        finding.description = Some(format!(
            "A {} was found in {path} at line {}. Anyone who can read this file (or its git \
             history) can use it.",
            rule.title, hit.line
        ));
        finding.remediation = Some(
            "Revoke the credential at its provider and issue a new one, then remove it from \
             the code (and history) and load it from a secret store or the environment."
                .to_string(),
        );
        for r in &rule.references {
            finding.add_reference(r);
        }
        finding.add_cwe("CWE-798");
        finding.secret = Some(hit.secret);
        finding
    }
}

/// Masks the secret and hashes it with the salt: SHA-256 over `salt`, a NUL byte and the
/// value. With a per-report random salt nobody can test guesses against a leaked report;
/// with a configured salt the hashes stay comparable across reports of one organisation.
pub fn salted_secret(clear: &str, salt: &[u8]) -> Secret {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update([0u8]);
    hasher.update(clear.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    Secret {
        masked: ward_core::mask(clear),
        sha256: hex,
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

fn truncate(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() <= MAX_SNIPPET_CHARS {
        return line.to_string();
    }
    let mut out: String = line.chars().take(MAX_SNIPPET_CHARS).collect();
    out.push('…');
    out
}
