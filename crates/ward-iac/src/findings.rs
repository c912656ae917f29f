//! Running the rules on parsed files and turning hits into ward findings.
//!
//! A finding names the rule (id, title, severity, remediation, references), the file and
//! line, and the resource: for AWS the logical id or Terraform address and the type as
//! written (`Location::cloud`), for Kubernetes `Kind/namespace/name`. A hit on a rule the
//! target suppresses (by ward id or an alias) becomes an `accepted` finding with the reason.

use ward_core::{Category, CloudLocation, Confidence, FileLocation, Finding, Location, Status};

use crate::model::{Resource, Suppression};
use crate::parsers::compose::ComposeService;
use crate::parsers::dockerfile::Dockerfile;
use crate::parsers::kubernetes::KubeObject;
use crate::rules::{self, AwsContext, Check, Hit, Hits, Rule};
use crate::TOOL;

/// The findings of every AWS rule on a group of resources declared together.
pub(crate) fn aws(group: &[Resource]) -> Vec<Finding> {
    let context = AwsContext::new(group);
    let mut out = Vec::new();
    for resource in group {
        for rule in rules::aws_rules_for(&resource.kind) {
            let Check::Aws { check, .. } = &rule.check else {
                continue;
            };
            let mut hits = Hits::default();
            check(&context, resource, &mut hits);
            for hit in hits.0 {
                out.push(finding(
                    rule,
                    &hit,
                    Target {
                        file: &resource.file,
                        first_line: resource.lines.0,
                        resource: Some((
                            resource.address.clone(),
                            resource.native_type.clone(),
                            "aws",
                        )),
                        suppressions: &resource.suppressions,
                    },
                ));
            }
        }
    }
    out
}

/// The findings of the Kubernetes rules on one object.
pub(crate) fn kubernetes(object: &KubeObject) -> Vec<Finding> {
    run(
        |check, hits| {
            if let Check::Kubernetes(f) = check {
                f(object, hits);
            }
        },
        Target {
            file: &object.file,
            first_line: object.lines.0,
            resource: Some((object.id(), object.kind.clone(), "kubernetes")),
            suppressions: &object.suppressions,
        },
    )
}

/// The findings of the Dockerfile rules on one file.
pub(crate) fn dockerfile(file: &Dockerfile) -> Vec<Finding> {
    run(
        |check, hits| {
            if let Check::Dockerfile(f) = check {
                f(file, hits);
            }
        },
        Target {
            file: &file.file,
            first_line: 1,
            resource: None,
            suppressions: &file.suppressions,
        },
    )
}

/// The findings of the compose rules on one service.
pub(crate) fn compose(service: &ComposeService) -> Vec<Finding> {
    run(
        |check, hits| {
            if let Check::Compose(f) = check {
                f(service, hits);
            }
        },
        Target {
            file: &service.file,
            first_line: service.lines.0,
            resource: Some((
                format!("services.{}", service.name),
                "compose service".to_string(),
                "docker",
            )),
            suppressions: &service.suppressions,
        },
    )
}

/// Sorts findings by file, line and rule and assigns fingerprints.
pub(crate) fn finish(findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| {
        (
            f.location.file.as_ref().map(|l| l.path.clone()),
            f.location.file.as_ref().and_then(|l| l.start_line),
            f.rule_id.clone(),
            f.location.cloud.as_ref().map(|c| c.resource_id.clone()),
        )
    });
    ward_core::fingerprint::assign(findings);
}

struct Target<'a> {
    file: &'a str,
    first_line: u32,
    /// (id, type, provider).
    resource: Option<(String, String, &'static str)>,
    suppressions: &'a [Suppression],
}

fn run(mut apply: impl FnMut(&Check, &mut Hits), target: Target<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules::all() {
        let mut hits = Hits::default();
        apply(&rule.check, &mut hits);
        for hit in hits.0 {
            out.push(finding(
                rule,
                &hit,
                Target {
                    file: target.file,
                    first_line: target.first_line,
                    resource: target.resource.clone(),
                    suppressions: target.suppressions,
                },
            ));
        }
    }
    out
}

fn finding(rule: &Rule, hit: &Hit, target: Target<'_>) -> Finding {
    let mut f = Finding::new(TOOL, Category::Iac, rule.title);
    f.rule_id = Some(rule.id.to_string());
    f.severity = rule.severity;
    f.confidence = Some(Confidence::High);
    let mut description = rule
        .description
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    if let Some(detail) = &hit.detail {
        description = format!("{detail}.\n\n{description}");
    }
    f.description = Some(description);
    f.remediation = Some(rule.remediation.to_string());
    for reference in rule.references {
        f.add_reference(reference);
    }
    f.tags = rule.aliases.iter().map(|a| format!("alias:{a}")).collect();
    let line = if hit.line > 0 {
        hit.line
    } else {
        target.first_line
    };
    f.location = Location {
        file: Some(FileLocation::new(target.file, Some(line))),
        cloud: target
            .resource
            .map(|(resource_id, resource_type, provider)| CloudLocation {
                resource_id,
                resource_type: Some(resource_type),
                provider: Some(provider.to_string()),
                ..CloudLocation::default()
            }),
        ..Location::default()
    };
    if let Some(s) = target
        .suppressions
        .iter()
        .find(|s| s.rule == rule.id || rule.aliases.contains(&s.rule.as_str()))
    {
        f.status = Status::Accepted;
        f.evidence = Some(if s.reason.is_empty() {
            format!("suppressed in the file ({})", s.rule)
        } else {
            format!("suppressed in the file ({}): {}", s.rule, s.reason)
        });
    }
    f
}
