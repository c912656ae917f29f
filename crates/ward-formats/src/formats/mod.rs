//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod anchore_grype;
mod asff;
mod asff_common;
mod aws_codeguru_security;
mod aws_inspector2;
mod awssecurityhub;
mod bandit;
mod burp;
mod checkov;
mod cyclonedx;
mod dependency_check;
mod detect_secrets;
mod empty;
mod gitlab_common;
mod gitlab_container_scan;
mod gitlab_dast;
mod gitlab_dep_scan;
mod gitlab_sast;
mod gitlab_secret_detection;
mod gitleaks;
mod govulncheck;
mod hadolint;
mod horusec;
mod kics;
mod lenient;
mod mobsf;
mod nancy;
mod nikto;
mod npm_audit;
mod npm_audit_7;
mod nuclei;
mod ordered;
mod osv_scanner;
mod package_common;
mod pip_audit;
mod retirejs;
mod sarif;
mod sarif_plan;
mod sast_common;
mod sca_common;
mod secret_common;
mod semgrep;
mod snyk;
mod sonarqube;
mod sslscan;
mod sslyze;
mod sslyze_json;
mod tfsec;
mod trivy;
mod trivy_common;
mod trivy_operator;
mod trufflehog;
mod trufflehog3;
mod ward;
mod web_common;
mod whispers;
mod wpscan;
mod yarn_audit;
mod zap;

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
    &gitlab_sast::GitlabSast,
    &gitlab_dep_scan::GitlabDepScan,
    &gitlab_container_scan::GitlabContainerScan,
    &gitlab_secret_detection::GitlabSecretDetection,
    &gitlab_dast::GitlabDast,
    &awssecurityhub::AwsSecurityHub,
    &asff::Asff,
    &aws_inspector2::AwsInspector2,
    &aws_codeguru_security::AwsCodeguruSecurity,
    &npm_audit::NpmAudit,
    &npm_audit_7::NpmAudit7,
    &yarn_audit::YarnAudit,
    &nancy::Nancy,
    &retirejs::RetireJs,
    &osv_scanner::OsvScanner,
    &pip_audit::PipAudit,
    &govulncheck::Govulncheck,
    &snyk::Snyk,
    &zap::Zap,
    &burp::Burp,
    &nuclei::Nuclei,
    &nikto::Nikto,
    &wpscan::Wpscan,
    &sslscan::Sslscan,
    &sslyze::Sslyze,
    &sslyze_json::SslyzeJson,
    &mobsf::Mobsf,
    &trivy::Trivy,
    &trivy_operator::TrivyOperator,
    &anchore_grype::AnchoreGrype,
    &cyclonedx::CycloneDx,
    &dependency_check::DependencyCheck,
    &sarif::Sarif,
    &empty::Empty,
];
