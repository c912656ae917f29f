//! Inputs shared by the exporter integration tests: every corpus report ward can import, and
//! synthetic reports covering every category and the awkward values.
#![allow(dead_code, clippy::print_stderr)]

use ward_core::{
    Category, CloudLocation, Confidence, Cvss, CvssVersion, Epss, FileLocation, Finding,
    ImageLocation, PackageLocation, Report, Secret, Severity, Source, Status, WebLocation,
};
use ward_test_support::Expected;

/// A named input report.
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) report: Report,
}

/// The clear value behind the synthetic secret; it must appear in no output.
pub(crate) const CLEAR_SECRET: &str = "ghp_R3alLookingTokenValue0123456789abcd";

/// Every corpus file that imports (with the parser its DefectDojo scan type names, else by
/// detection), as a one-source report. Files that fail to import are skipped: the importers
/// are tested elsewhere.
pub(crate) fn corpus() -> Vec<Input> {
    let mut inputs = Vec::new();
    for entry in ward_test_support::manifest() {
        if entry.expected == Expected::Error {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        let format = entry
            .scan_type()
            .and_then(ward_formats::parser)
            .map(|p| p.id());
        let Ok(imported) = ward_formats::import(&bytes, format) else {
            continue;
        };
        let parsed = imported.parsed;
        let source = Source {
            tool: parsed
                .tool
                .clone()
                .unwrap_or_else(|| imported.parser.name().to_string()),
            format: imported.parser.id().to_string(),
            file: entry.name(),
            scan_time: parsed.scan_time.clone(),
        };
        inputs.push(Input {
            name: entry.name(),
            report: Report {
                findings: parsed.findings,
                sources: vec![source],
            },
        });
    }
    assert!(
        !inputs.is_empty(),
        "no corpus file imported; is tests/data/corpus there?"
    );
    inputs
}

/// Synthetic reports: one per category with every field set, one with awkward values, one
/// with everything together, and an empty one.
pub(crate) fn synthetic() -> Vec<Input> {
    let mut inputs: Vec<Input> = Category::ALL
        .iter()
        .map(|category| Input {
            name: format!("synthetic/{category}"),
            report: report(vec![rich(*category, 0), rich(*category, 1)]),
        })
        .collect();
    inputs.push(Input {
        name: "synthetic/awkward".into(),
        report: report(awkward()),
    });
    let mut everything: Vec<Finding> = Category::ALL.iter().map(|c| rich(*c, 2)).collect();
    everything.extend(awkward());
    inputs.push(Input {
        name: "synthetic/everything".into(),
        report: report(everything),
    });
    inputs.push(Input {
        name: "synthetic/empty".into(),
        report: Report::default(),
    });
    inputs
}

/// Corpus and synthetic inputs together.
pub(crate) fn all() -> Vec<Input> {
    let mut inputs = corpus();
    inputs.extend(synthetic());
    inputs
}

fn report(mut findings: Vec<Finding>) -> Report {
    ward_core::fingerprint::assign(&mut findings);
    let mut sources: Vec<Source> = Vec::new();
    for finding in &findings {
        if !sources.iter().any(|s| s.tool == finding.tool) {
            sources.push(Source {
                tool: finding.tool.clone(),
                format: "synthetic".into(),
                file: format!("{}.json", finding.tool),
                scan_time: Some("2024-05-01T12:00:00+02:00".into()),
            });
        }
    }
    Report { findings, sources }
}

/// A finding of the category with every field the category usually has.
pub(crate) fn rich(category: Category, n: u32) -> Finding {
    let severity = Severity::ALL[n as usize % Severity::ALL.len()];
    let tool = match category {
        Category::Sast => "Semgrep",
        Category::Dependency => "Trivy",
        Category::Secret => "Gitleaks",
        Category::Iac => "Checkov",
        Category::Container => "Grype",
        Category::Dast => "ZAP",
        Category::Cloud => "Prowler",
        Category::Quality => "SonarQube",
        Category::Performance => "Lighthouse",
        Category::License => "Scancode",
    };
    let mut f = Finding::new(tool, category, format!("{category} finding {n}"));
    f.severity = severity;
    f.tool_severity = Some(severity.as_str().to_uppercase());
    f.confidence = Some(Confidence::Medium);
    f.rule_id = Some(format!("{category}-rule-{n}"));
    f.add_cwe("79");
    f.add_id("A03:2021");
    f.description = Some(format!(
        "What {category} finding {n} is about.\nSecond line."
    ));
    f.remediation = Some("Fix it.".into());
    f.add_reference("https://example.com/advisory");
    f.scan_time = Some("2024-05-01T10:00:00Z".into());
    f.tags = vec!["tag-a".into()];
    f.occurrences = 1 + n;
    let file = FileLocation {
        path: format!("src/module_{n}.py"),
        start_line: Some(10 + n),
        end_line: Some(12 + n),
        start_column: Some(3),
        end_column: Some(9),
        snippet: Some("call(x)".into()),
    };
    match category {
        Category::Sast | Category::Iac | Category::Quality | Category::Performance => {
            f.location.file = Some(file);
        }
        Category::Secret => {
            let secret = Secret::from_clear(CLEAR_SECRET);
            let mut file = file;
            file.snippet = Some(format!("token = {}", secret.masked));
            f.location.file = Some(file);
            f.secret = Some(secret);
            f.verified = true;
        }
        Category::Dependency | Category::License | Category::Container => {
            f.add_id(&format!("CVE-2024-{}", 1000 + n));
            f.add_id("GHSA-aaaa-bbbb-cccc");
            f.rule_id = Some(format!("CVE-2024-{}", 1000 + n));
            f.cvss.push(
                Cvss::from_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Some(9.8))
                    .expect("vector"),
            );
            f.cvss
                .push(Cvss::from_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P", Some(7.5)).expect("v2"));
            f.cvss.push(
                Cvss::from_vector(
                    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                    Some(9.3),
                )
                .expect("v4"),
            );
            f.epss = Some(Epss {
                score: 0.5,
                percentile: Some(0.9),
            });
            f.location.package = Some(PackageLocation {
                name: format!("lib{n}"),
                version: Some(format!("1.{n}.0")),
                ecosystem: Some("npm".into()),
                purl: Some(format!("pkg:npm/lib{n}@1.{n}.0")),
                fixed_version: (n == 0).then(|| "2.0.0".to_string()),
            });
            if category == Category::Container {
                f.location.image = Some(ImageLocation {
                    name: "registry.example.com/app:1.0".into(),
                    digest: Some("sha256:0123".into()),
                    layer: Some("sha256:4567".into()),
                    os: Some("debian 12".into()),
                });
            } else {
                f.location.file = Some(FileLocation::new("package-lock.json", None));
            }
        }
        Category::Dast => {
            f.location.web = Some(WebLocation {
                url: format!("https://app.example.com/path/{n}?q=1"),
                method: Some("POST".into()),
                parameter: Some("q".into()),
            });
            f.evidence = Some("HTTP/1.1 500 Internal Server Error".into());
        }
        Category::Cloud => {
            f.location.cloud = Some(CloudLocation {
                resource_id: format!("arn:aws:s3:::bucket-{n}"),
                resource_type: Some("AwsS3Bucket".into()),
                provider: Some("aws".into()),
                account: Some("123456789012".into()),
                region: Some("eu-west-1".into()),
            });
        }
    }
    f.status = match n % 3 {
        0 => Status::Open,
        1 => Status::FalsePositive,
        _ => Status::Accepted,
    };
    f
}

/// Findings with the values exporters trip on: blanks, huge text, markup, control
/// characters, formula starts, duplicates, odd paths and vectors.
pub(crate) fn awkward() -> Vec<Finding> {
    let mut out = Vec::new();
    let mut bare = Finding::new("", Category::Sast, "");
    bare.tool_severity = Some("unknown".into());
    out.push(bare);
    let mut huge = Finding::new("Tool <x>", Category::Dast, "=cmd|' /C calc'!A0 ".repeat(40));
    huge.severity = Severity::Critical;
    huge.description = Some("d".repeat(5000));
    huge.remediation = Some("r".repeat(8000));
    huge.rule_id = Some("  ".into());
    huge.location.web = Some(WebLocation {
        url: "10.0.0.1:8443".into(),
        method: None,
        parameter: None,
    });
    huge.references = vec![
        "not a url".into(),
        "javascript:alert(1)".into(),
        "https://example.com/a|b{c}".into(),
    ];
    out.push(huge);
    let mut markup = Finding::new(
        "Scanner \"quoted\"",
        Category::Quality,
        "<script>alert('x')</script> & \u{1}\u{7}control ]]> --> \t tab",
    );
    markup.severity = Severity::Low;
    markup.location.file = Some(FileLocation {
        path: "C:\\Users\\dev\\My Project\\main.c".into(),
        start_line: Some(5),
        end_line: Some(2),
        start_column: Some(9),
        end_column: Some(4),
        snippet: Some("  ".into()),
    });
    markup.cvss.push(Cvss {
        version: CvssVersion::V3_1,
        vector: Some("not/a:vector".into()),
        score: Some(5.0),
        source: Some(String::new()),
    });
    markup.add_id("SNYK-JS-LODASH-1");
    markup.add_id("RUSTSEC-2020-0001");
    out.push(markup.clone());
    // An exact duplicate: same fingerprint twice.
    out.push(markup);
    let mut unicode = Finding::new("Trivy", Category::Container, "漏洞 in пакет 🙂");
    unicode.severity = Severity::High;
    unicode.location.package = Some(PackageLocation {
        name: "пакет".into(),
        version: None,
        ecosystem: None,
        purl: None,
        fixed_version: None,
    });
    out.push(unicode);
    let mut unrated_dependency = Finding::new("npm audit", Category::Dependency, "advisory 1");
    unrated_dependency.rule_id = Some("1234".into());
    out.push(unrated_dependency);
    let mut cloud_only = Finding::new("Security Hub", Category::Cloud, "S3 bucket is public");
    cloud_only.location.cloud = Some(CloudLocation {
        resource_id: "arn:aws-us-gov:s3:::gov-bucket".into(),
        resource_type: None,
        provider: None,
        account: None,
        region: Some("us-gov-west-1".into()),
    });
    cloud_only.status = Status::Mitigated;
    out.push(cloud_only);
    let mut secret_no_file = Finding::new("TruffleHog", Category::Secret, "Slack token");
    secret_no_file.secret = Some(Secret::from_clear(CLEAR_SECRET));
    secret_no_file.status = Status::OutOfScope;
    out.push(secret_no_file);
    out
}
