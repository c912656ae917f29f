//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod gitleaks;
mod govulncheck;
mod nancy;
mod npm_audit;
mod npm_audit_7;
mod osv_scanner;
mod pip_audit;
mod retirejs;
mod sca_common;
mod snyk;
mod yarn_audit;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &gitleaks::Gitleaks,
    &npm_audit::NpmAudit,
    &npm_audit_7::NpmAudit7,
    &yarn_audit::YarnAudit,
    &nancy::Nancy,
    &retirejs::RetireJs,
    &osv_scanner::OsvScanner,
    &pip_audit::PipAudit,
    &govulncheck::Govulncheck,
    &snyk::Snyk,
];
