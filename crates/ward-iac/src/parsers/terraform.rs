//! Terraform configuration: the `resource` and `data` blocks of a module as [`Resource`]s,
//! with simple expressions evaluated.
//!
//! Both syntaxes are read into the same model: native HCL (`*.tf`,
//! <https://developer.hashicorp.com/terraform/language/syntax/configuration>, parsed by
//! `hcl-edit`, which keeps byte spans so every value has its line) and the JSON syntax
//! (`*.tf.json`, <https://developer.hashicorp.com/terraform/language/syntax/json>, read by
//! [`super::tf_json`]), whose strings are HCL templates (`"${var.x}"`).
//! Evaluation covers what scanners need to see literal settings: `var.x` (the module input,
//! else the variable's `default`), `local.x`, attribute and index access into known values,
//! string templates, `jsonencode`, `merge`, `concat`, `lookup`, `try`, `coalesce`, `lower`,
//! `upper`, `join`, `tolist`, `toset`, `tomap` and conditionals on known booleans. Anything
//! else (a reference to another resource, `data`, an unknown function) stays an
//! [`Value::Expr`] holding its source text, which rules treat as "set at deploy time".
//! Blocks become lists of maps, as in plan JSON; a `dynamic "x"` block counts as a block `x`.
//! A `module` whose `source` is a local path in the scanned tree is followed, with its inputs
//! evaluated in the caller; its resources are addressed `module.NAME.TYPE.NAME`.
//! The root module's variables take the values of the variable files Terraform loads by
//! itself (`terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars` and
//! `*.auto.tfvars.json` in lexical order, each overriding the one before), else their
//! `default`. Suppressions are comments inside the block: `# ward:skip=RULE reason` and
//! checkov's `#checkov:skip=CKV_AWS_20:reason`; in JSON, the same text in a `"//"` property.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::{Expression, FuncCall, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;

use crate::model::{Dialect, Node, Resource, Suppression, Value};
use crate::parsers::cloudformation::last_line;
use crate::parsers::tf_json;

/// Modules nested deeper than this are not followed (a guard against cycles).
const MAX_MODULE_DEPTH: u32 = 8;
/// Expressions nested deeper than this evaluate to an unknown value.
const MAX_EVAL_DEPTH: u32 = 64;

/// One parsed Terraform file: configuration or variable values, in either syntax.
pub(crate) struct TfFile {
    path: Arc<str>,
    text: String,
    line_starts: Vec<usize>,
    syntax: Syntax,
    /// `Some` for a variable-values file: where it stands in Terraform's loading order.
    vars: Option<VarsOrder>,
}

/// The parsed content of a file.
enum Syntax {
    /// Native syntax.
    Hcl(Body),
    /// JSON syntax: the root object, with lines.
    Json(Node),
}

/// Where a variable-values file stands in Terraform's loading order: `terraform.tfvars`,
/// `terraform.tfvars.json`, then `*.auto.tfvars(.json)` by file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct VarsOrder {
    rank: u8,
    name: String,
}

/// A syntax error, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) message: String,
}

/// Whether a file name (any case) is Terraform configuration or a variable file Terraform
/// loads by itself.
pub(crate) fn is_terraform_name(lower: &str) -> bool {
    lower.ends_with(".tf") || lower.ends_with(".tf.json") || vars_order(lower).is_some()
}

fn vars_order(lower: &str) -> Option<VarsOrder> {
    let rank = match lower {
        "terraform.tfvars" => 0,
        "terraform.tfvars.json" => 1,
        _ if lower.ends_with(".auto.tfvars") || lower.ends_with(".auto.tfvars.json") => 2,
        _ => return None,
    };
    Some(VarsOrder {
        rank,
        name: lower.to_string(),
    })
}

impl TfFile {
    /// Parses one file, HCL or JSON by its name; `path` is how findings name it.
    pub(crate) fn parse(path: Arc<str>, text: String) -> Result<TfFile, SyntaxError> {
        let lower = path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let syntax = if lower.ends_with(".json") {
            Syntax::Json(tf_json::parse(&text)?)
        } else {
            Syntax::Hcl(
                hcl_edit::parser::parse_body(&text).map_err(|e| SyntaxError {
                    line: u32::try_from(e.location().line()).unwrap_or(u32::MAX),
                    column: u32::try_from(e.location().column()).unwrap_or(u32::MAX),
                    message: e.message().to_string(),
                })?,
            )
        };
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ok(TfFile {
            path,
            text,
            line_starts,
            syntax,
            vars: vars_order(&lower),
        })
    }

    /// The whole file as expression source.
    fn src(&self) -> Src<'_> {
        Src {
            text: &self.text,
            line_starts: &self.line_starts,
            base_line: 0,
        }
    }

    fn line(&self, offset: usize) -> u32 {
        self.src().line(offset)
    }

    fn line_of(&self, span: Option<Range<usize>>) -> u32 {
        self.src().line_of(span)
    }

    /// The HCL blocks of a configuration file named `ident`.
    fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        let body = match (&self.syntax, &self.vars) {
            (Syntax::Hcl(body), None) => Some(body),
            _ => None,
        };
        body.into_iter()
            .flat_map(|b| b.iter())
            .filter_map(move |s| match s {
                Structure::Block(b) if b.ident.as_str() == ident => Some(b),
                _ => None,
            })
    }

    /// The JSON blocks of a configuration file of type `ident` with `labels` labels.
    fn json_blocks(&self, ident: &str, labels: usize) -> Vec<tf_json::Block<'_>> {
        match (&self.syntax, &self.vars) {
            (Syntax::Json(root), None) => tf_json::blocks(root, ident, labels),
            _ => Vec::new(),
        }
    }
}

/// The text expressions are read from, and how offsets in it map to lines: a whole `.tf`
/// file, or one string of a `.tf.json` file (all of it on the line the string is on).
#[derive(Clone, Copy)]
struct Src<'a> {
    text: &'a str,
    /// Where each line starts (empty for a JSON string).
    line_starts: &'a [usize],
    /// Added to the line found in `line_starts`.
    base_line: u32,
}

impl<'a> Src<'a> {
    /// A JSON string on `line`.
    fn fragment(text: &'a str, line: u32) -> Src<'a> {
        Src {
            text,
            line_starts: &[],
            base_line: line,
        }
    }

    fn line(&self, offset: usize) -> u32 {
        let index = self.line_starts.partition_point(|start| *start <= offset);
        u32::try_from(index)
            .unwrap_or(u32::MAX)
            .saturating_add(self.base_line)
    }

    fn line_of(&self, span: Option<Range<usize>>) -> u32 {
        span.map(|s| self.line(s.start)).unwrap_or(self.base_line)
    }

    fn source(&self, span: Option<Range<usize>>) -> String {
        span.and_then(|s| self.text.get(s))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "<expression>".to_string())
    }
}

/// The local module directories that `module` blocks of these files call (`source =
/// "./modules/x"`), resolved against `dir`.
pub(crate) fn module_calls(dir: &Path, files: &[TfFile]) -> Vec<PathBuf> {
    let hcl = files
        .iter()
        .flat_map(|f| f.blocks("module"))
        .filter_map(|b| local_source(dir, b));
    let json = files
        .iter()
        .flat_map(|f| f.json_blocks("module", 1))
        .filter_map(|b| json_local_source(dir, b.body));
    hcl.chain(json).collect()
}

fn local_source(dir: &Path, block: &Block) -> Option<PathBuf> {
    let source = attribute(&block.body, "source")?;
    let Expression::String(s) = source else {
        return None;
    };
    relative_source(dir, s.value())
}

fn json_local_source(dir: &Path, body: &Node) -> Option<PathBuf> {
    relative_source(dir, tf_json::property(body, "source")?.as_str()?)
}

fn relative_source(dir: &Path, source: &str) -> Option<PathBuf> {
    (source.starts_with("./") || source.starts_with("../")).then(|| normalize(&dir.join(source)))
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The resources of the root module in `dir` and of the local modules it calls (looked up
/// in `modules`, every parsed directory of the scan by path).
pub(crate) fn resources(dir: &Path, modules: &HashMap<PathBuf, Vec<TfFile>>) -> Vec<Resource> {
    let mut out = Vec::new();
    if let Some(files) = modules.get(dir) {
        let module = Module::new(files, variable_values(files));
        let at = Scope {
            dir,
            prefix: String::new(),
            modules,
            depth: 0,
        };
        module.collect(&at, &mut out);
    }
    out
}

/// The values the variable files among `files` set, later files in Terraform's loading
/// order overriding earlier ones. Values in them are constants: HCL is evaluated without
/// variables, JSON taken as written.
fn variable_values(files: &[TfFile]) -> Vec<(String, Node)> {
    let mut var_files: Vec<(&VarsOrder, &TfFile)> = files
        .iter()
        .filter_map(|f| f.vars.as_ref().map(|order| (order, f)))
        .collect();
    var_files.sort_by(|a, b| a.0.cmp(b.0));
    let constants = Module::new(&[], Vec::new());
    let mut values: Vec<(String, Node)> = Vec::new();
    for (_, file) in var_files {
        let assigned: Vec<(String, Node)> = match &file.syntax {
            Syntax::Hcl(body) => body
                .iter()
                .filter_map(|s| match s {
                    Structure::Attribute(a) => Some((
                        a.key.as_str().to_string(),
                        constants.eval(file.src(), &a.value, 0),
                    )),
                    Structure::Block(_) => None,
                })
                .collect(),
            Syntax::Json(root) => root
                .entries()
                .iter()
                .filter(|(k, _)| !tf_json::is_comment(k))
                .cloned()
                .collect(),
        };
        for (name, value) in assigned {
            match values.iter_mut().find(|(k, _)| *k == name) {
                Some((_, old)) => *old = value,
                None => values.push((name, value)),
            }
        }
    }
    values
}

/// Where a variable's default or a local's value is written.
#[derive(Clone, Copy)]
enum Def<'a> {
    /// An HCL expression.
    Hcl(&'a TfFile, &'a Expression),
    /// A JSON value whose strings are templates (locals).
    Json(&'a Node),
    /// A JSON value taken as written (variable defaults).
    Literal(&'a Node),
}

/// Where a module is being collected: its directory, the address prefix of its resources
/// (`module.NAME.`), every parsed directory of the scan, and how deep the module calls go.
struct Scope<'m> {
    dir: &'m Path,
    prefix: String,
    modules: &'m HashMap<PathBuf, Vec<TfFile>>,
    depth: u32,
}

struct Module<'a> {
    files: &'a [TfFile],
    inputs: Vec<(String, Node)>,
    variables: HashMap<&'a str, Def<'a>>,
    locals: HashMap<&'a str, Def<'a>>,
    local_values: RefCell<HashMap<String, Option<Node>>>,
}

impl<'a> Module<'a> {
    fn new(files: &'a [TfFile], inputs: Vec<(String, Node)>) -> Module<'a> {
        let mut variables = HashMap::new();
        let mut locals = HashMap::new();
        for file in files {
            for block in file.blocks("variable") {
                if let (Some(name), Some(default)) =
                    (label(block, 0), attribute(&block.body, "default"))
                {
                    variables.insert(name, Def::Hcl(file, default));
                }
            }
            for block in file.blocks("locals") {
                for s in block.body.iter() {
                    if let Structure::Attribute(a) = s {
                        locals.insert(a.key.as_str(), Def::Hcl(file, &a.value));
                    }
                }
            }
            for block in file.json_blocks("variable", 1) {
                if let (Some(name), Some(default)) = (
                    block.labels.first(),
                    tf_json::property(block.body, "default"),
                ) {
                    variables.insert(*name, Def::Literal(default));
                }
            }
            for block in file.json_blocks("locals", 0) {
                for (name, value) in block.body.entries() {
                    if !tf_json::is_comment(name) {
                        locals.insert(name.as_str(), Def::Json(value));
                    }
                }
            }
        }
        Module {
            files,
            inputs,
            variables,
            locals,
            local_values: RefCell::new(HashMap::new()),
        }
    }

    fn collect(&self, at: &Scope<'_>, out: &mut Vec<Resource>) {
        for file in self.files {
            match (&file.syntax, &file.vars) {
                (Syntax::Hcl(body), None) => {
                    self.collect_hcl(file, body, at, out);
                }
                (Syntax::Json(_), None) => {
                    self.collect_json(file, at, out);
                }
                _ => {}
            }
        }
    }

    fn collect_hcl(&self, file: &TfFile, body: &Body, at: &Scope<'_>, out: &mut Vec<Resource>) {
        for structure in body.iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            match block.ident.as_str() {
                "resource" | "data" => {
                    if let Some(resource) = self.resource(file, block, &at.prefix) {
                        out.push(resource);
                    }
                }
                "module" if at.depth < MAX_MODULE_DEPTH => {
                    let (Some(name), Some(child_dir)) =
                        (label(block, 0), local_source(at.dir, block))
                    else {
                        continue;
                    };
                    let inputs = block
                        .body
                        .iter()
                        .filter_map(|s| match s {
                            Structure::Attribute(a) if !is_module_meta(a.key.as_str()) => Some((
                                a.key.as_str().to_string(),
                                self.eval(file.src(), &a.value, 0),
                            )),
                            _ => None,
                        })
                        .collect();
                    self.call(name, &child_dir, inputs, at, out);
                }
                _ => {}
            }
        }
    }

    fn collect_json(&self, file: &TfFile, at: &Scope<'_>, out: &mut Vec<Resource>) {
        for (ident, data) in [("resource", false), ("data", true)] {
            for block in file.json_blocks(ident, 2) {
                if let [kind, name] = block.labels.as_slice() {
                    out.push(self.json_resource(file, kind, name, data, block.body, &at.prefix));
                }
            }
        }
        if at.depth >= MAX_MODULE_DEPTH {
            return;
        }
        for block in file.json_blocks("module", 1) {
            let (Some(name), Some(child_dir)) =
                (block.labels.first(), json_local_source(at.dir, block.body))
            else {
                continue;
            };
            let inputs = block
                .body
                .entries()
                .iter()
                .filter(|(k, _)| !is_module_meta(k) && !tf_json::is_comment(k))
                .map(|(k, v)| (k.clone(), self.eval_json(v, 0)))
                .collect();
            self.call(name, &child_dir, inputs, at, out);
        }
    }

    /// Collects the resources of the local module `child_dir`, called `name` with `inputs`.
    fn call(
        &self,
        name: &str,
        child_dir: &Path,
        inputs: Vec<(String, Node)>,
        at: &Scope<'_>,
        out: &mut Vec<Resource>,
    ) {
        let Some(child_files) = at.modules.get(child_dir) else {
            return;
        };
        let child = Module::new(child_files, inputs);
        let inner = Scope {
            dir: child_dir,
            prefix: format!("{}module.{name}.", at.prefix),
            modules: at.modules,
            depth: at.depth + 1,
        };
        child.collect(&inner, out);
    }

    fn resource(&self, file: &TfFile, block: &Block, prefix: &str) -> Option<Resource> {
        let kind = label(block, 0)?;
        let name = label(block, 1)?;
        let data = block.ident.as_str() == "data";
        let span = block.span();
        let lines = match &span {
            Some(s) => (file.line(s.start), file.line(s.end.saturating_sub(1))),
            None => (0, 0),
        };
        Some(Resource {
            props: self.body(file, &block.body, lines.0, 0),
            suppressions: span
                .and_then(|s| file.text.get(s))
                .map(comment_suppressions)
                .unwrap_or_default(),
            ..new_resource(file, kind, name, data, prefix, lines)
        })
    }

    fn json_resource(
        &self,
        file: &TfFile,
        kind: &str,
        name: &str,
        data: bool,
        body: &Node,
        prefix: &str,
    ) -> Resource {
        let lines = (body.line, last_line(body));
        Resource {
            props: self.json_body(body, 0),
            suppressions: tf_json::comments(body)
                .into_iter()
                .flat_map(|c| comment_suppressions(&format!("# {c}")))
                .collect(),
            ..new_resource(file, kind, name, data, prefix, lines)
        }
    }

    /// A block body as a map: attributes by key, blocks as lists of maps by their name.
    fn body(&self, file: &TfFile, body: &Body, line: u32, depth: u32) -> Node {
        let mut entries: Vec<(String, Node)> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    entries.push((
                        a.key.as_str().to_string(),
                        self.eval(file.src(), &a.value, depth),
                    ));
                }
                Structure::Block(b) => {
                    let block_line = file.line_of(b.span());
                    let (name, content) = if b.ident.as_str() == "dynamic" {
                        let content = b.body.iter().find_map(|s| match s {
                            Structure::Block(c) if c.ident.as_str() == "content" => Some(&c.body),
                            _ => None,
                        });
                        match (label(b, 0), content) {
                            (Some(name), Some(content)) => (name.to_string(), content),
                            _ => continue,
                        }
                    } else {
                        (b.ident.as_str().to_string(), &b.body)
                    };
                    let node = self.body(file, content, block_line, depth + 1);
                    push_block(&mut entries, name, node, block_line);
                }
            }
        }
        Node::new(Value::Map(entries), line)
    }

    /// A JSON block body as [`Module::body`] makes it: `"//"` left out, a nested object or
    /// array of objects as the blocks it may be (rules read a map and a one-block list
    /// alike), `dynamic` blocks by their label with their `content`.
    fn json_body(&self, body: &Node, depth: u32) -> Node {
        let mut entries: Vec<(String, Node)> = Vec::new();
        for (key, value) in body.entries() {
            if tf_json::is_comment(key) {
                continue;
            }
            if key == "dynamic" {
                for block in tf_json::blocks_of(value, 1) {
                    let (Some(name), Some(content)) = (
                        block.labels.first(),
                        tf_json::property(block.body, "content"),
                    ) else {
                        continue;
                    };
                    let node = self.json_body(content, depth + 1);
                    push_block(&mut entries, name.to_string(), node, block.body.line);
                }
                continue;
            }
            entries.push((key.clone(), self.eval_json(value, depth)));
        }
        Node::new(Value::Map(entries), body.line)
    }

    /// A JSON value as an expression: strings are templates, the rest as written.
    fn eval_json(&self, node: &Node, depth: u32) -> Node {
        if depth > MAX_EVAL_DEPTH {
            return Node::new(Value::Expr("<expression>".to_string()), node.line);
        }
        let value = match &node.value {
            Value::Str(s) if s.contains("${") || s.contains("%{") => {
                let src = Src::fragment(s, node.line);
                return match hcl_edit::parser::parse_template(s) {
                    Ok(template) => self.template(src, &template, node.line, depth + 1),
                    Err(_) => Node::new(Value::Expr(s.clone()), node.line),
                };
            }
            Value::List(items) => {
                Value::List(items.iter().map(|n| self.eval_json(n, depth + 1)).collect())
            }
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .filter(|(k, _)| !tf_json::is_comment(k))
                    .map(|(k, v)| (k.clone(), self.eval_json(v, depth + 1)))
                    .collect(),
            ),
            other => other.clone(),
        };
        Node::new(value, node.line)
    }

    fn eval(&self, src: Src<'_>, expr: &Expression, depth: u32) -> Node {
        let line = src.line_of(expr.span());
        let unknown = || Node::new(Value::Expr(src.source(expr.span())), line);
        if depth > MAX_EVAL_DEPTH {
            return unknown();
        }
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None => Value::Float(n.as_f64().unwrap_or(0.0)),
                }
            }
            Expression::String(s) => Value::Str(s.value().clone()),
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(src, e, depth + 1)).collect())
            }
            Expression::Object(object) => Value::Map(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(e) => {
                                let k = self.eval(src, e, depth + 1);
                                match k.value {
                                    Value::Str(s) => s,
                                    Value::Expr(s) => s,
                                    _ => src.source(e.span()),
                                }
                            }
                        };
                        (key, self.eval(src, value.expr(), depth + 1))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => return self.template(src, t, line, depth),
            Expression::HeredocTemplate(h) => return self.template(src, &h.template, line, depth),
            Expression::Parenthesis(p) => return self.eval(src, p.inner(), depth + 1),
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return unknown();
                };
                let mut ops = t.operators.iter().map(|o| o.value());
                let start = match (root.as_str(), ops.next()) {
                    ("var", Some(TraversalOperator::GetAttr(name))) => self.variable(name.as_str()),
                    ("local", Some(TraversalOperator::GetAttr(name))) => {
                        self.local(name.as_str(), depth)
                    }
                    _ => None,
                };
                let Some(mut node) = start else {
                    return unknown();
                };
                for op in ops {
                    let next = match op {
                        TraversalOperator::GetAttr(k) => node.get(k.as_str()).cloned(),
                        TraversalOperator::LegacyIndex(i) => usize::try_from(*i.value())
                            .ok()
                            .and_then(|i| node.items().nth(i).cloned()),
                        TraversalOperator::Index(e) => {
                            let index = self.eval(src, e, depth + 1);
                            match (&index.value, index.as_i64()) {
                                (Value::Str(k), _) => node.get(k).cloned(),
                                (_, Some(i)) => usize::try_from(i)
                                    .ok()
                                    .and_then(|i| node.items().nth(i).cloned()),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match next {
                        Some(n) => node = n,
                        None => return unknown(),
                    }
                }
                return Node::new(node.value, line);
            }
            Expression::FuncCall(call) => match self.function(src, call, line, depth) {
                Some(node) => return node,
                None => return unknown(),
            },
            Expression::Conditional(c) => match self.eval(src, &c.cond_expr, depth + 1).as_bool() {
                Some(true) => return self.eval(src, &c.true_expr, depth + 1),
                Some(false) => return self.eval(src, &c.false_expr, depth + 1),
                None => return unknown(),
            },
            _ => return unknown(),
        };
        Node::new(value, line)
    }

    fn variable(&self, name: &str) -> Option<Node> {
        if let Some((_, value)) = self.inputs.iter().find(|(k, _)| k == name) {
            return Some(value.clone());
        }
        match self.variables.get(name)? {
            Def::Literal(default) => Some((*default).clone()),
            def => Some(self.eval_def(*def, 0)),
        }
    }

    fn local(&self, name: &str, depth: u32) -> Option<Node> {
        if let Some(cached) = self.local_values.borrow().get(name) {
            // `None` marks a local being evaluated: a cycle, left unknown.
            return cached.clone();
        }
        let def = *self.locals.get(name)?;
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), None);
        let node = self.eval_def(def, depth + 1);
        let known = !matches!(node.value, Value::Expr(_));
        let result = known.then_some(node);
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), result.clone());
        result
    }

    fn eval_def(&self, def: Def<'_>, depth: u32) -> Node {
        match def {
            Def::Hcl(file, expr) => self.eval(file.src(), expr, depth),
            Def::Json(node) => self.eval_json(node, depth),
            Def::Literal(node) => node.clone(),
        }
    }

    fn template(&self, src: Src<'_>, template: &Template, line: u32, depth: u32) -> Node {
        let elements: Vec<&Element> = template.iter().collect();
        if let [Element::Interpolation(only)] = elements.as_slice() {
            return self.eval(src, &only.expr, depth + 1);
        }
        let mut text = String::new();
        for element in elements {
            match element {
                Element::Literal(literal) => text.push_str(literal.value()),
                Element::Interpolation(i) => {
                    let value = self.eval(src, &i.expr, depth + 1);
                    match &value.value {
                        Value::Str(s) => text.push_str(s),
                        Value::Int(n) => text.push_str(&n.to_string()),
                        Value::Float(n) => text.push_str(&n.to_string()),
                        Value::Bool(b) => text.push_str(&b.to_string()),
                        _ => {
                            text.push_str("${");
                            text.push_str(&src.source(i.expr.span()));
                            text.push('}');
                        }
                    }
                }
                Element::Directive(_) => text.push_str("%{…}"),
            }
        }
        Node::str(text, line)
    }

    fn function(&self, src: Src<'_>, call: &FuncCall, line: u32, depth: u32) -> Option<Node> {
        let args: Vec<Node> = call
            .args
            .iter()
            .map(|a| self.eval(src, a, depth + 1))
            .collect();
        let known = |n: &&Node| !matches!(n.value, Value::Expr(_));
        let value = match call.name.name.as_str() {
            "jsonencode" | "tolist" | "toset" | "tomap" => args.into_iter().next()?.value,
            "try" | "coalesce" => args
                .iter()
                .find(|n| known(n) && !matches!(n.value, Value::Null))?
                .value
                .clone(),
            "merge" => {
                let mut merged: BTreeMap<String, Node> = BTreeMap::new();
                let mut order = Vec::new();
                for arg in &args {
                    let Value::Map(entries) = &arg.value else {
                        return None;
                    };
                    for (k, v) in entries {
                        if merged.insert(k.clone(), v.clone()).is_none() {
                            order.push(k.clone());
                        }
                    }
                }
                Value::Map(
                    order
                        .into_iter()
                        .filter_map(|k| merged.remove(&k).map(|v| (k, v)))
                        .collect(),
                )
            }
            "concat" => {
                let mut items = Vec::new();
                for arg in &args {
                    let Value::List(list) = &arg.value else {
                        return None;
                    };
                    items.extend(list.iter().cloned());
                }
                Value::List(items)
            }
            "lookup" => {
                let map = args.first()?;
                let key = args.get(1)?.as_str()?;
                match map.get(key) {
                    Some(v) => v.value.clone(),
                    None => args.get(2)?.value.clone(),
                }
            }
            "lower" => Value::Str(args.first()?.as_str()?.to_lowercase()),
            "upper" => Value::Str(args.first()?.as_str()?.to_uppercase()),
            "join" => {
                let separator = args.first()?.as_str()?;
                let parts: Option<Vec<&str>> = args.get(1)?.items().map(Node::as_str).collect();
                Value::Str(parts?.join(separator))
            }
            _ => return None,
        };
        Some(Node::new(value, line))
    }
}

/// The `module` arguments that are not inputs of the called module.
fn is_module_meta(key: &str) -> bool {
    matches!(
        key,
        "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
    )
}

/// Adds a block to a body map: a list of the blocks of that name.
fn push_block(entries: &mut Vec<(String, Node)>, name: String, node: Node, line: u32) {
    match entries.iter_mut().find(|(k, _)| *k == name) {
        Some((
            _,
            Node {
                value: Value::List(items),
                ..
            },
        )) => items.push(node),
        _ => entries.push((name, Node::new(Value::List(vec![node]), line))),
    }
}

/// A resource with everything but its properties and suppressions.
fn new_resource(
    file: &TfFile,
    kind: &str,
    name: &str,
    data: bool,
    prefix: &str,
    lines: (u32, u32),
) -> Resource {
    let (kind, address) = if data {
        (
            format!("data.{kind}"),
            format!("{prefix}data.{kind}.{name}"),
        )
    } else {
        (kind.to_string(), format!("{prefix}{kind}.{name}"))
    };
    Resource {
        native_type: kind.clone(),
        kind,
        address,
        dialect: Dialect::Terraform,
        file: file.path.clone(),
        lines,
        props: Node::new(Value::Map(Vec::new()), lines.0),
        suppressions: Vec::new(),
    }
}

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|l| match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.value().as_str(),
    })
}

fn attribute<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == key => Some(&a.value),
        _ => None,
    })
}

/// `ward:skip=RULE reason` and `checkov:skip=ID:reason` in `#` or `//` comments.
pub(crate) fn comment_suppressions(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(comment) = line
            .find('#')
            .or_else(|| line.find("//"))
            .and_then(|i| line.get(i..))
        else {
            continue;
        };
        for marker in ["ward:skip=", "checkov:skip="] {
            let Some(rest) = comment
                .find(marker)
                .and_then(|i| comment.get(i + marker.len()..))
            else {
                continue;
            };
            let end = rest
                .find(|c: char| c.is_whitespace() || c == ':' || c == ',')
                .unwrap_or(rest.len());
            let (rule, reason) = rest.split_at(end);
            if !rule.is_empty() {
                out.push(Suppression {
                    rule: rule.to_string(),
                    reason: reason
                        .trim_start_matches([':', ' ', ','])
                        .trim()
                        .to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(files: &[(&str, &str)]) -> Vec<Resource> {
        let mut modules = HashMap::new();
        for (path, text) in files {
            let p = Path::new(path);
            let dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
            let file = TfFile::parse(Arc::from(*path), text.to_string()).expect("parses");
            modules.entry(dir).or_insert_with(Vec::new).push(file);
        }
        resources(Path::new("root"), &modules)
    }

    #[test]
    fn variables_locals_and_templates_resolve() {
        let found = module(&[(
            "root/main.tf",
            r#"
variable "acl" { default = "public-read" }
variable "env" { default = "dev" }
locals {
  prefix = { value = "acme-${var.env}" }
  open   = ["0.0.0.0/0"]
}
resource "aws_s3_bucket" "b" {
  bucket = "${local.prefix.value}-data"
  acl    = var.acl
  policy = jsonencode({ Statement = [{ Effect = "Allow" }] })
  tags   = merge({ a = "1" }, { b = local.open[0] })
  target = aws_s3_bucket.logs.id
}
"#,
        )]);
        let bucket = found.first().expect("bucket");
        assert_eq!(bucket.address, "aws_s3_bucket.b");
        assert_eq!(bucket.lines, (8, 14));
        let props = &bucket.props;
        assert_eq!(
            props.get("bucket").and_then(Node::as_str),
            Some("acme-dev-data")
        );
        assert_eq!(props.get("acl").and_then(Node::as_str), Some("public-read"));
        assert_eq!(props.get("acl").map(|n| n.line), Some(10));
        assert!(props.path("policy.Statement").is_some());
        assert_eq!(
            props.path("tags.b").and_then(Node::as_str),
            Some("0.0.0.0/0")
        );
        assert_eq!(
            props.get("target").map(|n| &n.value),
            Some(&Value::Expr("aws_s3_bucket.logs.id".into()))
        );
    }

    #[test]
    fn blocks_become_lists_and_dynamic_blocks_count() {
        let found = module(&[(
            "root/sg.tf",
            r#"
resource "aws_security_group" "sg" {
  ingress {
    from_port = 22
  }
  ingress {
    from_port = 80
  }
  dynamic "egress" {
    for_each = [1]
    content {
      from_port = 0
    }
  }
}
"#,
        )]);
        let props = &found.first().expect("sg").props;
        let ports: Vec<i64> = props
            .get("ingress")
            .expect("ingress")
            .items()
            .filter_map(|i| i.get("from_port").and_then(Node::as_i64))
            .collect();
        assert_eq!(ports, vec![22, 80]);
        assert!(props.path("egress.from_port").is_some());
    }

    #[test]
    fn local_modules_are_followed_with_their_inputs() {
        let found = module(&[
            ("root/main.tf", "module \"sg\" {\n  source = \"./modules/sg\"\n  port = 22\n}\n"),
            (
                "root/modules/sg/main.tf",
                "variable \"port\" {}\nresource \"aws_security_group\" \"x\" {\n  ingress {\n    from_port = var.port\n  }\n}\n",
            ),
        ]);
        let sg = found.first().expect("module resource");
        assert_eq!(sg.address, "module.sg.aws_security_group.x");
        assert_eq!(&*sg.file, "root/modules/sg/main.tf");
        assert_eq!(
            sg.props.path("ingress.from_port").and_then(Node::as_i64),
            Some(22)
        );
    }

    #[test]
    fn cyclic_locals_stay_unknown() {
        let found = module(&[(
            "root/main.tf",
            "locals {\n  a = local.b\n  b = local.a\n}\nresource \"x\" \"y\" { v = local.a }\n",
        )]);
        assert!(found
            .first()
            .expect("x")
            .props
            .get("v")
            .is_some_and(Node::is_dynamic));
    }

    #[test]
    fn comments_suppress_in_both_conventions() {
        let found = comment_suppressions(
            "resource \"a\" \"b\" {\n  # ward:skip=aws-s3-public-read-acl static site\n  #checkov:skip=CKV_AWS_18:logs elsewhere\n}\n",
        );
        assert_eq!(
            found,
            vec![
                Suppression {
                    rule: "aws-s3-public-read-acl".into(),
                    reason: "static site".into()
                },
                Suppression {
                    rule: "CKV_AWS_18".into(),
                    reason: "logs elsewhere".into()
                },
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = TfFile::parse(
            Arc::from("bad.tf"),
            "resource \"a\" \"b\" {\n  x = \n}\n".into(),
        )
        .err()
        .expect("error");
        assert!(err.line >= 2, "{err:?}");
    }
}
