//! `go.sum` (<https://go.dev/ref/mod#go-sum-files>): one line per module version and file,
//! `MODULE VERSION[/go.mod] h1:HASH`. A module version with a line for its content (not only
//! its `go.mod`) was downloaded for the build and is listed; one seen only through its
//! `go.mod` was consulted during resolution but not used, and is left out. go.sum does not say
//! which modules are direct (go.mod does). The `h1:` hashes are Go's directory hashes, not
//! file digests, so they are not carried over.

use std::collections::BTreeSet;

use crate::{Package, Parsed, Reader};

pub(crate) struct GoSum;

impl Reader for GoSum {
    fn id(&self) -> &'static str {
        "go-sum"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "go.sum"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut seen = BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(module), Some(version), Some(hash)) =
                (parts.next(), parts.next(), parts.next())
            else {
                if parsed.packages.is_empty() && n == 0 {
                    return Err("line 1 is not `MODULE VERSION HASH`".into());
                }
                parsed.warnings.push(format!(
                    "line {}: not `MODULE VERSION HASH`, skipped",
                    n + 1
                ));
                continue;
            };
            if !hash.contains(':') {
                return Err(format!("line {}: `{hash}` is not a go.sum hash", n + 1));
            }
            if version.ends_with("/go.mod") {
                continue;
            }
            if seen.insert((module, version)) {
                parsed.packages.push(Package::new("Go", module, version));
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lines_only() {
        let parsed = GoSum
            .parse(
                "golang.org/x/net v0.1.0 h1:abc=\n\
                 golang.org/x/net v0.1.0/go.mod h1:def=\n\
                 golang.org/x/sys v0.2.0/go.mod h1:ghi=\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(
            parsed.packages[0].purl,
            "pkg:golang/golang.org/x/net@v0.1.0"
        );
        assert!(GoSum.parse("{\"not\": \"go.sum\"}").is_err());
    }
}
