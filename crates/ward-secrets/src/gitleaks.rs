//! gitleaks configuration files (v8, <https://github.com/gitleaks/gitleaks#configuration>),
//! read into ward's [`Rule`]s with gitleaks' semantics:
//!
//! - `[[rules]]`: `id`, `description`, `regex`, `secretGroup` (unset: the first group that
//!   matched something), `entropy`, `keywords`, `path` (the rule runs only on matching
//!   paths), and allowlists, either the older
//!   `[rules.allowlist]` or `[[rules.allowlists]]` (not both);
//! - global allowlists, the older `[allowlist]` or `[[allowlists]]` (not both), which apply
//!   to every rule, or with `targetRules` only to the rules named;
//! - allowlists with `commits`, `paths`, `regexes` (tested against the secret, or with
//!   `regexTarget` the whole match or its line), `stopwords`, and `condition` (`OR`, the
//!   default, or `AND`), see [`crate::allowlist`];
//! - `[extend]`: `useDefault = true` builds on ward's built-in rules (where gitleaks builds on
//!   its own), `path` on another gitleaks config (relative to this one), two levels deep at
//!   most; `disabledRules` drops rules of the base; a rule whose id the base already has is
//!   merged into it (fields set here win, keywords and allowlists add up).
//!
//! Regexes are Go's RE2 syntax, which ward's regex engine shares but for one leniency that real
//! configs rely on: a `{` that starts no repetition is a literal in Go; [`from_go`] escapes it.
//!
//! What ward cannot do is named in [`GitleaksConfig::warnings`]: rules that match a path only
//! (ward reports secrets, not files), composite rules (`[[rules.required]]`) and `extend.url`.
//! Rules with `skipReport = true` exist only as parts of composite rules and are left out.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use ward_core::Severity;

use crate::allowlist::{Allowlist, Condition, RegexTarget};
use crate::rules::{compile, lower_all, Pattern, Rule};
use crate::Error;

/// How deep `[extend] path` chains may go, as in gitleaks: a config may extend one that
/// extends a third, whose own `[extend]` is ignored.
const MAX_EXTEND_DEPTH: usize = 2;

/// The rules of a gitleaks config, ready to scan with.
#[derive(Debug)]
pub struct GitleaksConfig {
    /// Every rule, including ward's built-in rules when the config extends the default, with
    /// the global allowlists applied.
    pub rules: Vec<Rule>,
    /// What ward read but cannot do, one sentence each.
    pub warnings: Vec<String>,
}

/// Reads the gitleaks config at `path` (and the configs it extends).
pub fn load_gitleaks_config(path: &Path) -> Result<GitleaksConfig, Error> {
    let text = read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse_gitleaks_config(&path.display().to_string(), &text, dir)
}

/// Reads a gitleaks config named `source` from `text`; `[extend] path` is resolved against
/// `dir`.
pub fn parse_gitleaks_config(
    source: &str,
    text: &str,
    dir: &Path,
) -> Result<GitleaksConfig, Error> {
    let mut warnings = Vec::new();
    let resolved = resolve(source, text, dir, 0, &mut warnings)?;
    let mut rules = resolved.rules;
    for rule in &mut rules {
        rule.allowlists.extend(resolved.globals.iter().cloned());
    }
    Ok(GitleaksConfig { rules, warnings })
}

// ---- wire types ----------------------------------------------------------------------------

// gitleaks reads its config with viper, which ignores unknown keys and compares keys without
// regard to case: unknown keys are accepted here too, and the all-lower-case spellings of the
// camelCase keys are aliases.

#[derive(Deserialize)]
struct FileWire {
    extend: Option<ExtendWire>,
    #[serde(default)]
    rules: Vec<RuleWire>,
    /// The older single global allowlist.
    allowlist: Option<GlobalAllowlistWire>,
    #[serde(default)]
    allowlists: Vec<GlobalAllowlistWire>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ExtendWire {
    path: Option<String>,
    url: Option<String>,
    #[serde(default, alias = "usedefault")]
    use_default: bool,
    #[serde(default, alias = "disabledrules")]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleWire {
    #[serde(default)]
    id: String,
    description: Option<String>,
    regex: Option<String>,
    path: Option<String>,
    #[serde(alias = "secretgroup")]
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    /// The older single rule allowlist.
    allowlist: Option<AllowlistWire>,
    #[serde(default)]
    allowlists: Vec<AllowlistWire>,
    #[serde(default, alias = "skipreport")]
    skip_report: bool,
    #[serde(default)]
    required: Vec<toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AllowlistWire {
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(alias = "regextarget")]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default, alias = "stopWords")]
    stopwords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlobalAllowlistWire {
    #[serde(default, alias = "targetrules")]
    target_rules: Vec<String>,
    #[serde(flatten)]
    list: AllowlistWire,
}

// ---- resolution ----------------------------------------------------------------------------

/// One config with what it extends: its rules (allowlists targeted at them included) and
/// the global allowlists still to apply to every rule.
struct Resolved {
    rules: Vec<Rule>,
    globals: Vec<Allowlist>,
}

fn resolve(
    source: &str,
    text: &str,
    dir: &Path,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Resolved, Error> {
    let file: FileWire = toml::from_str(text).map_err(|e| config_error(source, e))?;
    if file.allowlist.is_some() && !file.allowlists.is_empty() {
        return Err(config_error(
            source,
            "[allowlist] and [[allowlists]] cannot both be used",
        ));
    }
    let mut globals = Vec::new();
    let mut targeted: Vec<(String, Allowlist)> = Vec::new();
    for wire in file.allowlist.into_iter().chain(file.allowlists) {
        let list = allowlist(wire.list)
            .map_err(|message| config_error(source, format!("[[allowlists]]: {message}")))?;
        if wire.target_rules.is_empty() {
            globals.push(list);
        } else {
            for id in wire.target_rules {
                targeted.push((id, list.clone()));
            }
        }
    }

    let Resolved {
        mut rules,
        globals: base_globals,
    } = base(source, file.extend, dir, depth, warnings)?;

    let mut own_ids = BTreeSet::new();
    for mut wire in file.rules {
        if wire.id.trim().is_empty() {
            let what = wire
                .description
                .or(wire.regex)
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            return Err(config_error(
                source,
                format!("a rule has no `id`{what}; gitleaks v7 configs are not supported"),
            ));
        }
        let id = wire.id.clone();
        let fresh = own_ids.insert(id.clone());
        if !fresh {
            warnings.push(format!(
                "{source}: rule `{id}` is defined twice; the last definition is used"
            ));
            rules.retain(|r| r.id != id);
        }
        if wire.skip_report {
            rules.retain(|r| r.id != id);
            continue;
        }
        if !wire.required.is_empty() {
            warnings.push(format!(
                "{source}: rule `{id}` is a composite rule ([[rules.required]]), which ward does not support; it is skipped"
            ));
            rules.retain(|r| r.id != id);
            continue;
        }
        let single = wire.allowlist.take();
        let many = std::mem::take(&mut wire.allowlists);
        let lists = rule_allowlists(source, &id, single, many)?;
        match rules.iter_mut().find(|r| r.id == id) {
            Some(existing) => merge(source, existing, wire, lists)?,
            None => match new_rule(source, wire, lists)? {
                Some(rule) => rules.push(rule),
                None => warnings.push(format!(
                    "{source}: rule `{id}` matches file paths only (no regex); ward reports secrets, not files, so it is skipped"
                )),
            },
        }
    }

    for (id, list) in targeted {
        let Some(rule) = rules.iter_mut().find(|r| r.id == id) else {
            return Err(config_error(
                source,
                format!("[[allowlists]] targetRules: rule `{id}` does not exist"),
            ));
        };
        rule.allowlists.push(list);
    }
    globals.extend(base_globals);
    Ok(Resolved { rules, globals })
}

/// The rules a config builds on: none, ward's built-in rules (`useDefault`) or another
/// config (`path`), less `disabledRules`.
fn base(
    source: &str,
    extend: Option<ExtendWire>,
    dir: &Path,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Resolved, Error> {
    let empty = Resolved {
        rules: Vec::new(),
        globals: Vec::new(),
    };
    let Some(extend) = extend else {
        return Ok(empty);
    };
    if extend.url.is_some() {
        warnings.push(format!(
            "{source}: [extend] url is not supported (gitleaks does not implement it either); ignored"
        ));
    }
    if extend.use_default && extend.path.is_some() {
        return Err(config_error(
            source,
            "[extend] useDefault and path cannot both be set",
        ));
    }
    if depth >= MAX_EXTEND_DEPTH {
        if extend.use_default || extend.path.is_some() {
            warnings.push(format!(
                "{source}: [extend] is ignored: configs extend each other at most {MAX_EXTEND_DEPTH} levels deep"
            ));
        }
        return Ok(empty);
    }
    let mut resolved = if extend.use_default {
        Resolved {
            rules: crate::builtin_rules(),
            globals: Vec::new(),
        }
    } else if let Some(path) = &extend.path {
        let full = dir.join(path);
        let text = read(&full)?;
        let name = full.display().to_string();
        let next_dir = full.parent().unwrap_or(dir);
        resolve(&name, &text, next_dir, depth + 1, warnings)?
    } else {
        empty
    };
    for id in &extend.disabled_rules {
        if !resolved.rules.iter().any(|r| &r.id == id) {
            warnings.push(format!(
                "{source}: disabledRules names `{id}`, which the extended config does not have"
            ));
        }
    }
    resolved
        .rules
        .retain(|r| !extend.disabled_rules.contains(&r.id));
    Ok(resolved)
}

/// A rule this config defines, or `None` for a path-only rule.
fn new_rule(
    source: &str,
    wire: RuleWire,
    allowlists: Vec<Allowlist>,
) -> Result<Option<Rule>, Error> {
    let only_paths = match &wire.path {
        Some(path) => Some(compile(source, &wire.id, &from_go(path))?),
        None => None,
    };
    let Some(regex) = &wire.regex else {
        if only_paths.is_some() {
            return Ok(None);
        }
        return Err(rule_error(
            source,
            &wire.id,
            "both regex and path are empty: the rule would match nothing",
        ));
    };
    // gitleaks reads an unset secretGroup as 0: the first group that matched.
    let group = wire.secret_group.filter(|&g| g > 0);
    let pattern = Pattern::eager(source, &wire.id, &from_go(regex), group)?;
    Ok(Some(Rule {
        title: wire.description.unwrap_or_else(|| wire.id.clone()),
        id: wire.id,
        severity: Severity::High,
        keywords: lower_all(wire.keywords),
        pattern,
        entropy: wire.entropy.filter(|&e| e > 0.0),
        references: Vec::new(),
        allowlists,
        only_paths,
        examples: Vec::new(),
        negative_examples: Vec::new(),
    }))
}

/// Merges a rule of this config into the rule of the same id it extends: what is set here
/// replaces the base's, keywords and allowlists are added.
fn merge(
    source: &str,
    base: &mut Rule,
    wire: RuleWire,
    allowlists: Vec<Allowlist>,
) -> Result<(), Error> {
    if let Some(description) = wire.description.filter(|d| !d.is_empty()) {
        base.title = description;
    }
    if let Some(entropy) = wire.entropy.filter(|&e| e > 0.0) {
        base.entropy = Some(entropy);
    }
    let group = wire.secret_group.filter(|&g| g > 0);
    match (&wire.regex, group) {
        (Some(regex), _) => {
            base.pattern = Pattern::eager(
                source,
                &wire.id,
                &from_go(regex),
                group.or(base.pattern.group()),
            )?;
        }
        (None, Some(group)) => {
            let regex = base.pattern.as_str().to_string();
            base.pattern = Pattern::eager(source, &wire.id, &regex, Some(group))?;
        }
        (None, None) => {}
    }
    if let Some(path) = &wire.path {
        base.only_paths = Some(compile(source, &wire.id, &from_go(path))?);
    }
    for keyword in lower_all(wire.keywords) {
        if !base.keywords.contains(&keyword) {
            base.keywords.push(keyword);
        }
    }
    base.allowlists.extend(allowlists);
    Ok(())
}

/// A rule's allowlists: the older `[rules.allowlist]` or `[[rules.allowlists]]`.
fn rule_allowlists(
    source: &str,
    id: &str,
    single: Option<AllowlistWire>,
    many: Vec<AllowlistWire>,
) -> Result<Vec<Allowlist>, Error> {
    if single.is_some() && !many.is_empty() {
        return Err(rule_error(
            source,
            id,
            "[rules.allowlist] and [[rules.allowlists]] cannot both be used",
        ));
    }
    single
        .into_iter()
        .chain(many)
        .map(|wire| allowlist(wire).map_err(|message| rule_error(source, id, &message)))
        .collect()
}

/// Compiles one allowlist; the error says what is wrong with it.
fn allowlist(wire: AllowlistWire) -> Result<Allowlist, String> {
    let condition = match wire
        .condition
        .as_deref()
        .map(str::trim)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("" | "OR" | "||") => Condition::Or,
        Some("AND" | "&&") => Condition::And,
        Some(_) => {
            return Err(format!(
                "unknown allowlist condition `{}` (expected AND or OR)",
                wire.condition.unwrap_or_default()
            ))
        }
    };
    let regex_target = match wire.regex_target.as_deref() {
        None | Some("" | "secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(format!(
                "unknown allowlist regexTarget `{other}` (expected secret, match or line)"
            ))
        }
    };
    let regexes = |patterns: &[String]| -> Result<Vec<regex::bytes::Regex>, String> {
        patterns
            .iter()
            .map(|p| compile("", "", &from_go(p)).map_err(|e| allowlist_regex_error(p, &e)))
            .collect()
    };
    let list = Allowlist {
        condition,
        commits: wire
            .commits
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect(),
        paths: regexes(&wire.paths)?,
        regex_target,
        regexes: regexes(&wire.regexes)?,
        stopwords: lower_all(wire.stopwords),
        values: Vec::new(),
    };
    if list.is_empty() {
        return Err(
            "an allowlist must set at least one of commits, paths, regexes, stopwords".into(),
        );
    }
    Ok(list)
}

fn allowlist_regex_error(pattern: &str, error: &Error) -> String {
    match error {
        Error::Rule { message, .. } => format!("regex {pattern:?}: {message}"),
        other => other.to_string(),
    }
}

/// A Go (RE2) regex in the syntax of Rust's `regex` crate: a `{` outside a character class
/// that does not start a repetition (`{n}`, `{n,}`, `{n,m}`) is escaped, since Go reads it as
/// a literal and Rust refuses it.
pub fn from_go(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains('{') {
        return Cow::Borrowed(pattern);
    }
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => {
                // An escape and the character it escapes (which may be multi-byte).
                let len = pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&pattern[i..i + 1 + len]);
                i += 1 + len;
                continue;
            }
            b'[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                // A `]` right after `[` or `[^` is a literal member of the class.
                for lead in [b'^', b']'] {
                    if bytes.get(i) == Some(&lead) {
                        out.push(char::from(lead));
                        i += 1;
                    }
                }
                continue;
            }
            b'[' if bytes.get(i + 1) == Some(&b':') => {
                // A POSIX class such as `[:alpha:]` inside a class.
                let end = pattern[i..].find(":]").map_or(1, |p| p + 2);
                out.push_str(&pattern[i..i + end]);
                i += end;
                continue;
            }
            b']' if in_class => in_class = false,
            b'{' if !in_class && !starts_repetition(&bytes[i..]) => {
                out.push_str("\\{");
                i += 1;
                continue;
            }
            _ => {}
        }
        let len = pattern[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&pattern[i..i + len]);
        i += len;
    }
    Cow::Owned(out)
}

/// Whether `text` (starting at a `{`) is `{n}`, `{n,}` or `{n,m}`.
fn starts_repetition(text: &[u8]) -> bool {
    let digits = |from: usize| {
        text[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let n = digits(1);
    if n == 0 {
        return false;
    }
    match text.get(1 + n) {
        Some(b'}') => true,
        Some(b',') => text.get(2 + n + digits(2 + n)) == Some(&b'}'),
        _ => false,
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn config_error(source: &str, message: impl std::fmt::Display) -> Error {
    Error::Config {
        source_name: source.to_string(),
        message: message.to_string(),
    }
}

fn rule_error(source: &str, id: &str, message: &str) -> Error {
    Error::Rule {
        source_name: source.to_string(),
        id: id.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowlist::Origin;
    use crate::RuleSet;

    /// A look-alike token of the test rule below (random, never a real one).
    const TOKEN: &str = "corp-Q1W2E3R4T5Y6U7I8O9P0";

    const RULE: &str = r#"
[[rules]]
id = "corp-key"
description = "Corp key"
regex = '''key\s*=\s*(corp-[A-Z0-9]{20})'''
keywords = ["corp-"]
"#;

    fn config(text: &str) -> GitleaksConfig {
        parse_gitleaks_config("test.toml", text, Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(text: &str) -> String {
        parse_gitleaks_config("test.toml", text, Path::new("."))
            .expect_err("must be refused")
            .to_string()
    }

    /// The ids of the rules that report something in `text`.
    fn found(config: &GitleaksConfig, origin: &Origin<'_>, text: &str) -> Vec<String> {
        let set = RuleSet::new(config.rules.clone());
        set.scan_from(origin, text.as_bytes(), b"salt")
            .into_iter()
            .map(|hit| set.rules()[hit.rule].id.clone())
            .collect()
    }

    fn found_in(config: &GitleaksConfig, path: &str, text: &str) -> Vec<String> {
        found(config, &Origin::file(path), text)
    }

    #[test]
    fn rules_with_their_fields() {
        let c = config(RULE);
        assert_eq!(c.rules.len(), 1);
        let rule = &c.rules[0];
        assert_eq!(
            (rule.id.as_str(), rule.title.as_str()),
            ("corp-key", "Corp key")
        );
        assert_eq!(
            found_in(&c, "a.cfg", &format!("key = {TOKEN}\n")),
            ["corp-key"]
        );
        let hits =
            RuleSet::new(c.rules.clone()).scan("a.cfg", format!("key = {TOKEN}").as_bytes(), b"s");
        assert_eq!(
            hits[0].column, 7,
            "the secret is the first group, not the whole match"
        );
    }

    #[test]
    fn without_secret_group_the_first_group_that_matched_is_the_secret() {
        let c = config(
            "[[rules]]\nid = \"two-forms\"\nregex = '''old=([a-z]{12})|new=([A-Z]{12})'''\n",
        );
        let hits = RuleSet::new(c.rules.clone()).scan("a", b"x new=QWERTYUIOPAS", b"s");
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].column, hits[0].end_column),
            (7, 19),
            "group 2, not the match"
        );
    }

    #[test]
    fn regex_target_secret_match_and_line() {
        let with = |target: &str, regex: &str| {
            config(&format!(
                "{RULE}[[rules.allowlists]]\nregexTarget = \"{target}\"\nregexes = ['''{regex}''']\n"
            ))
        };
        let text = format!("key = {TOKEN} # fixture\n");
        // The default target is the secret: `^key` never matches it.
        let c = config(&format!(
            "{RULE}[[rules.allowlists]]\nregexes = ['''^key''']\n"
        ));
        assert_eq!(found_in(&c, "a", &text), ["corp-key"]);
        assert!(found_in(&with("secret", "^corp-Q1"), "a", &text).is_empty());
        assert!(found_in(&with("match", "^key = corp"), "a", &text).is_empty());
        assert_eq!(
            found_in(&with("match", "fixture"), "a", &text),
            ["corp-key"]
        );
        assert!(found_in(&with("line", "# fixture$"), "a", &text).is_empty());
        // The line is the match's own, not its neighbours'.
        let other_line = format!("# fixture\nkey = {TOKEN}\n");
        assert_eq!(
            found_in(&with("line", "# fixture$"), "a", &other_line),
            ["corp-key"]
        );
        assert!(error(&format!(
            "{RULE}[[rules.allowlists]]\nregexTarget = \"file\"\nregexes = ['x']\n"
        ))
        .contains("unknown allowlist regexTarget `file`"));
    }

    #[test]
    fn commits_drop_findings_of_listed_commits_only() {
        let commit = "4f8e9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";
        let c = config(&format!(
            "{RULE}[[rules.allowlists]]\ncommits = [\"{}\"]\n",
            commit.to_ascii_uppercase()
        ));
        let text = format!("key = {TOKEN}\n");
        let listed = Origin {
            path: "a.cfg",
            commit: Some(commit),
        };
        let other = Origin {
            path: "a.cfg",
            commit: Some("0000000000000000000000000000000000000001"),
        };
        assert!(found(&c, &listed, &text).is_empty());
        assert_eq!(found(&c, &other, &text), ["corp-key"]);
        assert_eq!(found_in(&c, "a.cfg", &text), ["corp-key"], "not in history");
    }

    #[test]
    fn condition_and_needs_every_criterion() {
        let c = config(&format!(
            "{RULE}[[rules.allowlists]]\ncondition = \"AND\"\npaths = ['''^tests/''']\nstopwords = [\"q1w2\"]\n"
        ));
        let text = format!("key = {TOKEN}\n");
        assert!(
            found_in(&c, "tests/a.cfg", &text).is_empty(),
            "path and stop word"
        );
        assert_eq!(
            found_in(&c, "src/a.cfg", &text),
            ["corp-key"],
            "stop word alone"
        );
        let other = "key = corp-ZZZZZZZZZZZZZZZZZZZ1\n";
        assert_eq!(
            found_in(&c, "tests/a.cfg", other),
            ["corp-key"],
            "path alone"
        );
        // OR (the default) allows on either.
        let or = config(&format!(
            "{RULE}[[rules.allowlists]]\ncondition = \"or\"\npaths = ['''^tests/''']\nstopwords = [\"q1w2\"]\n"
        ));
        assert!(found_in(&or, "src/a.cfg", &text).is_empty());
        assert!(found_in(&or, "tests/a.cfg", other).is_empty());
        assert!(error(&format!(
            "{RULE}[[rules.allowlists]]\ncondition = \"XOR\"\npaths = ['x']\n"
        ))
        .contains("unknown allowlist condition `XOR`"));
    }

    #[test]
    fn rule_allowlist_old_and_new_forms() {
        let old = config(&format!(
            "{RULE}[rules.allowlist]\npaths = ['''\\.md$''']\n"
        ));
        assert!(found_in(&old, "README.md", &format!("key = {TOKEN}")).is_empty());
        let e = error(&format!(
            "{RULE}[rules.allowlist]\npaths = ['a']\n[[rules.allowlists]]\npaths = ['b']\n"
        ));
        assert!(
            e.contains("rule `corp-key`") && e.contains("cannot both be used"),
            "{e}"
        );
        let e = error(&format!(
            "{RULE}[[rules.allowlists]]\ndescription = \"nothing\"\n"
        ));
        assert!(
            e.contains("at least one of commits, paths, regexes, stopwords"),
            "{e}"
        );
    }

    #[test]
    fn global_allowlists_and_target_rules() {
        let other_rule = r#"
[[rules]]
id = "team-key"
regex = '''team-[a-z0-9]{16}'''
keywords = ["team-"]
"#;
        let text = format!("key = {TOKEN}\nteam-a1b2c3d4e5f6a7b8\n");
        let old = config(&format!(
            "[allowlist]\npaths = ['''^vendor/''']\n{RULE}{other_rule}"
        ));
        assert!(
            found_in(&old, "vendor/x", &text).is_empty(),
            "applies to every rule"
        );
        let targeted = config(&format!(
            "{RULE}{other_rule}[[allowlists]]\ntargetRules = [\"team-key\"]\npaths = ['''^vendor/''']\n"
        ));
        assert_eq!(found_in(&targeted, "vendor/x", &text), ["corp-key"]);
        assert_eq!(found_in(&targeted, "src/x", &text).len(), 2);
        let e = error(&format!(
            "{RULE}[[allowlists]]\ntargetRules = [\"nope\"]\npaths = ['x']\n"
        ));
        assert!(e.contains("rule `nope` does not exist"), "{e}");
        let e = error(&format!(
            "[allowlist]\npaths = ['a']\n[[allowlists]]\npaths = ['b']\n{RULE}"
        ));
        assert!(e.contains("cannot both be used"), "{e}");
    }

    #[test]
    fn extend_use_default_builds_on_the_builtin_rules() {
        let n_builtin = crate::builtin_rules().len();
        let c = config(&format!("[extend]\nuseDefault = true\n{RULE}"));
        assert_eq!(c.rules.len(), n_builtin + 1);
        let ghp = "ghp_Qw7Er9Ty1Ui3Op5As7Df9Gh1Jk3Lz5Xc7Vb9";
        assert_eq!(found_in(&c, "a", &format!("t = {ghp}\n")), ["github-pat"]);
        // A global allowlist of the extending config applies to the built-in rules too.
        let c = config("[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''^fixtures/''']\n");
        assert!(found_in(&c, "fixtures/a", &format!("t = {ghp}\n")).is_empty());
        // disabledRules drops a built-in rule; an allowlist merged by id narrows another.
        let c = config(
            "[extend]\nuseDefault = true\ndisabledRules = [\"github-pat\", \"no-such-rule\"]\n",
        );
        assert_eq!(c.rules.len(), n_builtin - 1);
        assert!(found_in(&c, "a", &format!("t = {ghp}\n")).is_empty());
        assert!(c.warnings[0].contains("`no-such-rule`"), "{:?}", c.warnings);
        let c = config(
            "[extend]\nuseDefault = true\n[[rules]]\nid = \"github-pat\"\n[[rules.allowlists]]\nregexTarget = \"line\"\nregexes = ['''test_token''']\n",
        );
        assert_eq!(c.rules.len(), n_builtin, "merged, not added");
        assert!(found_in(&c, "a", &format!("test_token = {ghp}\n")).is_empty());
        assert_eq!(
            found_in(&c, "a", &format!("token = {ghp}\n")),
            ["github-pat"]
        );
        assert!(error("[extend]\nuseDefault = true\npath = \"x.toml\"\n")
            .contains("cannot both be set"));
    }

    #[test]
    fn extend_path_is_relative_to_the_config_and_two_levels_deep() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("base")).unwrap();
        std::fs::write(
            dir.path().join("base/org.toml"),
            format!("[extend]\npath = \"core.toml\"\n{RULE}"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("base/core.toml"),
            "[extend]\npath = \"deeper.toml\"\n[[rules]]\nid = \"team-key\"\nregex = '''team-[a-z0-9]{16}'''\n[[allowlists]]\npaths = ['''^generated/''']\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("repo.toml"),
            "[extend]\npath = \"base/org.toml\"\n[[rules]]\nid = \"corp-key\"\ndescription = \"Corp key (repo)\"\n",
        )
        .unwrap();
        let c =
            load_gitleaks_config(&dir.path().join("repo.toml")).unwrap_or_else(|e| panic!("{e}"));
        let mut ids: Vec<&str> = c.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["corp-key", "team-key"]);
        let corp = c.rules.iter().find(|r| r.id == "corp-key").unwrap();
        assert_eq!(
            corp.title, "Corp key (repo)",
            "the extending config's description wins"
        );
        assert!(
            found_in(&c, "generated/a", "team-a1b2c3d4e5f6a7b8").is_empty(),
            "base global allowlist"
        );
        assert!(
            c.warnings.iter().any(|w| w.contains("2 levels deep")),
            "{:?}",
            c.warnings
        );
        let missing = load_gitleaks_config(&dir.path().join("base/none.toml")).unwrap_err();
        assert!(missing.to_string().contains("none.toml"), "{missing}");
    }

    #[test]
    fn go_braces_that_repeat_nothing_are_literals() {
        assert_eq!(from_go(r"a{2}b{1,}c{1,3}"), r"a{2}b{1,}c{1,3}");
        assert_eq!(from_go(r"(?:\(x\)|{[^@]+\})"), r"(?:\(x\)|\{[^@]+\})");
        assert_eq!(from_go(r"\${x}"), r"\$\{x}");
        assert_eq!(
            from_go(r"[{}]{2}\{"),
            r"[{}]{2}\{",
            "classes and escapes stay"
        );
        assert_eq!(from_go(r"[]{]{"), r"[]{]\{");
        assert_eq!(from_go(r"[[:alpha:]{]{a"), r"[[:alpha:]{]\{a");
        assert_eq!(from_go("é{x"), "é\\{x");
        for go in [r"{[^@]+\}", r"x{,3}", r"a{"] {
            assert!(regex::Regex::new(&from_go(go)).is_ok(), "{go}");
        }
    }

    #[test]
    fn what_ward_cannot_do_is_a_warning_and_bad_rules_are_errors() {
        let c = config(&format!(
            "{RULE}[[rules]]\nid = \"p12\"\npath = '''\\.p12$'''\n[[rules]]\nid = \"pair\"\nregex = 'x'\n[[rules.required]]\nid = \"corp-key\"\n[[rules]]\nid = \"part\"\nregex = 'y'\nskipReport = true\n"
        ));
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("`p12` matches file paths only"));
        assert!(c.warnings[1].contains("`pair` is a composite rule"));
        assert!(error("[[rules]]\ndescription = \"AWS\"\nregex = 'x'\n").contains("no `id` (AWS)"));
        assert!(error("[[rules]]\nid = \"empty\"\n").contains("both regex and path are empty"));
        let e = error("[[rules]]\nid = \"bad\"\nregex = '(unclosed'\n");
        assert!(
            e.contains("rule `bad`") && e.contains("invalid regex"),
            "{e}"
        );
        let e = error("[[rules]]\nid = \"g\"\nregex = 'a(b)'\nsecretGroup = 3\n");
        assert!(e.contains("secret group 3"), "{e}");
        let e = error("[[rules]\n");
        assert!(e.contains("test.toml") && e.contains("line 1"), "{e}");
    }
}
