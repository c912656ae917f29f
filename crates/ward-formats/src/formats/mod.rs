//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod anchore_grype;
mod cyclonedx;
mod dependency_check;
mod gitleaks;
mod sca_common;
mod trivy;
mod trivy_common;
mod trivy_operator;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &gitleaks::Gitleaks,
    &trivy::Trivy,
    &trivy_operator::TrivyOperator,
    &anchore_grype::AnchoreGrype,
    &cyclonedx::CycloneDx,
    &dependency_check::DependencyCheck,
];
