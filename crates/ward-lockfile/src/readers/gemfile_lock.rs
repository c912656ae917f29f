//! Bundler's `Gemfile.lock` (<https://bundler.io/guides/gemfile_lock.html>): `GEM` sections
//! whose `specs:` list `name (version)` at four spaces and their dependencies at six, and a
//! `DEPENDENCIES` section naming the direct ones. Gems of a `PATH` section (the project's own
//! gemspec, `remote: .`) are the file's roots; `GIT` gems are left out.

use crate::{Package, Parsed, Reader};

pub(crate) struct GemfileLock;

impl Reader for GemfileLock {
    fn id(&self) -> &'static str {
        "gemfile-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "Gemfile.lock" || file_name == "gems.locked"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut section = "";
        let mut direct = Vec::new();
        let mut saw_section = false;
        for line in text.lines() {
            if !line.starts_with(' ') && !line.trim().is_empty() {
                section = line.trim();
                saw_section = true;
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            let name = trimmed.split([' ', '!']).next().unwrap_or("");
            match section {
                "GEM" if indent == 4 => {
                    let Some(version) = trimmed
                        .split_once(" (")
                        .map(|(_, v)| v.trim_end_matches(')'))
                    else {
                        continue;
                    };
                    // `nokogiri (1.15.0-x86_64-linux)`: the platform is not part of the version.
                    let version = version.split('-').next().unwrap_or(version);
                    if !parsed
                        .packages
                        .iter()
                        .any(|p: &Package| p.name == name && p.version == version)
                    {
                        parsed
                            .packages
                            .push(Package::new("RubyGems", name, version));
                    }
                }
                "PATH" if indent == 4 => {
                    if let Some((_, version)) = trimmed.split_once(" (") {
                        let version = version.trim_end_matches(')');
                        parsed.roots.push(Package::new("RubyGems", name, version));
                    }
                }
                "PATH" if indent == 6 => {
                    if let Some(root) = parsed.roots.last_mut() {
                        root.dependencies.push(name.to_string());
                    }
                }
                "GEM" if indent == 6 => {
                    if let Some(p) = parsed.packages.last_mut() {
                        if !p.dependencies.iter().any(|d| d == name) {
                            p.dependencies.push(name.to_string());
                        }
                    }
                }
                "DEPENDENCIES" if indent == 2 => direct.push(name.to_string()),
                _ => {}
            }
        }
        if !saw_section {
            return Err("no GEM or DEPENDENCIES section".into());
        }
        for package in &mut parsed.packages {
            package.direct = Some(direct.contains(&package.name));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use crate::Reader;

    #[test]
    fn specs_and_direct() {
        let text = "PATH\n  remote: .\n  specs:\n    app (0.1.0)\n      rails (~> 7)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n    rails (7.0.0)\n      rack (>= 2)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  app!\n  rails!\n";
        let parsed = super::GemfileLock.parse(text).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].direct, Some(false));
        assert_eq!(parsed.packages[1].direct, Some(true));
        assert_eq!(parsed.packages[1].dependencies, ["rack"]);
        assert_eq!(parsed.roots[0].purl, "pkg:gem/app@0.1.0");
        assert_eq!(parsed.roots[0].dependencies, ["rails"]);
    }
}
