//! The parsers, one module per input language, and how a file is recognised.
//!
//! Terraform files are recognised by extension and read per directory (a module). YAML and
//! JSON files are recognised by content: a CloudFormation template (`AWSTemplateFormatVersion`,
//! or `Resources` with `AWS::` types), a Terraform plan (`planned_values`), Kubernetes objects
//! (`apiVersion` and `kind`); compose files and Dockerfiles by name. Anything else is not
//! infrastructure-as-code and is skipped silently.

pub mod cloudformation;
pub mod compose;
pub mod dockerfile;
pub mod kubernetes;
pub mod terraform;
pub mod tf_json;
pub mod tfplan;

use std::path::Path;
use std::sync::Arc;

use crate::model::Resource;
use crate::yaml::{self, Tags};
use compose::ComposeService;
use dockerfile::Dockerfile;
use kubernetes::KubeObject;

/// What a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `*.tf`, `*.tf.json`, and the variable files Terraform loads by itself
    /// (`terraform.tfvars(.json)`, `*.auto.tfvars(.json)`).
    Terraform,
    /// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`.
    Dockerfile,
    /// `docker-compose*.y(a)ml`, `compose*.y(a)ml`.
    Compose,
    /// Other YAML or JSON (`*.yaml`, `*.yml`, `*.json`, `*.template`): decided by content.
    Structured,
}

/// The kind of a file by name; `None` for files ward does not read.
pub(crate) fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if terraform::is_terraform_name(&lower) {
        return Some(FileKind::Terraform);
    }
    let data_extension = [
        ".json", ".yaml", ".yml", ".md", ".txt", ".sh", ".ps1", ".tsv",
    ]
    .iter()
    .any(|e| lower.ends_with(e));
    if lower == "dockerfile"
        || lower == "containerfile"
        || (lower.starts_with("dockerfile.") && !data_extension)
        || lower.ends_with(".dockerfile")
    {
        return Some(FileKind::Dockerfile);
    }
    let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose")) {
        return Some(FileKind::Compose);
    }
    if yaml || lower.ends_with(".json") || lower.ends_with(".template") {
        if in_helm_templates(path) {
            // Chart templates are Go templates, YAML only once rendered (`helm template`).
            return None;
        }
        return Some(FileKind::Structured);
    }
    None
}

fn in_helm_templates(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .and_then(Path::parent)
        .is_some_and(|chart| chart.join("Chart.yaml").is_file())
}

/// What one non-Terraform file holds.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// AWS resources, one group per template or plan.
    pub(crate) aws: Vec<Vec<Resource>>,
    /// Kubernetes objects.
    pub(crate) kube: Vec<KubeObject>,
    /// Dockerfiles.
    pub(crate) docker: Vec<Dockerfile>,
    /// Compose services.
    pub(crate) compose: Vec<ComposeService>,
    /// Files that could not be read, one message each, naming file and line.
    pub(crate) warnings: Vec<String>,
    /// Whether the file was infrastructure-as-code at all.
    pub(crate) recognised: bool,
}

/// Reads one non-Terraform file into `out`.
pub(crate) fn parse_file(file: &Arc<str>, kind: FileKind, text: &str, out: &mut Parsed) {
    match kind {
        FileKind::Terraform => {}
        FileKind::Dockerfile => {
            out.recognised = true;
            out.docker.push(Dockerfile::parse(file.clone(), text));
        }
        FileKind::Compose => {
            let Some(docs) = documents(file, text, Tags::Ignore, out) else {
                return;
            };
            out.recognised = true;
            for doc in &docs {
                out.compose.extend(compose::services(doc, file));
            }
        }
        FileKind::Structured => {
            let cloudformation = text.contains("AWSTemplateFormatVersion")
                || (text.contains("Resources") && text.contains("AWS::"));
            let plan = text.contains("planned_values") && text.contains("format_version");
            let kube = text.contains("apiVersion") && text.contains("kind");
            if !(cloudformation || plan || kube) {
                return;
            }
            let tags = if cloudformation && !plan {
                Tags::CloudFormation
            } else {
                Tags::Ignore
            };
            let Some(docs) = documents(file, text, tags, out) else {
                return;
            };
            for doc in &docs {
                if cloudformation::is_template(doc) {
                    out.recognised = true;
                    out.aws.push(cloudformation::resources(doc, file));
                } else if tfplan::is_plan(doc) {
                    out.recognised = true;
                    out.aws.push(tfplan::resources(doc, file));
                } else if kubernetes::is_object(doc) {
                    out.recognised = true;
                    kubernetes::objects(doc, file, &mut out.kube);
                }
            }
        }
    }
}

/// The YAML documents of a file; on a syntax error, a warning naming file and line (the file
/// counts as recognised, as it looked like infrastructure-as-code).
fn documents(
    file: &Arc<str>,
    text: &str,
    tags: Tags,
    out: &mut Parsed,
) -> Option<Vec<crate::model::Node>> {
    match yaml::parse(text, tags) {
        Ok(docs) => Some(docs),
        Err(err) => {
            out.recognised = true;
            out.warnings.push(format!("{file}: {err}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_name() {
        let cases = [
            ("main.tf", Some(FileKind::Terraform)),
            ("cdk.tf.json", Some(FileKind::Terraform)),
            ("terraform.tfvars", Some(FileKind::Terraform)),
            ("prod.auto.tfvars.json", Some(FileKind::Terraform)),
            ("prod.tfvars", None),
            ("prod.tfvars.json", Some(FileKind::Structured)),
            ("Dockerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.prod", Some(FileKind::Dockerfile)),
            ("dockerfile.json", Some(FileKind::Structured)),
            ("api.Dockerfile", Some(FileKind::Dockerfile)),
            ("docker-compose.override.yml", Some(FileKind::Compose)),
            ("compose.yaml", Some(FileKind::Compose)),
            ("deploy.yaml", Some(FileKind::Structured)),
            ("stack.template.json", Some(FileKind::Structured)),
            ("README.md", None),
        ];
        for (name, kind) in cases {
            assert_eq!(kind_of(Path::new(name)), kind, "{name}");
        }
    }

    #[test]
    fn helm_chart_templates_are_left_to_their_rendered_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chart = dir.path().join("chart");
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        std::fs::write(chart.join("Chart.yaml"), "name: c\n").expect("write");
        assert_eq!(kind_of(&chart.join("templates/deployment.yaml")), None);
        assert_eq!(
            kind_of(&chart.join("values.yaml")),
            Some(FileKind::Structured)
        );
        assert_eq!(
            kind_of(&dir.path().join("templates/deployment.yaml")),
            Some(FileKind::Structured)
        );
    }

    #[test]
    fn an_unknown_intrinsic_is_a_warning_naming_file_and_line() {
        let mut out = Parsed::default();
        parse_file(
            &Arc::from("t.yaml"),
            FileKind::Structured,
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Bogus x\n",
            &mut out,
        );
        assert_eq!(out.warnings.len(), 1);
        let warning = out.warnings.first().expect("warning");
        assert!(warning.starts_with("t.yaml: line 5"), "{warning}");
    }

    #[test]
    fn tab_indented_json_templates_are_read() {
        let mut out = Parsed::default();
        parse_file(
            &Arc::from("t.json"),
            FileKind::Structured,
            "{\n\t\"Resources\": {\n\t\t\"B\": {\n\t\t\t\"Type\": \"AWS::S3::Bucket\"\n\t\t}\n\t}\n}\n",
            &mut out,
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let bucket = out.aws.first().and_then(|g| g.first()).expect("bucket");
        assert_eq!(bucket.lines.0, 3);
    }

    #[test]
    fn yaml_that_is_not_iac_is_skipped_quietly() {
        let mut out = Parsed::default();
        parse_file(
            &Arc::from("ci.yml"),
            FileKind::Structured,
            "stages: [a]\n: broken",
            &mut out,
        );
        assert!(!out.recognised);
        assert!(out.warnings.is_empty());
    }
}
