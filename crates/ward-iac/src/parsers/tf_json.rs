//! Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`): reading a file into a [`Node`]
//! tree with lines, and finding its blocks.
//!
//! Syntax: <https://developer.hashicorp.com/terraform/language/syntax/json>. The root object's
//! properties are block types; a block type with labels nests one object per label
//! (`"resource": {"aws_s3_bucket": {"logs": {…}}}`), and at every level an array of such
//! objects is allowed too. A property named `"//"` is a comment and means nothing.
//! The text is checked as strict JSON by `serde_json` first (nesting limited to its 128
//! levels, errors with line and column), then read with lines by [`crate::yaml`].

use crate::model::Node;
use crate::parsers::terraform::SyntaxError;
use crate::yaml::{self, Tags};

/// One block: its labels and its body object.
#[derive(Debug, Clone)]
pub(crate) struct Block<'a> {
    pub(crate) labels: Vec<&'a str>,
    pub(crate) body: &'a Node,
}

/// Reads a JSON file; the root must be an object.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        return Err(SyntaxError {
            line: u32::try_from(e.line()).unwrap_or(u32::MAX),
            column: u32::try_from(e.column()).unwrap_or(u32::MAX),
            message: message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string(),
        });
    }
    let docs = yaml::parse(text, Tags::Ignore).map_err(|e| SyntaxError {
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    match docs.into_iter().next() {
        Some(root) if matches!(root.value, crate::model::Value::Map(_)) => Ok(root),
        Some(root) => Err(SyntaxError {
            line: root.line,
            column: 1,
            message: "the root of a Terraform JSON file must be an object".to_string(),
        }),
        None => Err(SyntaxError {
            line: 1,
            column: 1,
            message: "empty file".to_string(),
        }),
    }
}

/// Whether a property is a comment.
pub(crate) fn is_comment(key: &str) -> bool {
    key == "//"
}

/// The first property of an object named exactly `key` (JSON keys are case-sensitive).
pub(crate) fn property<'a>(object: &'a Node, key: &str) -> Option<&'a Node> {
    object
        .entries()
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The blocks of type `ident` with `labels` labels in a file's root object.
pub(crate) fn blocks<'a>(root: &'a Node, ident: &str, labels: usize) -> Vec<Block<'a>> {
    root.entries()
        .iter()
        .filter(|(k, _)| k == ident)
        .flat_map(|(_, v)| blocks_of(v, labels))
        .collect()
}

/// The blocks under a block type's value: `labels` levels of objects keyed by label, each
/// level possibly an array of such objects, then bodies (an object, or an array of them for
/// several blocks with the same labels). Anything else is not a block and is left out.
pub(crate) fn blocks_of(value: &Node, labels: usize) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    collect(value, labels, &mut Vec::new(), &mut out);
    out
}

fn collect<'a>(value: &'a Node, labels: usize, path: &mut Vec<&'a str>, out: &mut Vec<Block<'a>>) {
    match &value.value {
        crate::model::Value::List(items) => {
            for item in items {
                if matches!(item.value, crate::model::Value::Map(_)) {
                    collect(item, labels, path, out);
                }
            }
        }
        crate::model::Value::Map(entries) if path.len() < labels => {
            for (key, child) in entries {
                if is_comment(key) {
                    continue;
                }
                path.push(key);
                collect(child, labels, path, out);
                path.pop();
            }
        }
        crate::model::Value::Map(_) => out.push(Block {
            labels: path.clone(),
            body: value,
        }),
        _ => {}
    }
}

/// The strings of a body's `"//"` comments, where suppressions may be written.
pub(crate) fn comments(body: &Node) -> Vec<&str> {
    let mut out = Vec::new();
    for (key, value) in body.entries() {
        if is_comment(key) {
            let mut strings = Vec::new();
            value.walk_strings(&mut strings);
            out.extend(strings.into_iter().map(|(s, _)| s));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_nest_by_label_and_arrays_are_allowed_at_every_level() {
        let root = parse(
            r#"{
  "//": "a comment",
  "resource": [
    {"aws_s3_bucket": {"a": {"bucket": "x"}, "//": "not a type"}},
    {"aws_s3_bucket": [{"b": [{"acl": "private"}, {"acl": "public-read"}]}]}
  ],
  "locals": [{"x": 1}, {"y": 2}]
}"#,
        )
        .expect("parses");
        let found: Vec<(Vec<&str>, u32)> = blocks(&root, "resource", 2)
            .into_iter()
            .map(|b| (b.labels, b.body.line))
            .collect();
        assert_eq!(
            found,
            vec![
                (vec!["aws_s3_bucket", "a"], 4),
                (vec!["aws_s3_bucket", "b"], 5),
                (vec!["aws_s3_bucket", "b"], 5),
            ]
        );
        assert_eq!(blocks(&root, "locals", 0).len(), 2);
    }

    #[test]
    fn bad_json_has_a_line_and_a_message() {
        let err =
            parse("{\n  \"resource\": {\n    \"a\": 1,\n  }\n}\n").expect_err("trailing comma");
        assert_eq!(err.line, 4, "{err:?}");
        assert!(!err.message.contains("at line"), "{err:?}");
        let err = parse("[1, 2]").expect_err("not an object");
        assert!(err.message.contains("must be an object"), "{err:?}");
        let err = parse("resource: {}").expect_err("YAML is not JSON");
        assert_eq!(err.line, 1);
        assert!(parse("").is_err());
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_crash() {
        let depth = 100_000;
        let text = format!(
            "{{\"locals\": {{\"x\": {}{}}}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let err = parse(&text).expect_err("too deep");
        assert!(err.message.contains("recursion"), "{err:?}");
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert!(parse(&objects).is_err());
    }
}
