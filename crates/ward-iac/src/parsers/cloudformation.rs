//! CloudFormation and SAM templates (YAML or JSON), including CDK's synthesized
//! `cdk.out/*.template.json`: the `Resources` section as [`Resource`]s.
//!
//! Template reference: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>.
//! A `Ref` to a parameter with a `Default` is replaced by the default, so a property set
//! through a parameter is checked at its default value. Suppressions come from each
//! resource's `Metadata`: ward's own `ward: {skip: [{id, reason}]}`, checkov's
//! `checkov: {skip: [{id, comment}]}` and cfn-nag's `cfn_nag: {rules_to_suppress: [{id, reason}]}`.

use std::sync::Arc;

use crate::aws_types;
use crate::model::{Dialect, Node, Resource, Suppression, Value};

/// Whether a parsed document is a CloudFormation template: it has a
/// `AWSTemplateFormatVersion`, or `Resources` whose entries have an `AWS::`/`Custom::` type.
pub(crate) fn is_template(doc: &Node) -> bool {
    if doc.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = doc.get("Resources") else {
        return false;
    };
    resources.entries().iter().any(|(_, r)| {
        r.get("Type").and_then(Node::as_str).is_some_and(|t| {
            t.starts_with("AWS::") || t.starts_with("Custom::") || t.starts_with("Alexa::")
        })
    })
}

/// The resources of a template, in document order.
pub(crate) fn resources(doc: &Node, file: &Arc<str>) -> Vec<Resource> {
    let parameters = parameter_defaults(doc);
    let Some(section) = doc.get("Resources") else {
        return Vec::new();
    };
    section
        .entries()
        .iter()
        .filter_map(|(logical_id, body)| {
            let native_type = body.get("Type").and_then(Node::as_str)?.to_string();
            let props = body
                .get("Properties")
                .map(|p| substitute_parameters(p, &parameters))
                .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), body.line));
            Some(Resource {
                kind: aws_types::canonical(&native_type),
                native_type,
                address: logical_id.clone(),
                dialect: Dialect::CloudFormation,
                file: file.clone(),
                lines: (body.line, last_line(body)),
                props,
                suppressions: body.get("Metadata").map(suppressions).unwrap_or_default(),
            })
        })
        .collect()
}

fn parameter_defaults(doc: &Node) -> Vec<(String, Node)> {
    doc.get("Parameters")
        .map(|p| {
            p.entries()
                .iter()
                .filter_map(|(name, param)| Some((name.clone(), param.get("Default")?.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// Replaces `{"Ref": Parameter}` by the parameter's default, everywhere under `node`.
fn substitute_parameters(node: &Node, parameters: &[(String, Node)]) -> Node {
    if parameters.is_empty() {
        return node.clone();
    }
    match &node.value {
        Value::Map(entries) => {
            if let [(key, target)] = entries.as_slice() {
                if key == "Ref" {
                    if let Some((_, default)) = target
                        .as_str()
                        .and_then(|t| parameters.iter().find(|(name, _)| name == t))
                    {
                        return Node::new(default.value.clone(), node.line);
                    }
                }
            }
            let entries = entries
                .iter()
                .map(|(k, v)| (k.clone(), substitute_parameters(v, parameters)))
                .collect();
            Node::new(Value::Map(entries), node.line)
        }
        Value::List(items) => Node::new(
            Value::List(
                items
                    .iter()
                    .map(|v| substitute_parameters(v, parameters))
                    .collect(),
            ),
            node.line,
        ),
        _ => node.clone(),
    }
}

/// Suppressions in a resource's `Metadata`, in ward's, checkov's and cfn-nag's forms.
pub(crate) fn suppressions(metadata: &Node) -> Vec<Suppression> {
    let mut out = Vec::new();
    let lists = [
        (metadata.path("ward.skip"), "reason"),
        (metadata.path("checkov.skip"), "comment"),
        (metadata.path("cfn_nag.rules_to_suppress"), "reason"),
    ];
    for (list, reason_key) in lists {
        for entry in list.into_iter().flat_map(Node::items) {
            let (rule, reason) = match entry.as_str() {
                Some(id) => (id.to_string(), String::new()),
                None => (
                    entry
                        .get("id")
                        .and_then(Node::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    entry
                        .get(reason_key)
                        .and_then(Node::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ),
            };
            if !rule.is_empty() {
                out.push(Suppression { rule, reason });
            }
        }
    }
    out
}

/// The last line any value under `node` starts on.
pub(crate) fn last_line(node: &Node) -> u32 {
    let inner = match &node.value {
        Value::List(items) => items.iter().map(last_line).max(),
        Value::Map(entries) => entries.iter().map(|(_, v)| last_line(v)).max(),
        _ => None,
    };
    inner.unwrap_or(0).max(node.line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Tags};

    fn parse(text: &str) -> Vec<Resource> {
        let docs = yaml::parse(text, Tags::CloudFormation).expect("yaml");
        let doc = docs.first().expect("doc");
        assert!(is_template(doc));
        resources(doc, &Arc::from("t.yaml"))
    }

    #[test]
    fn resources_get_canonical_kinds_lines_and_suppressions() {
        let found = parse(
            "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_18\n            comment: logs elsewhere\n      ward:\n        skip: [{id: aws-s3-versioning-disabled, reason: scratch}]\n    Properties:\n      AccessControl: PublicRead\n",
        );
        let bucket = found.first().expect("bucket");
        assert_eq!(bucket.kind, "aws_s3_bucket");
        assert_eq!(bucket.address, "Data");
        assert_eq!(bucket.lines, (2, 12));
        assert_eq!(bucket.props.get("access_control").map(|n| n.line), Some(12));
        let rules: Vec<&str> = bucket
            .suppressions
            .iter()
            .map(|s| s.rule.as_str())
            .collect();
        assert_eq!(rules, vec!["aws-s3-versioning-disabled", "CKV_AWS_18"]);
    }

    #[test]
    fn parameter_defaults_replace_refs() {
        let found = parse(
            "Parameters:\n  Public:\n    Type: String\n    Default: 'true'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      PubliclyAccessible: !Ref Public\n      DBSubnetGroupName: !Ref Other\n",
        );
        let db = found.first().expect("db");
        assert!(db
            .props
            .get("PubliclyAccessible")
            .is_some_and(Node::is_true));
        assert!(db
            .props
            .get("DBSubnetGroupName")
            .is_some_and(Node::is_dynamic));
    }

    #[test]
    fn cfn_nag_suppressions_are_read() {
        let meta = yaml::parse(
            "cfn_nag:\n  rules_to_suppress:\n    - id: W35\n      reason: no logging needed\n",
            Tags::Ignore,
        )
        .expect("yaml");
        let found = suppressions(meta.first().expect("doc"));
        assert_eq!(
            found,
            vec![Suppression {
                rule: "W35".into(),
                reason: "no logging needed".into()
            }]
        );
    }
}
