//! Every input format, one module each, and [`PARSERS`], the registry that lists them once.

use crate::Parser;

mod burp;
mod gitleaks;
mod mobsf;
mod nikto;
mod nuclei;
mod ordered;
mod sslscan;
mod sslyze;
mod sslyze_json;
mod web_common;
mod wpscan;
mod zap;

/// Every input format, in the order [`crate::detect`] tries them: specific shapes before
/// generic ones.
pub static PARSERS: &[&dyn Parser] = &[
    &gitleaks::Gitleaks,
    &zap::Zap,
    &burp::Burp,
    &nuclei::Nuclei,
    &nikto::Nikto,
    &wpscan::Wpscan,
    &sslscan::Sslscan,
    &sslyze::Sslyze,
    &sslyze_json::SslyzeJson,
    &mobsf::Mobsf,
];
