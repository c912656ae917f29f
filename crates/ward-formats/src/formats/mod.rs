//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod asff;
mod asff_common;
mod aws_codeguru_security;
mod aws_inspector2;
mod awssecurityhub;
mod gitlab_common;
mod gitlab_container_scan;
mod gitlab_dast;
mod gitlab_dep_scan;
mod gitlab_sast;
mod gitlab_secret_detection;
mod gitleaks;
mod lenient;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &gitleaks::Gitleaks,
    &gitlab_sast::GitlabSast,
    &gitlab_dep_scan::GitlabDepScan,
    &gitlab_container_scan::GitlabContainerScan,
    &gitlab_secret_detection::GitlabSecretDetection,
    &gitlab_dast::GitlabDast,
    &awssecurityhub::AwsSecurityHub,
    &asff::Asff,
    &aws_inspector2::AwsInspector2,
    &aws_codeguru_security::AwsCodeguruSecurity,
];
