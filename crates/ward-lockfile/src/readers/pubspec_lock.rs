//! Dart/Flutter's `pubspec.lock` (<https://dart.dev/tools/pub/glossary#lockfile>): YAML
//! written by pub in a fixed shape, read line by line: `packages:` then one two-space
//! indented name per package with `dependency:` (`direct main`, `direct dev`,
//! `direct overridden`, `transitive`), `source:` (`hosted`, `git`, `path`, `sdk`) and
//! `version:`. SDK packages (flutter, flutter_test, …) ship with the SDK, not from pub.dev,
//! and are left out; so are local `path` packages.

use crate::{Package, Parsed, Reader};

pub(crate) struct PubspecLock;

#[derive(Default)]
struct Entry {
    name: String,
    dependency: Option<String>,
    source: Option<String>,
    version: Option<String>,
    sha256: Option<String>,
}

impl Reader for PubspecLock {
    fn id(&self) -> &'static str {
        "pubspec-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "pubspec.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut in_packages = false;
        let mut saw_packages = false;
        for line in text.lines() {
            let trimmed = line.trim_end();
            if trimmed.trim_start().starts_with('#') || trimmed.trim().is_empty() {
                continue;
            }
            let indent = trimmed.len() - trimmed.trim_start().len();
            if indent == 0 {
                in_packages = trimmed == "packages:";
                saw_packages |= in_packages;
                continue;
            }
            if !in_packages {
                continue;
            }
            let (key, value) = trimmed
                .trim_start()
                .split_once(':')
                .map(|(k, v)| (k.trim(), unquote(v.trim())))
                .unwrap_or((trimmed.trim(), ""));
            match indent {
                2 => entries.push(Entry {
                    name: unquote(key).to_string(),
                    ..Entry::default()
                }),
                4 => {
                    if let Some(entry) = entries.last_mut() {
                        match key {
                            "dependency" => entry.dependency = Some(value.to_string()),
                            "source" => entry.source = Some(value.to_string()),
                            "version" => entry.version = Some(value.to_string()),
                            _ => {}
                        }
                    }
                }
                _ => {
                    if key == "sha256" {
                        if let Some(entry) = entries.last_mut() {
                            entry.sha256 = Some(value.to_ascii_lowercase());
                        }
                    }
                }
            }
        }
        if !saw_packages {
            return Err("no `packages:` section".into());
        }
        let mut parsed = Parsed::default();
        for entry in entries {
            if matches!(entry.source.as_deref(), Some("sdk" | "path")) {
                continue;
            }
            let Some(version) = &entry.version else {
                parsed
                    .warnings
                    .push(format!("{}: no version, skipped", entry.name));
                continue;
            };
            let mut package = Package::new("Pub", &entry.name, version);
            package.direct = entry.dependency.as_deref().map(|d| d.starts_with("direct"));
            if let Some(sha) = entry.sha256.filter(|s| s.len() == 64) {
                package.hashes.push(("SHA-256".into(), sha));
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

fn unquote(text: &str) -> &str {
    text.trim_matches('"').trim_matches('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages() {
        let parsed = PubspecLock
            .parse(
                "packages:\n  http:\n    dependency: \"direct main\"\n    description:\n      \
                 name: http\n      sha256: \"AB\"\n    source: hosted\n    version: \"1.2.0\"\n  \
                 flutter:\n    dependency: \"direct main\"\n    description: flutter\n    \
                 source: sdk\n    version: \"0.0.0\"\nsdks:\n  dart: \">=3.0.0\"\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.packages[0].purl, "pkg:pub/http@1.2.0");
        assert_eq!(parsed.packages[0].direct, Some(true));
        assert!(PubspecLock.parse("sdks:\n  dart: x\n").is_err());
    }
}
