//! Terraform plans as `terraform show -json` writes them: the resources of
//! `planned_values`, root module and child modules, as [`Resource`]s.
//!
//! Format: <https://developer.hashicorp.com/terraform/internals/json-format#plan-representation>.
//! Values in a plan are final except those "known after apply", which the plan leaves out;
//! rules treat them as unset. Plans carry no comments, so no inline suppressions.

use std::sync::Arc;

use crate::model::{Dialect, Node, Resource, Value};
use crate::parsers::cloudformation::last_line;

/// Whether a parsed JSON document is a plan.
pub(crate) fn is_plan(doc: &Node) -> bool {
    doc.get("planned_values").is_some() && doc.get("format_version").is_some()
}

/// The planned resources, root module first, then child modules depth first.
pub(crate) fn resources(doc: &Node, file: &Arc<str>) -> Vec<Resource> {
    let mut out = Vec::new();
    if let Some(root) = doc.path("planned_values.root_module") {
        module(root, file, 0, &mut out);
    }
    out
}

fn module(node: &Node, file: &Arc<str>, depth: u32, out: &mut Vec<Resource>) {
    for r in node.get("resources").into_iter().flat_map(Node::items) {
        let (Some(kind), Some(address)) = (
            r.get("type").and_then(Node::as_str),
            r.get("address").and_then(Node::as_str),
        ) else {
            continue;
        };
        let data = r.get("mode").and_then(Node::as_str) == Some("data");
        let kind = if data {
            format!("data.{kind}")
        } else {
            kind.to_string()
        };
        out.push(Resource {
            native_type: kind.clone(),
            kind,
            address: address.to_string(),
            dialect: Dialect::TerraformPlan,
            file: file.clone(),
            lines: (r.line, last_line(r)),
            props: r
                .get("values")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), r.line)),
            suppressions: Vec::new(),
        });
    }
    if depth < 16 {
        for child in node.get("child_modules").into_iter().flat_map(Node::items) {
            module(child, file, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Tags};

    #[test]
    fn planned_resources_of_every_module_are_read() {
        let text = r#"{"format_version": "1.2", "planned_values": {"root_module": {
  "resources": [{"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket",
                 "values": {"acl": "public-read"}}],
  "child_modules": [{"resources": [{"address": "module.m.aws_sqs_queue.q", "mode": "managed",
                     "type": "aws_sqs_queue", "values": {}}]}]}}}"#;
        let docs = yaml::parse(text, Tags::Ignore).expect("json");
        let doc = docs.first().expect("doc");
        assert!(is_plan(doc));
        let found = resources(doc, &Arc::from("plan.json"));
        let addresses: Vec<&str> = found.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(
            addresses,
            vec!["aws_s3_bucket.a", "module.m.aws_sqs_queue.q"]
        );
        assert_eq!(found.first().map(|r| r.lines.0), Some(2));
    }
}
