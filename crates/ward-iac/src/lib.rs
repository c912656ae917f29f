//! ward's infrastructure-as-code scanner: CloudFormation and SAM templates (YAML, JSON,
//! CDK's `cdk.out`), Terraform (HCL with variables, locals and local modules; plan JSON),
//! Kubernetes manifests, Dockerfiles and docker-compose files, checked against the built-in
//! rules of [`rules`] and returned as ward findings.
//!
//! [`scan`] walks a directory (`.gitignore` respected) or reads one file, parses what it
//! recognises, runs every rule that applies, drops nothing it was asked to skip but marks
//! it: a rule suppressed in the file's own convention (CloudFormation `Metadata`, a Terraform
//! or Dockerfile comment, a Kubernetes annotation) gives a finding with status `accepted`
//! and the reason as evidence. Files that cannot be parsed become warnings naming the file
//! and line; the scan goes on. Libraries do not print: the caller shows the warnings.
#![warn(missing_docs)]

pub mod model;
pub mod parsers;
pub mod rules;
pub mod yaml;

mod aws_types;
mod findings;
mod walk;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ward_core::Finding;

use crate::parsers::terraform::{self, TfFile};
use crate::parsers::{FileKind, Parsed};

/// The tool name findings carry.
pub const TOOL: &str = "ward";

/// Files larger than this are skipped with a warning by default.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// How to scan.
#[derive(Debug, Clone)]
pub struct Config {
    /// Skip files larger than this many bytes (with a warning).
    pub max_file_size: u64,
    /// Worker threads (0: one per CPU).
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: 0,
        }
    }
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct Scan {
    /// Findings, ordered by file, line and rule, with fingerprints.
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed, one message each, sorted.
    pub warnings: Vec<String>,
    /// How many files were recognised as infrastructure-as-code.
    pub n_files: usize,
}

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not exist or cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Scans a directory or a single file.
pub fn scan(root: &Path, config: &Config) -> Result<Scan, Error> {
    let metadata = std::fs::metadata(root).map_err(|source| Error::Read {
        path: root.to_path_buf(),
        source,
    })?;
    let (candidates, mut warnings) = if metadata.is_file() {
        (walk::single(root), Vec::new())
    } else {
        walk::find(root)
    };

    // Read and parse every file; Terraform files are kept per directory (one module).
    let threads = walk::threads(config.threads);
    let parsed = walk::parallel_map(candidates, threads, |candidate| {
        read_one(&candidate, config.max_file_size)
    });
    let mut modules: HashMap<PathBuf, Vec<TfFile>> = HashMap::new();
    let mut others = Vec::new();
    let mut n_files = 0;
    for outcome in parsed {
        match outcome {
            Outcome::Terraform(dir, file) => {
                n_files += 1;
                modules.entry(dir).or_default().push(*file);
            }
            Outcome::Other(parsed) => {
                n_files += usize::from(parsed.recognised);
                warnings.extend(parsed.warnings.iter().cloned());
                others.push(parsed);
            }
            Outcome::Warning(w) => warnings.push(w),
            Outcome::Skip => {}
        }
    }

    // A directory another module calls is evaluated through that call, with its inputs.
    let called: HashSet<PathBuf> = modules
        .iter()
        .flat_map(|(dir, files)| terraform::module_calls(dir, files))
        .filter(|d| modules.contains_key(d))
        .collect();
    let mut roots: Vec<&PathBuf> = modules.keys().filter(|d| !called.contains(*d)).collect();
    roots.sort();
    let groups = walk::parallel_map(roots, threads, |dir| terraform::resources(dir, &modules));

    let mut findings = Vec::new();
    for group in groups
        .iter()
        .chain(others.iter().flat_map(|p| p.aws.iter()))
    {
        findings.extend(findings::aws(group));
    }
    for parsed in &others {
        findings.extend(parsed.kube.iter().flat_map(findings::kubernetes));
        findings.extend(parsed.docker.iter().flat_map(findings::dockerfile));
        findings.extend(parsed.compose.iter().flat_map(findings::compose));
    }
    findings::finish(&mut findings);
    warnings.sort();
    warnings.dedup();
    Ok(Scan {
        findings,
        warnings,
        n_files,
    })
}

/// Scans one file's content as if it were the file `name` (its kind decided by the name),
/// alone: a Terraform file is a module of its own. Used by tests and fuzzing.
pub fn scan_text(name: &str, text: &str) -> Scan {
    let file: Arc<str> = Arc::from(name);
    let mut scan = Scan::default();
    let Some(kind) = parsers::kind_of(Path::new(name)) else {
        return scan;
    };
    if kind == FileKind::Terraform {
        match TfFile::parse(file.clone(), text.to_string()) {
            Ok(tf) => {
                let dir = PathBuf::from("");
                let modules = HashMap::from([(dir.clone(), vec![tf])]);
                scan.n_files = 1;
                scan.findings = findings::aws(&terraform::resources(&dir, &modules));
            }
            Err(e) => scan.warnings.push(format!(
                "{file}: line {}, column {}: {}",
                e.line, e.column, e.message
            )),
        }
    } else {
        let mut parsed = Parsed::default();
        parsers::parse_file(&file, kind, text, &mut parsed);
        scan.n_files = usize::from(parsed.recognised);
        scan.warnings = parsed.warnings.clone();
        for group in &parsed.aws {
            scan.findings.extend(findings::aws(group));
        }
        scan.findings
            .extend(parsed.kube.iter().flat_map(findings::kubernetes));
        scan.findings
            .extend(parsed.docker.iter().flat_map(findings::dockerfile));
        scan.findings
            .extend(parsed.compose.iter().flat_map(findings::compose));
    }
    findings::finish(&mut scan.findings);
    scan
}

enum Outcome {
    Terraform(PathBuf, Box<TfFile>),
    Other(Parsed),
    Warning(String),
    Skip,
}

fn read_one(candidate: &walk::Candidate, max_file_size: u64) -> Outcome {
    let name: Arc<str> = Arc::from(candidate.display.as_str());
    match std::fs::metadata(&candidate.path) {
        Ok(m) if m.len() > max_file_size => {
            return Outcome::Warning(format!(
                "{name}: skipped, {} bytes is over the {max_file_size}-byte limit",
                m.len()
            ));
        }
        Ok(_) => {}
        Err(e) => return Outcome::Warning(format!("{name}: {e}")),
    }
    let bytes = match std::fs::read(&candidate.path) {
        Ok(b) => b,
        Err(e) => return Outcome::Warning(format!("{name}: {e}")),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return match candidate.kind {
            FileKind::Structured => Outcome::Skip,
            _ => Outcome::Warning(format!("{name}: not UTF-8 text")),
        };
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if candidate.kind == FileKind::Terraform {
        let dir = candidate
            .path
            .parent()
            .map(terraform::normalize)
            .unwrap_or_default();
        return match TfFile::parse(name.clone(), text) {
            Ok(file) => Outcome::Terraform(dir, Box::new(file)),
            Err(e) => Outcome::Warning(format!(
                "{name}: line {}, column {}: {}",
                e.line, e.column, e.message
            )),
        };
    }
    let mut parsed = Parsed::default();
    parsers::parse_file(&name, candidate.kind, &text, &mut parsed);
    Outcome::Other(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_module_with_cross_references_scans_quickly() {
        let mut text = String::new();
        for i in 0..2_000 {
            text.push_str(&format!(
                "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b{i}\"\n}}\nresource \"aws_s3_bucket_versioning\" \"v{i}\" {{\n  bucket = aws_s3_bucket.b{i}.id\n  versioning_configuration {{\n    status = \"Enabled\"\n  }}\n}}\n"
            ));
        }
        let started = std::time::Instant::now();
        let scan = scan_text("main.tf", &text);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
        assert!(scan.warnings.is_empty());
        let versioning = scan
            .findings
            .iter()
            .filter(|f| f.rule_id.as_deref() == Some("aws-s3-versioning-disabled"))
            .count();
        assert_eq!(versioning, 0, "every bucket has its versioning resource");
        let logging = scan
            .findings
            .iter()
            .filter(|f| f.rule_id.as_deref() == Some("aws-s3-access-logging-disabled"))
            .count();
        assert_eq!(logging, 2_000);
    }
}
