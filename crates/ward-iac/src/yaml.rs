//! YAML (and JSON, a subset of it) to [`Node`] trees with line numbers.
//!
//! Built on `yaml-rust2`'s event parser rather than its loader so that hostile input stays
//! cheap: nesting deeper than [`MAX_DEPTH`] is refused, and alias expansion (the
//! "billion laughs" document) is limited to [`MAX_ALIAS_NODES`] copied nodes per file, after
//! which the file is an error. Merge keys (`<<: *base`) are applied. CloudFormation's
//! short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub` …) become the long form
//! (`{"Ref": …}`, `{"Fn::GetAtt": [resource, attribute]}` …) when [`Tags::CloudFormation`] is
//! asked for; any other tag is then an error, as CloudFormation itself rejects it.

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::model::{Node, Value};

/// Nesting deeper than this is refused (as ward does for JSON reports).
pub const MAX_DEPTH: usize = 128;

/// At most this many nodes may be created by expanding aliases in one file.
pub const MAX_ALIAS_NODES: usize = 250_000;

/// How to treat tags (`!Ref`, `!!str` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    /// CloudFormation short-form intrinsics become the long form; unknown tags are errors.
    CloudFormation,
    /// Tags are ignored (Kubernetes, compose).
    Ignore,
}

/// Why a YAML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong.
    pub message: String,
}

/// Parses every document of a YAML stream (empty documents are left out).
pub fn parse(text: &str, tags: Tags) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        tags,
        stack: Vec::new(),
        anchors: Vec::new(),
        docs: Vec::new(),
        alias_nodes: 0,
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            line: saturate(e.marker().line()),
            column: saturate(e.marker().col() + 1),
            message: e.info().to_string(),
        })?;
        if event == Event::StreamEnd {
            break;
        }
        builder.event(event, mark)?;
    }
    Ok(builder.docs)
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: u32,
        anchor: usize,
        tag: Option<Tag>,
    },
    Map {
        entries: Vec<(String, Node)>,
        key: Option<Node>,
        line: u32,
        anchor: usize,
        tag: Option<Tag>,
    },
}

struct Builder {
    tags: Tags,
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their size in nodes.
    anchors: Vec<Option<(Node, usize)>>,
    docs: Vec<Node>,
    alias_nodes: usize,
}

impl Builder {
    fn event(&mut self, event: Event, mark: Marker) -> Result<(), YamlError> {
        let line = saturate(mark.line());
        let error = |message: String| YamlError {
            line,
            column: saturate(mark.col() + 1),
            message,
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let node = scalar(text, style, line);
                let node = self.apply_tag(tag, node).map_err(error)?;
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.enter(Frame::Seq {
                    items: Vec::new(),
                    line,
                    anchor,
                    tag,
                })
                .map_err(error)?;
            }
            Event::MappingStart(anchor, tag) => {
                self.enter(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    line,
                    anchor,
                    tag,
                })
                .map_err(error)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor, tag) = match frame {
                    Frame::Seq {
                        items,
                        line,
                        anchor,
                        tag,
                    } => (Node::new(Value::List(items), line), anchor, tag),
                    Frame::Map {
                        entries,
                        line,
                        anchor,
                        tag,
                        ..
                    } => (
                        Node::new(Value::Map(merge_keys(entries)), line),
                        anchor,
                        tag,
                    ),
                };
                let node = self.apply_tag(tag, node).map_err(error)?;
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::Alias(id) => {
                let Some(Some((node, size))) = self.anchors.get(id) else {
                    return Err(error("alias to an unknown anchor".into()));
                };
                self.alias_nodes += size;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(error(format!(
                        "aliases expand to more than {MAX_ALIAS_NODES} nodes (refused as a billion-laughs document)"
                    )));
                }
                let node = node.clone();
                self.push(node);
            }
            Event::DocumentEnd => {
                self.stack.clear();
                self.anchors.clear();
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart => {}
        }
        Ok(())
    }

    fn enter(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if !matches!(node.value, Value::Null) {
                    self.docs.push(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    // A block collection reports the line of its key (`Properties:`), where
                    // a reader looks, not the line of its first entry.
                    let mut node = node;
                    if matches!(node.value, Value::List(_) | Value::Map(_)) && k.line > 0 {
                        node.line = k.line;
                    }
                    entries.push((key_text(&k), node));
                }
            },
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        if let Some(slot) = self.anchors.get_mut(anchor) {
            *slot = Some((node.clone(), size(node)));
        }
    }

    fn apply_tag(&self, tag: Option<Tag>, node: Node) -> Result<Node, String> {
        let Some(tag) = tag else {
            return Ok(node);
        };
        if tag.handle != "!" || self.tags == Tags::Ignore {
            // `!!str`, `!!int` and friends: the scalar's text already decides its type well
            // enough for rules; quoted `!!str` values stay strings.
            if tag.suffix == "str" {
                if let Some(text) = scalar_text(&node) {
                    return Ok(Node::str(text, node.line));
                }
            }
            return Ok(node);
        }
        cloudformation_tag(&tag.suffix, node)
    }
}

/// The long form of a CloudFormation short-form intrinsic.
fn cloudformation_tag(name: &str, node: Node) -> Result<Node, String> {
    let line = node.line;
    let wrap = |key: &str, value: Node| Node::new(Value::Map(vec![(key.to_string(), value)]), line);
    Ok(match name {
        "Ref" | "Condition" => wrap(name, node),
        "GetAtt" => match &node.value {
            Value::Str(s) => {
                let (resource, attribute) = s.split_once('.').unwrap_or((s, ""));
                let parts = vec![Node::str(resource, line), Node::str(attribute, line)];
                wrap("Fn::GetAtt", Node::new(Value::List(parts), line))
            }
            _ => wrap("Fn::GetAtt", node),
        },
        "Sub" | "Join" | "If" | "Select" | "Split" | "FindInMap" | "Base64" | "ImportValue"
        | "GetAZs" | "Equals" | "And" | "Or" | "Not" | "Cidr" => wrap(&format!("Fn::{name}"), node),
        other => return Err(format!("unknown CloudFormation tag `!{other}`")),
    })
}

fn scalar(text: String, style: TScalarStyle, line: u32) -> Node {
    if style != TScalarStyle::Plain {
        return Node::str(text, line);
    }
    let value = match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t => {
            if let Ok(i) = t.parse::<i64>() {
                Value::Int(i)
            } else if looks_like_float(t) {
                t.parse::<f64>()
                    .map(Value::Float)
                    .unwrap_or(Value::Str(text))
            } else {
                Value::Str(text)
            }
        }
    };
    Node::new(value, line)
}

/// YAML 1.2 core-schema floats only (`1.5`, `-2e3`), not `inf`/`nan` words or dates.
fn looks_like_float(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    !body.is_empty()
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
}

fn scalar_text(node: &Node) -> Option<String> {
    Some(match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        _ => return None,
    })
}

fn key_text(node: &Node) -> String {
    scalar_text(node).unwrap_or_default()
}

/// Applies YAML merge keys: entries of the maps under `<<` that the map does not set itself.
fn merge_keys(entries: Vec<(String, Node)>) -> Vec<(String, Node)> {
    if !entries.iter().any(|(k, _)| k == "<<") {
        return entries;
    }
    let mut own: Vec<(String, Node)> = Vec::with_capacity(entries.len());
    let mut merged = Vec::new();
    for (key, value) in entries {
        if key == "<<" {
            for source in value.items() {
                merged.extend(source.entries().iter().cloned());
            }
        } else {
            own.push((key, value));
        }
    }
    for (key, value) in merged {
        if !own.iter().any(|(k, _)| *k == key) {
            own.push((key, value));
        }
    }
    own
}

fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::List(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| size(v)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, tags: Tags) -> Node {
        let mut docs = parse(text, tags).expect("parses");
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn values_keep_their_lines() {
        let doc = one("a:\n  b: 1\n  c:\n    - x\n    - 'true'\n", Tags::Ignore);
        assert_eq!(doc.path("a.b").map(|n| n.line), Some(2));
        let c = doc.path("a.c").expect("c");
        let lines: Vec<u32> = c.items().map(|n| n.line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert!(c.items().nth(1).is_some_and(Node::is_true));
    }

    #[test]
    fn short_form_intrinsics_become_long_form() {
        let doc = one(
            "A: !Ref Bucket\nB: !GetAtt Bucket.Arn\nC: !Sub '${X}'\nD: !If [c, 1, 2]\n",
            Tags::CloudFormation,
        );
        assert_eq!(doc.path("A.Ref").and_then(Node::as_str), Some("Bucket"));
        let get_att = doc.path("B.Fn::GetAtt").expect("GetAtt");
        assert_eq!(get_att.strings(), vec!["Bucket", "Arn"]);
        assert!(doc.get("C").is_some_and(Node::is_dynamic));
        assert!(doc.path("D.Fn::If").is_some());
    }

    #[test]
    fn an_unknown_tag_in_a_template_is_an_error_with_its_line() {
        let err = parse("a: 1\nb: !Bogus x\n", Tags::CloudFormation).expect_err("unknown tag");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("!Bogus"), "{err}");
        assert!(parse("b: !Bogus x\n", Tags::Ignore).is_ok());
    }

    #[test]
    fn documents_are_split_and_empty_ones_dropped() {
        let docs = parse("a: 1\n---\n---\nb: 2\n", Tags::Ignore).expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs.get(1).and_then(|d| d.get("b")).map(|n| n.line),
            Some(4)
        );
    }

    #[test]
    fn merge_keys_apply_without_overriding() {
        let doc = one(
            "base: &b {x: 1, y: 2}\nsvc:\n  <<: *b\n  y: 3\n",
            Tags::Ignore,
        );
        let svc = doc.get("svc").expect("svc");
        assert_eq!(svc.get("x").and_then(Node::as_i64), Some(1));
        assert_eq!(svc.get("y").and_then(Node::as_i64), Some(3));
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let err = parse(&text, Tags::Ignore).expect_err("refused");
        assert!(err.message.contains("billion"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100_000);
        assert!(parse(&text, Tags::Ignore).is_err());
        let mut block = String::new();
        for depth in 0..200 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        let err = parse(&block, Tags::Ignore).expect_err("too deep");
        assert!(err.message.contains("nested deeper"), "{err}");
    }

    #[test]
    fn json_reads_as_yaml() {
        let doc = one(
            "{\n \"Resources\": {\n  \"B\": {\"Type\": \"AWS::S3::Bucket\"}\n }\n}",
            Tags::CloudFormation,
        );
        assert_eq!(doc.path("Resources.B").map(|n| n.line), Some(3));
    }
}
