//! The document tree every parser produces, and the resources rules look at.
//!
//! CloudFormation, Terraform and its plan JSON, Kubernetes and compose files all become
//! [`Node`]s: plain values with the line they start on. Keys are matched ignoring ASCII case
//! and underscores, so `StorageEncrypted` (CloudFormation) and `storage_encrypted`
//! (Terraform) are the same property and one rule reads both. Terraform blocks are lists of
//! maps, as in plan JSON; [`Node::get`] looks into the first element of a list, so
//! `versioning.enabled` reads a block and a CloudFormation map alike.

use std::sync::Arc;

/// A value in a parsed document, with the line it starts on (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The line the value starts on.
    pub line: u32,
}

/// The kinds of value a document holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, or an absent value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in document order (duplicate keys are kept; lookups find the first).
    Map(Vec<(String, Node)>),
    /// A Terraform expression known only at deploy time (a reference to another resource, a
    /// function of one), kept as written.
    Expr(String),
}

static NULL: Node = Node {
    value: Value::Null,
    line: 0,
};

impl Node {
    /// A node with a value and a line.
    pub fn new(value: Value, line: u32) -> Node {
        Node { value, line }
    }

    /// A string node.
    pub fn str(text: impl Into<String>, line: u32) -> Node {
        Node::new(Value::Str(text.into()), line)
    }

    /// The null node (line 0), returned for missing values.
    pub fn null() -> &'static Node {
        &NULL
    }

    /// The value under `key` in a map, ignoring case and underscores in the key; in a list,
    /// the value under `key` in its first element (a Terraform block). A `null` value counts
    /// as absent, as in plans, where `null` means "not set".
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, v)| key_eq(k, key) && !matches!(v.value, Value::Null))
                .map(|(_, v)| v),
            Value::List(items) => items.first().and_then(|first| first.get(key)),
            _ => None,
        }
    }

    /// The value at a dotted path of keys (`versioning.enabled`).
    pub fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The value at the first of several paths that is present.
    pub fn first_of(&self, paths: &[&str]) -> Option<&Node> {
        paths.iter().find_map(|p| self.path(p))
    }

    /// The elements of a list; a single non-list value as one element; nothing for null.
    pub fn items(&self) -> impl Iterator<Item = &Node> {
        let (list, single): (&[Node], Option<&Node>) = match &self.value {
            Value::List(items) => (items, None),
            Value::Null => (&[], None),
            _ => (&[], Some(self)),
        };
        list.iter().chain(single)
    }

    /// The entries of a map (empty for anything else).
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean from a boolean or from the strings `true`/`false` in any case.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// An integer from an integer, an integral float or a numeric string.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Whether the value is `true` (or `"true"`).
    pub fn is_true(&self) -> bool {
        self.as_bool() == Some(true)
    }

    /// Whether the value is `false` (or `"false"`).
    pub fn is_false(&self) -> bool {
        self.as_bool() == Some(false)
    }

    /// Whether the value is null, an empty string or an empty list/map.
    pub fn is_empty(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Str(s) => s.trim().is_empty(),
            Value::List(items) => items.is_empty(),
            Value::Map(entries) => entries.is_empty(),
            _ => false,
        }
    }

    /// Whether the value is decided at deploy time: a Terraform expression, or a
    /// CloudFormation intrinsic function (`Ref`, `Fn::…`, `Condition`).
    pub fn is_dynamic(&self) -> bool {
        match &self.value {
            Value::Expr(_) => true,
            Value::Map(entries) => {
                entries.len() == 1
                    && entries.first().is_some_and(|(k, _)| {
                        k == "Ref" || k == "Condition" || k.starts_with("Fn::")
                    })
            }
            _ => false,
        }
    }

    /// The strings of a string or a list of strings.
    pub fn strings(&self) -> Vec<&str> {
        self.items().filter_map(Node::as_str).collect()
    }

    /// Whether the value is the string `text` (ignoring ASCII case), or a list holding it.
    pub fn has_str(&self, text: &str) -> bool {
        self.items()
            .any(|n| n.as_str().is_some_and(|s| s.eq_ignore_ascii_case(text)))
    }

    /// Every string anywhere under this node, with its line, depth first.
    pub fn walk_strings<'a>(&'a self, out: &mut Vec<(&'a str, u32)>) {
        match &self.value {
            Value::Str(s) => out.push((s, self.line)),
            Value::List(items) => items.iter().for_each(|n| n.walk_strings(out)),
            Value::Map(entries) => entries.iter().for_each(|(_, n)| n.walk_strings(out)),
            _ => {}
        }
    }

    /// The line of this node, else `fallback` when it has none.
    pub fn line_or(&self, fallback: u32) -> u32 {
        if self.line > 0 {
            self.line
        } else {
            fallback
        }
    }
}

/// Whether two keys are the same property: equal ignoring ASCII case and underscores.
pub fn key_eq(a: &str, b: &str) -> bool {
    let mut x = a.bytes().filter(|c| *c != b'_');
    let mut y = b.bytes().filter(|c| *c != b'_');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(&q) => {}
            _ => return false,
        }
    }
}

/// Where a cloud resource was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// A CloudFormation, SAM or CDK-synthesized template.
    CloudFormation,
    /// Terraform configuration (HCL).
    Terraform,
    /// A Terraform plan (`terraform show -json`).
    TerraformPlan,
}

/// One cloud resource of a template or Terraform module.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The type rules match on: the Terraform name (`aws_s3_bucket`) for AWS types both
    /// dialects share, else the type as written.
    pub kind: String,
    /// The type as written (`AWS::S3::Bucket`, `aws_s3_bucket`).
    pub native_type: String,
    /// The logical id (CloudFormation) or address (`module.sg.aws_security_group.sg`).
    pub address: String,
    /// Which language declared it.
    pub dialect: Dialect,
    /// The file, relative to the scan root, with `/` separators.
    pub file: Arc<str>,
    /// First and last line of the declaration.
    pub lines: (u32, u32),
    /// The properties (CloudFormation `Properties`, the Terraform block body).
    pub props: Node,
    /// Rule ids (ward's or another scanner's) suppressed on this resource, with reasons.
    pub suppressions: Vec<Suppression>,
}

/// A rule turned off for one resource or file in the file's own convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id as written: a ward id, a checkov `CKV_…` id or a cfn-nag id.
    pub rule: String,
    /// Why, as written (may be empty).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            1,
        )
    }

    #[test]
    fn keys_match_across_naming_styles() {
        assert!(key_eq("StorageEncrypted", "storage_encrypted"));
        assert!(key_eq("MultiAZ", "multi_az"));
        assert!(!key_eq("Encrypted", "storage_encrypted"));
    }

    #[test]
    fn get_reads_blocks_and_maps_alike() {
        let block = Node::new(
            Value::List(vec![map(vec![(
                "enabled",
                Node::new(Value::Bool(true), 3),
            )])]),
            2,
        );
        let tf = map(vec![("versioning", block)]);
        let cfn = map(vec![(
            "Versioning",
            map(vec![("Enabled", Node::str("true", 4))]),
        )]);
        assert!(tf.path("versioning.enabled").is_some_and(Node::is_true));
        assert!(cfn.path("versioning.enabled").is_some_and(Node::is_true));
        assert!(tf.path("versioning.missing").is_none());
    }

    #[test]
    fn intrinsics_and_expressions_are_dynamic() {
        let reference = map(vec![("Ref", Node::str("X", 1))]);
        assert!(reference.is_dynamic());
        assert!(Node::new(Value::Expr("var.x".into()), 1).is_dynamic());
        assert!(!Node::str("x", 1).is_dynamic());
    }
}
