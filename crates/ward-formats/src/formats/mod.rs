//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod bandit;
mod checkov;
mod detect_secrets;
mod gitleaks;
mod hadolint;
mod horusec;
mod kics;
mod sarif;
mod sast_common;
mod secret_common;
mod semgrep;
mod sonarqube;
mod tfsec;
mod trufflehog;
mod trufflehog3;
mod ward;
mod whispers;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &ward::Ward,
    &gitleaks::Gitleaks,
    &trufflehog::Trufflehog,
    &trufflehog3::Trufflehog3,
    &detect_secrets::DetectSecrets,
    &whispers::Whispers,
    &checkov::Checkov,
    &kics::Kics,
    &tfsec::Tfsec,
    &hadolint::Hadolint,
    &bandit::Bandit,
    &horusec::Horusec,
    &semgrep::Semgrep,
    &sonarqube::SonarQube,
    &sarif::Sarif,
];
