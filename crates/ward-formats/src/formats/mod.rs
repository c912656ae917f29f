//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod bandit;
mod gitleaks;
mod horusec;
mod sarif;
mod sast_common;
mod semgrep;
mod sonarqube;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &gitleaks::Gitleaks,
    &bandit::Bandit,
    &horusec::Horusec,
    &semgrep::Semgrep,
    &sonarqube::SonarQube,
    &sarif::Sarif,
];
