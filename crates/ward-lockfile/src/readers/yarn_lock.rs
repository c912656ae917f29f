//! `yarn.lock`, classic (v1, its own indented format) and berry (v2+, YAML with
//! `__metadata`): entries keyed by one or more `name@range` descriptors, each with a
//! `version`, `dependencies`, and `integrity` (classic) or `checksum` (berry). Both shapes are
//! read by one line-oriented pass; `workspace:`/`link:` entries are the project's own.

use super::sri_hash;
use crate::{Package, Parsed, Reader};

pub(crate) struct YarnLock;

impl Reader for YarnLock {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "yarn.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut current: Option<(String, bool)> = None; // (name, is project's own)
        let mut package: Option<Package> = None;
        let mut in_dependencies = false;
        let mut seen_entry = false;
        let finish = |package: &mut Option<Package>, parsed: &mut Parsed| {
            if let Some(p) = package.take() {
                if !parsed.packages.iter().any(|q| q.purl == p.purl) {
                    parsed.packages.push(p);
                }
            }
        };
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if indent == 0 {
                finish(&mut package, &mut parsed);
                in_dependencies = false;
                let key = trimmed.trim_end_matches(':');
                if key == "__metadata" {
                    current = None;
                    continue;
                }
                let first = key.split(", ").next().unwrap_or(key).trim_matches('"');
                let at = first[1..].find('@').map(|i| i + 1);
                let Some(at) = at else {
                    parsed
                        .warnings
                        .push(format!("line {}: unexpected entry {first:?}", number + 1));
                    current = None;
                    continue;
                };
                let (name, range) = first.split_at(at);
                let own = range.contains("workspace:")
                    || range.contains("link:")
                    || range.contains("portal:");
                current = Some((name.to_string(), own));
                seen_entry = true;
                continue;
            }
            let Some((name, own)) = &current else {
                continue;
            };
            if indent == 2 {
                in_dependencies = trimmed.starts_with("dependencies:")
                    || trimmed.starts_with("optionalDependencies:");
                let (key, value) = split_field(trimmed);
                match key {
                    "version" if !own => package = Some(Package::new("npm", name, value)),
                    "integrity" => {
                        if let Some(p) = package.as_mut() {
                            p.hashes.extend(sri_hash(value));
                        }
                    }
                    "checksum" => {
                        if let Some(p) = package.as_mut() {
                            let sum = value.rsplit('/').next().unwrap_or(value);
                            p.hashes.push(("SHA-512".into(), sum.to_string()));
                        }
                    }
                    _ => {}
                }
            } else if indent >= 4 && in_dependencies {
                if let Some(p) = package.as_mut() {
                    let (dep, _) = split_field(trimmed);
                    p.dependencies.push(dep.to_string());
                }
            }
        }
        finish(&mut package, &mut parsed);
        if !seen_entry && !text.trim().is_empty() && !text.contains("__metadata") {
            return Err("no yarn.lock entries found".into());
        }
        Ok(parsed)
    }
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
        let berry = "__metadata:\n  version: 6\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n  checksum: abc\n";
        let parsed = super::YarnLock.parse(berry).unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.packages[0].purl, "pkg:npm/lodash@4.17.21");
    }
}
