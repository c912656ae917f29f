//! pip requirements files (`requirements*.txt`,
//! <https://pip.pypa.io/en/stable/reference/requirements-file-format/>): only exactly pinned
//! lines (`name==version`, `===`) name a version; `--hash=` options are kept; other lines
//! (ranges, URLs, options) are skipped, ranges with a warning. `-r FILE` / `--requirement
//! FILE` includes are listed by `includes` and read by `read` (constraint files, `-c`, only
//! limit versions and are not read).

use crate::{Package, Parsed, Reader};

pub(crate) struct Requirements;

impl Reader for Requirements {
    fn id(&self) -> &'static str {
        "requirements-txt"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name.starts_with("requirements") && file_name.ends_with(".txt")
    }

    fn includes(&self, text: &str) -> Vec<String> {
        text.replace("\\\n", " ")
            .lines()
            .filter_map(|line| {
                let line = line.split(" #").next().unwrap_or(line).trim();
                let rest = ["-r", "--requirement"]
                    .iter()
                    .find_map(|flag| line.strip_prefix(flag))?;
                let target = rest.trim_start_matches('=').trim();
                // `-rfoo.txt` is valid pip; `--requirementfoo` is not an option of this kind.
                let spaced = rest.starts_with([' ', '\t', '=']) || line.starts_with("-r");
                (spaced && !target.is_empty() && !target.contains("://"))
                    .then(|| target.to_string())
            })
            .collect()
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let joined = text.replace("\\\n", " ");
        for (number, raw) in joined.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or(raw).trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let spec = parts.next().unwrap_or("");
            let spec = spec.split(';').next().unwrap_or(spec);
            let Some((name, version)) = spec.split_once("===").or_else(|| spec.split_once("=="))
            else {
                if spec.contains(['<', '>', '~', '!', '=']) {
                    parsed.warnings.push(format!(
                        "line {}: {spec} is not pinned to one version, skipped",
                        number + 1
                    ));
                }
                continue;
            };
            let name = name.split('[').next().unwrap_or(name).trim();
            let version = version.split(',').next().unwrap_or(version).trim();
            if name.is_empty() || version.is_empty() || version.contains('*') {
                continue;
            }
            let mut package = Package::new("PyPI", name, version);
            package.direct = Some(true);
            for option in parts {
                if let Some(hash) = option.strip_prefix("--hash=sha256:") {
                    package.hashes.push(("SHA-256".into(), hash.to_string()));
                }
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use crate::Reader;

    #[test]
    fn pinned_lines() {
        let text = "# c\nrequests[socks]==2.31.0 ; python_version > '3'  \\\n    --hash=sha256:ab\nflask>=2\n-r other.txt\nDjango===4.2 # pinned\n";
        let parsed = super::Requirements.parse(text).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "requests");
        assert_eq!(parsed.packages[0].hashes.len(), 1);
        assert_eq!(parsed.packages[1].version, "4.2");
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(
            super::Requirements.includes("-r base.txt\n--requirement=dev.txt # x\n-c c.txt\n-rnext.txt\n-r https://x/r.txt\n"),
            ["base.txt", "dev.txt", "next.txt"]
        );
    }
}
