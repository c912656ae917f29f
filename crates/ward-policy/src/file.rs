//! Reading `ward.toml`: the `[gate]` table and the `[[suppress]]` list, validated, with errors
//! that name the line.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use ward_core::{Category, Severity};

use crate::{Date, FailRule, Policy, Suppression, DEFAULT_BASELINE_FILE};

/// A policy file that cannot be used. The message names the line and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct Error {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The whole file. Sections owned by other parts of ward are accepted here and checked there.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    gate: Option<GateWire>,
    #[serde(default)]
    suppress: Vec<Spanned<SuppressWire>>,
    #[allow(dead_code)]
    export: Option<ExportWire>,
    #[allow(dead_code)]
    scan: Option<toml::Table>,
    #[allow(dead_code)]
    server: Option<toml::Table>,
}

/// `[export]`: defaults for `ward convert`, each overridden by its command-line flag.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExportWire {
    gitlab_schema_version: Option<String>,
    asff: Option<AsffWire>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AsffWire {
    product_arn: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
}

/// The `[export]` settings of a `ward.toml`: what `ward convert` uses where no flag is given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSettings {
    /// `[export] gitlab_schema_version`.
    pub gitlab_schema_version: Option<String>,
    /// `[export.asff] product_arn`.
    pub asff_product_arn: Option<String>,
    /// `[export.asff] account_id`.
    pub aws_account_id: Option<String>,
    /// `[export.asff] region`.
    pub aws_region: Option<String>,
}

impl ExportSettings {
    /// Reads the `[export]` table of a `ward.toml` (the whole file is checked, as for a policy).
    pub fn from_toml(text: &str) -> Result<ExportSettings, Error> {
        let line_of =
            |span: Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
        let file: FileWire = toml::from_str(text).map_err(|e| Error {
            line: e.span().map_or(1, line_of),
            message: e.message().trim().to_string(),
        })?;
        let export = file.export.unwrap_or_default();
        let asff = export.asff.unwrap_or_default();
        Ok(ExportSettings {
            gitlab_schema_version: export.gitlab_schema_version,
            asff_product_arn: asff.product_arn,
            aws_account_id: asff.account_id,
            aws_region: asff.region,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GateWire {
    new_only: Option<bool>,
    #[serde(default)]
    allow_failure: Vec<String>,
    baseline_file: Option<String>,
    #[serde(default)]
    fail: Vec<Spanned<FailWire>>,
    require_approval: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailWire {
    severity: Option<Severity>,
    category: Option<Category>,
    tool: Option<String>,
    max: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressWire {
    fingerprint: Option<String>,
    rule: Option<String>,
    path: Option<Spanned<String>>,
    cve: Option<String>,
    tool: Option<String>,
    reason: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

impl Policy {
    /// Reads a policy from the text of a `ward.toml`.
    pub fn from_toml(text: &str) -> Result<Policy, Error> {
        let line_of =
            |span: Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
        let file: FileWire = toml::from_str(text).map_err(|e| Error {
            line: e.span().map_or(1, line_of),
            message: e.message().trim().to_string(),
        })?;
        let mut policy = Policy::default();
        if let Some(gate) = file.gate {
            policy.new_only = gate.new_only.unwrap_or(false);
            policy.require_approval = gate.require_approval.unwrap_or(false);
            policy.allow_failure = gate.allow_failure;
            policy.baseline_file = gate
                .baseline_file
                .unwrap_or_else(|| DEFAULT_BASELINE_FILE.to_string());
            if !gate.fail.is_empty() {
                policy.fail = gate
                    .fail
                    .into_iter()
                    .map(|rule| {
                        let line = line_of(rule.span());
                        let rule = rule.into_inner();
                        if rule.severity.is_none() && rule.category.is_none() && rule.tool.is_none() {
                            return Err(Error {
                                line,
                                message: "a [[gate.fail]] rule needs at least one of severity, category, tool".into(),
                            });
                        }
                        Ok(FailRule {
                            severity: rule.severity.unwrap_or(Severity::Info),
                            category: rule.category,
                            tool: rule.tool,
                            max: rule.max.unwrap_or(0),
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
        }
        policy.suppressions = file
            .suppress
            .into_iter()
            .map(|s| suppression(s, &line_of))
            .collect::<Result<_, _>>()?;
        Ok(policy)
    }
}

fn suppression(
    wire: Spanned<SuppressWire>,
    line_of: &dyn Fn(Range<usize>) -> usize,
) -> Result<Suppression, Error> {
    let line = line_of(wire.span());
    let wire = wire.into_inner();
    let error = |line: usize, message: &str| Error {
        line,
        message: message.to_string(),
    };
    let reason = wire
        .reason
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            error(
                line,
                "a suppression needs a reason (reason = \"why this is acceptable\")",
            )
        })?;
    let expires = wire.expires.ok_or_else(|| {
        error(
            line,
            "a suppression needs an expiry date (expires = 2027-01-31)",
        )
    })?;
    let expires_line = line_of(expires.span());
    let expires = match expires.into_inner() {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
            .date
            .and_then(|d| Date::new(i32::from(d.year), d.month, d.day)),
        toml::Value::String(s) => Date::parse(&s),
        _ => None,
    }
    .ok_or_else(|| error(expires_line, "expires must be a date such as 2027-01-31"))?;
    let path = match wire.path {
        Some(glob) => {
            let glob_line = line_of(glob.span());
            let compiled = globset::GlobBuilder::new(glob.get_ref())
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    error(
                        glob_line,
                        &format!("invalid path glob {:?}: {}", glob.get_ref(), e.kind()),
                    )
                })?;
            Some(compiled.compile_matcher())
        }
        None => None,
    };
    let suppression = Suppression {
        fingerprint: wire.fingerprint,
        rule: wire.rule,
        path,
        id: wire.cve,
        tool: wire.tool,
        reason,
        expires,
        line,
    };
    if suppression.describe().is_empty() {
        return Err(error(
            line,
            "a suppression needs at least one of fingerprint, rule, path, cve, tool",
        ));
    }
    Ok(suppression)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(toml: &str) -> Error {
        Policy::from_toml(toml).expect_err("must be rejected")
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = error("[gate]\nnew_only = true\nfail_on = \"high\"\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("fail_on"), "{e}");
        let e = error(
            "[[suppress]]\nrule = \"x\"\nreason = \"y\"\nexpires = 2027-01-01\nowner = \"me\"\n",
        );
        assert_eq!(e.line, 5, "{e}");
        let e = error("[gaet]\n");
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn bad_dates_name_their_line() {
        let e = error("[[suppress]]\nrule = \"x\"\nreason = \"y\"\nexpires = \"2027-02-30\"\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (4, "expires must be a date such as 2027-01-31")
        );
        let e = error("[[suppress]]\nrule = \"x\"\nreason = \"y\"\nexpires = 2027-13-01\n");
        assert_eq!(e.line, 4, "{e}");
        let e =
            error("[[suppress]]\nrule = \"x\"\nreason = \"y\"\nexpires = 2027-01-01T10:00:00Z\n");
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn invalid_globs_name_their_line() {
        let e = error("\n[[suppress]]\npath = \"src/[a-\"\nreason = \"y\"\nexpires = 2027-01-01\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("invalid path glob"), "{e}");
    }

    #[test]
    fn reason_and_expiry_are_required() {
        let e = error("[[suppress]]\nrule = \"x\"\nexpires = 2027-01-01\n");
        assert!(e.message.contains("needs a reason") && e.line == 1, "{e}");
        let e = error("\n\n[[suppress]]\nrule = \"x\"\nreason = \"  \"\nexpires = 2027-01-01\n");
        assert!(e.message.contains("needs a reason") && e.line == 3, "{e}");
        let e = error("[[suppress]]\nrule = \"x\"\nreason = \"ok\"\n");
        assert!(e.message.contains("expiry date"), "{e}");
        let e = error("[[suppress]]\nreason = \"ok\"\nexpires = 2027-01-01\n");
        assert!(e.message.contains("at least one of"), "{e}");
    }

    #[test]
    fn bad_values_name_their_line() {
        let e = error("[[gate.fail]]\nseverity = \"hgih\"\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("hgih"), "{e}");
        let e = error("[[gate.fail]]\ncategory = \"sast\"\nmax = -1\n");
        assert_eq!(e.line, 3, "{e}");
        let e = error("[[gate.fail]]\nmax = 3\n");
        assert!(e.message.contains("at least one of"), "{e}");
    }

    #[test]
    fn export_settings() {
        let text = "[export]\ngitlab_schema_version = \"15.2.5\"\n[export.asff]\nregion = \"eu-west-1\"\naccount_id = \"123456789012\"\n";
        let p = Policy::from_toml(text).unwrap();
        assert_eq!(p.fail, Policy::default().fail);
        let export = ExportSettings::from_toml(text).unwrap();
        assert_eq!(export.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(export.gitlab_schema_version.as_deref(), Some("15.2.5"));
        let e = ExportSettings::from_toml("[export.asff]\nregoin = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn require_approval() {
        assert!(!Policy::from_toml("").unwrap().require_approval);
        assert!(
            Policy::from_toml("[gate]\nrequire_approval = true\n")
                .unwrap()
                .require_approval
        );
        let e = error("[gate]\nrequire_approval = \"yes\"\n");
        assert_eq!(e.line, 2, "{e}");
    }
}
