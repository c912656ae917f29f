//! Gradle dependency locking's `gradle.lockfile`
//! (<https://docs.gradle.org/current/userguide/dependency_locking.html>): one line per
//! resolved module, `GROUP:ARTIFACT:VERSION=CONFIGURATION,…`; `#` comments and the
//! `empty=…` line listing configurations with no dependencies. Direct and transitive modules
//! are not told apart.

use crate::{Package, Parsed, Reader};

pub(crate) struct GradleLockfile;

impl Reader for GradleLockfile {
    fn id(&self) -> &'static str {
        "gradle-lockfile"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "gradle.lockfile" || file_name.ends_with(".gradle.lockfile")
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
                continue;
            }
            let coordinates = line.split_once('=').map_or(line, |(c, _)| c);
            let mut parts = coordinates.split(':');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(group), Some(artifact), Some(version), None)
                    if !group.is_empty() && !artifact.is_empty() && !version.is_empty() =>
                {
                    parsed.packages.push(Package::new(
                        "Maven",
                        &format!("{group}:{artifact}"),
                        version,
                    ));
                }
                _ => parsed.warnings.push(format!(
                    "line {}: not `GROUP:ARTIFACT:VERSION=…`, skipped",
                    n + 1
                )),
            }
        }
        if parsed.packages.is_empty() && !parsed.warnings.is_empty() {
            return Err("no `GROUP:ARTIFACT:VERSION=…` line".into());
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let parsed = GradleLockfile
            .parse(
                "# comment\norg.slf4j:slf4j-api:2.0.9=compileClasspath\nempty=annotationProcessor\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.packages[0].name, "org.slf4j:slf4j-api");
        assert_eq!(
            parsed.packages[0].purl,
            "pkg:maven/org.slf4j/slf4j-api@2.0.9"
        );
        assert!(GradleLockfile.parse("<html>").is_err());
    }
}
