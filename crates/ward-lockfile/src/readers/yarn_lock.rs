//! `yarn.lock`, classic (v1, its own indented format, <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>)
//! and berry (v2+, YAML with `__metadata`): entries keyed by one or more `name@range`
//! descriptors, each with a `version`, `dependencies`, and `integrity` (classic) or
//! `checksum` (berry). Both shapes are read by one line-oriented pass.
//!
//! Berry lists the project's workspaces as `name@workspace:path` entries whose dependencies
//! are the direct ones: a package whose descriptor one of them names is direct, the others
//! transitive. Classic does not say; `read` learns it from the `package.json` beside it.
//! `workspace:`/`link:`/`portal:` entries are the project's own and are not packages.

use std::collections::BTreeSet;

use super::sri_hash;
use crate::{Package, Parsed, Reader};

pub(crate) struct YarnLock;

/// One entry being read.
struct Entry {
    name: String,
    /// Its descriptors' ranges without berry's `npm:` protocol (`^4.1.0`).
    ranges: Vec<String>,
    own: bool,
    package: Option<Package>,
    /// `(name, range)` of each dependency, as written.
    dependencies: Vec<(String, String)>,
}

impl Reader for YarnLock {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "yarn.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut entries: Vec<Entry> = Vec::new();
        let mut in_dependencies = false;
        let mut skipping = false;
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if indent == 0 {
                in_dependencies = false;
                let key = trimmed.trim_end_matches(':');
                skipping = key == "__metadata";
                if skipping {
                    continue;
                }
                match entry(key) {
                    Some(entry) => entries.push(entry),
                    None => {
                        skipping = true;
                        parsed
                            .warnings
                            .push(format!("line {}: unexpected entry {key:?}", number + 1));
                    }
                }
                continue;
            }
            let Some(entry) = entries.last_mut().filter(|_| !skipping) else {
                continue;
            };
            if indent == 2 {
                in_dependencies = trimmed.starts_with("dependencies:")
                    || trimmed.starts_with("optionalDependencies:");
                let (key, value) = split_field(trimmed);
                match key {
                    "version" if !entry.own => {
                        entry.package = Some(Package::new("npm", &entry.name, value));
                    }
                    "integrity" => {
                        if let Some(p) = entry.package.as_mut() {
                            p.hashes.extend(sri_hash(value));
                        }
                    }
                    "checksum" => {
                        if let Some(p) = entry.package.as_mut() {
                            let sum = value.rsplit('/').next().unwrap_or(value);
                            p.hashes.push(("SHA-512".into(), sum.to_string()));
                        }
                    }
                    _ => {}
                }
            } else if indent >= 4 && in_dependencies {
                let (dep, range) = split_field(trimmed);
                entry
                    .dependencies
                    .push((dep.to_string(), range.to_string()));
            }
        }
        if entries.is_empty() && !text.trim().is_empty() && !text.contains("__metadata") {
            return Err("no yarn.lock entries found".into());
        }
        // What the workspaces ask for, as (name, range).
        let wanted: BTreeSet<(&str, &str)> = entries
            .iter()
            .filter(|e| e.own)
            .flat_map(|e| e.dependencies.iter())
            .map(|(name, range)| (name.as_str(), strip_npm(range)))
            .collect();
        let has_workspaces = entries.iter().any(|e| e.own);
        let mut seen = BTreeSet::new();
        for entry in &entries {
            let Some(package) = &entry.package else {
                continue;
            };
            if !seen.insert(package.purl.clone()) {
                continue;
            }
            let mut package = package.clone();
            package.dependencies = entry.dependencies.iter().map(|(n, _)| n.clone()).collect();
            if has_workspaces {
                package.direct = Some(
                    entry
                        .ranges
                        .iter()
                        .any(|r| wanted.contains(&(entry.name.as_str(), r.as_str()))),
                );
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

/// An entry from its key: `"@babel/core@^7.0.0", "@babel/core@^7.1.0"` (classic) or
/// `"lodash@npm:^4.17.21, lodash@npm:^4.17.5"` (berry). `None` when the key names no package.
fn entry(key: &str) -> Option<Entry> {
    let mut name = None;
    let mut ranges = Vec::new();
    let mut own = false;
    for descriptor in key.split(", ") {
        let descriptor = descriptor.trim_matches('"');
        // The name's own `@` (a scope) is its first character; the range follows the next.
        let at = descriptor.get(1..)?.find('@')? + 1;
        let (n, range) = (descriptor.get(..at)?, descriptor.get(at + 1..)?);
        own |= ["workspace:", "link:", "portal:"]
            .iter()
            .any(|p| range.contains(p));
        name.get_or_insert_with(|| n.to_string());
        ranges.push(strip_npm(range).to_string());
    }
    Some(Entry {
        name: name?,
        ranges,
        own,
        package: None,
        dependencies: Vec::new(),
    })
}

fn strip_npm(range: &str) -> &str {
    range.strip_prefix("npm:").unwrap_or(range)
}

/// `key value`, `key: value`, `"key" "value"` → (key, value) without quotes.
fn split_field(line: &str) -> (&str, &str) {
    let (key, value) = match line.split_once(": ") {
        Some(kv) => kv,
        None => line
            .split_once(' ')
            .unwrap_or((line.trim_end_matches(':'), "")),
    };
    (key.trim_matches('"'), value.trim().trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use crate::Reader;

    #[test]
    fn classic_and_berry() {
        let classic = "# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"https://x\"\n  integrity sha1-AAEC\n  dependencies:\n    \"@babel/highlight\" \"^7.12.13\"\n\nleft-pad@1.0.0:\n  version \"1.0.0\"\n";
        let parsed = super::YarnLock.parse(classic).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "@babel/code-frame");
        assert_eq!(parsed.packages[0].version, "7.12.13");
        assert_eq!(parsed.packages[0].dependencies, ["@babel/highlight"]);
        assert_eq!(parsed.packages[0].direct, None);
        let berry = "__metadata:\n  version: 6\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  dependencies:\n    lodash: ^4.17.21\n\n\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n  checksum: abc\n\n\"lodash@npm:^3.0.0\":\n  version: 3.10.1\n";
        let parsed = super::YarnLock.parse(berry).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].purl, "pkg:npm/lodash@4.17.21");
        assert_eq!(parsed.packages[0].direct, Some(true));
        assert_eq!(parsed.packages[1].direct, Some(false));
    }

    #[test]
    fn odd_keys_are_warnings_not_panics() {
        let parsed = super::YarnLock
            .parse("\"\":\n  version \"1\"\né:\n  version \"2\"\nx@1:\n  version \"1.0.0\"\n")
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
    }
}
