//! Sonatype Nancy JSON (`nancy sleuth --output json`): Go module coordinates as package URLs,
//! each with the OSS Index vulnerabilities that affect it, split into `vulnerable` and
//! `excluded` (suppressed in Nancy's `.nancy-ignore`). <https://github.com/sonatype-nexus-community/nancy>
//!
//! One finding per vulnerability of a package. Nancy gives no severity word, so the severity is
//! the CVSS base score's rating. Excluded vulnerabilities are kept with status `accepted`.

use serde::Deserialize;
use ward_core::{Category, Cvss, Finding, PackageLocation, Severity, Status};

use super::sca_common::{parse_purl, Scalar};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Sonatype Nancy.
pub(crate) struct Nancy;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    vulnerable: Option<Vec<Coordinate>>,
    #[serde(default)]
    excluded: Option<Vec<Coordinate>>,
    num_audited: Option<u64>,
}

#[derive(Deserialize)]
struct Coordinate {
    #[serde(rename = "Coordinates")]
    coordinates: Option<String>,
    #[serde(rename = "Reference")]
    reference: Option<String>,
    #[serde(rename = "Vulnerabilities", default)]
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Vulnerability {
    /// `ID` in current Nancy, `Id` in older releases.
    #[serde(rename = "ID", alias = "Id", default)]
    id: Scalar,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "CvssScore", default)]
    cvss_score: Scalar,
    #[serde(rename = "CvssVector")]
    cvss_vector: Option<String>,
    #[serde(rename = "Cve")]
    cve: Option<String>,
    #[serde(rename = "Reference")]
    reference: Option<String>,
    #[serde(rename = "Excluded", default)]
    excluded: bool,
}

impl Parser for Nancy {
    fn id(&self) -> &'static str {
        "nancy"
    }

    fn name(&self) -> &'static str {
        "Sonatype Nancy"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Nancy Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.json().is_some_and(|v| {
            crate::util::has_keys(
                v,
                &["audited", "vulnerable", "num_audited", "num_vulnerable"],
            )
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        if report.num_audited.is_none() && report.vulnerable.is_none() {
            return Err(Error::WrongFormat {
                format: "nancy",
                reason: "neither `num_audited` nor `vulnerable`".into(),
            });
        }
        let mut parsed = Parsed {
            tool: Some("Nancy".into()),
            ..Parsed::default()
        };
        let lists = [
            (report.vulnerable.unwrap_or_default(), false),
            (report.excluded.unwrap_or_default(), true),
        ];
        for (list, excluded) in lists {
            for (index, coordinate) in list.iter().enumerate() {
                let Some(purl) = non_empty(coordinate.coordinates.as_deref()) else {
                    parsed.warnings.push(format!(
                        "{}[{index}]: no Coordinates; skipped",
                        if excluded { "excluded" } else { "vulnerable" }
                    ));
                    continue;
                };
                for vulnerability in coordinate.vulnerabilities.iter().flatten() {
                    let mut f = finding(&purl, coordinate, vulnerability);
                    if excluded || vulnerability.excluded {
                        f.status = Status::Accepted;
                    }
                    parsed.findings.push(f);
                }
            }
        }
        Ok(parsed)
    }
}

fn finding(purl: &str, coordinate: &Coordinate, v: &Vulnerability) -> Finding {
    let parts = parse_purl(purl);
    let id = v.id.0.clone();
    let title = non_empty(v.title.as_deref())
        .or_else(|| id.clone())
        .unwrap_or_else(|| format!("Vulnerability in {purl}"));
    let mut f = Finding::new("Nancy", Category::Dependency, title.clone());
    f.rule_id = id.clone();
    if let Some(cve) = v.cve.as_deref() {
        f.add_id(cve);
    }
    // Current OSS Index ids are CVEs or sonatype-… ids; older ones are bare UUIDs, which only
    // name the OSS Index entry.
    if let Some(id) = id.as_deref().filter(|i| !is_uuid(i)) {
        f.add_id(id);
    }
    // The title reads `[CVE-…] CWE-770: Allocation of …` (or `CWE-noinfo`).
    if let Some(at) = title.find("CWE-") {
        let digits: String = title[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        f.add_cwe(&digits);
    }
    let score = v.cvss_score.number();
    if let Some(score) = score {
        f.severity = Severity::from_cvss_score(score);
    }
    let rating = v
        .cvss_vector
        .as_deref()
        .and_then(|vector| Cvss::from_vector(vector, score))
        .or_else(|| {
            score
                .filter(|s| *s > 0.0)
                .and_then(|s| Cvss::from_score(ward_core::CvssVersion::V3_1, s))
        });
    f.cvss.extend(rating);
    f.description = non_empty(v.description.as_deref());
    f.location.package = Some(match parts {
        Some(p) => PackageLocation {
            name: p.name,
            version: p.version,
            ecosystem: Some(p.kind),
            purl: Some(purl.to_string()),
            fixed_version: None,
        },
        None => PackageLocation {
            name: purl.to_string(),
            ..PackageLocation::default()
        },
    });
    for url in [v.reference.as_deref(), coordinate.reference.as_deref()]
        .into_iter()
        .flatten()
    {
        f.add_reference(&without_tracking(url));
    }
    f
}

/// The URL without the `utm_…` parameters Nancy appends to OSS Index links.
fn without_tracking(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("utm_"))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Nancy.detect(&input));
        Nancy.parse(&input).unwrap()
    }

    #[test]
    fn vulnerabilities_per_package() {
        let parsed = check(
            r#"{"audited":[],"excluded":[{"Coordinates":"pkg:golang/golang.org/x/net@v0.1.0","Vulnerabilities":[{"ID":"CVE-2023-1","Title":"[CVE-2023-1] CWE-400","CvssScore":"5.0","Excluded":true}]}],
            "exclusions":0,"invalid":[],"num_audited":2,"num_vulnerable":1,"version":"1.0.42",
            "vulnerable":[{"Coordinates":"pkg:golang/golang.org/x/crypto@v0.0.0-2019","Reference":"https://ossindex.sonatype.org/component/x",
            "Vulnerabilities":[{"ID":"CVE-2024-45337","Title":"[CVE-2024-45337] CWE-863: Incorrect Authorization","Description":"d","CvssScore":"9.1",
            "CvssVector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N","Cve":"CVE-2024-45337","Reference":"https://ossindex.sonatype.org/vulnerability/CVE-2024-45337","Excluded":false}]}]}"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "[CVE-2024-45337] CWE-863: Incorrect Authorization");
        assert_eq!((f.severity, f.cwe()), (Severity::Critical, Some(863)));
        let p = f.location.package.as_ref().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("golang.org/x/crypto", Some("v0.0.0-2019"))
        );
        assert_eq!(p.ecosystem.as_deref(), Some("golang"));
        assert_eq!(f.cvss[0].score, Some(9.1));
        assert_eq!(parsed.findings[1].status, Status::Accepted);
        assert_eq!(
            without_tracking(
                "https://o.example/v/CVE-1?component-type=golang&utm_source=nancy-client"
            ),
            "https://o.example/v/CVE-1?component-type=golang"
        );
    }

    #[test]
    fn legacy_uuid_ids_are_not_advisory_ids() {
        let parsed = check(
            r#"{"audited":[],"num_audited":1,"num_vulnerable":1,"vulnerable":[{"Coordinates":"pkg:golang/github.com/bitly/oauth2_proxy@0.1",
            "Vulnerabilities":[{"Id":"9eb9a5bc-8310-4104-bf85-3a820d28ba79","Title":"[CVE-2017-1000070] Open Redirect","CvssScore":"6.1","Cve":"CVE-2017-1000070"}]}]}"#,
        );
        let f = &parsed.findings[0];
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(ids, ["CVE-2017-1000070"]);
        assert_eq!(
            f.rule_id.as_deref(),
            Some("9eb9a5bc-8310-4104-bf85-3a820d28ba79")
        );
    }
}
