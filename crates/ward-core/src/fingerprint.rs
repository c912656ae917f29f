//! Stable fingerprints for deduplication.
//!
//! A fingerprint names *the issue*, not the report line: the same issue reported by two tools,
//! or by the same tool after code moved, gets the same fingerprint. It is the first 128 bits of
//! a SHA-256 over a per-kind basis, hex-encoded:
//!
//! | kind | basis |
//! |---|---|
//! | package (dependency, container, licence findings with a package) | primary vulnerability id (CVE, else GHSA, else other advisory id, else rule), package name lower-cased, version |
//! | secret (category secret, or a found secret, in a file) | image name, file path, commit (a `commit:` tag, for git history), *rank* |
//! | web (a URL) | rule (else title), method, URL without query or fragment, parameter |
//! | cloud (a resource; not IaC with a file, which counts as code) | rule (else title), resource id |
//! | code (SAST, IaC, quality: a file) | category, rule (else title), file path, *rank* |
//! | anything else | category, rule (else title), image name, *rank* |
//!
//! The *rank* is the position of the finding among those with the same basis, ordered by line
//! and column. Line numbers themselves are left out, so inserting lines above a finding does
//! not change it; two hits of one rule in one file stay apart. Paths are compared with `/`
//! separators and without a leading `./` or `file://`.
//!
//! A secret's fingerprint holds neither the secret nor its hash: scanners hash secrets with a
//! salt of their own (or none), and a fingerprint computed from the value would let anyone
//! holding a report test guesses of a weak password against it. Rule ids are left out too, since
//! each tool names its rules differently: the same secret in the same file, reported by ward and
//! by gitleaks, gets the same fingerprint.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::secret::hex;
use crate::{Category, Finding};

/// Assigns [`Finding::fingerprint`] to every finding of one report.
///
/// Works on the whole slice because the rank of a code finding depends on its neighbours.
pub fn assign(findings: &mut [Finding]) {
    let bases: Vec<Basis> = findings.iter().map(basis).collect();
    // Group the ranked ones by basis; BTreeMap keeps this deterministic.
    let mut groups: BTreeMap<&[String], Vec<usize>> = BTreeMap::new();
    for (index, basis) in bases.iter().enumerate() {
        if basis.ranked {
            groups
                .entry(basis.parts.as_slice())
                .or_default()
                .push(index);
        }
    }
    let mut ranks = vec![0usize; findings.len()];
    for members in groups.values_mut() {
        members.sort_by_key(|&i| (position(&findings[i]), i));
        for (rank, &i) in members.iter().enumerate() {
            ranks[i] = rank;
        }
    }
    for (index, finding) in findings.iter_mut().enumerate() {
        finding.fingerprint = digest(&bases[index], ranks[index]);
    }
}

/// The fingerprint of a finding on its own (rank 0), for callers that hold a single finding.
pub fn of(finding: &Finding) -> String {
    digest(&basis(finding), 0)
}

struct Basis {
    parts: Vec<String>,
    ranked: bool,
}

fn basis(f: &Finding) -> Basis {
    let rule = || {
        f.rule_id
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| f.title.trim().to_lowercase())
    };
    let loc = &f.location;
    if let (Some(package), true) = (
        &loc.package,
        matches!(
            f.category,
            Category::Dependency | Category::Container | Category::License
        ),
    ) {
        let id = f
            .primary_vulnerability_id()
            .map(str::to_string)
            .unwrap_or_else(rule);
        return Basis {
            parts: vec![
                "pkg".into(),
                id,
                package.name.trim().to_lowercase(),
                package.version.clone().unwrap_or_default(),
            ],
            ranked: false,
        };
    }
    if let Some(file) = loc
        .file
        .as_ref()
        .filter(|_| f.secret.is_some() || f.category == Category::Secret)
    {
        let commit = f
            .tags
            .iter()
            .find_map(|t| t.strip_prefix("commit:"))
            .unwrap_or_default();
        return Basis {
            parts: vec![
                "secret".into(),
                image_name(f),
                normalize_path(&file.path),
                commit.trim().to_ascii_lowercase(),
            ],
            ranked: true,
        };
    }
    if let Some(web) = &loc.web {
        return Basis {
            parts: vec![
                "web".into(),
                rule(),
                web.method.as_deref().unwrap_or("").to_ascii_uppercase(),
                normalize_url(&web.url),
                web.parameter.clone().unwrap_or_default(),
            ],
            ranked: false,
        };
    }
    // An IaC finding names the resource as declared in a file (a logical id, a Terraform
    // address), unique only within its file: it is fingerprinted as code, by file.
    let declared_in_file = f.category == Category::Iac && loc.file.is_some();
    if let (Some(cloud), false) = (&loc.cloud, declared_in_file) {
        return Basis {
            parts: vec!["cloud".into(), rule(), cloud.resource_id.clone()],
            ranked: false,
        };
    }
    if let Some(file) = &loc.file {
        return Basis {
            parts: vec![
                "code".into(),
                f.category.as_str().into(),
                rule(),
                normalize_path(&file.path),
            ],
            ranked: true,
        };
    }
    Basis {
        parts: vec![
            "other".into(),
            f.category.as_str().into(),
            rule(),
            image_name(f),
        ],
        ranked: true,
    }
}

fn image_name(f: &Finding) -> String {
    f.location
        .image
        .as_ref()
        .map(|i| i.name.clone())
        .unwrap_or_default()
}

fn position(f: &Finding) -> (u32, u32) {
    f.location
        .file
        .as_ref()
        .map(|l| (l.start_line.unwrap_or(0), l.start_column.unwrap_or(0)))
        .unwrap_or((0, 0))
}

fn digest(basis: &Basis, rank: usize) -> String {
    let mut hasher = Sha256::new();
    for part in &basis.parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    if basis.ranked {
        hasher.update(rank.to_string().as_bytes());
    }
    hex(&hasher.finalize()[..16])
}

/// `/` separators, no `file://`, no leading `./`.
pub fn normalize_path(path: &str) -> String {
    let path = path.trim();
    let path = path.strip_prefix("file://").unwrap_or(path);
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    path
}

fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split(['#', '?']).next().unwrap_or(url);
    let url = url.trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            format!(
                "{}://{}{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase(),
                path
            )
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileLocation, Location, PackageLocation, Secret, WebLocation};

    fn sast(tool: &str, rule: &str, path: &str, line: u32) -> Finding {
        let mut f = Finding::new(tool, Category::Sast, format!("{tool} says {rule}"));
        f.rule_id = Some(rule.into());
        f.location = Location::file(path, Some(line));
        f
    }

    fn dep(tool: &str, ids: &[&str], name: &str, version: &str) -> Finding {
        let mut f = Finding::new(tool, Category::Dependency, "whatever");
        for id in ids {
            f.add_id(id);
        }
        f.location.package = Some(PackageLocation {
            name: name.into(),
            version: Some(version.into()),
            ..PackageLocation::default()
        });
        f
    }

    fn fingerprints(mut findings: Vec<Finding>) -> Vec<String> {
        assign(&mut findings);
        findings.into_iter().map(|f| f.fingerprint).collect()
    }

    #[test]
    fn same_cve_same_package_across_tools() {
        let fps = fingerprints(vec![
            dep("Trivy", &["CVE-2021-23337"], "lodash", "4.17.15"),
            dep(
                "Grype",
                &["GHSA-35jh-r3h4-6jhm", "CVE-2021-23337"],
                "Lodash",
                "4.17.15",
            ),
            dep("Grype", &["CVE-2021-23337"], "lodash", "4.17.21"),
        ]);
        assert_eq!(fps[0], fps[1]);
        assert_ne!(fps[0], fps[2]);
        assert_eq!(fps[0].len(), 32);
    }

    #[test]
    fn sast_survives_moved_lines_but_keeps_hits_apart() {
        let before = fingerprints(vec![
            sast("Semgrep", "py.sqli", "app/db.py", 10),
            sast("Semgrep", "py.sqli", "app/db.py", 40),
        ]);
        let after = fingerprints(vec![
            sast("semgrep (SARIF)", "py.sqli", "./app/db.py", 47),
            sast("semgrep (SARIF)", "py.sqli", "app\\db.py", 13),
        ]);
        assert_ne!(before[0], before[1]);
        assert_eq!(before[0], after[1]);
        assert_eq!(before[1], after[0]);
    }

    fn secret(tool: &str, rule: &str, path: &str, line: u32, clear: &str) -> Finding {
        let mut f = Finding::new(tool, Category::Secret, rule);
        f.rule_id = Some(rule.into());
        f.location = Location::file(path, Some(line));
        f.secret = Some(Secret::from_clear(clear));
        f
    }

    #[test]
    fn secrets_match_on_path_and_rank_across_tools() {
        let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        let a = secret("Gitleaks", "github-pat", "src/x.py", 3, token);
        let b = secret("TruffleHog", "Github", "./src/x.py", 9, token);
        assert_eq!(
            of(&a),
            of(&b),
            "rule names and lines differ, the place does not"
        );
        let other_file = secret("Gitleaks", "github-pat", "src/y.py", 3, token);
        assert_ne!(of(&a), of(&other_file));
    }

    #[test]
    fn secret_fingerprints_hold_no_trace_of_the_value() {
        // The same place with another value, or with the value hashed under another salt,
        // keeps its fingerprint: the fingerprint cannot be used to test guesses.
        let a = secret(
            "ward",
            "generic-password",
            "app/db.yml",
            4,
            "hunter2hunter2",
        );
        let b = secret("ward", "generic-password", "app/db.yml", 4, "correct-horse");
        assert_eq!(of(&a), of(&b));
        let fps = fingerprints(vec![
            secret(
                "ward",
                "aws-access-key-id",
                "app/db.yml",
                9,
                "AKIA0000000000000001",
            ),
            secret(
                "ward",
                "generic-password",
                "app/db.yml",
                4,
                "hunter2hunter2",
            ),
        ]);
        assert_ne!(fps[0], fps[1], "two secrets in one file stay apart");
    }

    #[test]
    fn history_secrets_are_told_apart_by_commit() {
        let mut first = secret("ward", "github-pat", "a.txt", 1, "x");
        first.tags.push("commit:AAAA".into());
        let mut second = first.clone();
        second.tags = vec!["commit:bbbb".into()];
        let mut again = first.clone();
        again.tags = vec!["commit:aaaa".into()];
        assert_ne!(of(&first), of(&second));
        assert_eq!(
            of(&first),
            of(&again),
            "commit ids compare case-insensitively"
        );
    }

    #[test]
    fn web_ignores_query_values_and_host_case() {
        let web = |url: &str| {
            let mut f = Finding::new("ZAP", Category::Dast, "XSS");
            f.rule_id = Some("40012".into());
            f.location.web = Some(WebLocation {
                url: url.into(),
                method: Some("get".into()),
                parameter: Some("q".into()),
            });
            of(&f)
        };
        assert_eq!(
            web("http://Example.com/search?q=1"),
            web("http://example.com/search?q=2#x")
        );
        assert_ne!(
            web("http://example.com/search"),
            web("http://example.com/other")
        );
    }

    #[test]
    fn iac_findings_with_a_file_are_fingerprinted_by_file() {
        let declared = |path: &str| {
            let mut f = sast("ward", "aws-s3-public-read-acl", path, 3);
            f.category = Category::Iac;
            f.location.cloud = Some(crate::CloudLocation {
                resource_id: "DataBucket".into(),
                ..crate::CloudLocation::default()
            });
            of(&f)
        };
        assert_ne!(declared("a/template.yaml"), declared("b/template.yaml"));
    }

    #[test]
    fn category_separates_code_findings() {
        let mut iac = sast("Checkov", "CKV_1", "main.tf", 1);
        iac.category = Category::Iac;
        let code = sast("Checkov", "CKV_1", "main.tf", 1);
        assert_ne!(of(&iac), of(&code));
        let mut no_line = code.clone();
        no_line.location.file = Some(FileLocation::new("main.tf", None));
        assert_eq!(of(&no_line), of(&code));
    }
}
