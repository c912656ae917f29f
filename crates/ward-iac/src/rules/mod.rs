//! The rule registry: every rule ward checks, grouped one file per resource family.
//!
//! A rule is a [`Rule`] static declared with `rule!`: its doc comment is its user
//! documentation (what it flags, why it matters, how to fix it) and becomes the finding's
//! description; the fields give the id, title, severity, what it runs on and how
//! ([`Check`]), the remediation, references, the ids of other scanners' checks with the same
//! meaning (accepted in their suppression comments, and used to compare with checkov), and
//! at least one failing and one passing example file, which the registry tests scan.
//!
//! AWS rules run on the normalized [`Resource`] model, so one rule covers the CloudFormation
//! and Terraform forms of a resource (see `aws_types`).

use std::collections::HashMap;
use std::sync::OnceLock;

use ward_core::Severity;

use crate::model::{Node, Resource};
use crate::parsers::compose::ComposeService;
use crate::parsers::dockerfile::Dockerfile;
use crate::parsers::kubernetes::KubeObject;

mod aws;
mod compose;
mod docker;
mod kubernetes;
mod secrets;

/// One check.
#[derive(Debug)]
pub struct Rule {
    /// Stable kebab-case id (`aws-s3-public-read-acl`).
    pub id: &'static str,
    /// One-line title, naming the problem.
    pub title: &'static str,
    /// How bad a hit is.
    pub severity: Severity,
    /// What the rule runs on, and the check itself.
    pub check: Check,
    /// How to fix a hit.
    pub remediation: &'static str,
    /// Links to the provider's documentation or a benchmark; the first is the main one.
    pub references: &'static [&'static str],
    /// Ids of other scanners' checks with the same meaning (checkov `CKV_…`, cfn-nag `W…`).
    pub aliases: &'static [&'static str],
    /// Example files (name, content) the rule must flag.
    pub fail: &'static [(&'static str, &'static str)],
    /// Example files the rule must not flag.
    pub pass: &'static [(&'static str, &'static str)],
    /// The rule's documentation, from its doc comment.
    pub description: &'static str,
}

/// What a rule runs on.
pub enum Check {
    /// Cloud resources of these kinds (Terraform names, see `aws_types`).
    Aws {
        /// The resource kinds.
        kinds: &'static [&'static str],
        /// The check.
        check: fn(&AwsContext<'_>, &Resource, &mut Hits),
    },
    /// Kubernetes objects.
    Kubernetes(fn(&KubeObject, &mut Hits)),
    /// Dockerfiles.
    Dockerfile(fn(&Dockerfile, &mut Hits)),
    /// docker-compose services.
    Compose(fn(&ComposeService, &mut Hits)),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Check::Aws { .. } => "Aws",
            Check::Kubernetes(_) => "Kubernetes",
            Check::Dockerfile(_) => "Dockerfile",
            Check::Compose(_) => "Compose",
        };
        f.write_str(name)
    }
}

/// Where a rule fired: a line, and optionally what exactly was wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The line (0: the resource's first line).
    pub line: u32,
    /// A detail for the description (never a secret value).
    pub detail: Option<String>,
}

/// The hits of one rule on one target.
#[derive(Debug, Default)]
pub struct Hits(pub(crate) Vec<Hit>);

impl Hits {
    /// A hit at a line.
    pub fn at(&mut self, line: u32) {
        self.0.push(Hit { line, detail: None });
    }

    /// A hit at a line, with a detail.
    pub fn detail(&mut self, line: u32, detail: impl Into<String>) {
        self.0.push(Hit {
            line,
            detail: Some(detail.into()),
        });
    }

    /// A hit at the node's line (the resource's first line when the node has none).
    pub fn on(&mut self, node: Option<&Node>) {
        self.at(node.map(|n| n.line).unwrap_or(0));
    }
}

/// The resources declared together with the one being checked: the same CloudFormation
/// template, Terraform root module (with the modules it calls) or plan. Rules that depend on
/// other resources (a bucket's separate versioning resource, a VPC's flow log) look here.
pub struct AwsContext<'a> {
    /// Every resource of the group.
    pub resources: &'a [Resource],
    /// The same resources by kind, so a lookup touches only the kinds asked for.
    by_kind: HashMap<&'a str, Vec<&'a Resource>>,
}

impl<'a> AwsContext<'a> {
    /// The context of a group of resources.
    pub fn new(resources: &'a [Resource]) -> AwsContext<'a> {
        let mut by_kind: HashMap<&'a str, Vec<&'a Resource>> = HashMap::new();
        for r in resources {
            by_kind.entry(r.kind.as_str()).or_default().push(r);
        }
        AwsContext { resources, by_kind }
    }
}

impl AwsContext<'_> {
    /// Resources of the given kinds that refer to `target` (by Terraform reference,
    /// CloudFormation `Ref`/`Fn::GetAtt`/`Fn::Sub`, or, in plans, by name).
    pub fn referencing<'b>(
        &'b self,
        target: &'b Resource,
        kinds: &'b [&'b str],
    ) -> impl Iterator<Item = &'b Resource> + 'b {
        // Inside a module, references name resources without the `module.x.` prefix, so
        // only resources of the same module can refer to the target.
        let module = split_module(&target.address).0;
        kinds
            .iter()
            .filter_map(|k| self.by_kind.get(k))
            .flatten()
            .copied()
            .filter(move |r| {
                (target.dialect != crate::model::Dialect::Terraform
                    || split_module(&r.address).0 == module)
                    && mentions(&r.props, target)
            })
    }

    /// Whether any resource of the given kinds refers to `target`.
    pub fn is_referenced_by(&self, target: &Resource, kinds: &[&str]) -> bool {
        self.referencing(target, kinds).next().is_some()
    }
}

/// Whether a value mentions a resource.
fn mentions(node: &Node, target: &Resource) -> bool {
    use crate::model::{Dialect, Value};
    match &node.value {
        Value::Expr(text) | Value::Str(text) if target.dialect == Dialect::Terraform => {
            let local = split_module(&target.address).1;
            text.match_indices(local).any(|(at, _)| {
                let before = text.get(..at).unwrap_or("");
                let after = text.get(at + local.len()..).unwrap_or("");
                let starts = before.is_empty()
                    || before.ends_with(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
                    });
                let ends = after.is_empty() || after.starts_with(['.', '[', ' ', '}', ',', ')']);
                starts && ends
            })
        }
        Value::Str(text) if target.dialect == Dialect::TerraformPlan => {
            ["bucket", "id", "name", "arn"].iter().any(|k| {
                target
                    .props
                    .get(k)
                    .and_then(Node::as_str)
                    .is_some_and(|v| !v.is_empty() && v == text)
            })
        }
        Value::Map(entries) if target.dialect == Dialect::CloudFormation => {
            if let [(key, value)] = entries.as_slice() {
                let named = match key.as_str() {
                    "Ref" => value.as_str() == Some(target.address.as_str()),
                    "Fn::GetAtt" => {
                        value
                            .items()
                            .next()
                            .and_then(Node::as_str)
                            .or_else(|| value.as_str().and_then(|s| s.split('.').next()))
                            == Some(target.address.as_str())
                    }
                    "Fn::Sub" => {
                        let mut strings = Vec::new();
                        value.walk_strings(&mut strings);
                        let wanted = format!("${{{}", target.address);
                        strings.iter().any(|(s, _)| s.contains(&wanted))
                    }
                    _ => false,
                };
                if named {
                    return true;
                }
            }
            entries.iter().any(|(_, v)| mentions(v, target))
        }
        Value::Map(entries) => entries.iter().any(|(_, v)| mentions(v, target)),
        Value::List(items) => items.iter().any(|v| mentions(v, target)),
        _ => false,
    }
}

/// `module.a.module.b.aws_x.y` → (`module.a.module.b.`, `aws_x.y`).
fn split_module(address: &str) -> (&str, &str) {
    let mut rest = address;
    let mut prefix_len = 0;
    while let Some(after) = rest.strip_prefix("module.") {
        let Some(dot) = after.find('.') else {
            break;
        };
        prefix_len += "module.".len() + dot + 1;
        rest = after.get(dot + 1..).unwrap_or("");
    }
    (address.get(..prefix_len).unwrap_or(""), rest)
}

/// Declares a rule. Its doc comment (what it flags, why it matters) becomes the finding's
/// description; the generated rustdoc adds the examples, the remediation and the references
/// from the fields, so the item documents the rule completely.
macro_rules! rule {
    (
        $(#[doc = $doc:expr])*
        $name:ident {
            id: $id:literal,
            title: $title:literal,
            severity: $severity:expr,
            check: $check:expr,
            remediation: $remediation:literal,
            references: &[$($reference:literal),+ $(,)?],
            aliases: &[$($alias:literal),* $(,)?],
            fail: &[$(($fail_name:literal, $fail_text:literal)),+ $(,)?],
            pass: &[$(($pass_name:literal, $pass_text:literal)),+ $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        ///
        $(#[doc = concat!("Example, flagged (`", $fail_name, "`):\n\n```text\n", $fail_text, "```\n")])+
        $(#[doc = concat!("Example, not flagged (`", $pass_name, "`):\n\n```text\n", $pass_text, "```\n")])+
        #[doc = concat!("Remediation: ", $remediation, "\n")]
        ///
        $(#[doc = concat!("Reference: <", $reference, ">\n")])+
        pub(crate) static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            title: $title,
            severity: $severity,
            check: $check,
            remediation: $remediation,
            references: &[$($reference),+],
            aliases: &[$($alias),*],
            fail: &[$(($fail_name, $fail_text)),+],
            pass: &[$(($pass_name, $pass_text)),+],
            description: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use rule;

/// Every rule, in a stable order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut rules = Vec::new();
        rules.extend_from_slice(aws::RULES);
        rules.extend_from_slice(kubernetes::RULES);
        rules.extend_from_slice(docker::RULES);
        rules.extend_from_slice(compose::RULES);
        rules
    })
}

/// The AWS rules that apply to a resource kind.
pub(crate) fn aws_rules_for(kind: &str) -> &'static [&'static Rule] {
    static BY_KIND: OnceLock<HashMap<&'static str, Vec<&'static Rule>>> = OnceLock::new();
    let map = BY_KIND.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<&'static Rule>> = HashMap::new();
        for rule in aws::RULES {
            if let Check::Aws { kinds, .. } = &rule.check {
                for kind in *kinds {
                    map.entry(kind).or_default().push(rule);
                }
            }
        }
        map
    });
    map.get(kind).map(Vec::as_slice).unwrap_or(&[])
}

/// A rule by id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod registry_tests;
