//! Routing rules: which events go to which channel. Pure functions over an [`Event`]; the
//! caller stores the rules and queues one delivery per channel returned.

use serde::{Deserialize, Serialize};
use ward_core::Severity;

use crate::glob::{GlobError, Patterns};
use crate::{Event, EventKind};

/// One rule, as written in the config file or sent to the API:
///
/// ```toml
/// [[notify.rules]]
/// channel = "security-slack"
/// events = ["gate.failed", "finding.new"]
/// products = ["payments-*"]
/// engagements = ["main", "release/*"]
/// min_severity = "high"
/// ```
///
/// Every filter left out (or empty) lets everything through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The channel's name.
    pub channel: String,
    /// The kinds of event to send; empty means all.
    #[serde(default)]
    pub events: Vec<EventKind>,
    /// Product name globs; empty means every product.
    #[serde(default)]
    pub products: Vec<String>,
    /// Engagement (branch) globs; empty means every engagement. When set, events without an
    /// engagement do not match.
    #[serde(default)]
    pub engagements: Vec<String>,
    /// Only events with a finding at or above this severity. Applies to events about findings
    /// ([`EventKind::carries_findings`]); failed scans and approvals always pass.
    #[serde(default)]
    pub min_severity: Option<Severity>,
}

/// A rule whose globs do not compile.
#[derive(Debug, thiserror::Error)]
#[error("routing rule {index} (channel {channel:?}): {source}")]
pub struct RuleError {
    /// The rule's position in the list, from 1.
    pub index: usize,
    /// The rule's channel.
    pub channel: String,
    /// The bad glob.
    #[source]
    pub source: GlobError,
}

/// Compiled rules, ready to route events.
#[derive(Debug, Clone)]
pub struct Routes {
    rules: Vec<CompiledRule>,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    rule: Rule,
    products: Patterns,
    engagements: Patterns,
}

impl Routes {
    /// Compiles the rules' globs; the first bad one is an error naming its rule.
    pub fn new(rules: &[Rule]) -> Result<Routes, RuleError> {
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let error = |source| RuleError {
                    index: i + 1,
                    channel: rule.channel.clone(),
                    source,
                };
                Ok(CompiledRule {
                    products: Patterns::new(&rule.products).map_err(error)?,
                    engagements: Patterns::new(&rule.engagements).map_err(error)?,
                    rule: rule.clone(),
                })
            })
            .collect::<Result<_, RuleError>>()?;
        Ok(Routes { rules })
    }

    /// The channels `event` goes to: sorted, each once, however many rules name it.
    pub fn channels_for(&self, event: &Event) -> Vec<&str> {
        let mut channels: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.matches(event))
            .map(|r| r.rule.channel.as_str())
            .collect();
        channels.sort_unstable();
        channels.dedup();
        channels
    }
}

impl CompiledRule {
    fn matches(&self, event: &Event) -> bool {
        let kind = event.kind();
        let rule = &self.rule;
        if !rule.events.is_empty() && !rule.events.contains(&kind) {
            return false;
        }
        if !self.products.is_empty() && !self.products.matches(&event.product) {
            return false;
        }
        if !self.engagements.is_empty() {
            let Some(engagement) = &event.engagement else {
                return false;
            };
            if !self.engagements.matches(engagement) {
                return false;
            }
        }
        match rule.min_severity {
            Some(min) if kind.carries_findings() => event.max_severity().is_some_and(|s| s >= min),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventDetail, SeverityCounts};

    fn event(
        kind: EventKind,
        product: &str,
        engagement: Option<&str>,
        worst: Option<Severity>,
    ) -> Event {
        let detail = match kind {
            EventKind::ScanCompleted => EventDetail::ScanCompleted {
                tools: vec![],
                n_findings: 0,
                n_new: 0,
            },
            EventKind::ScanFailed => EventDetail::ScanFailed {
                error: "x".into(),
                job_id: None,
            },
            EventKind::GateFailed => EventDetail::GateFailed { violations: vec![] },
            EventKind::GatePassed => EventDetail::GatePassed {},
            EventKind::FindingNew => EventDetail::FindingNew {
                n_new: 1,
                min_severity: Severity::Low,
            },
            EventKind::SlaBreached => EventDetail::SlaBreached {
                n_overdue: 1,
                max_days_overdue: 1,
            },
            EventKind::ApprovalRequired => EventDetail::ApprovalRequired {
                approval_id: "a1".into(),
                reason: "r".into(),
            },
        };
        let mut counts = SeverityCounts::default();
        if let Some(s) = worst {
            counts.add(s);
        }
        Event {
            id: "e".into(),
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            product: product.into(),
            engagement: engagement.map(Into::into),
            url: None,
            counts,
            top_findings: vec![],
            detail,
        }
    }

    fn routes(toml_rules: &str) -> Routes {
        #[derive(Deserialize)]
        struct File {
            rules: Vec<Rule>,
        }
        let file: File = toml::from_str(toml_rules).unwrap();
        Routes::new(&file.rules).unwrap()
    }

    #[test]
    fn filters_combine() {
        let r = routes(
            r#"
            [[rules]]
            channel = "slack"
            events = ["gate.failed", "scan.failed"]
            products = ["payments-*"]
            engagements = ["main", "release/*"]

            [[rules]]
            channel = "email"
            events = ["finding.new"]
            min_severity = "high"

            [[rules]]
            channel = "audit"
            "#,
        );
        let high = Some(Severity::High);
        let check = |e: Event, want: &[&str]| assert_eq!(r.channels_for(&e), want, "{e:?}");
        check(
            event(EventKind::GateFailed, "payments-api", Some("main"), None),
            &["audit", "slack"],
        );
        check(
            event(
                EventKind::GateFailed,
                "payments-api",
                Some("release/2.0"),
                None,
            ),
            &["audit", "slack"],
        );
        check(
            event(
                EventKind::GateFailed,
                "payments-api",
                Some("release/2.0/rc"),
                None,
            ),
            &["audit"],
        );
        check(
            event(EventKind::GateFailed, "payments-api", None, None),
            &["audit"],
        );
        check(
            event(EventKind::GateFailed, "billing", Some("main"), None),
            &["audit"],
        );
        check(
            event(EventKind::GatePassed, "payments-api", Some("main"), None),
            &["audit"],
        );
        check(
            event(EventKind::FindingNew, "billing", None, high),
            &["audit", "email"],
        );
        check(
            event(
                EventKind::FindingNew,
                "billing",
                None,
                Some(Severity::Critical),
            ),
            &["audit", "email"],
        );
        check(
            event(
                EventKind::FindingNew,
                "billing",
                None,
                Some(Severity::Medium),
            ),
            &["audit"],
        );
        check(
            event(EventKind::FindingNew, "billing", None, None),
            &["audit"],
        );
    }

    #[test]
    fn severity_filters_let_failures_and_approvals_through() {
        let r = routes(
            r#"
            [[rules]]
            channel = "pager"
            min_severity = "critical"
            "#,
        );
        assert_eq!(
            r.channels_for(&event(EventKind::ScanFailed, "p", None, None)),
            ["pager"]
        );
        assert_eq!(
            r.channels_for(&event(EventKind::ApprovalRequired, "p", None, None)),
            ["pager"]
        );
        assert!(r
            .channels_for(&event(
                EventKind::SlaBreached,
                "p",
                None,
                Some(Severity::High)
            ))
            .is_empty());
    }

    #[test]
    fn a_channel_named_by_two_rules_gets_one_delivery() {
        let r = routes(
            r#"
            [[rules]]
            channel = "slack"
            events = ["gate.failed"]
            [[rules]]
            channel = "slack"
            products = ["p"]
            "#,
        );
        assert_eq!(
            r.channels_for(&event(EventKind::GateFailed, "p", None, None)),
            ["slack"]
        );
    }

    #[test]
    fn bad_rules_are_refused_with_their_position() {
        let rules = vec![
            Rule {
                channel: "ok".into(),
                events: vec![],
                products: vec![],
                engagements: vec![],
                min_severity: None,
            },
            Rule {
                channel: "bad".into(),
                events: vec![],
                products: vec!["[".into()],
                engagements: vec![],
                min_severity: None,
            },
        ];
        let err = Routes::new(&rules).unwrap_err();
        assert_eq!((err.index, err.channel.as_str()), (2, "bad"));
        let unknown: Result<Rule, _> = toml::from_str("channel = \"x\"\nevents = [\"scan.done\"]");
        assert!(unknown.is_err());
        let typo: Result<Rule, _> = toml::from_str("channel = \"x\"\nproduct = [\"a\"]");
        assert!(typo.is_err(), "unknown fields are refused");
    }
}
