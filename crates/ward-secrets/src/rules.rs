//! Secret rules as data: the built-in rules (`data/rules.toml`) and custom rules in ward's
//! format (`[[scan.secrets.rules]]` in ward.toml), compiled into [`Rule`]s. gitleaks configs
//! are read in [`crate::gitleaks`] into the same [`Rule`]s.

use std::sync::OnceLock;

use regex::bytes::Regex;
use serde::Deserialize;
use ward_core::Severity;

use crate::allowlist::{Allowlist, Candidate, Origin};
use crate::Error;

/// The built-in rules, embedded in the binary.
pub const BUILTIN_RULES: &str = include_str!("../data/rules.toml");

/// The source name of the built-in rules: their patterns compile lazily.
pub const BUILTIN_SOURCE: &str = "built-in rules";

/// Values found in documentation (AWS's `AKIAIOSFODNN7EXAMPLE` …) and placeholders: a
/// secret containing one of these (case-insensitively) is never reported, whatever the rule.
const GLOBAL_STOPWORDS: &[&str] = &[
    "example",
    "xxxxxxxx",
    "changeme",
    "change_me",
    "placeholder",
    "your_",
    "<your",
    "dummy",
    "redacted",
    "${",
    "{{",
    "0000000000000000",
    "1234567890abcdef",
];

/// Hosts reserved for documentation (RFC 2606): a credential in a URL to one of them is an
/// example in a doc comment or README, never a live one.
const DOCUMENTATION_HOSTS: &[&[u8]] = &[b"@example.com", b"@example.org", b"@example.net"];

/// One rule, compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Kebab-case id, stable once released.
    pub id: String,
    /// What was found, e.g. "GitHub personal access token".
    pub title: String,
    /// How bad a leak is.
    pub severity: Severity,
    /// Lower-case strings of which one must occur in the text before the regex runs. Empty:
    /// the regex always runs.
    pub keywords: Vec<String>,
    /// The pattern, compiled when the rule first runs.
    pub pattern: Pattern,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// Where the provider documents the format.
    pub references: Vec<String>,
    /// What the rule does not report: any one list allowing a match drops it.
    pub allowlists: Vec<Allowlist>,
    /// When set, the rule runs only on paths matching it (gitleaks `path`).
    pub only_paths: Option<Regex>,
    /// Texts the rule must find something in (checked by the registry test).
    pub examples: Vec<String>,
    /// Texts the rule must find nothing in.
    pub negative_examples: Vec<String>,
}

impl Rule {
    /// The secrets this rule finds in `text` (from `origin`): byte ranges of each match and
    /// of its secret, after entropy and allowlists.
    pub fn find_in(&self, origin: &Origin<'_>, text: &[u8]) -> Vec<RuleMatch> {
        if self
            .only_paths
            .as_ref()
            .is_some_and(|p| !p.is_match(origin.path.as_bytes()))
            || self.allowlists.iter().any(|l| l.allows_origin(origin))
        {
            return Vec::new();
        }
        let Ok((regex, group)) = self.pattern.compiled() else {
            return Vec::new();
        };
        let needs_line = self.allowlists.iter().any(Allowlist::needs_line);
        let explicit = self.pattern.group().is_some();
        let mut found = Vec::new();
        for caps in regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            // Without a configured group, as in gitleaks: the default group, else the first
            // group that matched something (patterns with alternatives), else the whole match.
            let secret = match caps.get(*group) {
                Some(m) if explicit || !m.is_empty() => m,
                _ if !explicit => caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .find(|m| !m.is_empty())
                    .unwrap_or(whole),
                _ => whole,
            };
            if secret.is_empty() {
                continue;
            }
            if DOCUMENTATION_HOSTS
                .iter()
                .any(|h| memchr::memmem::find(whole.as_bytes(), h).is_some())
            {
                continue;
            }
            if !self.keeps(secret.as_bytes()) {
                continue;
            }
            let candidate = Candidate {
                secret: secret.as_bytes(),
                matched: whole.as_bytes(),
                line: if needs_line {
                    lines_of(text, whole.start(), whole.end())
                } else {
                    &[]
                },
            };
            if self.allowlists.iter().any(|l| l.allows(origin, &candidate)) {
                continue;
            }
            found.push(RuleMatch {
                start: whole.start(),
                end: whole.end(),
                secret_start: secret.start(),
                secret_end: secret.end(),
            });
        }
        found
    }

    /// Entropy and the placeholders no rule reports.
    fn keeps(&self, secret: &[u8]) -> bool {
        if let Some(min) = self.entropy {
            if shannon_entropy(secret) < min {
                return false;
            }
        }
        let lower = secret.to_ascii_lowercase();
        !GLOBAL_STOPWORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    }
}

/// The whole line(s) a match spans, without the line break (gitleaks' `regexTarget = "line"`).
fn lines_of(text: &[u8], start: usize, end: usize) -> &[u8] {
    let end = if end > start && text.get(end - 1) == Some(&b'\n') {
        end - 1
    } else {
        end
    };
    let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |p| end + p);
    &text[line_start..line_end]
}

/// A rule's regex, compiled on first use: most rules' keywords never occur in a scanned
/// tree, and compiling all ~300 patterns up front costs more than scanning a large repository.
/// Patterns compile in ASCII mode first (`\w`, `\b`, `(?i)` over ASCII only: what token
/// formats mean, smaller automata, and a lazy DFA that never gives up on non-ASCII text), and
/// in Unicode mode only if they need it (e.g. `\p{L}` in a custom rule).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    /// The capture group holding the secret, when the rule names it.
    group: Option<usize>,
    compiled: OnceLock<Result<(Regex, usize), String>>,
}

impl Pattern {
    /// A pattern not compiled yet (built-in rules, whose compilation tests guarantee).
    pub fn lazy(source: impl Into<String>, group: Option<usize>) -> Pattern {
        Pattern {
            source: source.into(),
            group,
            compiled: OnceLock::new(),
        }
    }

    /// A pattern compiled now: custom rules, so that a bad one is reported when loaded.
    pub fn eager(
        source: &str,
        id: &str,
        pattern: &str,
        group: Option<usize>,
    ) -> Result<Pattern, Error> {
        let p = Pattern::lazy(pattern, group);
        if let Err(message) = p.compiled() {
            return Err(Error::Rule {
                source_name: source.to_string(),
                id: id.to_string(),
                message: message.clone(),
            });
        }
        Ok(p)
    }

    /// The regex text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The capture group holding the secret, when the rule names one.
    pub fn group(&self) -> Option<usize> {
        self.group
    }

    /// The compiled regex and the group holding the secret, or why it does not compile.
    pub fn compiled(&self) -> Result<&(Regex, usize), &String> {
        self.compiled
            .get_or_init(|| {
                let regex = build_regex(&self.source).map_err(|e| format!("invalid regex: {e}"))?;
                let group = match self.group {
                    Some(g) if g < regex.captures_len() => g,
                    Some(g) => {
                        return Err(format!(
                            "secret group {g} does not exist (the regex has {} groups)",
                            regex.captures_len() - 1
                        ))
                    }
                    None => default_group(&regex),
                };
                Ok((regex, group))
            })
            .as_ref()
    }
}

/// Where a rule matched, in bytes of the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    /// Start of the whole match.
    pub start: usize,
    /// End of the whole match.
    pub end: usize,
    /// Start of the secret.
    pub secret_start: usize,
    /// End of the secret.
    pub secret_end: usize,
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

// ---- ward's rule format -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WardFile {
    #[serde(default)]
    rules: Vec<WardRule>,
}

/// One rule in ward's format (built-in file and `[[scan.secrets.rules]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WardRule {
    id: String,
    title: String,
    #[serde(default = "default_severity")]
    severity: String,
    #[serde(default)]
    keywords: Vec<String>,
    regex: String,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    allowlist: WardAllowlist,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    negative_examples: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WardAllowlist {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    values: Vec<String>,
}

fn default_severity() -> String {
    "high".into()
}

/// Parses rules in ward's format: a TOML document with a `[[rules]]` array.
pub fn parse_ward_rules(source: &str, text: &str) -> Result<Vec<Rule>, Error> {
    let file: WardFile = toml::from_str(text).map_err(|e| Error::Config {
        source_name: source.to_string(),
        message: e.to_string(),
    })?;
    file.rules
        .into_iter()
        .map(|r| compile_ward_rule(source, r))
        .collect()
}

/// Compiles custom rules already deserialized from ward.toml's `[[scan.secrets.rules]]`.
pub fn parse_ward_rules_value(source: &str, value: toml::Value) -> Result<Vec<Rule>, Error> {
    let rules: Vec<WardRule> = value
        .try_into()
        .map_err(|e: toml::de::Error| Error::Config {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
    rules
        .into_iter()
        .map(|r| compile_ward_rule(source, r))
        .collect()
}

fn compile_ward_rule(source: &str, r: WardRule) -> Result<Rule, Error> {
    let severity = Severity::from_label(&r.severity).ok_or_else(|| Error::Rule {
        source_name: source.to_string(),
        id: r.id.clone(),
        message: format!("unknown severity `{}`", r.severity),
    })?;
    let pattern = if source == BUILTIN_SOURCE {
        Pattern::lazy(r.regex, r.secret_group)
    } else {
        Pattern::eager(source, &r.id, &r.regex, r.secret_group)?
    };
    let allowlist = Allowlist {
        paths: r
            .allowlist
            .paths
            .iter()
            .map(|p| compile(source, &r.id, p))
            .collect::<Result<_, _>>()?,
        stopwords: lower_all(r.allowlist.stopwords),
        values: r.allowlist.values,
        ..Allowlist::default()
    };
    Ok(Rule {
        allowlists: if allowlist.is_empty() {
            Vec::new()
        } else {
            vec![allowlist]
        },
        only_paths: None,
        keywords: lower_all(r.keywords),
        id: r.id,
        title: r.title,
        severity,
        pattern,
        entropy: r.entropy,
        references: r.references,
        examples: r.examples,
        negative_examples: r.negative_examples,
    })
}

/// Compiles a path or allowlist regex of rule `id`.
pub(crate) fn compile(source: &str, id: &str, pattern: &str) -> Result<Regex, Error> {
    build_regex(pattern).map_err(|e| Error::Rule {
        source_name: source.to_string(),
        id: id.to_string(),
        message: format!("invalid regex: {e}"),
    })
}

/// ASCII mode first, Unicode mode if the pattern needs it. Octal escapes (`\0`) are on, as in
/// Go's RE2 syntax that gitleaks configs are written in.
fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    let build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(pattern)
            .unicode(unicode)
            .octal(true)
            .size_limit(50 << 20)
            .build()
    };
    build(false).or_else(|_| build(true))
}

/// The group named `secret`, else group 1 if there is one, else the whole match.
fn default_group(regex: &Regex) -> usize {
    if let Some(i) = regex.capture_names().position(|n| n == Some("secret")) {
        return i;
    }
    usize::from(regex.captures_len() > 1)
}

/// Lower-cases words (keywords and stop words match case-insensitively).
pub(crate) fn lower_all(words: Vec<String>) -> Vec<String> {
    words.into_iter().map(|w| w.to_ascii_lowercase()).collect()
}
